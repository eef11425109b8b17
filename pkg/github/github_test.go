package github_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/githubtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/github"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// The sync engine's lifecycle on GitHub: the scenarios of pkg/deliver's
// GitLab tests, against githubtest and real git over smart HTTP.

const (
	token    = "ghs_Sync-Test-Installation-Token-7d1a"
	repoName = "platform/manifests"
)

func cm(name, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: demo\ndata:\n  k: " + value + "\n"
}

var repoFiles = map[string]string{
	"README.md":                       "# manifests\n",
	"clusters/prod/app.k8s.yaml":      cm("app", "v1"),
	"clusters/prod/stale.k8s.yaml":    cm("stale", "v"),
	"clusters/staging/app.k8s.yaml":   cm("staging", "v"),
	"clusters/prod/flux-system/x.yml": cm("flux", "v"),
}

var sourceTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is the time of the API server and of the client, which the
// backoff advances instead of sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type world struct {
	git   *gittest.Server
	bare  string
	api   *githubtest.Server
	clock *clock
	cfg   deliver.Config

	mu    sync.Mutex
	waits []time.Duration
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{git: &gittest.Server{Root: t.TempDir(), Token: token, User: "x-access-token"}, clock: &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	var err error
	if w.bare, err = w.git.CreateRepo(repoName, repoFiles, 2); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.git.Handler())
	t.Cleanup(hs.Close)
	w.api = githubtest.NewServer()
	t.Cleanup(w.api.Close)
	w.api.SetClock(w.clock.Now)
	w.api.AddRepo(githubtest.Repo{Owner: "platform", Name: "manifests", Bare: w.bare})
	w.api.AddToken(token, githubtest.User{Login: "tsumiki-app[bot]"}, githubtest.Installation)
	w.api.SetPermission(repoName, "tsumiki-app[bot]", githubtest.Write)
	w.api.SetPermission(repoName, "alice", githubtest.Write)
	w.api.SetPermission(repoName, "reader", githubtest.Read)
	w.cfg = deliver.Config{
		Repo: hs.URL + "/" + repoName + ".git", ForgeURL: "https://github.example.com", Project: repoName,
		Base: "main", Path: "clusters/prod", Mode: deliver.ModeMR, Supersede: true,
		Source: deliver.Source{SHA: "0123456789abcdef0123456789abcdef01234567", Title: "Scale the app",
			ProjectURL: "https://github.example.com/platform/app", URL: "https://github.example.com/platform/app/commit/0123456789abcdef0123456789abcdef01234567",
			Ref: "main", Time: sourceTime},
		Author:  gitsync.Identity{Name: "github-actions[bot]", Email: "41898282+github-actions[bot]@users.noreply.github.com"},
		Auth:    gitsync.Auth{Token: token, Username: "x-access-token"},
		TempDir: t.TempDir(),
		Retry: deliver.Backoff{Delays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}, MaxRetryAfter: time.Minute,
			Sleep: func(ctx context.Context, d time.Duration) error {
				w.mu.Lock()
				w.waits = append(w.waits, d)
				w.mu.Unlock()
				w.clock.advance(d)
				return ctx.Err()
			}},
	}
	w.cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v2"), "new/extra.k8s.yaml": cm("extra", "v")})
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
	return dir
}

// next is the configuration of a later source commit with its own output.
func next(cfg deliver.Config, t *testing.T, n int, value string) deliver.Config {
	sha := strings.Repeat(fmt.Sprint(n%10), 40)
	cfg.Source = deliver.Source{SHA: sha, Title: "Commit " + sha[:8], URL: "https://github.example.com/platform/app/commit/" + sha, Time: sourceTime.Add(time.Duration(n) * time.Hour)}
	cfg.Branch, cfg.Dist = "", writeDist(t, map[string]string{"app.k8s.yaml": cm("app", value)})
	return cfg
}

