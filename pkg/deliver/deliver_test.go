package deliver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

const token = "glpat-Sync-Test-Token-4f9e2c"

func cm(name string, value ...string) string {
	v := "v"
	if len(value) > 0 {
		v = value[0]
	}
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: demo\ndata:\n  k: " + v + "\n"
}

// The manifests repository before a sync: Flux's own files, files Flux and
// GitLab read, a stale manifest, one that will change, one outside the
// managed path, and a file that is not a manifest.
var repoFiles = map[string]string{
	"README.md":      "# manifests\n",
	".gitlab-ci.yml": "stages: [lint]\n",
	"clusters/prod/flux-system/gotk-sync.yaml": cm("flux-sync"),
	"clusters/prod/.sourceignore":              "*.md\n",
	"clusters/prod/app.k8s.yaml":               cm("app", "v1"),
	"clusters/prod/stale.k8s.yaml":             cm("stale"),
	"clusters/prod/notes.txt":                  "hand-written notes\n",
	"clusters/staging/app.k8s.yaml":            cm("staging"),
}

// world is a manifests repository served by git http-backend, a GitLab API
// and a dist/ directory.
type world struct {
	git     *gittest.Server
	bare    string
	api     *gitlabtest.Server
	project gitlabtest.Project
	cfg     deliver.Config

	mu    sync.Mutex
	waits []time.Duration // what the backoff waited, in order
}

// fastBackoff retries three times without sleeping, and records the
// waits it would have made.
func (w *world) fastBackoff() deliver.Backoff {
	return deliver.Backoff{
		Delays:        []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond},
		MaxRetryAfter: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			w.waits = append(w.waits, d)
			w.mu.Unlock()
			return ctx.Err()
		},
	}
}

func (w *world) waited() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.waits)
}

// sourceTime is the time of the source commit of newWorld's config; later
// commits in the tests are later.
var sourceTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOf(t, repoFiles)
}

// newWorldOf is newWorld with a manifests repository holding files.
func newWorldOf(t *testing.T, files map[string]string) *world {
	t.Helper()
	w := &world{git: &gittest.Server{Root: t.TempDir(), Token: token}}
	var err error
	if w.bare, err = w.git.CreateRepo("platform/manifests", files, 3); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.git.Handler())
	t.Cleanup(hs.Close)

	w.api = gitlabtest.NewServer()
	t.Cleanup(w.api.Close)
	w.project = w.api.AddProject(gitlabtest.Project{PathWithNamespace: "platform/manifests"})
	w.api.AddToken(token, gitlabtest.User{Username: "sync-bot"}, gitlabtest.Developer)
	w.api.AddToken("reviewer-token", gitlabtest.User{Username: "alice"}, gitlabtest.Developer)
	w.api.SetBranchExists(func(_, branch string) bool {
		_, err := gittest.Git(w.bare, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
		return err == nil
	})

	w.cfg = deliver.Config{
		Repo:               hs.URL + "/platform/manifests.git",
		ForgeURL:           w.api.URL(),
		Base:               "main",
		Path:               "clusters/prod",
		Mode:               deliver.ModeMR,
		RemoveSourceBranch: true,
		Supersede:          true,
		Source: deliver.Source{
			SHA: "0123456789abcdef0123456789abcdef01234567", ShortSHA: "01234567",
			Title: "Scale the app", ProjectURL: "https://gitlab.example.com/platform/app", Time: sourceTime,
		},
		Author:  gitsync.Identity{Name: "Sync Bot", Email: "sync@example.com"},
		Auth:    gitsync.Auth{Token: token},
		TempDir: t.TempDir(),
		Retry:   w.fastBackoff(),
	}
	w.cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v2"), "new/extra.k8s.yaml": cm("extra")})
	return w
}

