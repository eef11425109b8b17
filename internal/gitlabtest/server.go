// Package gitlabtest provides an in-process GitLab REST API v4 server for
// tests, in the spirit of net/http/httptest.
//
// It implements the endpoints that the sync command reaches through
// gitlab.com/gitlab-org/api/client-go: the current user, projects, single
// branches, project merge requests and merge request notes, and the merge of
// a merge request, made in a real repository (SetGit). Status codes,
// error bodies, pagination headers and JSON field names follow GitLab's own
// source (gitlab-org/gitlab, lib/api) and docs.gitlab.com; each handler file
// starts with the facts it relies on. Anything outside that surface answers
// like GitLab's catch-all route, and request parameters the server does not
// model are refused with a 400 naming this package, so that a test never
// passes because a filter was silently ignored.
//
// Every project is private: a user sees a project only through the access
// level granted by AddToken or SetAccess.
package gitlabtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AccessLevel is a GitLab role, with GitLab's numeric values.
type AccessLevel int

// GitLab roles. NoAccess hides a project from the user entirely.
const (
	NoAccess   AccessLevel = 0
	Guest      AccessLevel = 10
	Reporter   AccessLevel = 20
	Developer  AccessLevel = 30
	Maintainer AccessLevel = 40
	Owner      AccessLevel = 50
)

// User is a GitLab user that tokens authenticate as.
type User struct {
	ID       int // assigned by AddToken when zero
	Username string
	Name     string // defaults to Username
	Email    string
}

// Project is a GitLab project.
type Project struct {
	ID                int    // assigned by AddProject when zero
	PathWithNamespace string // for example "group/sub/project"
	DefaultBranch     string // defaults to "main"
	Description       string
	WebURL            string // set by AddProject: <server URL>/<path>
}

// MergeRequest is the server's record of a merge request.
type MergeRequest struct {
	ID           int // global across projects, from 1
	IID          int // per project, from 1
	ProjectID    int
	Title        string
	Description  string
	State        string // "opened", "closed", "merged" or "locked"
	SourceBranch string
	TargetBranch string
	Labels       []string
	Draft        bool // derived from Title on create and update
	Squash       bool
	// RemoveSourceBranch is the remove_source_branch parameter, which
	// GitLab reports as force_remove_source_branch; nil when never given.
	RemoveSourceBranch *bool
	DiscussionLocked   *bool
	AuthorID           int
	AssigneeIDs        []int
	ReviewerIDs        []int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	ClosedAt           time.Time // zero unless closed
	ClosedByID         int
	// MergedAt, MergedByID, MergeCommitSHA and SquashCommitSHA are set by
	// the merge; ShouldRemoveSourceBranch is its should_remove_source_branch
	// parameter, nil when not given. HeadSHA is the source commit merged.
	MergedAt                 time.Time
	MergedByID               int
	MergeCommitSHA           string
	SquashCommitSHA          string
	ShouldRemoveSourceBranch *bool
	HeadSHA                  string
	WebURL                   string
}

// Note is a comment, or a system note, on a merge request.
type Note struct {
	ID        int
	Body      string
	AuthorID  int
	System    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the escaped path as sent, so a project path reads
	// "/api/v4/projects/group%2Fproject".
	Path string
	// Query is the raw query string without the private_token and
	// access_token parameters, so credentials never reach test output.
	Query string
	// Status is the status answered; 0 for a connection a fault dropped.
	Status int
}

// Server is an in-process GitLab REST v4 API. Its methods are safe for
// concurrent use.
type Server struct {
	mu      sync.Mutex
	baseURL string
	ts      *httptest.Server
	handler http.Handler
	mux     *http.ServeMux

	users         map[int]*User
	tokens        map[string]int // token → user ID
	defaultAccess map[int]AccessLevel
	access        map[projectUser]AccessLevel
	projects      []*project
	namespaces    map[string]int // full path → namespace ID
	branchExists  func(projectPath, branch string) bool
	git           Git
	faults        []*Fault

	// logMu guards requests on its own, because entries are recorded while
	// a handler holds mu.
	logMu    sync.Mutex
	requests []Request

	nextUserID, nextProjectID, nextMRID, nextNoteID int
}

type projectUser struct{ projectID, userID int }

