package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// Forge is the merge-request side of a code host.
type Forge interface {
	// FindOpen returns the open merge request from source into target, or nil.
	FindOpen(ctx context.Context, source, target string) (*MergeRequest, error)
	// Create opens a merge request; it returns ErrExists when one is
	// already open for the same branches.
	Create(ctx context.Context, spec MergeRequestSpec) (*MergeRequest, error)
	// Update changes an open merge request to match spec.
	Update(ctx context.Context, iid int, spec MergeRequestSpec) (*MergeRequest, error)
	// ListOpen returns every open merge request into target.
	ListOpen(ctx context.Context, target string) ([]MergeRequest, error)
	// Notes returns the notes of a merge request, oldest first.
	Notes(ctx context.Context, iid int) ([]Note, error)
	// AddNote comments on a merge request.
	AddNote(ctx context.Context, iid int, body string) (Note, error)
	// DeleteNote removes a note; one that is gone already is no error.
	DeleteNote(ctx context.Context, iid, noteID int) error
	// Close closes a merge request; closing a closed one is no error.
	Close(ctx context.Context, iid int) error
}

// MergeRequest is what sync needs to know of a merge request.
type MergeRequest struct {
	IID          int
	URL          string
	SourceBranch string
	Description  string
}

// MergeRequestSpec is the merge request sync wants.
type MergeRequestSpec struct {
	Source, Target     string
	Title, Description string
	Labels             []string
	Assignees          []string
	Reviewers          []string
	Squash             bool
	RemoveSourceBranch bool
	// Draft asks for a draft. A forge whose Conventions have a
	// DraftPrefix finds it in Title already.
	Draft bool
}

// Note is a comment on a merge request.
type Note struct {
	ID   int
	Body string
}

// Status is how a sync ended.
type Status string

// The statuses of a sync.
const (
	StatusOpened     Status = "merge-request-opened"
	StatusUpdated    Status = "merge-request-updated"
	StatusSuperseded Status = "superseded" // a newer commit's merge request is open; this one was closed
	StatusPushed     Status = "pushed"     // ModePush
	StatusNoChanges  Status = "no-changes"
	StatusDryRun     Status = "dry-run"
	StatusRefused    Status = "refused" // the error wraps ErrRefused
	StatusFailed     Status = "failed"
)

// Result is what a sync did, as far as it got: Run returns one with every
// error too.
type Result struct {
	Status Status
	// Base is the base branch, BaseCommit the commit the change was built on.
	Base, BaseCommit string
	// Changes are the objects added, changed and removed; Files the files.
	Changes []manifest.Change
	Files   *gitsync.Plan
	// Flux are the paths built as Flux will build them, in order; a
	// refusal's path is not among them.
	Flux []FluxBuild
	// Branch holds the change (the base branch in ModePush); "" until it
	// does, and when there was nothing to commit.
	Branch string
	// Commit is the commit the branch holds after the sync: the change, or
	// BaseCommit when nothing changed.
	Commit string
	// Pushed reports whether this run pushed; a branch that already held
	// the change is not pushed again.
	Pushed bool
	// MergeRequest is the merge request of the change.
	MergeRequest *MergeRequest
	// SupersededBy is the newer commit's merge request for which this
	// one was closed (StatusSuperseded).
	SupersededBy *MergeRequest
	// Superseded are the merge requests of older commits this run closed.
	Superseded []Superseded
}

// Superseded is a merge request that a sync closed, and what became of its
// branch.
type Superseded struct {
	MergeRequest
	// BranchDeleted reports whether the sync deleted the source branch.
	BranchDeleted bool
	// BranchKept says why the branch was kept, when it was not deleted
	// and still exists: it holds someone's commit, or deleting failed.
	BranchKept error
}

