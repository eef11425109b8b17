package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"
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
	// Close adds note to a merge request and closes it.
	Close(ctx context.Context, iid int, note string) error
}

// ErrExists is returned by Forge.Create when the merge request exists.
var ErrExists = errors.New("merge request already exists")

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
}

// Result is what a sync did.
type Result struct {
	Changes      []manifest.Change
	Files        *gitsync.Plan
	Branch       string
	Commit       string
	Pushed       bool
	MergeRequest *MergeRequest
	Superseded   []int
}

// ErrRefused is wrapped by errors that stop a sync to protect the cluster:
// output Flux cannot apply, or a change too destructive to make unasked.
var ErrRefused = errors.New("refused")

// Run performs one sync. forge may be nil in push mode and for a dry run.
// What it does is printed to out; progress goes to log.
func Run(ctx context.Context, cfg Config, forge Forge, out io.Writer, log *slog.Logger) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	keep := cfg.keepMatcher()
	distFS, newObjects, err := readDist(cfg.Dist, keep)
	if err != nil {
		return nil, err
	}

	log.Info("cloning", "repo", redactURL(cfg.Repo), "branch", cfg.Base)
	var repo *gitsync.Repo
	err = retry(ctx, log, "clone", func() error {
		var err error
		repo, err = gitsync.Clone(ctx, cfg.Repo, cfg.Base, cfg.Auth, cfg.TempDir)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer repo.Close()

	managed := func(rel string) bool { return manifest.IsManifest(rel) && !keep(rel) }
	oldFiles, err := repo.Files(cfg.Path, managed)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", displayPath(cfg.Path), err)
	}
	oldObjects, foreign := readOld(oldFiles, newObjects, cfg.Path)
	if len(foreign) > 0 {
		return nil, fmt.Errorf("%w: %s under %s %s not Kubernetes manifests, and sync would delete them; keep them with --keep, or remove them yourself",
			ErrRefused, strings.Join(foreign, ", "), displayPath(cfg.Path), plural(len(foreign), "is", "are"))
	}
	plan, err := repo.Replace(cfg.Path, managed, distFS)
	if err != nil {
		return nil, err
	}
	res := &Result{Changes: manifest.Diff(oldObjects, prefix(newObjects, cfg.Path)), Files: plan}
	if !cfg.AllowMassDelete {
		if err := checkRemovals(oldObjects, res.Changes, cfg.Path); err != nil {
			return nil, err
		}
	}
	printPlan(out, res)
	if cfg.DryRun {
		fmt.Fprintln(out, "dry run: nothing written")
		return res, nil
	}
	if plan.Empty() {
		fmt.Fprintln(out, "no changes")
		// A merge request from an earlier commit would now change the base
		// away from this commit's state (after a revert, say): close it.
		if cfg.Mode == ModeMR && cfg.Supersede && forge != nil {
			note := fmt.Sprintf("Out of date: %s already holds the manifests of %s. Closed by tsumiki.", cfg.Base, sourceName(cfg.Source))
			if err := supersede(ctx, cfg, forge, res, 0, note, log); err != nil {
				return res, err
			}
			printClosed(out, res)
		}
		return res, writeReport(cfg, res)
	}

	branch := cfg.Branch
	if cfg.Mode == ModePush {
		branch = cfg.Base
	}
	res.Branch = branch
	commit, err := repo.Commit(plan.Tree, commitMessage(cfg), cfg.Author, time.Now(), branch)
	if err != nil {
		return nil, err
	}
	res.Commit = commit.String()

	if cfg.Mode == ModePush {
		if err := retry(ctx, log, "push", func() error { return repo.Push(ctx, branch, false) }); err != nil {
			return nil, err
		}
		res.Pushed = true
		fmt.Fprintf(out, "pushed %s to %s\n", commit.String()[:12], branch)
		return res, writeReport(cfg, res)
	}

	var remoteTree plumbing.Hash
	var exists bool
	err = retry(ctx, log, "fetch "+branch, func() error {
		var err error
		remoteTree, exists, err = repo.RemoteTree(ctx, branch)
		return err
	})
	if err != nil {
		return nil, err
	}
	if exists && remoteTree == plan.Tree {
		fmt.Fprintf(out, "branch %s is already up to date\n", branch)
	} else {
		if err := retry(ctx, log, "push", func() error { return repo.Push(ctx, branch, true) }); err != nil {
			return nil, err
		}
		res.Pushed = true
		fmt.Fprintf(out, "pushed %s to %s\n", commit.String()[:12], branch)
	}

	if err := openMergeRequest(ctx, cfg, forge, res, log); err != nil {
		return res, fmt.Errorf("%w (the branch %s is pushed; run again to finish)", err, branch)
	}
	fmt.Fprintf(out, "merge request !%d: %s\n", res.MergeRequest.IID, res.MergeRequest.URL)
	printClosed(out, res)
	return res, writeReport(cfg, res)
}

