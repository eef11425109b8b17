package argocd

import (
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// Meta is the metadata every construct of the package takes.
type Meta struct {
	// Name is metadata.name; generated from the construct path if empty.
	// An Application's name is what Argo CD's UI and CLI show, and it must
	// be unique in Argo CD's namespace, across every repository that
	// writes Applications there.
	Name string
	// Namespace is where the object lives: Argo CD's namespace,
	// DefaultNamespace if empty. See the package documentation for how it
	// relates to the chart's namespace.
	Namespace string
	// Labels and Annotations are the object's.
	Labels      map[string]string
	Annotations map[string]string
}

// Spec is what an Application deploys, where and how it syncs: the props of
// an Application and of an ApplicationSet's template.
type Spec struct {
	// Project is the AppProject the Application belongs to. Required: Argo
	// CD reads an empty project as "default", which usually allows
	// anything.
	Project string
	// Source is where the manifests come from. Give Source or Sources.
	// Every source must name its TargetRevision.
	Source *v1alpha1.ApplicationSource
	// Sources are several sources combined (a chart and the repository
	// holding its values files, referred to as `$<ref>/…`).
	Sources []v1alpha1.ApplicationSource
	// Destination is the cluster, by Server or by Name, and the namespace
	// for namespaced resources that set none.
	Destination v1alpha1.ApplicationDestination
	// Automated turns on automated sync. Unset, Argo CD syncs only when
	// asked.
	Automated *Automated
	// CreateNamespace adds the sync option CreateNamespace=true: Argo CD
	// creates Destination.Namespace if it does not exist.
	CreateNamespace bool
	// ServerSideApply adds the sync option ServerSideApply=true.
	ServerSideApply bool
	// SyncOptions are further sync options ("PruneLast=true").
	SyncOptions []string
	// Retry retries failed syncs.
	Retry *v1alpha1.RetryStrategy
	// ManagedNamespaceMetadata is given to the namespace CreateNamespace
	// creates.
	ManagedNamespaceMetadata *v1alpha1.ManagedNamespaceMetadata
	// IgnoreDifferences are fields Argo CD leaves out of its comparison.
	IgnoreDifferences []v1alpha1.ResourceIgnoreDifferences
	// RevisionHistoryLimit is how many revisions Argo CD keeps for
	// rollbacks; 10 if nil.
	RevisionHistoryLimit *int64
	// Info is shown in Argo CD's UI.
	Info []v1alpha1.Info
}

// Automated configures automated sync. Each option is off unless set.
type Automated struct {
	// Prune deletes resources that are no longer in the source. Off, they
	// stay, and Argo CD shows them as needing to be pruned.
	Prune bool
	// SelfHeal reverts changes made to live resources outside git.
	SelfHeal bool
	// AllowEmpty lets a sync delete every resource, when the source holds
	// none (with Prune). Off, Argo CD refuses such a sync, which guards
	// against a source emptied by mistake.
	AllowEmpty bool
}

// Cascade says what deleting an Application does to what it deployed.
type Cascade int

const (
	// CascadeNone leaves the resources in place: Argo CD's behaviour for an
	// Application without its resources finalizer. An Application removed
	// from git by mistake takes nothing down with it.
	CascadeNone Cascade = iota
	// CascadeForeground deletes the resources first, then the Application
	// (the finalizer ResourcesFinalizer).
	CascadeForeground
	// CascadeBackground deletes the Application at once and the resources
	// after it (the finalizer BackgroundResourcesFinalizer).
	CascadeBackground
)

// Argo CD's finalizers.
const (
	// ResourcesFinalizer on an Application deletes its resources, in the
	// foreground, when it is deleted; on an AppProject it keeps the project
	// while Applications refer to it.
	ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
	// BackgroundResourcesFinalizer deletes an Application's resources in
	// the background.
	BackgroundResourcesFinalizer = "resources-finalizer.argocd.argoproj.io/background"
)

// finalizers returns the finalizers for c, or an error for a value out of
// range.
func (c Cascade) finalizers() ([]string, error) {
	switch c {
	case CascadeNone:
		return nil, nil
	case CascadeForeground:
		return []string{ResourcesFinalizer}, nil
	case CascadeBackground:
		return []string{BackgroundResourcesFinalizer}, nil
	}
	return nil, fmt.Errorf("%w: Cascade %d is none of CascadeNone, CascadeForeground, CascadeBackground", ErrInvalidSpec, int(c))
}

// objectMeta returns the metadata for m, with the namespace resolved
// against the chart's. A chart with another namespace than Argo CD's and
// props that name none is an error: either may be meant.
func objectMeta(scope constructs.Construct, m Meta, kind string) (metav1.ObjectMeta, error) {
	om := metav1.ObjectMeta{
		Name:        m.Name,
		Namespace:   m.Namespace,
		Labels:      maps.Clone(m.Labels),
		Annotations: maps.Clone(m.Annotations),
	}
	if om.Namespace != "" {
		return om, nil
	}
	om.Namespace = DefaultNamespace
	if c := constructs.ChartOf(scope); c != nil && c.Namespace() != "" && c.Namespace() != DefaultNamespace {
		return om, fmt.Errorf("%w: the chart's namespace is %q, but an %s lives in Argo CD's namespace, %q unless Meta.Namespace names another; "+
			"set Meta.Namespace to say which", ErrNamespace, c.Namespace(), kind, DefaultNamespace)
	}
	return om, nil
}

// applicationSpec builds the ApplicationSpec s describes. It copies
// everything, so that objects built from the same props share nothing.
func applicationSpec(s Spec) v1alpha1.ApplicationSpec {
	spec := v1alpha1.ApplicationSpec{
		Project:              s.Project,
		Source:               s.Source.DeepCopy(),
		Destination:          s.Destination,
		RevisionHistoryLimit: cloneInt64(s.RevisionHistoryLimit),
		Info:                 slices.Clone(s.Info),
	}
	for _, src := range s.Sources {
		spec.Sources = append(spec.Sources, *src.DeepCopy())
	}
	for _, d := range s.IgnoreDifferences {
		spec.IgnoreDifferences = append(spec.IgnoreDifferences, *d.DeepCopy())
	}

	policy := &v1alpha1.SyncPolicy{
		Retry:                    s.Retry.DeepCopy(),
		ManagedNamespaceMetadata: s.ManagedNamespaceMetadata.DeepCopy(),
	}
	if a := s.Automated; a != nil {
		policy.Automated = &v1alpha1.SyncPolicyAutomated{
			Prune:      trueOrNil(a.Prune),
			SelfHeal:   trueOrNil(a.SelfHeal),
			AllowEmpty: trueOrNil(a.AllowEmpty),
		}
	}
	var options []string
	if s.CreateNamespace {
		options = append(options, "CreateNamespace=true")
	}
	if s.ServerSideApply {
		options = append(options, "ServerSideApply=true")
	}
	for _, o := range s.SyncOptions {
		if !slices.Contains(options, o) {
			options = append(options, o)
		}
	}
	policy.SyncOptions = options
	if policy.Automated != nil || len(policy.SyncOptions) > 0 || policy.Retry != nil || policy.ManagedNamespaceMetadata != nil {
		spec.SyncPolicy = policy
	}
	return spec
}

// trueOrNil returns a pointer to true, or nil for false: Argo CD's default
// for every automated option is false, so only true is written.
func trueOrNil(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

func cloneInt64(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