func (w *world) client(t *testing.T, tok string) *github.Client {
	t.Helper()
	c, err := github.New(github.Options{APIURL: w.api.URL(), Token: tok, Repository: repoName, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) sync(t *testing.T, cfg deliver.Config, wrap ...func(deliver.Forge) deliver.Forge) (*deliver.Result, string, error) {
	t.Helper()
	var forge deliver.Forge = w.client(t, cfg.Auth.Token)
	for _, f := range wrap {
		forge = f(forge)
	}
	var logs bytes.Buffer
	res, err := deliver.Run(context.Background(), cfg, forge, slog.New(slog.NewTextHandler(&logs, nil)))
	all := logs.String()
	if err != nil {
		all += err.Error()
	}
	if strings.Contains(all, cfg.Auth.Token) || strings.Contains(all, token) {
		t.Errorf("a token shows in the log or the error:\n%s", all)
	}
	return res, logs.String(), err
}

func (w *world) waited() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.waits)
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

func (w *world) branches(t *testing.T) []string {
	t.Helper()
	b, err := gittest.Branches(w.bare)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *world) open() []int {
	var out []int
	for _, pr := range w.api.PullRequests(repoName) {
		if pr.State == "open" {
			out = append(out, pr.Number)
		}
	}
	return out
}

func (w *world) pull(t *testing.T, n int) githubtest.PullRequest {
	t.Helper()
	for _, pr := range w.api.PullRequests(repoName) {
		if pr.Number == n {
			return pr
		}
	}
	t.Fatalf("no pull request #%d", n)
	return githubtest.PullRequest{}
}

func (w *world) comments(n int) []string {
	var out []string
	for _, c := range w.api.Comments(repoName, n) {
		out = append(out, c.Body)
	}
	return out
}

func TestFirstSyncOpensAPullRequest(t *testing.T) {
	w := newWorld(t)
	res, logs, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deliver.StatusOpened || !res.Pushed || res.Branch != "tsumiki/01234567" || res.MergeRequest == nil {
		t.Fatalf("result = %+v", res)
	}
	pr := w.pull(t, res.MergeRequest.IID)
	if pr.Title != "Scale the app" || pr.Head != "tsumiki/01234567" || pr.Base != "main" || pr.Draft || pr.Author != "tsumiki-app[bot]" ||
		res.MergeRequest.URL != pr.HTMLURL || !strings.HasSuffix(pr.HTMLURL, "/platform/manifests/pull/1") {
		t.Errorf("pull request = %+v", pr)
	}
	for _, s := range []string{
		"[`01234567`](https://github.example.com/platform/app/commit/0123456789abcdef0123456789abcdef01234567) on `main`: Scale the app.",
		"| changed | clusters/prod | ConfigMap | demo | app |",
		"\n<!-- tsumiki: base=main path=/clusters/prod source=0123456789abcdef0123456789abcdef01234567 time=2026-03-01T12:00:00Z -->\n",
	} {
		if !strings.Contains(pr.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, pr.Body)
		}
	}
	if !strings.Contains(logs, "created pull request") || !strings.Contains(logs, "ref=#1") {
		t.Errorf("the log does not speak of pull requests:\n%s", logs)
	}
	log, err := gittest.Git(w.bare, "log", "-1", "--format=%an <%ae>|%s", "tsumiki/01234567")
	if err != nil {
		t.Fatal(err)
	}
	if log != "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|Scale the app\n" {
		t.Errorf("commit: %s", log)
	}
}

func TestRerunUpdatesAndPushesNothing(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	pushes := w.pushes()
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w.pushes() != pushes || res.Pushed || res.Status != deliver.StatusUpdated || res.MergeRequest.IID != 1 {
		t.Errorf("result = %+v, pushes %d → %d", res, pushes, w.pushes())
	}
	if n := len(w.api.PullRequests(repoName)); n != 1 {
		t.Errorf("%d pull requests", n)
	}
}

func TestNoChangeOpensNothing(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Path = "clusters/staging"
	cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("staging", "v")})
	res, _, err := w.sync(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deliver.StatusNoChanges || res.MergeRequest != nil || !slices.Equal(w.branches(t), []string{"main"}) {
		t.Errorf("result = %+v, branches %v", res, w.branches(t))
	}
	for _, r := range w.api.Requests() {
		if r.Method != "GET" {
			t.Errorf("GitHub was changed: %+v", r)
		}
	}
}

