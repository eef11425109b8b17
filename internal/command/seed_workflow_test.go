package command

import (
	"bytes"
	"encoding/base64"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/githubtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

// TestArgoCDImageTagWorkflow plays the CI job of a GitHub Actions and Argo
// CD setup, the way docs/github.md describes it: check out the
// configuration repository with a token, set .front.imageTag in
// main/values.yaml with tsumiki bump, commit as github-actions[bot] only
// when bump changed something, and push; Argo CD deploys from the
// repository. Run twice with the same tag, the second run commits,
// pushes and opens nothing.
func TestArgoCDImageTagWorkflow(t *testing.T) {
	const values = "front:\n  imageTag: \"1.4.0\" # set by CI\n  replicas: 2\nback:\n  imageTag: \"0.9.1\"\n"
	git := &gittest.Server{Root: t.TempDir(), Token: ghToken, User: "x-access-token"}
	bare, err := git.CreateRepo("acme/config", map[string]string{"main/values.yaml": values, "README.md": "# config\n"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(git.Handler())
	defer hs.Close()
	api := githubtest.NewServer() // the CI job never needs it; it must stay untouched
	defer api.Close()
	api.AddRepo(githubtest.Repo{Owner: "acme", Name: "config", Bare: bare})
	repoURL := hs.URL + "/acme/config.git"
	// actions/checkout passes the token as an extra header, not in the URL.
	header := "http.extraHeader=Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+ghToken))
	run := func(t *testing.T, dir string, args ...string) string {
		t.Helper()
		out, err := gittest.Git(dir, append([]string{"-c", header}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	job := func(t *testing.T, tag string) (bump string, pushed bool) {
		t.Helper()
		work := filepath.Join(t.TempDir(), "config")
		run(t, "", "clone", "-q", repoURL, work)
		t.Chdir(work)
		var stdout, stderr bytes.Buffer
		// The step's outputs, as GitHub Actions gives them: $GITHUB_OUTPUT.
		outputs := filepath.Join(t.TempDir(), "github-output")
		if code := runBump([]string{"--file", "main/values.yaml", "--set", ".front.imageTag=" + tag, "--report", outputs}, &stdout, &stderr); code != 0 {
			t.Fatalf("bump: exit %d: %s", code, stderr.String())
		}
		// bump's report says whether the file changed: no git diff.
		report, err := os.ReadFile(outputs)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(report), "TSUMIKI_CHANGED=true\n") {
			return stdout.String(), false
		}
		commit := exec.Command("git", "commit", "-q", "-am", "Deploy front "+tag)
		commit.Dir = work
		commit.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=github-actions[bot]", "GIT_AUTHOR_EMAIL=41898282+github-actions[bot]@users.noreply.github.com",
			"GIT_COMMITTER_NAME=github-actions[bot]", "GIT_COMMITTER_EMAIL=41898282+github-actions[bot]@users.noreply.github.com")
		if out, err := commit.CombinedOutput(); err != nil {
			t.Fatalf("git commit: %v: %s", err, out)
		}
		run(t, work, "push", "-q", "origin", "HEAD:main")
		return stdout.String(), true
	}

	out, pushed := job(t, "1f2e3d4")
	if !pushed || out != "main/values.yaml: front.imageTag: 1.4.0 → 1f2e3d4\n" {
		t.Fatalf("first run: pushed %v, bump said %q", pushed, out)
	}
	files, err := gittest.Files(bare, "main")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(values, `"1.4.0"`, `"1f2e3d4"`, 1); files["main/values.yaml"] != want {
		t.Errorf("values.yaml:\n%s\nwant\n%s", files["main/values.yaml"], want)
	}
	who, err := gittest.Git(bare, "log", "-1", "--format=%an <%ae> %cn <%ce>|%s", "main")
	if err != nil {
		t.Fatal(err)
	}
	if bot := "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"; who != bot+" "+bot+"|Deploy front 1f2e3d4\n" {
		t.Errorf("commit: %s", who)
	}

	before, _ := gittest.Snapshot(bare)
	pushes := func() int {
		return strings.Count(strings.Join(git.Requests(), "\n"), "POST /acme/config.git/git-receive-pack")
	}
	n := pushes()
	out, pushed = job(t, "1f2e3d4")
	if pushed || out != "main/values.yaml: front.imageTag: no change\n" {
		t.Errorf("second run: pushed %v, bump said %q", pushed, out)
	}
	if after, _ := gittest.Snapshot(bare); after != before || pushes() != n {
		t.Error("the second run changed the repository")
	}
	if len(api.Requests()) != 0 || len(api.PullRequests("acme/config")) != 0 {
		t.Errorf("the job called GitHub's API: %v", api.Requests())
	}
	if _, err := os.Stat(filepath.Join(".git", "index")); err != nil {
		t.Errorf("the job did not run in its checkout: %v", err)
	}
}
