// Package gitsync puts a directory of manifests into a git repository with
// go-git: a shallow clone of one branch, a commit that replaces the managed
// files, and a push. It knows nothing about merge requests.
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
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

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

// Clone fetches the tip of branch from url (depth 1) into a new temporary
// directory under tmp (os.TempDir() if ""). Close removes it.
func Clone(ctx context.Context, url, branch string, auth Auth, tmp string) (*Repo, error) {
	method, cleanup, err := auth.method(url)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tmp, "tsumiki-sync-")
	if err != nil {
		cleanup()
		return nil, err
	}
	r := &Repo{url: url, base: branch, dir: dir, auth: method}
	r.repo, err = git.PlainCloneContext(ctx, filepath.Join(dir, "repo"), true, &git.CloneOptions{
		URL:           url,
		Auth:          method,
		ReferenceName: plumbing.NewBranchReferenceName(branch),
		SingleBranch:  true,
		Depth:         1,
		NoCheckout:    true,
		Tags:          git.NoTags,
	})
	cleanup()
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, plumbing.ErrReferenceNotFound) || strings.Contains(err.Error(), "couldn't find remote ref") {
			return nil, fmt.Errorf("clone %s: %w: %s", url, ErrNoBranch, branch)
		}
		return nil, explain("clone", url, err)
	}
	ref, err := r.repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err == nil {
		r.head, err = r.repo.CommitObject(ref.Hash())
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("clone %s: read %s: %w", url, branch, err)
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
func (r *Repo) Files(dir string, include func(rel string) bool) (fs.FS, error) {
	entries, err := r.entries()
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for p, e := range entries {
		rel, ok := within(dir, p)
		if !ok || !e.mode.IsFile() || (include != nil && !include(rel)) {
			continue
		}
		data, err := r.blob(e.hash)
		if err != nil {
			return nil, err
		}
		out[rel] = &fstest.MapFile{Data: data, Mode: 0o644}
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
// every file of src is written under dir. Nothing else changes. The tree is
// stored in the clone, ready for Commit; nothing leaves the machine.
func (r *Repo) Replace(dir string, managed func(rel string) bool, src fs.FS) (*Plan, error) {
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
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		h, err := r.storeBlob(data)
		if err != nil {
			return err
		}
		next[path.Join(dir, p)] = treeEntry{mode: filemode.Regular, hash: h}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read new files: %w", err)
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

// Identity is who a commit is by.
type Identity struct{ Name, Email string }

// Commit stores a commit of tree on top of the base commit and points the
// local branch at it.
func (r *Repo) Commit(tree plumbing.Hash, message string, who Identity, when time.Time, branch string) (plumbing.Hash, error) {
	sig := object.Signature{Name: who.Name, Email: who.Email, When: when}
	c := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      message,
		TreeHash:     tree,
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
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), h)
	if err := r.repo.Storer.SetReference(ref); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("set %s: %w", branch, err)
	}
	return h, nil
}

// RemoteTree returns the root tree of branch on the remote, and whether the
// branch exists there.
func (r *Repo) RemoteTree(ctx context.Context, branch string) (plumbing.Hash, bool, error) {
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
		return plumbing.ZeroHash, false, nil
	case err != nil:
		return plumbing.ZeroHash, false, explain("fetch "+branch+" from", r.url, err)
	}
	ref, err := r.repo.Reference(remoteRef, true)
	if err != nil {
		return plumbing.ZeroHash, false, nil
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read %s: %w", branch, err)
	}
	return c.TreeHash, true, nil
}

// ErrRejected is returned by Push when the remote refuses the update, for
// instance because the branch moved on.
var ErrRejected = errors.New("push rejected")

// Push sends the local branch to the remote branch of the same name; force
// replaces whatever the remote branch holds. Without force the remote
// branch must still be at the commit the clone started from.
func (r *Repo) Push(ctx context.Context, branch string, force bool) error {
	ref := plumbing.NewBranchReferenceName(branch).String()
	spec := ref + ":" + ref
	if force {
		spec = "+" + spec
	} else if err := r.checkUnmoved(ctx, branch); err != nil {
		return err
	}
	err := r.repo.PushContext(ctx, &git.PushOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec(spec)},
		Auth:       r.auth,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, git.ErrNonFastForwardUpdate) || strings.Contains(err.Error(), "rejected") || strings.Contains(err.Error(), "non-fast-forward"):
		return fmt.Errorf("push %s: %w: %v", branch, ErrRejected, err)
	default:
		return explain("push to", r.url, err)
	}
}

// checkUnmoved fails with ErrRejected when the remote branch exists and is
// no longer at the clone's base commit. go-git cannot judge a fast-forward
// itself from a shallow clone: it lacks the remote's new commit.
func (r *Repo) checkUnmoved(ctx context.Context, branch string) error {
	remote, err := r.repo.Remote("origin")
	if err != nil {
		return err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: r.auth})
	if err != nil {
		return explain("list branches of", r.url, err)
	}
	name := plumbing.NewBranchReferenceName(branch)
	for _, ref := range refs {
		if ref.Name() == name && ref.Hash() != r.head.Hash {
			return fmt.Errorf("push %s: %w: it moved from %s to %s since the clone; run again", branch, ErrRejected, r.head.Hash, ref.Hash())
		}
	}
	return nil
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
