package command

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/internal/helmtest"
)

// TestHelmLock locks a chart from a chart repository: the lock file gets
// its digest and the cache its archive; a second run changes nothing;
// missing flags are usage errors.
func TestHelmLock(t *testing.T) {
	repo := helmtest.NewChartRepo(t)
	archive := helmtest.Package(t, "../../constructs/helm/testdata/charts/web")
	repo.Add("web", "1.2.3", archive, "")
	dir := t.TempDir()
	lockFile, cache := filepath.Join(dir, "helm.lock"), filepath.Join(dir, "cache")
	env := map[string]string{"TSUMIKI_HELM_CACHE": cache}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		p := process(func(k string) string { return env[k] }, &stdout, &stderr)
		return cli.Run(Tsumiki(p), append([]string{"helm", "lock"}, args...), p), stdout.String(), stderr.String()
	}

	for i := range 2 {
		code, stdout, stderr := run("web", "--repo", repo.URL, "--version", "1.2.3", "--lock-file", lockFile)
		if want := lockFile + ": web 1.2.3 " + helmtest.Digest(archive) + "\n"; code != 0 || stdout != want {
			t.Fatalf("run %d: exit %d, stdout %q, want %q; stderr:\n%s", i, code, stdout, want, stderr)
		}
	}
	lock, err := os.ReadFile(lockFile)
	if err != nil || strings.Count(string(lock), " web 1.2.3 ") != 1 {
		t.Errorf("lock file %q: %v", lock, err)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 1 {
		t.Errorf("cache holds %d files", len(entries))
	}

	if code, _, stderr := run("web", "--repo", repo.URL); code != 2 || !strings.Contains(stderr, "--version is required") {
		t.Errorf("without --version: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run("web", "--repo", repo.URL, "--version", "^1.2.0", "--lock-file", lockFile); code != 1 || !strings.Contains(stderr, "not an exact version") {
		t.Errorf("a range: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run("web", "--repo", repo.URL, "--version", "1.2.4", "--lock-file", lockFile); code != 1 || !strings.Contains(stderr, "has no version 1.2.4 of web (it has 1.2.3)") {
		t.Errorf("a missing version: exit %d, %s", code, stderr)
	}
}