func TestOlderPullRequestsAreSuperseded(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	// Another path's pull request stays open.
	other := w.api.AddPullRequest(githubtest.PullRequest{Repo: repoName, Title: "staging", Head: "x", Base: "main", Body: "<!-- tsumiki: base=main path=/clusters/staging -->"})
	res, _, err := w.sync(t, next(w.cfg, t, 1, "v3"))
	if err != nil {
		t.Fatal(err)
	}
	cur := res.MergeRequest.IID
	if open := w.open(); !slices.Equal(open, []int{other.Number, cur}) {
		t.Errorf("open %v, want #%d and #%d", open, other.Number, cur)
	}
	if len(res.Superseded) != 1 || res.Superseded[0].IID != 1 || !res.Superseded[0].BranchDeleted {
		t.Errorf("superseded = %+v", res.Superseded)
	}
	if c := w.comments(1); len(c) != 1 || !strings.HasPrefix(c[0], fmt.Sprintf("Superseded by #%d (%s), ", cur, res.MergeRequest.URL)) {
		t.Errorf("comments on #1: %q", c)
	}
	if b := w.branches(t); !slices.Equal(b, []string{"main", "tsumiki/11111111"}) {
		t.Errorf("branches %v, want the superseded one deleted", b)
	}
	// A revert: nothing differs from main, so the open one is out of date.
	revert := next(w.cfg, t, 2, "v1")
	revert.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v1"), "stale.k8s.yaml": cm("stale", "v")})
	res, _, err = w.sync(t, revert)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deliver.StatusNoChanges || len(res.Superseded) != 1 || w.pull(t, cur).State != "closed" {
		t.Errorf("after the revert: %+v", res)
	}
}

// hideFirstFind makes the first lookup miss, as when another job opens the
// pull request between the lookup and the create.
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

