// Package chartrepotest serves chart repositories with upload APIs on
// loopback for tests, following the documented behaviour of:
//
//   - ChartMuseum (depth 0): GET /index.yaml, GET /charts/<file>,
//     POST /api/charts (multipart fields chart and prov, or the package as
//     the body) answering 201 {"saved":true} and 409
//     {"error":"chart already exists"}, GET and HEAD
//     /api/charts/<name>/<version>; optional basic auth answering 401
//     {"error":"unauthorized"};
//   - GitLab's Helm package registry under /api/v4/projects/<id>/packages/helm:
//     GET <channel>/index.yaml, GET <channel>/charts/<file>.tgz,
//     POST api/<channel>/charts (multipart field chart) answering 201;
//     duplicates accepted (the newest upload wins); basic auth with a
//     personal or project access token or a job token (any username) or a
//     deploy token (its own username); 401 without credentials, 403 for
//     roles below Developer on upload, 404 for an unknown project.
//
// Both build their index.yaml with Helm's repository package, as the real
// servers do.
package chartrepotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/provenance"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

// stored is one uploaded package.
type stored struct {
	meta    *chart.Metadata
	data    []byte
	prov    []byte
	created time.Time
}

// store keeps packages in upload order.
type store struct {
	mu    sync.Mutex
	files []*stored
	// Uploads counts POST requests that stored something.
	uploads int
}

func (s *store) add(data, prov []byte, now time.Time) (*stored, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	st := &stored{meta: ch.Metadata, data: data, prov: prov, created: now}
	s.files = append(s.files, st)
	s.uploads++
	return st, nil
}

// latest returns the newest upload of a chart version.
func (s *store) latest(name, version string) *stored {
	for i := len(s.files) - 1; i >= 0; i-- {
		if f := s.files[i]; f.meta.Name == name && f.meta.Version == version {
			return f
		}
	}
	return nil
}

func (s *store) byFile(file string) *stored {
	for i := len(s.files) - 1; i >= 0; i-- {
		f := s.files[i]
		if f.meta.Name+"-"+f.meta.Version+".tgz" == file {
			return f
		}
	}
	return nil
}

// index builds index.yaml with Helm's repository package: one entry per
// chart version (the newest upload), urls relative with the given prefix.
func (s *store) index(prefix string, serverInfo map[string]any) ([]byte, error) {
	idx := repo.NewIndexFile()
	seen := map[string]bool{}
	for i := len(s.files) - 1; i >= 0; i-- {
		f := s.files[i]
		key := f.meta.Name + " " + f.meta.Version
		if seen[key] {
			continue
		}
		seen[key] = true
		digest, err := provenance.Digest(bytes.NewReader(f.data))
		if err != nil {
			return nil, err
		}
		if err := idx.MustAdd(f.meta, prefix+f.meta.Name+"-"+f.meta.Version+".tgz", "", digest); err != nil {
			return nil, err
		}
		cv := idx.Entries[f.meta.Name][len(idx.Entries[f.meta.Name])-1]
		cv.Created = f.created
	}
	idx.SortEntries()
	idx.Generated = time.Now()
	idx.ServerInfo = serverInfo
	return yaml.Marshal(idx)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ChartMuseum is a ChartMuseum-compatible server.
type ChartMuseum struct {
	// Username and Password, when set, are required (basic auth) on the
	// API routes, and on the index and downloads too when AuthGet is set.
	Username, Password string
	AuthGet            bool
	store
}

// Uploads counts the uploads that stored a package.
func (c *ChartMuseum) Uploads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uploads
}

// Handler serves the API.
func (c *ChartMuseum) Handler() http.Handler {
	return http.HandlerFunc(c.serve)
}

func (c *ChartMuseum) authorized(r *http.Request) bool {
	if c.Username == "" && c.Password == "" {
		return true
	}
	if r.Method == http.MethodGet && !c.AuthGet && !strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	u, p, ok := r.BasicAuth()
	return ok && u == c.Username && p == c.Password
}

func (c *ChartMuseum) serve(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="ChartMuseum"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := r.URL.Path
	switch {
	case p == "/index.yaml" && r.Method == http.MethodGet:
		data, err := c.index("charts/", nil)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/x-yaml")
		_, _ = w.Write(data)
	case strings.HasPrefix(p, "/charts/") && r.Method == http.MethodGet:
		name := strings.TrimPrefix(p, "/charts/")
		if file, ok := strings.CutSuffix(name, ".prov"); ok {
			if f := c.byFile(file); f != nil && f.prov != nil {
				w.Header().Set("Content-Type", "application/pgp-signature")
				_, _ = w.Write(f.prov)
				return
			}
		} else if f := c.byFile(name); f != nil {
			w.Header().Set("Content-Type", "application/x-tar")
			_, _ = w.Write(f.data)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "object not found"})
	case p == "/api/charts" && r.Method == http.MethodPost:
		c.upload(w, r)
	case strings.HasPrefix(p, "/api/charts/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		parts := strings.Split(strings.TrimPrefix(p, "/api/charts/"), "/")
		if len(parts) != 2 {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		f := c.latest(parts[0], parts[1])
		if f == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no chart version found for %s-%s", parts[0], parts[1])})
			return
		}
		digest, _ := provenance.Digest(bytes.NewReader(f.data))
		writeJSON(w, http.StatusOK, &repo.ChartVersion{Metadata: f.meta, URLs: []string{"charts/" + parts[0] + "-" + parts[1] + ".tgz"}, Created: f.created, Digest: digest})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

func (c *ChartMuseum) upload(w http.ResponseWriter, r *http.Request) {
	var data, prov []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var err error
		if data, err = formFile(r, "chart"); err == nil {
			prov, err = formFile(r, "prov")
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		if data == nil && prov == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "no package or provenance file found in form fields chart and prov"})
			return
		}
	} else {
		data, _ = io.ReadAll(r.Body)
	}
	if data == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a provenance file needs its package in this server"})
		return
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if c.latest(ch.Metadata.Name, ch.Metadata.Version) != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "chart already exists"})
		return
	}
	if _, err := c.add(data, prov, time.Now()); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]bool{"saved": true})
}