// Run performs one sync. forge may be nil in ModePush and for a dry run.
// It prints nothing; progress goes to log (nil: none). The returned Result
// is never nil: on an error it says how far the sync got, with
// StatusRefused or StatusFailed.
func Run(ctx context.Context, cfg Config, forge Forge, log *slog.Logger) (*Result, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	s := &syncRun{cfg: cfg, forge: forge, terms: ConventionsOf(forge), log: log, res: &Result{Status: StatusFailed, Base: cfg.Base}}
	err := cfg.Validate()
	if err == nil && forge == nil && cfg.Mode == ModeMR && !cfg.DryRun {
		err = errors.New("deliver: ModeMR needs a Forge")
	}
	if err == nil {
		err = s.run(ctx)
	}
	if errors.Is(err, ErrRefused) {
		s.res.Status = StatusRefused
	} else if err != nil {
		s.res.Status = StatusFailed
	}
	return s.res, err
}

// syncRun is one sync under way.
type syncRun struct {
	cfg   Config
	forge Forge
	terms Conventions
	log   *slog.Logger
	res   *Result
	repo  *gitsync.Repo
}

func (s *syncRun) run(ctx context.Context) error {
	cfg, res := s.cfg, s.res
	keep := cfg.keepMatcher()
	dist, newObjects, err := readDist(cfg.Dist, keep, cfg.AllowSecrets)
	if err != nil {
		return err
	}

	s.log.Info("cloning", "repo", redactURL(cfg.Repo), "branch", cfg.Base)
	s.repo, err = retry(ctx, cfg.Retry, s.log, "clone", func() (*gitsync.Repo, error) {
		return gitsync.Clone(ctx, gitsync.CloneOptions{URL: cfg.Repo, Branch: cfg.Base, Auth: cfg.Auth, TempDir: cfg.TempDir})
	})
	if err != nil {
		return err
	}
	defer s.repo.Close()
	res.BaseCommit = s.repo.Head().String()

	managed := func(rel string) bool { return manifest.IsManifest(rel) && !keep(rel) }
	oldFiles, err := s.repo.Files(cfg.Path, managed)
	if err != nil {
		return fmt.Errorf("read %s: %w", displayPath(cfg.Path), err)
	}
	oldObjects, foreign := readOld(oldFiles, newObjects, cfg.Path)
	if len(foreign) > 0 {
		return &ForeignFilesError{Path: cfg.Path, Files: foreign}
	}
	plan, err := s.repo.Replace(cfg.Path, managed, dist)
	var conflict *gitsync.ConflictError
	switch {
	case errors.As(err, &conflict) && (conflict.Path == cfg.Path || strings.HasPrefix(cfg.Path, conflict.Path+"/")):
		return &ConfigError{Field: "Path", Value: cfg.Path, Reason: "is not a directory of the repository: " + conflict.Path + " is a file", Err: err}
	case conflict != nil:
		return fmt.Errorf("%w: %w", ErrRefused, err)
	case err != nil:
		return err
	}
	res.Changes, res.Files = manifest.Diff(oldObjects, prefix(newObjects, cfg.Path)), plan
	if !cfg.AllowMassDelete {
		if err := checkRemovals(oldObjects, res.Changes, cfg.Path); err != nil {
			return err
		}
	}
	// Nothing is committed that Flux would refuse; a dry run shows it too.
	if !plan.Empty() || cfg.DryRun {
		if res.Flux, err = s.checkFlux(dist, newObjects, managed); err != nil {
			return err
		}
	}
	if cfg.DryRun {
		res.Status = StatusDryRun
		return nil
	}
	if plan.Empty() {
		res.Status, res.Commit = StatusNoChanges, res.BaseCommit
		// A merge request from an earlier commit would now change the base
		// away from this commit's state (after a revert, say): close it.
		if cfg.Mode == ModeMR && cfg.Supersede {
			return s.supersede(ctx, nil)
		}
		return nil
	}

	branch := cfg.Branch
	if cfg.Mode == ModePush {
		branch = cfg.Base
	}
	commit, err := s.repo.Commit(gitsync.CommitOptions{Tree: plan.Tree, Message: commitMessage(cfg), Author: cfg.Author, When: time.Now(), Branch: branch})
	if err != nil {
		return err
	}

	if cfg.Mode == ModePush {
		err := retryErr(ctx, cfg.Retry, s.log, "push", func() error {
			return s.repo.Push(ctx, gitsync.PushOptions{Branch: branch, Expect: s.repo.Head()})
		})
		if errors.Is(err, gitsync.ErrRejected) {
			return fmt.Errorf("%w (a push to %s since the clone): %w", ErrMoved, branch, err)
		}
		if err != nil {
			return err
		}
		res.Status, res.Branch, res.Commit, res.Pushed = StatusPushed, branch, commit.String(), true
		return nil
	}

	if err := s.pushBranch(ctx, commit, plan.Tree); err != nil {
		return err
	}
	if err := s.openMergeRequest(ctx); err != nil {
		return err
	}
	if cfg.Supersede {
		return s.supersede(ctx, res.MergeRequest)
	}
	return nil
}