func writeDist(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dist")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sync runs one sync with the real GitLab client and returns its result
// and log.
func (w *world) sync(t *testing.T, cfg deliver.Config) (*deliver.Result, string, error) {
	t.Helper()
	return w.syncWith(t, cfg, nil)
}

func (w *world) syncWith(t *testing.T, cfg deliver.Config, wrap func(deliver.Forge) deliver.Forge) (*deliver.Result, string, error) {
	t.Helper()
	client, err := gitlab.New(cfg.ForgeURL, cfg.Auth.Token, "platform/manifests")
	if err != nil {
		t.Fatal(err)
	}
	var forge deliver.Forge = client
	if wrap != nil {
		forge = wrap(forge)
	}
	var logs syncBuffer
	res, err := deliver.Run(context.Background(), cfg, forge, slog.New(slog.NewTextHandler(&logs, nil)))
	if res == nil {
		t.Fatal("Run returned no result")
	}
	all := logs.String()
	if err != nil {
		all += err.Error()
	}
	if strings.Contains(all, token) {
		t.Errorf("the token shows in the log or the error:\n%s", all)
	}
	return res, logs.String(), err
}

// syncBuffer is a bytes.Buffer for concurrent syncs' logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (w *world) files(t *testing.T, ref string) map[string]string {
	t.Helper()
	f, err := gittest.Files(w.bare, ref)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (w *world) branches(t *testing.T) []string {
	t.Helper()
	b, err := gittest.Branches(w.bare)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *world) snapshot(t *testing.T) string {
	t.Helper()
	s, err := gittest.Snapshot(w.bare)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *world) pushes() int {
	n := 0
	for _, r := range w.git.Requests() {
		if strings.HasPrefix(r, "POST ") && strings.Contains(r, "git-receive-pack") {
			n++
		}
	}
	return n
}

func TestFirstSync(t *testing.T) {
	w := newWorld(t)
	w.cfg.Labels = []string{"tsumiki", "prod"}
	w.cfg.Assignees = []string{"alice"}
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deliver.StatusOpened || !res.Pushed || res.Branch != "tsumiki/01234567" {
		t.Errorf("result = %+v", res)
	}

	// The branch holds dist/ in the managed path, and everything else as it was.
	want := map[string]string{}
	for k, v := range repoFiles {
		want[k] = v
	}
	want["HISTORY"] = "2\n"
	delete(want, "clusters/prod/stale.k8s.yaml")
	want["clusters/prod/app.k8s.yaml"] = cm("app", "v2")
	want["clusters/prod/new/extra.k8s.yaml"] = cm("extra")
	if got := w.files(t, "tsumiki/01234567"); !reflect.DeepEqual(got, want) {
		t.Errorf("branch content:\n%v\nwant\n%v", got, want)
	}
	if got := w.files(t, "main")["clusters/prod/stale.k8s.yaml"]; got != cm("stale") {
		t.Error("main changed")
	}
	msg, err := gittest.Git(w.bare, "log", "-1", "--format=%an|%ae|%cn|%B", "tsumiki/01234567")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg, "Sync Bot|sync@example.com|Sync Bot|Scale the app\n") ||
		!strings.Contains(msg, "\nTsumiki-Source: https://gitlab.example.com/platform/app/-/commit/0123456789abcdef0123456789abcdef01234567\n"+
			"Tsumiki-Source-Time: 2026-03-01T12:00:00Z\nTsumiki-Path: /clusters/prod\n") {
		t.Errorf("commit:\n%s", msg)
	}
	if tip, _ := gittest.Git(w.bare, "rev-parse", "tsumiki/01234567"); strings.TrimSpace(tip) != res.Commit {
		t.Errorf("result commit %s, branch at %s", res.Commit, tip)
	}

	mrs := w.api.MergeRequests(w.project.ID)
	if len(mrs) != 1 {
		t.Fatalf("%d merge requests, want 1", len(mrs))
	}
	mr := mrs[0]
	if mr.Title != "Scale the app" || mr.SourceBranch != "tsumiki/01234567" || mr.TargetBranch != "main" ||
		!slices.Equal(mr.Labels, []string{"prod", "tsumiki"}) && !slices.Equal(mr.Labels, []string{"tsumiki", "prod"}) ||
		mr.RemoveSourceBranch == nil || !*mr.RemoveSourceBranch || len(mr.AssigneeIDs) != 1 {
		t.Errorf("merge request = %+v", mr)
	}
	for _, s := range []string{
		"[`01234567`](https://gitlab.example.com/platform/app/-/commit/0123456789abcdef0123456789abcdef01234567)",
		"**1 added, 1 changed, 1 removed**",
		"| added | clusters/prod/new | ConfigMap | demo | extra |",
		"| changed | clusters/prod | ConfigMap | demo | app |",
		"-  k: v1",
		"+  k: v2",
		"\n<!-- tsumiki: base=main path=/clusters/prod source=0123456789abcdef0123456789abcdef01234567 time=2026-03-01T12:00:00Z -->\n",
	} {
		if !strings.Contains(mr.Description, s) {
			t.Errorf("description lacks %q:\n%s", s, mr.Description)
		}
	}
	if res.MergeRequest.IID != mr.IID || res.MergeRequest.URL != mr.WebURL {
		t.Errorf("result names merge request %+v, want !%d %s", res.MergeRequest, mr.IID, mr.WebURL)
	}
	if n := manifest.Count(res.Changes); n[manifest.Added] != 1 || n[manifest.Changed] != 1 || n[manifest.Removed] != 1 {
		t.Errorf("changes = %v", n)
	}
}