// Fault is a failure the server answers with instead of its own answer.
type Fault struct {
	// Route limits the fault to one endpoint, written as the server's
	// route pattern, such as "PUT /api/v4/projects/{id}/merge_requests/{iid}";
	// "" matches every request.
	Route string
	// Params limits the fault further to requests with these parameters
	// (query or body), such as {"state_event": "close"}.
	Params map[string]string
	// Status is the HTTP status answered; RetryAfter, when not empty, is
	// sent as the Retry-After header. See FailNext for the bodies.
	Status     int
	RetryAfter string
	// AfterHandling has the request handled in full first, its change
	// made, and only the answer replaced: a proxy that timed out waiting,
	// or an answer lost on the way back. A retry then meets the change.
	AfterHandling bool
	// Drop closes the connection instead of answering, as a load balancer
	// that gives up does; the client sees the connection end (EOF) and
	// the request is logged with status 0. Status is ignored.
	Drop bool
	// Times is how many matching requests fail; 1 if zero.
	Times int
}

// project is a Project with the records that live inside it.
type project struct {
	Project
	namespaceID int
	createdAt   time.Time
	lastIID     int
	mrs         []*MergeRequest // in IID order
	notes       map[int][]*Note // by merge request IID, in ID order
}

// NewServer starts a Server on a loopback port, like httptest.NewServer.
// Call Close when done.
func NewServer() *Server {
	s := newServer()
	s.ts = httptest.NewServer(s.handler)
	s.baseURL = s.ts.URL
	return s
}

// New returns a Server that does not listen: serve Handler yourself, for
// example from a standalone process. baseURL is where it will be reachable,
// such as "http://127.0.0.1:8080"; GitLab builds web_url fields and Link
// headers from its configured external URL, and so does the Server.
func New(baseURL string) *Server {
	s := newServer()
	s.baseURL = strings.TrimSuffix(baseURL, "/")
	return s
}

func newServer() *Server {
	s := &Server{
		users:         map[int]*User{},
		tokens:        map[string]int{},
		defaultAccess: map[int]AccessLevel{},
		access:        map[projectUser]AccessLevel{},
		namespaces:    map[string]int{},
	}
	s.mux = s.routes()
	s.handler = http.HandlerFunc(s.serve)
	return s
}

// URL returns the base URL, such as "http://127.0.0.1:PORT". The API is
// under URL()+"/api/v4".
func (s *Server) URL() string { return s.baseURL }

// Handler returns the HTTP handler that serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close shuts down the listener started by NewServer. It is a no-op for a
// Server made by New.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// AddProject adds a private project and returns it with ID, DefaultBranch
// and WebURL filled in. It panics if the ID or path is already taken.
func (s *Server) AddProject(p Project) Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.PathWithNamespace == "" || !strings.Contains(p.PathWithNamespace, "/") {
		panic(fmt.Sprintf("gitlabtest: project path %q must include a namespace", p.PathWithNamespace))
	}
	for _, q := range s.projects {
		if q.ID == p.ID || strings.EqualFold(q.PathWithNamespace, p.PathWithNamespace) {
			panic(fmt.Sprintf("gitlabtest: project %d %q already exists", q.ID, q.PathWithNamespace))
		}
	}
	if p.ID == 0 {
		s.nextProjectID++
		for s.projectByID(s.nextProjectID) != nil {
			s.nextProjectID++
		}
		p.ID = s.nextProjectID
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = "main"
	}
	p.WebURL = s.baseURL + "/" + p.PathWithNamespace
	// Register every enclosing group, so nested ones have a parent ID.
	ns := namespacePath(p.PathWithNamespace)
	for i := range ns {
		if i == len(ns)-1 || ns[i+1] == '/' {
			if _, ok := s.namespaces[ns[:i+1]]; !ok {
				s.namespaces[ns[:i+1]] = len(s.namespaces) + 1
			}
		}
	}
	s.projects = append(s.projects, &project{
		Project:     p,
		namespaceID: s.namespaces[ns],
		createdAt:   now(),
		notes:       map[int][]*Note{},
	})
	return p
}

