package crdcheck_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application"
	"k8s.io/apimachinery/pkg/runtime"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/internal/crdcheck"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// argoCD returns the directory of Argo CD's module, at the version go.mod
// requires: it holds the CRDs Argo CD publishes with that release.
func argoCD(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to find Argo CD's module: %v", err)
	}
	out, err := exec.Command(gocmd, "list", "-m", "-json", "github.com/argoproj/argo-cd/v3").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/argoproj/argo-cd/v3: %v", err)
	}
	var mod struct{ Version, Dir string }
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	if mod.Dir == "" {
		t.Fatalf("Argo CD's module %s is not in the module cache; run go mod download", mod.Version)
	}
	return mod.Dir
}

// crdFiles returns the paths of Argo CD's three CRDs.
func crdFiles(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join(argoCD(t), "manifests", "crds")
	var files []string
	for _, name := range []string{"application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml"} {
		files = append(files, filepath.Join(dir, name))
	}
	return files
}

// newValidator reads Argo CD's three CRDs.
func newValidator(t *testing.T) *crdcheck.Validator {
	t.Helper()
	var crds [][]byte
	for _, f := range crdFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crds = append(crds, data)
	}
	v, err := crdcheck.New(crds...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// documents splits a YAML stream as synthesis writes it.
func documents(stream []byte) []string {
	return strings.Split(string(stream), "\n---\n")
}

func accept(t *testing.T, v *crdcheck.Validator, name, doc string) {
	t.Helper()
	if err := v.Validate([]byte(doc)); err != nil {
		t.Errorf("%s: Argo CD's CRD refuses it: %v\n%s", name, err, doc)
	}
}

// The golden files of package argocd, which pin its output with nearly
// every option, are what Argo CD's CRDs accept.
func TestGoldenFiles(t *testing.T) {
	v := newValidator(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*.k8s.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range documents(data) {
			accept(t, v, filepath.Base(f)+"#"+strconv.Itoa(i), doc)
		}
	}
}

// constructsApp holds objects straight from the constructs, with the
// defaults and with each Cascade. Synthesis checks them against crds, the
// way AppProps.CRDs does in a repository that keeps Argo CD's CRDs. It
// returns the app and its first Application.
func constructsApp(t *testing.T, crds []string) (*constructs.App, *argocd.Application) {
	t.Helper()
	scheme := constructs.NewScheme()
	if err := argocd.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme, CRDs: crds})
	chart := constructs.NewChart(app, "gitops", constructs.ChartProps{})
	src := &v1alpha1.ApplicationSource{RepoURL: "https://gitlab.example.com/platform/manifests.git", Path: "production", TargetRevision: "main"}
	dest := v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop"}
	var first *argocd.Application
	for i, cascade := range []argocd.Cascade{argocd.CascadeNone, argocd.CascadeForeground, argocd.CascadeBackground} {
		id := strconv.Itoa(i)
		a := argocd.NewApplication(chart, "app-"+id, argocd.ApplicationProps{Cascade: cascade, Spec: argocd.Spec{Project: "shop", Source: src, Destination: dest}})
		if first == nil {
			first = a
		}
		argocd.NewApplicationSet(chart, "set-"+id, argocd.ApplicationSetProps{
			Generators: []v1alpha1.ApplicationSetGenerator{{List: &v1alpha1.ListGenerator{Elements: []v1alpha1.JSON{{Value: map[string]any{"env": "production", "replicas": 3}}}}}},
			Template: argocd.Template{Meta: argocd.Meta{Name: "shop-{{.env}}"}, Cascade: cascade, Spec: argocd.Spec{
				Project: "shop", Source: src, Destination: dest, Automated: &argocd.Automated{}, CreateNamespace: true,
			}},
		})
	}
	argocd.NewAppProject(chart, "project", argocd.AppProjectProps{
		SourceRepos:  []string{"*"},
		Destinations: []v1alpha1.ApplicationDestination{{Server: "*", Namespace: "*"}},
	})
	return app, first
}

// Objects straight from the constructs are accepted too, by the API
// server's code and by synthesis's own check against the same CRDs.
func TestConstructs(t *testing.T) {
	v := newValidator(t)
	app, _ := constructsApp(t, crdFiles(t))
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatalf("synthesis refuses the objects against Argo CD's CRDs: %v", err)
	}
	for i, doc := range documents(out) {
		accept(t, v, "document "+strconv.Itoa(i), doc)
	}
}

// With Argo CD's CRDs in AppProps.CRDs, synthesis itself refuses a field
// they do not know, with the construct's path.
func TestSynthesisChecksAgainstTheCRDs(t *testing.T) {
	app, a := constructsApp(t, crdFiles(t))
	a.AddJSONPatch(constructs.PatchAdd("/spec/source/recurse", true))
	_, err := app.SynthYAML()
	if err == nil || !strings.Contains(err.Error(), "gitops/app-0") || !strings.Contains(err.Error(), "recurse") {
		t.Errorf("synthesis error = %v, want one naming gitops/app-0 and spec.source.recurse", err)
	}
}