func TestSameCommitAgainIsIdempotent(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	pushes, tip := w.pushes(), w.snapshot(t)
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w.pushes() != pushes || w.snapshot(t) != tip {
		t.Error("the second run pushed")
	}
	if head, _ := gittest.Git(w.bare, "rev-parse", "tsumiki/01234567"); res.Pushed || res.Commit != strings.TrimSpace(head) || res.Status != deliver.StatusUpdated {
		t.Errorf("result = %+v, want the branch's commit %s, not pushed, merge request updated", res, head)
	}
	if n := len(w.api.MergeRequests(w.project.ID)); n != 1 {
		t.Errorf("%d merge requests, want 1", n)
	}
}

func TestNoChanges(t *testing.T) {
	w := newWorld(t)
	w.cfg.Path = "clusters/staging"
	w.cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("staging")})
	before := w.snapshot(t)
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	main, _ := gittest.Git(w.bare, "rev-parse", "main")
	if res.Status != deliver.StatusNoChanges || res.MergeRequest != nil || res.Commit != strings.TrimSpace(main) || res.BaseCommit != res.Commit || res.Branch != "" {
		t.Errorf("result = %+v, want no changes at main's commit %s", res, main)
	}
	if w.snapshot(t) != before || !slices.Equal(w.branches(t), []string{"main"}) {
		t.Error("a branch was pushed")
	}
	for _, r := range w.api.Requests() {
		if r.Method != "GET" {
			t.Errorf("GitLab was changed: %v", r)
		}
	}
	if n := len(w.api.MergeRequests(w.project.ID)); n != 0 {
		t.Errorf("%d merge requests", n)
	}
}

// TestRevertClosesTheOutdatedMergeRequest: a commit changes the manifests
// and opens a merge request; the next commit reverts it, so nothing differs
// from main any more. Merging the first merge request now would deploy the
// reverted state, so it is closed.
func TestRevertClosesTheOutdatedMergeRequest(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	revert := w.cfg
	revert.Source = deliver.Source{SHA: "1111111111111111111111111111111111111111", ShortSHA: "11111111", Title: "Revert", Time: sourceTime.Add(time.Hour)}
	revert.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v1"), "stale.k8s.yaml": cm("stale")})
	res, _, err := w.sync(t, revert)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deliver.StatusNoChanges || !slices.Equal(iids(res.Superseded), []int{1}) {
		t.Fatalf("result = %+v", res)
	}
	if mrs := w.api.MergeRequests(w.project.ID); len(mrs) != 1 || mrs[0].State != "closed" {
		t.Errorf("merge requests = %+v", mrs)
	}
	notes := w.api.Notes(w.project.ID, 1)
	found := false
	for _, n := range notes {
		found = found || strings.Contains(n.Body, "main already holds the manifests of 11111111")
	}
	if !found {
		t.Errorf("notes = %+v", notes)
	}
}