// AddToken registers token for user and grants the user access on every
// project; use SetAccess to differ per project. The token authenticates
// through the PRIVATE-TOKEN header, "Authorization: Bearer", or the
// private_token and access_token query parameters, as on GitLab. A zero
// user ID is assigned; a known ID reuses that user. It returns the user.
func (s *Server) AddToken(token string, user User, access AccessLevel) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token == "" {
		panic("gitlabtest: empty token")
	}
	if u, ok := s.users[user.ID]; ok && user.ID != 0 {
		user = *u
	} else {
		if user.ID == 0 {
			s.nextUserID++
			for s.users[s.nextUserID] != nil {
				s.nextUserID++
			}
			user.ID = s.nextUserID
		}
		if user.Username == "" {
			user.Username = "user" + strconv.Itoa(user.ID)
		}
		if user.Name == "" {
			user.Name = user.Username
		}
		s.users[user.ID] = &user
	}
	s.tokens[token] = user.ID
	s.defaultAccess[user.ID] = access
	return user
}

// SetAccess sets a user's role on one project, overriding the role given
// to AddToken.
func (s *Server) SetAccess(userID, projectID int, access AccessLevel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[projectUser{projectID, userID}] = access
}

// SetBranchExists installs the lookup that decides which branches exist,
// for the branch endpoint and merge request validation. Without one every
// branch exists. The server calls it with its lock held, so it must not
// call back into the Server.
func (s *Server) SetBranchExists(exists func(projectPath, branch string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.branchExists = exists
}

// FailNext makes the next n requests answer status before being handled.
// retryAfter, when not empty, is sent as the Retry-After header. A 429 looks
// like GitLab's throttle (Rack::Attack): a text/plain "Retry later" body
// with RateLimit-Name, and RateLimit-Reset/RateLimit-ResetTime derived from
// a numeric retryAfter. Other statuses carry a JSON {"message": "<code>
// <text>"} body like GitLab's render_api_error!.
func (s *Server) FailNext(n, status int, retryAfter string) {
	s.Inject(Fault{Status: status, RetryAfter: retryAfter, Times: n})
}

// Inject adds a fault. Faults are matched in the order they were added; a
// request takes the first that matches.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.requests)
}

// AddMergeRequest stores a merge request directly, as if created earlier,
// and returns it with its IDs, timestamps and WebURL filled in. A zero IID
// takes the project's next one; State defaults to "opened".
func (s *Server) AddMergeRequest(mr MergeRequest) MergeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectByID(mr.ProjectID)
	if p == nil {
		panic(fmt.Sprintf("gitlabtest: no project %d", mr.ProjectID))
	}
	if mr.IID == 0 {
		mr.IID = p.lastIID + 1
	} else if p.mergeRequest(mr.IID) != nil {
		panic(fmt.Sprintf("gitlabtest: project %d already has merge request !%d", p.ID, mr.IID))
	}
	if mr.State == "" {
		mr.State = "opened"
	}
	if mr.CreatedAt.IsZero() {
		mr.CreatedAt = now()
	}
	if mr.UpdatedAt.IsZero() {
		mr.UpdatedAt = mr.CreatedAt
	}
	mr.Draft = isDraft(mr.Title)
	stored := s.insertMergeRequest(p, mr)
	return copyMergeRequest(stored)
}

// MergeRequests returns a snapshot of a project's merge requests in IID
// order.
func (s *Server) MergeRequests(projectID int) []MergeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectByID(projectID)
	if p == nil {
		return nil
	}
	out := make([]MergeRequest, 0, len(p.mrs))
	for _, mr := range p.mrs {
		out = append(out, copyMergeRequest(mr))
	}
	return out
}

// Notes returns a snapshot of a merge request's notes, oldest first.
func (s *Server) Notes(projectID, iid int) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectByID(projectID)
	if p == nil {
		return nil
	}
	var out []Note
	for _, n := range p.notes[iid] {
		out = append(out, *n)
	}
	return out
}

// serve runs fault injection and request logging around the API routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	entry := Request{
		Method: r.Method,
		Path:   r.URL.EscapedPath(),
		Query:  withoutTokens(r.URL.Query(), r.URL.RawQuery),
	}
	rec := &statusRecorder{ResponseWriter: w, log: func(status int) {
		entry.Status = status
		s.logMu.Lock()
		s.requests = append(s.requests, entry)
		s.logMu.Unlock()
	}}
	f := s.takeFault(r)
	switch {
	case f == nil:
		s.mux.ServeHTTP(rec, r)
	case f.AfterHandling:
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
	}
	switch {
	case f != nil && f.Drop:
		rec.logged = true
		rec.log(0)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	case f != nil:
		writeFailure(rec, f)
	}
	if !rec.logged {
		rec.WriteHeader(http.StatusOK)
	}
}

