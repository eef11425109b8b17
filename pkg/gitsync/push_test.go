package gitsync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

var clones atomic.Int32

// clone clones main of the served repository and commits a change to
// branch, ready to push; every call makes a different commit.
func clone(t *testing.T, url, branch string) (*gitsync.Repo, plumbing.Hash) {
	t.Helper()
	r, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	plan, err := r.Replace("apps", managedExcept(), gitsync.Files{"new.yaml": []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new-" + branch + "\n")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(gitsync.CommitOptions{Tree: plan.Tree, Message: fmt.Sprintf("change %d", clones.Add(1)), Author: who, When: time.Unix(1700000000, 0), Branch: branch})
	if err != nil {
		t.Fatal(err)
	}
	return r, c
}

func revParse(t *testing.T, bare, ref string) plumbing.Hash {
	t.Helper()
	out, err := gittest.Git(bare, "rev-parse", "--verify", "--quiet", ref)
	if err != nil {
		return plumbing.ZeroHash
	}
	return plumbing.NewHash(strings.TrimSpace(out))
}

// TestPushDeclinedShowsTheServersReason: a hook that refuses the push, as
// GitLab's do for a protected branch, is reported with its message, not
// only with "pre-receive hook declined".
func TestPushDeclinedShowsTheServersReason(t *testing.T) {
	_, url, bare := serve(t, base, 1)
	if err := gittest.SetHook(bare, "pre-receive", "echo 'GitLab: You are not allowed to push code to protected branches on this project.' >&2\nexit 1\n"); err != nil {
		t.Fatal(err)
	}
	r, _ := clone(t, url, "main")
	before := revParse(t, bare, "main")
	err := r.Push(context.Background(), gitsync.PushOptions{Branch: "main", Expect: r.Head()})
	var declined *gitsync.DeclinedError
	if !errors.Is(err, gitsync.ErrDeclined) || !errors.As(err, &declined) {
		t.Fatalf("err = %v, want a DeclinedError", err)
	}
	if declined.Status != "pre-receive hook declined" ||
		!slices.Contains(declined.Messages, "GitLab: You are not allowed to push code to protected branches on this project.") {
		t.Errorf("declined = %+v", declined)
	}
	if !strings.Contains(err.Error(), "You are not allowed to push code to protected branches") || strings.Contains(err.Error(), token) {
		t.Errorf("err = %v", err)
	}
	if revParse(t, bare, "main") != before {
		t.Error("main moved")
	}
}

// TestPushLease: a push replaces only what its caller saw; a branch that
// moved, or one that appeared, is left alone and reported.
func TestPushLease(t *testing.T) {
	ctx := context.Background()
	_, url, bare := serve(t, base, 1)
	main := revParse(t, bare, "main")

	// Create-only: the branch must not exist.
	r, first := clone(t, url, "tsumiki/a")
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/a"}); err != nil {
		t.Fatal(err)
	}
	r2, _ := clone(t, url, "tsumiki/a")
	err := r2.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/a"})
	var moved *gitsync.MovedError
	if !errors.As(err, &moved) || !moved.Expected.IsZero() || moved.At != first {
		t.Errorf("push over a branch that exists: %v", err)
	}
	// With the right expectation it replaces the branch…
	if err := r2.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/a", Expect: first}); err != nil {
		t.Fatal(err)
	}
	second := revParse(t, bare, "tsumiki/a")
	// …and with a stale one it does not.
	r3, _ := clone(t, url, "tsumiki/a")
	if err := r3.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/a", Expect: first}); !errors.Is(err, gitsync.ErrRejected) {
		t.Errorf("push with a stale expectation: %v", err)
	}
	if revParse(t, bare, "tsumiki/a") != second || second == first || revParse(t, bare, "main") != main {
		t.Error("a refused push changed the repository")
	}
	// Force replaces whatever is there.
	if err := r3.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/a", Force: true}); err != nil || revParse(t, bare, "tsumiki/a") == second {
		t.Errorf("force push: %v", err)
	}
}

