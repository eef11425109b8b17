package gitlabtest

// GET /users?username=… — how sync turns --assignee and --reviewer names
// into user IDs.
//
// Facts followed (docs.gitlab.com/api/users "List users"; gitlab-org/gitlab
// lib/api/users.rb): `username` finds the one user with that name, matched
// case-insensitively, as an array of zero or one UserBasic entries; the list
// is offset-paginated like every other; this model needs a valid token.

import (
	"net/http"
	"slices"
	"strings"
)

func (c *call) listUsers() {
	if _, ok := c.authenticate(); !ok {
		return
	}
	v := validation{p: c.params}
	username, _ := v.optionalString("username", true)
	page, perPage := v.pagination()
	v.unimplemented("search", "active", "blocked", "external", "exclude_internal", "without_project_bots", "extern_uid", "provider", "created_after", "created_before")
	if !v.check(c.w) {
		return
	}
	var ids []int
	for id, u := range c.s.users {
		if username == "" || strings.EqualFold(u.Username, username) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	q := c.newLinkQuery()
	delete(q, "id")
	lo, hi := c.paginate(len(ids), page, perPage, q)
	out := []*userJSON{}
	for _, id := range ids[lo:hi] {
		out = append(out, c.s.userJSON(id))
	}
	writeJSON(c.w, http.StatusOK, out)
}
