package argocd

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// AppProjectProps configures an AppProject. Argo CD allows nothing a list
// leaves out, so an AppProject allows only what its props name.
type AppProjectProps struct {
	// Meta is the AppProject's metadata.
	Meta Meta
	// Description describes the project, in at most 255 characters.
	Description string
	// SourceRepos are the repositories its Applications may deploy from:
	// URLs or globs. At least one.
	SourceRepos []string
	// Destinations are the clusters and namespaces its Applications may
	// deploy to; each names a namespace (or glob) and a server or cluster
	// name (or glob). At least one.
	Destinations []v1alpha1.ApplicationDestination
	// ClusterResources are the cluster-scoped kinds its Applications may
	// deploy (Namespace, ClusterRole, …); none if empty.
	ClusterResources []v1alpha1.ClusterResourceRestrictionItem
	// DeniedClusterResources are cluster-scoped kinds denied even if
	// ClusterResources allows them.
	DeniedClusterResources []v1alpha1.ClusterResourceRestrictionItem
	// NamespaceResources, if given, are the only namespaced kinds its
	// Applications may deploy; all if empty.
	NamespaceResources []metav1.GroupKind
	// DeniedNamespaceResources are namespaced kinds its Applications may
	// not deploy.
	DeniedNamespaceResources []metav1.GroupKind
	// SourceNamespaces are namespaces besides Argo CD's own where its
	// Applications may live.
	SourceNamespaces []string
	// KeepWhileReferenced adds ResourcesFinalizer: Argo CD keeps the
	// project while Applications refer to it.
	KeepWhileReferenced bool
}

// AppProject is an Argo CD AppProject in the construct tree. Obj is the
// object; change it freely until synthesis, which checks it as it is then.
type AppProject struct {
	*constructs.Object[*v1alpha1.AppProject]
}

// NewAppProject adds an AppProject to scope. Give its name to the
// Applications of the project, in Spec.Project.
func NewAppProject(scope constructs.Construct, id string, props AppProjectProps) *AppProject {
	meta, nsErr := objectMeta(scope, props.Meta, "AppProject")
	if props.KeepWhileReferenced {
		meta.Finalizers = []string{ResourcesFinalizer}
	}
	p := &AppProject{constructs.NewObject(scope, id, &v1alpha1.AppProject{
		ObjectMeta: meta,
		Spec: v1alpha1.AppProjectSpec{
			Description:                props.Description,
			SourceRepos:                slices.Clone(props.SourceRepos),
			Destinations:               slices.Clone(props.Destinations),
			ClusterResourceWhitelist:   slices.Clone(props.ClusterResources),
			ClusterResourceBlacklist:   slices.Clone(props.DeniedClusterResources),
			NamespaceResourceWhitelist: slices.Clone(props.NamespaceResources),
			NamespaceResourceBlacklist: slices.Clone(props.DeniedNamespaceResources),
			SourceNamespaces:           slices.Clone(props.SourceNamespaces),
		},
	})}
	p.Node().AddError(nsErr)
	p.Node().AddValidation(constructs.ValidationFunc(func() []error {
		if p.Obj == nil {
			return nil // synthesis reports the nil object
		}
		var c checker
		c.namespace("metadata.namespace", p.Obj.Namespace)
		c.appProjectSpec("spec", &p.Obj.Spec)
		return c.errs
	}))
	return p
}

func (c *checker) appProjectSpec(field string, s *v1alpha1.AppProjectSpec) {
	if n := len([]rune(s.Description)); n > 255 {
		c.fail(ErrInvalidSpec, field+".description", "has %d characters: Argo CD takes at most 255", n)
	}
	if len(s.SourceRepos) == 0 {
		c.fail(ErrInvalidSpec, field+".sourceRepos", "is empty: the project's Applications could deploy from no repository")
	}
	for i, r := range s.SourceRepos {
		if r == "" {
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.sourceRepos[%d]", field, i), "is empty")
		}
	}
	if len(s.Destinations) == 0 {
		c.fail(ErrInvalidSpec, field+".destinations", "is empty: the project's Applications could deploy nowhere")
	}
	for i, d := range s.Destinations {
		f := fmt.Sprintf("%s.destinations[%d]", field, i)
		if d.Server == "" && d.Name == "" {
			c.fail(ErrInvalidSpec, f, `names no cluster: give server or name (or "*")`)
		}
		if d.Namespace == "" {
			c.fail(ErrInvalidSpec, f+".namespace", `is empty: give a namespace or a glob ("shop-*", "*")`)
		}
	}
	for _, list := range []struct {
		name  string
		items []v1alpha1.ClusterResourceRestrictionItem
	}{{"clusterResourceWhitelist", s.ClusterResourceWhitelist}, {"clusterResourceBlacklist", s.ClusterResourceBlacklist}} {
		for i, item := range list.items {
			if item.Kind == "" {
				c.fail(ErrInvalidSpec, fmt.Sprintf("%s.%s[%d].kind", field, list.name, i), `is empty: give a kind or "*"`)
			}
		}
	}
	for _, list := range []struct {
		name  string
		items []metav1.GroupKind
	}{{"namespaceResourceWhitelist", s.NamespaceResourceWhitelist}, {"namespaceResourceBlacklist", s.NamespaceResourceBlacklist}} {
		for i, item := range list.items {
			if item.Kind == "" {
				c.fail(ErrInvalidSpec, fmt.Sprintf("%s.%s[%d].kind", field, list.name, i), `is empty: give a kind or "*"`)
			}
		}
	}
}
