package argocd_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenApp builds one chart per kind, each construct with most of its
// options. internal/crdcheck validates the golden files against Argo CD's
// CRDs.
func goldenApp(t testing.TB) *constructs.App {
	app := newApp(t)

	projects := constructs.NewChart(app, "projects", constructs.ChartProps{})
	argocd.NewAppProject(projects, "shop", argocd.AppProjectProps{
		Meta:         argocd.Meta{Name: "shop", Labels: map[string]string{"team": "shop"}},
		Description:  "The shop's services, in every environment",
		SourceRepos:  []string{manifestsRepo, "https://charts.example.com"},
		Destinations: []v1alpha1.ApplicationDestination{{Server: "https://kubernetes.default.svc", Namespace: "shop"}, {Name: "*", Namespace: "shop-*"}},
		ClusterResources: []v1alpha1.ClusterResourceRestrictionItem{
			{Group: "", Kind: "Namespace", Name: "shop*"},
		},
		DeniedNamespaceResources: []metav1.GroupKind{{Group: "", Kind: "ResourceQuota"}},
		KeepWhileReferenced:      true,
	})

	apps := constructs.NewChart(app, "applications", constructs.ChartProps{Namespace: argocd.DefaultNamespace})
	argocd.NewApplication(apps, "production", argocd.ApplicationProps{
		Meta:    argocd.Meta{Name: "shop-production", Annotations: map[string]string{"notifications.argoproj.io/subscribe.on-sync-failed.slack": "shop"}},
		Cascade: argocd.CascadeForeground,
		Spec: argocd.Spec{
			Project: "shop",
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        manifestsRepo,
				Path:           "clusters/production",
				TargetRevision: "main",
				Directory:      &v1alpha1.ApplicationSourceDirectory{Recurse: true, Exclude: "{README.md,.*}"},
			},
			Destination:     v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop"},
			Automated:       &argocd.Automated{Prune: true, SelfHeal: true},
			CreateNamespace: true,
			ServerSideApply: true,
			SyncOptions:     []string{"PruneLast=true"},
			Retry: &v1alpha1.RetryStrategy{
				Limit:   5,
				Backoff: &v1alpha1.Backoff{Duration: "5s", Factor: new(int64(2)), MaxDuration: "3m"},
			},
			ManagedNamespaceMetadata: &v1alpha1.ManagedNamespaceMetadata{Labels: map[string]string{"team": "shop"}},
			IgnoreDifferences: []v1alpha1.ResourceIgnoreDifferences{
				{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/replicas"}},
			},
			RevisionHistoryLimit: new(int64(5)),
			Info:                 []v1alpha1.Info{{Name: "Runbook", Value: "https://wiki.example.com/shop"}},
		},
	})
	argocd.NewApplication(apps, "redis", argocd.ApplicationProps{
		Meta: argocd.Meta{Name: "shop-redis"},
		Spec: argocd.Spec{
			Project: "shop",
			Sources: []v1alpha1.ApplicationSource{
				{
					RepoURL:        "https://charts.example.com",
					Chart:          "redis",
					TargetRevision: "19.6.4",
					Helm: &v1alpha1.ApplicationSourceHelm{
						ReleaseName:  "shop-redis",
						ValueFiles:   []string{"$values/values/redis/production.yaml"},
						Parameters:   []v1alpha1.HelmParameter{{Name: "image.tag", Value: "7.2.5", ForceString: true}},
						ValuesObject: &v1alpha1.JSON{Value: map[string]any{"replica": map[string]any{"replicaCount": 3}, "auth": map[string]any{"existingSecret": "shop-redis"}}},
					},
				},
				{RepoURL: manifestsRepo, TargetRevision: "main", Ref: "values"},
			},
			Destination: v1alpha1.ApplicationDestination{Name: "in-cluster", Namespace: "shop"},
		},
	})
	argocd.NewApplication(apps, "legacy", argocd.ApplicationProps{
		Meta: argocd.Meta{Name: "shop-legacy"},
		Spec: argocd.Spec{
			Project: "shop",
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        "git@gitlab.example.com:shop/legacy.git",
				Path:           "deploy/overlays/production",
				TargetRevision: "v3.1.0",
				Kustomize: &v1alpha1.ApplicationSourceKustomize{
					NamePrefix: "legacy-",
					Images:     []string{"registry.example.com/shop/legacy:3.1.0"},
					Replicas:   []v1alpha1.KustomizeReplica{{Name: "web", Count: intstr.FromInt32(2)}},
					Patches: []v1alpha1.KustomizePatch{{
						Target: &v1alpha1.KustomizeSelector{Kind: "Deployment", Name: "web"},
						Patch:  "- op: add\n  path: /spec/template/spec/priorityClassName\n  value: shop\n",
					}},
				},
			},
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop"},
		},
	})

	sets := constructs.NewChart(app, "applicationsets", constructs.ChartProps{})
	argocd.NewApplicationSet(sets, "environments", argocd.ApplicationSetProps{
		Meta:       argocd.Meta{Name: "shop-environments"},
		Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
		Template: argocd.Template{
			Meta: argocd.Meta{Name: "shop-{{.path.basename}}", Labels: map[string]string{"environment": "{{.path.basename}}"}},
			Spec: argocd.Spec{
				Project:     "shop",
				Source:      &v1alpha1.ApplicationSource{RepoURL: manifestsRepo, Path: "{{.path.path}}", TargetRevision: "main", Directory: &v1alpha1.ApplicationSourceDirectory{Recurse: true}},
				Destination: v1alpha1.ApplicationDestination{Name: "{{.path.basename}}"},
				Automated:   &argocd.Automated{Prune: true},
			},
		},
	})
	argocd.NewApplicationSet(sets, "fleet", argocd.ApplicationSetProps{
		Meta: argocd.Meta{Name: "shop-fleet"},
		Generators: []v1alpha1.ApplicationSetGenerator{
			{Matrix: &v1alpha1.MatrixGenerator{Generators: []v1alpha1.ApplicationSetNestedGenerator{
				{Clusters: &v1alpha1.ClusterGenerator{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "production"}}}},
				{Merge: &v1alpha1.NestedMergeGenerator{
					MergeKeys: []string{"region"},
					Generators: []v1alpha1.ApplicationSetTerminalGenerator{
						{Git: &v1alpha1.GitGenerator{RepoURL: manifestsRepo, Revision: "main", Files: []v1alpha1.GitFileGeneratorItem{{Path: "regions/*.json"}}}},
						{List: &v1alpha1.ListGenerator{Elements: []v1alpha1.JSON{{Value: map[string]string{"region": "eu-west-1", "replicas": "3"}}}}},
					},
				}},
			}}},
		},
		Template: argocd.Template{
			Meta:    argocd.Meta{Name: "shop-{{.name}}-{{.region}}"},
			Cascade: argocd.CascadeBackground,
			Spec: argocd.Spec{
				Project:     "shop",
				Source:      &v1alpha1.ApplicationSource{RepoURL: manifestsRepo, Path: "clusters/{{.name}}", TargetRevision: "main"},
				Destination: v1alpha1.ApplicationDestination{Server: "{{.server}}", Namespace: "shop"},
			},
		},
		ApplicationsSync: v1alpha1.ApplicationsSyncCreateUpdate,
	})
	return app
}

