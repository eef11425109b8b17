package gitlabtest

// Project merge requests: list, get, create and update.
//
// Facts followed (gitlab-org/gitlab lib/api/merge_requests.rb,
// lib/api/helpers/merge_requests_helpers.rb, lib/api/helpers.rb,
// app/models/merge_request.rb, lib/gitlab/regex; docs.gitlab.com/api/
// merge_requests):
//   - Writes authenticate before parameter validation (401 first). Then
//     parameters are validated (400), then the project is looked up (404),
//     then the ability is checked: reading merge requests, creating them
//     (create_merge_request_from, Developer and up) or updating them
//     (update_merge_request); a refused ability is 403 "403 Forbidden".
//   - A single merge request is found with find_by!, so an unknown IID is
//     404 "404 Not found", checked before the ability.
//   - List parameters: state (opened, closed, locked, merged, all; default
//     all), order_by (default created_at), sort (asc, desc; default desc),
//     labels (comma-separated; all must match; "None" and "Any" match no
//     labels and some labels, case-insensitively), author_id and
//     author_username (mutually exclusive), assignee_id and reviewer_id (an
//     ID, "None" or "Any"), scope (created_by_me, assigned_to_me, all, or
//     the same with hyphens), source_branch, target_branch, search (title and
//     description; in= narrows it), wip (yes, no), iids[],
//     created/updated_after/before (inclusive), plus offset pagination.
//   - Create requires title, source_branch and target_branch. labels,
//     assignee_id/assignee_ids, reviewer_ids, description, remove_source_
//     branch (stored as force_remove_source_branch) and squash are
//     optional. assignee_id is the legacy form of assignee_ids; an ID list
//     of [] or [0] unassigns everyone.
//   - Update takes the same optional parameters plus title and
//     target_branch (neither may be blank), state_event (close, reopen),
//     add_labels, remove_labels and discussion_locked, and requires at
//     least one of them (update_params_at_least_one_of).
//   - Model errors are answered by handle_merge_request_errors!, in this
//     order: branch_conflict (the same project and branch on both sides,
//     "You can't use same project/branch for source and target") is 422
//     {"message":[...]}; validate_branches (an open merge request with the
//     same source and target branch, "Another open merge request already
//     exists for this source branch: !<iid>") is 409 {"message":[...]};
//     anything else is 400 with the errors hash, e.g. {"message":{"title":
//     ["can't be blank"]}}. A source or target branch that does not exist
//     reports {"source_branch":["does not exist"]} (or target_branch) with
//     that 400; this last message is as observed from GitLab.com in 2026,
//     its source line was not located.
//   - A title starting with "[Draft]", "(Draft)" or "Draft:" (any case)
//     makes the merge request a draft.
//   - A description longer than Issuable::DESCRIPTION_LENGTH_MAX
//     (1.megabyte, 1,048,576 characters) is refused on create with
//     {"description":["is too long (maximum is 1048576 characters)"]};
//     that validation runs only for new records.
//   - Closing or reopening through state_event adds the system note
//     "closed" or "reopened"; closing sets closed_at and closed_by.

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxDescriptionLength is Issuable::DESCRIPTION_LENGTH_MAX.
const maxDescriptionLength = 1 << 20

// updateParams is update_params_at_least_one_of, in GitLab's order.
var updateParams = []string{
	"assignee_id", "assignee_ids", "reviewer_ids", "description", "labels",
	"add_labels", "remove_labels", "milestone_id", "remove_source_branch",
	"allow_collaboration", "allow_maintainer_to_push", "squash",
	"target_branch", "title", "state_event", "discussion_locked", "merge_after",
}

// draftTitle is Gitlab::Regex.merge_request_draft.
var draftTitle = regexp.MustCompile(`^(?i)(\[draft\]|\(draft\)|draft:)`)

func isDraft(title string) bool { return draftTitle.MatchString(title) }

type listFilter struct {
	state, orderBy, sort        string
	scope                       string
	currentUserID               int
	labels                      []string
	authorID                    int
	authorUsername              string
	assigneeID, reviewerID      string
	sourceBranch, targetBranch  string
	search, in                  string
	wip                         string
	iids                        []int
	createdAfter, createdBefore time.Time
	updatedAfter, updatedBefore time.Time
	page, perPage               int
}

