package flux

import (
	"gitlab.com/tsumiki/tsumiki/constructs"
)

// SyncProps configures a Sync.
type SyncProps struct {
	// Name of both objects and of the credentials Secret; "flux-system"
	// if empty, as `flux bootstrap` names them.
	Name string
	// Namespace of both objects; "flux-system" if empty.
	Namespace string
	// URL of the manifests repository. Required.
	URL string
	// Branch to follow; "main" if empty.
	Branch string
	// Path of the cluster's entry point in the repository,
	// "./clusters/<cluster>". Required.
	Path string
	// SecretName names the Secret with the repository's credentials; Name
	// if empty. `flux bootstrap` creates it; so must whoever bootstraps
	// without it.
	SecretName string
	// Interval between fetches of the repository; "1m" if empty.
	Interval string
}

// Sync is what `flux bootstrap` writes to
// clusters/<cluster>/flux-system/gotk-sync.yaml: a GitRepository of the
// manifests repository and a Kustomization applying the cluster's entry
// point from it, which includes this Sync itself, so that Flux keeps its
// own configuration up to date. Applying a Sync's objects to a cluster
// that runs Flux's controllers (and has the Secret) bootstraps it.
type Sync struct {
	constructs.Construct
	// GitRepository fetches the manifests repository.
	GitRepository *GitRepository
	// Kustomization applies Path. It does not wait for what it applied:
	// the Kustomizations under Path report their own readiness.
	Kustomization *Kustomization
}

// NewSync adds a Sync to scope.
func NewSync(scope constructs.Construct, id string, props SyncProps) *Sync {
	if props.Name == "" {
		props.Name = "flux-system"
	}
	if props.Namespace == "" {
		props.Namespace = "flux-system"
	}
	if props.SecretName == "" {
		props.SecretName = props.Name
	}
	s := &Sync{Construct: constructs.NewNode(scope, id)}
	object := ObjectProps{Name: props.Name, Namespace: props.Namespace}
	s.GitRepository = NewGitRepository(s, "source", GitRepositoryProps{
		ObjectProps: object,
		URL:         props.URL,
		Branch:      props.Branch,
		SecretName:  props.SecretName,
		Interval:    props.Interval,
	})
	s.Kustomization = NewKustomization(s, "kustomization", KustomizationProps{
		ObjectProps: object,
		Source:      s.GitRepository,
		Path:        props.Path,
		Wait:        WaitForNone,
	})
	if props.Path == "" {
		s.Node().AddError(errPathRequired)
	}
	return s
}