// TestGolden pins the output of every construct with most options. After
// an intended change, review the diff of
// `go test ./constructs/argocd -run TestGolden -update`.
func TestGolden(t *testing.T) {
	out, err := goldenApp(t).Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 3 {
		t.Fatalf("got %d files, want 3", len(out.Files))
	}
	for _, f := range out.Files {
		golden := filepath.Join("testdata", f.Name)
		if *update {
			if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s differs from the golden file; got:\n%s", golden, f.Data)
		}
		clean(t, f.Name, f.Data)
	}
}

// clean fails for anything in a stream that Argo CD would read as unset or
// that belongs to the controllers: a status or operation, a null, an empty
// string, list or map. An empty API group is the core group, which Argo CD
// requires to be written.
func clean(t *testing.T, name string, stream []byte) {
	t.Helper()
	for i, doc := range strings.Split(string(stream), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, key := range []string{"status", "operation"} {
			if _, ok := obj[key]; ok {
				t.Errorf("%s, document %d: has %s", name, i, key)
			}
		}
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch v := v.(type) {
			case nil:
				t.Errorf("%s, document %d: %s is null", name, i, path)
			case string:
				if v == "" && !strings.HasSuffix(path, ".group") {
					t.Errorf("%s, document %d: %s is empty", name, i, path)
				}
			case []any:
				if len(v) == 0 {
					t.Errorf("%s, document %d: %s is an empty list", name, i, path)
				}
				for j, item := range v {
					walk(fmt.Sprintf("%s[%d]", path, j), item)
				}
			case map[string]any:
				if len(v) == 0 {
					t.Errorf("%s, document %d: %s is an empty map", name, i, path)
				}
				for k, item := range v {
					walk(path+"."+k, item)
				}
			}
		}
		walk("", obj)
	}
}

