// Package synthtest helps test apps and constructs, as cdk8s's Testing
// does: synthesize in memory, find objects by kind and name, read their
// fields as the API server would, and compare whole outputs with golden
// files under testdata/.
//
// The package defines the -update test flag: `go test -update` rewrites
// the golden files, and the diff is then reviewed like any other change.
//
//	func TestWeb(t *testing.T) {
//		app, chart := synthtest.Chart()
//		workload.NewWebService(chart, "web", props)
//		m := synthtest.Render(t, app)
//		d := m.Get(t, "Deployment", "c-web-c8…")
//		if d.Field("spec.replicas") != nil { … }
//	}
package synthtest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/pmezard/go-difflib/difflib"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with what the tests produce")

// Update reports whether the test binary runs with -update.
func Update() bool { return *update }

// Chart returns a new app holding one chart, "test", with props, for
// testing a construct.
func Chart(props ...constructs.ChartProps) (*constructs.App, *constructs.Chart) {
	var p constructs.ChartProps
	if len(props) > 0 {
		p = props[0]
	}
	app := constructs.NewApp(constructs.AppProps{})
	return app, constructs.NewChart(app, "test", p)
}

// Manifests are synthesized objects, each parsed as the API server reads
// it.
type Manifests struct {
	// Output is what synthesis returned.
	Output *constructs.Output
	// Objects are the documents of Output, parsed, in order.
	Objects []*Object
}

// Object is one synthesized object.
type Object struct {
	constructs.Document
	// Content is the object as JSON-like values: map[string]any, []any,
	// string, float64, bool.
	Content map[string]any
}

// Render synthesizes app in memory, failing t if synthesis reports any
// problem.
func Render(t testing.TB, app *constructs.App) *Manifests {
	t.Helper()
	out, err := app.Render()
	if err != nil {
		t.Fatalf("synthesis failed: %v", err)
	}
	return parse(t, out.Documents, out)
}

// Problems synthesizes app, which must fail, and returns the problems.
func Problems(t testing.TB, app *constructs.App) []constructs.Problem {
	t.Helper()
	_, err := app.Render()
	var se *constructs.SynthesisError
	if !errors.As(err, &se) {
		t.Fatalf("synthesis returned %v, want a *constructs.SynthesisError", err)
	}
	return se.Problems
}

func parse(t testing.TB, docs []constructs.Document, out *constructs.Output) *Manifests {
	t.Helper()
	m := &Manifests{Output: out}
	for _, d := range docs {
		var content map[string]any
		if err := yaml.Unmarshal(d.YAML, &content); err != nil {
			t.Fatalf("%s: the synthesized YAML does not parse: %v\n%s", d.Path(), err, d.YAML)
		}
		m.Objects = append(m.Objects, &Object{Document: d, Content: content})
	}
	return m
}

// Find returns the first object of the kind with the name, or nil. The
// name is "namespace/name" for one namespace, "name" for any.
func (m *Manifests) Find(kind, name string) *Object {
	ns, name, inNamespace := strings.Cut(name, "/")
	if !inNamespace {
		name = ns
	}
	for _, o := range m.Objects {
		if o.GroupVersionKind.Kind == kind && o.Name == name && (!inNamespace || o.Namespace == ns) {
			return o
		}
	}
	return nil
}

// Get is Find that fails t when there is no such object.
func (m *Manifests) Get(t testing.TB, kind, name string) *Object {
	t.Helper()
	if o := m.Find(kind, name); o != nil {
		return o
	}
	t.Fatalf("no %s %q; the objects are: %s", kind, name, strings.Join(m.names(), ", "))
	return nil
}

// OfKind returns the objects of the kind, in order.
func (m *Manifests) OfKind(kind string) []*Object {
	var out []*Object
	for _, o := range m.Objects {
		if o.GroupVersionKind.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func (m *Manifests) names() []string {
	names := make([]string, len(m.Objects))
	for i, o := range m.Objects {
		names[i] = o.GroupVersionKind.Kind + " " + o.Name
	}
	return names
}

// Field returns the value at path in the object (see config.Path:
// `spec.template.spec.containers[0].image`,
// `metadata.labels["app.kubernetes.io/name"]`), or nil where the path
// leads nowhere. It panics on a path that does not parse, which is a bug in
// the test.
func (o *Object) Field(path string) any {
	p, err := config.ParsePath(path)
	if err != nil {
		panic(err)
	}
	var v any = o.Content
	for _, s := range p {
		switch x := v.(type) {
		case map[string]any:
			if s.IsIndex() {
				return nil
			}
			v = x[s.Key]
		case []any:
			if !s.IsIndex() || s.Index >= len(x) {
				return nil
			}
			v = x[s.Index]
		default:
			return nil
		}
	}
	return v
}

// Decode decodes the object strictly into into, a typed object such as
// *appsv1.Deployment: a field the Go type does not know fails the test,
// as the API server would reject it.
func (o *Object) Decode(t testing.TB, into runtime.Object) {
	t.Helper()
	if err := yaml.UnmarshalStrict(o.YAML, into); err != nil {
		t.Fatalf("%s: %v", o.Path(), err)
	}
}

// Synthesize synthesizes apps for every environment configured in
// configDir (fixtures under testdata/, not the repository's live
// configuration, so that changing that changes no test), failing t on any
// problem.
func Synthesize[E any](t testing.TB, configDir string, apps ...synth.Registration[E]) *synth.Output {
	t.Helper()
	out, err := synth.Synthesize(context.Background(), apps, synth.Options{ConfigDir: configDir})
	if err != nil {
		t.Fatalf("synthesis of %s failed: %v", configDir, err)
	}
	return out
}

// Parse parses the documents of a runner's output, as Render does for an
// app's.
func Parse(t testing.TB, out *synth.Output) *Manifests {
	t.Helper()
	return parse(t, out.Documents(), &constructs.Output{Files: out.Files(), Documents: out.Documents()})
}

// Golden compares files with the files under dir, which must be exactly
// those: a golden file that is no longer produced fails too. With -update
// it rewrites dir to hold exactly files instead.
func Golden(t testing.TB, dir string, files []constructs.File) {
	t.Helper()
	produced := map[string]bool{}
	for _, f := range files {
		produced[f.Name] = true
	}
	var stale []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !produced[filepath.ToSlash(rel)] {
			stale = append(stale, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	how := fmt.Sprintf("run `go test -run '^%s$' -update` in this package's directory, and review the diff", strings.SplitN(t.Name(), "/", 2)[0])
	if *update {
		for _, p := range stale {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range stale {
		if !*update {
			t.Errorf("%s is no longer produced; %s", p, how)
		}
	}
	for _, f := range files {
		golden := filepath.Join(dir, filepath.FromSlash(f.Name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s does not exist yet; to write it, %s", golden, how)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s differs from %s:\n%s\nIf the change is intended, %s.", f.Name, golden, lineDiff(string(want), string(f.Data)), how)
		}
	}
}

// lineDiff is a unified diff from want to got.
func lineDiff(want, got string) string {
	text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got), FromFile: "golden", ToFile: "produced", Context: 2,
	})
	return strings.TrimRight(text, "\n")
}
