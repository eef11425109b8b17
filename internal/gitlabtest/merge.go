package gitlabtest

// PUT /projects/:id/merge_requests/:merge_request_iid/merge: merge a merge
// request.
//
// Facts followed (gitlab-org/gitlab lib/api/merge_requests.rb,
// lib/api/helpers/merge_requests_helpers.rb, lib/api/helpers.rb,
// app/models/merge_request.rb, app/services/merge_requests/
// merge_service.rb; docs.gitlab.com/api/merge_requests "Merge a merge
// request"):
//   - A PUT authenticates first: 401 "401 Unauthorized" without a user.
//     Then the parameters are validated (400): merge_commit_message,
//     squash_commit_message and sha are strings; should_remove_source_
//     branch, merge_when_pipeline_succeeds, auto_merge and squash booleans.
//   - The project is found (404 "404 Project Not Found"), then the merge
//     request through a finder scoped to what the user may read: unknown
//     or unreadable, 404 "404 Not found".
//   - A user who may not merge into the target branch gets 401 "401
//     Unauthorized" (can_be_merged_by?). A new project protects its default
//     branch: only Maintainers and Owners merge into it; Developers merge
//     into other branches.
//   - A merge request that is not open, is a draft, or whose source or
//     target branch is gone cannot be merged now and answers 405 "405
//     Method Not Allowed" (not_allowed!). One whose branches conflict
//     answers 422 {"message":"Branch cannot be merged"}; GitLab's older
//     versions and documentation gave 406 for this. Then a sha that is not
//     the source branch's head answers 409 "SHA does not match HEAD of
//     source branch: <head>". Those checks run in this order.
//   - squash=true makes the merge request squash (it is stored). The merge
//     commit message is "Merge branch '<source>' into '<target>'", the
//     title and "See merge request <group/project>!<iid>", joined by blank
//     lines, unless merge_commit_message is given; the squash commit
//     message is the title unless squash_commit_message is.
//   - After the merge the merge request is "merged" with merged_at,
//     merged_by, merge_user and merge_commit_sha (and squash_commit_sha)
//     set, and the answer is 200 with the merge request. The source branch
//     is deleted when should_remove_source_branch says so, or, when it is
//     not given, when the merge request's force_remove_source_branch does
//     (GitLab deletes it in a background job right after the merge; here
//     before the answer). A merge that fails (the target moved) answers
//     422 "Branch cannot be merged".
//
// Not modelled: pipelines, so auto_merge and merge_when_pipeline_succeeds
// set to true are refused as unimplemented; approval rules; merge methods
// other than the default merge commit; the system note of the merge.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

func (c *call) mergeMergeRequest() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	v := validation{p: c.params}
	message, hasMessage := v.optionalString("merge_commit_message", true)
	squashMessage, hasSquashMessage := v.optionalString("squash_commit_message", true)
	removeSource, hasRemoveSource := v.optionalBool("should_remove_source_branch")
	for _, name := range []string{"merge_when_pipeline_succeeds", "auto_merge"} {
		if b, ok := v.optionalBool(name); ok && b {
			v.unimplemented(name)
		}
	}
	sha, hasSHA := v.optionalString("sha", true)
	squash, _ := v.optionalBool("squash")
	if !v.check(c.w) {
		return
	}
	p, level, ok := c.findProject(u)
	if !ok {
		return
	}
	// The IID is not declared for this route, so a non-numeric one finds
	// nothing.
	iid, _ := asInt(c.r.PathValue("iid"))
	mr := p.mergeRequest(iid)
	if mr == nil || level < Reporter {
		recordNotFound(c.w)
		return
	}
	if c.s.git == nil {
		renderError(c.w, http.StatusBadRequest, "gitlabtest does not implement merging without a repository: call SetGit")
		return
	}
	if !c.canMergeInto(p, level, mr.TargetBranch) {
		unauthorized(c.w)
		return
	}
	head := c.head(p, mr.SourceBranch)
	if mr.State != "opened" || mr.Draft || head == "" || !c.branchExists(p, mr.TargetBranch) {
		renderAPIError(c.w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	conflicts, err := c.s.git.Conflicts(p.PathWithNamespace, mr.SourceBranch, mr.TargetBranch)
	if err != nil {
		renderAPIError(c.w, http.StatusInternalServerError, "500 Internal Server Error")
		return
	}
	if conflicts {
		renderAPIError(c.w, http.StatusUnprocessableEntity, "Branch cannot be merged")
		return
	}
	if hasSHA && sha != head {
		renderAPIError(c.w, http.StatusConflict, "SHA does not match HEAD of source branch: "+head)
		return
	}
	if squash {
		mr.Squash = true
	}
	if !hasMessage {
		message = strings.Join([]string{
			"Merge branch '" + mr.SourceBranch + "' into '" + mr.TargetBranch + "'",
			mr.Title,
			"See merge request " + p.PathWithNamespace + "!" + strconv.Itoa(mr.IID),
		}, "\n\n")
	}
	if !hasSquashMessage {
		squashMessage = mr.Title
	}
	res, err := c.s.git.Merge(p.PathWithNamespace, Merge{
		Source: mr.SourceBranch, SourceSHA: head, Target: mr.TargetBranch,
		Message: message, Squash: mr.Squash, SquashMessage: squashMessage,
		Author: *u,
	})
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrMoved) {
		renderAPIError(c.w, http.StatusUnprocessableEntity, "Branch cannot be merged")
		return
	}
	if err != nil {
		renderAPIError(c.w, http.StatusInternalServerError, "500 Internal Server Error")
		return
	}
	t := now()
	mr.State, mr.MergedAt, mr.MergedByID, mr.UpdatedAt = "merged", t, u.ID, t
	mr.MergeCommitSHA, mr.SquashCommitSHA, mr.HeadSHA = res.MergeCommit, res.SquashCommit, head
	if hasRemoveSource {
		mr.ShouldRemoveSourceBranch = &removeSource
	}
	remove := mr.RemoveSourceBranch != nil && *mr.RemoveSourceBranch
	if hasRemoveSource {
		remove = removeSource
	}
	if remove {
		// GitLab's background job logs a failure; the merge stands.
		_ = c.s.git.DeleteBranch(p.PathWithNamespace, mr.SourceBranch)
	}
	writeJSON(c.w, http.StatusOK, c.s.mergeRequestJSON(p, mr, level))
}

// canMergeInto is can_be_merged_by? on a new project: its default branch
// is protected for Maintainers, other branches take Developers.
func (c *call) canMergeInto(p *project, level AccessLevel, branch string) bool {
	if branch == p.DefaultBranch {
		return level >= Maintainer
	}
	return level >= Developer
}
