package argocd_test

import (
	"fmt"
	"log"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// An Application for one environment of the manifests repository that
// `tsumiki sync --path clusters` writes: the folder clusters/production
// holds what `tsumiki synth` wrote to dist/production.
func ExampleNewApplication() {
	scheme := constructs.NewScheme()
	if err := argocd.AddToScheme(scheme); err != nil {
		log.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	// Argo CD's namespace belongs to its installation: no Namespace object
	// for it, even where the runner writes those of every namespace used.
	chart := constructs.NewChart(app, "gitops", constructs.ChartProps{NoNamespaceObjects: true})

	argocd.NewApplication(chart, "production", argocd.ApplicationProps{
		Meta: argocd.Meta{Name: "production"},
		Spec: argocd.Spec{
			Project: "platform",
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        "https://gitlab.example.com/platform/manifests.git",
				Path:           "clusters/production",
				TargetRevision: "main",
				// Every .yaml file of the folder and, for the
				// folder-per-chart layout, of its subfolders.
				Directory: &v1alpha1.ApplicationSourceDirectory{Recurse: true},
			},
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc"},
			Automated:   &argocd.Automated{Prune: true, SelfHeal: true},
		},
	})

	out, err := app.SynthYAML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: argoproj.io/v1alpha1
	// kind: Application
	// metadata:
	//   name: production
	//   namespace: argocd
	// spec:
	//   destination:
	//     server: https://kubernetes.default.svc
	//   project: platform
	//   source:
	//     directory:
	//       recurse: true
	//     path: clusters/production
	//     repoURL: https://gitlab.example.com/platform/manifests.git
	//     targetRevision: main
	//   syncPolicy:
	//     automated:
	//       prune: true
	//       selfHeal: true
}

// One Application per environment folder of the manifests repository, from
// a git directories generator: a new folder clusters/<environment> deploys
// to the cluster Argo CD knows by that name, with no change here.
func ExampleNewApplicationSet() {
	scheme := constructs.NewScheme()
	if err := argocd.AddToScheme(scheme); err != nil {
		log.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	// Argo CD's namespace belongs to its installation: no Namespace object
	// for it, even where the runner writes those of every namespace used.
	chart := constructs.NewChart(app, "gitops", constructs.ChartProps{NoNamespaceObjects: true})

	const manifests = "https://gitlab.example.com/platform/manifests.git"
	argocd.NewApplicationSet(chart, "environments", argocd.ApplicationSetProps{
		Meta: argocd.Meta{Name: "environments"},
		Generators: []v1alpha1.ApplicationSetGenerator{{Git: &v1alpha1.GitGenerator{
			RepoURL:     manifests,
			Revision:    "main",
			Directories: []v1alpha1.GitDirectoryGeneratorItem{{Path: "clusters/*"}},
		}}},
		Template: argocd.Template{
			Meta: argocd.Meta{Name: "{{.path.basename}}"},
			Spec: argocd.Spec{
				Project: "platform",
				Source: &v1alpha1.ApplicationSource{
					RepoURL:        manifests,
					Path:           "{{.path.path}}",
					TargetRevision: "main",
					Directory:      &v1alpha1.ApplicationSourceDirectory{Recurse: true},
				},
				Destination: v1alpha1.ApplicationDestination{Name: "{{.path.basename}}"},
				Automated:   &argocd.Automated{Prune: true},
			},
		},
	})

	out, err := app.SynthYAML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: argoproj.io/v1alpha1
	// kind: ApplicationSet
	// metadata:
	//   name: environments
	//   namespace: argocd
	// spec:
	//   generators:
	//     - git:
	//         directories:
	//           - path: clusters/*
	//         repoURL: https://gitlab.example.com/platform/manifests.git
	//         revision: main
	//   goTemplate: true
	//   goTemplateOptions:
	//     - missingkey=error
	//   syncPolicy:
	//     preserveResourcesOnDeletion: true
	//   template:
	//     metadata:
	//       name: "{{.path.basename}}"
	//     spec:
	//       destination:
	//         name: "{{.path.basename}}"
	//       project: platform
	//       source:
	//         directory:
	//           recurse: true
	//         path: "{{.path.path}}"
	//         repoURL: https://gitlab.example.com/platform/manifests.git
	//         targetRevision: main
	//       syncPolicy:
	//         automated:
	//           prune: true
}

// A project that lets its Applications deploy only from the manifests
// repository, only to the shop's namespaces, and no cluster-scoped kind
// but their Namespaces.
func ExampleNewAppProject() {
	scheme := constructs.NewScheme()
	if err := argocd.AddToScheme(scheme); err != nil {
		log.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	// Argo CD's namespace belongs to its installation: no Namespace object
	// for it, even where the runner writes those of every namespace used.
	chart := constructs.NewChart(app, "gitops", constructs.ChartProps{NoNamespaceObjects: true})

	project := argocd.NewAppProject(chart, "shop-project", argocd.AppProjectProps{
		Meta:             argocd.Meta{Name: "shop"},
		SourceRepos:      []string{"https://gitlab.example.com/platform/manifests.git"},
		Destinations:     []v1alpha1.ApplicationDestination{{Server: "https://kubernetes.default.svc", Namespace: "shop-*"}},
		ClusterResources: []v1alpha1.ClusterResourceRestrictionItem{{Group: "", Kind: "Namespace", Name: "shop-*"}},
	})
	argocd.NewApplication(chart, "shop-production", argocd.ApplicationProps{
		Meta: argocd.Meta{Name: "shop-production"},
		Spec: argocd.Spec{
			Project:         project.Name(),
			Source:          &v1alpha1.ApplicationSource{RepoURL: "https://gitlab.example.com/platform/manifests.git", Path: "clusters/production/shop", TargetRevision: "main"},
			Destination:     v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop-production"},
			CreateNamespace: true,
		},
	})
	out, err := app.Render()
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range out.Documents {
		fmt.Println(d.GroupVersionKind.Kind, d.Namespace, d.Name)
	}
	// Output:
	// AppProject argocd shop
	// Application argocd shop-production
}
