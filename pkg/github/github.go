// Package github is sync's pull-request side on GitHub and GitHub
// Enterprise Server, through the REST API (github.com/google/go-github).
// It implements deliver.Forge: pull requests stand in for merge requests,
// issue comments for notes.
//
// What maps and what does not: labels, assignees and reviewers (users, and
// teams written as org/team) are added to a pull request, never removed,
// so that what people added stays; a draft is opened as one, but an open
// pull request is not turned into a draft or back (the REST API cannot);
// GitHub has no per-pull-request squash or delete-branch setting (the
// repository's merge settings and "Automatically delete head branches"
// decide), so Squash is refused and RemoveSourceBranch is ignored.
//
// Failures come back as *APIError, or *deliver.Transient for the ones
// worth retrying: 5xx answers, and GitHub's primary and secondary rate
// limits (403 or 429), with the wait GitHub asks for: Retry-After, else
// until x-ratelimit-reset when x-ratelimit-remaining is 0, else a minute.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v75/github"

	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// ErrSquash is returned for a spec that asks for a squash: GitHub has no
// such setting on a pull request.
var ErrSquash = errors.New("GitHub has no per-pull-request squash setting; the repository's merge settings decide how pull requests are merged")

// Options configure a Client.
type Options struct {
	// APIURL is the REST API's base URL: DefaultAPIURL, or
	// https://HOST/api/v3 on GitHub Enterprise Server (see APIURL).
	APIURL string
	// Token authenticates every call: an installation token of a GitHub
	// App, or a fine-grained personal access token, with Pull requests
	// write on Repository.
	Token string
	// Repository is the manifests repository, owner/repo.
	Repository string
	// HTTPClient makes the calls; one with a 30 s timeout if nil.
	HTTPClient *http.Client
	// Now is the clock that turns a rate limit's reset time into a wait;
	// time.Now if nil.
	Now func() time.Time
}

// APIURL returns the REST API's URL for a GitHub web address: DefaultAPIURL
// for https://github.com, and webURL/api/v3 for GitHub Enterprise Server.
func APIURL(webURL string) string {
	u, err := url.Parse(webURL)
	if err == nil && strings.EqualFold(u.Host, "github.com") {
		return DefaultAPIURL
	}
	return strings.TrimSuffix(webURL, "/") + "/api/v3"
}

// Client talks to one repository.
type Client struct {
	api         *gh.Client
	owner, repo string
	now         func() time.Time
	assignable  map[string]bool
}

var _ deliver.Forge = (*Client)(nil)

// New returns a client for opt.Repository. go-github's own rate-limit
// bookkeeping is off: deliver waits and retries as GitHub asks.
func New(opt Options) (*Client, error) {
	owner, repo, ok := strings.Cut(opt.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, &deliver.ConfigError{Field: "Project", Value: opt.Repository, Reason: "is not a GitHub repository: want owner/repo"}
	}
	base, err := url.Parse(strings.TrimSuffix(opt.APIURL, "/") + "/")
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.User != nil {
		return nil, fmt.Errorf("github client: the API URL %q is not an http(s) URL without user info", opt.APIURL)
	}
	hc := opt.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	api := gh.NewClient(hc).WithAuthToken(opt.Token)
	api.BaseURL = base
	api.UserAgent = "tsumiki"
	api.DisableRateLimitCheck = true
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	return &Client{api: api, owner: owner, repo: repo, now: now, assignable: map[string]bool{}}, nil
}

// Conventions are GitHub's: pull requests, #n, drafts by flag.
func (c *Client) Conventions() deliver.Conventions { return deliver.GitHubConventions }

// FindOpen returns the open pull request from source into target, or nil.
// The head filter names the owner: without it GitHub ignores the filter.
func (c *Client) FindOpen(ctx context.Context, source, target string) (*deliver.MergeRequest, error) {
	prs, _, err := c.api.PullRequests.List(ctx, c.owner, c.repo, &gh.PullRequestListOptions{
		State: "open", Head: c.owner + ":" + source, Base: target, ListOptions: gh.ListOptions{PerPage: 100},
	})
	if err != nil {
		return nil, c.explain("list pull requests", err)
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == source && pr.GetBase().GetRef() == target {
			return convert(pr), nil
		}
	}
	return nil, nil
}

