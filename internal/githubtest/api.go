package githubtest

// Routing, authentication, rate limits, error bodies and pagination shared
// by every endpoint.
//
// Facts followed (docs.github.com: "Authenticating to the REST API",
// "Troubleshooting the REST API", "Rate limits for the REST API", "Using
// pagination in the REST API", "Best practices for using the REST API"):
//   - A token is sent as "Authorization: Bearer <token>" or
//     "Authorization: token <token>". One that matches nothing answers 401
//     {"message":"Bad credentials","documentation_url":
//     "https://docs.github.com/rest","status":"401"}.
//   - A private repository the caller cannot see, or that does not exist,
//     answers 404 {"message":"Not Found",...}: GitHub does not confirm that
//     it exists. A caller that may see it but lacks the permission for a
//     write answers 403 "Resource not accessible by personal access token"
//     (by integration, for a GitHub App installation token).
//   - A request without a User-Agent header is refused with 403.
//   - Error bodies carry message, documentation_url and status (a string);
//     validation failures are 422 {"message":"Validation Failed","errors":
//     [{"resource":…,"field":…,"code":…}] or [{"resource":…,"code":
//     "custom","message":…}]}; a body that is not JSON is 400 "Problems
//     parsing JSON"; a property of the wrong type is 422 "Invalid request.
//     \n\nFor 'properties/<name>', <value> is not a <type>."
//   - Every response carries x-ratelimit-limit, -remaining, -used, -reset
//     (UTC epoch seconds) and -resource ("core"). Authenticated requests
//     count against the user's 5,000 an hour, unauthenticated ones against
//     60 an hour. Past the limit GitHub answers 403 (or 429) with
//     x-ratelimit-remaining 0 until x-ratelimit-reset. A secondary rate
//     limit answers 403 (or 429) with a message saying so, and may send
//     retry-after.
//   - Lists take per_page (default 30, at most 100) and page (from 1). A
//     list that fits on one page has no link header; otherwise link holds
//     rel="prev", "next", "last" and "first", in that order, each present
//     where it applies, pointing at /repositories/<id>/… with the request's
//     query and page replaced.
//   - Successful writes answer 201 for a create (a pull request, a
//     comment, review requests, assignees), 200 for an update and for
//     adding labels, 204 for a delete.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const docsRoot = "https://docs.github.com/rest"

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(*call)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.handle(w, r, h) })
		// Link headers point at the repository by ID; follow them too.
		if rest, ok := strings.CutPrefix(pattern, "GET /repos/{owner}/{repo}/"); ok {
			mux.HandleFunc("GET /repositories/{id}/"+rest, func(w http.ResponseWriter, r *http.Request) { s.handle(w, r, h) })
		}
	}
	handle("GET /repos/{owner}/{repo}/pulls", (*call).listPulls)
	handle("POST /repos/{owner}/{repo}/pulls", (*call).createPull)
	handle("GET /repos/{owner}/{repo}/pulls/{number}", (*call).getPull)
	handle("PATCH /repos/{owner}/{repo}/pulls/{number}", (*call).updatePull)
	handle("POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers", (*call).requestReviewers)
	handle("GET /repos/{owner}/{repo}/pulls/{number}/reviews", (*call).listReviews)
	handle("GET /repos/{owner}/{repo}/issues/{number}/comments", (*call).listComments)
	handle("POST /repos/{owner}/{repo}/issues/{number}/comments", (*call).createComment)
	handle("DELETE /repos/{owner}/{repo}/issues/comments/{id}", (*call).deleteComment)
	handle("POST /repos/{owner}/{repo}/issues/{number}/labels", (*call).addLabels)
	handle("POST /repos/{owner}/{repo}/issues/{number}/assignees", (*call).addAssignees)
	handle("GET /repos/{owner}/{repo}/assignees/{login}", (*call).checkAssignee)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", docsRoot)
	})
	return mux
}

// call is one request being handled, with the server locked.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	user *User
	kind TokenKind
	body map[string]any
}

