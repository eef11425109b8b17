// Package gittest serves real bare git repositories over git's smart HTTP
// protocol, through `git http-backend`, for tests and the local pipeline
// run. Pushing needs the token as the basic-auth password (any user name),
// as with GitLab (GitHub can be asked to want a given user name with it);
// reading does too.
package gittest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// HTTPBackend is where Debian and most distributions install git's CGI
// program.
const HTTPBackend = "/usr/lib/git-core/git-http-backend"

// Server serves every bare repository under Root at /<name>.git.
type Server struct {
	// Root holds the bare repositories.
	Root string
	// Token is the password every request must carry.
	Token string
	// User, when set, is the user name that must come with the token, as
	// GitHub wants "x-access-token" with an installation token; any user
	// name passes when it is empty, as on GitLab.
	User string

	mu       sync.Mutex
	requests []string
	faults   []*Fault
}

// Fault is a failure the server answers with instead of git's own answer.
type Fault struct {
	// Request limits the fault to requests whose "METHOD path?query"
	// contains it, such as "POST /g/m.git/git-receive-pack"; "" matches
	// every request.
	Request string
	// Status is the HTTP status answered, 503 if zero.
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header.
	RetryAfter string
	// After has git handle the request in full first (a push is applied),
	// and only the answer replaced: a proxy that timed out on a slow
	// request, or a connection lost on the way back.
	After bool
	// Drop closes the connection instead of answering; Status is ignored.
	Drop bool
	// Times is how many matching requests fail; 1 if zero.
	Times int
}

// Handler records the request, answers any fault injected for it, checks
// the token, then hands the request to git http-backend.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery
		s.mu.Lock()
		s.requests = append(s.requests, line)
		fault := s.takeFault(line)
		s.mu.Unlock()
		if fault == nil {
			s.serveGit(w, r)
			return
		}
		if fault.After {
			// Handle the request for real, then lose the answer.
			s.serveGit(httptest.NewRecorder(), r)
		}
		fault.write(w)
	})
}

// serveGit checks the token, then hands the request to git http-backend.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || pass != s.Token || (s.User != "" && user != s.User) {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
		return
	}
	h := &cgi.Handler{
		Path: HTTPBackend,
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.Root,
			"GIT_HTTP_EXPORT_ALL=1",
			// With REMOTE_USER set, http-backend accepts pushes.
			"REMOTE_USER=" + user,
		},
	}
	h.ServeHTTP(w, r)
}

func (s *Server) takeFault(line string) *Fault {
	for i, f := range s.faults {
		if strings.Contains(line, f.Request) {
			if f.Times <= 1 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			} else {
				f.Times--
			}
			return f
		}
	}
	return nil
}

func (f *Fault) write(w http.ResponseWriter) {
	if f.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	http.Error(w, http.StatusText(status), status)
}

// Requests returns "METHOD path?query" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// FailNext makes the next n requests answer 503.
func (s *Server) FailNext(n int) { s.Inject(Fault{Times: n}) }

// Inject adds a fault; faults match requests in the order they were added.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// SetHook installs a server-side hook (pre-receive, update, …) in a bare
// repository: a shell script run by git-receive-pack, whose output reaches
// the client as "remote:" lines, as GitLab's own hooks do.
func SetHook(bare, name, script string) error {
	return os.WriteFile(filepath.Join(bare, "hooks", name), []byte("#!/bin/sh\n"+script), 0o755)
}

// CreateRepo makes a bare repository <name>.git with branch main holding
// files after history commits (the earlier ones change a HISTORY file, so a
// long history costs clones that are not shallow). It returns the
// repository's directory. History is written with one git fast-import, so
// thousands of commits take a moment.
func (s *Server) CreateRepo(name string, files map[string]string, history int) (string, error) {
	bare := filepath.Join(s.Root, name+".git")
	if _, err := Git("", "init", "-q", "--bare", "-b", "main", bare); err != nil {
		return "", err
	}
	var stream bytes.Buffer
	commit := func(n int, msg string, blobs map[string]string) {
		fmt.Fprintf(&stream, "commit refs/heads/main\nmark :%d\ncommitter Seed <seed@example.com> %d +0000\ndata %d\n%s\n", n, 1700000000+n, len(msg), msg)
		if n > 1 {
			fmt.Fprintf(&stream, "from :%d\n", n-1)
		}
		paths := make([]string, 0, len(blobs))
		for p := range blobs {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", p, len(blobs[p]), blobs[p])
		}
	}
	for i := 1; i < history; i++ {
		commit(i, fmt.Sprintf("history %d", i), map[string]string{"HISTORY": fmt.Sprintf("%d\n", i)})
	}
	commit(max(history, 1), "initial content", files)
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = bare
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("git fast-import: %v: %s", err, out)
	}
	return bare, nil
}

// Git runs git in dir with a fixed identity and no user or system
// configuration, and returns its standard output.
func Git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Seed", "GIT_AUTHOR_EMAIL=seed@example.com",
		"GIT_COMMITTER_NAME=Seed", "GIT_COMMITTER_EMAIL=seed@example.com",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Files returns every file of ref in a bare repository, path → content.
func Files(bare, ref string) (map[string]string, error) {
	list, err := Git(bare, "ls-tree", "-r", "--name-only", ref)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range strings.Fields(list) {
		content, err := Git(bare, "show", ref+":"+p)
		if err != nil {
			return nil, err
		}
		out[p] = content
	}
	return out, nil
}

// Branches returns the branches of a bare repository, sorted.
func Branches(bare string) ([]string, error) {
	out, err := Git(bare, "for-each-ref", "--format=%(refname:short)", "refs/heads/")
	if err != nil {
		return nil, err
	}
	b := strings.Fields(out)
	sort.Strings(b)
	return b, nil
}

// Snapshot is the state of every ref of a bare repository: comparing two
// proves a repository was left as it was.
func Snapshot(bare string) (string, error) {
	return Git(bare, "for-each-ref", "--format=%(refname) %(objectname)")
}