func (c *call) listMergeRequests() {
	v := validation{p: c.params}
	v.unimplemented("milestone", "my_reaction_emoji", "environment", "deployed_before",
		"deployed_after", "approved", "merge_user_id", "merge_user_username", "not", "view",
		"assignee_username", "reviewer_username", "source_project_id", "approver_ids",
		"approved_by_ids")
	var f listFilter
	f.authorID, _ = v.optionalInt("author_id")
	f.authorUsername, _ = v.optionalString("author_username", true)
	v.mutuallyExclusive("author_id", "author_username")
	f.assigneeID = idNoneAny(&v, "assignee_id")
	f.labels, _ = v.stringList("labels")
	f.reviewerID = idNoneAny(&v, "reviewer_id")
	f.state = v.enum("state", "all", "opened", "closed", "locked", "merged", "all")
	f.orderBy = v.enum("order_by", "created_at", "created_at", "label_priority", "milestone_due",
		"popularity", "priority", "title", "updated_at", "merged_at")
	if f.orderBy != "created_at" && f.orderBy != "updated_at" && f.orderBy != "title" {
		v.errs = append(v.errs, "gitlabtest does not implement order_by="+f.orderBy)
	}
	f.sort = v.enum("sort", "desc", "asc", "desc")
	if b, ok := v.optionalBool("with_labels_details"); ok && b {
		v.unimplemented("with_labels_details")
	}
	v.optionalBool("with_merge_status_recheck")
	f.scope = strings.ReplaceAll(v.enum("scope", "all",
		"created-by-me", "assigned-to-me", "created_by_me", "assigned_to_me", "all"), "-", "_")
	f.createdAfter = optionalTime(&v, "created_after")
	f.createdBefore = optionalTime(&v, "created_before")
	f.updatedAfter = optionalTime(&v, "updated_after")
	f.updatedBefore = optionalTime(&v, "updated_before")
	f.sourceBranch, _ = v.optionalString("source_branch", true)
	f.targetBranch, _ = v.optionalString("target_branch", true)
	f.search, _ = v.optionalString("search", true)
	f.in, _ = v.optionalString("in", true)
	if v.p.has("wip") {
		f.wip = v.enum("wip", "", "yes", "no")
	}
	f.page, f.perPage = v.pagination()
	f.iids, _ = v.intList("iids")
	if !v.check(c.w) {
		return
	}
	u, p, level, ok := c.userProject()
	if !ok {
		return
	}
	if level < Reporter {
		forbidden(c.w)
		return
	}
	f.currentUserID = u.ID

	var mrs []*MergeRequest
	for _, mr := range p.mrs {
		if c.s.matches(mr, &f) {
			mrs = append(mrs, mr)
		}
	}
	slices.SortFunc(mrs, func(a, b *MergeRequest) int {
		cmp := 0
		switch f.orderBy {
		case "created_at":
			cmp = a.CreatedAt.Compare(b.CreatedAt)
		case "updated_at":
			cmp = a.UpdatedAt.Compare(b.UpdatedAt)
		case "title":
			cmp = strings.Compare(a.Title, b.Title)
		}
		if cmp == 0 {
			cmp = a.ID - b.ID
		}
		if f.sort == "desc" {
			cmp = -cmp
		}
		return cmp
	})

	q := c.newLinkQuery()
	q.set("state", f.state)
	q.set("order_by", f.orderBy)
	q.set("sort", f.sort)
	q.set("with_labels_details", false)
	q.set("with_merge_status_recheck", false)
	if f.labels != nil {
		q.set("labels", f.labels)
	}
	if f.iids != nil {
		q.set("iids", f.iids)
	}
	lo, hi := c.paginate(len(mrs), f.page, f.perPage, q)
	out := []mergeRequestBasicJSON{}
	for _, mr := range mrs[lo:hi] {
		out = append(out, c.s.mergeRequestBasicJSON(p, mr))
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (s *Server) matches(mr *MergeRequest, f *listFilter) bool {
	if f.state != "all" && mr.State != f.state {
		return false
	}
	if f.authorID != 0 && mr.AuthorID != f.authorID {
		return false
	}
	if f.scope == "created_by_me" && mr.AuthorID != f.currentUserID ||
		f.scope == "assigned_to_me" && !slices.Contains(mr.AssigneeIDs, f.currentUserID) {
		return false
	}
	if f.authorUsername != "" {
		if u := s.users[mr.AuthorID]; u == nil || u.Username != f.authorUsername {
			return false
		}
	}
	if !matchesIDFilter(mr.AssigneeIDs, f.assigneeID) || !matchesIDFilter(mr.ReviewerIDs, f.reviewerID) {
		return false
	}
	switch {
	case len(f.labels) == 1 && strings.EqualFold(f.labels[0], "None"):
		if len(mr.Labels) > 0 {
			return false
		}
	case len(f.labels) == 1 && strings.EqualFold(f.labels[0], "Any"):
		if len(mr.Labels) == 0 {
			return false
		}
	default:
		for _, l := range f.labels {
			if !slices.Contains(mr.Labels, l) {
				return false
			}
		}
	}
	if f.sourceBranch != "" && mr.SourceBranch != f.sourceBranch {
		return false
	}
	if f.targetBranch != "" && mr.TargetBranch != f.targetBranch {
		return false
	}
	if f.search != "" && !matchesSearch(mr, f.search, f.in) {
		return false
	}
	if f.wip != "" && mr.Draft != (f.wip == "yes") {
		return false
	}
	if f.iids != nil && !slices.Contains(f.iids, mr.IID) {
		return false
	}
	return inRange(mr.CreatedAt, f.createdAfter, f.createdBefore) &&
		inRange(mr.UpdatedAt, f.updatedAfter, f.updatedBefore)
}

func matchesIDFilter(ids []int, filter string) bool {
	switch strings.ToLower(filter) {
	case "":
		return true
	case "none":
		return len(ids) == 0
	case "any":
		return len(ids) > 0
	}
	id, _ := strconv.Atoi(filter)
	return slices.Contains(ids, id)
}

func matchesSearch(mr *MergeRequest, search, in string) bool {
	fields := []string{mr.Title, mr.Description}
	if in != "" {
		fields = nil
		for _, f := range strings.Split(in, ",") {
			switch strings.TrimSpace(f) {
			case "title":
				fields = append(fields, mr.Title)
			case "description":
				fields = append(fields, mr.Description)
			}
		}
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), strings.ToLower(search)) {
			return true
		}
	}
	return false
}

