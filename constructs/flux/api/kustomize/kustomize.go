// Package kustomize holds the kustomize types Flux's APIs share, field for
// field as github.com/fluxcd/pkg/apis/kustomize (v1.19) defines them.
//
// +kubebuilder:object:generate=true
package kustomize

// Image replaces an image's name, tag or digest in the objects built.
type Image struct {
	// Name is the image name without a tag.
	Name string `json:"name"`
	// NewName replaces the name.
	NewName string `json:"newName,omitempty"`
	// NewTag replaces the tag.
	NewTag string `json:"newTag,omitempty"`
	// Digest replaces the tag with a digest; it wins over NewTag.
	Digest string `json:"digest,omitempty"`
}

// Selector selects objects by their identity, labels and annotations.
type Selector struct {
	// Group of the objects.
	Group string `json:"group,omitempty"`
	// Version of the objects.
	Version string `json:"version,omitempty"`
	// Kind of the objects.
	Kind string `json:"kind,omitempty"`
	// Namespace of the objects.
	Namespace string `json:"namespace,omitempty"`
	// Name of the objects, a regular expression.
	Name string `json:"name,omitempty"`
	// AnnotationSelector is a label-selector expression over annotations.
	AnnotationSelector string `json:"annotationSelector,omitempty"`
	// LabelSelector is a label-selector expression.
	LabelSelector string `json:"labelSelector,omitempty"`
}

// Patch is a strategic merge or JSON 6902 patch, with the objects it
// applies to.
type Patch struct {
	// Patch is the patch document, YAML or JSON.
	Patch string `json:"patch"`
	// Target selects the objects; those the patch names if nil.
	Target *Selector `json:"target,omitempty"`
}

// CustomHealthCheck decides the health of objects of one kind with CEL.
type CustomHealthCheck struct {
	// APIVersion of the objects.
	APIVersion string `json:"apiVersion"`
	// Kind of the objects.
	Kind string `json:"kind,omitempty"`
	// HealthCheckExpressions are the CEL expressions.
	HealthCheckExpressions `json:",inline"`
}

// HealthCheckExpressions are the CEL expressions of a CustomHealthCheck.
type HealthCheckExpressions struct {
	// Current is true when the object is healthy.
	Current string `json:"current"`
	// InProgress is true while the object is still progressing.
	InProgress string `json:"inProgress,omitempty"`
	// Failed is true when the object has failed.
	Failed string `json:"failed,omitempty"`
}