func formFile(r *http.Request, field string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	if err == http.ErrMissingFile {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// TokenKind is how GitLab knows a token.
type TokenKind int

// Kinds of GitLab tokens the Helm registry accepts.
const (
	// AccessToken is a personal, project or group access token (scope api).
	AccessToken TokenKind = iota
	// JobToken is a CI job's CI_JOB_TOKEN.
	JobToken
	// DeployToken is a deploy token with package registry scopes; its
	// username must be given with it.
	DeployToken
)

// Token is a credential the GitLab server accepts.
type Token struct {
	Kind TokenKind
	// Username is checked for deploy tokens only.
	Username string
	// Write allows uploads (role Developer or higher, or
	// write_package_registry for deploy tokens).
	Write bool
}

// GitLab is GitLab's Helm package registry for the projects it knows.
type GitLab struct {
	mu       sync.Mutex
	projects map[string]*gitlabProject // by ID and by path
	tokens   map[string]Token
}

type gitlabProject struct {
	id       int
	path     string
	channels map[string]*store
}

// NewGitLab returns a registry without projects or tokens.
func NewGitLab() *GitLab {
	return &GitLab{projects: map[string]*gitlabProject{}, tokens: map[string]Token{}}
}

// AddProject adds a private project.
func (g *GitLab) AddProject(id int, path string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := &gitlabProject{id: id, path: path, channels: map[string]*store{}}
	g.projects[strconv.Itoa(id)] = p
	g.projects[path] = p
}

// AddToken lets token in.
func (g *GitLab) AddToken(token string, t Token) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens[token] = t
}

// Uploads counts the packages stored in a project's channel.
func (g *GitLab) Uploads(project, channel string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p := g.projects[project]; p != nil && p.channels[channel] != nil {
		return p.channels[channel].uploads
	}
	return 0
}

// Handler serves /api/v4/projects/<id>/packages/helm/…; mount it at /.
func (g *GitLab) Handler() http.Handler { return http.HandlerFunc(g.serve) }

func (g *GitLab) serve(w http.ResponseWriter, r *http.Request) {
	msg := func(status int, text string) {
		writeJSON(w, status, map[string]string{"message": text})
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v4/projects/")
	if !ok {
		msg(http.StatusNotFound, "404 Not Found")
		return
	}
	rawID, rest, _ := strings.Cut(rest, "/")
	id, err := url.PathUnescape(rawID)
	if err != nil {
		msg(http.StatusNotFound, "404 Not Found")
		return
	}
	rest, ok = strings.CutPrefix(rest, "packages/helm/")
	if !ok {
		msg(http.StatusNotFound, "404 Not Found")
		return
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	user, pass, hasAuth := r.BasicAuth()
	tok, known := g.tokens[pass]
	if !hasAuth {
		msg(http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	if !known || (tok.Kind == DeployToken && tok.Username != user) {
		msg(http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	p := g.projects[id]
	if p == nil {
		msg(http.StatusNotFound, "404 Project Not Found")
		return
	}
	segs := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodPost && len(segs) == 3 && segs[0] == "api" && segs[2] == "charts":
		if !tok.Write {
			msg(http.StatusForbidden, "403 Forbidden")
			return
		}
		data, err := formFile(r, "chart")
		if err != nil || data == nil {
			msg(http.StatusBadRequest, "400 Bad request - chart is missing")
			return
		}
		st := p.channels[segs[1]]
		if st == nil {
			st = &store{}
			p.channels[segs[1]] = st
		}
		if _, err := st.add(data, nil, time.Now()); err != nil {
			msg(http.StatusBadRequest, "400 Bad request - "+err.Error())
			return
		}
		msg(http.StatusCreated, "201 Created")
	case r.Method == http.MethodGet && len(segs) == 2 && segs[1] == "index.yaml":
		st := p.channels[segs[0]]
		if st == nil {
			st = &store{}
		}
		data, err := st.index("charts/", map[string]any{"contextPath": fmt.Sprintf("/api/v4/projects/%d/packages/helm", p.id)})
		if err != nil {
			msg(http.StatusInternalServerError, "500 Internal Server Error")
			return
		}
		w.Header().Set("Content-Type", "text/yaml")
		_, _ = w.Write(data)
	case r.Method == http.MethodGet && len(segs) == 3 && segs[1] == "charts":
		file := segs[2]
		if !strings.HasSuffix(file, ".tgz") {
			msg(http.StatusNotFound, "404 Format "+strings.TrimPrefix(file[strings.LastIndex(file, ".")+1:], ".")+" Not Found")
			return
		}
		st := p.channels[segs[0]]
		var f *stored
		if st != nil {
			f = st.byFile(file)
		}
		if f == nil {
			msg(http.StatusNotFound, "404 Not Found")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(f.data)
	default:
		msg(http.StatusNotFound, "404 Not Found")
	}
}