func TestExistingMergeRequestIsUpdated(t *testing.T) {
	w := newWorld(t)
	w.api.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: w.project.ID, Title: "old title", Description: "old", SourceBranch: "tsumiki/01234567", TargetBranch: "main", State: "opened"})
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	mrs := w.api.MergeRequests(w.project.ID)
	if len(mrs) != 1 || mrs[0].Title != "Scale the app" || !strings.Contains(mrs[0].Description, "+  k: v2") {
		t.Errorf("merge requests = %+v", mrs)
	}
}

// hideFirstFind makes the first lookup miss, as when another job opens the
// merge request between our lookup and our create.
type hideFirstFind struct {
	deliver.Forge
	hidden bool
}

func (h *hideFirstFind) FindOpen(ctx context.Context, source, target string) (*deliver.MergeRequest, error) {
	if !h.hidden {
		h.hidden = true
		return nil, nil
	}
	return h.Forge.FindOpen(ctx, source, target)
}

func TestConflictOnCreateUpdatesInstead(t *testing.T) {
	w := newWorld(t)
	w.api.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: w.project.ID, Title: "raced", SourceBranch: "tsumiki/01234567", TargetBranch: "main", State: "opened"})
	_, _, err := w.syncWith(t, w.cfg, func(f deliver.Forge) deliver.Forge { return &hideFirstFind{Forge: f} })
	if err != nil {
		t.Fatal(err)
	}
	mrs := w.api.MergeRequests(w.project.ID)
	if len(mrs) != 1 || mrs[0].Title != "Scale the app" {
		t.Errorf("merge requests = %+v", mrs)
	}
	saw409 := false
	for _, r := range w.api.Requests() {
		saw409 = saw409 || r.Status == 409
	}
	if !saw409 {
		t.Error("GitLab never answered 409: the test does not exercise the conflict")
	}
}

func TestOlderMergeRequestIsSuperseded(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	next := w.cfg
	next.Source = deliver.Source{SHA: "fedcba9876543210fedcba9876543210fedcba98", ShortSHA: "fedcba98", Title: "Scale further", Time: sourceTime.Add(time.Hour)}
	next.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	// A merge request of a different path stays open.
	other := w.api.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: w.project.ID, Title: "staging", SourceBranch: "x", TargetBranch: "main", State: "opened",
		Description: "<!-- tsumiki: base=main path=/clusters/staging -->"})
	res, _, err := w.sync(t, next)
	if err != nil {
		t.Fatal(err)
	}
	byIID := map[int]gitlabtest.MergeRequest{}
	for _, mr := range w.api.MergeRequests(w.project.ID) {
		byIID[mr.IID] = mr
	}
	if byIID[1].State != "closed" || byIID[res.MergeRequest.IID].State != "opened" || byIID[other.IID].State != "opened" {
		t.Errorf("states: first %s, new %s, other path %s", byIID[1].State, byIID[res.MergeRequest.IID].State, byIID[other.IID].State)
	}
	if !slices.Equal(iids(res.Superseded), []int{1}) {
		t.Errorf("superseded = %v", res.Superseded)
	}
	found := false
	for _, n := range w.api.Notes(w.project.ID, 1) {
		found = found || strings.Contains(n.Body, "Superseded by !"+strconv.Itoa(res.MergeRequest.IID)) && strings.Contains(n.Body, res.MergeRequest.URL)
	}
	if !found {
		t.Errorf("no note links the new merge request: %+v", w.api.Notes(w.project.ID, 1))
	}
}

