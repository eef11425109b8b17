// Package githubtest provides an in-process GitHub REST API server for
// tests, in the spirit of net/http/httptest.
//
// It implements the endpoints sync reaches through
// github.com/google/go-github: pull requests (list, get, create, update),
// review requests, issue comments, labels and assignees of a pull request,
// and the assignee check. Status codes, error bodies, Link-header
// pagination and rate-limit headers follow docs.github.com (REST
// reference: pulls, review requests, issues, comments, labels, assignees;
// "Using pagination in the REST API"; "Rate limits for the REST API";
// "Troubleshooting the REST API"); each handler file starts with the facts
// it relies on. A repository can be backed by a bare git repository (see
// internal/gittest), so that branches and commits are real: a pull request
// needs its head branch to exist and to hold commits the base does not.
//
// Parameters the server does not model are refused with a 400 naming this
// package, so that a test never passes because a filter was silently
// ignored; where GitHub itself silently ignores a malformed filter (a head
// without its owner), so does the server.
package githubtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// Permission is a role on a repository, with GitHub's names.
type Permission int

// GitHub's repository roles, in increasing order; None hides a private
// repository.
const (
	None Permission = iota
	Read
	Triage
	Write
	Maintain
	Admin
)

// TokenKind is what issued a token; it decides how GitHub words a refusal.
type TokenKind int

const (
	// PersonalAccessToken is a fine-grained or classic personal access token.
	PersonalAccessToken TokenKind = iota
	// Installation is a GitHub App installation token, as
	// actions/create-github-app-token mints; its user is the app's bot.
	Installation
)

// User is a GitHub account that tokens authenticate as.
type User struct {
	ID    int    // assigned by AddToken or AddUser when zero
	Login string // such as "octocat" or "tsumiki-app[bot]"
	// Type is "User" or "Bot"; "Bot" for an Installation token's user
	// when empty.
	Type string
}

// Repo is a repository on the server.
type Repo struct {
	ID    int // assigned by AddRepo when zero
	Owner string
	Name  string
	// Bare, when set, is the bare git repository that holds the branches:
	// a pull request's head must exist there and be ahead of its base.
	// Without one every branch exists, and holds commits.
	Bare string
	// DefaultBranch is "main" when empty.
	DefaultBranch string
}

// FullName is owner/name.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// PullRequest is the server's record of a pull request.
type PullRequest struct {
	ID     int // global, from 1
	Number int // per repository, shared with issues, from 1
	Repo   string
	Title  string
	Body   string
	State  string // "open" or "closed"
	Draft  bool
	Head   string // branch name
	Base   string
	// HeadSHA is the head branch's commit when the pull request was
	// opened or last updated, from Bare; "" without one.
	HeadSHA            string
	Labels             []string
	Assignees          []string // logins
	RequestedReviewers []string // logins
	RequestedTeams     []string // team slugs
	// Reviewers are the users who submitted a review, in order; a review
	// takes the user off RequestedReviewers.
	Reviewers           []string
	MaintainerCanModify bool
	Author              string // login
	CreatedAt           time.Time
	UpdatedAt           time.Time
	ClosedAt            time.Time // zero unless closed
	HTMLURL             string
}

// Comment is an issue comment on a pull request.
type Comment struct {
	ID        int
	Number    int // the pull request's
	Body      string
	Author    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // as sent, escaped
	Query  string
	// Status is the status answered; 0 for a connection a fault dropped.
	Status int
}

// RateLimit is which of GitHub's rate limits a fault plays.
type RateLimit int

const (
	// NoRateLimit is a plain failure with Fault.Status.
	NoRateLimit RateLimit = iota
	// Primary is the hourly limit: x-ratelimit-remaining 0, and
	// x-ratelimit-reset at Fault.Reset from now.
	Primary
	// Secondary is the limit on bursts: GitHub's secondary-rate-limit
	// message, with Retry-After when Fault.RetryAfter is set.
	Secondary
)