// takeFault returns the first fault that matches r, counting it down.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	_, route := s.mux.Handler(r)
	var p params
	for i, f := range s.faults {
		if f.Route != "" && f.Route != route {
			continue
		}
		if len(f.Params) > 0 && p == nil {
			p = peekParams(r)
		}
		if !f.matches(p) {
			continue
		}
		if f.Times--; f.Times == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f
	}
	return nil
}

func (f *Fault) matches(p params) bool {
	for k, want := range f.Params {
		got, ok := asString(p[k])
		if !ok || !p.has(k) || got != want {
			return false
		}
	}
	return true
}

// peekParams reads a request's parameters and leaves its body in place
// for the handler.
func peekParams(r *http.Request) params {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return params{}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	peek := r.Clone(r.Context())
	peek.Body = io.NopCloser(bytes.NewReader(body))
	p, err := parseParams(peek)
	if err != nil {
		return params{}
	}
	return p
}

func writeFailure(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status != http.StatusTooManyRequests {
		renderAPIError(w, f.Status, fmt.Sprintf("%d %s", f.Status, http.StatusText(f.Status)))
		return
	}
	// Only the headers that follow from Retry-After are sent: the real
	// RateLimit-Limit would reconfigure client-go's client-side limiter
	// (it reads that header once, from its first response), and a made-up
	// value would slow every test that starts with a 429.
	w.Header().Set("RateLimit-Name", "throttle_authenticated_api")
	if secs, err := strconv.Atoi(f.RetryAfter); err == nil {
		reset := time.Now().Add(time.Duration(secs) * time.Second)
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.Header().Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprint(w, "Retry later\n")
}

// withoutTokens drops credential parameters from a query string, which is
// then re-encoded; any other query string is kept as sent.
func withoutTokens(q url.Values, raw string) string {
	if !q.Has("private_token") && !q.Has("access_token") {
		return raw
	}
	q.Del("private_token")
	q.Del("access_token")
	return q.Encode()
}

// statusRecorder logs a request when its status is written, before any of
// the response reaches the client, so a test that inspects Requests right
// after its call returns always finds the call there.
type statusRecorder struct {
	http.ResponseWriter
	log    func(status int)
	logged bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.logged {
		r.logged = true
		r.log(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.logged {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) projectByID(id int) *project {
	for _, p := range s.projects {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// accessLevel is the user's role on p; an anonymous user has none, since
// every project is private.
func (s *Server) accessLevel(u *User, p *project) AccessLevel {
	if u == nil {
		return NoAccess
	}
	if a, ok := s.access[projectUser{p.ID, u.ID}]; ok {
		return a
	}
	return s.defaultAccess[u.ID]
}

func (s *Server) insertMergeRequest(p *project, mr MergeRequest) *MergeRequest {
	s.nextMRID++
	mr.ID = s.nextMRID
	mr.ProjectID = p.ID
	mr.WebURL = p.WebURL + "/-/merge_requests/" + strconv.Itoa(mr.IID)
	p.lastIID = max(p.lastIID, mr.IID)
	stored := copyMergeRequest(&mr)
	p.mrs = append(p.mrs, &stored)
	slices.SortFunc(p.mrs, func(a, b *MergeRequest) int { return a.IID - b.IID })
	return &stored
}

func (p *project) mergeRequest(iid int) *MergeRequest {
	for _, mr := range p.mrs {
		if mr.IID == iid {
			return mr
		}
	}
	return nil
}

func copyMergeRequest(mr *MergeRequest) MergeRequest {
	c := *mr
	c.Labels = slices.Clone(mr.Labels)
	if mr.ShouldRemoveSourceBranch != nil {
		b := *mr.ShouldRemoveSourceBranch
		c.ShouldRemoveSourceBranch = &b
	}
	c.AssigneeIDs = slices.Clone(mr.AssigneeIDs)
	c.ReviewerIDs = slices.Clone(mr.ReviewerIDs)
	return c
}

func namespacePath(projectPath string) string {
	i := strings.LastIndex(projectPath, "/")
	return projectPath[:i]
}

// now is GitLab's clock as the API shows it: UTC with millisecond
// precision, so stored times equal what the JSON says.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
