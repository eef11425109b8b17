package gitsync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

const token = "glpat-test-0123456789"

var who = gitsync.Identity{Name: "CI Bot", Email: "ci@example.com"}

// serve starts a git server holding one repository and returns its URL and
// bare directory.
func serve(t *testing.T, files map[string]string, history int) (*gittest.Server, string, string) {
	t.Helper()
	s := &gittest.Server{Root: t.TempDir(), Token: token}
	bare, err := s.CreateRepo("group/manifests", files, history)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs.URL + "/group/manifests.git", bare
}

var base = map[string]string{
	"README.md":                  "# manifests\n",
	"flux-system/gotk-sync.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
	"apps/old.k8s.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n",
	"apps/keep.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n",
	"apps/notes.txt":             "not a manifest\n",
	"other/x.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
}

func managedExcept(kept ...string) func(string) bool {
	return func(rel string) bool {
		for _, k := range kept {
			if rel == k {
				return false
			}
		}
		return manifest.IsManifest(rel)
	}
}

func TestReplaceCommitPush(t *testing.T) {
	ctx := context.Background()
	_, url, bare := serve(t, base, 30)
	r, err := gitsync.Clone(ctx, gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	dist := gitsync.Files{
		"hello.k8s.yaml":      []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"),
		"sub/nested.k8s.yaml": []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nested\n"),
	}
	plan, err := r.Replace("apps", managedExcept("keep.yaml"), dist)
	if err != nil {
		t.Fatal(err)
	}
	want := &gitsync.Plan{Added: []string{"apps/hello.k8s.yaml", "apps/sub/nested.k8s.yaml"}, Removed: []string{"apps/old.k8s.yaml"}, Tree: plan.Tree}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan = %+v, want %+v", plan, want)
	}
	if _, err := r.Commit(gitsync.CommitOptions{Tree: plan.Tree, Message: "Deploy hello\n\nTsumiki-Source: x\n", Author: who, When: time.Unix(1700000000, 0), Branch: "tsumiki/abc123"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/abc123"}); err != nil {
		t.Fatal(err)
	}

	got, err := gittest.Files(bare, "tsumiki/abc123")
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string]string{}
	for k, v := range base {
		wantFiles[k] = v
	}
	wantFiles["HISTORY"] = "29\n"
	delete(wantFiles, "apps/old.k8s.yaml")
	wantFiles["apps/hello.k8s.yaml"] = string(dist["hello.k8s.yaml"])
	wantFiles["apps/sub/nested.k8s.yaml"] = string(dist["sub/nested.k8s.yaml"])
	if !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("pushed branch holds\n%v\nwant\n%v", got, wantFiles)
	}
	// git itself accepts what go-git wrote.
	if _, err := gittest.Git(bare, "fsck", "--no-dangling"); err != nil {
		t.Error(err)
	}
	log, err := gittest.Git(bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", "tsumiki/abc123")
	if err != nil {
		t.Fatal(err)
	}
	if log != "CI Bot <ci@example.com>|CI Bot <ci@example.com>|Deploy hello\n" {
		t.Errorf("commit = %q", log)
	}

	tip, err := r.Fetch(ctx, "tsumiki/abc123")
	if err != nil || tip == nil || tip.Tree != plan.Tree || tip.Subject() != "Deploy hello" || tip.Author != who {
		t.Errorf("Fetch = %+v, %v; want the pushed commit", tip, err)
	}
	if tip, err := r.Fetch(ctx, "tsumiki/none"); err != nil || tip != nil {
		t.Errorf("Fetch of a missing branch = %+v, %v", tip, err)
	}
}

func TestReplaceWithSameFilesIsEmpty(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	r, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Same files in, same tree out: nothing to do.
	old, err := r.Files("apps", nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := r.Replace("apps", manifest.IsManifest, old)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("replacing files with themselves: %+v", plan)
	}
}

func TestNoChangeMeansSameTree(t *testing.T) {
	_, url, bare := serve(t, base, 1)
	r, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan, err := r.Replace("other", manifest.IsManifest, gitsync.Files{"x.yaml": []byte(base["other/x.yaml"])})
	if err != nil {
		t.Fatal(err)
	}
	baseTree, err := gittest.Git(bare, "rev-parse", "main^{tree}")
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() || plan.Tree != plumbing.NewHash(strings.TrimSpace(baseTree)) {
		t.Errorf("plan = %+v, want empty with the base tree %s", plan, baseTree)
	}
}