// A bare Application renders only what it sets, with the defaults: no
// automated sync, no finalizer, Argo CD's namespace.
func TestDefaults(t *testing.T) {
	app, chart := newChart(t, "")
	argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: spec()})
	argocd.NewApplicationSet(chart, "set", argocd.ApplicationSetProps{
		Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
		Template:   argocd.Template{Meta: argocd.Meta{Name: "shop-{{.path.basename}}"}, Spec: templateSpec()},
	})
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	clean(t, "defaults", out)
	want := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: c-app-c8577e8a
  namespace: argocd
spec:
  destination:
    namespace: shop
    server: https://kubernetes.default.svc
  project: shop
  source:
    path: production
    repoURL: https://gitlab.example.com/platform/manifests.git
    targetRevision: main
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: c-set-c8bdb01e
  namespace: argocd
spec:
  generators:
    - git:
        directories:
          - path: "*"
        repoURL: https://gitlab.example.com/platform/manifests.git
        revision: main
  goTemplate: true
  goTemplateOptions:
    - missingkey=error
  syncPolicy:
    preserveResourcesOnDeletion: true
  template:
    metadata:
      name: shop-{{.path.basename}}
    spec:
      destination:
        name: "{{.path.basename}}"
        namespace: shop
      project: shop
      source:
        path: "{{.path.path}}"
        repoURL: https://gitlab.example.com/platform/manifests.git
        targetRevision: main
`
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// An automated sync prunes, heals and allows an empty sync only when asked,
// and a sync option given twice is written once.
func TestSyncPolicy(t *testing.T) {
	tests := []struct {
		name string
		edit func(*argocd.Spec)
		want map[string]any
	}{
		{"automated alone", func(s *argocd.Spec) { s.Automated = &argocd.Automated{} },
			map[string]any{"automated": map[string]any{}}},
		{"prune", func(s *argocd.Spec) { s.Automated = &argocd.Automated{Prune: true} },
			map[string]any{"automated": map[string]any{"prune": true}}},
		{"everything", func(s *argocd.Spec) { s.Automated = &argocd.Automated{Prune: true, SelfHeal: true, AllowEmpty: true} },
			map[string]any{"automated": map[string]any{"prune": true, "selfHeal": true, "allowEmpty": true}}},
		{"options", func(s *argocd.Spec) {
			s.CreateNamespace = true
			s.ServerSideApply = true
			s.SyncOptions = []string{"ServerSideApply=true", "PruneLast=true"}
		}, map[string]any{"syncOptions": []any{"CreateNamespace=true", "ServerSideApply=true", "PruneLast=true"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			s := spec()
			tc.edit(&s)
			argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: s})
			got := at(render(t, app)[0], "spec.syncPolicy")
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("spec.syncPolicy = %v, want %v", got, tc.want)
			}
		})
	}
}

// Cascade chooses the finalizer of an Application, and of the Applications
// an ApplicationSet generates, where no finalizer means that Argo CD adds
// its own unless preserveResourcesOnDeletion is set.
func TestCascade(t *testing.T) {
	tests := []struct {
		cascade    argocd.Cascade
		finalizers any
		preserve   any
	}{
		{argocd.CascadeNone, nil, true},
		{argocd.CascadeForeground, []any{"resources-finalizer.argocd.argoproj.io"}, nil},
		{argocd.CascadeBackground, []any{"resources-finalizer.argocd.argoproj.io/background"}, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.cascade), func(t *testing.T) {
			app, chart := newChart(t, "")
			argocd.NewApplication(chart, "app", argocd.ApplicationProps{Cascade: tc.cascade, Spec: spec()})
			argocd.NewApplicationSet(chart, "set", argocd.ApplicationSetProps{
				Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
				Template:   argocd.Template{Meta: argocd.Meta{Name: "shop-{{.path.basename}}"}, Cascade: tc.cascade, Spec: templateSpec()},
			})
			objs := render(t, app)
			if got := at(objs[0], "metadata.finalizers"); fmt.Sprint(got) != fmt.Sprint(tc.finalizers) {
				t.Errorf("Application finalizers = %v, want %v", got, tc.finalizers)
			}
			if got := at(objs[1], "spec.template.metadata.finalizers"); fmt.Sprint(got) != fmt.Sprint(tc.finalizers) {
				t.Errorf("template finalizers = %v, want %v", got, tc.finalizers)
			}
			if got := at(objs[1], "spec.syncPolicy.preserveResourcesOnDeletion"); got != tc.preserve {
				t.Errorf("preserveResourcesOnDeletion = %v, want %v", got, tc.preserve)
			}
		})
	}
}

// The objects live in Argo CD's namespace, never silently in the chart's.
func TestNamespace(t *testing.T) {
	tests := []struct {
		name, chart, props string
		want               string // "" for the ErrNamespace problem
	}{
		{"no namespace anywhere", "", "", "argocd"},
		{"chart in Argo CD's namespace", "argocd", "", "argocd"},
		{"chart elsewhere, props name Argo CD's", "shop", "argocd", "argocd"},
		{"chart elsewhere, props name the chart's", "shop", "shop", "shop"},
		{"props name another", "", "gitops", "gitops"},
		{"chart elsewhere, props name none", "shop", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := []func(*constructs.Chart, argocd.Meta){
				func(c *constructs.Chart, m argocd.Meta) {
					argocd.NewApplication(c, "o", argocd.ApplicationProps{Meta: m, Spec: spec()})
				},
				func(c *constructs.Chart, m argocd.Meta) {
					argocd.NewApplicationSet(c, "o", argocd.ApplicationSetProps{
						Meta:       m,
						Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
						Template:   argocd.Template{Meta: argocd.Meta{Name: "shop-{{.path.basename}}"}, Spec: templateSpec()},
					})
				},
				func(c *constructs.Chart, m argocd.Meta) {
					argocd.NewAppProject(c, "o", argocd.AppProjectProps{
						Meta:         m,
						SourceRepos:  []string{manifestsRepo},
						Destinations: []v1alpha1.ApplicationDestination{{Server: "https://kubernetes.default.svc", Namespace: "shop"}},
					})
				},
			}
			for _, b := range build {
				app, chart := newChart(t, tc.chart)
				b(chart, argocd.Meta{Namespace: tc.props})
				if tc.want == "" {
					checkProblem(t, app, "c/o", problemCase{tc.name, argocd.ErrNamespace, `the chart's namespace is "shop", but an`})
					continue
				}
				obj := render(t, app)[0]
				if got := at(obj, "metadata.namespace"); got != tc.want {
					t.Errorf("%s: metadata.namespace = %v, want %s", obj["kind"], got, tc.want)
				}
			}
		})
	}
}

