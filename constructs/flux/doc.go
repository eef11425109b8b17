// Package flux has constructs for Flux's objects: the sources
// GitRepository, OCIRepository and HelmRepository, and the Kustomization
// and HelmRelease that apply what they hold. Each construct is a
// *constructs.Object of a type of Flux's own v1 API (packages under api/),
// so any field the props do not cover can be set on Obj.Spec directly.
// Register the types with AddToScheme in the scheme the app is given.
//
// The defaults are the ones a production cluster wants: Kustomizations
// prune and wait for what they applied to become ready, every object has
// an interval, a timeout and, for Kustomizations, a shorter retry
// interval; HelmReleases retry failed installs and upgrades and roll back;
// GitRepositories keep source-controller's default exclusions (CI files,
// .sops.yaml) even when the repository has a .sourceignore.
//
// References between Flux objects are constructs, not names: a
// Kustomization's Source and DependsOn, a HelmRelease's Source. Objects
// that live outside the app (the flux-system GitRepository that
// `flux bootstrap` created, say) are declared with ExternalSource and
// ExternalDependsOn. Synthesis then checks every reference of the final
// objects: a sourceRef or dependsOn naming nothing in the app and not
// declared external is reported with the construct's path, as are
// intervals and timeouts Flux would reject and paths that are not clean
// and relative.
//
//	chart := constructs.NewChart(app, "cluster", constructs.ChartProps{Namespace: "flux-system"})
//	repo := flux.NewGitRepository(chart, "manifests", flux.GitRepositoryProps{
//		ObjectProps: flux.ObjectProps{Name: "manifests"},
//		URL:         "https://gitlab.example.com/platform/manifests.git",
//		SecretName:  "manifests-auth",
//	})
//	infra := flux.NewKustomization(chart, "infrastructure", flux.KustomizationProps{
//		ObjectProps: flux.ObjectProps{Name: "infrastructure"},
//		Source:      repo,
//		Path:        "./infrastructure/production",
//	})
//	flux.NewKustomization(chart, "apps", flux.KustomizationProps{
//		ObjectProps: flux.ObjectProps{Name: "apps"},
//		Source:      repo,
//		Path:        "./apps/production",
//		DependsOn:   []*flux.Kustomization{infra},
//	})
package flux

//go:generate go run sigs.k8s.io/controller-tools/cmd/controller-gen@v0.20.1 object:headerFile=/dev/null paths=./api/...

import "errors"

// Errors that the package's problems wrap, so callers can tell them apart
// with errors.Is.
var (
	// ErrInvalidProps wraps a problem with a construct's props or with the
	// object's fields at synthesis: a duration Flux does not accept, a
	// path that is not clean and relative, a missing URL.
	ErrInvalidProps = errors.New("invalid props")
	// ErrUnknownReference wraps a sourceRef or dependsOn that names no
	// object of the app and was not declared external.
	ErrUnknownReference = errors.New("unknown reference")
)