// pushBranch puts the commit on the change branch, unless the branch holds
// the same tree already. It replaces only a commit sync made, and only the
// one it saw; when another sync pushed the same change meanwhile, that
// push is adopted.
func (s *syncRun) pushBranch(ctx context.Context, commit, tree plumbing.Hash) error {
	cfg, res := s.cfg, s.res
	branch := cfg.Branch
	fetch := func() (*gitsync.Tip, error) {
		return retry(ctx, cfg.Retry, s.log, "fetch "+branch, func() (*gitsync.Tip, error) { return s.repo.Fetch(ctx, branch) })
	}
	tip, err := fetch()
	if err != nil {
		return err
	}
	if err := checkTip(branch, tip); err != nil {
		return err
	}
	if tip != nil && tip.Tree == tree {
		res.Branch, res.Commit = branch, tip.Commit.String()
		return nil
	}
	expect := plumbing.ZeroHash
	if tip != nil {
		expect = tip.Commit
	}
	err = retryErr(ctx, cfg.Retry, s.log, "push", func() error {
		return s.repo.Push(ctx, gitsync.PushOptions{Branch: branch, Expect: expect})
	})
	if err == nil {
		res.Branch, res.Commit, res.Pushed = branch, commit.String(), true
		return nil
	}
	if !errors.Is(err, gitsync.ErrRejected) {
		return err
	}
	// The branch moved between the fetch and the push.
	now, ferr := fetch()
	if ferr != nil {
		return err
	}
	if cerr := checkTip(branch, now); cerr != nil {
		return cerr
	}
	if now != nil && now.Tree == tree {
		s.log.Info("another sync pushed the same change", "branch", branch, "commit", now.Commit.String())
		res.Branch, res.Commit = branch, now.Commit.String()
		return nil
	}
	return fmt.Errorf("%w: another sync is pushing a different change to %s at the same time: %w", ErrMoved, branch, err)
}

// checkTip refuses a branch whose tip sync did not make.
func checkTip(branch string, tip *gitsync.Tip) error {
	if tip == nil || isSyncCommit(tip.Message) {
		return nil
	}
	return &ForeignCommitError{Branch: branch, Commit: tip.Commit.String(), Subject: tip.Subject(), Author: tip.Author.Name + " <" + tip.Author.Email + ">"}
}

