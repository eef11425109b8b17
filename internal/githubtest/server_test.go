package githubtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/githubtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const (
	writer = "ghp_writer"
	reader = "ghp_reader"
	app    = "ghs_installation"
)

type fixture struct {
	srv   *githubtest.Server
	bare  string
	mu    sync.Mutex
	clock time.Time
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}

// setup serves acme/manifests, backed by a bare repository whose branch
// feature is ahead of main and whose branch same is not.
func setup(t *testing.T) *fixture {
	t.Helper()
	g := &gittest.Server{Root: t.TempDir()}
	bare, err := g.CreateRepo("acme/manifests", map[string]string{"a.yaml": "a: 1\n"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"branch", "same", "main"}} {
		if _, err := gittest.Git(bare, args...); err != nil {
			t.Fatal(err)
		}
	}
	tree, _ := gittest.Git(bare, "rev-parse", "main^{tree}")
	c, err := gittest.Git(bare, "commit-tree", strings.TrimSpace(tree), "-p", "main", "-m", "change")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gittest.Git(bare, "update-ref", "refs/heads/feature", strings.TrimSpace(c)); err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: githubtest.NewServer(), bare: bare, clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	t.Cleanup(f.srv.Close)
	f.srv.SetClock(f.now)
	f.srv.AddRepo(githubtest.Repo{Owner: "acme", Name: "manifests", Bare: bare})
	f.srv.AddToken(writer, githubtest.User{Login: "writer"}, githubtest.PersonalAccessToken)
	f.srv.AddToken(reader, githubtest.User{Login: "reader"}, githubtest.PersonalAccessToken)
	f.srv.AddToken(app, githubtest.User{Login: "app[bot]"}, githubtest.Installation)
	f.srv.SetPermission("acme/manifests", "writer", githubtest.Write)
	f.srv.SetPermission("acme/manifests", "reader", githubtest.Read)
	f.srv.SetPermission("acme/manifests", "app[bot]", githubtest.Read)
	f.srv.SetPermission("acme/manifests", "alice", githubtest.Write)
	return f
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, method, path, auth, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("User-Agent", "githubtest-test")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(data)}
}

func TestAnswers(t *testing.T) {
	const pulls = "/repos/acme/manifests/pulls"
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string // the body, or a part of it after "…"
	}{
		{"bad credentials", "GET", pulls, "Bearer nope", "", 401,
			`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`},
		{"token scheme", "GET", pulls, "token " + writer, "", 200, `[]`},
		{"anonymous sees no private repository", "GET", pulls, "", "", 404,
			`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/pulls/pulls#list-pull-requests","status":"404"}`},
		{"unknown repository", "GET", "/repos/acme/nope/pulls", "Bearer " + writer, "", 404, `…"message":"Not Found"`},
		{"unknown route", "GET", "/nope", "Bearer " + writer, "", 404, `…"message":"Not Found"`},
		{"reader may not open", "POST", pulls, "Bearer " + reader, `{"title":"t","head":"feature","base":"main"}`, 403,
			`{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"403"}`},
		{"an app may not open", "POST", pulls, "Bearer " + app, `{"title":"t","head":"feature","base":"main"}`, 403,
			`…"message":"Resource not accessible by integration"`},
		{"open", "POST", pulls, "Bearer " + writer, `{"title":"t","head":"feature","base":"main","draft":true}`, 201, `…"draft":true`},
		{"head missing", "POST", pulls, "Bearer " + writer, `{"title":"t","head":"nope","base":"main"}`, 422,
			`{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"head","code":"invalid"}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`},
		{"no commits", "POST", pulls, "Bearer " + writer, `{"title":"t","head":"same","base":"main"}`, 422,
			`…"errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and same"}]`},
		{"head not supplied", "POST", pulls, "Bearer " + writer, `{"title":"t","base":"main"}`, 422, `…"message":"Invalid request.\n\n\"head\" wasn't supplied."`},
		{"wrong type", "POST", pulls, "Bearer " + writer, `{"title":"t","head":"feature","base":"main","draft":"yes"}`, 422,
			`…"message":"Invalid request.\n\nFor 'properties/draft', \"yes\" is not a boolean."`},
		{"not JSON", "POST", pulls, "Bearer " + writer, `{`, 400, `…"message":"Problems parsing JSON"`},
		{"unmodelled parameter", "GET", pulls + "?milestone=1", "Bearer " + writer, "", 400, `…githubtest does not model the query parameter \"milestone\"`},
		{"unknown pull request", "GET", pulls + "/99", "Bearer " + writer, "", 404, `…"message":"Not Found"`},
	}
	f := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.do(t, tt.method, tt.path, tt.auth, tt.body)
			if a.status != tt.status {
				t.Errorf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if part, ok := strings.CutPrefix(tt.want, "…"); ok && !strings.Contains(a.body, part) || !ok && a.body != tt.want {
				t.Errorf("body:\n%s\nwant\n%s", a.body, tt.want)
			}
			if a.header.Get("X-RateLimit-Limit") == "" && tt.name != "unknown route" {
				t.Errorf("no rate-limit headers: %v", a.header)
			}
		})
	}
}

