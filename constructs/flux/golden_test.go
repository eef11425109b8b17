package flux_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/helmv2"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomize"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func newApp(t *testing.T) *constructs.App {
	t.Helper()
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return constructs.NewApp(constructs.AppProps{Scheme: scheme})
}

// defaults is a cluster entry point with nothing but the required props:
// what the defaults render.
func defaults(app *constructs.App) {
	chart := constructs.NewChart(app, "cluster", constructs.ChartProps{Namespace: "flux-system"})
	sync := flux.NewSync(chart, "sync", flux.SyncProps{URL: "https://gitlab.example.com/platform/manifests.git", Path: "clusters/production"})
	infra := flux.NewKustomization(chart, "infrastructure", flux.KustomizationProps{
		ObjectProps: flux.ObjectProps{Name: "infrastructure"},
		Source:      sync.GitRepository,
		Path:        "infrastructure/production",
	})
	flux.NewKustomization(chart, "apps", flux.KustomizationProps{
		ObjectProps: flux.ObjectProps{Name: "apps"},
		Source:      sync.GitRepository,
		Path:        "./apps/production",
		DependsOn:   []*flux.Kustomization{infra},
	})
	charts := flux.NewHelmRepository(chart, "charts", flux.HelmRepositoryProps{
		ObjectProps: flux.ObjectProps{Name: "charts"},
		URL:         "https://charts.example.com",
	})
	flux.NewHelmRelease(chart, "redis", flux.HelmReleaseProps{
		ObjectProps: flux.ObjectProps{Name: "redis"},
		Source:      charts,
		Chart:       "redis",
	})
}

// everything sets every prop and more fields on the objects directly, in
// a namespace other than the sources'.
func everything(app *constructs.App) {
	sources := constructs.NewChart(app, "sources", constructs.ChartProps{Namespace: "flux-system"})
	git := flux.NewGitRepository(sources, "platform", flux.GitRepositoryProps{
		ObjectProps: flux.ObjectProps{Name: "platform"},
		URL:         "ssh://git@gitlab.example.com/platform/manifests.git",
		Tag:         "v1.2.3",
		SecretName:  "platform-ssh",
		Interval:    "5m",
		Timeout:     "90s",
		Ignore:      []string{"/*", "!/deploy/"},
		Verify:      &sourcev1.GitRepositoryVerification{Mode: "TagAndHEAD", SecretRef: meta.LocalObjectReference{Name: "platform-keys"}},
	})
	git.Obj.Spec.SparseCheckout = []string{"deploy"}
	oci := flux.NewOCIRepository(sources, "podinfo", flux.OCIRepositoryProps{
		ObjectProps: flux.ObjectProps{Name: "podinfo"},
		URL:         "oci://ghcr.io/stefanprodan/manifests/podinfo",
		SemVer:      ">=6.0.0 <7.0.0",
		Provider:    "generic",
		SecretName:  "ghcr",
		Verify: &sourcev1.OCIRepositoryVerification{Provider: "cosign", MatchOIDCIdentity: []sourcev1.OIDCIdentityMatch{{
			Issuer: "^https://token.actions.githubusercontent.com$", Subject: "^https://github.com/stefanprodan/podinfo.*$",
		}}},
		LayerSelector:   &sourcev1.OCILayerSelector{MediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Operation: "copy"},
		Interval:        "30m",
		NoDefaultIgnore: true,
	})
	ociCharts := flux.NewHelmRepository(sources, "oci-charts", flux.HelmRepositoryProps{
		ObjectProps: flux.ObjectProps{Name: "oci-charts"},
		URL:         "oci://registry.example.com/charts",
		SecretName:  "registry",
		Interval:    "1h",
		Timeout:     "2m",
	})

	shop := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	base := flux.NewKustomization(shop, "base", flux.KustomizationProps{
		ObjectProps: flux.ObjectProps{Name: "shop-base"},
		Source:      oci,
		Wait:        flux.WaitForHealthChecks,
		HealthChecks: []meta.NamespacedObjectKindReference{
			{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo", Namespace: "shop"},
		},
	})
	ks := flux.NewKustomization(shop, "app", flux.KustomizationProps{
		ObjectProps:        flux.ObjectProps{Name: "shop"},
		Source:             git,
		Path:               "deploy/shop",
		DisablePrune:       true,
		Interval:           "1h",
		RetryInterval:      "30s",
		Timeout:            "3m",
		Wait:               flux.WaitForNone,
		DependsOn:          []*flux.Kustomization{base},
		ExternalDependsOn:  []meta.DependencyReference{{Name: "cert-manager", Namespace: "flux-system"}},
		TargetNamespace:    "shop",
		Substitute:         map[string]string{"CLUSTER": "production", "region": "eu-west-1"},
		SubstituteFrom:     []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "cluster-vars"}, {Kind: "Secret", Name: "cluster-secrets", Optional: true}},
		Decryption:         &kustomizev1.Decryption{SecretRef: &meta.LocalObjectReference{Name: "sops-age"}},
		ServiceAccountName: "shop-deployer",
	})
	ks.Obj.Spec.Images = []kustomize.Image{{Name: "podinfo", NewTag: "6.5.0"}}
	ks.Obj.Spec.Patches = []kustomize.Patch{{Patch: "- op: replace\n  path: /spec/replicas\n  value: 3\n", Target: &kustomize.Selector{Kind: "Deployment", Name: "podinfo"}}}
	ks.Obj.Spec.CommonMetadata = &kustomizev1.CommonMetadata{Labels: map[string]string{"team": "shop"}}

	cache := flux.NewHelmRelease(shop, "cache", flux.HelmReleaseProps{
		ObjectProps:     flux.ObjectProps{Name: "cache"},
		Source:          ociCharts,
		Chart:           "redis",
		Version:         "18.x",
		ReleaseName:     "shop-cache",
		TargetNamespace: "shop-data",
		CreateNamespace: true,
		Values:          map[string]any{"replica": map[string]any{"replicaCount": 2}, "auth": map[string]any{"enabled": true}},
		ValuesFrom:      []meta.ValuesReference{{Kind: "Secret", Name: "cache-values", ValuesKey: "values.yaml", Optional: true}},
		Interval:        "15m",
		Timeout:         "10m",
		Retries:         -1,
		DisableWait:     true,
	})
	cache.Obj.Spec.DriftDetection = &helmv2.DriftDetection{Mode: "enabled", Ignore: []helmv2.IgnoreRule{{Paths: []string{"/spec/replicas"}, Target: &kustomize.Selector{Kind: "StatefulSet"}}}}
	cache.Obj.Spec.Test = &helmv2.Test{Enable: true, Timeout: &metav1.Duration{Duration: 60e9}}
	flux.NewHelmRelease(shop, "podinfo", flux.HelmReleaseProps{
		ObjectProps:       flux.ObjectProps{Name: "podinfo"},
		Source:            oci,
		DependsOn:         []*flux.HelmRelease{cache},
		ExternalDependsOn: []meta.DependencyReference{{Name: "ingress-nginx", Namespace: "flux-system"}},
		Retries:           5,
	})
	flux.NewHelmRelease(shop, "from-git", flux.HelmReleaseProps{
		ObjectProps: flux.ObjectProps{Name: "from-git"},
		Source:      git,
		Chart:       "charts/shop",
	})
}