// The check is not simply lenient: what Argo CD's CRDs refuse, it
// refuses, each with the field at fault.
func TestRefuses(t *testing.T) {
	v := newValidator(t)
	app := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  destination:
    server: https://kubernetes.default.svc
  project: shop
  source:
    repoURL: https://gitlab.example.com/platform/manifests.git
    path: production
    targetRevision: main
`
	set := `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: shop
  namespace: argocd
spec:
  generators:
    - list:
        elements:
          - env: production
  template:
    metadata:
      name: "shop-{{.env}}"
    spec:
      destination:
        server: https://kubernetes.default.svc
      project: shop
`
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", strings.Replace(app, "    path: production\n", "    path: production\n    recurse: true\n", 1), `unknown field "spec.source.recurse"`},
		{"unknown top-level field", app + "operations: {}\n", `unknown field "operations"`},
		{"unknown metadata field", strings.Replace(app, "  name: shop\n", "  name: shop\n  nmae: shop\n", 1), `unknown field "metadata.nmae"`},
		{"wrong type", app + "  revisionHistoryLimit: five\n", `spec.revisionHistoryLimit: Invalid value: "string": spec.revisionHistoryLimit in body must be of type integer`},
		{"missing required field", strings.Replace(app, "  project: shop\n", "", 1), `spec.project: Required value`},
		{"missing repoURL", strings.Replace(app, "    repoURL: https://gitlab.example.com/platform/manifests.git\n", "", 1), `spec.source.repoURL: Required value`},
		{"bad name", strings.Replace(app, "  name: shop\n", "  name: Shop_1\n", 1), `metadata.name: Invalid value: "Shop_1"`},
		{"no spec", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n", `spec: Required value`},
		{"enum", set + "  syncPolicy:\n    applicationsSync: create\n", `spec.syncPolicy.applicationsSync: Unsupported value: "create"`},
		{"git generator without revision", strings.Replace(set, "    - list:\n        elements:\n          - env: production\n",
			"    - git:\n        repoURL: https://gitlab.example.com/platform/manifests.git\n        directories:\n          - path: '*'\n", 1), `spec.generators[0].git.revision: Required value`},
		{"unknown generator field", strings.Replace(set, "          - env: production\n", "          - env: production\n        elementz: []\n", 1), `unknown field "spec.generators[0].list.elementz"`},
		{"project description", "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  description: " + strings.Repeat("x", 256) + "\n",
			"spec.description: Too long: may not be more than 255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	// And the documents the cases were made from pass.
	accept(t, v, "application", app)
	accept(t, v, "applicationset", set)
}

// The group and kinds the types register are Argo CD's.
func TestGroupAndKinds(t *testing.T) {
	if got := v1alpha1.GroupVersion.Group; got != application.Group {
		t.Errorf("group = %q, Argo CD's is %q", got, application.Group)
	}
	for got, want := range map[string]string{
		v1alpha1.ApplicationKind:    application.ApplicationKind,
		v1alpha1.ApplicationSetKind: application.ApplicationSetKind,
		v1alpha1.AppProjectKind:     application.AppProjectKind,
	} {
		if got != want {
			t.Errorf("kind %q, Argo CD's is %q", got, want)
		}
	}
}

// Every field the types can write is one Argo CD's CRDs know: a JSON name
// misspelt or misplaced in package v1alpha1 would be pruned, or refused.
func TestEveryFieldIsKnown(t *testing.T) {
	v := newValidator(t)
	for _, obj := range []runtime.Object{&v1alpha1.Application{}, &v1alpha1.ApplicationSet{}, &v1alpha1.AppProject{}} {
		fill(reflect.ValueOf(obj).Elem(), 0)
		gvks, _, err := scheme(t).ObjectKinds(obj)
		if err != nil {
			t.Fatal(err)
		}
		obj.GetObjectKind().SetGroupVersionKind(gvks[0])
		data, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		unknown, err := v.UnknownFields(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(unknown) > 0 {
			t.Errorf("%s: fields Argo CD's CRD does not know: %v", gvks[0].Kind, unknown)
		}
	}
	// The check sees a field that is not Argo CD's.
	unknown, err := v.UnknownFields([]byte("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  source:\n    repoUrl: x\n"))
	if err != nil || len(unknown) != 1 || unknown[0] != "spec.source.repoUrl" {
		t.Errorf("unknown fields = %v, %v; want [spec.source.repoUrl]", unknown, err)
	}
}

func scheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// fill sets every exported field it reaches to a value other than its
// zero value, down to a depth that covers the types.
func fill(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	if j, ok := v.Addr().Interface().(*v1alpha1.JSON); ok {
		j.Value = map[string]any{"key": "value"}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			// Object metadata is Kubernetes', not Argo CD's.
			if f := v.Type().Field(i); f.IsExported() && f.Name != "ObjectMeta" && f.Name != "TypeMeta" {
				fill(v.Field(i), depth+1)
			}
		}
	}
}
