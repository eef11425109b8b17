package synthtest_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// recorder is a testing.TB that keeps what a helper reports, so the
// helper's failures can be tested.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "TestX/sub" }
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) {
	r.Errorf(format, a...)
	r.fatal = true
	runtime.Goexit()
}
func (r *recorder) Fatal(a ...any) { r.Fatalf("%s", fmt.Sprint(a...)) }

// run calls f with a recorder, as a test would, and returns the recorder.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func greeting() (*constructs.App, *constructs.Chart) {
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "demo"})
	constructs.NewObject(chart, "config", &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "greeting", Labels: map[string]string{"app.kubernetes.io/name": "hello"}},
		Data:       map[string]string{"lines": "a"},
	})
	return app, chart
}

func TestFind(t *testing.T) {
	app, _ := greeting()
	m := synthtest.Render(t, app)
	cm := m.Get(t, "ConfigMap", "greeting")
	for path, want := range map[string]any{
		"metadata.namespace":                        "demo",
		`metadata.labels["app.kubernetes.io/name"]`: "hello",
		"data.lines":                                "a",
		"data.missing":                              nil,
		"data[0]":                                   nil,
		"metadata.name[1]":                          nil,
	} {
		if got := cm.Field(path); got != want {
			t.Errorf("Field(%s) = %v, want %v", path, got, want)
		}
	}
	if cm.Path() != "test/config" || cm.File != "test.k8s.yaml" {
		t.Errorf("document %s in %s", cm.Path(), cm.File)
	}
	if m.Find("ConfigMap", "demo/greeting") != cm || m.Find("ConfigMap", "other/greeting") != nil {
		t.Error("Find by namespace and name")
	}
	if m.Find("ConfigMap", "other") != nil || len(m.OfKind("ConfigMap")) != 1 {
		t.Error("Find or OfKind")
	}
	r := run(t, func(tb testing.TB) { m.Get(tb, "Secret", "greeting") })
	if !r.fatal || !strings.Contains(r.errors[0], `no Secret "greeting"; the objects are: ConfigMap greeting`) {
		t.Errorf("Get of a missing object: %v", r.errors)
	}
}

func TestProblems(t *testing.T) {
	app, chart := greeting()
	constructs.NewObject(chart, "bad", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name"}})
	ps := synthtest.Problems(t, app)
	if len(ps) != 1 || ps[0].Path != "test/bad" {
		t.Errorf("problems %v", ps)
	}
	r := run(t, func(tb testing.TB) { synthtest.Render(tb, app) })
	if !r.fatal || !strings.Contains(r.errors[0], "synthesis failed: 1 problem") {
		t.Errorf("Render of a broken app: %v", r.errors)
	}
	good, _ := greeting()
	if r := run(t, func(tb testing.TB) { synthtest.Problems(tb, good) }); !r.fatal {
		t.Error("Problems of a good app did not fail")
	}
}

func TestGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden")
	files := []constructs.File{{Name: "staging/a.k8s.yaml", Data: []byte("kind: A\nname: a\n")}}

	// No golden yet: the failure says how to write it.
	r := run(t, func(tb testing.TB) { synthtest.Golden(tb, dir, files) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "staging/a.k8s.yaml does not exist yet; to write it, run `go test -run '^TestX$' -update`") {
		t.Errorf("a missing golden: %v", r.errors)
	}

	// The same content passes; other content fails with a diff.
	if err := os.MkdirAll(filepath.Join(dir, "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "staging/a.k8s.yaml"), files[0].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, func(tb testing.TB) { synthtest.Golden(tb, dir, files) }); len(r.errors) != 0 {
		t.Errorf("an equal golden: %v", r.errors)
	}
	changed := []constructs.File{{Name: "staging/a.k8s.yaml", Data: []byte("kind: A\nname: b\n")}}
	r = run(t, func(tb testing.TB) { synthtest.Golden(tb, dir, changed) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "-name: a\n+name: b") || !strings.Contains(r.errors[0], "-update") {
		t.Errorf("a changed file: %v", r.errors)
	}

	// A golden file no longer produced fails too.
	r = run(t, func(tb testing.TB) { synthtest.Golden(tb, dir, nil) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "a.k8s.yaml is no longer produced") {
		t.Errorf("a stale golden: %v", r.errors)
	}
}

func TestGoldenUpdate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gone.k8s.yaml"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := flag.Set("update", "true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set("update", "false") })
	files := []constructs.File{{Name: "staging/a.k8s.yaml", Data: []byte("kind: A\n")}}
	if r := run(t, func(tb testing.TB) { synthtest.Golden(tb, dir, files) }); len(r.errors) != 0 {
		t.Fatalf("update: %v", r.errors)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "staging/a.k8s.yaml")); err != nil || string(data) != "kind: A\n" {
		t.Errorf("update wrote %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.k8s.yaml")); err == nil {
		t.Error("update kept a golden file no longer produced")
	}
}
