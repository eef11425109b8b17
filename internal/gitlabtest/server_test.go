package gitlabtest_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
)

const (
	devToken      = "glpat-developer"
	reporterToken = "glpat-reporter"
	guestToken    = "glpat-guest"
	outsiderToken = "glpat-outsider"
)

type fixture struct {
	srv      *gitlabtest.Server
	project  gitlabtest.Project
	dev      gitlabtest.User
	reporter gitlabtest.User
	outsider gitlabtest.User
}

// setup starts a server with one project and a user per role.
func setup(t *testing.T) fixture {
	t.Helper()
	srv := gitlabtest.NewServer()
	t.Cleanup(srv.Close)
	f := fixture{srv: srv}
	f.project = srv.AddProject(gitlabtest.Project{PathWithNamespace: "tsumiki/envs/manifests"})
	f.dev = srv.AddToken(devToken, gitlabtest.User{Username: "sync-bot", Name: "Sync Bot"}, gitlabtest.Developer)
	f.reporter = srv.AddToken(reporterToken, gitlabtest.User{Username: "reader"}, gitlabtest.Reporter)
	srv.AddToken(guestToken, gitlabtest.User{Username: "guest"}, gitlabtest.Guest)
	f.outsider = srv.AddToken(outsiderToken, gitlabtest.User{Username: "outsider"}, gitlabtest.NoAccess)
	return f
}

// client returns a client-go client with retries off, so that error tests
// see the first answer at once.
func (f fixture) client(t *testing.T, token string) *gitlab.Client {
	t.Helper()
	return f.newClient(t, token, gitlab.WithoutRetries())
}