func TestDuplicatePullRequest(t *testing.T) {
	f := setup(t)
	body := `{"title":"t","head":"feature","base":"main"}`
	if a := f.do(t, "POST", "/repos/acme/manifests/pulls", "Bearer "+writer, body); a.status != 201 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	a := f.do(t, "POST", "/repos/acme/manifests/pulls", "Bearer "+writer, `{"title":"again","head":"acme:feature","base":"main"}`)
	want := `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:feature."}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`
	if a.status != 422 || a.body != want {
		t.Errorf("%d %s", a.status, a.body)
	}
	// The head filter needs the owner; without it GitHub ignores it.
	f.srv.AddPullRequest(githubtest.PullRequest{Repo: "acme/manifests", Title: "other", Head: "other", Base: "main"})
	for q, n := range map[string]int{"head=acme:feature": 1, "head=feature": 2, "head=acme:nope": 0, "base=main&head=acme:other": 1, "state=closed": 0, "state=all": 2} {
		a := f.do(t, "GET", "/repos/acme/manifests/pulls?"+q, "Bearer "+writer, "")
		var list []map[string]any
		if err := json.Unmarshal([]byte(a.body), &list); err != nil || len(list) != n {
			t.Errorf("?%s: %d pull requests, want %d: %s", q, len(list), n, a.body)
		}
	}
}

func TestPaginationLinks(t *testing.T) {
	f := setup(t)
	for i := range 65 {
		f.srv.AddPullRequest(githubtest.PullRequest{Repo: "acme/manifests", Title: strconv.Itoa(i), Head: fmt.Sprint("b", i), Base: "main"})
	}
	base := f.srv.URL() + "/repositories/1/pulls?state=open&page="
	for _, tt := range []struct {
		page  string
		n     int
		link  string
		first string
	}{
		{"1", 30, `<` + base + `2>; rel="next", <` + base + `3>; rel="last"`, "65"},
		{"2", 30, `<` + base + `1>; rel="prev", <` + base + `3>; rel="next", <` + base + `3>; rel="last", <` + base + `1>; rel="first"`, "35"},
		{"3", 5, `<` + base + `2>; rel="prev", <` + base + `1>; rel="first"`, "5"},
	} {
		a := f.do(t, "GET", "/repos/acme/manifests/pulls?state=open&page="+tt.page, "Bearer "+writer, "")
		var list []map[string]any
		if err := json.Unmarshal([]byte(a.body), &list); err != nil || len(list) != tt.n {
			t.Errorf("page %s: %d items, want %d", tt.page, len(list), tt.n)
			continue
		}
		if got := a.header.Get("Link"); got != tt.link {
			t.Errorf("page %s: link\n%s\nwant\n%s", tt.page, got, tt.link)
		}
		if got := fmt.Sprint(list[0]["number"]); got != tt.first {
			t.Errorf("page %s starts at #%s, want #%s (newest first)", tt.page, got, tt.first)
		}
	}
	// The links lead somewhere; a list that fits one page has none.
	if a := f.do(t, "GET", "/repositories/1/pulls?state=open&page=3", "Bearer "+writer, ""); a.status != 200 {
		t.Errorf("following the link: %d", a.status)
	}
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls?per_page=100", "Bearer "+writer, ""); a.header.Get("Link") != "" {
		t.Errorf("one page has a link header: %s", a.header.Get("Link"))
	}
}

