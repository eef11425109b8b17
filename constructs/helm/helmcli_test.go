package helm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// helmVersion is the helm CLI the differential tests compare with: the
// release whose SDK tsumiki links.
const helmVersion = "v4.3.1"

var (
	helmOnce sync.Once
	helmPath string
	helmErr  string
)

// helmCLI returns the path of the real helm CLI, built once with `go
// install` into the user's cache (~/.cache/tsumiki-e2e/helm-v4.3.1/bin)
// and reused after. The test is skipped when it cannot be built, and
// fails instead with TSUMIKI_REQUIRE_HELM=1.
func helmCLI(t testing.TB) string {
	t.Helper()
	helmOnce.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			helmErr = err.Error()
			return
		}
		dir := filepath.Join(cache, "tsumiki-e2e", "helm-"+helmVersion)
		for _, p := range []string{filepath.Join(dir, "bin", "helm"), filepath.Join(dir, "helm")} {
			if _, err := os.Stat(p); err == nil {
				helmPath = p
				return
			}
		}
		cmd := exec.Command("go", "install", "helm.sh/helm/v4/cmd/helm@"+helmVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(dir, "bin"), "GOFLAGS=-mod=mod")
		cmd.Dir = os.TempDir()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			helmErr = "go install helm.sh/helm/v4/cmd/helm@" + helmVersion + ": " + err.Error() + "\n" + out.String()
			return
		}
		helmPath = filepath.Join(dir, "bin", "helm")
	})
	if helmPath == "" {
		if os.Getenv("TSUMIKI_REQUIRE_HELM") == "1" {
			t.Fatalf("the helm CLI is required (TSUMIKI_REQUIRE_HELM=1) but could not be built: %s", helmErr)
		}
		t.Skipf("no helm CLI to compare with (set TSUMIKI_REQUIRE_HELM=1 to fail instead): %s", helmErr)
	}
	return helmPath
}

// runHelm runs the helm CLI with a home of its own, so that it neither
// reads nor writes the user's repositories, cache or credentials.
func runHelm(t testing.TB, args ...string) []byte {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmCLI(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"HELM_NAMESPACE=",
		"KUBECONFIG="+filepath.Join(home, "no-kubeconfig"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}