func TestBadTokenKeepsSecret(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	_, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{Token: "wrong-secret-token"}, TempDir: t.TempDir()})
	if err == nil {
		t.Fatal("clone with a wrong token succeeded")
	}
	if strings.Contains(err.Error(), "wrong-secret-token") {
		t.Errorf("error shows the token: %v", err)
	}
	if !errors.Is(err, gitsync.ErrAuth) || !strings.Contains(err.Error(), "token was not accepted") || !strings.Contains(err.Error(), "(the server said: HTTP Basic: Access denied)") {
		t.Errorf("error does not say the token was refused, and what the server said: %v", err)
	}
}

func TestTokenInURLIsRefused(t *testing.T) {
	_, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: "https://oauth2:secret@gitlab.example.com/g/p.git", Branch: "main", TempDir: t.TempDir()})
	var ae *gitsync.AuthError
	if !errors.Is(err, gitsync.ErrAuth) || !errors.As(err, &ae) || ae.Field != "URL" || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v, want an AuthError for the URL without the secret", err)
	}
}

func TestMissingBranch(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	_, err := gitsync.Clone(context.Background(), gitsync.CloneOptions{URL: url, Branch: "production", Auth: gitsync.Auth{Token: token}, TempDir: t.TempDir()})
	if !errors.Is(err, gitsync.ErrNoBranch) {
		t.Errorf("err = %v, want ErrNoBranch", err)
	}
}

func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gittest.Git(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLocalPathAndRejectedPush(t *testing.T) {
	ctx := context.Background()
	s := &gittest.Server{Root: t.TempDir()}
	bare, err := s.CreateRepo("m", base, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Two clones of the same main, one over each local transport.
	var repos []*gitsync.Repo
	for _, url := range []string{bare, "file://" + filepath.ToSlash(bare)} {
		r, err := gitsync.Clone(ctx, gitsync.CloneOptions{URL: url, Branch: "main", TempDir: t.TempDir()})
		if err != nil {
			t.Fatalf("clone %s: %v", url, err)
		}
		defer r.Close()
		plan, err := r.Replace("", managedExcept(), gitsync.Files{"a.yaml": []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Commit(gitsync.CommitOptions{Tree: plan.Tree, Message: "push mode " + url, Author: who, When: time.Now(), Branch: "main"}); err != nil {
			t.Fatal(err)
		}
		repos = append(repos, r)
	}
	if err := repos[0].Push(ctx, gitsync.PushOptions{Branch: "main", Expect: repos[0].Head()}); err != nil {
		t.Fatalf("push: %v", err)
	}
	// The second started from the old main: its push must not overwrite the first.
	err = repos[1].Push(ctx, gitsync.PushOptions{Branch: "main", Expect: repos[1].Head()})
	var moved *gitsync.MovedError
	if !errors.Is(err, gitsync.ErrRejected) || !errors.As(err, &moved) || moved.Expected != repos[1].Head() || moved.At == repos[1].Head() {
		t.Fatalf("stale push: err = %v, want ErrRejected saying where main moved", err)
	}
	subject, err := gittest.Git(bare, "log", "-1", "--format=%s", "main")
	if err != nil || subject != "push mode "+bare+"\n" {
		t.Errorf("main is at %q (%v), want the first push", subject, err)
	}
	// Branches come and go over the local transports too.
	for i, r := range repos {
		branch := fmt.Sprintf("tsumiki/local%d", i)
		c, err := r.Commit(gitsync.CommitOptions{Tree: plumbing.NewHash(strings.TrimSpace(mustGit(t, bare, "rev-parse", "main^{tree}"))), Message: branch, Author: who, When: time.Now(), Branch: branch})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Push(ctx, gitsync.PushOptions{Branch: branch}); err != nil {
			t.Fatalf("push %s: %v", branch, err)
		}
		if err := r.Delete(ctx, gitsync.DeleteOptions{Branch: branch, Expect: c}); err != nil {
			t.Fatalf("delete %s: %v", branch, err)
		}
	}
	if b, _ := gittest.Branches(bare); len(b) != 1 {
		t.Errorf("branches left: %v", b)
	}
}
