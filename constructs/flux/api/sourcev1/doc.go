// Package sourcev1 holds the types of source.toolkit.fluxcd.io/v1 that go
// into manifests: GitRepository, OCIRepository and HelmRepository, field
// for field as github.com/fluxcd/source-controller/api v1.9.3 defines their
// spec. They carry no status: a manifest has none, and source-controller
// writes it.
//
// +kubebuilder:object:generate=true
// +groupName=source.toolkit.fluxcd.io
package sourcev1

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is source.toolkit.fluxcd.io/v1.
var GroupVersion = schema.GroupVersion{Group: "source.toolkit.fluxcd.io", Version: "v1"}

// AddToScheme registers the package's types in a scheme.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &GitRepository{}, &OCIRepository{}, &HelmRepository{})
	return nil
}

// Kinds, for source references.
const (
	GitRepositoryKind  = "GitRepository"
	OCIRepositoryKind  = "OCIRepository"
	HelmRepositoryKind = "HelmRepository"
	BucketKind         = "Bucket"
	HelmChartKind      = "HelmChart"
)
