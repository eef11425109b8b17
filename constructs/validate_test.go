package constructs_test

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// wantProblems renders app and requires exactly the given problems, each a
// path, a sentinel and a text the message contains; none means success.
func wantProblems(t *testing.T, app *constructs.App, want ...problemSpec) {
	t.Helper()
	_, err := app.Render()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		return
	}
	ps := problems(t, err)
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			if p.Path == w.path && errors.Is(p, w.is) && strings.Contains(p.Error(), w.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem at %s wrapping %v containing %q in:\n%v", w.path, w.is, w.text, err)
		}
	}
}

type problemSpec struct {
	path string
	is   error
	text string
}

func TestAnnotationsAreValidated(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        []string // texts of the problems; none means valid
	}{
		{"plain", map[string]string{"note": "x", "example.com/owner": "team a!"}, nil},
		{"upper case keys", map[string]string{"Example.COM/Owner": "x", "NOTE": "y"}, nil},
		{"empty value", map[string]string{"a": ""}, nil},
		{"space in key", map[string]string{"bad key": "x"}, []string{`key "bad key"`}},
		{"empty name", map[string]string{"example.com/": "x"}, []string{`key "example.com/"`}},
		{"bad prefix", map[string]string{"under_score.com/x": "x"}, []string{`key "under_score.com/x"`}},
		{"two slashes", map[string]string{"a/b/c": "x"}, []string{`key "a/b/c"`}},
		{"just at the limit", map[string]string{"k": strings.Repeat("v", 256*1024-1)}, nil},
		{"too large", map[string]string{"k": strings.Repeat("v", 256*1024)}, []string{"262145 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{})
			chart := constructs.NewChart(app, "c", constructs.ChartProps{})
			constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Annotations: tt.annotations}})
			var want []problemSpec
			for _, text := range tt.want {
				want = append(want, problemSpec{"c/cm", constructs.ErrInvalidAnnotation, text})
			}
			wantProblems(t, app, want...)
		})
	}
}

func TestAnnotationAddedByPatchIsValidated(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	cm := constructs.NewObject(chart, "cm", &corev1.ConfigMap{})
	cm.AddJSONPatch(constructs.PatchAdd("/metadata/annotations", map[string]any{"bad key": "x", "n": 1}))
	wantProblems(t, app,
		problemSpec{"c/cm", constructs.ErrInvalidAnnotation, `key "bad key"`},
		problemSpec{"c/cm", constructs.ErrInvalidAnnotation, "n: value must be a string"},
	)
}

func TestTheSameObjectUnderTwoIdsIsRefused(t *testing.T) {
	t.Run("typed", func(t *testing.T) {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{})
		cm := &corev1.ConfigMap{Data: map[string]string{"k": "v"}}
		constructs.NewObject(chart, "first", cm)
		constructs.NewObject(constructs.NewNode(chart, "g"), "second", cm)
		constructs.NewObject(chart, "own", cm.DeepCopy())
		wantProblems(t, app, problemSpec{"c/g/second", constructs.ErrSharedObject, "also added at c/first"})
	})
	t.Run("unstructured content", func(t *testing.T) {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{})
		content := map[string]any{"apiVersion": "example.com/v1", "kind": "Widget"}
		constructs.NewUnstructured(chart, "a", content)
		constructs.NewUnstructured(chart, "b", content)
		wantProblems(t, app, problemSpec{"c/b", constructs.ErrSharedObject, "also added at c/a"})
	})
	t.Run("named", func(t *testing.T) {
		// One problem, not also a duplicate object.
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{})
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "same"}}
		constructs.NewObject(chart, "a", cm)
		constructs.NewObject(chart, "b", cm)
		wantProblems(t, app, problemSpec{"c/b", constructs.ErrSharedObject, "*v1.ConfigMap"})
	})
}

func TestNamespaceOnClusterScopedObjectIsAnError(t *testing.T) {
	widgets := schema.GroupKind{Group: "example.com", Kind: "ClusterWidget"}
	app := constructs.NewApp(constructs.AppProps{ClusterScoped: []schema.GroupKind{widgets}})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "prod"})
	constructs.NewObject(chart, "role", &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader", Namespace: "prod"}})
	constructs.NewObject(chart, "ns", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team", Namespace: "team"}})
	constructs.NewUnstructured(chart, "widget", map[string]any{
		"apiVersion": "example.com/v1", "kind": "ClusterWidget", "metadata": map[string]any{"name": "w", "namespace": "x"},
	})
	patched := constructs.NewObject(chart, "patched", &rbacv1.ClusterRoleBinding{})
	patched.AddJSONPatch(constructs.PatchAdd("/metadata/namespace", "late"))
	// The chart's namespace alone is fine: it never goes on these kinds.
	constructs.NewObject(chart, "plain", &rbacv1.ClusterRole{})
	constructs.NewObject(chart, "namespaced", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "other"}})
	wantProblems(t, app,
		problemSpec{"c/role", constructs.ErrClusterScopedNamespace, `ClusterRole.rbac.authorization.k8s.io "reader" is cluster-scoped but sets metadata.namespace "prod"`},
		problemSpec{"c/ns", constructs.ErrClusterScopedNamespace, `Namespace "team"`},
		problemSpec{"c/widget", constructs.ErrClusterScopedNamespace, `ClusterWidget.example.com "w"`},
		problemSpec{"c/patched", constructs.ErrClusterScopedNamespace, `"late"`},
	)
}