// TestPushAgainAfterLostAnswer: the server applied a push but the answer
// was lost; the retry finds the branch at the commit and succeeds, without
// calling that a moved branch.
func TestPushAgainAfterLostAnswer(t *testing.T) {
	ctx := context.Background()
	s, url, bare := serve(t, base, 1)
	r, c := clone(t, url, "main")
	s.Inject(gittest.Fault{Request: "POST /group/manifests.git/git-receive-pack", Status: http.StatusBadGateway, After: true})
	err := r.Push(ctx, gitsync.PushOptions{Branch: "main", Expect: r.Head()})
	if !gitsync.Temporary(err) {
		t.Fatalf("err = %v, want a temporary failure", err)
	}
	if revParse(t, bare, "main") != c {
		t.Fatal("the fault did not let the push through")
	}
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "main", Expect: r.Head()}); err != nil {
		t.Errorf("the repeated push: %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	s, url, _ := serve(t, base, 1)
	s.Inject(gittest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "7"})
	_, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if !gitsync.Temporary(err) || gitsync.RetryAfter(err) != 7*time.Second {
		t.Errorf("err = %v: temporary %v, retry after %v", err, gitsync.Temporary(err), gitsync.RetryAfter(err))
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"120": 2 * time.Minute, "0": 0, "-3": 0, "soon": 0, "": 0,
		"Fri, 02 Jan 2026 03:04:35 GMT": 30 * time.Second, "Fri, 02 Jan 2026 03:00:00 GMT": 0,
	} {
		if got := gitsync.ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestDeleteWithLease: a branch is deleted only while it is at the commit
// the caller checked.
func TestDeleteWithLease(t *testing.T) {
	ctx := context.Background()
	_, url, bare := serve(t, base, 1)
	r, c := clone(t, url, "tsumiki/old")
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/old"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/old", Expect: r.Head()}); !errors.Is(err, gitsync.ErrRejected) {
		t.Errorf("delete with a stale expectation: %v", err)
	}
	if revParse(t, bare, "tsumiki/old") != c {
		t.Fatal("the branch was deleted")
	}
	if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/old", Expect: c}); err != nil {
		t.Fatal(err)
	}
	if !revParse(t, bare, "tsumiki/old").IsZero() {
		t.Error("the branch is still there")
	}
	// Gone already: nothing to do.
	if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/old", Expect: c}); err != nil {
		t.Errorf("delete of a missing branch: %v", err)
	}
	// A hook that refuses deletions is reported with its message.
	r2, c2 := clone(t, url, "tsumiki/kept")
	if err := r2.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/kept"}); err != nil {
		t.Fatal(err)
	}
	if err := gittest.SetHook(bare, "pre-receive", "echo 'GitLab: You can only delete protected branches using the web interface.' >&2\nexit 1\n"); err != nil {
		t.Fatal(err)
	}
	err := r2.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/kept", Expect: c2})
	if !errors.Is(err, gitsync.ErrDeclined) || !strings.Contains(err.Error(), "You can only delete protected branches") {
		t.Errorf("declined delete: %v", err)
	}
}

// TestDeleteAgainAfterLostAnswer: a deletion the server made, whose answer
// was lost, succeeds when repeated.
func TestDeleteAgainAfterLostAnswer(t *testing.T) {
	ctx := context.Background()
	s, url, bare := serve(t, base, 1)
	r, c := clone(t, url, "tsumiki/gone")
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/gone"}); err != nil {
		t.Fatal(err)
	}
	s.Inject(gittest.Fault{Request: "POST /group/manifests.git/git-receive-pack", Status: http.StatusBadGateway, After: true})
	if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/gone", Expect: c}); !gitsync.Temporary(err) {
		t.Fatalf("err = %v, want a temporary failure", err)
	}
	if !revParse(t, bare, "tsumiki/gone").IsZero() {
		t.Fatal("the fault kept the branch")
	}
	if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: "tsumiki/gone", Expect: c}); err != nil {
		t.Errorf("the repeated delete: %v", err)
	}
}

func TestReplaceRefusesPathsOutsideTheDirectory(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	r, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, p := range []string{"../x.yaml", "/x.yaml", "a//x.yaml", "./x.yaml", "a/../x.yaml"} {
		if _, err := r.Replace("apps", managedExcept(), gitsync.Files{p: []byte("x")}); err == nil {
			t.Errorf("Replace took %q", p)
		}
	}
	// A file where a directory must go.
	var conflict *gitsync.ConflictError
	if _, err := r.Replace("README.md", managedExcept(), gitsync.Files{"x.yaml": []byte("x")}); !errors.As(err, &conflict) || conflict.Path != "README.md" {
		t.Errorf("Replace under a file: %v", err)
	}
	if _, err := r.Replace("apps", managedExcept(), gitsync.Files{"notes.txt/x.yaml": []byte("x")}); !errors.As(err, &conflict) || conflict.Path != "apps/notes.txt" {
		t.Errorf("Replace under a kept file: %v", err)
	}
}
