package gitlabtest_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
)

// statuses lists the status of every request made to path.
func statuses(f fixture, method, path string) []int {
	var out []int
	for _, r := range f.srv.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r.Status)
		}
	}
	return out
}

// noWait keeps client-go's retry decisions but skips its backoff sleeps.
func noWait(min, max time.Duration, attempt int, resp *http.Response) time.Duration { return 0 }

func TestFailNextThenSuccess(t *testing.T) {
	f := setup(t)
	f.srv.FailNext(1, http.StatusServiceUnavailable, "")

	// client-go's default policy retries a 503 by itself, after 0.7–0.9s.
	start := time.Now()
	if _, _, err := f.newClient(t, devToken).Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
	if got := statuses(f, "GET", "/api/v4/user"); !slices.Equal(got, []int{503, 200}) {
		t.Errorf("statuses: %v", got)
	}
	if d := time.Since(start); d < 600*time.Millisecond {
		t.Errorf("retried after %v, want client-go's 700ms–900ms backoff", d)
	}

	// Without retries the caller sees GitLab's 503 body.
	f.srv.FailNext(1, http.StatusServiceUnavailable, "")
	_, resp, err := f.client(t, devToken).Users.CurrentUser()
	var errResp *gitlab.ErrorResponse
	if !errors.As(err, &errResp) || resp.StatusCode != 503 || errResp.Message != "{message: 503 Service Unavailable}" {
		t.Errorf("without retries: %v", err)
	}
}

func TestClientGoRetryPolicy(t *testing.T) {
	f := setup(t)
	pid := f.project.PathWithNamespace

	// Five retries: six attempts, then the last answer comes back as an
	// *ErrorResponse.
	f.srv.FailNext(6, http.StatusBadGateway, "")
	c := f.newClient(t, devToken, gitlab.WithCustomBackoff(noWait))
	_, _, err := c.Projects.GetProject(pid, nil)
	if !gitlab.HasStatusCode(err, 502) {
		t.Errorf("exhausted retries: %v", err)
	}
	if got := statuses(f, "GET", "/api/v4/projects/tsumiki%2Fenvs%2Fmanifests"); len(got) != 6 {
		t.Errorf("attempts: %v", got)
	}

	// POST is retried too, although it is not idempotent.
	t.Run("post", func(t *testing.T) {
		g := setup(t)
		g.srv.FailNext(1, http.StatusServiceUnavailable, "")
		c := g.newClient(t, devToken, gitlab.WithCustomBackoff(noWait))
		if _, _, err := c.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{
			Title: gitlab.Ptr("t"), SourceBranch: gitlab.Ptr("a"), TargetBranch: gitlab.Ptr("main"),
		}); err != nil {
			t.Fatal(err)
		}
		if got := statuses(g, "POST", "/api/v4/projects/tsumiki%2Fenvs%2Fmanifests/merge_requests"); !slices.Equal(got, []int{503, 201}) {
			t.Errorf("statuses: %v", got)
		}
	})

	// 501 Not Implemented is the one 5xx that is not retried.
	t.Run("501", func(t *testing.T) {
		g := setup(t)
		g.srv.FailNext(1, http.StatusNotImplemented, "")
		_, _, err := g.newClient(t, devToken, gitlab.WithCustomBackoff(noWait)).Users.CurrentUser()
		if !gitlab.HasStatusCode(err, 501) || len(statuses(g, "GET", "/api/v4/user")) != 1 {
			t.Errorf("501: %v, %v", err, statuses(g, "GET", "/api/v4/user"))
		}
	})
}

