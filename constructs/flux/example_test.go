package flux_test

import (
	"fmt"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// A cluster's entry point, clusters/production: infrastructure before apps,
// both from the GitRepository `flux bootstrap` created.
func Example() {
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		panic(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	chart := constructs.NewChart(app, "production", constructs.ChartProps{Namespace: "flux-system"})
	bootstrapped := &kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "flux-system"}
	infra := flux.NewKustomization(chart, "infrastructure", flux.KustomizationProps{
		ObjectProps:    flux.ObjectProps{Name: "infrastructure"},
		ExternalSource: bootstrapped,
		Path:           "./infrastructure/production",
	})
	flux.NewKustomization(chart, "apps", flux.KustomizationProps{
		ObjectProps:    flux.ObjectProps{Name: "apps"},
		ExternalSource: bootstrapped,
		Path:           "./apps/production",
		DependsOn:      []*flux.Kustomization{infra},
	})
	out, err := app.SynthYAML()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: kustomize.toolkit.fluxcd.io/v1
	// kind: Kustomization
	// metadata:
	//   name: infrastructure
	//   namespace: flux-system
	// spec:
	//   interval: 10m0s
	//   path: ./infrastructure/production
	//   prune: true
	//   retryInterval: 2m0s
	//   sourceRef:
	//     kind: GitRepository
	//     name: flux-system
	//   timeout: 5m0s
	//   wait: true
	// ---
	// apiVersion: kustomize.toolkit.fluxcd.io/v1
	// kind: Kustomization
	// metadata:
	//   name: apps
	//   namespace: flux-system
	// spec:
	//   dependsOn:
	//     - name: infrastructure
	//   interval: 10m0s
	//   path: ./apps/production
	//   prune: true
	//   retryInterval: 2m0s
	//   sourceRef:
	//     kind: GitRepository
	//     name: flux-system
	//   timeout: 5m0s
	//   wait: true
}

// Mistakes are reported at synthesis, all at once, with construct paths.
func Example_validation() {
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		panic(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	chart := constructs.NewChart(app, "cluster", constructs.ChartProps{Namespace: "flux-system"})
	repo := flux.NewGitRepository(chart, "repo", flux.GitRepositoryProps{URL: "https://gitlab.example.com/platform/manifests.git"})
	apps := flux.NewKustomization(chart, "apps", flux.KustomizationProps{Source: repo, Interval: "1d"})
	apps.Obj.Spec.DependsOn = append(apps.Obj.Spec.DependsOn, meta.DependencyReference{Name: "infra"})
	_, err := app.SynthYAML()
	fmt.Println(err)
	// Output:
	// synthesis failed: 2 problems
	//   cluster/apps: invalid props: Interval "1d" is not a duration: time: unknown unit "d" in duration "1d"
	//   cluster/apps: unknown reference: spec.dependsOn names Kustomization flux-system/infra, which is not in this app; pass the construct in DependsOn, or declare it with ExternalDependsOn
}
