package archive

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"helm.sh/helm/v4/pkg/chart/common"
)

// ErrNoHistory is wrapped by SourceDate's errors when git cannot tell when
// the directory last changed: not in a repository, not committed, or
// changed beyond the history a shallow clone holds.
var ErrNoHistory = errors.New("no commit history for the chart")

// SourceDate returns the committer time of the last commit that changed
// dir, following first parents from HEAD: what
// `git log --first-parent -1 --format=%cI -- dir` prints. Every clone of
// the repository at the same commit gets the same time, whatever the
// modification times of its files.
func SourceDate(dir string) (time.Time, error) {
	src, err := sourceDate(dir)
	if err != nil {
		return time.Time{}, err
	}
	return src.time, nil
}

// source is the commit that last changed a directory.
type source struct {
	time time.Time
	// tree is the directory's tree at HEAD.
	tree *object.Tree
}

func sourceDate(dir string) (*source, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w (give the time explicitly, e.g. SOURCE_DATE_EPOCH)", ErrNoHistory, dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNoHistory, dir, err)
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return nil, err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, err
	}
	rel = filepath.ToSlash(rel)

	head, err := repo.Head()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNoHistory, dir, err)
	}
	shallow, err := repo.Storer.Shallow()
	if err != nil {
		return nil, err
	}
	c, err := repo.CommitObject(head.Hash())
	if err != nil {
		return nil, err
	}
	headTree, err := subtree(c, rel)
	if err != nil {
		return nil, err
	}
	if headTree == nil {
		return nil, fmt.Errorf("%w: %s is not committed", ErrNoHistory, dir)
	}
	want := headTree.Hash
	for {
		if c.NumParents() == 0 {
			break
		}
		if slices.Contains(shallow, c.Hash) {
			return nil, fmt.Errorf("%w: %s has not changed since %s, where this shallow clone's history ends, so its last change cannot be seen; fetch the full history (GIT_DEPTH: 0 in GitLab CI)", ErrNoHistory, dir, c.Hash.String()[:12])
		}
		parent, err := c.Parent(0)
		if err != nil {
			return nil, fmt.Errorf("%s: parent of %s: %w", dir, c.Hash, err)
		}
		t, err := subtree(parent, rel)
		if err != nil {
			return nil, err
		}
		if t == nil || t.Hash != want {
			break
		}
		c = parent
	}
	return &source{time: c.Committer.When.UTC(), tree: headTree}, nil
}

// subtree returns the tree of dir (slash-separated, relative to the root;
// "." for the root) in commit c, or nil when c has no such directory.
func subtree(c *object.Commit, dir string) (*object.Tree, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	if dir == "." {
		return t, nil
	}
	sub, err := t.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	return sub, err
}

// uncommitted lists the files of files (named relative to the chart
// directory) whose content is not what the directory's tree at HEAD holds.
func (s *source) uncommitted(files []*common.File) ([]string, error) {
	var out []string
	for _, f := range files {
		e, err := s.tree.FindEntry(f.Name)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			out = append(out, f.Name)
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.Hash != plumbing.ComputeHash(plumbing.BlobObject, f.Data) {
			out = append(out, f.Name)
		}
	}
	return out, nil
}
