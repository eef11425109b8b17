package flux_test

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// fixture is a chart with a GitRepository, the usual start of a test.
type fixture struct {
	app   *constructs.App
	chart *constructs.Chart
	repo  *flux.GitRepository
}

func newFixture(t *testing.T) fixture {
	app := newApp(t)
	chart := constructs.NewChart(app, "cluster", constructs.ChartProps{Namespace: "flux-system"})
	repo := flux.NewGitRepository(chart, "repo", flux.GitRepositoryProps{
		ObjectProps: flux.ObjectProps{Name: "manifests"},
		URL:         "https://gitlab.example.com/platform/manifests.git",
	})
	return fixture{app, chart, repo}
}

func (f fixture) kustomization(id string, props flux.KustomizationProps) *flux.Kustomization {
	if props.Source == nil && props.ExternalSource == nil {
		props.Source = f.repo
	}
	if props.Name == "" {
		props.Name = id
	}
	return flux.NewKustomization(f.chart, id, props)
}

// TestValidation lists the mistakes synthesis reports, each with the
// construct's path and the sentinel error it wraps.
func TestValidation(t *testing.T) {
	tests := []struct {
		name  string
		build func(f fixture)
		want  []string // substrings of one problem each, in order
		is    error
	}{
		{
			name:  "interval not a duration",
			build: func(f fixture) { f.kustomization("apps", flux.KustomizationProps{Interval: "10 minutes"}) },
			want:  []string{`cluster/apps: invalid props: Interval "10 minutes" is not a duration`},
			is:    flux.ErrInvalidProps,
		},
		{
			name:  "days are not a Go duration",
			build: func(f fixture) { f.kustomization("apps", flux.KustomizationProps{RetryInterval: "1d"}) },
			want:  []string{`cluster/apps: invalid props: RetryInterval "1d" is not a duration`},
			is:    flux.ErrInvalidProps,
		},
		{
			name:  "negative interval",
			build: func(f fixture) { f.kustomization("apps", flux.KustomizationProps{Interval: "-5m"}) },
			want:  []string{`cluster/apps: invalid props: Interval "-5m": must be positive`},
			is:    flux.ErrInvalidProps,
		},
		{
			name:  "microseconds",
			build: func(f fixture) { f.kustomization("apps", flux.KustomizationProps{Timeout: "250us"}) },
			want:  []string{`cluster/apps: invalid props: Timeout "250us": renders as "250µs"; Flux accepts only the units ms, s, m and h`},
			is:    flux.ErrInvalidProps,
		},
		{
			name: "hours in a source timeout",
			build: func(f fixture) {
				flux.NewGitRepository(f.chart, "slow", flux.GitRepositoryProps{URL: "https://example.com/r.git", Timeout: "1h"})
			},
			want: []string{`cluster/slow: invalid props: Timeout "1h": renders as "1h0m0s"; Flux accepts only the units ms, s and m in a source's timeout`},
			is:   flux.ErrInvalidProps,
		},
		{
			name:  "interval edited on the object",
			build: func(f fixture) { f.repo.Obj.Spec.Interval = metav1.Duration{} },
			want:  []string{`cluster/repo: invalid props: spec.interval must be positive`},
			is:    flux.ErrInvalidProps,
		},
		{
			name: "paths",
			build: func(f fixture) {
				f.kustomization("abs", flux.KustomizationProps{Path: "/clusters/dev"})
				f.kustomization("up", flux.KustomizationProps{Path: "../other"})
				f.kustomization("dots", flux.KustomizationProps{Path: "./apps/../infra"})
				f.kustomization("slashes", flux.KustomizationProps{Path: "apps//dev"})
				f.kustomization("trailing", flux.KustomizationProps{Path: "apps/dev/"})
				f.kustomization("windows", flux.KustomizationProps{Path: `apps\dev`})
			},
			want: []string{
				`cluster/abs: invalid props: Path "/clusters/dev" is absolute`,
				`cluster/up: invalid props: Path "../other" leaves the source's root`,
				`cluster/dots: invalid props: Path "./apps/../infra" is not clean (it should read "./infra")`,
				`cluster/slashes: invalid props: Path "apps//dev" is not clean (it should read "./apps/dev")`,
				`cluster/trailing: invalid props: Path "apps/dev/" is not clean (it should read "./apps/dev")`,
				`cluster/windows: invalid props: Path "apps\\dev" has a backslash`,
			},
			is: flux.ErrInvalidProps,
		},
		{
			name:  "path edited on the object",
			build: func(f fixture) { f.kustomization("apps", flux.KustomizationProps{}).Obj.Spec.Path = "/etc" },
			want:  []string{`cluster/apps: invalid props: spec.path "/etc" is absolute`},
			is:    flux.ErrInvalidProps,
		},
		{
			name: "dependsOn a Kustomization not in the app",
			build: func(f fixture) {
				k := f.kustomization("apps", flux.KustomizationProps{})
				k.Obj.Spec.DependsOn = append(k.Obj.Spec.DependsOn, meta.DependencyReference{Name: "infra"})
			},
			want: []string{`cluster/apps: unknown reference: spec.dependsOn names Kustomization flux-system/infra, which is not in this app; pass the construct in DependsOn, or declare it with ExternalDependsOn`},
			is:   flux.ErrUnknownReference,
		},
		{
			name: "dependsOn a Kustomization of another app",
			build: func(f fixture) {
				other := newFixture(t)
				infra := other.kustomization("infra", flux.KustomizationProps{})
				f.kustomization("apps", flux.KustomizationProps{DependsOn: []*flux.Kustomization{infra}})
			},
			want: []string{`cluster/apps: unknown reference: DependsOn cluster/infra is a construct of another app`},
			is:   flux.ErrUnknownReference,
		},
		{
			name: "dependsOn in another namespace",
			build: func(f fixture) {
				f.kustomization("infra", flux.KustomizationProps{})
				f.kustomization("apps", flux.KustomizationProps{ExternalDependsOn: nil}).Obj.Spec.DependsOn = []meta.DependencyReference{{Name: "infra", Namespace: "other"}}
			},
			want: []string{`cluster/apps: unknown reference: spec.dependsOn names Kustomization other/infra`},
			is:   flux.ErrUnknownReference,
		},
		{
			name: "depends on itself",
			build: func(f fixture) {
				f.kustomization("apps", flux.KustomizationProps{ExternalDependsOn: []meta.DependencyReference{{Name: "apps"}}})
			},
			want: []string{`cluster/apps: invalid props: the Kustomization depends on itself`},
			is:   flux.ErrInvalidProps,
		},
		{
			name: "dependsOn cycle",
			build: func(f fixture) {
				a := f.kustomization("a", flux.KustomizationProps{})
				b := f.kustomization("b", flux.KustomizationProps{DependsOn: []*flux.Kustomization{a}})
				f.kustomization("c", flux.KustomizationProps{DependsOn: []*flux.Kustomization{b}})
				a.DependOn(b)
			},
			want: []string{
				`cluster/a: invalid props: dependsOn cycle cluster/a → cluster/b → cluster/a`,
				`cluster/b: invalid props: dependsOn cycle cluster/b → cluster/a → cluster/b`,
			},
			is: flux.ErrInvalidProps,
		},
		{
			name: "sourceRef not in the app",
			build: func(f fixture) {
				other := newFixture(t)
				f.kustomization("apps", flux.KustomizationProps{Source: other.repo})
			},
			want: []string{`cluster/apps: unknown reference: Source cluster/repo is a construct of another app`},
			is:   flux.ErrUnknownReference,
		},
		{
			name: "external sourceRef edited to another name",
			build: func(f fixture) {
				k := f.kustomization("apps", flux.KustomizationProps{ExternalSource: &kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "flux-system"}})
				k.Obj.Spec.SourceRef.Name = "flux-sytem"
			},
			want: []string{`cluster/apps: unknown reference: spec.sourceRef names GitRepository flux-system/flux-sytem`},
			is:   flux.ErrUnknownReference,
		},
		{
			name:  "no source",
			build: func(f fixture) { flux.NewKustomization(f.chart, "apps", flux.KustomizationProps{}) },
			want:  []string{`cluster/apps: invalid props: a Kustomization needs a Source or an ExternalSource`},
			is:    flux.ErrInvalidProps,
		},
		{
			name: "health checks and wait",
			build: func(f fixture) {
				f.kustomization("all", flux.KustomizationProps{HealthChecks: []meta.NamespacedObjectKindReference{{Kind: "Deployment", Name: "web"}}})
				f.kustomization("some", flux.KustomizationProps{Wait: flux.WaitForHealthChecks})
			},
			want: []string{
				`cluster/all: invalid props: HealthChecks are ignored with WaitForAll; use WaitForHealthChecks`,
				`cluster/some: invalid props: WaitForHealthChecks needs HealthChecks`,
			},
			is: flux.ErrInvalidProps,
		},
		{
			name: "postBuild and targetNamespace",
			build: func(f fixture) {
				f.kustomization("apps", flux.KustomizationProps{
					TargetNamespace: "Shop_Prod",
					Substitute:      map[string]string{"cluster-name": "x", "OK_1": "y"},
					SubstituteFrom:  []kustomizev1.SubstituteReference{{Kind: "Secrets", Name: "vars"}},
				})
			},
			want: []string{
				`cluster/apps: invalid props: spec.targetNamespace "Shop_Prod"`,
				`cluster/apps: invalid props: postBuild variable "cluster-name": a name must match`,
				`cluster/apps: invalid props: postBuild.substituteFrom needs kind ConfigMap or Secret and a name, not "Secrets" "vars"`,
			},
			is: flux.ErrInvalidProps,
		},
		{
			name: "source URLs",
			build: func(f fixture) {
				flux.NewGitRepository(f.chart, "scp", flux.GitRepositoryProps{URL: "git@gitlab.example.com:platform/manifests.git"})
				flux.NewOCIRepository(f.chart, "https", flux.OCIRepositoryProps{URL: "https://ghcr.io/x", Tag: "1"})
				flux.NewOCIRepository(f.chart, "latest", flux.OCIRepositoryProps{URL: "oci://ghcr.io/x"})
				flux.NewHelmRepository(f.chart, "ftp", flux.HelmRepositoryProps{URL: "ftp://charts.example.com"})
			},
			want: []string{
				`cluster/scp: invalid props: spec.url "git@gitlab.example.com:platform/manifests.git": a GitRepository needs an https://, http:// or ssh:// URL`,
				`cluster/https: invalid props: spec.url "https://ghcr.io/x": an OCIRepository needs an oci:// URL`,
				`cluster/latest: invalid props: an OCIRepository needs a Tag, SemVer or Digest`,
				`cluster/ftp: invalid props: spec.url "ftp://charts.example.com": a HelmRepository needs an https://, http:// or oci:// URL`,
			},
			is: flux.ErrInvalidProps,
		},
		{
			name: "HelmRelease mistakes",
			build: func(f fixture) {
				oci := flux.NewOCIRepository(f.chart, "oci", flux.OCIRepositoryProps{URL: "oci://ghcr.io/x", Tag: "1"})
				flux.NewHelmRelease(f.chart, "both", flux.HelmReleaseProps{Source: oci, Chart: "x"})
				flux.NewHelmRelease(f.chart, "nochart", flux.HelmReleaseProps{Source: f.repo})
				flux.NewHelmRelease(f.chart, "path", flux.HelmReleaseProps{Source: f.repo, Chart: "../charts/x"})
				r := flux.NewHelmRelease(f.chart, "ghost", flux.HelmReleaseProps{Source: f.repo, Chart: "charts/x"})
				r.Obj.Spec.DependsOn = []meta.DependencyReference{{Name: "database"}}
			},
			want: []string{
				`cluster/both: invalid props: Chart and Version do not apply to an OCIRepository`,
				`cluster/nochart: invalid props: a HelmRelease needs the Chart's name or path`,
				`cluster/path: invalid props: spec.chart.spec.chart "../charts/x" leaves the source's root`,
				`cluster/ghost: unknown reference: spec.dependsOn names HelmRelease flux-system/database, which is not in this app`,
			},
		},
		{
			name:  "Sync without a path",
			build: func(f fixture) { flux.NewSync(f.chart, "sync", flux.SyncProps{URL: "https://example.com/r.git"}) },
			want:  []string{`cluster/sync: invalid props: a Sync needs the Path of the cluster's entry point`},
			is:    flux.ErrInvalidProps,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.build(f)
			_, err := f.app.SynthYAML()
			var se *constructs.SynthesisError
			if !errors.As(err, &se) {
				t.Fatalf("SynthYAML = %v, want a *SynthesisError", err)
			}
			if len(se.Problems) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(se.Problems), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := se.Problems[i].Error(); !strings.Contains(got, want) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, got, want)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("the error does not wrap %v", tt.is)
			}
		})
	}
}