func inRange(t, after, before time.Time) bool {
	return (after.IsZero() || !t.Before(after)) && (before.IsZero() || !t.After(before))
}

// idNoneAny reads a parameter that takes a user ID, "None" or "Any".
func idNoneAny(v *validation, name string) string {
	s, ok := v.optionalString(name, true)
	if !ok {
		return ""
	}
	if _, err := strconv.Atoi(s); err != nil && !strings.EqualFold(s, "none") && !strings.EqualFold(s, "any") {
		v.fail(name, "is invalid")
		return ""
	}
	return s
}

func optionalTime(v *validation, name string) time.Time {
	s, ok := v.optionalString(name, true)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.fail(name, "is invalid")
	}
	return t
}

func (c *call) getMergeRequest() {
	v := validation{p: c.params}
	iid, ok := asInt(c.r.PathValue("iid"))
	if !ok {
		v.fail("merge_request_iid", "is invalid")
	}
	v.optionalBool("render_html")
	v.optionalBool("include_diverged_commits_count")
	v.optionalBool("include_rebase_in_progress")
	if !v.check(c.w) {
		return
	}
	_, p, level, ok := c.userProject()
	if !ok {
		return
	}
	mr := p.mergeRequest(iid)
	if mr == nil {
		recordNotFound(c.w)
		return
	}
	if level < Reporter {
		forbidden(c.w)
		return
	}
	writeJSON(c.w, http.StatusOK, c.s.mergeRequestJSON(p, mr, level))
}

// mrChanges are the optional parameters shared by create and update.
type mrChanges struct {
	description                 *string
	labels, addLabels, rmLabels []string
	hasLabels                   bool
	assigneeIDs, reviewerIDs    []int
	hasAssignees, hasReviewers  bool
	removeSourceBranch          *bool
	squash                      *bool
	discussionLocked            *bool
}

