package command

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const token = "glpat-Cmd-Sync-Secret-91c3"

type servers struct {
	git     *gittest.Server
	bare    string
	repoURL string
	api     *gitlabtest.Server
	dist    string
}

func start(t *testing.T) *servers {
	t.Helper()
	s := &servers{git: &gittest.Server{Root: t.TempDir(), Token: token}}
	var err error
	s.bare, err = s.git.CreateRepo("g/manifests", map[string]string{"README.md": "hi\n", "old.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.git.Handler())
	t.Cleanup(hs.Close)
	s.repoURL = hs.URL + "/g/manifests.git"
	s.api = gitlabtest.NewServer()
	t.Cleanup(s.api.Close)
	s.api.AddProject(gitlabtest.Project{PathWithNamespace: "g/manifests"})
	s.api.AddToken(token, gitlabtest.User{Username: "bot"}, gitlabtest.Developer)
	s.dist = filepath.Join(t.TempDir(), "dist")
	if err := os.MkdirAll(s.dist, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"hello.k8s.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n",
		"old.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n",
	} {
		if err := os.WriteFile(filepath.Join(s.dist, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// ciEnv is what a GitLab CI job on the default branch has.
func (s *servers) ciEnv(extra map[string]string) func(string) string {
	env := map[string]string{
		"CI_SERVER_URL":       s.api.URL(),
		"CI_PROJECT_URL":      "https://gitlab.example.com/g/app",
		"CI_COMMIT_SHA":       "aaaaaaaabbbbbbbbccccccccddddddddeeeeeeee",
		"CI_COMMIT_SHORT_SHA": "aaaaaaaa",
		"CI_COMMIT_TITLE":     "Say hello",
		"GITLAB_USER_NAME":    "Jane Doe",
		"GITLAB_USER_EMAIL":   "jane@example.com",
		"GITLAB_TOKEN":        token,
	}
	for k, v := range extra {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

func TestSync(t *testing.T) {
	tests := []struct {
		name   string
		args   func(s *servers) []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
		// contacted reports whether git or GitLab may be called.
		contacted bool
	}{
		{
			name: "merge request", code: 0, contacted: true,
			args:   func(s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			stdout: []string{"objects: 1 added, 0 changed, 0 removed", "merge request !1: "},
		},
		{
			name: "job token only", code: 2,
			args:   func(s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			env:    map[string]string{"GITLAB_TOKEN": "", "CI_JOB_TOKEN": "job-token-xyz"},
			stderr: []string{"CI_JOB_TOKEN", "api", "write_repository", "Developer"},
		},
		{
			name: "no repo", code: 2,
			args:   func(s *servers) []string { return []string{"--dist", s.dist} },
			stderr: []string{"--repo"},
		},
		{
			name: "bad flag", code: 2,
			args:   func(s *servers) []string { return []string{"--nope"} },
			stderr: []string{"unknown flag"},
		},
		{
			name: "bad mode", code: 2,
			args:   func(s *servers) []string { return []string{"--repo", s.repoURL, "--mode", "yolo"} },
			stderr: []string{"--mode"},
		},
		{
			name: "empty dist", code: 1,
			args:   func(s *servers) []string { return []string{"--repo", s.repoURL, "--dist", t.TempDir()} },
			stderr: []string{"holds no Kubernetes objects"},
		},
		{
			name: "a .json manifest Flux would not apply", code: 1, contacted: true,
			args: func(s *servers) []string {
				writeJSONManifest(t, s.dist)
				return []string{"--repo", s.repoURL, "--dist", s.dist}
			},
			stderr: []string{"refused: Flux would not apply extra.json", "--allow-json"},
		},
		{
			name: "a .json manifest allowed", code: 0, contacted: true,
			args: func(s *servers) []string {
				writeJSONManifest(t, s.dist)
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--allow-json"}
			},
			stdout: []string{"flux: builds the repository root (2 objects)", "merge request !1: "},
		},
		{
			name: "bad flux path", code: 2,
			args: func(s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--flux-path", "../up"}
			},
			stderr: []string{`--flux-path "../up" leaves the repository`},
		},
		{
			name: "bad token", code: 1, contacted: true,
			args:   func(s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			env:    map[string]string{"GITLAB_TOKEN": "glpat-not-the-right-one"},
			stderr: []string{"token was not accepted"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			t.Chdir(t.TempDir()) // the report lands here
			var stdout, stderr bytes.Buffer
			code := runSync(tt.args(s), s.ciEnv(tt.env), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, secret := range []string{token, "glpat-not-the-right-one", "job-token-xyz"} {
				if strings.Contains(stdout.String()+stderr.String(), secret) {
					t.Errorf("output shows a secret:\n%s\n%s", stdout.String(), stderr.String())
				}
			}
			if !tt.contacted && (len(s.git.Requests()) > 0 || len(s.api.Requests()) > 0) {
				t.Error("the servers were contacted")
			}
		})
	}
}

// writeJSONManifest adds a ConfigMap as JSON to dist.
func writeJSONManifest(t *testing.T, dist string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dist, "extra.json"), []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCommitAndMergeRequestCarryNoSecret(t *testing.T) {
	s := start(t)
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := runSync([]string{"--repo", s.repoURL, "--dist", s.dist, "--labels", "deploy"}, s.ciEnv(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	log, err := gittest.Git(s.bare, "log", "--all", "--format=%an %ae %cn %ce %B")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "Jane Doe jane@example.com Jane Doe jane@example.com Say hello") {
		t.Errorf("commit identity or subject wrong:\n%s", log)
	}
	report, err := os.ReadFile("sync.env")
	if err != nil {
		t.Fatal(err)
	}
	everything := log + string(report) + stdout.String() + stderr.String()
	for _, mr := range s.api.MergeRequests(1) {
		everything += mr.Title + mr.Description
	}
	if strings.Contains(everything, token) {
		t.Error("the token appears in the commit, the report, the output or the merge request")
	}
}
