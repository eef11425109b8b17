// Package argocd declares what Argo CD deploys, in Go, the way a repository
// declares its workloads: constructs for Argo CD's Application,
// ApplicationSet and AppProject, built on the typed objects of package
// v1alpha1, with safe defaults and checks at synthesis.
//
// Register the types in the app's scheme before adding any of them:
//
//	scheme := constructs.NewScheme()
//	if err := argocd.AddToScheme(scheme); err != nil {
//		return err
//	}
//	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
//
// Each constructor takes (scope, id, props) and returns a handle on the
// typed object (Application.Obj, …); any field the props do not cover can
// be set there until synthesis, which checks the object as it is then.
// Constructors never return errors: bad props are reported by synthesis
// with the construct's path, all at once.
//
// The defaults, each relaxed explicitly:
//
//   - The objects live in Argo CD's namespace, DefaultNamespace ("argocd")
//     unless Meta.Namespace says otherwise, never in the chart's: Argo CD
//     ignores Applications in other namespaces unless it is set up for
//     them. A chart whose namespace is another one must name the namespace
//     in Meta.Namespace, so that neither choice is made silently. Put the
//     objects in a chart with NoNamespaceObjects: Argo CD's namespace is
//     its installation's, not one for the output to create.
//   - The project must be named. Argo CD reads an empty project as
//     "default", which usually allows any repository and any destination.
//   - Every source names its revision: Argo CD reads an empty one as HEAD,
//     which deploys whatever the default branch holds.
//   - Automated sync is off unless Spec.Automated is set, and then prunes,
//     heals and allows an empty sync only when asked.
//   - Deleting an Application leaves what it deployed, unless Cascade asks
//     for Argo CD's resources finalizer.
//   - An ApplicationSet renders Go templates with missingkey=error, so that
//     a misspelt parameter fails instead of rendering "<no value>", and may
//     not template the project unless TemplatedProject allows it.
package argocd

import (
	"errors"

	"k8s.io/apimachinery/pkg/runtime"

	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// AddToScheme registers Argo CD's Application, ApplicationSet and
// AppProject (and their lists) under argoproj.io/v1alpha1.
func AddToScheme(s *runtime.Scheme) error { return v1alpha1.AddToScheme(s) }

// DefaultNamespace is the namespace Argo CD's installation manifests use,
// where the constructs put their objects unless told otherwise.
const DefaultNamespace = "argocd"

// Errors that the package's problems wrap, so callers can tell them apart
// with errors.Is.
var (
	// ErrInvalidSpec wraps a field Argo CD would reject or misread: a
	// destination with both server and name, a repository URL that does
	// not parse, a path that leaves the repository, a missing revision, an
	// ApplicationSet without generators.
	ErrInvalidSpec = errors.New("invalid Argo CD spec")
	// ErrNamespace wraps an object whose namespace is not clearly Argo
	// CD's: the chart has another namespace and the props name none.
	ErrNamespace = errors.New("ambiguous Argo CD namespace")
	// ErrUnsafe wraps a setting that hands more power than it seems to: a
	// repository URL carrying credentials, a templated project.
	ErrUnsafe = errors.New("unsafe Argo CD setting")
)