// TestReferences covers references that are fine: external ones,
// constructs in other charts and namespaces, and Flux objects added with
// constructs.NewObject.
func TestReferences(t *testing.T) {
	f := newFixture(t)
	other := constructs.NewChart(f.app, "tenants", constructs.ChartProps{Namespace: "tenant-a"})
	infra := flux.NewKustomization(other, "infra", flux.KustomizationProps{ObjectProps: flux.ObjectProps{Name: "infra"}, Source: f.repo, Wait: flux.WaitForNone})
	constructs.NewObject(f.chart, "raw", &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "raw"},
		Spec: kustomizev1.KustomizationSpec{
			Interval:  metav1.Duration{Duration: 600e9},
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "manifests"},
		},
	})
	apps := f.kustomization("apps", flux.KustomizationProps{
		DependsOn:         []*flux.Kustomization{infra},
		ExternalDependsOn: []meta.DependencyReference{{Name: "cert-manager"}},
	})
	apps.Obj.Spec.DependsOn = append(apps.Obj.Spec.DependsOn, meta.DependencyReference{Name: "raw"})
	f.kustomization("bootstrap", flux.KustomizationProps{
		ExternalSource: &kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "flux-system"},
	})
	constructs.NewObject(f.chart, "namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "tenant-a"}})
	out, err := f.app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  dependsOn:\n    - name: raw\n    - name: infra\n      namespace: tenant-a\n    - name: cert-manager\n",
		"  sourceRef:\n    kind: GitRepository\n    name: manifests\n    namespace: flux-system\n", // infra, in tenant-a
		"  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks\n%s\nin:\n%s", want, out)
		}
	}
}