// serve logs the request, answers faults, and checks the user agent, the
// token and the rate limit before the route's handler runs.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	entry := Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery}
	rec := &statusRecorder{ResponseWriter: w, log: func(status int) {
		entry.Status = status
		s.logMu.Lock()
		s.requests = append(s.requests, entry)
		s.logMu.Unlock()
	}}
	f := s.takeFault(r)
	switch {
	case f != nil && f.Drop:
		if f.AfterHandling {
			s.mux.ServeHTTP(httptest.NewRecorder(), r)
		}
		rec.log(0)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	case f != nil && f.AfterHandling:
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
		s.writeFault(rec, r, f)
		return
	case f != nil:
		s.writeFault(rec, r, f)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, h func(*call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, w: w, r: r}
	if r.Header.Get("User-Agent") == "" {
		writeError(w, http.StatusForbidden, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.", docsRoot+"/using-the-rest-api/getting-started-with-the-rest-api#user-agent")
		return
	}
	if tok := bearer(r); tok != "" {
		t, ok := s.tokens[tok]
		if !ok {
			s.rateHeaders(w, "", false)
			writeError(w, http.StatusUnauthorized, "Bad credentials", docsRoot)
			return
		}
		c.user, c.kind = t.user, t.kind
	}
	if !s.countRequest(w, c.bucket()) {
		return
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		data, _ := io.ReadAll(r.Body)
		if len(bytes.TrimSpace(data)) > 0 {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				writeError(w, http.StatusBadRequest, "Problems parsing JSON", docsRoot)
				return
			}
			switch v := v.(type) {
			case map[string]any:
				c.body = v
			case []any:
				// Adding labels takes a bare array too.
				c.body = map[string]any{"": v}
			default:
				writeError(w, http.StatusBadRequest, "Problems parsing JSON", docsRoot)
				return
			}
		}
	}
	if c.body == nil {
		c.body = map[string]any{}
	}
	h(c)
}

