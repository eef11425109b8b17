// Package gitlab is sync's merge-request side on GitLab, through the REST
// API (gitlab.com/gitlab-org/api/client-go). It implements deliver.Forge.
// Failures come back as *APIError, or *deliver.Transient for the ones
// worth retrying (5xx, 429, with the server's Retry-After).
package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// Client talks to one project of one GitLab instance.
type Client struct {
	api     *gl.Client
	project string // numeric ID or group/project path
	users   map[string]int64
}

// New returns a client for project on the GitLab at baseURL (such as
// https://gitlab.com) that authenticates with token.
//
// client-go's own retries are turned off: they ignore Retry-After and retry
// for seconds only, and deliver retries every operation with bounded
// backoff that honours it.
func New(baseURL, token, project string) (*Client, error) {
	api, err := gl.NewClient(token,
		gl.WithBaseURL(strings.TrimSuffix(baseURL, "/")+"/api/v4"),
		gl.WithoutRetries(),
		gl.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
	)
	if err != nil {
		return nil, fmt.Errorf("gitlab client: %w", err)
	}
	return &Client{api: api, project: project, users: map[string]int64{}}, nil
}

var _ deliver.Forge = (*Client)(nil)

// FindOpen returns the open merge request from source into target, or nil.
func (c *Client) FindOpen(ctx context.Context, source, target string) (*deliver.MergeRequest, error) {
	mrs, _, err := c.api.MergeRequests.ListProjectMergeRequests(c.project, &gl.ListProjectMergeRequestsOptions{
		State:        gl.Ptr("opened"),
		SourceBranch: gl.Ptr(source),
		TargetBranch: gl.Ptr(target),
	}, gl.WithContext(ctx))
	if err != nil {
		return nil, c.explain("list merge requests", err)
	}
	if len(mrs) == 0 {
		return nil, nil
	}
	return convert(mrs[0]), nil
}