// Fault is a failure the server answers with instead of its own answer.
type Fault struct {
	// Route limits the fault to one endpoint, written as the server's
	// route pattern, such as "POST /repos/{owner}/{repo}/pulls"; ""
	// matches every request.
	Route string
	// Status is the HTTP status answered: 503 when zero, 403 for a rate
	// limit (GitHub answers 403 or 429 to those).
	Status int
	// RateLimit makes the answer one of GitHub's rate-limit refusals.
	RateLimit RateLimit
	// Reset is how long after now a Primary limit resets; an hour if zero.
	Reset time.Duration
	// RetryAfter, when not empty, is sent as the Retry-After header.
	RetryAfter string
	// AfterHandling has the request handled in full first, its change
	// made, and only the answer replaced.
	AfterHandling bool
	// Drop closes the connection instead of answering; Status is ignored.
	Drop bool
	// Times is how many matching requests fail; 1 if zero.
	Times int
}

// Server is an in-process GitHub REST API. Its methods are safe for
// concurrent use.
type Server struct {
	mu      sync.Mutex
	baseURL string // the API's URL
	webURL  string // html_url base
	ts      *httptest.Server
	mux     *http.ServeMux
	now     func() time.Time

	users  map[string]*User // by login
	tokens map[string]*token
	repos  []*repo
	faults []*Fault
	// windows are the primary rate-limit windows by bucket: a user's
	// login, or "" for unauthenticated requests.
	windows map[string]*window
	// DefaultLimit is the hourly request limit of a user's window.
	limit int

	logMu    sync.Mutex
	requests []Request

	nextUserID, nextRepoID, nextPRID, nextCommentID, nextLabelID int
}

type token struct {
	user *User
	kind TokenKind
}

type window struct {
	limit, used int
	reset       time.Time
}

// repo is a Repo with what lives inside it.
type repo struct {
	Repo
	perms    map[string]Permission // by login
	teams    map[string][]string   // slug → member logins
	lastNum  int
	pulls    []*PullRequest
	comments []*Comment
	labels   map[string]int // name → label ID
}

// NewServer starts a Server on a loopback port, like httptest.NewServer.
// The API is at URL(); web links (html_url) point at the same host. Call
// Close when done.
func NewServer() *Server {
	s := newServer()
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.baseURL, s.webURL = s.ts.URL, s.ts.URL
	return s
}

func newServer() *Server {
	s := &Server{
		users:   map[string]*User{},
		tokens:  map[string]*token{},
		windows: map[string]*window{},
		limit:   5000,
		now:     time.Now,
	}
	s.mux = s.routes()
	return s
}

// URL is the API's base URL, such as "http://127.0.0.1:PORT", as
// GITHUB_API_URL names it.
func (s *Server) URL() string { return s.baseURL }

// Close shuts the server down.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// SetWebURL sets the web address that html_url fields point at, as
// GITHUB_SERVER_URL names it (github.com's is https://github.com while its
// API is at https://api.github.com); the API's own URL by default. Pull
// requests stored before keep their URL.
func (s *Server) SetWebURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webURL = strings.TrimSuffix(u, "/")
}

// SetClock replaces the server's clock, which stamps records and runs the
// rate-limit windows; a test that advances it lets a rate limit reset
// without waiting.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetRateLimit sets the hourly limit of every user's window (5,000 by
// default, GitHub's for a personal access token) and starts every window
// afresh.
func (s *Server) SetRateLimit(limit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = limit
	s.windows = map[string]*window{}
}

// AddUser adds an account without a token, such as a reviewer.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addUser(u)
}

func (s *Server) addUser(u User) *User {
	if have, ok := s.users[u.Login]; ok {
		return have
	}
	if u.Login == "" {
		panic("githubtest: a user needs a login")
	}
	if u.ID == 0 {
		s.nextUserID++
		u.ID = s.nextUserID
	}
	if u.Type == "" {
		u.Type = "User"
	}
	s.users[u.Login] = &u
	return &u
}

// AddToken registers a token for a user, adding the user if new. The
// token authenticates as "Authorization: Bearer <token>" or "Authorization:
// token <token>", as on GitHub.
func (s *Server) AddToken(tok string, u User, kind TokenKind) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok == "" {
		panic("githubtest: empty token")
	}
	if kind == Installation && u.Type == "" {
		u.Type = "Bot"
	}
	user := s.addUser(u)
	s.tokens[tok] = &token{user: user, kind: kind}
	return *user
}