// readDist reads and checks the synthesized output: Flux applies every
// YAML file in its path, so anything that is not a Kubernetes object would
// break reconciliation, and an empty directory would prune everything.
func readDist(dir string, keep func(string) bool, allowSecrets bool) (gitsync.Files, []manifest.Object, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: dist %s: %v", ErrRefused, dir, err)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%w: dist %s is not a directory", ErrRefused, dir)
	}
	// Read once: what is checked here is exactly what gets committed.
	files := gitsync.Files{}
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s/%s is not a regular file", ErrRefused, dir, p)
		}
		if !manifest.IsManifest(p) {
			return fmt.Errorf("%w: %s/%s is not a manifest (.yaml, .yml or .json); sync writes only Kubernetes manifests", ErrRefused, dir, p)
		}
		if keep(p) {
			return fmt.Errorf("%w: %s/%s matches a keep pattern, so it could never be written", ErrRefused, dir, p)
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		files[p] = data
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	objs, err := manifest.Parse(files)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s/%w", ErrRefused, dir, err)
	}
	if len(objs) == 0 {
		return nil, nil, fmt.Errorf("%w: %s holds no Kubernetes objects; with prune enabled, Flux would delete everything it applied from the path", ErrRefused, dir)
	}
	if !allowSecrets {
		var plain []string
		for _, o := range objs {
			if fields := o.SecretValues(); len(fields) > 0 {
				plain = append(plain, fmt.Sprintf("%s/%s: %s has %s", dir, o.File, o.ID, strings.Join(fields, " and ")))
			}
		}
		if len(plain) > 0 {
			return nil, nil, &PlainSecretError{Secrets: plain}
		}
	}
	return files, objs, nil
}

// readOld reads the objects currently in the managed path, with file
// names relative to the repository root, and lists the files that hold
// something other than Kubernetes objects. A file whose content equals a
// dist file's at the same place is not parsed again: in a typical sync most
// are.
func readOld(files gitsync.Files, dist []manifest.Object, dir string) (objects []manifest.Object, foreign []string) {
	parsed := map[string][]manifest.Object{}
	for _, o := range dist {
		parsed[o.File] = append(parsed[o.File], o)
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		data := files[p]
		objs, ok := parsed[p]
		if !ok || !sameContent(objs, data) {
			var err error
			if objs, err = manifest.ParseFile(p, data); err != nil {
				foreign = append(foreign, path.Join(dir, p))
				continue
			}
		}
		objects = append(objects, prefix(objs, dir)...)
	}
	return objects, foreign
}

// checkRemovals refuses the changes that would empty much of the cluster by
// accident: a change that removes more objects from the managed path than
// it leaves there (what it keeps plus what it adds), or that removes every
// object of one of its folders (one environment's, say, after a synth of
// another environment only).
func checkRemovals(old []manifest.Object, changes []manifest.Change, dir string) error {
	n := manifest.Count(changes)
	removed, added := n[manifest.Removed], n[manifest.Added]
	if left := len(old) - removed + added; removed > 0 && removed > left {
		return &MassDeleteError{Path: dir, Before: len(old), Removed: removed, Added: added}
	}
	left := map[string]int{} // objects per folder below dir, at any depth
	count := func(file string, n int) {
		for folder := path.Dir(file); folder != dir && folder != "." && folder != "/"; folder = path.Dir(folder) {
			left[folder] += n
		}
	}
	for _, o := range old {
		count(o.File, 1)
	}
	for _, c := range changes {
		switch c.Action {
		case manifest.Removed:
			count(c.Old.File, -1)
		case manifest.Added:
			count(c.New.File, 1)
		}
	}
	for _, folder := range slices.Sorted(maps.Keys(left)) {
		if left[folder] == 0 {
			return &MassDeleteError{Path: dir, Folder: folder, Before: len(old), Removed: removed, Added: added}
		}
	}
	return nil
}

// sameContent reports whether data is exactly the file objs were parsed from.
func sameContent(objs []manifest.Object, data []byte) bool {
	return len(objs) > 0 && bytes.Equal(objs[0].Source, data)
}

// prefix makes object file names relative to the repository root, like
// the ones read from the clone.
func prefix(objs []manifest.Object, dir string) []manifest.Object {
	out := make([]manifest.Object, len(objs))
	for i, o := range objs {
		out[i] = o
		if dir != "" {
			out[i].File = dir + "/" + o.File
		}
	}
	return out
}
