package command

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
)

// TestInitRepository walks the path of a platform team: start a repository
// with `tsumiki init` (on this checkout, through a replace), synthesize and
// test it, add an app that uses an operator's Go types and a cluster-scoped
// custom resource, bump an image, and stay green throughout. The go
// commands run offline, from the module cache this checkout's build fills.
func TestInitRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new module several times")
	}
	framework, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// Offline: every module comes from the cache this checkout's own build
	// filled, checked then against its go.sum, so the checksum database,
	// which the new repository's first go mod tidy would ask, is not.
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	dir := filepath.Join(t.TempDir(), "platform")

	var stdout, stderr bytes.Buffer
	p := process(os.Getenv, &stdout, &stderr)
	if code := runIn(t, p, "init", dir, "--module", "example.com/platform", "--framework", framework); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, f := range []string{"go.mod", "go.sum", "apps/hello/hello.go", "apps/hello/testdata/golden/staging/hello.k8s.yaml", "config/production.yaml", "cmd/synth/main.go", ".gitlab-ci.yml", "Makefile", "README.md", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init wrote no %s", f)
		}
	}
	ci := read(t, dir, ".gitlab-ci.yml")
	if !strings.Contains(ci, `go run "$TSUMIKI" sync`) || !strings.Contains(ci, "gitlab.com/tsumiki/tsumiki/cmd/tsumiki@$(go list -m -f '{{.Version}}' gitlab.com/tsumiki/tsumiki)") {
		t.Errorf(".gitlab-ci.yml does not sync with the framework's tsumiki:\n%s", ci)
	}

	// Its two commands pass at once.
	run(t, dir, "go", "run", "./cmd/synth")
	if got := read(t, dir, "dist/staging/hello.k8s.yaml"); !strings.Contains(got, "host: hello.staging.example.com") {
		t.Errorf("dist/staging/hello.k8s.yaml:\n%s", got)
	}
	run(t, dir, "make", "test")

	// A second init into the same directory refuses, and changes nothing.
	if code := runIn(t, p, "init", dir, "--module", "example.com/other", "--framework", framework); code != 2 || !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("init over a repository: exit %d\n%s", code, stderr.String())
	}

	// An app with an operator's types and a cluster-scoped custom resource.
	write(t, dir, "apps/certs/certs.go", certsApp)
	write(t, dir, "apps/certs/certs_test.go", certsTest)
	for _, env := range []string{"staging", "production"} {
		section := "\ncerts:\n  namespace: certs-" + env + "\n  issuer: letsencrypt-" + env + "\n"
		write(t, dir, "config/"+env+".yaml", read(t, dir, "config/"+env+".yaml")+section)
		write(t, dir, "apps/certs/testdata/config/"+env+".yaml", "domain: example.com\n"+section)
	}
	main := read(t, dir, "cmd/synth/main.go")
	main = strings.Replace(main, `"example.com/platform/apps/hello"`, "\"example.com/platform/apps/certs\"\n\t\"example.com/platform/apps/hello\"", 1)
	main = strings.Replace(main, "synth.Main(hello.App)", "synth.Main(hello.App, certs.App)", 1)
	write(t, dir, "cmd/synth/main.go", main)
	run(t, dir, "go", "mod", "tidy")
	run(t, filepath.Join(dir, "apps/certs"), "go", "test", "-run", "^TestGolden$", "-update")
	run(t, dir, "make", "test")
	run(t, dir, "go", "run", "./cmd/synth")
	certs := read(t, dir, "dist/staging/certs.k8s.yaml")
	for _, want := range []string{
		"apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt-staging\nspec:",
		"apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: cert-manager\n  namespace: certs-staging\n",
	} {
		if !strings.Contains(certs, want) {
			t.Errorf("dist/staging/certs.k8s.yaml lacks\n%s\nin\n%s", want, certs)
		}
	}

	// A bump changes the live configuration, and no test.
	stdout.Reset()
	if code := runIn(t, p, "bump", "--config-dir", filepath.Join(dir, "config"), "--env", "staging", "--image", "hello=registry.example.com/hello:9.9.9"); code != 0 {
		t.Fatalf("bump: exit %d\n%s", code, stderr.String())
	}
	run(t, dir, "make", "test")
	run(t, dir, "go", "run", "./cmd/synth")
	if got := read(t, dir, "dist/staging/hello.k8s.yaml"); !strings.Contains(got, "image: registry.example.com/hello:9.9.9") {
		t.Errorf("the bumped image is not in the output:\n%s", got)
	}
}

// runIn runs `tsumiki args...` in process.
func runIn(t *testing.T, p cli.Process, args ...string) int {
	t.Helper()
	return cli.Run(Tsumiki(p), args, p)
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// certsApp is what a team writes for cert-manager: a cluster-scoped
// ClusterIssuer (without Go types here, so unstructured, declared cluster
// scoped) and a prometheus-operator PodMonitor (with Go types, registered
// in the app's scheme).
const certsApp = `package certs

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"

	"example.com/platform/apps"
)

type Config struct {
	Namespace string ` + "`json:\"namespace\" config:\"required\"`" + `
	Issuer    string ` + "`json:\"issuer\" config:\"required\"`" + `
}

var App = synth.App[apps.Environment, Config]{
	Name:          "certs",
	Scheme:        runtime.SchemeBuilder{monitoringv1.AddToScheme},
	ClusterScoped: []schema.GroupKind{{Group: "cert-manager.io", Kind: "ClusterIssuer"}},
	Build: func(app *constructs.App, env *synth.Env[apps.Environment], cfg Config) {
		chart := constructs.NewChart(app, "certs", constructs.ChartProps{Namespace: cfg.Namespace})
		constructs.NewUnstructured(chart, "issuer", map[string]any{
			"apiVersion": "cert-manager.io/v1",
			"kind":       "ClusterIssuer",
			"metadata":   map[string]any{"name": cfg.Issuer},
			"spec":       map[string]any{"acme": map[string]any{"server": "https://acme-v02.api.letsencrypt.org/directory"}},
		})
		port := "http-metrics"
		constructs.NewObject(chart, "metrics", &monitoringv1.PodMonitor{
			ObjectMeta: metav1.ObjectMeta{Name: "cert-manager"},
			Spec: monitoringv1.PodMonitorSpec{
				Selector:            metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "cert-manager"}},
				PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: &port}},
			},
		})
	},
}
`

const certsTest = `package certs_test

import (
	"testing"

	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"

	"example.com/platform/apps/certs"
)

func TestGolden(t *testing.T) {
	synthtest.Golden(t, "testdata/golden", synthtest.Synthesize(t, "testdata/config", certs.App).Files())
}

func TestClusterIssuerHasNoNamespace(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", certs.App))
	if ns := m.Get(t, "ClusterIssuer", "letsencrypt-staging").Field("metadata.namespace"); ns != nil {
		t.Errorf("namespace %v", ns)
	}
}
`