func TestRateLimitWindow(t *testing.T) {
	f := setup(t)
	f.srv.SetRateLimit(3)
	reset := strconv.FormatInt(f.now().Add(time.Hour).Unix(), 10)
	for i := 1; i <= 3; i++ {
		a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, "")
		h := a.header
		if a.status != 200 || h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Used") != strconv.Itoa(i) ||
			h.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i) || h.Get("X-RateLimit-Reset") != reset || h.Get("X-RateLimit-Resource") != "core" {
			t.Errorf("request %d: %d %v", i, a.status, h)
		}
	}
	a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, "")
	if a.status != 403 || a.header.Get("X-RateLimit-Remaining") != "0" || !strings.Contains(a.body, `"message":"API rate limit exceeded for user ID 1."`) {
		t.Errorf("past the limit: %d %v %s", a.status, a.header, a.body)
	}
	// Another user has a window of its own; the reset starts a new one.
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+reader, ""); a.status != 200 {
		t.Errorf("another user: %d", a.status)
	}
	f.advance(time.Hour)
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, ""); a.status != 200 || a.header.Get("X-RateLimit-Used") != "1" {
		t.Errorf("after the reset: %d %v", a.status, a.header)
	}
}

func TestRateLimitFaults(t *testing.T) {
	f := setup(t)
	f.srv.Inject(githubtest.Fault{RateLimit: githubtest.Primary, Status: 429, Reset: 30 * time.Second})
	a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, "")
	reset := strconv.FormatInt(f.now().Add(30*time.Second).Unix(), 10)
	if a.status != 429 || a.header.Get("X-RateLimit-Remaining") != "0" || a.header.Get("X-RateLimit-Reset") != reset {
		t.Errorf("primary: %d %v", a.status, a.header)
	}
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, ""); a.status != 403 {
		t.Errorf("the window stays used up until the reset: %d", a.status)
	}
	f.advance(30 * time.Second)
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, ""); a.status != 200 {
		t.Errorf("after the reset: %d %s", a.status, a.body)
	}
	f.srv.Inject(githubtest.Fault{RateLimit: githubtest.Secondary, RetryAfter: "7"})
	a = f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, "")
	if a.status != 403 || a.header.Get("Retry-After") != "7" || !strings.Contains(a.body, "You have exceeded a secondary rate limit") ||
		!strings.Contains(a.body, "#about-secondary-rate-limits") || a.header.Get("X-RateLimit-Remaining") == "0" {
		t.Errorf("secondary: %d %v %s", a.status, a.header, a.body)
	}
	f.srv.FailNext(1, 502)
	if a := f.do(t, "GET", "/repos/acme/manifests/pulls", "Bearer "+writer, ""); a.status != 502 || !strings.Contains(a.body, `"message":"Bad Gateway"`) {
		t.Errorf("5xx: %d %s", a.status, a.body)
	}
}