// ListOpen returns every open merge request into target, all pages.
func (c *Client) ListOpen(ctx context.Context, target string) ([]deliver.MergeRequest, error) {
	var out []deliver.MergeRequest
	opt := &gl.ListProjectMergeRequestsOptions{
		ListOptions:  gl.ListOptions{PerPage: 100, Page: 1},
		State:        gl.Ptr("opened"),
		TargetBranch: gl.Ptr(target),
	}
	for {
		mrs, resp, err := c.api.MergeRequests.ListProjectMergeRequests(c.project, opt, gl.WithContext(ctx))
		if err != nil {
			return nil, c.explain("list merge requests", err)
		}
		for _, mr := range mrs {
			out = append(out, *convert(mr))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// Create opens a merge request.
func (c *Client) Create(ctx context.Context, spec deliver.MergeRequestSpec) (*deliver.MergeRequest, error) {
	assignees, reviewers, err := c.people(ctx, spec)
	if err != nil {
		return nil, err
	}
	mr, _, err := c.api.MergeRequests.CreateMergeRequest(c.project, &gl.CreateMergeRequestOptions{
		Title:              gl.Ptr(spec.Title),
		Description:        gl.Ptr(spec.Description),
		SourceBranch:       gl.Ptr(spec.Source),
		TargetBranch:       gl.Ptr(spec.Target),
		Labels:             labelOptions(spec.Labels),
		AssigneeIDs:        assignees,
		ReviewerIDs:        reviewers,
		RemoveSourceBranch: gl.Ptr(spec.RemoveSourceBranch),
		Squash:             gl.Ptr(spec.Squash),
	}, gl.WithContext(ctx))
	if err != nil {
		// GitLab answers 409 when an open merge request exists for the
		// branches; the message is translated, the status is not.
		if status(err) == http.StatusConflict {
			return nil, fmt.Errorf("create merge request: %w", deliver.ErrExists)
		}
		return nil, c.explain("create merge request", err)
	}
	return convert(&mr.BasicMergeRequest), nil
}

// Update sets the title, description, people and options of a merge
// request, and adds its labels: labels reviewers added stay.
func (c *Client) Update(ctx context.Context, iid int, spec deliver.MergeRequestSpec) (*deliver.MergeRequest, error) {
	assignees, reviewers, err := c.people(ctx, spec)
	if err != nil {
		return nil, err
	}
	opt := &gl.UpdateMergeRequestOptions{
		Title:              gl.Ptr(spec.Title),
		Description:        gl.Ptr(spec.Description),
		AddLabels:          labelOptions(spec.Labels),
		RemoveSourceBranch: gl.Ptr(spec.RemoveSourceBranch),
		Squash:             gl.Ptr(spec.Squash),
		AssigneeIDs:        assignees,
		ReviewerIDs:        reviewers,
	}
	mr, _, err := c.api.MergeRequests.UpdateMergeRequest(c.project, int64(iid), opt, gl.WithContext(ctx))
	if err != nil {
		return nil, c.explain(fmt.Sprintf("update merge request !%d", iid), err)
	}
	return convert(&mr.BasicMergeRequest), nil
}

// Notes returns every note of a merge request, oldest first, all pages.
func (c *Client) Notes(ctx context.Context, iid int) ([]deliver.Note, error) {
	var out []deliver.Note
	opt := &gl.ListMergeRequestNotesOptions{
		ListOptions: gl.ListOptions{PerPage: 100, Page: 1},
		OrderBy:     gl.Ptr("created_at"),
		Sort:        gl.Ptr("asc"),
	}
	for {
		notes, resp, err := c.api.Notes.ListMergeRequestNotes(c.project, int64(iid), opt, gl.WithContext(ctx))
		if err != nil {
			return nil, c.explain(fmt.Sprintf("list the notes of merge request !%d", iid), err)
		}
		for _, n := range notes {
			out = append(out, deliver.Note{ID: int(n.ID), Body: n.Body})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// AddNote comments on a merge request.
func (c *Client) AddNote(ctx context.Context, iid int, body string) (deliver.Note, error) {
	n, _, err := c.api.Notes.CreateMergeRequestNote(c.project, int64(iid), &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return deliver.Note{}, c.explain(fmt.Sprintf("comment on merge request !%d", iid), err)
	}
	return deliver.Note{ID: int(n.ID), Body: n.Body}, nil
}

// DeleteNote removes a note; GitLab's 404 for one that is gone is no error.
func (c *Client) DeleteNote(ctx context.Context, iid, noteID int) error {
	_, err := c.api.Notes.DeleteMergeRequestNote(c.project, int64(iid), int64(noteID), gl.WithContext(ctx))
	if err != nil && status(err) != http.StatusNotFound {
		return c.explain(fmt.Sprintf("delete note %d of merge request !%d", noteID, iid), err)
	}
	return nil
}

// Close closes a merge request. GitLab answers a close of a closed merge
// request with the merge request, unchanged.
func (c *Client) Close(ctx context.Context, iid int) error {
	if _, _, err := c.api.MergeRequests.UpdateMergeRequest(c.project, int64(iid), &gl.UpdateMergeRequestOptions{StateEvent: gl.Ptr("close")}, gl.WithContext(ctx)); err != nil {
		return c.explain(fmt.Sprintf("close merge request !%d", iid), err)
	}
	return nil
}

// people turns user names (or numeric IDs) into user IDs.
func (c *Client) people(ctx context.Context, spec deliver.MergeRequestSpec) (assignees, reviewers *[]int64, err error) {
	resolve := func(names []string) (*[]int64, error) {
		if len(names) == 0 {
			return nil, nil
		}
		ids := []int64{}
		for _, n := range names {
			id, err := c.userID(ctx, n)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return &ids, nil
	}
	if assignees, err = resolve(spec.Assignees); err != nil {
		return nil, nil, err
	}
	reviewers, err = resolve(spec.Reviewers)
	return assignees, reviewers, err
}

func (c *Client) userID(ctx context.Context, name string) (int64, error) {
	name = strings.TrimPrefix(name, "@")
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		return id, nil
	}
	if id, ok := c.users[name]; ok {
		return id, nil
	}
	users, _, err := c.api.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(name)}, gl.WithContext(ctx))
	if err != nil {
		return 0, c.explain("look up user "+name, err)
	}
	if len(users) == 0 {
		return 0, fmt.Errorf("%w: no GitLab user named %q", deliver.ErrUnknownUser, name)
	}
	c.users[name] = users[0].ID
	return users[0].ID, nil
}

// labelOptions is nil for no labels, so that none are sent.
func labelOptions(labels []string) *gl.LabelOptions {
	if len(labels) == 0 {
		return nil
	}
	l := gl.LabelOptions(labels)
	return &l
}

func convert(mr *gl.BasicMergeRequest) *deliver.MergeRequest {
	return &deliver.MergeRequest{IID: int(mr.IID), URL: mr.WebURL, SourceBranch: mr.SourceBranch, Description: mr.Description}
}

// status returns the HTTP status of an API error, or 0.
func status(err error) int {
	if errors.Is(err, gl.ErrNotFound) {
		return http.StatusNotFound
	}
	var er *gl.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// APIError is a GitLab answer that fails a call, with what to fix.
type APIError struct {
	// Op is what the call did, such as "create merge request".
	Op string
	// Status is the HTTP status; a 404 is the project's unless GitLab
	// names another resource (ProjectNotFound tells).
	Status int
	// Project is the project the call was for.
	Project string
	Err     error
}

func (e *APIError) Error() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("%s: GitLab rejected the token (401): it is not a valid, unexpired access token", e.Op)
	case http.StatusForbidden:
		return fmt.Sprintf("%s: the token may not do this (403): it needs the api scope and at least the Developer role on %s%s", e.Op, e.Project, e.said("403 Forbidden"))
	case http.StatusNotFound:
		if said := e.said("404 Project Not Found"); said != "" {
			return fmt.Sprintf("%s: not found (404)%s", e.Op, said)
		}
		return fmt.Sprintf("%s: project %s not found (404), or the token's user cannot see it", e.Op, e.Project)
	}
	return fmt.Sprintf("%s: GitLab refused the request (%d): %v", e.Op, e.Status, e.Err)
}

// said is GitLab's own message, as " (GitLab: …)", unless it only repeats
// the status.
func (e *APIError) said(plain string) string {
	var er *gl.ErrorResponse
	if !errors.As(e.Err, &er) {
		return ""
	}
	msg := strings.TrimSuffix(strings.TrimPrefix(er.Message, "{message: "), "}")
	if msg == "" || msg == plain {
		return ""
	}
	return " (GitLab: " + msg + ")"
}

func (e *APIError) Unwrap() error { return e.Err }

// ProjectNotFound reports whether the error is GitLab's 404 for the
// project itself (or one the token's user cannot see), rather than for
// something in it.
func (e *APIError) ProjectNotFound() bool {
	return e.Status == http.StatusNotFound && e.said("404 Project Not Found") == ""
}

// explain turns an API error into one that says what to fix, and marks the
// ones worth retrying.
func (c *Client) explain(what string, err error) error {
	switch s := status(err); {
	case s == http.StatusTooManyRequests || s >= 500:
		return &deliver.Transient{Err: fmt.Errorf("%s: %w", what, err), RetryAfter: retryAfter(err)}
	case s >= 400:
		return &APIError{Op: what, Status: s, Project: c.project, Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// retryAfter reads Retry-After (seconds or an HTTP date) off an API error.
func retryAfter(err error) time.Duration {
	var er *gl.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return 0
	}
	return gitsync.ParseRetryAfter(er.Response.Header.Get("Retry-After"), time.Now())
}
