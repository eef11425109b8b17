package constructs_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

func TestIncludeIDsAndObjects(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "default-ns"})
	inc := constructs.NewInclude(chart, "inc", constructs.IncludeProps{Path: "testdata/include.yaml"})

	var ids []string
	for _, o := range inc.APIObjects() {
		ids = append(ids, o.Node().ID())
	}
	want := []string{"web-deployment-shop", "web-service", "web-certificate", "object0-configmap", "object1-configmap"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("ids = %q, want %q", ids, want)
	}

	web, err := constructs.Find[*appsv1.Deployment](inc, "web")
	if err != nil {
		t.Fatal(err)
	}
	*web.Obj.Spec.Replicas = 5
	svc, err := constructs.Find[*corev1.Service](inc, "default-ns/web")
	if err != nil {
		t.Fatal(err)
	}
	svc.Obj = &corev1.Service{} // a new value replaces the object
	svc.Obj.Name = "replaced"
	cert, err := constructs.Find[*unstructured.Unstructured](inc, "web")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := constructs.Find[*unstructured.Unstructured](inc, "web"); again != cert {
		t.Error("Find returns a new handle each time")
	}

	ds := synthYAML(t, app)
	if got := field(ds[0], "spec", "replicas"); got != float64(5) {
		t.Errorf("replicas = %v, want 5", got)
	}
	if got := field(ds[1], "metadata", "name"); got != "replaced" {
		t.Errorf("service name = %v, want replaced", got)
	}
	// YAML 1.1, as Kubernetes reads it: yes is a boolean.
	if got := field(ds[2], "spec", "enabled"); got != true {
		t.Errorf("spec.enabled = %#v, want true", got)
	}
	if got := field(ds[3], "metadata", "name"); got != inc.APIObjects()[3].Name() || !strings.HasPrefix(got.(string), "c-inc-object0-configmap-c8") {
		t.Errorf("unnamed object: name = %v", got)
	}
	if got := field(ds[0], "metadata", "namespace"); got != "shop" {
		t.Errorf("namespace = %v", got)
	}
}

func TestIncludeFromFSAndData(t *testing.T) {
	fsys := fstest.MapFS{"m/cm.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")}}
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	constructs.NewInclude(chart, "fs", constructs.IncludeProps{FS: fsys, Path: "m/cm.yaml"})
	constructs.NewInclude(chart, "data", constructs.IncludeProps{Data: []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n")})
	if got := names(synthYAML(t, app)); strings.Join(got, " ") != "a b" {
		t.Errorf("names = %q", got)
	}
	if _, err := constructs.Find[*corev1.Secret](chart, "b"); err != nil {
		t.Error(err)
	}
}

func TestIncludeReportsFileAndLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"bad yaml in the second document", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n   bad: indent\n", "m.yaml:9: "},
		{"unknown field of a typed kind", "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replica: 3\n", `m.yaml:4: Deployment "web": unknown field "spec.replica"`},
		{"wrong type", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: three\n", `m.yaml:1: Deployment "web"`},
		{"not a map", "- a\n- b\n", "m.yaml:1: a document must be a Kubernetes object"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "m.yaml:1: apiVersion and kind"},
		{"duplicate key", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n", "m.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{})
			chart := constructs.NewChart(app, "c", constructs.ChartProps{})
			constructs.NewInclude(chart, "inc", constructs.IncludeProps{Path: "m.yaml", Data: []byte(tt.yaml)})
			wantProblems(t, app, problemSpec{"c/inc", constructs.ErrInvalidManifest, tt.want})
		})
	}
	t.Run("missing file", func(t *testing.T) {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{})
		constructs.NewInclude(chart, "inc", constructs.IncludeProps{Path: "testdata/missing.yaml"})
		wantProblems(t, app, problemSpec{"c/inc", constructs.ErrInvalidManifest, "testdata/missing.yaml"})
	})
}

func TestFindErrors(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	a := constructs.NewChart(app, "a", constructs.ChartProps{Namespace: "one"})
	b := constructs.NewChart(app, "b", constructs.ChartProps{Namespace: "two"})
	constructs.NewInclude(a, "inc", constructs.IncludeProps{Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n")})
	constructs.NewInclude(b, "inc", constructs.IncludeProps{Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n")})

	_, err := constructs.Find[*corev1.ConfigMap](app, "cfg")
	if !errors.Is(err, constructs.ErrAmbiguous) || !strings.Contains(err.Error(), "ConfigMap one/cfg at a/inc/cfg-configmap") {
		t.Errorf("err = %v", err)
	}
	if o, err := constructs.Find[*corev1.ConfigMap](app, "two/cfg"); err != nil || o.Node().Path() != "b/inc/cfg-configmap" {
		t.Errorf("Find two/cfg = %v, %v", o, err)
	}
	_, err = constructs.Find[*corev1.ConfigMap](a, "other")
	if !errors.Is(err, constructs.ErrNotFound) || !strings.Contains(err.Error(), "it holds ConfigMap one/cfg") {
		t.Errorf("err = %v", err)
	}
	_, err = constructs.Find[*appsv1.Deployment](a, "cfg")
	if !errors.Is(err, constructs.ErrNotFound) || !strings.Contains(err.Error(), "nothing of that type") {
		t.Errorf("err = %v", err)
	}
	if got := len(constructs.FindAll[*corev1.ConfigMap](app)); got != 2 {
		t.Errorf("FindAll found %d", got)
	}
}

func TestIncludedObjectsRenderAsReadUntilChanged(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n"
	render := func(change func(*constructs.Object[*corev1.Service])) string {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{})
		inc := constructs.NewInclude(chart, "inc", constructs.IncludeProps{Data: []byte("{}\n---\nnull\n---\n[]\n---\n" + svc)})
		if n := len(inc.APIObjects()); n != 1 {
			t.Fatalf("%d objects; empty documents must be skipped", n)
		}
		if change != nil {
			o, err := constructs.Find[*corev1.Service](inc, "web")
			if err != nil {
				t.Fatal(err)
			}
			change(o)
		}
		out, err := app.Render()
		if err != nil {
			t.Fatal(err)
		}
		return string(out.Files[0].Data)
	}
	if got := render(nil); got != svc {
		t.Errorf("unchanged: got\n%s\nwant it as read:\n%s", got, svc)
	}
	// Changed, it renders as the Go type marshals it: the int-or-string
	// targetPort has no empty form.
	got := render(func(o *constructs.Object[*corev1.Service]) { o.Obj.Spec.Ports[0].Port = 8080 })
	if want := "    - port: 8080\n      targetPort: 0\n"; !strings.HasSuffix(got, want) {
		t.Errorf("changed: got\n%s\nwant it to end in\n%s", got, want)
	}
}