func printClosed(out io.Writer, res *Result) {
	for _, iid := range res.Superseded {
		fmt.Fprintf(out, "closed superseded merge request !%d\n", iid)
	}
}

func sourceName(s Source) string {
	if s.ShortSHA != "" {
		return s.ShortSHA
	}
	return "this commit"
}

// readDist reads and checks the synthesized output: Flux applies every
// YAML file in its path, so anything that is not a Kubernetes object would
// break reconciliation, and an empty directory would prune everything.
func readDist(dir string, keep func(string) bool) (fstest.MapFS, []manifest.Object, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --dist %s: %v", ErrRefused, dir, err)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%w: --dist %s is not a directory", ErrRefused, dir)
	}
	// Read once: what is checked here is exactly what gets committed.
	files := fstest.MapFS{}
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
			return fmt.Errorf("%w: %s/%s matches a --keep pattern, so it could never be written", ErrRefused, dir, p)
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	objs, err := manifest.ReadDir(files, ".", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s/%w", ErrRefused, dir, err)
	}
	if len(objs) == 0 {
		return nil, nil, fmt.Errorf("%w: %s holds no Kubernetes objects; with prune enabled, Flux would delete everything it applied from the path", ErrRefused, dir)
	}
	return files, objs, nil
}

// readOld reads the objects currently in the managed path, with file
// names relative to the repository root, and lists the files that hold
// something other than Kubernetes objects. A file whose content equals a
// dist file's at the same place is not parsed again: in a typical sync most
// are.
func readOld(fsys fs.FS, dist []manifest.Object, dir string) (objects []manifest.Object, foreign []string) {
	parsed := map[string][]manifest.Object{}
	for _, o := range dist {
		parsed[o.File] = append(parsed[o.File], o)
	}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		objs, ok := parsed[p]
		if !ok || !sameContent(objs, data) {
			if objs, err = manifest.ParseFile(p, data); err != nil {
				foreign = append(foreign, path.Join(dir, p))
				return nil
			}
		}
		objects = append(objects, prefix(objs, dir)...)
		return nil
	})
	return objects, foreign
}

// checkRemovals refuses the changes that would empty much of the cluster by
// accident: removing more than half of the objects in the managed path, or
// every object of one of its folders (one environment's, say, after a synth
// of another environment only).
func checkRemovals(old []manifest.Object, changes []manifest.Change, dir string) error {
	removed := manifest.Count(changes)[manifest.Removed]
	if removed > 0 && 2*removed > len(old) {
		return fmt.Errorf("%w: the change removes %d of the %d objects in %s; pass --allow-mass-delete if that is intended",
			ErrRefused, removed, len(old), displayPath(dir))
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
			return fmt.Errorf("%w: the change removes every object under %s/; pass --allow-mass-delete if that is intended", ErrRefused, folder)
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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

func displayPath(p string) string {
	if p == "" {
		return "the repository root"
	}
	return p
}

func commitMessage(cfg Config) string {
	var b strings.Builder
	b.WriteString(cfg.Title)
	b.WriteString("\n\nManifests synthesized by tsumiki")
	if u := cfg.Source.CommitURL(); u != "" {
		fmt.Fprintf(&b, " from %s.\n\nTsumiki-Source: %s\n", cfg.Source.ShortSHA, u)
	} else if cfg.Source.SHA != "" {
		fmt.Fprintf(&b, " from %s.\n\nTsumiki-Source: %s\n", cfg.Source.ShortSHA, cfg.Source.SHA)
	} else {
		b.WriteString(".\n")
	}
	return b.String()
}

func printPlan(out io.Writer, res *Result) {
	n := manifest.Count(res.Changes)
	fmt.Fprintf(out, "objects: %d added, %d changed, %d removed\n", n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	for _, c := range res.Changes {
		fmt.Fprintf(out, "  %-7s %s\n", c.Action, c.ID)
	}
	fmt.Fprintf(out, "files: %d added, %d changed, %d removed\n", len(res.Files.Added), len(res.Files.Changed), len(res.Files.Removed))
	for _, group := range []struct {
		action string
		files  []string
	}{{"added", res.Files.Added}, {"changed", res.Files.Changed}, {"removed", res.Files.Removed}} {
		for _, f := range group.files {
			fmt.Fprintf(out, "  %-7s %s\n", group.action, f)
		}
	}
}