// ListOpen returns every open pull request into target, all pages.
func (c *Client) ListOpen(ctx context.Context, target string) ([]deliver.MergeRequest, error) {
	var out []deliver.MergeRequest
	opt := &gh.PullRequestListOptions{State: "open", Base: target, ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		prs, resp, err := c.api.PullRequests.List(ctx, c.owner, c.repo, opt)
		if err != nil {
			return nil, c.explain("list pull requests", err)
		}
		for _, pr := range prs {
			out = append(out, *convert(pr))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// Create opens a pull request, then adds its labels, assignees and
// reviewers. Assignees are checked first, so that a wrong name opens
// nothing.
func (c *Client) Create(ctx context.Context, spec deliver.MergeRequestSpec) (*deliver.MergeRequest, error) {
	if spec.Squash {
		return nil, ErrSquash
	}
	if err := c.checkAssignees(ctx, spec.Assignees); err != nil {
		return nil, err
	}
	pr, _, err := c.api.PullRequests.Create(ctx, c.owner, c.repo, &gh.NewPullRequest{
		Title: gh.Ptr(spec.Title), Head: gh.Ptr(spec.Source), Base: gh.Ptr(spec.Target),
		Body: gh.Ptr(spec.Description), Draft: gh.Ptr(spec.Draft), MaintainerCanModify: gh.Ptr(false),
	})
	if err != nil {
		if exists(err) {
			return nil, fmt.Errorf("create pull request: %w", deliver.ErrExists)
		}
		return nil, c.explain("create pull request", err)
	}
	if err := c.addPeople(ctx, pr, spec, nil); err != nil {
		return nil, err
	}
	return convert(pr), nil
}

// Update sets the title and description of an open pull request, and adds
// its labels, assignees and reviewers: what people added stays, and a
// reviewer who reviewed already or is requested is not asked again.
func (c *Client) Update(ctx context.Context, number int, spec deliver.MergeRequestSpec) (*deliver.MergeRequest, error) {
	if spec.Squash {
		return nil, ErrSquash
	}
	if err := c.checkAssignees(ctx, spec.Assignees); err != nil {
		return nil, err
	}
	pr, _, err := c.api.PullRequests.Edit(ctx, c.owner, c.repo, number, &gh.PullRequest{Title: gh.Ptr(spec.Title), Body: gh.Ptr(spec.Description)})
	if err != nil {
		return nil, c.explain(fmt.Sprintf("update pull request #%d", number), err)
	}
	var reviewed []string
	if len(spec.Reviewers) > 0 {
		opt := &gh.ListOptions{PerPage: 100}
		for {
			reviews, resp, err := c.api.PullRequests.ListReviews(ctx, c.owner, c.repo, number, opt)
			if err != nil {
				return nil, c.explain(fmt.Sprintf("list the reviews of pull request #%d", number), err)
			}
			for _, r := range reviews {
				reviewed = append(reviewed, r.GetUser().GetLogin())
			}
			if resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
	}
	if err := c.addPeople(ctx, pr, spec, reviewed); err != nil {
		return nil, err
	}
	return convert(pr), nil
}

// addPeople adds labels, assignees and reviewers to a pull request. Only
// reviewers not yet requested, who have not reviewed, and who are not the
// author (GitHub refuses that) are asked.
func (c *Client) addPeople(ctx context.Context, pr *gh.PullRequest, spec deliver.MergeRequestSpec, reviewed []string) error {
	n := pr.GetNumber()
	if len(spec.Labels) > 0 {
		if _, _, err := c.api.Issues.AddLabelsToIssue(ctx, c.owner, c.repo, n, spec.Labels); err != nil {
			return c.explain(fmt.Sprintf("label pull request #%d", n), err)
		}
	}
	if len(spec.Assignees) > 0 {
		if _, _, err := c.api.Issues.AddAssignees(ctx, c.owner, c.repo, n, logins(spec.Assignees)); err != nil {
			return c.explain(fmt.Sprintf("assign pull request #%d", n), err)
		}
	}
	var req gh.ReviewersRequest
	for _, r := range spec.Reviewers {
		r = strings.TrimPrefix(r, "@")
		if org, team, ok := strings.Cut(r, "/"); ok {
			if !strings.EqualFold(org, c.owner) {
				return fmt.Errorf("%w: team %s is not of %s, which owns the repository", deliver.ErrUnknownUser, r, c.owner)
			}
			if !slices.ContainsFunc(pr.RequestedTeams, func(t *gh.Team) bool { return strings.EqualFold(t.GetSlug(), team) }) {
				req.TeamReviewers = append(req.TeamReviewers, team)
			}
			continue
		}
		asked := slices.ContainsFunc(pr.RequestedReviewers, func(u *gh.User) bool { return strings.EqualFold(u.GetLogin(), r) })
		done := slices.ContainsFunc(reviewed, func(l string) bool { return strings.EqualFold(l, r) })
		if !asked && !done && !strings.EqualFold(r, pr.GetUser().GetLogin()) {
			req.Reviewers = append(req.Reviewers, r)
		}
	}
	if len(req.Reviewers)+len(req.TeamReviewers) == 0 {
		return nil
	}
	if _, _, err := c.api.PullRequests.RequestReviewers(ctx, c.owner, c.repo, n, req); err != nil {
		var er *gh.ErrorResponse
		if errors.As(err, &er) && er.Response.StatusCode == http.StatusUnprocessableEntity && strings.Contains(er.Message, "collaborator") {
			return fmt.Errorf("%w: GitHub: %s", deliver.ErrUnknownUser, er.Message)
		}
		return c.explain(fmt.Sprintf("request reviews on pull request #%d", n), err)
	}
	return nil
}

// checkAssignees makes sure every assignee may be assigned: GitHub would
// leave the others out without a word.
func (c *Client) checkAssignees(ctx context.Context, names []string) error {
	for _, name := range logins(names) {
		if c.assignable[name] {
			continue
		}
		ok, _, err := c.api.Issues.IsAssignee(ctx, c.owner, c.repo, name)
		if err != nil {
			return c.explain("check assignee "+name, err)
		}
		if !ok {
			return fmt.Errorf("%w: %s cannot be assigned pull requests in %s/%s (no GitHub user of that name has write access there)", deliver.ErrUnknownUser, name, c.owner, c.repo)
		}
		c.assignable[name] = true
	}
	return nil
}

// Notes returns every comment on a pull request, oldest first.
func (c *Client) Notes(ctx context.Context, number int) ([]deliver.Note, error) {
	var out []deliver.Note
	opt := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := c.api.Issues.ListComments(ctx, c.owner, c.repo, number, opt)
		if err != nil {
			return nil, c.explain(fmt.Sprintf("list the comments of pull request #%d", number), err)
		}
		for _, cm := range comments {
			out = append(out, deliver.Note{ID: int(cm.GetID()), Body: cm.GetBody()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// AddNote comments on a pull request.
func (c *Client) AddNote(ctx context.Context, number int, body string) (deliver.Note, error) {
	cm, _, err := c.api.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: gh.Ptr(body)})
	if err != nil {
		return deliver.Note{}, c.explain(fmt.Sprintf("comment on pull request #%d", number), err)
	}
	return deliver.Note{ID: int(cm.GetID()), Body: cm.GetBody()}, nil
}

// DeleteNote removes a comment; GitHub's 404 for one that is gone is no
// error.
func (c *Client) DeleteNote(ctx context.Context, number, id int) error {
	_, err := c.api.Issues.DeleteComment(ctx, c.owner, c.repo, int64(id))
	if err != nil && status(err) != http.StatusNotFound {
		return c.explain(fmt.Sprintf("delete comment %d of pull request #%d", id, number), err)
	}
	return nil
}

// Close closes a pull request; GitHub answers the close of a closed one
// with the pull request, unchanged.
func (c *Client) Close(ctx context.Context, number int) error {
	if _, _, err := c.api.PullRequests.Edit(ctx, c.owner, c.repo, number, &gh.PullRequest{State: gh.Ptr("closed")}); err != nil {
		return c.explain(fmt.Sprintf("close pull request #%d", number), err)
	}
	return nil
}

func logins(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimPrefix(n, "@")
	}
	return out
}

func convert(pr *gh.PullRequest) *deliver.MergeRequest {
	return &deliver.MergeRequest{IID: pr.GetNumber(), URL: pr.GetHTMLURL(), SourceBranch: pr.GetHead().GetRef(), Description: pr.GetBody()}
}

// exists reports whether a create failed because an open pull request
// has the same head and base: a 422 with GitHub's "A pull request already
// exists for owner:branch." (its code is "custom", so the message tells).
func exists(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Resource == "PullRequest" && strings.HasPrefix(e.Message, "A pull request already exists") {
			return true
		}
	}
	return false
}

// answer is what go-github kept of a failed call's answer.
func answer(err error) (resp *http.Response, message, doc string) {
	var (
		er  *gh.ErrorResponse
		rl  *gh.RateLimitError
		arl *gh.AbuseRateLimitError
	)
	switch {
	case errors.As(err, &er):
		return er.Response, er.Message, er.DocumentationURL
	case errors.As(err, &rl):
		return rl.Response, rl.Message, ""
	case errors.As(err, &arl):
		return arl.Response, arl.Message, ""
	}
	return nil, "", ""
}

// status returns the HTTP status of a failed call, or 0.
func status(err error) int {
	if resp, _, _ := answer(err); resp != nil {
		return resp.StatusCode
	}
	return 0
}

// rateLimited reports whether an answer is one of GitHub's rate limits,
// and how long GitHub asks to wait: Retry-After; else, with
// x-ratelimit-remaining 0, until a second past x-ratelimit-reset; else a
// minute.
func rateLimited(resp *http.Response, message, doc string, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests) {
		return 0, false
	}
	h := resp.Header
	secondary := strings.Contains(strings.ToLower(message), "secondary rate limit") || strings.Contains(doc, "secondary-rate-limits") ||
		strings.Contains(strings.ToLower(message), "abuse")
	primary := h.Get("X-RateLimit-Remaining") == "0"
	if !primary && !secondary && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false // a refusal: the token may not do this
	}
	if ra := gitsync.ParseRetryAfter(h.Get("Retry-After"), now); ra > 0 {
		return ra, true
	}
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); primary && err == nil {
		return max(time.Unix(reset, 0).Add(time.Second).Sub(now), 0), true
	}
	return time.Minute, true
}

// APIError is a GitHub answer that fails a call, with what to fix.
type APIError struct {
	// Op is what the call did, such as "create pull request".
	Op string
	// Status is the HTTP status.
	Status int
	// Repository is owner/repo.
	Repository string
	// Message is GitHub's message, with the validation errors of a 422.
	Message string
	Err     error
}

func (e *APIError) Error() string {
	said := ""
	if e.Message != "" {
		said = " (GitHub: " + e.Message + ")"
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("%s: GitHub rejected the token (401): it is not a valid, unexpired token", e.Op)
	case http.StatusForbidden:
		return fmt.Sprintf("%s: the token may not do this (403)%s: it needs Contents and Pull requests write on %s", e.Op, said, e.Repository)
	case http.StatusNotFound:
		return fmt.Sprintf("%s: not found (404): %s does not exist, or the token cannot see it", e.Op, e.Repository)
	}
	return fmt.Sprintf("%s: GitHub refused the request (%d)%s", e.Op, e.Status, said)
}

func (e *APIError) Unwrap() error { return e.Err }

// RepositoryNotFound reports whether the error is GitHub's 404, which it
// answers for a repository that is missing or that the token cannot see.
func (e *APIError) RepositoryNotFound() bool { return e.Status == http.StatusNotFound }

// explain turns a failed call into an error that says what to fix, and
// marks the ones worth retrying.
func (c *Client) explain(what string, err error) error {
	resp, message, doc := answer(err)
	if wait, ok := rateLimited(resp, message, doc, c.now()); ok {
		return &deliver.Transient{Err: fmt.Errorf("%s: GitHub's rate limit (%d: %s)", what, resp.StatusCode, message), RetryAfter: wait}
	}
	switch s := status(err); {
	case s >= 500:
		return &deliver.Transient{Err: fmt.Errorf("%s: %w", what, err), RetryAfter: gitsync.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())}
	case s >= 400:
		var er *gh.ErrorResponse
		if errors.As(err, &er) {
			for _, fe := range er.Errors {
				message += "; " + strings.TrimSpace(strings.Join([]string{fe.Resource, fe.Field, fe.Code, fe.Message}, " "))
			}
		}
		return &APIError{Op: what, Status: s, Repository: c.owner + "/" + c.repo, Message: message, Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}