// TestGolden pins the output of the constructs, with their defaults and
// with every prop set. After an intended change, review the diff of
// `go test ./constructs/flux -update`.
func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		add  func(*constructs.App)
	}{
		{"defaults", defaults},
		{"everything", everything},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(t)
			tt.add(app)
			got, err := app.SynthYAML()
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, got)
			golden := filepath.Join("testdata", tt.name+".k8s.yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; run with -update and review the diff.\ngot:\n%s", golden, got)
			}
		})
	}
}

// checkClean fails on what Flux's CRDs would refuse or what means
// nothing in a manifest: a status, empty objects or lists, a creation
// timestamp.
func checkClean(t *testing.T, stream []byte) {
	t.Helper()
	for i, doc := range strings.Split(string(stream), "---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if _, ok := obj["status"]; ok {
			t.Errorf("document %d has a status", i)
		}
		if md, _ := obj["metadata"].(map[string]any); md["creationTimestamp"] != nil || md["name"] == nil {
			t.Errorf("document %d: metadata %v", i, md)
		}
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch v := v.(type) {
			case map[string]any:
				if len(v) == 0 {
					t.Errorf("document %d: %s is an empty object", i, path)
				}
				for k, e := range v {
					walk(path+"."+k, e)
				}
			case []any:
				if len(v) == 0 {
					t.Errorf("document %d: %s is an empty list", i, path)
				}
				for j, e := range v {
					walk(path+"["+strconv.Itoa(j)+"]", e)
				}
			case nil:
				t.Errorf("document %d: %s is null", i, path)
			}
		}
		walk("", obj)
	}
}
