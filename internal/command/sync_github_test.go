package command

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/githubtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const ghToken = "ghs_Cmd-Sync-Installation-Token-5e2b"

// ghServers is a manifests repository on GitHub: git over smart HTTP that
// wants x-access-token with the token, and the REST API.
type ghServers struct {
	git     *gittest.Server
	bare    string
	repoURL string
	api     *githubtest.Server
	dist    string
	source  string // the source commit, checked out in the working directory
}

func startGitHub(t *testing.T) *ghServers {
	t.Helper()
	s := &ghServers{git: &gittest.Server{Root: t.TempDir(), Token: ghToken, User: "x-access-token"}}
	var err error
	if s.bare, err = s.git.CreateRepo("acme/manifests", map[string]string{"README.md": "hi\n", "old.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n"}, 2); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.git.Handler())
	t.Cleanup(hs.Close)
	s.repoURL = hs.URL + "/acme/manifests.git"
	s.api = githubtest.NewServer()
	t.Cleanup(s.api.Close)
	s.api.SetWebURL("https://github.example.com")
	s.api.AddRepo(githubtest.Repo{Owner: "acme", Name: "manifests", Bare: s.bare})
	s.api.AddToken(ghToken, githubtest.User{Login: "acme-manifests[bot]"}, githubtest.Installation)
	s.api.SetPermission("acme/manifests", "acme-manifests[bot]", githubtest.Write)
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
	// The source checkout, as actions/checkout leaves it: HEAD at GITHUB_SHA.
	src := t.TempDir()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"commit", "-q", "--allow-empty", "-m", "Say hello\n\nWith a body."}} {
		if _, err := gittest.Git(src, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := gittest.Git(src, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	s.source = strings.TrimSpace(out)
	t.Chdir(src)
	return s
}

// actionsEnv is what a GitHub Actions job on the default branch has, with
// the installation token the workflow minted as GITHUB_TOKEN.
func (s *ghServers) actionsEnv(extra map[string]string) func(string) string {
	env := map[string]string{
		"GITHUB_ACTIONS":    "true",
		"GITHUB_SERVER_URL": "https://github.example.com",
		"GITHUB_API_URL":    s.api.URL(),
		"GITHUB_REPOSITORY": "acme/app",
		"GITHUB_SHA":        s.source,
		"GITHUB_REF_NAME":   "main",
		"GITHUB_ACTOR":      "octocat",
		"GITHUB_ACTOR_ID":   "583231",
		"GITHUB_TOKEN":      ghToken,
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

func TestSyncGitHub(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		code      int
		stdout    []string
		stderr    []string
		contacted bool
	}{
		{
			name: "pull request", contacted: true,
			stdout: []string{"objects: 1 added, 0 changed, 0 removed", "pull request #1: https://github.example.com/acme/manifests/pull/1", "(opened)"},
		},
		{
			name: "push", args: []string{"--mode", "push"}, contacted: true,
			stdout: []string{"pushed "},
		},
		{
			name: "bad token", code: 1, contacted: true,
			env:    map[string]string{"GITHUB_TOKEN": "ghs_not-the-right-one"},
			stderr: []string{"token was not accepted", "(the token comes from GITHUB_TOKEN or --token-file: a GitHub App installation token"},
		},
		{
			name: "no token", code: 2,
			env:    map[string]string{"GITHUB_TOKEN": ""},
			stderr: []string{"no token: set GITHUB_TOKEN or pass --token-file", "actions/create-github-app-token", "cannot write to another repository"},
		},
		{
			name: "squash", code: 2, args: []string{"--squash"},
			stderr: []string{"--squash: GitHub has no per-pull-request squash setting"},
		},
		{
			name: "other forge's flag", code: 2, args: []string{"--gitlab-url", "https://gitlab.example.com"},
			stderr: []string{"--gitlab-url is for --forge gitlab"},
		},
		{
			name: "unknown forge", code: 2, args: []string{"--forge", "gitea"},
			stderr: []string{`--forge "gitea": want gitlab or github`},
		},
		{
			name: "bad author", code: 2, args: []string{"--author", "Jane"},
			stderr: []string{`--author "Jane": want "Name <email>", or github-actions`},
		},
		{
			name: "no source commit", code: 2,
			env:    map[string]string{"GITHUB_SHA": ""},
			args:   []string{"--dist", "{dist}"},
			stderr: []string{"--branch is required when the source commit is unknown (the default, tsumiki/<short sha>, needs GITHUB_SHA or a git checkout)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startGitHub(t)
			if tt.name == "no source commit" {
				t.Chdir(t.TempDir()) // no checkout either
			}
			args := []string{"--repo", s.repoURL, "--dist", s.dist}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "{dist}", s.dist))
			}
			var stdout, stderr bytes.Buffer
			code := runSync(args, s.actionsEnv(tt.env), &stdout, &stderr)
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
			for _, secret := range []string{ghToken, "ghs_not-the-right-one"} {
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

// TestSyncGitHubDefaults: in GitHub Actions the pull request, the commit
// and the report come from the job's variables and the checkout, the
// token never shows anywhere, and a second run changes nothing.
func TestSyncGitHubDefaults(t *testing.T) {
	s := startGitHub(t)
	report := filepath.Join(t.TempDir(), "outputs")
	var stdout, stderr bytes.Buffer
	args := []string{"--repo", s.repoURL, "--dist", s.dist, "--report", report, "--labels", "deploy", "--draft"}
	if code := runSync(args, s.actionsEnv(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	branch := "tsumiki/" + s.source[:8]
	log, err := gittest.Git(s.bare, "log", "-1", "--format=%an <%ae>|%B", branch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(log, "octocat <583231+octocat@users.noreply.github.example.com>|Say hello\n") ||
		!strings.Contains(log, "Tsumiki-Source: https://github.example.com/acme/app/commit/"+s.source+"\n") {
		t.Errorf("commit:\n%s", log)
	}
	prs := s.api.PullRequests("acme/manifests")
	if len(prs) != 1 || prs[0].Title != "Say hello" || !prs[0].Draft || prs[0].Head != branch || len(prs[0].Labels) != 1 ||
		!strings.Contains(prs[0].Body, "](https://github.example.com/acme/app/commit/"+s.source+") on `main`: Say hello.") {
		t.Fatalf("pull requests = %+v", prs)
	}
	got := readReport(t, report)
	for k, v := range map[string]string{"TSUMIKI_STATUS": "merge-request-opened", "TSUMIKI_FORGE": "github", "TSUMIKI_PR_NUMBER": "1",
		"TSUMIKI_PR_URL": "https://github.example.com/acme/manifests/pull/1", "TSUMIKI_BRANCH": branch} {
		if got[k] != v {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}
	everything := log + stdout.String() + stderr.String() + prs[0].Title + prs[0].Body
	if data, err := os.ReadFile(report); err == nil {
		everything += string(data)
	}
	if strings.Contains(everything, ghToken) {
		t.Error("the token shows in the commit, the report, the output or the pull request")
	}

	// Again: nothing pushed, the pull request updated, none opened.
	before, _ := gittest.Snapshot(s.bare)
	stdout.Reset()
	if code := runSync(args, s.actionsEnv(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d:\n%s", code, stderr.String())
	}
	if after, _ := gittest.Snapshot(s.bare); after != before || len(s.api.PullRequests("acme/manifests")) != 1 ||
		!strings.Contains(stdout.String(), "branch "+branch+" already holds this change") || !strings.Contains(stdout.String(), "pull request #1: ") {
		t.Errorf("second run:\n%s", stdout.String())
	}

	// --author github-actions commits as GitHub Actions' bot.
	s2 := startGitHub(t)
	if code := runSync([]string{"--repo", s2.repoURL, "--dist", s2.dist, "--mode", "push", "--author", "github-actions"}, s2.actionsEnv(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if log, _ := gittest.Git(s2.bare, "log", "-1", "--format=%an <%ae> %cn <%ce>", "main"); log != "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n" {
		t.Errorf("identity: %s", log)
	}
}

// TestSyncGitHubRateLimit: a secondary rate limit's Retry-After is waited
// out and the call retried.
func TestSyncGitHubRateLimit(t *testing.T) {
	s := startGitHub(t)
	s.api.Inject(githubtest.Fault{Route: "POST /repos/{owner}/{repo}/pulls", RateLimit: githubtest.Secondary, RetryAfter: "1"})
	var stdout, stderr bytes.Buffer
	if code := runSync([]string{"--repo", s.repoURL, "--dist", s.dist}, s.actionsEnv(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "transient failure, retrying") || !strings.Contains(stderr.String(), "wait=1s") || len(s.api.PullRequests("acme/manifests")) != 1 {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

func TestGitHubAPIURL(t *testing.T) {
	for _, tt := range []struct{ flagAPI, flagWeb, env, web, want string }{
		{"", "", "https://api.github.com", "https://github.com", "https://api.github.com"},
		{"", "", "", "https://github.com", "https://api.github.com"},
		{"", "", "", "https://ghe.example.com", "https://ghe.example.com/api/v3"},
		{"", "https://ghe.example.com", "https://api.github.com", "https://ghe.example.com", "https://ghe.example.com/api/v3"},
		{"https://api.ghe.example.com", "https://ghe.example.com", "https://api.github.com", "https://ghe.example.com", "https://api.ghe.example.com"},
	} {
		if got := githubAPIURL(tt.flagAPI, tt.flagWeb, tt.env, tt.web); got != tt.want {
			t.Errorf("githubAPIURL(%q, %q, %q, %q) = %q, want %q", tt.flagAPI, tt.flagWeb, tt.env, tt.web, got, tt.want)
		}
	}
}
