package argocd_test

import (
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// manifestsRepo is the repository `tsumiki sync` writes, in the tests.
const manifestsRepo = "https://gitlab.example.com/platform/manifests.git"

// newApp returns an app whose scheme knows Argo CD's types.
func newApp(t testing.TB) *constructs.App {
	t.Helper()
	scheme := constructs.NewScheme()
	if err := argocd.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return constructs.NewApp(constructs.AppProps{Scheme: scheme})
}

// newChart returns an app that knows Argo CD's types with one chart, "c",
// in namespace ns.
func newChart(t testing.TB, ns string) (*constructs.App, *constructs.Chart) {
	t.Helper()
	app := newApp(t)
	return app, constructs.NewChart(app, "c", constructs.ChartProps{Namespace: ns})
}

// spec is a valid Spec: a path of the manifests repository, deployed to
// Argo CD's own cluster.
func spec() argocd.Spec {
	return argocd.Spec{
		Project:     "shop",
		Source:      &v1alpha1.ApplicationSource{RepoURL: manifestsRepo, Path: "production", TargetRevision: "main"},
		Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop"},
	}
}

// gitDirectories is a valid generator: one parameter set per folder of the
// manifests repository.
func gitDirectories() v1alpha1.ApplicationSetGenerator {
	return v1alpha1.ApplicationSetGenerator{Git: &v1alpha1.GitGenerator{
		RepoURL:     manifestsRepo,
		Revision:    "main",
		Directories: []v1alpha1.GitDirectoryGeneratorItem{{Path: "*"}},
	}}
}

// templateSpec is a valid template spec over gitDirectories' parameters.
func templateSpec() argocd.Spec {
	return argocd.Spec{
		Project:     "shop",
		Source:      &v1alpha1.ApplicationSource{RepoURL: manifestsRepo, Path: "{{.path.path}}", TargetRevision: "main"},
		Destination: v1alpha1.ApplicationDestination{Name: "{{.path.basename}}", Namespace: "shop"},
	}
}

// render synthesizes app, which must succeed, and parses every object.
func render(t *testing.T, app *constructs.App) []map[string]any {
	t.Helper()
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatalf("synthesis failed: %v", err)
	}
	var objs []map[string]any
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("parse %q: %v", doc, err)
		}
		objs = append(objs, obj)
	}
	return objs
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

// at follows a dotted path through maps; nil where it leads nowhere.
func at(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}
