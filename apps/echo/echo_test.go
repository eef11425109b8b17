package echo_test

import (
	"bytes"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/registry"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/apps/echo"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/helm"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestGolden pins echo's whole output for the fixture environments of
// testdata/config. After an intended change, run
// `go test -run TestGolden -update` here and review the diff.
func TestGolden(t *testing.T) {
	out := synthtest.Synthesize(t, "testdata/config", echo.App)
	synthtest.Golden(t, "testdata/golden", out.Files())
}

// TestConfigReachesTheChart checks that the environments' settings pass
// through the chart's values, integers as integers, and that the app's
// own change to the chart's Deployment is in the output.
func TestConfigReachesTheChart(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", echo.App))
	servers := map[string]*synthtest.Object{}
	for _, d := range m.OfKind("Deployment") {
		servers[d.Namespace] = d
	}
	prod, staging := servers["echo"], servers["echo-staging"]
	if prod == nil || staging == nil {
		t.Fatalf("deployments by namespace: %v", servers)
	}
	if got := prod.Field("spec.template.spec.containers[0].args"); !contains(got, "--max-body-bytes=1000000") {
		t.Errorf("production args %v", got)
	}
	if got := staging.Field("spec.template.spec.containers[0].args"); !contains(got, "--message=staging") || !contains(got, "--max-body-bytes=65536") {
		t.Errorf("staging args %v", got)
	}
	if got := prod.Field("spec.template.spec.containers[0].image"); got != "registry.example.com/echo:0.9.2" {
		t.Errorf("production image %v", got)
	}
	if prod.Field("spec.replicas") != 3.0 || prod.Field("spec.template.spec.topologySpreadConstraints[0].topologyKey") != "kubernetes.io/hostname" {
		t.Errorf("production deployment:\n%s", prod.YAML)
	}
	if prod.Field(`metadata.labels["app.kubernetes.io/part-of"]`) != "echo" {
		t.Errorf("the app's chart label is missing:\n%s", prod.YAML)
	}
	var kinds []string
	for _, o := range m.Objects {
		if o.Namespace == "echo" {
			kinds = append(kinds, o.GroupVersionKind.Kind)
		}
	}
	if got := strings.Join(kinds, " "); got != "PodDisruptionBudget ServiceAccount Service Deployment Ingress NetworkPolicy NetworkPolicy" {
		t.Errorf("production objects: %s", got)
	}
	if m.Find("Pod", "echo-test") != nil {
		t.Error("the chart's test hook reached the output")
	}
	if m.Find("NetworkPolicy", "echo-from-ingress") == nil {
		t.Error("no policy lets the ingress controller in")
	}
}

func contains(list any, s string) bool {
	l, _ := list.([]any)
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// TestFromRegistry installs the same chart pulled from an OCI registry
// (in process) instead of the shipped copy: the lock file records it, the
// output is the same bytes, and once cached the registry can be gone.
func TestFromRegistry(t *testing.T) {
	reg := httptest.NewTLSServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "https://")
	push(t, reg, "charts/echo", host+"/charts/echo:0.3.1")
	dir := t.TempDir()
	opts := helm.ClientOptions{LockFile: filepath.Join(dir, "helm.lock"), CacheDir: filepath.Join(dir, "cache"), HTTPClient: reg.Client()}
	cfg := echo.Config{Namespace: "echo", Replicas: 2, Host: "echo.example.com"}
	env := apps.Environment{IngressNamespace: "ingress-nginx"}
	build := func(cfg echo.Config, opts helm.ClientOptions) ([]byte, error) {
		client, err := helm.NewClient(opts)
		if err != nil {
			t.Fatal(err)
		}
		app := constructs.NewApp(constructs.AppProps{})
		echo.New(app, env, cfg, echo.Options{Image: "registry.example.com/echo:0.9.2", Client: client})
		return app.SynthYAML()
	}

	shipped, err := build(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Chart = &echo.ChartSource{Repo: "oci://" + host + "/charts", Version: "0.3.1"}
	if _, err := build(cfg, opts); err == nil || !strings.Contains(err.Error(), "echo/release: ") || !strings.Contains(err.Error(), "not in "+opts.LockFile) {
		t.Fatalf("unlocked: %v", err)
	}
	opts.UpdateLock = true
	pulled, err := build(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pulled, shipped) {
		t.Errorf("from the registry:\n%s\nshipped:\n%s", pulled, shipped)
	}
	lock, err := os.ReadFile(opts.LockFile)
	if err != nil || !strings.Contains(string(lock), "/charts echo 0.3.1 sha256:") {
		t.Errorf("lock file %q: %v", lock, err)
	}

	reg.Close()
	opts.UpdateLock = false
	offline, err := build(cfg, opts)
	if err != nil || !bytes.Equal(offline, pulled) {
		t.Errorf("offline: %v", err)
	}
}

// push packages a chart directory as `helm package` does and pushes it to
// ref as `helm push` does.
func push(t *testing.T, reg *httptest.Server, dir, ref string) {
	t.Helper()
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	file, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := registry.NewClient(registry.ClientOptHTTPClient(reg.Client()), registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Push(archive, ref); err != nil {
		t.Fatal(err)
	}
}
