package charttest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

// Chart is the files of a small chart: two templates, values, a README,
// and a .helmignore that keeps one file out of the package.
func Chart(name, version string) map[string]string {
	return map[string]string{
		"Chart.yaml": fmt.Sprintf(`# The example chart.
apiVersion: v2
name: %s
version: %s
appVersion: "1.0"
description: An example chart
type: application
`, name, version),
		"values.yaml":      "replicas: 2\nimage: nginx:1.27\n",
		".helmignore":      "*.bak\n",
		"notes.bak":        "not packaged\n",
		"README.md":        "# " + name + "\n",
		"templates/a.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: {{ .Values.replicas }}\n",
		"templates/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  image: {{ .Values.image | quote }}\n",
	}
}

// WriteFiles writes files (path → content) under dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Commit commits everything in the work tree dir at the given time (as
// both author and committer time) and returns the commit hash.
func Commit(t testing.TB, dir, msg string, when time.Time) string {
	t.Helper()
	git(t, dir, nil, "add", "-A")
	date := strconv.FormatInt(when.Unix(), 10) + " +0000"
	git(t, dir, []string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, "commit", "-q", "--allow-empty", "-m", msg)
	return strings.TrimSpace(git(t, dir, nil, "rev-parse", "HEAD"))
}

// InitRepo makes a git work tree at dir on branch main.
func InitRepo(t testing.TB, dir string) {
	t.Helper()
	git(t, dir, nil, "init", "-q", "-b", "main", dir)
}

// Clone clones src into a new temporary directory with `git clone`
// (depth 0 means the full history) and returns the work tree.
func Clone(t testing.TB, src string, depth int) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "clone")
	args := []string{"clone", "-q"}
	if depth > 0 {
		args = append(args, "--depth", strconv.Itoa(depth))
	}
	git(t, "", nil, append(args, "file://"+src, dst)...)
	return dst
}

// Git runs git in dir and returns its output, failing t on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return git(t, dir, nil, args...)
}

func git(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Seed", "GIT_AUTHOR_EMAIL=seed@example.com",
		"GIT_COMMITTER_NAME=Seed", "GIT_COMMITTER_EMAIL=seed@example.com",
	)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// Package packages the chart made of files, every file stamped with
// mtime, into a temporary directory.
func Package(t testing.TB, files map[string]string, mtime time.Time) *archive.Archive {
	t.Helper()
	src := t.TempDir()
	WriteFiles(t, src, files)
	res, err := archive.Package(context.Background(), archive.Options{Dir: src, OutDir: t.TempDir(), ModTime: mtime})
	if err != nil {
		t.Fatal(err)
	}
	return res.Archive
}
