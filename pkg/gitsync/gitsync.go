// Package gitsync puts a directory of manifests into a git repository with
// go-git: a shallow clone of one branch, a commit that replaces the managed
// files, and pushes and deletions that never overwrite what they did not
// expect to find. It knows nothing about merge requests.
//
// The commit is built from trees, not through a work tree: the clone has no
// checkout, the new tree is the base tree with the managed files swapped,
// and "no change" is the two tree hashes being equal. That keeps a sync of
// thousands of files fast and exact.
package gitsync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Files is a set of files in memory: slash-separated path → content.
type Files map[string][]byte

// Repo is a shallow clone of one branch in a temporary directory, without a
// work tree.
type Repo struct {
	url  string
	base string
	dir  string
	repo *git.Repository
	auth transport.AuthMethod
	head *object.Commit
}

// ErrNoBranch is returned by Clone when the branch does not exist.
var ErrNoBranch = errors.New("branch not found")

// CloneOptions says what Clone fetches and where it keeps it.
type CloneOptions struct {
	// URL is the repository: https://, http://, ssh://, scp-like
	// user@host:path, file:// or a local path.
	URL string
	// Branch is the one branch cloned, at depth 1.
	Branch string
	Auth   Auth
	// TempDir holds the clone's temporary directory; os.TempDir() if "".
	TempDir string
}

// Clone fetches the tip of a branch (depth 1, no checkout) into a new
// temporary directory. Close removes it; so does Clone itself when it fails,
// including when ctx is cancelled.
func Clone(ctx context.Context, o CloneOptions) (*Repo, error) {
	method, cleanup, err := o.Auth.method(o.URL)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	dir, err := os.MkdirTemp(o.TempDir, "tsumiki-sync-")
	if err != nil {
		return nil, err
	}
	r := &Repo{url: o.URL, base: o.Branch, dir: dir, auth: method}
	r.repo, err = git.PlainCloneContext(ctx, filepath.Join(dir, "repo"), true, &git.CloneOptions{
		URL:           o.URL,
		Auth:          method,
		ReferenceName: plumbing.NewBranchReferenceName(o.Branch),
		SingleBranch:  true,
		Depth:         1,
		NoCheckout:    true,
		Tags:          git.NoTags,
	})
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, plumbing.ErrReferenceNotFound) || strings.Contains(err.Error(), "couldn't find remote ref") {
			return nil, fmt.Errorf("clone %s: %w: %s", o.URL, ErrNoBranch, o.Branch)
		}
		return nil, explain("clone", o.URL, err)
	}
	ref, err := r.repo.Reference(plumbing.NewBranchReferenceName(o.Branch), true)
	if err == nil {
		r.head, err = r.repo.CommitObject(ref.Hash())
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("clone %s: read %s: %w", o.URL, o.Branch, err)
	}
	return r, nil
}

// Close removes the clone from disk.
func (r *Repo) Close() error { return os.RemoveAll(r.dir) }

// Head returns the commit the clone is at.
func (r *Repo) Head() plumbing.Hash { return r.head.Hash }

// Files returns the content of every file under dir (slash-separated,
// relative to the repository root) at the base commit, keyed by path
// relative to dir. It lets callers compare the old state with the new.
func (r *Repo) Files(dir string, include func(rel string) bool) (Files, error) {
	entries, err := r.entries()
	if err != nil {
		return nil, err
	}
	out := Files{}
	for p, e := range entries {
		rel, ok := within(dir, p)
		if !ok || !e.mode.IsFile() || (include != nil && !include(rel)) {
			continue
		}
		data, err := r.blob(e.hash)
		if err != nil {
			return nil, err
		}
		out[rel] = data
	}
	return out, nil
}

// Plan lists, by path relative to the repository root, what a replacement
// changes.
type Plan struct {
	Added, Changed, Removed []string
	// Tree is the root tree of the result.
	Tree plumbing.Hash
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Added)+len(p.Changed)+len(p.Removed) == 0 }