func TestTooManyRequests(t *testing.T) {
	f := setup(t)
	f.srv.FailNext(1, http.StatusTooManyRequests, "7")
	before := time.Now().Unix()
	r := f.do(t, "GET", "/api/v4/user", "", "PRIVATE-TOKEN", devToken)
	r.check(t, 429, "Retry later\n")
	reset, _ := strconv.ParseInt(r.header.Get("RateLimit-Reset"), 10, 64)
	if r.header.Get("Retry-After") != "7" || r.header.Get("Content-Type") != "text/plain" ||
		reset < before+7 || reset > before+8 || r.header.Get("RateLimit-ResetTime") == "" {
		t.Errorf("headers: %v", r.header)
	}
	if f.srv.Requests()[0].Status != 429 {
		t.Errorf("logged: %+v", f.srv.Requests()[0])
	}

	// client-go retries a 429 by itself, waiting for RateLimit-Reset (it
	// does not read Retry-After).
	f.srv.FailNext(1, http.StatusTooManyRequests, "1")
	if _, _, err := f.newClient(t, devToken).Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
	if got := statuses(f, "GET", "/api/v4/user")[1:]; !slices.Equal(got, []int{429, 200}) {
		t.Errorf("client-go statuses: %v", got)
	}
}

// TestInjectedFaults: a fault can target one route and parameters, and can
// strike after the request was handled, so that the change is made but
// the client sees a failure.
func TestInjectedFaults(t *testing.T) {
	f := setup(t)
	mr := f.srv.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: f.project.ID, Title: "t", SourceBranch: "a", TargetBranch: "main"})
	c := f.client(t, devToken)
	pid := f.project.ID
	const route = "PUT /api/v4/projects/{id}/merge_requests/{iid}"
	f.srv.Inject(gitlabtest.Fault{Route: route, Params: map[string]string{"state_event": "close"}, Status: http.StatusBadGateway, AfterHandling: true})

	// Other routes and other parameters pass.
	if _, _, err := c.Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.MergeRequests.UpdateMergeRequest(pid, int64(mr.IID), &gitlab.UpdateMergeRequestOptions{Title: gitlab.Ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	// The close is made, and answered 502.
	_, _, err := c.MergeRequests.UpdateMergeRequest(pid, int64(mr.IID), &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")})
	if !gitlab.HasStatusCode(err, http.StatusBadGateway) {
		t.Fatalf("close: %v, want a 502", err)
	}
	if got := f.srv.MergeRequests(pid)[0]; got.State != "closed" || got.Title != "renamed" {
		t.Errorf("merge request = %+v, want it closed and renamed", got)
	}
	// Used up: the next one is answered.
	if _, _, err := c.MergeRequests.UpdateMergeRequest(pid, int64(mr.IID), &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	want := []int{200, 502, 200}
	if got := statuses(f, "PUT", "/api/v4/projects/1/merge_requests/1"); !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}

	// A fault before handling changes nothing.
	f.srv.Inject(gitlabtest.Fault{Route: "POST /api/v4/projects/{id}/merge_requests/{iid}/notes", Status: http.StatusServiceUnavailable, Times: 2})
	for range 2 {
		if _, _, err := c.Notes.CreateMergeRequestNote(pid, int64(mr.IID), &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hello")}); !gitlab.HasStatusCode(err, 503) {
			t.Errorf("note: %v, want a 503", err)
		}
	}
	for _, n := range f.srv.Notes(pid, mr.IID) {
		if n.Body == "hello" {
			t.Error("a note was stored behind a 503")
		}
	}
}

// TestDroppedConnection: a Drop fault closes the connection without an
// answer, after making the change when AfterHandling is set.
func TestDroppedConnection(t *testing.T) {
	f := setup(t)
	f.srv.Inject(gitlabtest.Fault{Route: "POST /api/v4/projects/{id}/merge_requests", Drop: true, AfterHandling: true})
	_, _, err := f.client(t, devToken).MergeRequests.CreateMergeRequest(f.project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("t"), SourceBranch: gitlab.Ptr("a"), TargetBranch: gitlab.Ptr("main"),
	})
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("err = %v, want the connection's end", err)
	}
	if mrs := f.srv.MergeRequests(f.project.ID); len(mrs) != 1 {
		t.Errorf("%d merge requests, want the one made before the drop", len(mrs))
	}
	if got := statuses(f, "POST", "/api/v4/projects/1/merge_requests"); !slices.Equal(got, []int{0}) {
		t.Errorf("statuses %v", got)
	}
}