func TestBadTokenLeavesRepositoryAsItWas(t *testing.T) {
	w := newWorld(t)
	before := w.snapshot(t)
	cfg := w.cfg
	cfg.Auth.Token = "glpat-wrong-token-value"
	_, _, err := w.sync(t, cfg)
	if err == nil {
		t.Fatal("sync with a bad token succeeded")
	}
	if strings.Contains(err.Error(), "glpat-wrong-token-value") || !errors.Is(err, gitsync.ErrAuth) || !strings.Contains(err.Error(), "token was not accepted") {
		t.Errorf("err = %v", err)
	}
	if w.snapshot(t) != before || len(w.api.Requests()) != 0 {
		t.Error("something changed or GitLab was called")
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	w := newWorld(t)
	w.git.FailNext(1)
	w.api.FailNext(2, 503, "")
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	if n := len(w.api.MergeRequests(w.project.ID)); n != 1 {
		t.Errorf("%d merge requests", n)
	}

	if got := w.waited(); !slices.Equal(got, []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}) {
		t.Errorf("waits = %v, want the backoff's, afresh for each step", got)
	}

	w2 := newWorld(t)
	w2.api.FailNext(1, 429, "1")
	if _, _, err := w2.sync(t, w2.cfg); err != nil {
		t.Fatal(err)
	}
	if got := w2.waited(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Errorf("waits = %v, want the 1s Retry-After asked", got)
	}

	// A server that asks for longer than the backoff waits is not retried
	// early: the step fails at once, as a failure that may pass.
	w3 := newWorld(t)
	w3.api.FailNext(1, 429, "3600")
	if _, _, err := w3.sync(t, w3.cfg); !deliver.Temporary(err) || len(w3.waited()) != 0 {
		t.Errorf("err = %v, waits %v; want a failure at once", err, w3.waited())
	}
}

func TestPersistentFailureIsReportedAndRerunCompletes(t *testing.T) {
	w := newWorld(t)
	// Every attempt of the first call fails: one try and three retries.
	w.api.FailNext(4, 502, "")
	res, _, err := w.sync(t, w.cfg)
	if err == nil || !deliver.Temporary(err) || res.Status != deliver.StatusFailed || !res.Pushed {
		t.Fatalf("err = %v, result %+v; want a failure that may pass, after the push", err, res)
	}
	if !slices.Contains(w.branches(t), "tsumiki/01234567") {
		t.Fatal("the branch was not pushed before the API failed")
	}
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	if n := len(w.api.MergeRequests(w.project.ID)); n != 1 {
		t.Errorf("%d merge requests after the re-run", n)
	}
}

