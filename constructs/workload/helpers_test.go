package workload_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// newChart returns an app with one chart, "c", in namespace ns. The
// tests' expected names and construct paths start with that "c".
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

// only returns the one object of the kind, failing the test if there is
// not exactly one.
func only(t *testing.T, m *synthtest.Manifests, kind string) *synthtest.Object {
	t.Helper()
	found := m.OfKind(kind)
	if len(found) != 1 {
		t.Fatalf("%d objects of kind %s, want 1; kinds: %v", len(found), kind, kinds(m))
	}
	return found[0]
}

// kinds lists the kinds of the objects, in order.
func kinds(m *synthtest.Manifests) []string {
	var out []string
	for _, o := range m.Objects {
		out = append(out, o.GroupVersionKind.Kind)
	}
	return out
}

// label is the path of an object's label, which Field reads:
// label(workload.LabelName) is `metadata.labels["app.kubernetes.io/name"]`.
func label(key string) string {
	return "metadata.labels[" + strconv.Quote(key) + "]"
}

// want checks that o has value at path (see synthtest.Object.Field); a
// nil value means the field must be absent.
func want(t *testing.T, o *synthtest.Object, path string, value any) {
	t.Helper()
	if got := o.Field(path); !reflect.DeepEqual(got, value) {
		t.Errorf("%s %s: %s = %#v, want %#v", o.GroupVersionKind.Kind, o.Name, path, got, value)
	}
}

// strictlyTyped decodes every object into the k8s.io/api type of its
// kind, refusing unknown fields: a misspelled or misplaced field fails.
func strictlyTyped(t *testing.T, m *synthtest.Manifests) {
	t.Helper()
	scheme := constructs.NewScheme()
	for _, o := range m.Objects {
		typed, err := scheme.New(o.GroupVersionKind)
		if err != nil {
			t.Fatalf("%s: %v", o.GroupVersionKind, err)
		}
		o.Decode(t, typed)
	}
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