// Objects built from the same props share nothing: editing one, or the
// props, changes no other.
func TestPropsAreCopied(t *testing.T) {
	app, chart := newChart(t, "")
	props := argocd.ApplicationProps{Meta: argocd.Meta{Labels: map[string]string{"team": "shop"}}, Spec: spec()}
	props.Spec.Sources = nil
	a := argocd.NewApplication(chart, "a", props)
	argocd.NewApplication(chart, "b", props)
	a.Obj.Spec.Source.Path = "staging"
	a.Obj.Labels["team"] = "web"
	props.Spec.Source.TargetRevision = "v2"
	props.Meta.Labels["team"] = "ops"
	objs := render(t, app)
	if got := at(objs[1], "spec.source.path"); got != "production" {
		t.Errorf("b's path = %v, want production", got)
	}
	if got := at(objs[1], "spec.source.targetRevision"); got != "main" {
		t.Errorf("b's targetRevision = %v, want main", got)
	}
	if got := at(objs[1], "metadata.labels.team"); got != "shop" {
		t.Errorf("b's label = %v, want shop", got)
	}
}

// Without Argo CD's types in the scheme, synthesis says what to do.
func TestUnregistered(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: spec()})
	checkProblem(t, app, "c/app", problemCase{"unregistered", constructs.ErrNotRegistered, "add it to AppProps.Scheme"})
}

// Where the output gets a Namespace object for every namespace it uses, a
// chart with NoNamespaceObjects keeps Argo CD's out: the manifests would
// otherwise own, and could prune, Argo CD's own namespace.
func TestNoNamespaceObjectForArgoCD(t *testing.T) {
	for _, noObjects := range []bool{false, true} {
		scheme := constructs.NewScheme()
		if err := argocd.AddToScheme(scheme); err != nil {
			t.Fatal(err)
		}
		app := constructs.NewApp(constructs.AppProps{Scheme: scheme, CreateNamespaces: true})
		chart := constructs.NewChart(app, "gitops", constructs.ChartProps{NoNamespaceObjects: noObjects})
		argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: spec()})
		var namespaces []any
		for _, obj := range render(t, app) {
			if obj["kind"] == "Namespace" {
				namespaces = append(namespaces, at(obj, "metadata.name"))
			}
		}
		want := "[argocd]"
		if noObjects {
			want = "[]"
		}
		if got := fmt.Sprint(namespaces); got != want {
			t.Errorf("NoNamespaceObjects %v: Namespace objects %s, want %s", noObjects, got, want)
		}
	}
}
