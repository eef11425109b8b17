package gitlabtest

// The repository side of a project (what Gitaly does for GitLab), for the
// endpoints that read or change branches, and an implementation over bare
// repositories on disk driven with the git command.
//
// Facts followed (gitlab-org/gitlab app/services/merge_requests/
// merge_service.rb, squash_service.rb, app/models/merge_request.rb
// default_merge_commit_message; docs.gitlab.com/user/project/
// merge_requests/methods and /squash_and_merge):
//   - With the default merge method ("Merge commit") merging always makes
//     a merge commit (no fast-forward) whose parents are the target
//     branch's tip and the source commit. Its author and committer are the
//     user who merges.
//   - Squash first makes one commit of the source branch's changes on the
//     merge base, with the squash commit message, and merges that one.
//   - The update of the target branch is atomic: it fails when the branch
//     moved meanwhile.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Git is the repository side of the server's projects. The server calls it
// with its lock held, so it must not call back into the Server.
type Git interface {
	// Head returns the commit a branch points at, or "" when the project
	// has no such branch.
	Head(projectPath, branch string) (string, error)
	// Conflicts reports whether merging source into target conflicts.
	Conflicts(projectPath, source, target string) (bool, error)
	// Merge merges as GitLab's merge button does and returns the new
	// commits. It wraps ErrConflict when the branches conflict and
	// ErrMoved when the target moved during the merge.
	Merge(projectPath string, m Merge) (MergeResult, error)
	// DeleteBranch removes a branch; one that is gone is no error.
	DeleteBranch(projectPath, branch string) error
}

// Merge is what Git.Merge merges.
type Merge struct {
	// Source is the branch merged and SourceSHA the commit of it that is;
	// Target the branch merged into.
	Source, SourceSHA, Target string
	// Message is the merge commit's message.
	Message string
	// Squash merges the source's changes as one commit with SquashMessage.
	Squash        bool
	SquashMessage string
	// Author is who merges: the commits' author and committer.
	Author User
}

// MergeResult is what a merge made.
type MergeResult struct {
	// MergeCommit is the commit the target points at; SquashCommit the
	// squashed commit, when there is one.
	MergeCommit, SquashCommit string
}

// Errors of Git.Merge.
var (
	ErrConflict = errors.New("the branches conflict")
	ErrMoved    = errors.New("the target branch moved during the merge")
)

// SetGit installs the repository side, for merging. Without it, the merge
// endpoint answers that it is not implemented. When SetBranchExists was
// not called, Git.Head decides which branches exist too.
func (s *Server) SetGit(g Git) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.git = g
}

// BareRepositories is a Git over bare repositories on disk, such as those
// internal/gittest serves: dir returns a project's repository directory.
func BareRepositories(dir func(projectPath string) string) Git { return bareRepos{dir} }

type bareRepos struct{ dir func(string) string }

func (b bareRepos) git(project string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = b.dir(project)
	cmd.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

func (b bareRepos) Head(project, branch string) (string, error) {
	out, err := b.git(project, nil, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return "", nil
	}
	return out, err
}

// mergeTree merges two commits without a work tree: the tree, or
// ErrConflict.
func (b bareRepos) mergeTree(project, ours, theirs string) (string, error) {
	out, err := b.git(project, nil, "merge-tree", "--write-tree", "--no-messages", ours, theirs)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return "", ErrConflict
	}
	if err != nil {
		return "", err
	}
	tree, _, _ := strings.Cut(out, "\n")
	return tree, nil
}

func (b bareRepos) Conflicts(project, source, target string) (bool, error) {
	_, err := b.mergeTree(project, "refs/heads/"+target, "refs/heads/"+source)
	if errors.Is(err, ErrConflict) {
		return true, nil
	}
	return false, err
}

func (b bareRepos) Merge(project string, m Merge) (MergeResult, error) {
	var res MergeResult
	who := []string{
		"GIT_AUTHOR_NAME=" + m.Author.Name, "GIT_AUTHOR_EMAIL=" + m.Author.Email,
		"GIT_COMMITTER_NAME=" + m.Author.Name, "GIT_COMMITTER_EMAIL=" + m.Author.Email,
	}
	target, err := b.Head(project, m.Target)
	if err != nil {
		return res, err
	}
	if target == "" {
		return res, fmt.Errorf("no branch %s", m.Target)
	}
	merged := m.SourceSHA
	if m.Squash {
		base, err := b.git(project, nil, "merge-base", target, m.SourceSHA)
		if err != nil {
			return res, err
		}
		if res.SquashCommit, err = b.git(project, who, "commit-tree", m.SourceSHA+"^{tree}", "-p", base, "-m", m.SquashMessage); err != nil {
			return res, err
		}
		merged = res.SquashCommit
	}
	tree, err := b.mergeTree(project, target, merged)
	if err != nil {
		return res, err
	}
	commit, err := b.git(project, who, "commit-tree", tree, "-p", target, "-p", merged, "-m", m.Message)
	if err != nil {
		return res, err
	}
	if _, err := b.git(project, nil, "update-ref", "refs/heads/"+m.Target, commit, target); err != nil {
		return res, fmt.Errorf("%w: %w", ErrMoved, err)
	}
	res.MergeCommit = commit
	return res, nil
}

func (b bareRepos) DeleteBranch(project, branch string) error {
	head, err := b.Head(project, branch)
	if err != nil || head == "" {
		return err
	}
	_, err = b.git(project, nil, "update-ref", "-d", "refs/heads/"+branch, head)
	return err
}
