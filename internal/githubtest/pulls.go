package githubtest

// Pull requests and review requests.
//
// Facts followed (docs.github.com/rest/pulls/pulls, /rest/pulls/review-
// requests):
//   - List: state (open, closed, all; default open), head ("user:ref-name"
//     or "organization:ref-name"; a value without the owner is ignored, and
//     every pull request is listed), base, sort (created, updated,
//     popularity, long-running; default created), direction (asc, desc;
//     default desc when sorting by created, else asc), per_page, page.
//     200. (The server sorts by created and updated only.)
//   - Create: title (unless issue), head, base required; body, draft,
//     maintainer_can_modify optional. 201 with the pull request. An open
//     pull request for the same head and base answers 422 with
//     {"resource":"PullRequest","code":"custom","message":"A pull request
//     already exists for <owner>:<head>."}; a head that does not exist
//     {"resource":"PullRequest","field":"head","code":"invalid"}, a base
//     that does not exist the same for base; a head with no commits the
//     base lacks {"resource":"PullRequest","code":"custom","message":"No
//     commits between <base> and <head>"}.
//   - Get: 200, or 404 for an unknown number.
//   - Update (PATCH): title, body, state (open, closed), base,
//     maintainer_can_modify; a draft cannot be set or cleared here (that
//     takes GraphQL). 200 with the pull request; closing a closed one
//     changes nothing.
//   - Request reviewers: reviewers (logins) and team_reviewers (slugs);
//     201 with the pull request. A user or team that is not a collaborator
//     answers 422 "Reviews may only be requested from collaborators. One or
//     more of the users or teams you specified is not a collaborator of the
//     <owner>/<repo> repository."; the pull request's author, 422 "Review
//     cannot be requested from pull request author.".
//   - List reviews: per_page, page; oldest first; 200.
//   - Writes need the Write role on the repository (a caller that may
//     only read gets 403), reads the Read role (404 otherwise).

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const (
	docPulls   = docsRoot + "/pulls/pulls"
	docReviews = docsRoot + "/pulls/review-requests#request-reviewers-for-a-pull-request"
)