// bearer reads the token from the Authorization header.
func bearer(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "bearer ", "token ", "Token "} {
		if t, ok := strings.CutPrefix(auth, scheme); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

func (c *call) bucket() string {
	if c.user == nil {
		return ""
	}
	return c.user.Login
}

// window returns a bucket's current window, starting a new one when the
// last has reset.
func (s *Server) window(bucket string) *window {
	now := s.now()
	win := s.windows[bucket]
	if win == nil || !now.Before(win.reset) {
		limit := s.limit
		if bucket == "" {
			limit = 60
		}
		win = &window{limit: limit, reset: now.Add(time.Hour).Truncate(time.Second)}
		s.windows[bucket] = win
	}
	return win
}

func (s *Server) rateHeaders(w http.ResponseWriter, bucket string, count bool) *window {
	win := s.window(bucket)
	if count && win.used < win.limit {
		win.used++
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(win.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(win.limit-win.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(win.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(win.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return win
}

// countRequest counts a request against its bucket's window, or answers
// the primary rate limit's refusal when the window is used up.
func (s *Server) countRequest(w http.ResponseWriter, bucket string) bool {
	win := s.window(bucket)
	if win.used >= win.limit {
		s.rateHeaders(w, bucket, false)
		s.primaryRefusal(w, bucket, http.StatusForbidden)
		return false
	}
	s.rateHeaders(w, bucket, true)
	return true
}

func (s *Server) primaryRefusal(w http.ResponseWriter, bucket string, status int) {
	who := "your IP address"
	if u := s.users[bucket]; u != nil {
		who = fmt.Sprintf("user ID %d", u.ID)
	}
	writeError(w, status, "API rate limit exceeded for "+who+".", docsRoot+"/using-the-rest-api/rate-limits-for-the-rest-api")
}

// takeFault returns the first fault that matches r, counting it down.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	_, route := s.mux.Handler(r)
	for i, f := range s.faults {
		if f.Route != "" && f.Route != route {
			continue
		}
		if f.Times--; f.Times == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bucket := ""
	if t := s.tokens[bearer(r)]; t != nil {
		bucket = t.user.Login
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := f.Status
	switch f.RateLimit {
	case Primary:
		if status == 0 {
			status = http.StatusForbidden
		}
		// The window is used up until the reset: later requests are
		// refused too, as on GitHub.
		win := s.window(bucket)
		reset := f.Reset
		if reset == 0 {
			reset = time.Hour
		}
		win.used, win.reset = win.limit, s.now().Add(reset).Truncate(time.Second)
		s.rateHeaders(w, bucket, false)
		s.primaryRefusal(w, bucket, status)
	case Secondary:
		if status == 0 {
			status = http.StatusForbidden
		}
		s.rateHeaders(w, bucket, true)
		writeError(w, status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"https://docs.github.com/free-pro-team@latest/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits")
	default:
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		s.rateHeaders(w, bucket, true)
		writeError(w, status, http.StatusText(status), docsRoot)
	}
}

// statusRecorder logs a request when its status is written, before the
// answer reaches the client.
type statusRecorder struct {
	http.ResponseWriter
	log    func(status int)
	logged bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.logged {
		r.logged = true
		r.log(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.logged {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// writeJSON answers v as GitHub does: compact JSON in UTF-8.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("githubtest: encoding response: " + err.Error())
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// apiError is GitHub's error body.
type apiError struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
}

// fieldError is one entry of a 422's errors.
type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func writeError(w http.ResponseWriter, status int, message, doc string, errs ...fieldError) {
	writeJSON(w, status, apiError{Message: message, Errors: errs, DocumentationURL: doc, Status: strconv.Itoa(status)})
}

func (c *call) validationFailed(doc string, errs ...fieldError) {
	writeError(c.w, http.StatusUnprocessableEntity, "Validation Failed", doc, errs...)
}

// notFound hides what the caller may not see.
func (c *call) notFound(doc string) { writeError(c.w, http.StatusNotFound, "Not Found", doc) }

// findRepo is the repository of the path, if the caller may see it.
func (c *call) findRepo(doc string) (*repo, Permission, bool) {
	r := c.s.repo(c.r.PathValue("owner"), c.r.PathValue("repo"))
	if id := c.r.PathValue("id"); id != "" && c.r.PathValue("owner") == "" {
		n, _ := strconv.Atoi(id)
		for _, q := range c.s.repos {
			if q.ID == n {
				r = q
			}
		}
	}
	if r == nil || c.user == nil || r.perms[c.user.Login] < Read {
		c.notFound(doc)
		return nil, None, false
	}
	return r, r.perms[c.user.Login], true
}

// may answers 403 unless the caller has at least need.
func (c *call) may(have, need Permission, doc string) bool {
	if have >= need {
		return true
	}
	by := "personal access token"
	if c.kind == Installation {
		by = "integration"
	}
	writeError(c.w, http.StatusForbidden, "Resource not accessible by "+by, doc)
	return false
}

// known refuses query parameters outside names, so that no filter is
// silently dropped.
func (c *call) known(names ...string) bool {
	for k := range c.r.URL.Query() {
		if !slices.Contains(names, k) {
			writeError(c.w, http.StatusBadRequest, "githubtest does not model the query parameter "+strconv.Quote(k), docsRoot)
			return false
		}
	}
	for k := range c.body {
		if !slices.Contains(names, k) {
			writeError(c.w, http.StatusBadRequest, "githubtest does not model the property "+strconv.Quote(k), docsRoot)
			return false
		}
	}
	return true
}

// str reads a string property; ok is false when it was answered with 422.
func (c *call) str(name, doc string) (v string, given, ok bool) {
	raw, given := c.body[name]
	if !given {
		return "", false, true
	}
	v, isStr := raw.(string)
	if !isStr {
		c.invalid(name, raw, "string", doc)
		return "", true, false
	}
	return v, true, true
}

func (c *call) boolean(name, doc string) (v, given, ok bool) {
	raw, given := c.body[name]
	if !given {
		return false, false, true
	}
	v, isBool := raw.(bool)
	if !isBool {
		c.invalid(name, raw, "boolean", doc)
		return false, true, false
	}
	return v, true, true
}

func (c *call) strings(name, doc string) (v []string, ok bool) {
	raw, given := c.body[name]
	if !given {
		return nil, true
	}
	list, isList := raw.([]any)
	if !isList {
		c.invalid(name, raw, "array", doc)
		return nil, false
	}
	for _, e := range list {
		s, isStr := e.(string)
		if !isStr {
			c.invalid(name+"/items", e, "string", doc)
			return nil, false
		}
		v = append(v, s)
	}
	return v, true
}

func (c *call) invalid(name string, value any, typ, doc string) {
	shown, _ := json.Marshal(value)
	writeError(c.w, http.StatusUnprocessableEntity, fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not a %s.", name, shown, typ), doc)
}

func (c *call) missing(name, doc string) {
	writeError(c.w, http.StatusUnprocessableEntity, fmt.Sprintf("Invalid request.\n\n%q wasn't supplied.", name), doc)
}

// number is the {number} of the path.
func (c *call) number() int {
	n, _ := strconv.Atoi(c.r.PathValue("number"))
	return n
}

// page writes the link header for n items and returns the bounds of the
// requested page.
func (c *call) page(r *repo, n int) (lo, hi int) {
	q := c.r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	current, err := strconv.Atoi(q.Get("page"))
	if err != nil || current < 1 {
		current = 1
	}
	last := max((n+perPage-1)/perPage, 1)
	if last > 1 {
		href := func(page int) string {
			q.Set("page", strconv.Itoa(page))
			rest := c.r.URL.Path
			if i := strings.Index(rest, "/"+r.Name+"/"); strings.HasPrefix(rest, "/repos/") && i >= 0 {
				rest = rest[i+len(r.Name)+1:]
			} else if _, after, ok := strings.Cut(strings.TrimPrefix(rest, "/repositories/"), "/"); ok {
				rest = "/" + after
			}
			return "<" + c.s.baseURL + "/repositories/" + strconv.Itoa(r.ID) + rest + "?" + encode(q) + ">"
		}
		var links []string
		if current > 1 {
			links = append(links, href(min(current-1, last))+`; rel="prev"`)
		}
		if current < last {
			links = append(links, href(current+1)+`; rel="next"`, href(last)+`; rel="last"`)
		}
		if current > 1 {
			links = append(links, href(1)+`; rel="first"`)
		}
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo = min((current-1)*perPage, n)
	return lo, min(lo+perPage, n)
}

// encode keeps the parameters in a stable order, page last.
func encode(q url.Values) string {
	var keys []string
	for k := range q {
		if k != "page" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range append(keys, "page") {
		for _, v := range q[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}
