package command

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
)

// readReport parses a dotenv report.
func readReport(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no report: %v", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("report line %q", line)
		}
		out[k] = v
	}
	return out
}

func rev(t *testing.T, bare, ref string) string {
	t.Helper()
	out, err := gittest.Git(bare, "rev-parse", ref)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// TestReportOnEveryOutcome: the dotenv report is written whatever happens,
// and TSUMIKI_STATUS says what did.
func TestReportOnEveryOutcome(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *servers) []string
		env   map[string]string
		code  int
		want  func(s *servers) map[string]string
	}{
		{
			name:  "merge request opened",
			setup: func(t *testing.T, s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "merge-request-opened", "TSUMIKI_BRANCH": "tsumiki/aaaaaaaa", "TSUMIKI_COMMIT": rev(t, s.bare, "tsumiki/aaaaaaaa"),
					"TSUMIKI_BASE_COMMIT": rev(t, s.bare, "main"), "TSUMIKI_MR_IID": "1", "TSUMIKI_MR_URL": s.api.URL() + "/g/manifests/-/merge_requests/1",
					"TSUMIKI_OBJECTS_ADDED": "1", "TSUMIKI_OBJECTS_CHANGED": "0", "TSUMIKI_OBJECTS_REMOVED": "0"}
			},
		},
		{
			name: "no changes",
			setup: func(t *testing.T, s *servers) []string {
				os.Remove(filepath.Join(s.dist, "hello.k8s.yaml"))
				return []string{"--repo", s.repoURL, "--dist", s.dist}
			},
			want: func(s *servers) map[string]string {
				main := rev(t, s.bare, "main")
				return map[string]string{"TSUMIKI_STATUS": "no-changes", "TSUMIKI_BRANCH": "", "TSUMIKI_COMMIT": main, "TSUMIKI_BASE_COMMIT": main, "TSUMIKI_MR_IID": ""}
			},
		},
		{
			name: "dry run",
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--dry-run"}
			},
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "dry-run", "TSUMIKI_COMMIT": "", "TSUMIKI_BASE_COMMIT": rev(t, s.bare, "main"), "TSUMIKI_OBJECTS_ADDED": "1"}
			},
		},
		{
			name: "push mode",
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--mode", "push"}
			},
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "pushed", "TSUMIKI_BRANCH": "main", "TSUMIKI_COMMIT": rev(t, s.bare, "main")}
			},
		},
		{
			name: "refused", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				os.Remove(filepath.Join(s.dist, "old.yaml"))
				os.Remove(filepath.Join(s.dist, "hello.k8s.yaml"))
				os.WriteFile(filepath.Join(s.dist, "sub.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n"), 0o644)
				os.WriteFile(filepath.Join(s.dist, "more.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: more\n"), 0o644)
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--path", "", "--keep", "more.yaml"}
			},
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "refused", "TSUMIKI_COMMIT": "", "TSUMIKI_MR_IID": ""}
			},
		},
		{
			name: "failed", code: 1,
			setup: func(t *testing.T, s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			env:   map[string]string{"GITLAB_TOKEN": "glpat-not-the-right-one"},
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "failed", "TSUMIKI_BRANCH": "", "TSUMIKI_COMMIT": ""}
			},
		},
		{
			name: "usage", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--path", "../production"}
			},
			want: func(s *servers) map[string]string {
				return map[string]string{"TSUMIKI_STATUS": "failed", "TSUMIKI_BASE_COMMIT": ""}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			report := filepath.Join(t.TempDir(), "sync.env")
			args := append(tt.setup(t, s), "--report", report)
			var stdout, stderr bytes.Buffer
			if code := runSync(args, s.ciEnv(tt.env), &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, stdout.String(), stderr.String())
			}
			got := readReport(t, report)
			if len(got) != 12 || got["TSUMIKI_FORGE"] != "gitlab" || got["TSUMIKI_PR_NUMBER"] != got["TSUMIKI_MR_IID"] || got["TSUMIKI_PR_URL"] != got["TSUMIKI_MR_URL"] {
				t.Errorf("report has %d variables: %v", len(got), got)
			}
			for k, v := range tt.want(s) {
				if got[k] != v {
					t.Errorf("%s=%q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// TestFailureWording: errors name the flags and variables behind them, and
// only failures that may pass suggest running again.
func TestFailureWording(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, s *servers) []string
		env    map[string]string
		code   int
		stderr []string
		not    []string
	}{
		{
			name: "forbidden", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				s.api.AddToken("glpat-reporter-only-token", gitlabtest.User{Username: "reader"}, gitlabtest.Reporter)
				s.git.Token = "glpat-reporter-only-token"
				return []string{"--repo", s.repoURL, "--dist", s.dist}
			},
			env:    map[string]string{"GITLAB_TOKEN": "glpat-reporter-only-token"},
			stderr: []string{"(403)", "Developer role"},
			not:    []string{"run again"},
		},
		{
			name: "declined push", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				if err := gittest.SetHook(s.bare, "pre-receive", "echo 'GitLab: You are not allowed to push code to protected branches on this project.' >&2\nexit 1\n"); err != nil {
					t.Fatal(err)
				}
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--mode", "push"}
			},
			stderr: []string{"pre-receive hook declined", "GitLab: You are not allowed to push code to protected branches on this project."},
			not:    []string{"run again"},
		},
		{
			name: "path leaves the repository", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--path", "../production"}
			},
			stderr: []string{`sync: --path "../production" leaves the repository`},
		},
		{
			name: "path not clean", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--path", "a/../b"}
			},
			stderr: []string{`--path "a/../b" is not a clean path (did you mean "b"?)`},
		},
		{
			name: "branch is the base", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--branch", "main"}
			},
			stderr: []string{`--branch "main" is also --base; set --mode to push to commit to the base branch`},
		},
		{
			name: "no source commit", code: 2,
			setup:  func(t *testing.T, s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			env:    map[string]string{"CI_COMMIT_SHA": "", "CI_COMMIT_SHORT_SHA": ""},
			stderr: []string{"--branch is required when the source commit is unknown"},
		},
		{
			name: "token in the URL", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", strings.Replace(s.repoURL, "http://", "http://oauth2:"+token+"@", 1), "--dist", s.dist}
			},
			stderr: []string{"--repo", "holds a user name or password; give the token as GITLAB_TOKEN instead"},
		},
		{
			name: "bad timestamp", code: 2,
			setup:  func(t *testing.T, s *servers) []string { return []string{"--repo", s.repoURL, "--dist", s.dist} },
			env:    map[string]string{"CI_COMMIT_TIMESTAMP": "yesterday"},
			stderr: []string{`CI_COMMIT_TIMESTAMP "yesterday"`},
		},
		{
			name: "plain secret", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				os.WriteFile(filepath.Join(s.dist, "s.yaml"), []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  pw: aHVudGVyMg==\n"), 0o644)
				return []string{"--repo", s.repoURL, "--dist", s.dist}
			},
			stderr: []string{"s.yaml: Secret db has data", "--allow-secrets"},
			not:    []string{"aHVudGVyMg=="},
		},
		{
			name: "mass delete", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" }
				if _, err := s.git.CreateRepo("g/many", map[string]string{"a.yaml": cm("a"), "b.yaml": cm("b"), "c.yaml": cm("c")}, 1); err != nil {
					t.Fatal(err)
				}
				os.Remove(filepath.Join(s.dist, "old.yaml"))
				os.Remove(filepath.Join(s.dist, "hello.k8s.yaml"))
				os.WriteFile(filepath.Join(s.dist, "a.yaml"), []byte(cm("a")), 0o644)
				return []string{"--repo", strings.Replace(s.repoURL, "g/manifests", "g/many", 1), "--dist", s.dist, "--mode", "push"}
			},
			stderr: []string{"removes 2 of the 3 objects in the repository root and adds 0, leaving 1", "pass --allow-mass-delete if that is intended"},
			not:    []string{"run again"},
		},
		{
			name: "report cannot be written", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--report", filepath.Join(t.TempDir(), "missing", "sync.env")}
			},
			stderr: []string{"sync: --report: open "},
		},
		{
			name: "unknown reviewer", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--reviewer", "nobody"}
			},
			stderr: []string{`no GitLab user named "nobody" (check --assignee and --reviewer)`},
		},
		{
			name: "unknown project", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--project", "g/nope"}
			},
			stderr: []string{"project g/nope not found (404), or the token's user cannot see it (check --project)"},
			not:    []string{"run again"},
		},
		{
			name: "path is a file", code: 2,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--path", "README.md"}
			},
			stderr: []string{`--path "README.md" is not a directory of the repository: README.md is a file`},
		},
		{
			name: "no such base", code: 1,
			setup: func(t *testing.T, s *servers) []string {
				return []string{"--repo", s.repoURL, "--dist", s.dist, "--base", "production"}
			},
			stderr: []string{"branch not found: production (check --base)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			t.Chdir(t.TempDir())
			var stdout, stderr bytes.Buffer
			code := runSync(tt.setup(t, s), s.ciEnv(tt.env), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, not := range append(tt.not, token, "glpat-reporter-only-token") {
				if strings.Contains(stdout.String()+stderr.String(), not) {
					t.Errorf("output holds %q:\n%s%s", not, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// TestRunAgainOnlyWhenItMayPass: the hint to run again comes with the
// failures that may pass, and says what is done already.
func TestRunAgainOnlyWhenItMayPass(t *testing.T) {
	pushed := &deliver.Result{Branch: "tsumiki/aaaaaaaa", Commit: "0123", Pushed: true}
	tests := []struct {
		err  error
		res  *deliver.Result
		want string
	}{
		{&deliver.Transient{Err: errors.New("create merge request: 503 Service Unavailable")}, pushed,
			"create merge request: 503 Service Unavailable (the branch tsumiki/aaaaaaaa holds the change; run again to finish)"},
		{&deliver.Transient{Err: errors.New("clone: 502 Bad Gateway")}, &deliver.Result{}, "clone: 502 Bad Gateway (this may pass; run again)"},
		{fmt.Errorf("%w: main moved", deliver.ErrMoved), &deliver.Result{Branch: "main"}, "the branch moved meanwhile: main moved (this may pass; run again)"},
		{&gitlab.APIError{Op: "create merge request", Status: 403, Project: "g/m"}, pushed,
			"create merge request: the token may not do this (403): it needs the api scope and at least the Developer role on g/m"},
		{&gitlab.APIError{Op: "create merge request", Status: 404, Project: "g/m"}, pushed,
			"create merge request: project g/m not found (404), or the token's user cannot see it (check --project)"},
	}
	for _, tt := range tests {
		if got := syncError(tt.err, tt.res, forges[forgeGitLab], false).Error(); got != tt.want {
			t.Errorf("syncError(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestInterruptedSyncCleansUp: a sync stopped by SIGINT or SIGTERM while it
// clones or pushes removes its clone, writes its report, and exits 1.
func TestInterruptedSyncCleansUp(t *testing.T) {
	if _, err := exec.LookPath("sync"); err != nil {
		t.Skip("the sync command is not on PATH (run through go test)")
	}
	for _, tt := range []struct {
		name, stall string
		sig         syscall.Signal
	}{
		{"SIGTERM while cloning", "POST /g/manifests.git/git-upload-pack", syscall.SIGTERM},
		{"SIGINT while pushing", "POST /g/manifests.git/git-receive-pack", syscall.SIGINT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			arrived, exited := make(chan struct{}), make(chan struct{})
			var once sync.Once
			h := s.git.Handler()
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method+" "+r.URL.Path == tt.stall {
					once.Do(func() { close(arrived) })
					select { // hold the request until the sync is gone
					case <-exited:
					case <-time.After(time.Minute):
					}
					return
				}
				h.ServeHTTP(w, r)
			}))
			defer hs.Close()
			defer close(exited)
			tmp, report := t.TempDir(), filepath.Join(t.TempDir(), "sync.env")
			cmd := exec.Command("sync", "--repo", hs.URL+"/g/manifests.git", "--dist", s.dist, "--report", report)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=", "TMPDIR="+tmp, "GITLAB_TOKEN="+token, "CI_SERVER_URL="+s.api.URL(),
				"CI_COMMIT_SHA=aaaaaaaabbbbbbbbccccccccddddddddeeeeeeee", "CI_COMMIT_TIMESTAMP=2026-03-01T12:00:00Z")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the sync never reached %s:\n%s", tt.stall, out.String())
			}
			if clones, _ := filepath.Glob(filepath.Join(tmp, "tsumiki-sync-*")); len(clones) != 1 {
				t.Fatalf("clones in TMPDIR before the signal: %v", clones)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the sync did not stop:\n%s", out.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit %d, want 1:\n%s", code, out.String())
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("TMPDIR holds %v after the signal", left)
			}
			if got := readReport(t, report)["TSUMIKI_STATUS"]; got != "failed" {
				t.Errorf("TSUMIKI_STATUS=%s", got)
			}
		})
	}
}