func TestCommentsLabelsReviewers(t *testing.T) {
	f := setup(t)
	pr := f.srv.AddPullRequest(githubtest.PullRequest{Repo: "acme/manifests", Title: "t", Head: "feature", Base: "main", Author: "writer"})
	path := fmt.Sprintf("/repos/acme/manifests/issues/%d", pr.Number)
	a := f.do(t, "POST", path+"/comments", "Bearer "+writer, `{"body":"hello"}`)
	var c struct{ ID int }
	if err := json.Unmarshal([]byte(a.body), &c); a.status != 201 || err != nil {
		t.Fatalf("comment: %d %s", a.status, a.body)
	}
	if a := f.do(t, "GET", path+"/comments", "Bearer "+reader, ""); a.status != 200 || !strings.Contains(a.body, `"body":"hello"`) {
		t.Errorf("list: %d %s", a.status, a.body)
	}
	del := fmt.Sprintf("/repos/acme/manifests/issues/comments/%d", c.ID)
	if a := f.do(t, "DELETE", del, "Bearer "+writer, ""); a.status != 204 || a.body != "" {
		t.Errorf("delete: %d %q", a.status, a.body)
	}
	if a := f.do(t, "DELETE", del, "Bearer "+writer, ""); a.status != 404 {
		t.Errorf("delete again: %d", a.status)
	}
	if a := f.do(t, "POST", path+"/labels", "Bearer "+writer, `["deploy","prod"]`); a.status != 200 || !strings.Contains(a.body, `"name":"deploy"`) || !strings.Contains(a.body, `"name":"prod"`) {
		t.Errorf("labels: %d %s", a.status, a.body)
	}
	if a := f.do(t, "POST", path+"/labels", "Bearer "+writer, `{"labels":["deploy"]}`); a.status != 200 || strings.Count(a.body, `"name"`) != 2 {
		t.Errorf("labels again: %d %s", a.status, a.body)
	}
	reviews := fmt.Sprintf("/repos/acme/manifests/pulls/%d/requested_reviewers", pr.Number)
	if a := f.do(t, "POST", reviews, "Bearer "+writer, `{"reviewers":["nobody"]}`); a.status != 422 ||
		!strings.Contains(a.body, `"message":"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/manifests repository."`) {
		t.Errorf("not a collaborator: %d %s", a.status, a.body)
	}
	if a := f.do(t, "POST", reviews, "Bearer "+writer, `{"reviewers":["writer"]}`); a.status != 422 || !strings.Contains(a.body, "Review cannot be requested from pull request author.") {
		t.Errorf("the author: %d %s", a.status, a.body)
	}
	if a := f.do(t, "POST", reviews, "Bearer "+writer, `{"reviewers":["alice"]}`); a.status != 201 || !strings.Contains(a.body, `"requested_reviewers":[{"html_url"`) {
		t.Errorf("alice: %d %s", a.status, a.body)
	}
	for login, status := range map[string]int{"alice": 204, "reader": 404, "nobody": 404} {
		if a := f.do(t, "GET", "/repos/acme/manifests/assignees/"+login, "Bearer "+writer, ""); a.status != status {
			t.Errorf("assignee %s: %d, want %d", login, a.status, status)
		}
	}
	if a := f.do(t, "POST", path+"/assignees", "Bearer "+writer, `{"assignees":["alice","reader"]}`); a.status != 201 || strings.Contains(a.body, `"login":"reader"`) || !strings.Contains(a.body, `"login":"alice"`) {
		t.Errorf("assignees: %d %s", a.status, a.body)
	}
	if a := f.do(t, "PATCH", fmt.Sprintf("/repos/acme/manifests/pulls/%d", pr.Number), "Bearer "+writer, `{"state":"closed"}`); a.status != 200 || !strings.Contains(a.body, `"state":"closed"`) {
		t.Errorf("close: %d %s", a.status, a.body)
	}
	if a := f.do(t, "PATCH", fmt.Sprintf("/repos/acme/manifests/pulls/%d", pr.Number), "Bearer "+writer, `{"state":"closed"}`); a.status != 200 {
		t.Errorf("close again: %d %s", a.status, a.body)
	}
}

func TestUserAgentRequired(t *testing.T) {
	f := setup(t)
	req, _ := http.NewRequest("GET", f.srv.URL()+"/repos/acme/manifests/pulls", nil)
	req.Header.Set("Authorization", "Bearer "+writer)
	req.Header.Set("User-Agent", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("status %d", resp.StatusCode)
	}
}
