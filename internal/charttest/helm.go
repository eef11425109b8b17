// Package charttest supports the tests of chart publishing: the real helm
// CLI as the consumer of what tsumiki publishes, OpenPGP test keys, charts
// in git repositories, and in-process OCI registries and S3.
package charttest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// HelmVersion is the helm CLI the tests consume with; it matches the SDK
// in go.mod.
const HelmVersion = "v4.3.1"

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// HelmPath returns the helm CLI, built once per machine with
// `go install helm.sh/helm/v4/cmd/helm@HelmVersion` into the user cache
// (~/.cache/tsumiki-e2e/helm-<version>/helm). The tests skip when it cannot
// be built, and fail when TSUMIKI_REQUIRE_HELM=1. Nothing but tests runs it.
func HelmPath(t testing.TB) string {
	t.Helper()
	helmOnce.Do(func() { helmPath, helmErr = buildHelm() })
	if helmErr != nil {
		if os.Getenv("TSUMIKI_REQUIRE_HELM") == "1" {
			t.Fatalf("helm CLI required (TSUMIKI_REQUIRE_HELM=1) but not available: %v", helmErr)
		}
		t.Skipf("helm CLI not available, skipping (set TSUMIKI_REQUIRE_HELM=1 to fail instead): %v", helmErr)
	}
	return helmPath
}

func buildHelm() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "tsumiki-e2e", "helm-"+HelmVersion)
	bin := filepath.Join(dir, "helm")
	if ok(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Test binaries of several packages may get here at once: one builds,
	// the others wait for it.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	if ok(bin) {
		return bin, nil
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", "helm.sh/helm/v4/cmd/helm@"+HelmVersion)
	cmd.Env = append(withoutModFlag(os.Environ()), "GOBIN="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install helm.sh/helm/v4/cmd/helm@%s: %v\n%s", HelmVersion, err, out.String())
	}
	if err := os.Rename(filepath.Join(tmp, "helm"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

func ok(bin string) bool {
	fi, err := os.Stat(bin)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// withoutModFlag drops -mod=… from GOFLAGS: `go install pkg@version` builds
// outside any module and refuses it.
func withoutModFlag(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if v, found := strings.CutPrefix(kv, "GOFLAGS="); found {
			var keep []string
			for _, f := range strings.Fields(v) {
				if !strings.HasPrefix(f, "-mod=") {
					keep = append(keep, f)
				}
			}
			kv = "GOFLAGS=" + strings.Join(keep, " ")
		}
		out = append(out, kv)
	}
	return out
}

// Helm runs the helm CLI with configuration, cache, data and credential
// files of its own under a temporary directory, so it never reads or
// writes the user's.
type Helm struct {
	Path string
	Home string
	// Env holds extra variables (KEY=value) for every run.
	Env []string
}

// NewHelm returns a helm CLI with a fresh home, skipping t when there is
// no helm (see HelmPath).
func NewHelm(t testing.TB) *Helm {
	t.Helper()
	return &Helm{Path: HelmPath(t), Home: t.TempDir()}
}

// Exec runs helm in dir with args and returns its standard output and
// standard error.
func (h *Helm) Exec(dir string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(h.Path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(h.Home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(h.Home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(h.Home, "data"),
		"HELM_REGISTRY_CONFIG="+filepath.Join(h.Home, "registry.json"),
		"HELM_REPOSITORY_CONFIG="+filepath.Join(h.Home, "repositories.yaml"),
		"HELM_REPOSITORY_CACHE="+filepath.Join(h.Home, "repository"),
		"DOCKER_CONFIG="+filepath.Join(h.Home, "docker"),
		"HOME="+h.Home,
		"GNUPGHOME="+filepath.Join(h.Home, "gnupg"),
	)
	cmd.Env = append(cmd.Env, h.Env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if err != nil {
		err = fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String(), err
}

// Run runs helm in dir and fails t when it fails; it returns standard
// output.
func (h *Helm) Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, _, err := h.Exec(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
