// Package meta holds the reference types Flux's APIs share, field for
// field as github.com/fluxcd/pkg/apis/meta (v1.30) and
// github.com/fluxcd/pkg/apis/acl (v0.10) define them, so that the Flux
// API types of tsumiki need neither those modules nor controller-runtime.
//
// +kubebuilder:object:generate=true
package meta

// LocalObjectReference names an object in the referrer's namespace.
type LocalObjectReference struct {
	// Name of the referent.
	Name string `json:"name"`
}

// NamespacedObjectReference names an object, by default in the referrer's
// namespace.
type NamespacedObjectReference struct {
	// Name of the referent.
	Name string `json:"name"`
	// Namespace of the referent; the referrer's if empty.
	Namespace string `json:"namespace,omitempty"`
}

// NamespacedObjectKindReference names an object of any kind, by default in
// the referrer's namespace.
type NamespacedObjectKindReference struct {
	// APIVersion of the referent; the preferred version of Kind if empty.
	APIVersion string `json:"apiVersion,omitempty"`
	// Kind of the referent.
	Kind string `json:"kind"`
	// Name of the referent.
	Name string `json:"name"`
	// Namespace of the referent; the referrer's if empty.
	Namespace string `json:"namespace,omitempty"`
}

// DependencyReference names an object of the same kind that must be ready
// before the referrer is reconciled.
type DependencyReference struct {
	// Name of the referent.
	Name string `json:"name"`
	// Namespace of the referent; the referrer's if empty.
	Namespace string `json:"namespace,omitempty"`
	// ReadyExpr is a CEL expression that decides readiness instead of the
	// Ready condition.
	ReadyExpr string `json:"readyExpr,omitempty"`
}

// SecretKeyReference names a key of a Secret in the referrer's namespace.
type SecretKeyReference struct {
	// Name of the Secret.
	Name string `json:"name"`
	// Key in the Secret; a default chosen by the referrer if empty.
	Key string `json:"key,omitempty"`
}

// KubeConfigReference points at a kubeconfig for reconciling on a remote
// cluster.
type KubeConfigReference struct {
	// ConfigMapRef names a ConfigMap with the cluster's provider settings.
	ConfigMapRef *LocalObjectReference `json:"configMapRef,omitempty"`
	// SecretRef names the Secret key holding the kubeconfig.
	SecretRef *SecretKeyReference `json:"secretRef,omitempty"`
}

// ValuesReference names a ConfigMap or Secret key holding values to merge.
type ValuesReference struct {
	// Kind is ConfigMap or Secret.
	Kind string `json:"kind"`
	// Name of the object, in the referrer's namespace.
	Name string `json:"name"`
	// ValuesKey is the key holding the values; "values.yaml" if empty.
	ValuesKey string `json:"valuesKey,omitempty"`
	// TargetPath is where the value is merged, in Helm's --set syntax; the
	// root if empty.
	TargetPath string `json:"targetPath,omitempty"`
	// Optional makes a missing object or key no error.
	Optional bool `json:"optional,omitempty"`
	// Literal takes the value as a literal string, not parsed.
	Literal bool `json:"literal,omitempty"`
}

// AccessFrom lists the namespaces whose objects may refer to a source
// (acl.AccessFrom).
type AccessFrom struct {
	// NamespaceSelectors select the namespaces allowed.
	NamespaceSelectors []NamespaceSelector `json:"namespaceSelectors"`
}

// NamespaceSelector selects namespaces by label (acl.NamespaceSelector).
type NamespaceSelector struct {
	// MatchLabels are the labels a namespace must carry.
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
