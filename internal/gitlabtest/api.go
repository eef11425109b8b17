package gitlabtest

// Routing, authentication and project lookup shared by every endpoint.
//
// Facts followed (gitlab-org/gitlab lib/api/api.rb, lib/api/helpers.rb,
// lib/gitlab/auth/auth_finders.rb; docs.gitlab.com/api/rest/authentication):
//   - A personal access token is read from the PRIVATE-TOKEN header or the
//     private_token parameter; an OAuth-style token from "Authorization:
//     Bearer <token>" or the access_token parameter, and a personal access
//     token is accepted there too. An empty value counts as no token
//     (gitlab-org/gitlab#36367: an empty PRIVATE-TOKEN on a private project
//     answers 404 Project Not Found, not 401).
//   - A token that matches nothing answers 401 {"message":"401 Unauthorized"},
//     whenever the current user is first needed.
//   - authenticate! answers 401 without a user. Endpoints that modify data
//     call it in a before filter (authenticate_non_get!), so that 401 comes
//     ahead of parameter validation; the notes endpoints authenticate every
//     method. GET endpoints look the user up later, inside find_project!,
//     after parameters were validated.
//   - find_project! takes a numeric ID, or a full path containing "/" (the
//     client URL-encodes it as group%2Fproject), matched case-insensitively;
//     anything else, an unknown project, or a project the user cannot read
//     answers 404 {"message":"404 Project Not Found"}.
//   - Unmatched routes hit the catch-all, 404 {"error":"404 Not Found"}.
//   - POST endpoints answer 201 on success, GET and PUT 200, DELETE 204
//     with no body (destroy_conditionally!).

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(*call)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.handle(w, r, h) })
	}
	handle("GET /api/v4/user", (*call).getCurrentUser)
	handle("GET /api/v4/users", (*call).listUsers)
	handle("GET /api/v4/projects/{id}", (*call).getProject)
	handle("GET /api/v4/projects/{id}/repository/branches/{branch}", (*call).getBranch)
	handle("GET /api/v4/projects/{id}/merge_requests", (*call).listMergeRequests)
	handle("POST /api/v4/projects/{id}/merge_requests", (*call).createMergeRequest)
	handle("GET /api/v4/projects/{id}/merge_requests/{iid}", (*call).getMergeRequest)
	handle("PUT /api/v4/projects/{id}/merge_requests/{iid}", (*call).updateMergeRequest)
	handle("PUT /api/v4/projects/{id}/merge_requests/{iid}/merge", (*call).mergeMergeRequest)
	handle("GET /api/v4/projects/{id}/merge_requests/{iid}/notes", (*call).listNotes)
	handle("POST /api/v4/projects/{id}/merge_requests/{iid}/notes", (*call).createNote)
	handle("DELETE /api/v4/projects/{id}/merge_requests/{iid}/notes/{note_id}", (*call).deleteNote)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		renderError(w, http.StatusNotFound, "404 Not Found")
	})
	return mux
}

// call is one API request being handled, with the server locked.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	params params
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, h func(*call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := parseParams(r)
	if err != nil {
		renderError(w, http.StatusBadRequest, err.Error())
		return
	}
	h(&call{s: s, w: w, r: r, params: p})
}

func (c *call) token() string {
	if t := c.r.Header.Get("Private-Token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer "); ok && t != "" {
		return t
	}
	for _, name := range []string{"private_token", "access_token"} {
		if t, _ := asString(c.params[name]); t != "" {
			return t
		}
	}
	return ""
}

// currentUser resolves the token. It answers 401 and reports false for a
// token that matches nothing; no token is an anonymous (nil) user.
func (c *call) currentUser() (*User, bool) {
	t := c.token()
	if t == "" {
		return nil, true
	}
	id, ok := c.s.tokens[t]
	if !ok {
		unauthorized(c.w)
		return nil, false
	}
	return c.s.users[id], true
}

// authenticate is authenticate!: it requires a user.
func (c *call) authenticate() (*User, bool) {
	u, ok := c.currentUser()
	if ok && u == nil {
		unauthorized(c.w)
		return nil, false
	}
	return u, ok
}

// findProject is find_project! for the {id} in the path. It answers 404
// unless the user can see the project, and returns the user's role.
func (c *call) findProject(u *User) (*project, AccessLevel, bool) {
	id := c.r.PathValue("id")
	var p *project
	if n, err := strconv.Atoi(id); err == nil {
		p = c.s.projectByID(n)
	} else if strings.Contains(id, "/") {
		for _, q := range c.s.projects {
			if strings.EqualFold(q.PathWithNamespace, id) {
				p = q
			}
		}
	}
	if p == nil {
		notFound(c.w, "Project")
		return nil, NoAccess, false
	}
	level := c.s.accessLevel(u, p)
	if level < Guest {
		notFound(c.w, "Project")
		return nil, NoAccess, false
	}
	return p, level, true
}

// userProject resolves the user the way a GET endpoint does, after its
// parameters were validated, and then the project.
func (c *call) userProject() (*User, *project, AccessLevel, bool) {
	u, ok := c.currentUser()
	if !ok {
		return nil, nil, NoAccess, false
	}
	p, level, ok := c.findProject(u)
	return u, p, level, ok
}

func (c *call) branchExists(p *project, branch string) bool {
	switch {
	case c.s.branchExists != nil:
		return c.s.branchExists(p.PathWithNamespace, branch)
	case c.s.git != nil:
		head, err := c.s.git.Head(p.PathWithNamespace, branch)
		return err == nil && head != ""
	}
	return true
}

// head is the commit a branch points at, "" when it is unknown.
func (c *call) head(p *project, branch string) string {
	if c.s.git == nil {
		return ""
	}
	head, _ := c.s.git.Head(p.PathWithNamespace, branch)
	return head
}
