package gitlabtest

// GET /user, GET /projects/:id and GET /projects/:id/repository/branches/:branch.
//
// Facts followed (gitlab-org/gitlab lib/api/users.rb, lib/api/projects.rb,
// lib/api/branches.rb, lib/api/helpers.rb):
//   - /user authenticates in a before filter: 401 without a valid token,
//     otherwise the current user (UserPublic).
//   - /projects/:id answers the project through find_project!: 404
//     "404 Project Not Found" for unknown or invisible projects, including
//     for anonymous requests to private projects.
//   - The branch endpoint first requires the download_code ability (403
//     "403 Forbidden" for a Guest on a private project), then find_branch!:
//     404 "404 Branch Not Found" when the branch does not exist. The branch
//     name is one path segment, so a slash in it arrives as %2F.

import "net/http"

func (c *call) getCurrentUser() {
	u, ok := c.authenticate()
	if !ok {
		return
	}
	var email *string
	if u.Email != "" {
		email = &u.Email
	}
	writeJSON(c.w, http.StatusOK, currentUserJSON{
		userJSON: *c.s.userJSON(u.ID),
		Email:    email,
	})
}

func (c *call) getProject() {
	v := validation{p: c.params}
	v.optionalBool("statistics")
	v.optionalBool("license")
	v.optionalBool("with_custom_attributes")
	if !v.check(c.w) {
		return
	}
	_, p, level, ok := c.userProject()
	if !ok {
		return
	}
	writeJSON(c.w, http.StatusOK, c.s.projectJSON(p, level))
}

func (c *call) getBranch() {
	_, p, level, ok := c.userProject()
	if !ok {
		return
	}
	if level < Reporter {
		forbidden(c.w)
		return
	}
	name := c.r.PathValue("branch")
	if !c.branchExists(p, name) {
		notFound(c.w, "Branch")
		return
	}
	isDefault := name == p.DefaultBranch
	writeJSON(c.w, http.StatusOK, branchJSON{
		Name: name,
		// The server has no repository, so there is no commit to show.
		Commit: nil,
		// New projects protect their default branch for maintainers.
		Protected: isDefault,
		CanPush:   level >= Maintainer || (level >= Developer && !isDefault),
		Default:   isDefault,
		WebURL:    p.WebURL + "/-/tree/" + name,
	})
}
