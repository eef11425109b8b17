// Package kustomizev1 holds the Kustomization of
// kustomize.toolkit.fluxcd.io/v1, field for field as
// github.com/fluxcd/kustomize-controller/api v1.9.6 defines its spec. It
// carries no status: a manifest has none.
//
// +kubebuilder:object:generate=true
// +groupName=kustomize.toolkit.fluxcd.io
package kustomizev1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomize"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// GroupVersion is kustomize.toolkit.fluxcd.io/v1.
var GroupVersion = schema.GroupVersion{Group: "kustomize.toolkit.fluxcd.io", Version: "v1"}

// AddToScheme registers the package's types in a scheme.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Kustomization{})
	return nil
}

// KustomizationKind is the kind of a Kustomization.
const KustomizationKind = "Kustomization"

// Kustomization makes kustomize-controller build a path of a source's
// artifact and apply the result, server-side, pruning what a later
// revision no longer holds.
//
// +kubebuilder:object:root=true
type Kustomization struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec is what to build, from where, how often and how to apply it.
	Spec KustomizationSpec `json:"spec,omitempty"`
}

// KustomizationSpec is the spec of a Kustomization.
type KustomizationSpec struct {
	// CommonMetadata is added to every object applied.
	CommonMetadata *CommonMetadata `json:"commonMetadata,omitempty"`
	// DependsOn lists Kustomizations that must be ready first.
	DependsOn []meta.DependencyReference `json:"dependsOn,omitempty"`
	// Decryption decrypts SOPS-encrypted objects before applying them.
	Decryption *Decryption `json:"decryption,omitempty"`
	// Interval between reconciliations.
	Interval metav1.Duration `json:"interval"`
	// RetryInterval between attempts after a failure; Interval if nil.
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`
	// KubeConfig reconciles on a remote cluster.
	KubeConfig *meta.KubeConfigReference `json:"kubeConfig,omitempty"`
	// Path in the artifact to build; the root if empty.
	Path string `json:"path,omitempty"`
	// PostBuild substitutes variables in the objects built.
	PostBuild *PostBuild `json:"postBuild,omitempty"`
	// Prune deletes the objects a previous revision applied and this one
	// no longer holds.
	Prune bool `json:"prune"`
	// DeletionPolicy is what happens to the objects applied when the
	// Kustomization is deleted: MirrorPrune (the default), Delete,
	// WaitForTermination or Orphan.
	DeletionPolicy string `json:"deletionPolicy,omitempty"`
	// HealthChecks are objects that must become ready; ignored when Wait
	// is set.
	HealthChecks []meta.NamespacedObjectKindReference `json:"healthChecks,omitempty"`
	// NamePrefix is prepended to every object's name.
	NamePrefix string `json:"namePrefix,omitempty"`
	// NameSuffix is appended to every object's name.
	NameSuffix string `json:"nameSuffix,omitempty"`
	// Patches are applied to the objects built.
	Patches []kustomize.Patch `json:"patches,omitempty"`
	// Images replace image names and tags.
	Images []kustomize.Image `json:"images,omitempty"`
	// ServiceAccountName is impersonated to apply.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// SourceRef is the source whose artifact is built.
	SourceRef CrossNamespaceSourceReference `json:"sourceRef"`
	// Suspend stops reconciliation.
	Suspend bool `json:"suspend,omitempty"`
	// TargetNamespace is set on every namespaced object built.
	TargetNamespace string `json:"targetNamespace,omitempty"`
	// Timeout of build, apply and health checks; Interval if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Force recreates objects whose immutable fields changed.
	Force bool `json:"force,omitempty"`
	// Wait makes the Kustomization ready only when every object applied is
	// ready.
	Wait bool `json:"wait,omitempty"`
	// BuildMetadata adds kustomize's origin or transformer annotations.
	BuildMetadata []string `json:"buildMetadata,omitempty"`
	// Components are kustomize components added to the build.
	Components []string `json:"components,omitempty"`
	// IgnoreMissingComponents lets a missing component pass.
	IgnoreMissingComponents bool `json:"ignoreMissingComponents,omitempty"`
	// HealthCheckExprs decide the health of custom kinds with CEL.
	HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs,omitempty"`
	// Ignore lists fields of applied objects that drift is allowed in.
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// CommonMetadata holds labels and annotations added to every object.
type CommonMetadata struct {
	// Annotations to add.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Labels to add.
	Labels map[string]string `json:"labels,omitempty"`
}

// IgnoreRule lists JSON pointers of fields not to reconcile in the
// objects a selector picks.
type IgnoreRule struct {
	// Paths are JSON pointers.
	Paths []string `json:"paths"`
	// Target selects the objects; all if nil.
	Target *kustomize.Selector `json:"target,omitempty"`
}

// Decryption configures the decryption of SOPS-encrypted objects.
type Decryption struct {
	// Provider is sops.
	Provider string `json:"provider"`
	// ServiceAccountName is the identity used with a cloud KMS.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// SecretRef names the Secret holding the decryption keys.
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
}

// PostBuild substitutes ${VAR} references in the objects built.
type PostBuild struct {
	// SubstituteStrategy is WithVariables (the default: substitute only
	// when a variable is defined) or Always.
	SubstituteStrategy string `json:"substituteStrategy,omitempty"`
	// Substitute holds variables and their values.
	Substitute map[string]string `json:"substitute,omitempty"`
	// SubstituteFrom reads variables from ConfigMaps and Secrets; later
	// ones win, and Substitute wins over all.
	SubstituteFrom []SubstituteReference `json:"substituteFrom,omitempty"`
}

// SubstituteReference names a ConfigMap or Secret whose keys are
// variables.
type SubstituteReference struct {
	// Kind is ConfigMap or Secret.
	Kind string `json:"kind"`
	// Name of the object, in the Kustomization's namespace.
	Name string `json:"name"`
	// Optional makes a missing object no error.
	Optional bool `json:"optional,omitempty"`
}

// CrossNamespaceSourceReference names the source of a Kustomization.
type CrossNamespaceSourceReference struct {
	// APIVersion of the source; source.toolkit.fluxcd.io/v1 if empty.
	APIVersion string `json:"apiVersion,omitempty"`
	// Kind is OCIRepository, GitRepository, Bucket or ExternalArtifact.
	Kind string `json:"kind"`
	// Name of the source.
	Name string `json:"name"`
	// Namespace of the source; the Kustomization's if empty.
	Namespace string `json:"namespace,omitempty"`
}
