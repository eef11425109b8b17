package sourcev1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// HelmRepository makes source-controller fetch a Helm chart repository's
// index (type default) or stand for an OCI registry (type oci).
//
// +kubebuilder:object:root=true
type HelmRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec is where the charts are and how to reach them.
	Spec HelmRepositorySpec `json:"spec,omitempty"`
}

// HelmRepositorySpec is the spec of a HelmRepository.
type HelmRepositorySpec struct {
	// URL of the repository: http or https for an index, oci:// for a
	// registry.
	URL string `json:"url"`
	// SecretRef names a Secret with username and password, or TLS
	// settings.
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
	// CertSecretRef names a Secret with TLS client certificate and CA.
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`
	// PassCredentials sends the credentials to hosts other than the
	// index's too.
	PassCredentials bool `json:"passCredentials,omitempty"`
	// Interval between index fetches.
	Interval metav1.Duration `json:"interval,omitempty"`
	// Insecure allows plain HTTP to an OCI registry.
	Insecure bool `json:"insecure,omitempty"`
	// Timeout of an index fetch; 60s if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Suspend stops reconciliation.
	Suspend bool `json:"suspend,omitempty"`
	// AccessFrom is deprecated and ignored by source-controller.
	AccessFrom *meta.AccessFrom `json:"accessFrom,omitempty"`
	// Type is default (an index over HTTP) or oci.
	Type string `json:"type,omitempty"`
	// Provider is the authentication provider for type oci: generic (the
	// default), aws, azure or gcp.
	Provider string `json:"provider,omitempty"`
}