// Replace computes the tree in which every file under dir (slash-separated,
// "" or "." for the root) for which managed returns true is removed and
// every one of files is written under dir. Nothing else changes. The tree
// is stored in the clone, ready for Commit; nothing leaves the machine.
func (r *Repo) Replace(dir string, managed func(rel string) bool, files Files) (*Plan, error) {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	old, err := r.entries()
	if err != nil {
		return nil, err
	}
	next := make(map[string]treeEntry, len(old))
	for p, e := range old {
		if rel, ok := within(dir, p); ok && e.mode.IsFile() && managed(rel) {
			continue
		}
		next[p] = e
	}
	for p, data := range files {
		clean := path.Clean(p)
		if clean != p || p == "." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("new files: %q is not a clean relative path", p)
		}
		h, err := r.storeBlob(data)
		if err != nil {
			return nil, fmt.Errorf("new files: %s: %w", p, err)
		}
		next[path.Join(dir, p)] = treeEntry{mode: filemode.Regular, hash: h}
	}
	// A path cannot be a file and a directory at once (git would take the
	// tree, fsck would not): a file in the way of the new ones stops it.
	for p := range next {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if _, ok := next[d]; ok {
				return nil, &ConflictError{Path: d, File: p}
			}
		}
	}
	plan := &Plan{}
	for p, e := range next {
		o, ok := old[p]
		switch {
		case !ok:
			plan.Added = append(plan.Added, p)
		case o != e:
			plan.Changed = append(plan.Changed, p)
		}
	}
	for p := range old {
		if _, ok := next[p]; !ok {
			plan.Removed = append(plan.Removed, p)
		}
	}
	sort.Strings(plan.Added)
	sort.Strings(plan.Changed)
	sort.Strings(plan.Removed)
	plan.Tree, err = r.storeTree(next)
	return plan, err
}

// ConflictError is returned by Replace when a file of the tree stands
// where the new files need a directory, or the other way round.
type ConflictError struct {
	// Path is the file in the way; File a file that needs Path to be a
	// directory.
	Path, File string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s is a file, but %s needs it to be a directory", e.Path, e.File)
}

// Identity is who a commit is by.
type Identity struct{ Name, Email string }

// CommitOptions is the commit Commit makes.
type CommitOptions struct {
	// Tree is the root tree, from a Plan.
	Tree    plumbing.Hash
	Message string
	// Author is both author and committer.
	Author Identity
	When   time.Time
	// Branch is the local branch pointed at the commit, for Push.
	Branch string
}

// Commit stores a commit of a tree on top of the base commit and points the
// local branch at it.
func (r *Repo) Commit(o CommitOptions) (plumbing.Hash, error) {
	sig := object.Signature{Name: o.Author.Name, Email: o.Author.Email, When: o.When}
	c := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      o.Message,
		TreeHash:     o.Tree,
		ParentHashes: []plumbing.Hash{r.head.Hash},
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store commit: %w", err)
	}
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(o.Branch), h)
	if err := r.repo.Storer.SetReference(ref); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("set %s: %w", o.Branch, err)
	}
	return h, nil
}

// Tip is the commit a remote branch points at.
type Tip struct {
	Commit, Tree plumbing.Hash
	Message      string
	Author       Identity
}

// Subject is the first line of the commit message.
func (t *Tip) Subject() string {
	subject, _, _ := strings.Cut(t.Message, "\n")
	return strings.TrimSpace(subject)
}

// Fetch fetches the tip of a remote branch (depth 1) and describes it; it
// returns nil when the branch does not exist.
func (r *Repo) Fetch(ctx context.Context, branch string) (*Tip, error) {
	remoteRef := plumbing.NewRemoteReferenceName("origin", branch)
	err := r.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + remoteRef.String())},
		Depth:      1,
		Auth:       r.auth,
		Tags:       git.NoTags,
	})
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
	case err != nil && (errors.Is(err, git.NoMatchingRefSpecError{}) || strings.Contains(err.Error(), "couldn't find remote ref")):
		// A branch fetched earlier may be gone since.
		_ = r.repo.Storer.RemoveReference(remoteRef)
		return nil, nil
	case err != nil:
		return nil, explain("fetch "+branch+" from", r.url, err)
	}
	ref, err := r.repo.Reference(remoteRef, true)
	if err != nil {
		return nil, nil
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", branch, err)
	}
	return &Tip{Commit: c.Hash, Tree: c.TreeHash, Message: c.Message, Author: Identity{Name: c.Author.Name, Email: c.Author.Email}}, nil
}

// within reports whether p lies under dir and returns it relative to dir.
func within(dir, p string) (string, bool) {
	if dir == "" {
		return p, true
	}
	if rel, ok := strings.CutPrefix(p, dir+"/"); ok {
		return rel, true
	}
	return "", false
}