func TestPushMode(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Mode = deliver.ModePush
	res, _, err := w.sync(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if main, _ := gittest.Git(w.bare, "rev-parse", "main"); res.Status != deliver.StatusPushed || !res.Pushed || res.Branch != "main" || res.Commit != strings.TrimSpace(main) {
		t.Errorf("result = %+v", res)
	}
	if got := w.files(t, "main")["clusters/prod/app.k8s.yaml"]; got != cm("app", "v2") {
		t.Errorf("main holds %q", got)
	}
	if !slices.Equal(w.branches(t), []string{"main"}) || len(w.api.Requests()) != 0 {
		t.Error("push mode made a branch or called GitLab")
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.DryRun = true
	before := w.snapshot(t)
	res, _, err := w.sync(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, c := range res.Changes {
		changes = append(changes, string(c.Action)+" "+c.String())
	}
	if want := []string{"changed ConfigMap demo/app in clusters/prod/", "removed ConfigMap demo/stale in clusters/prod/", "added ConfigMap demo/extra in clusters/prod/new/"}; !slices.Equal(changes, want) {
		t.Errorf("changes = %q, want %q", changes, want)
	}
	if res.Status != deliver.StatusDryRun || !slices.Equal(res.Files.Removed, []string{"clusters/prod/stale.k8s.yaml"}) || res.Pushed || res.Commit != "" {
		t.Errorf("result = %+v, files %+v", res, res.Files)
	}
	if w.snapshot(t) != before || w.pushes() != 0 || len(w.api.Requests()) != 0 {
		t.Error("a dry run wrote something")
	}
}

func TestInvalidDistIsRefusedBeforeCloning(t *testing.T) {
	tests := map[string]map[string]string{
		"empty":              {},
		"only comments":      {"a.yaml": "# nothing\n"},
		"not kubernetes":     {"values.yaml": "replicas: 3\n"},
		"not a manifest":     {"a.yaml": cm("a"), "notes.txt": "x"},
		"broken yaml":        {"a.yaml": "apiVersion: v1\nkind: [\n"},
		"duplicate object":   {"a.yaml": cm("a"), "b.yaml": cm("a")},
		"writes a kept file": {"flux-system/x.yaml": cm("x")},
	}
	for name, files := range tests {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			cfg := w.cfg
			cfg.Dist = writeDist(t, files)
			_, _, err := w.sync(t, cfg)
			if !errors.Is(err, deliver.ErrRefused) {
				t.Fatalf("err = %v, want ErrRefused", err)
			}
			if len(w.git.Requests()) != 0 {
				t.Error("the repository was contacted")
			}
		})
	}
	w := newWorld(t)
	cfg := w.cfg
	cfg.Dist = filepath.Join(t.TempDir(), "missing")
	if _, _, err := w.sync(t, cfg); !errors.Is(err, deliver.ErrRefused) || !strings.Contains(err.Error(), cfg.Dist) {
		t.Errorf("missing dist: err = %v", err)
	}
}

func TestMassDeleteNeedsConsent(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Path = ""
	cfg.Keep = []string{"clusters/*/flux-system/**"}
	// The root holds app, stale and staging; keeping only one removes two of three.
	cfg.Dist = writeDist(t, map[string]string{"clusters/prod/app.k8s.yaml": cm("app", "v1")})
	res, _, err := w.sync(t, cfg)
	var mass *deliver.MassDeleteError
	if !errors.Is(err, deliver.ErrRefused) || !errors.As(err, &mass) || mass.Removed != 2 || mass.Before != 3 || res.Status != deliver.StatusRefused {
		t.Fatalf("err = %v, want a mass-delete refusal of 2 of 3 objects", err)
	}
	cfg.AllowMassDelete = true
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	got := w.files(t, "tsumiki/01234567")
	if _, ok := got["clusters/staging/app.k8s.yaml"]; ok {
		t.Error("the stale staging manifest survived")
	}
	if _, ok := got["clusters/prod/flux-system/gotk-sync.yaml"]; !ok {
		t.Error("a --keep file was removed")
	}
	if _, ok := got[".gitlab-ci.yml"]; !ok {
		t.Error(".gitlab-ci.yml was removed")
	}
}

// TestBootstrapFilesAreKeptAnywhere syncs the repository root, where
// flux bootstrap wrote clusters/prod/flux-system/: nothing needs a --keep
// for it.
func TestBootstrapFilesAreKeptAnywhere(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Path, cfg.Keep = "", nil
	cfg.Dist = writeDist(t, map[string]string{
		"clusters/prod/app.k8s.yaml":    cm("app", "v2"),
		"clusters/prod/stale.k8s.yaml":  cm("stale"),
		"clusters/staging/app.k8s.yaml": cm("staging"),
	})
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	got := w.files(t, "tsumiki/01234567")
	if got["clusters/prod/flux-system/gotk-sync.yaml"] != cm("flux-sync") {
		t.Errorf("bootstrap's gotk-sync.yaml under clusters/prod was not kept: %v", got)
	}
}

func TestMergeRequestOptions(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Draft, cfg.Squash, cfg.RemoveSourceBranch = true, true, false
	cfg.Reviewers = []string{"alice"}
	cfg.Title = "Roll out v2"
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	mrs := w.api.MergeRequests(w.project.ID)
	if len(mrs) != 1 {
		t.Fatalf("%d merge requests", len(mrs))
	}
	mr := mrs[0]
	if mr.Title != "Draft: Roll out v2" || !mr.Draft || !mr.Squash || mr.RemoveSourceBranch == nil || *mr.RemoveSourceBranch || len(mr.ReviewerIDs) != 1 {
		t.Errorf("merge request = %+v", mr)
	}

	// An unknown reviewer is an error that names the flag, not a crash.
	cfg.Branch, cfg.Reviewers = "tsumiki/other", []string{"nobody"}
	cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v9")})
	if _, _, err := w.sync(t, cfg); !errors.Is(err, deliver.ErrUnknownUser) || !strings.Contains(err.Error(), `no GitLab user named "nobody"`) {
		t.Errorf("err = %v", err)
	}
}

// TestProtectsWhatIsNotOutput: files the output never had — a SOPS
// configuration, a renovate.json — are kept or the sync is refused, and an
// environment's folder is not emptied by a synth of another environment.
func TestProtectsWhatIsNotOutput(t *testing.T) {
	w := newWorld(t)
	extra := map[string]string{}
	for k, v := range repoFiles {
		extra[k] = v
	}
	extra[".sops.yaml"] = "creation_rules:\n  - path_regex: .*\n"
	extra["clusters/prod/renovate.json"] = `{"extends": ["config:base"]}`
	bare, err := w.git.CreateRepo("platform/extra", extra, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.cfg
	cfg.Repo = strings.Replace(cfg.Repo, "platform/manifests.git", "platform/extra.git", 1)
	cfg.Mode = deliver.ModePush

	_, _, err = w.sync(t, cfg)
	var foreign *deliver.ForeignFilesError
	if !errors.As(err, &foreign) || !slices.Equal(foreign.Files, []string{"clusters/prod/renovate.json"}) || !strings.Contains(err.Error(), "clusters/prod/renovate.json") {
		t.Fatalf("err = %v, want a refusal naming renovate.json", err)
	}
	cfg.Keep = []string{"renovate.json"}
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	files, err := gittest.Files(bare, "main")
	if err != nil {
		t.Fatal(err)
	}
	if files[".sops.yaml"] == "" || files["clusters/prod/renovate.json"] == "" {
		t.Errorf("a kept file is gone: %v", files)
	}

	// At the root, dist/ holding only prod's folder would empty staging's.
	var mass *deliver.MassDeleteError
	cfg.Path, cfg.Keep = "", []string{"**/renovate.json", "clusters/*/flux-system/**"}
	cfg.Dist = writeDist(t, map[string]string{
		"clusters/prod/app.k8s.yaml": cm("app", "v2"), "clusters/prod/new/extra.k8s.yaml": cm("extra"),
	})
	_, _, err = w.sync(t, cfg)
	if !errors.Is(err, deliver.ErrRefused) || !errors.As(err, &mass) || mass.Folder != "clusters/staging" || !strings.Contains(err.Error(), "every object under clusters/staging/") {
		t.Errorf("err = %v, want a refusal to empty a folder", err)
	}
}

func iids(s []deliver.Superseded) []int {
	var out []int
	for _, m := range s {
		out = append(out, m.IID)
	}
	return out
}

func TestUpdateKeepsLabelsReviewersAdded(t *testing.T) {
	w := newWorld(t)
	w.api.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: w.project.ID, Title: "old", SourceBranch: "tsumiki/01234567", TargetBranch: "main", State: "opened", Labels: []string{"needs-review"}})
	cfg := w.cfg
	cfg.Labels = []string{"tsumiki"}
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	mrs := w.api.MergeRequests(w.project.ID)
	if len(mrs) != 1 || !slices.Contains(mrs[0].Labels, "needs-review") || !slices.Contains(mrs[0].Labels, "tsumiki") {
		t.Errorf("labels = %v, want needs-review kept and tsumiki added", mrs[0].Labels)
	}
}