// TestRaceOnCreateIsAdopted: GitHub's 422 "A pull request already exists"
// on a create makes sync update the one that exists; so does a create
// whose answer was lost.
func TestRaceOnCreateIsAdopted(t *testing.T) {
	w := newWorld(t)
	// The other job's branch and pull request.
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	res, _, err := w.sync(t, w.cfg, func(f deliver.Forge) deliver.Forge { return &hideFirstFind{Forge: f} })
	if err != nil {
		t.Fatal(err)
	}
	if prs := w.api.PullRequests(repoName); len(prs) != 1 || res.MergeRequest.IID != prs[0].Number || res.Status != deliver.StatusUpdated {
		t.Errorf("pull requests %+v, result %+v", prs, res)
	}
	saw422 := false
	for _, r := range w.api.Requests() {
		saw422 = saw422 || r.Method == "POST" && r.Path == "/repos/platform/manifests/pulls" && r.Status == 422
	}
	if !saw422 {
		t.Error("GitHub never answered 422: the test does not exercise the race")
	}

	w2 := newWorld(t)
	w2.api.Inject(githubtest.Fault{Route: "POST /repos/{owner}/{repo}/pulls", Status: 502, AfterHandling: true})
	res, _, err = w2.sync(t, w2.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if prs := w2.api.PullRequests(repoName); len(prs) != 1 || res.MergeRequest.IID != prs[0].Number || res.Status != deliver.StatusUpdated {
		t.Errorf("lost create: pull requests %+v, result %+v", prs, res)
	}
}

func TestLabelsAssigneesReviewersDraft(t *testing.T) {
	w := newWorld(t)
	w.api.AddTeam(repoName, "sre")
	cfg := w.cfg
	cfg.Labels, cfg.Assignees, cfg.Reviewers, cfg.Draft = []string{"tsumiki", "prod"}, []string{"alice"}, []string{"@alice", "platform/sre", "tsumiki-app[bot]"}, true
	res, _, err := w.sync(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pr := w.pull(t, res.MergeRequest.IID)
	if !pr.Draft || pr.Title != "Scale the app" || !slices.Equal(pr.Labels, []string{"tsumiki", "prod"}) || !slices.Equal(pr.Assignees, []string{"alice"}) ||
		!slices.Equal(pr.RequestedReviewers, []string{"alice"}) || !slices.Equal(pr.RequestedTeams, []string{"sre"}) {
		t.Errorf("pull request = %+v", pr)
	}

	// A re-run keeps what people added and asks no one twice: alice
	// reviewed, so she is not requested again.
	w.api.AddReview(repoName, pr.Number, "alice")
	cfg.Labels = []string{"tsumiki"}
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	pr = w.pull(t, pr.Number)
	if !slices.Equal(pr.Labels, []string{"tsumiki", "prod"}) || len(pr.RequestedReviewers) != 0 {
		t.Errorf("after the re-run: labels %v, requested %v", pr.Labels, pr.RequestedReviewers)
	}

	for _, tt := range []struct {
		name string
		cfg  func(*deliver.Config)
		want string
	}{
		{"reviewer not a collaborator", func(c *deliver.Config) { c.Reviewers = []string{"nobody"} }, "Reviews may only be requested from collaborators"},
		{"team of another org", func(c *deliver.Config) { c.Reviewers = []string{"other/sre"} }, "team other/sre is not of platform"},
		{"assignee without access", func(c *deliver.Config) { c.Assignees = []string{"reader"} }, "reader cannot be assigned pull requests in platform/manifests"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			cfg := w.cfg
			tt.cfg(&cfg)
			_, _, err := w.sync(t, cfg)
			if !errors.Is(err, deliver.ErrUnknownUser) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestSquashIsRefused(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Squash = true
	if _, _, err := w.sync(t, cfg); !errors.Is(err, github.ErrSquash) {
		t.Errorf("err = %v", err)
	}
	if n := len(w.api.PullRequests(repoName)); n != 0 {
		t.Errorf("%d pull requests", n)
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
	if res.Status != deliver.StatusPushed || res.Branch != "main" || len(w.api.Requests()) != 0 || !slices.Equal(w.branches(t), []string{"main"}) {
		t.Errorf("result %+v; API requests %v", res, w.api.Requests())
	}
	// git wanted x-access-token as the user: a push as another user fails.
	cfg.Auth.Username = ""
	cfg = next(cfg, t, 1, "v9")
	if _, _, err := w.sync(t, cfg); !errors.Is(err, gitsync.ErrAuth) {
		t.Errorf("a push without x-access-token: %v", err)
	}
}

func TestBadToken(t *testing.T) {
	w := newWorld(t)
	w.git.Token = "ghs_wrong-token-value" // git takes it; the API does not
	cfg := w.cfg
	cfg.Auth.Token = "ghs_wrong-token-value"
	res, _, err := w.sync(t, cfg)
	var api *github.APIError
	if !errors.As(err, &api) || api.Status != 401 || !strings.Contains(err.Error(), "GitHub rejected the token (401)") ||
		strings.Contains(err.Error(), "ghs_wrong-token-value") || deliver.Temporary(err) {
		t.Fatalf("err = %v", err)
	}
	if res.Status != deliver.StatusFailed || !res.Pushed {
		t.Errorf("result %+v", res)
	}

	// A token without the permission to open pull requests.
	w2 := newWorld(t)
	w2.api.SetPermission(repoName, "tsumiki-app[bot]", githubtest.Read)
	_, _, err = w2.sync(t, w2.cfg)
	if !errors.As(err, &api) || api.Status != 403 || !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Errorf("err = %v", err)
	}
	// A repository the token cannot see.
	w3 := newWorld(t)
	w3.api.SetPermission(repoName, "tsumiki-app[bot]", githubtest.None)
	_, _, err = w3.sync(t, w3.cfg)
	if !errors.As(err, &api) || !api.RepositoryNotFound() || !strings.Contains(err.Error(), "platform/manifests does not exist, or the token cannot see it") {
		t.Errorf("err = %v", err)
	}
}

// TestRateLimits: GitHub's primary and secondary rate limits, on 403 and
// 429, are waited out as long as GitHub asks, then the step is retried;
// one that resets later than the backoff will wait fails at once.
func TestRateLimits(t *testing.T) {
	const createPR = "POST /repos/{owner}/{repo}/pulls"
	for _, tt := range []struct {
		name  string
		fault githubtest.Fault
		wait  time.Duration
	}{
		{"primary 403", githubtest.Fault{Route: createPR, RateLimit: githubtest.Primary, Reset: 30 * time.Second}, 31 * time.Second},
		{"primary 429", githubtest.Fault{Route: createPR, RateLimit: githubtest.Primary, Status: 429, Reset: 45 * time.Second}, 46 * time.Second},
		{"secondary with Retry-After", githubtest.Fault{Route: createPR, RateLimit: githubtest.Secondary, RetryAfter: "7"}, 7 * time.Second},
		{"secondary 429 without headers", githubtest.Fault{Route: createPR, RateLimit: githubtest.Secondary, Status: 429}, time.Minute},
		{"5xx with Retry-After", githubtest.Fault{Route: createPR, Status: 503, RetryAfter: "3"}, 3 * time.Second},
		{"5xx", githubtest.Fault{Route: createPR, Status: 502}, 10 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.api.Inject(tt.fault)
			res, _, err := w.sync(t, w.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.waited(); !slices.Equal(got, []time.Duration{tt.wait}) || res.Status != deliver.StatusOpened {
				t.Errorf("waits %v, want [%v]; result %+v", got, tt.wait, res)
			}
		})
	}

	w := newWorld(t)
	w.api.Inject(githubtest.Fault{Route: createPR, RateLimit: githubtest.Primary, Reset: 40 * time.Minute})
	res, _, err := w.sync(t, w.cfg)
	if !deliver.Temporary(err) || !strings.Contains(err.Error(), "rate limit") || len(w.waited()) != 0 || !res.Pushed {
		t.Errorf("a reset 40 minutes away: err %v, waits %v", err, w.waited())
	}
}

// TestDroppedConnectionsAreRetried: a connection closed without an answer,
// before or after GitHub acted, is retried, and nothing is done twice.
func TestDroppedConnectionsAreRetried(t *testing.T) {
	w := newWorld(t)
	w.api.Inject(githubtest.Fault{Route: "POST /repos/{owner}/{repo}/pulls", Drop: true, AfterHandling: true})
	w.api.Inject(githubtest.Fault{Route: "GET /repos/{owner}/{repo}/pulls", Drop: true})
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if prs := w.api.PullRequests(repoName); len(prs) != 1 || res.MergeRequest.IID != prs[0].Number {
		t.Errorf("pull requests %+v, result %+v", prs, res)
	}
}

// TestListOpenReadsEveryPage: the supersede step sees pull requests on
// every page of GitHub's Link-header pagination.
func TestListOpenReadsEveryPage(t *testing.T) {
	w := newWorld(t)
	for i := range 230 {
		w.api.AddPullRequest(githubtest.PullRequest{Repo: repoName, Title: fmt.Sprint(i), Head: fmt.Sprintf("b%d", i), Base: "main"})
	}
	w.api.AddPullRequest(githubtest.PullRequest{Repo: repoName, Title: "other base", Head: "x", Base: "production"})
	prs, err := w.client(t, token).ListOpen(context.Background(), "main")
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 230 {
		t.Errorf("%d pull requests, want 230", len(prs))
	}
	pages := 0
	for _, r := range w.api.Requests() {
		if r.Path == "/repos/platform/manifests/pulls" || strings.HasPrefix(r.Path, "/repositories/") {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d page requests, want 3", pages)
	}
}

func TestAPIURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com":           "https://api.github.com",
		"https://github.com/":          "https://api.github.com",
		"https://ghe.example.com":      "https://ghe.example.com/api/v3",
		"https://ghe.example.com:8443": "https://ghe.example.com:8443/api/v3",
	} {
		if got := github.APIURL(in); got != want {
			t.Errorf("APIURL(%q) = %q, want %q", in, got, want)
		}
	}
	var ce *deliver.ConfigError
	if _, err := github.New(github.Options{APIURL: github.DefaultAPIURL, Repository: "group/sub/project"}); !errors.As(err, &ce) || ce.Field != "Project" {
		t.Errorf("a nested path: %v", err)
	}
}

// TestPersistentFailureThenRerun: GitHub failing every attempt leaves the
// pushed branch and an error that may pass; the re-run opens the pull
// request once.
func TestPersistentFailureThenRerun(t *testing.T) {
	w := newWorld(t)
	w.api.Inject(githubtest.Fault{Route: "GET /repos/{owner}/{repo}/pulls", Status: 502, Times: 4})
	res, _, err := w.sync(t, w.cfg)
	if !deliver.Temporary(err) || !res.Pushed || res.Status != deliver.StatusFailed {
		t.Fatalf("err %v, result %+v", err, res)
	}
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	if n := len(w.api.PullRequests(repoName)); n != 1 {
		t.Errorf("%d pull requests after the re-run", n)
	}
}

// TestRetriedCloseAddsOneComment: the comment and the close of a
// superseded pull request are each done once, however often either is
// retried, and a re-run after the close failed for good adds no second
// comment.
func TestRetriedCloseAddsOneComment(t *testing.T) {
	for _, closeFailures := range []int{2, 4} {
		t.Run(fmt.Sprint(closeFailures), func(t *testing.T) {
			w := newWorld(t)
			if _, _, err := w.sync(t, w.cfg); err != nil {
				t.Fatal(err)
			}
			w.api.Inject(githubtest.Fault{Route: "POST /repos/{owner}/{repo}/issues/{number}/comments", Status: 502, AfterHandling: true})
			w.api.Inject(githubtest.Fault{Route: "PATCH /repos/{owner}/{repo}/pulls/{number}", Status: 502, Times: closeFailures})
			second := next(w.cfg, t, 1, "v3")
			_, _, err := w.sync(t, second)
			if closeFailures == 4 {
				if !deliver.Temporary(err) {
					t.Fatalf("err = %v, want the close's failure", err)
				}
				_, _, err = w.sync(t, second)
			}
			if err != nil {
				t.Fatal(err)
			}
			if c := w.comments(1); len(c) != 1 || w.pull(t, 1).State != "closed" {
				t.Errorf("comments on #1 %q, state %s", c, w.pull(t, 1).State)
			}
		})
	}
}
