package constructs_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// namespacedApp uses the namespaces shop (declared, with labels), db,
// other, managed (by a chart that opts out), flux-system (external) and
// kube-system (always there).
func namespacedApp(props constructs.AppProps) *constructs.App {
	app := constructs.NewApp(props)
	shop := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	constructs.NewObject(shop, "cm", &corev1.ConfigMap{})
	constructs.NewObject(shop, "elsewhere", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "other"}})
	constructs.NewObject(shop, "system", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system"}})
	constructs.NewObject(shop, "flux", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "flux-system"}})
	constructs.NewObject(shop, "role", &rbacv1.ClusterRole{}) // cluster-scoped: no namespace
	constructs.NewNamespace(shop, "ns", constructs.NamespaceProps{
		Name:   "shop",
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
	})
	db := constructs.NewChart(app, "db", constructs.ChartProps{Namespace: "db"})
	constructs.NewObject(db, "cm", &corev1.ConfigMap{})
	constructs.NewObject(db, "also-other", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "other"}})
	managed := constructs.NewChart(app, "managed", constructs.ChartProps{Namespace: "managed", NoNamespaceObjects: true})
	constructs.NewObject(managed, "cm", &corev1.ConfigMap{})
	constructs.NewChart(app, "empty", constructs.ChartProps{Namespace: "unused"})
	return app
}

func namespaceNames(out *constructs.Output) (names []string, paths []string) {
	for _, d := range out.Documents {
		if d.GroupVersionKind.Kind == "Namespace" {
			names = append(names, d.Name)
			paths = append(paths, d.Path()+" in "+d.File)
		}
	}
	return names, paths
}

func TestNamespacesAreCreatedOncePerApp(t *testing.T) {
	app := namespacedApp(constructs.AppProps{CreateNamespaces: true, ExternalNamespaces: []string{"flux-system"}})
	for range 2 { // Render leaves the tree as it was
		out, err := app.Render()
		if err != nil {
			t.Fatal(err)
		}
		names, paths := namespaceNames(out)
		if want := []string{"db", "other", "shop"}; !slices.Equal(names, want) {
			t.Fatalf("namespaces %q, want %q (%q)", names, want, paths)
		}
		want := []string{"namespaces/db in namespaces.k8s.yaml", "namespaces/other in namespaces.k8s.yaml", "shop/ns in shop.k8s.yaml"}
		if !slices.Equal(paths, want) {
			t.Errorf("paths %q, want %q", paths, want)
		}
		if got, want := fileNames(out), []string{"namespaces.k8s.yaml", "shop.k8s.yaml", "db.k8s.yaml", "managed.k8s.yaml", "empty.k8s.yaml"}; !slices.Equal(got, want) {
			t.Errorf("files %q, want %q", got, want)
		}
		if got, want := string(out.Files[0].Data), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: db\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n"; got != want {
			t.Errorf("namespaces.k8s.yaml =\n%s\nwant\n%s", got, want)
		}
		if !strings.Contains(string(out.Files[1].Data), "pod-security.kubernetes.io/enforce: restricted") {
			t.Errorf("the declared namespace lost its labels:\n%s", out.Files[1].Data)
		}
	}
	if app.Node().FindChild(constructs.NamespacesChartID) != nil {
		t.Error("Render added the namespaces chart to the tree")
	}
}

func TestNamespacesAreNotCreatedByDefault(t *testing.T) {
	out, err := namespacedApp(constructs.AppProps{}).Render()
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := namespaceNames(out); !slices.Equal(names, []string{"shop"}) {
		t.Errorf("namespaces %q, want only the declared one", names)
	}
}

func TestNamespacesComeFirstInOneFile(t *testing.T) {
	app := namespacedApp(constructs.AppProps{CreateNamespaces: true, OutputType: constructs.FilePerApp})
	data, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, data)
	for i, want := range []string{"db", "flux-system", "other"} {
		if ds[i]["kind"] != "Namespace" || field(ds[i], "metadata", "name") != want {
			t.Errorf("document %d is %v %v, want Namespace %s", i, ds[i]["kind"], field(ds[i], "metadata", "name"), want)
		}
	}
}

func TestNamespacesChartIDIsTaken(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{CreateNamespaces: true})
	c := constructs.NewChart(app, constructs.NamespacesChartID, constructs.ChartProps{Namespace: "x"})
	constructs.NewObject(c, "cm", &corev1.ConfigMap{})
	_, err := app.Render()
	if !errors.Is(err, constructs.ErrDuplicateID) || !strings.Contains(err.Error(), `"namespaces"`) {
		t.Errorf("err = %v", err)
	}
}
