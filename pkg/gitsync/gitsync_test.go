package gitsync_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
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
	r, err := gitsync.Clone(ctx, url, "main", gitsync.Auth{Token: token}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	dist := fstest.MapFS{
		"hello.k8s.yaml":      {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n")},
		"sub/nested.k8s.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nested\n")},
	}
	plan, err := r.Replace("apps", managedExcept("keep.yaml"), dist)
	if err != nil {
		t.Fatal(err)
	}
	want := &gitsync.Plan{Added: []string{"apps/hello.k8s.yaml", "apps/sub/nested.k8s.yaml"}, Removed: []string{"apps/old.k8s.yaml"}, Tree: plan.Tree}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan = %+v, want %+v", plan, want)
	}
	if _, err := r.Commit(plan.Tree, "Deploy hello\n\nTsumiki-Source: x\n", who, time.Unix(1700000000, 0), "tsumiki/abc123"); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, "tsumiki/abc123", true); err != nil {
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
	wantFiles["apps/hello.k8s.yaml"] = string(dist["hello.k8s.yaml"].Data)
	wantFiles["apps/sub/nested.k8s.yaml"] = string(dist["sub/nested.k8s.yaml"].Data)
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

	tree, exists, err := r.RemoteTree(ctx, "tsumiki/abc123")
	if err != nil || !exists || tree != plan.Tree {
		t.Errorf("RemoteTree = %v, %v, %v; want the pushed tree", tree, exists, err)
	}
	if _, exists, err := r.RemoteTree(ctx, "tsumiki/none"); err != nil || exists {
		t.Errorf("RemoteTree of a missing branch = %v, %v", exists, err)
	}
}

func TestReplaceWithSameFilesIsEmpty(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	r, err := gitsync.Clone(context.Background(), url, "main", gitsync.Auth{Token: token}, t.TempDir())
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
	r, err := gitsync.Clone(context.Background(), url, "main", gitsync.Auth{Token: token}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan, err := r.Replace("other", manifest.IsManifest, fstest.MapFS{"x.yaml": {Data: []byte(base["other/x.yaml"])}})
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
	_, err := gitsync.Clone(context.Background(), url, "main", gitsync.Auth{Token: "wrong-secret-token"}, t.TempDir())
	if err == nil {
		t.Fatal("clone with a wrong token succeeded")
	}
	if strings.Contains(err.Error(), "wrong-secret-token") {
		t.Errorf("error shows the token: %v", err)
	}
	if !errors.Is(err, gitsync.ErrAuth) || !strings.Contains(err.Error(), "token was not accepted") {
		t.Errorf("error does not say the token was refused: %v", err)
	}
}

func TestTokenInURLIsRefused(t *testing.T) {
	_, err := gitsync.Clone(context.Background(), "https://oauth2:secret@gitlab.example.com/g/p.git", "main", gitsync.Auth{}, t.TempDir())
	if !errors.Is(err, gitsync.ErrAuth) || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v, want ErrAuth without the secret", err)
	}
}

func TestMissingBranch(t *testing.T) {
	_, url, _ := serve(t, base, 1)
	_, err := gitsync.Clone(context.Background(), url, "production", gitsync.Auth{Token: token}, t.TempDir())
	if !errors.Is(err, gitsync.ErrNoBranch) {
		t.Errorf("err = %v, want ErrNoBranch", err)
	}
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
		r, err := gitsync.Clone(ctx, url, "main", gitsync.Auth{}, t.TempDir())
		if err != nil {
			t.Fatalf("clone %s: %v", url, err)
		}
		defer r.Close()
		plan, err := r.Replace("", managedExcept(), fstest.MapFS{"a.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Commit(plan.Tree, "push mode "+url, who, time.Now(), "main"); err != nil {
			t.Fatal(err)
		}
		repos = append(repos, r)
	}
	if err := repos[0].Push(ctx, "main", false); err != nil {
		t.Fatalf("push: %v", err)
	}
	// The second started from the old main: its push must not overwrite the first.
	if err := repos[1].Push(ctx, "main", false); !errors.Is(err, gitsync.ErrRejected) {
		t.Fatalf("stale push: err = %v, want ErrRejected", err)
	}
	subject, err := gittest.Git(bare, "log", "-1", "--format=%s", "main")
	if err != nil || subject != "push mode "+bare+"\n" {
		t.Errorf("main is at %q (%v), want the first push", subject, err)
	}
}
