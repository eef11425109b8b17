package githubtest

// The issue side of a pull request: comments, labels and assignees.
//
// Facts followed (docs.github.com/rest/issues/comments, /rest/issues/labels,
// /rest/issues/assignees):
//   - Every pull request is an issue with the same number; its comments,
//     labels and assignees are the issue's.
//   - List comments: since, per_page, page; oldest first. 200. Create: body
//     required; 201 with the comment. Delete: /issues/comments/{id}; 204,
//     404 for one that does not exist.
//   - Add labels: {"labels": [...]} or a bare array of names (GitHub
//     also takes label objects, which the server does not model); labels
//     the repository lacks are
//     created; 200 with every label the issue now has.
//   - Add assignees: {"assignees": [...]}, at most 10 on an issue; users
//     who may not be assigned are silently left out; 201 with the issue.
//   - Check assignee: 204 when the user may be assigned, 404 otherwise.
//     (The server lets anyone with the Write role be assigned; GitHub also
//     lets commenters and organization members.)

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	docComments  = docsRoot + "/issues/comments"
	docLabels    = docsRoot + "/issues/labels#add-labels-to-an-issue"
	docAssignees = docsRoot + "/issues/assignees"
)

// issue finds the pull request of {number}; it answers 404 when missing.
func (c *call) issue(doc string) (*repo, Permission, *PullRequest, bool) {
	r, perm, ok := c.findRepo(doc)
	if !ok {
		return nil, None, nil, false
	}
	pr := r.pull(c.number())
	if pr == nil {
		c.notFound(doc)
		return nil, None, nil, false
	}
	return r, perm, pr, true
}

func (c *call) listComments() {
	const doc = docComments + "#list-issue-comments"
	if !c.known("since", "per_page", "page") {
		return
	}
	r, _, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	var since time.Time
	if v := c.r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.validationFailed(doc, fieldError{Resource: "IssueComment", Field: "since", Code: "invalid"})
			return
		}
		since = t
	}
	var all []*Comment
	for _, cm := range r.comments {
		if cm.Number == pr.Number && !cm.UpdatedAt.Before(since) {
			all = append(all, cm)
		}
	}
	lo, hi := c.page(r, len(all))
	out := []any{}
	for _, cm := range all[lo:hi] {
		out = append(out, c.s.commentJSON(r, cm))
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (c *call) createComment() {
	const doc = docComments + "#create-an-issue-comment"
	if !c.known("body") {
		return
	}
	r, _, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	body, given, ok := c.str("body", doc)
	if !ok {
		return
	}
	if !given {
		c.missing("body", doc)
		return
	}
	if body == "" {
		c.validationFailed(doc, fieldError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	c.s.nextCommentID++
	now := c.s.stamp()
	cm := &Comment{ID: c.s.nextCommentID, Number: pr.Number, Body: body, Author: c.user.Login, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	writeJSON(c.w, http.StatusCreated, c.s.commentJSON(r, cm))
}

func (c *call) deleteComment() {
	const doc = docComments + "#delete-an-issue-comment"
	if !c.known() {
		return
	}
	r, perm, ok := c.findRepo(doc)
	if !ok {
		return
	}
	id, _ := strconv.Atoi(c.r.PathValue("id"))
	i := slices.IndexFunc(r.comments, func(cm *Comment) bool { return cm.ID == id })
	if i < 0 {
		c.notFound(doc)
		return
	}
	if r.comments[i].Author != c.user.Login && !c.may(perm, Write, doc) {
		return
	}
	r.comments = slices.Delete(r.comments, i, i+1)
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) addLabels() {
	if list, ok := c.body[""]; ok {
		c.body = map[string]any{"labels": list}
	}
	if !c.known("labels") {
		return
	}
	r, perm, pr, ok := c.issue(docLabels)
	if !ok || !c.may(perm, Triage, docLabels) {
		return
	}
	labels, ok := c.strings("labels", docLabels)
	if !ok {
		return
	}
	for _, l := range labels {
		if strings.TrimSpace(l) == "" {
			c.validationFailed(docLabels, fieldError{Resource: "Label", Field: "name", Code: "missing_field"})
			return
		}
		if !slices.ContainsFunc(pr.Labels, func(have string) bool { return strings.EqualFold(have, l) }) {
			pr.Labels = append(pr.Labels, l)
		}
	}
	pr.UpdatedAt = c.s.stamp()
	writeJSON(c.w, http.StatusOK, c.s.labelsJSON(r, pr.Labels))
}

func (c *call) addAssignees() {
	const doc = docAssignees + "#add-assignees-to-an-issue"
	if !c.known("assignees") {
		return
	}
	r, perm, pr, ok := c.issue(doc)
	if !ok || !c.may(perm, Triage, doc) {
		return
	}
	logins, ok := c.strings("assignees", doc)
	if !ok {
		return
	}
	for _, l := range logins {
		login := c.s.login(l)
		if r.perms[login] >= Write && !slices.Contains(pr.Assignees, login) && len(pr.Assignees) < 10 {
			pr.Assignees = append(pr.Assignees, login)
		}
	}
	pr.UpdatedAt = c.s.stamp()
	issue := c.s.pullJSON(r, pr)
	delete(issue, "head")
	delete(issue, "base")
	issue["pull_request"] = map[string]any{"url": issue["url"], "html_url": issue["html_url"]}
	writeJSON(c.w, http.StatusCreated, issue)
}

func (c *call) checkAssignee() {
	const doc = docAssignees + "#check-if-a-user-can-be-assigned"
	if !c.known() {
		return
	}
	r, _, ok := c.findRepo(doc)
	if !ok {
		return
	}
	if r.perms[c.s.login(c.r.PathValue("login"))] < Write {
		c.notFound(doc)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) commentJSON(r *repo, cm *Comment) map[string]any {
	return map[string]any{
		"id": cm.ID, "body": cm.Body, "user": s.userJSON(cm.Author),
		"created_at": cm.CreatedAt, "updated_at": cm.UpdatedAt,
		"url":       s.baseURL + "/repos/" + r.FullName() + "/issues/comments/" + strconv.Itoa(cm.ID),
		"html_url":  s.webURL + "/" + r.FullName() + "/pull/" + strconv.Itoa(cm.Number) + "#issuecomment-" + strconv.Itoa(cm.ID),
		"issue_url": s.baseURL + "/repos/" + r.FullName() + "/issues/" + strconv.Itoa(cm.Number),
	}
}