// AddRepo adds a private repository and returns it with its ID filled in.
func (s *Server) AddRepo(r Repo) Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Owner == "" || r.Name == "" {
		panic("githubtest: a repository needs an owner and a name")
	}
	if s.repo(r.Owner, r.Name) != nil {
		panic("githubtest: repository " + r.FullName() + " exists")
	}
	if r.ID == 0 {
		s.nextRepoID++
		r.ID = s.nextRepoID
	}
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	s.repos = append(s.repos, &repo{Repo: r, perms: map[string]Permission{}, teams: map[string][]string{}, labels: map[string]int{}})
	return r
}

// SetPermission gives a user a role on a repository.
func (s *Server) SetPermission(fullName, login string, p Permission) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	s.addUser(User{Login: login})
	r.perms[login] = p
}

// AddTeam adds a team of the repository's owner that has access to the
// repository, so that reviews can be requested from it by slug.
func (s *Server) AddTeam(fullName, slug string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustRepo(fullName).teams[slug] = members
}

// AddPullRequest stores a pull request as if opened earlier and returns it
// with its number, times and URL filled in. State is "open" when empty.
func (s *Server) AddPullRequest(pr PullRequest) PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(pr.Repo)
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.Author == "" {
		pr.Author = r.Owner
	}
	return copyPR(s.insertPR(r, pr))
}

// AddReview records a review of pull request number by login, as if
// submitted on GitHub: the user is no longer requested.
func (s *Server) AddReview(fullName string, number int, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustRepo(fullName).pull(number)
	if pr == nil {
		panic(fmt.Sprintf("githubtest: no pull request #%d in %s", number, fullName))
	}
	s.addUser(User{Login: login})
	pr.Reviewers = append(pr.Reviewers, login)
	pr.RequestedReviewers = slices.DeleteFunc(pr.RequestedReviewers, func(l string) bool { return l == login })
}

// PullRequests returns a snapshot of a repository's pull requests, by
// number.
func (s *Server) PullRequests(fullName string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PullRequest
	for _, pr := range s.mustRepo(fullName).pulls {
		out = append(out, copyPR(pr))
	}
	return out
}

// Comments returns a snapshot of the comments on pull request number,
// oldest first.
func (s *Server) Comments(fullName string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.mustRepo(fullName).comments {
		if c.Number == number {
			out = append(out, *c)
		}
	}
	return out
}

// Requests returns every request so far, oldest first.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.requests)
}

// FailNext makes the next n requests answer status before being handled.
func (s *Server) FailNext(n, status int) { s.Inject(Fault{Status: status, Times: n}) }

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

func (s *Server) repo(owner, name string) *repo {
	for _, r := range s.repos {
		if strings.EqualFold(r.Owner, owner) && strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

func (s *Server) mustRepo(fullName string) *repo {
	owner, name, _ := strings.Cut(fullName, "/")
	r := s.repo(owner, name)
	if r == nil {
		panic("githubtest: no repository " + fullName)
	}
	return r
}

func (s *Server) insertPR(r *repo, pr PullRequest) *PullRequest {
	r.lastNum++
	s.nextPRID++
	pr.ID, pr.Number, pr.Repo = s.nextPRID, r.lastNum, r.FullName()
	if pr.CreatedAt.IsZero() {
		pr.CreatedAt = s.stamp()
	}
	if pr.UpdatedAt.IsZero() {
		pr.UpdatedAt = pr.CreatedAt
	}
	pr.HTMLURL = fmt.Sprintf("%s/%s/pull/%d", s.webURL, r.FullName(), pr.Number)
	for _, l := range pr.Labels {
		s.label(r, l)
	}
	stored := copyPR(&pr)
	r.pulls = append(r.pulls, &stored)
	return &stored
}

// label returns a repository label's ID, creating the label as adding an
// unknown label to an issue does.
func (s *Server) label(r *repo, name string) int {
	for have, id := range r.labels {
		if strings.EqualFold(have, name) {
			return id
		}
	}
	s.nextLabelID++
	r.labels[name] = s.nextLabelID
	return s.nextLabelID
}

// stamp is the server's time as the API shows it: UTC, whole seconds.
func (s *Server) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

func copyPR(pr *PullRequest) PullRequest {
	c := *pr
	c.Labels = slices.Clone(pr.Labels)
	c.Assignees = slices.Clone(pr.Assignees)
	c.RequestedReviewers = slices.Clone(pr.RequestedReviewers)
	c.RequestedTeams = slices.Clone(pr.RequestedTeams)
	c.Reviewers = slices.Clone(pr.Reviewers)
	return c
}
