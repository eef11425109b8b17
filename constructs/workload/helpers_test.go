package workload_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
)

// newChart returns an app with one chart, "c", in namespace ns.
func newChart(ns string) (*constructs.App, *constructs.Chart) {
	app := constructs.NewApp(constructs.AppProps{})
	return app, constructs.NewChart(app, "c", constructs.ChartProps{Namespace: ns})
}

// requests is enough for a container to pass the resource check.
var requests = workload.Resources{CPU: "100m", Memory: "64Mi"}

// web is a container with a port and requests.
func web() workload.Container {
	return workload.Container{
		Name:      "web",
		Image:     "example/web:1",
		Ports:     []workload.Port{{Name: "http", Number: 8080}},
		Resources: requests,
	}
}

// objects are synthesized objects, parsed as the API server would read
// them.
type objects []map[string]any

// synth renders app as one YAML stream and parses every document.
func synth(t *testing.T, app *constructs.App) objects {
	t.Helper()
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatalf("synthesis failed: %v", err)
	}
	var objs objects
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("parse %q: %v", doc, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

// kind returns the one object of the kind, failing the test if there is
// not exactly one.
func (o objects) kind(t *testing.T, kind string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, obj := range o {
		if obj["kind"] == kind {
			found = append(found, obj)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of kind %s, want 1; kinds: %v", len(found), kind, o.kinds())
	}
	return found[0]
}

// named returns the object of the kind with the name.
func (o objects) named(t *testing.T, kind, name string) map[string]any {
	t.Helper()
	for _, obj := range o {
		if obj["kind"] == kind && at(obj, "metadata", "name") == name {
			return obj
		}
	}
	t.Fatalf("no %s %s; kinds: %v", kind, name, o.kinds())
	return nil
}

func (o objects) kinds() []string {
	var out []string
	for _, obj := range o {
		out = append(out, fmt.Sprint(obj["kind"]))
	}
	return out
}

// at follows path through maps and lists (list indices as numbers); it
// returns nil where the path leads nowhere.
func at(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// path splits a dotted path; a label key is given whole after a "|",
// e.g. path("metadata.labels|app.kubernetes.io/name").
func path(s string) []string {
	head, key, hasKey := strings.Cut(s, "|")
	parts := strings.Split(head, ".")
	if hasKey {
		parts = append(parts, key)
	}
	return parts
}

// want checks that obj has value at the dotted path (see path); a nil
// value means the field must be absent.
func want(t *testing.T, obj map[string]any, p string, value any) {
	t.Helper()
	got := at(obj, path(p)...)
	if !reflect.DeepEqual(got, value) {
		t.Errorf("%s %s: %s = %#v, want %#v", obj["kind"], at(obj, "metadata", "name"), p, got, value)
	}
}

// problems synthesizes app, which must fail, and returns the problems.
func problems(t *testing.T, app *constructs.App) []constructs.Problem {
	t.Helper()
	_, err := app.SynthYAML()
	var se *constructs.SynthesisError
	if !errors.As(err, &se) {
		t.Fatalf("synthesis error = %v, want a *constructs.SynthesisError", err)
	}
	return se.Problems
}

// hasProblem reports whether one of ps is at path, wraps target and
// mentions text.
func hasProblem(ps []constructs.Problem, path string, target error, text string) bool {
	for _, p := range ps {
		if p.Path == path && errors.Is(p, target) && strings.Contains(p.Error(), text) {
			return true
		}
	}
	return false
}