// readChanges validates the optional_params block, in declaration order.
func readChanges(v *validation) mrChanges {
	var ch mrChanges
	assigneeID, hasAssigneeID := v.optionalInt("assignee_id")
	ch.assigneeIDs, ch.hasAssignees = v.intList("assignee_ids")
	ch.reviewerIDs, ch.hasReviewers = v.intList("reviewer_ids")
	if d, ok := v.optionalString("description", true); ok {
		ch.description = &d
	}
	ch.labels, ch.hasLabels = v.stringList("labels")
	ch.addLabels, _ = v.stringList("add_labels")
	ch.rmLabels, _ = v.stringList("remove_labels")
	v.unimplemented("milestone_id")
	if b, ok := v.optionalBool("remove_source_branch"); ok {
		ch.removeSourceBranch = &b
	}
	v.unimplemented("allow_collaboration", "allow_maintainer_to_push")
	if b, ok := v.optionalBool("squash"); ok {
		ch.squash = &b
	}
	v.unimplemented("merge_after")
	// convert_parameters_from_legacy_format: assignee_id stands in for
	// assignee_ids when those are not given.
	if hasAssigneeID && !ch.hasAssignees {
		ch.assigneeIDs, ch.hasAssignees = []int{assigneeID}, true
	}
	return ch
}

// apply copies the changes onto mr, keeping only users that can see the
// project, as GitLab drops assignees and reviewers it cannot use.
func (c *call) apply(p *project, mr *MergeRequest, ch mrChanges) {
	if ch.description != nil {
		mr.Description = *ch.description
	}
	if ch.hasLabels {
		mr.Labels = nil
		mr.Labels = addLabels(mr.Labels, ch.labels)
	}
	mr.Labels = addLabels(mr.Labels, ch.addLabels)
	mr.Labels = slices.DeleteFunc(mr.Labels, func(l string) bool { return slices.Contains(ch.rmLabels, l) })
	if ch.hasAssignees {
		mr.AssigneeIDs = c.members(p, ch.assigneeIDs)
	}
	if ch.hasReviewers {
		mr.ReviewerIDs = c.members(p, ch.reviewerIDs)
	}
	if ch.removeSourceBranch != nil {
		mr.RemoveSourceBranch = ch.removeSourceBranch
	}
	if ch.squash != nil {
		mr.Squash = *ch.squash
	}
	if ch.discussionLocked != nil {
		mr.DiscussionLocked = ch.discussionLocked
	}
}