func (c *call) listPulls() {
	const doc = docPulls + "#list-pull-requests"
	if !c.known("state", "head", "base", "sort", "direction", "per_page", "page") {
		return
	}
	r, _, ok := c.findRepo(doc)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	if !slices.Contains([]string{"open", "closed", "all"}, state) {
		c.validationFailed(doc, fieldError{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	headOwner, headRef, headOK := strings.Cut(q.Get("head"), ":")
	var out []*PullRequest
	for _, pr := range r.pulls {
		switch {
		case state != "all" && pr.State != state,
			q.Has("base") && pr.Base != q.Get("base"),
			headOK && (!strings.EqualFold(headOwner, r.Owner) || pr.Head != headRef):
			continue
		}
		out = append(out, pr)
	}
	sortBy, direction := cmp.Or(q.Get("sort"), "created"), q.Get("direction")
	if direction == "" {
		direction = "desc"
		if sortBy != "created" {
			direction = "asc"
		}
	}
	slices.SortStableFunc(out, func(a, b *PullRequest) int {
		d := cmp.Compare(a.Number, b.Number)
		if sortBy == "updated" {
			d = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		if direction == "desc" {
			d = -d
		}
		return d
	})
	lo, hi := c.page(r, len(out))
	list := []any{}
	for _, pr := range out[lo:hi] {
		list = append(list, c.s.pullJSON(r, pr))
	}
	writeJSON(c.w, http.StatusOK, list)
}

func (c *call) getPull() {
	const doc = docPulls + "#get-a-pull-request"
	if !c.known() {
		return
	}
	r, _, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	writeJSON(c.w, http.StatusOK, c.s.pullJSON(r, pr))
}

func (c *call) createPull() {
	const doc = docPulls + "#create-a-pull-request"
	if !c.known("title", "head", "base", "body", "draft", "maintainer_can_modify") {
		return
	}
	r, perm, ok := c.findRepo(doc)
	if !ok || !c.may(perm, Write, doc) {
		return
	}
	title, _, ok1 := c.str("title", doc)
	head, hasHead, ok2 := c.str("head", doc)
	base, hasBase, ok3 := c.str("base", doc)
	body, _, ok4 := c.str("body", doc)
	draft, _, ok5 := c.boolean("draft", doc)
	mcm, hasMCM, ok6 := c.boolean("maintainer_can_modify", doc)
	switch {
	case !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6:
		return
	case !hasHead:
		c.missing("head", doc)
		return
	case !hasBase:
		c.missing("base", doc)
		return
	}
	// A head may name its owner, as owner:branch.
	if owner, ref, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, r.Owner) {
			c.validationFailed(doc, fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
			return
		}
		head = ref
	}
	var errs []fieldError
	if strings.TrimSpace(title) == "" {
		errs = append(errs, fieldError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
	}
	headSHA, headExists := c.s.branch(r, head)
	if _, ok := c.s.branch(r, base); !ok {
		errs = append(errs, fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
	}
	if !headExists {
		errs = append(errs, fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
	}
	if len(errs) > 0 {
		c.validationFailed(doc, errs...)
		return
	}
	for _, pr := range r.pulls {
		if pr.State == "open" && pr.Head == head && pr.Base == base {
			c.validationFailed(doc, fieldError{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("A pull request already exists for %s:%s.", r.Owner, head)})
			return
		}
	}
	if !c.s.ahead(r, base, head) {
		c.validationFailed(doc, fieldError{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("No commits between %s and %s", base, head)})
		return
	}
	if !hasMCM {
		mcm = false
	}
	pr := c.s.insertPR(r, PullRequest{Title: title, Body: body, State: "open", Draft: draft, Head: head, Base: base, HeadSHA: headSHA,
		MaintainerCanModify: mcm, Author: c.user.Login})
	writeJSON(c.w, http.StatusCreated, c.s.pullJSON(r, pr))
}

func (c *call) updatePull() {
	const doc = docPulls + "#update-a-pull-request"
	if !c.known("title", "body", "state", "base", "maintainer_can_modify") {
		return
	}
	r, perm, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	if !c.may(perm, Write, doc) {
		return
	}
	title, hasTitle, ok1 := c.str("title", doc)
	body, hasBody, ok2 := c.str("body", doc)
	state, hasState, ok3 := c.str("state", doc)
	base, hasBase, ok4 := c.str("base", doc)
	mcm, hasMCM, ok5 := c.boolean("maintainer_can_modify", doc)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return
	}
	if hasState && state != "open" && state != "closed" {
		c.validationFailed(doc, fieldError{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	if hasTitle && strings.TrimSpace(title) == "" {
		c.validationFailed(doc, fieldError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	}
	if hasBase {
		if _, ok := c.s.branch(r, base); !ok {
			c.validationFailed(doc, fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
			return
		}
		pr.Base = base
	}
	if hasTitle {
		pr.Title = title
	}
	if hasBody {
		pr.Body = body
	}
	if hasMCM {
		pr.MaintainerCanModify = mcm
	}
	if hasState && state != pr.State {
		pr.State = state
		pr.ClosedAt = time.Time{}
		if state == "closed" {
			pr.ClosedAt = c.s.stamp()
		}
	}
	if sha, ok := c.s.branch(r, pr.Head); ok && sha != "" {
		pr.HeadSHA = sha
	}
	pr.UpdatedAt = c.s.stamp()
	writeJSON(c.w, http.StatusOK, c.s.pullJSON(r, pr))
}

func (c *call) requestReviewers() {
	const doc = docReviews
	if !c.known("reviewers", "team_reviewers") {
		return
	}
	r, perm, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	if !c.may(perm, Write, doc) {
		return
	}
	users, ok1 := c.strings("reviewers", doc)
	teams, ok2 := c.strings("team_reviewers", doc)
	if !ok1 || !ok2 {
		return
	}
	for _, u := range users {
		if strings.EqualFold(u, pr.Author) {
			writeError(c.w, http.StatusUnprocessableEntity, "Review cannot be requested from pull request author.", doc)
			return
		}
	}
	notCollaborator := func() {
		writeError(c.w, http.StatusUnprocessableEntity, fmt.Sprintf("Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the %s repository.", r.FullName()), doc)
	}
	for _, u := range users {
		if r.perms[c.s.login(u)] < Read {
			notCollaborator()
			return
		}
	}
	for _, t := range teams {
		if _, ok := r.teams[t]; !ok {
			notCollaborator()
			return
		}
	}
	for _, u := range users {
		if login := c.s.login(u); !slices.Contains(pr.RequestedReviewers, login) {
			pr.RequestedReviewers = append(pr.RequestedReviewers, login)
		}
	}
	for _, t := range teams {
		if !slices.Contains(pr.RequestedTeams, t) {
			pr.RequestedTeams = append(pr.RequestedTeams, t)
		}
	}
	pr.UpdatedAt = c.s.stamp()
	writeJSON(c.w, http.StatusCreated, c.s.pullJSON(r, pr))
}

func (c *call) listReviews() {
	const doc = docsRoot + "/pulls/reviews#list-reviews-for-a-pull-request"
	if !c.known("per_page", "page") {
		return
	}
	r, _, pr, ok := c.issue(doc)
	if !ok {
		return
	}
	lo, hi := c.page(r, len(pr.Reviewers))
	out := []any{}
	for i, login := range pr.Reviewers[lo:hi] {
		out = append(out, map[string]any{"id": lo + i + 1, "user": c.s.userJSON(login), "state": "COMMENTED", "body": ""})
	}
	writeJSON(c.w, http.StatusOK, out)
}

// login is a known user's login as registered (logins are matched without
// regard to case), or name itself.
func (s *Server) login(name string) string {
	for l := range s.users {
		if strings.EqualFold(l, name) {
			return l
		}
	}
	return name
}

func (r *repo) pull(number int) *PullRequest {
	for _, pr := range r.pulls {
		if pr.Number == number {
			return pr
		}
	}
	return nil
}

// branch reports whether a branch exists, and its commit, from the bare
// repository; without one every branch exists.
func (s *Server) branch(r *repo, name string) (sha string, ok bool) {
	if r.Bare == "" {
		return "", name != ""
	}
	out, err := gittest.Git(r.Bare, "rev-parse", "--verify", "--quiet", "refs/heads/"+name)
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(out), true
}

// ahead reports whether head holds commits that base lacks.
func (s *Server) ahead(r *repo, base, head string) bool {
	if r.Bare == "" {
		return base != head
	}
	out, err := gittest.Git(r.Bare, "rev-list", "--count", "refs/heads/"+base+"..refs/heads/"+head)
	return err == nil && strings.TrimSpace(out) != "0"
}

func (s *Server) userJSON(login string) map[string]any {
	u := s.users[login]
	if u == nil {
		u = &User{Login: login, Type: "User"}
	}
	return map[string]any{
		"login": u.Login, "id": u.ID, "type": u.Type,
		"url":      s.baseURL + "/users/" + u.Login,
		"html_url": s.webURL + "/" + u.Login,
	}
}

func (s *Server) labelsJSON(r *repo, names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{
			"id": s.label(r, n), "name": n, "color": "ededed", "default": false, "description": nil,
			"url": fmt.Sprintf("%s/repos/%s/labels/%s", s.baseURL, r.FullName(), n),
		})
	}
	return out
}

func (s *Server) pullJSON(r *repo, pr *PullRequest) map[string]any {
	api := fmt.Sprintf("%s/repos/%s/pulls/%d", s.baseURL, r.FullName(), pr.Number)
	var closedAt any
	if !pr.ClosedAt.IsZero() {
		closedAt = pr.ClosedAt
	}
	people := func(logins []string) []any {
		out := []any{}
		for _, l := range logins {
			out = append(out, s.userJSON(l))
		}
		return out
	}
	teams := []any{}
	for _, t := range pr.RequestedTeams {
		teams = append(teams, map[string]any{"slug": t, "name": t})
	}
	ref := func(branch, sha string) map[string]any {
		return map[string]any{"label": r.Owner + ":" + branch, "ref": branch, "sha": sha, "user": s.userJSON(r.Owner),
			"repo": map[string]any{"id": r.ID, "name": r.Name, "full_name": r.FullName(), "private": true}}
	}
	baseSHA, _ := s.branch(r, pr.Base)
	return map[string]any{
		"id": pr.ID, "number": pr.Number, "state": pr.State, "locked": false,
		"title": pr.Title, "body": pr.Body, "draft": pr.Draft,
		"user":   s.userJSON(pr.Author),
		"labels": s.labelsJSON(r, pr.Labels), "assignees": people(pr.Assignees),
		"requested_reviewers": people(pr.RequestedReviewers), "requested_teams": teams,
		"head": ref(pr.Head, pr.HeadSHA), "base": ref(pr.Base, baseSHA),
		"maintainer_can_modify": pr.MaintainerCanModify, "merged": false, "merged_at": nil,
		"created_at": pr.CreatedAt, "updated_at": pr.UpdatedAt, "closed_at": closedAt,
		"url": api, "html_url": pr.HTMLURL,
		"issue_url":    fmt.Sprintf("%s/repos/%s/issues/%d", s.baseURL, r.FullName(), pr.Number),
		"comments_url": fmt.Sprintf("%s/repos/%s/issues/%d/comments", s.baseURL, r.FullName(), pr.Number),
	}
}