// newClient returns a client-go client with client-go's defaults, retries
// included, changed only by opts.
func (f fixture) newClient(t *testing.T, token string, opts ...gitlab.ClientOptionFunc) *gitlab.Client {
	t.Helper()
	c, err := gitlab.NewClient(token, append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(f.srv.URL() + "/api/v4")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a raw request; header is a list of name, value pairs.
func (f fixture) do(t *testing.T, method, path, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (r response) check(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Errorf("got %d %s, want %d %s", r.status, r.body, status, body)
	}
}

func TestAuthentication(t *testing.T) {
	f := setup(t)
	mrs := "/api/v4/projects/tsumiki%2Fenvs%2Fmanifests/merge_requests"
	create := `{"title":"t","source_branch":"a","target_branch":"main"}`
	tests := []struct {
		name               string
		method, path, body string
		header             []string
		wantStatus         int
		wantBody           string
	}{
		{"write without token", "POST", mrs, create, nil,
			401, `{"message":"401 Unauthorized"}`},
		{"write without token is refused before validation", "POST", mrs, `{}`, nil,
			401, `{"message":"401 Unauthorized"}`},
		{"unknown private token", "GET", "/api/v4/projects/1", "", []string{"PRIVATE-TOKEN", "nope"},
			401, `{"message":"401 Unauthorized"}`},
		{"unknown bearer token", "GET", "/api/v4/user", "", []string{"Authorization", "Bearer nope"},
			401, `{"message":"401 Unauthorized"}`},
		{"current user without token", "GET", "/api/v4/user", "", nil,
			401, `{"message":"401 Unauthorized"}`},
		{"notes authenticate on GET", "GET", mrs + "/1/notes", "", nil,
			401, `{"message":"401 Unauthorized"}`},
		{"empty private token is anonymous", "GET", "/api/v4/projects/1", "", []string{"PRIVATE-TOKEN", ""},
			404, `{"message":"404 Project Not Found"}`},
		{"anonymous read of a private project", "GET", mrs, "", nil,
			404, `{"message":"404 Project Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.do(t, tt.method, tt.path, tt.body, tt.header...).check(t, tt.wantStatus, tt.wantBody)
		})
	}

	for _, header := range [][]string{
		{"PRIVATE-TOKEN", devToken},
		{"Authorization", "Bearer " + devToken},
	} {
		if r := f.do(t, "GET", "/api/v4/user", "", header...); r.status != 200 || !strings.Contains(r.body, `"username":"sync-bot"`) {
			t.Errorf("%s: got %d %s", header[0], r.status, r.body)
		}
	}
	for _, param := range []string{"private_token", "access_token"} {
		if r := f.do(t, "GET", "/api/v4/user?"+param+"="+devToken, ""); r.status != 200 {
			t.Errorf("%s: got %d %s", param, r.status, r.body)
		}
	}

	_, resp, err := f.client(t, "nope").Users.CurrentUser()
	var errResp *gitlab.ErrorResponse
	if !errors.As(err, &errResp) || resp.StatusCode != 401 || errResp.Message != "{message: 401 Unauthorized}" {
		t.Errorf("client-go: got %v (%T)", err, err)
	}
}

func TestRoles(t *testing.T) {
	f := setup(t)
	f.srv.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: f.project.ID, Title: "existing", SourceBranch: "a", TargetBranch: "main", AuthorID: f.dev.ID})
	pid := f.project.PathWithNamespace
	create := &gitlab.CreateMergeRequestOptions{
		Title:        gitlab.Ptr("sync"),
		SourceBranch: gitlab.Ptr("b"),
		TargetBranch: gitlab.Ptr("main"),
	}

	_, resp, err := f.client(t, reporterToken).MergeRequests.CreateMergeRequest(pid, create)
	var errResp *gitlab.ErrorResponse
	if !errors.As(err, &errResp) || errResp.Message != "{message: 403 Forbidden}" || resp.StatusCode != 403 {
		t.Errorf("reporter create: got %v", err)
	}
	_, _, err = f.client(t, reporterToken).MergeRequests.UpdateMergeRequest(pid, 1, &gitlab.UpdateMergeRequestOptions{Title: gitlab.Ptr("x")})
	if !gitlab.HasStatusCode(err, 403) {
		t.Errorf("reporter update: got %v", err)
	}
	if mrs, _, err := f.client(t, reporterToken).MergeRequests.ListProjectMergeRequests(pid, nil); err != nil || len(mrs) != 1 {
		t.Errorf("reporter list: %v %d", err, len(mrs))
	}
	mine := &gitlab.ListProjectMergeRequestsOptions{Scope: gitlab.Ptr("created_by_me")}
	if mrs, _, err := f.client(t, reporterToken).MergeRequests.ListProjectMergeRequests(pid, mine); err != nil || len(mrs) != 0 {
		t.Errorf("reporter list, created_by_me: %v %d", err, len(mrs))
	}
	if _, _, err := f.client(t, guestToken).MergeRequests.ListProjectMergeRequests(pid, nil); !gitlab.HasStatusCode(err, 403) {
		t.Errorf("guest list: got %v", err)
	}
	if _, _, err := f.client(t, guestToken).Branches.GetBranch(pid, "main"); !gitlab.HasStatusCode(err, 403) {
		t.Errorf("guest branch: got %v", err)
	}
	f.do(t, "POST", "/api/v4/projects/1/merge_requests", `{"title":"t","source_branch":"b","target_branch":"main"}`,
		"PRIVATE-TOKEN", reporterToken).check(t, 403, `{"message":"403 Forbidden"}`)

	// Without access the project does not exist, until SetAccess grants it.
	if _, _, err := f.client(t, outsiderToken).Projects.GetProject(pid, nil); !errors.Is(err, gitlab.ErrNotFound) {
		t.Errorf("outsider: got %v", err)
	}
	f.srv.SetAccess(f.outsider.ID, f.project.ID, gitlabtest.Developer)
	if _, _, err := f.client(t, outsiderToken).MergeRequests.CreateMergeRequest(pid, create); err != nil {
		t.Errorf("outsider as developer: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	f := setup(t)
	f.srv.SetBranchExists(func(_, branch string) bool { return branch == "main" })
	auth := []string{"PRIVATE-TOKEN", devToken}
	tests := []struct {
		name, method, path string
		wantBody           string
	}{
		{"unknown project ID", "GET", "/api/v4/projects/999", `{"message":"404 Project Not Found"}`},
		{"unknown project path", "GET", "/api/v4/projects/tsumiki%2Fnope", `{"message":"404 Project Not Found"}`},
		{"path without namespace", "GET", "/api/v4/projects/manifests", `{"message":"404 Project Not Found"}`},
		{"unknown merge request", "GET", "/api/v4/projects/1/merge_requests/42", `{"message":"404 Not found"}`},
		{"update unknown merge request", "PUT", "/api/v4/projects/1/merge_requests/42?title=x", `{"message":"404 Not found"}`},
		{"notes of unknown merge request", "GET", "/api/v4/projects/1/merge_requests/42/notes", `{"message":"404 MergeRequest Not Found"}`},
		{"unknown branch", "GET", "/api/v4/projects/1/repository/branches/nope", `{"message":"404 Branch Not Found"}`},
		{"unknown route", "GET", "/api/v4/nothing/here", `{"error":"404 Not Found"}`},
		{"unimplemented method", "DELETE", "/api/v4/projects/1/merge_requests/1", `{"error":"404 Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.do(t, tt.method, tt.path, "", auth...).check(t, 404, tt.wantBody)
		})
	}

	// client-go turns every 404 into the ErrNotFound sentinel, dropping
	// the body.
	_, resp, err := f.client(t, devToken).MergeRequests.GetMergeRequest(1, 42, nil)
	if !errors.Is(err, gitlab.ErrNotFound) || resp.StatusCode != 404 {
		t.Errorf("client-go: got %v", err)
	}
}

func TestProjectAndBranch(t *testing.T) {
	f := setup(t)
	f.srv.SetBranchExists(func(project, branch string) bool {
		return project == "tsumiki/envs/manifests" && (branch == "main" || branch == "sync/prod")
	})
	c := f.client(t, devToken)

	// Project paths match case-insensitively, as on GitLab.
	p, _, err := c.Projects.GetProject("Tsumiki/Envs/Manifests", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != int64(f.project.ID) || p.PathWithNamespace != "tsumiki/envs/manifests" ||
		p.WebURL != f.srv.URL()+"/tsumiki/envs/manifests" || p.DefaultBranch != "main" ||
		p.Permissions.ProjectAccess.AccessLevel != gitlab.DeveloperPermissions ||
		p.Namespace.FullPath != "tsumiki/envs" || p.Namespace.ParentID == 0 || p.Namespace.ParentID == p.Namespace.ID {
		t.Errorf("project: %+v", p)
	}

	b, _, err := c.Branches.GetBranch(f.project.ID, "sync/prod")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "sync/prod" || b.Default || !b.CanPush || b.WebURL != f.project.WebURL+"/-/tree/sync/prod" {
		t.Errorf("branch: %+v", b)
	}
	if _, _, err := c.Branches.GetBranch(f.project.ID, "sync/staging"); !errors.Is(err, gitlab.ErrNotFound) {
		t.Errorf("missing branch: got %v", err)
	}

	u, _, err := c.Users.CurrentUser()
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != int64(f.dev.ID) || u.Username != "sync-bot" || u.Name != "Sync Bot" || u.WebURL != f.srv.URL()+"/sync-bot" {
		t.Errorf("user: %+v", u)
	}
}

func TestRequestsNeverContainToken(t *testing.T) {
	f := setup(t)
	f.do(t, "GET", "/api/v4/user", "", "PRIVATE-TOKEN", devToken)
	f.do(t, "GET", "/api/v4/user", "", "Authorization", "Bearer "+devToken)
	f.do(t, "GET", "/api/v4/projects/1/merge_requests?state=opened&private_token="+devToken, "")
	f.do(t, "GET", "/api/v4/projects/1/merge_requests?access_token="+reporterToken+"&per_page=5", "")
	c := f.client(t, devToken)
	if _, _, err := c.MergeRequests.ListProjectMergeRequests(1, &gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("opened")}); err != nil {
		t.Fatal(err)
	}

	reqs := f.srv.Requests()
	if len(reqs) != 5 {
		t.Fatalf("got %d requests, want 5", len(reqs))
	}
	for _, r := range reqs {
		for _, tok := range []string{devToken, reporterToken} {
			if strings.Contains(r.Method+r.Path+r.Query, tok) {
				t.Errorf("request %+v contains a token", r)
			}
		}
	}
	if reqs[2].Query != "state=opened" || reqs[3].Query != "per_page=5" {
		t.Errorf("queries: %q, %q", reqs[2].Query, reqs[3].Query)
	}
	if reqs[4] != (gitlabtest.Request{Method: "GET", Path: "/api/v4/projects/1/merge_requests", Query: "state=opened", Status: 200}) {
		t.Errorf("client-go request: %+v", reqs[4])
	}
}

func TestStandaloneHandler(t *testing.T) {
	ts := httptest.NewUnstartedServer(nil)
	srv := gitlabtest.New("http://" + ts.Listener.Addr().String())
	ts.Config.Handler = srv.Handler()
	ts.Start()
	defer ts.Close()
	p := srv.AddProject(gitlabtest.Project{PathWithNamespace: "group/project", DefaultBranch: "trunk"})
	srv.AddToken("t", gitlabtest.User{}, gitlabtest.Maintainer)

	c, err := gitlab.NewClient("t", gitlab.WithBaseURL(srv.URL()+"/api/v4"))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Projects.GetProject(p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.WebURL != ts.URL+"/group/project" || got.DefaultBranch != "trunk" {
		t.Errorf("project: %+v", got)
	}
}