func addLabels(labels, more []string) []string {
	for _, l := range more {
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	return labels
}

func (c *call) members(p *project, ids []int) []int {
	var out []int
	for _, id := range ids {
		if u := c.s.users[id]; u != nil && c.s.accessLevel(u, p) >= Guest && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (c *call) createMergeRequest() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	v := validation{p: c.params}
	title := v.requiredString("title")
	source := v.requiredString("source_branch")
	target := v.requiredString("target_branch")
	targetProjectID, hasTargetProject := v.optionalInt("target_project_id")
	ch := readChanges(&v)
	if !v.check(c.w) {
		return
	}
	p, level, ok := c.findProject(u)
	if !ok {
		return
	}
	if level < Developer {
		forbidden(c.w)
		return
	}
	if hasTargetProject && targetProjectID != p.ID {
		renderError(c.w, http.StatusBadRequest, "gitlabtest does not implement merge requests between projects")
		return
	}

	t := now()
	mr := MergeRequest{
		IID:          p.lastIID + 1,
		Title:        title,
		State:        "opened",
		SourceBranch: source,
		TargetBranch: target,
		Draft:        isDraft(title),
		AuthorID:     u.ID,
		CreatedAt:    t,
		UpdatedAt:    t,
	}
	c.apply(p, &mr, ch)
	if !c.validate(p, &mr, nil) {
		return
	}
	created := c.s.insertMergeRequest(p, mr)
	writeJSON(c.w, http.StatusCreated, c.s.mergeRequestJSON(p, created, level))
}

func (c *call) updateMergeRequest() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	v := validation{p: c.params}
	title, hasTitle := v.optionalString("title", false)
	target, hasTarget := v.optionalString("target_branch", false)
	stateEvent := ""
	if v.p.has("state_event") {
		stateEvent = v.enum("state_event", "", "close", "reopen")
	}
	locked, hasLocked := v.optionalBool("discussion_locked")
	ch := readChanges(&v)
	if hasLocked {
		ch.discussionLocked = &locked
	}
	v.atLeastOneOf(updateParams...)
	if !v.check(c.w) {
		return
	}
	p, level, ok := c.findProject(u)
	if !ok {
		return
	}
	// The IID is not declared for this route, so a non-numeric one simply
	// finds nothing.
	iid, _ := asInt(c.r.PathValue("iid"))
	stored := p.mergeRequest(iid)
	if stored == nil {
		recordNotFound(c.w)
		return
	}
	if level < Developer {
		forbidden(c.w)
		return
	}

	mr := copyMergeRequest(stored)
	if hasTitle {
		mr.Title = title
		mr.Draft = isDraft(title)
	}
	if hasTarget {
		mr.TargetBranch = target
	}
	c.apply(p, &mr, ch)
	t := now()
	var systemNote string
	switch {
	case stateEvent == "close" && mr.State == "opened":
		mr.State, mr.ClosedAt, mr.ClosedByID = "closed", t, u.ID
		systemNote = "closed"
	case stateEvent == "reopen" && mr.State == "closed":
		mr.State, mr.ClosedAt, mr.ClosedByID = "opened", time.Time{}, 0
		systemNote = "reopened"
	}
	if !c.validate(p, &mr, stored) {
		return
	}
	if !equalMergeRequests(&mr, stored) {
		mr.UpdatedAt = t
	}
	*stored = mr
	if systemNote != "" {
		c.s.addNote(p, stored.IID, u.ID, systemNote, true)
	}
	writeJSON(c.w, http.StatusOK, c.s.mergeRequestJSON(p, stored, level))
}

// validate runs the model validations and answers them the way
// handle_merge_request_errors! does. old is the stored merge request on
// update, nil on create.
func (c *call) validate(p *project, mr *MergeRequest, old *MergeRequest) bool {
	var errs fieldErrors
	if strings.TrimSpace(mr.Title) == "" {
		errs.add("title", "can't be blank")
	} else if len([]rune(mr.Title)) > 255 {
		errs.add("title", "is too long (maximum is 255 characters)")
	}
	if old == nil && len([]rune(mr.Description)) > maxDescriptionLength {
		errs.add("description", "is too long (maximum is 1048576 characters)")
	}
	if mr.SourceBranch == "" {
		errs.add("source_branch", "can't be blank")
	}
	if mr.TargetBranch == "" {
		errs.add("target_branch", "can't be blank")
	}
	if mr.SourceBranch == mr.TargetBranch {
		renderAPIError(c.w, http.StatusUnprocessableEntity,
			[]string{"You can't use same project/branch for source and target"})
		return false
	}
	if old == nil && mr.SourceBranch != "" && !c.branchExists(p, mr.SourceBranch) {
		errs.add("source_branch", "does not exist")
	}
	if (old == nil || old.TargetBranch != mr.TargetBranch) && mr.TargetBranch != "" && !c.branchExists(p, mr.TargetBranch) {
		errs.add("target_branch", "does not exist")
	}
	if mr.State == "opened" {
		for _, other := range p.mrs {
			if other != old && other.State == "opened" &&
				other.SourceBranch == mr.SourceBranch && other.TargetBranch == mr.TargetBranch {
				renderAPIError(c.w, http.StatusConflict, []string{
					"Another open merge request already exists for this source branch: !" + strconv.Itoa(other.IID),
				})
				return false
			}
		}
	}
	if len(errs) > 0 {
		renderAPIError(c.w, http.StatusBadRequest, errs)
		return false
	}
	return true
}

func equalMergeRequests(a, b *MergeRequest) bool {
	return a.Title == b.Title && a.Description == b.Description && a.State == b.State &&
		a.TargetBranch == b.TargetBranch && slices.Equal(a.Labels, b.Labels) &&
		a.Squash == b.Squash && equalBoolPtr(a.RemoveSourceBranch, b.RemoveSourceBranch) &&
		equalBoolPtr(a.DiscussionLocked, b.DiscussionLocked) &&
		slices.Equal(a.AssigneeIDs, b.AssigneeIDs) && slices.Equal(a.ReviewerIDs, b.ReviewerIDs)
}

func equalBoolPtr(a, b *bool) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
