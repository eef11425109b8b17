package sourcev1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// OCIRepository makes source-controller pull an OCI artifact and offer it
// as an artifact.
//
// +kubebuilder:object:root=true
type OCIRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec is what to pull, how often and how to verify it.
	Spec OCIRepositorySpec `json:"spec,omitempty"`
}

// OCIRepositorySpec is the spec of an OCIRepository.
type OCIRepositorySpec struct {
	// URL of the repository, oci://host/path.
	URL string `json:"url"`
	// Reference is the tag, semver range or digest to pull; latest if nil.
	Reference *OCIRepositoryRef `json:"ref,omitempty"`
	// LayerSelector chooses the layer to extract or copy; the first if nil.
	LayerSelector *OCILayerSelector `json:"layerSelector,omitempty"`
	// Provider is the authentication provider: generic (the default),
	// aws, azure or gcp.
	Provider string `json:"provider,omitempty"`
	// SecretRef names a docker-registry Secret with the credentials.
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
	// Verify checks the artifact's signature.
	Verify *OCIRepositoryVerification `json:"verify,omitempty"`
	// ServiceAccountName is the service account whose image pull secrets
	// authenticate.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// CertSecretRef names a Secret with TLS client certificate and CA.
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`
	// ProxySecretRef names a Secret with proxy settings.
	ProxySecretRef *meta.LocalObjectReference `json:"proxySecretRef,omitempty"`
	// Interval between pulls.
	Interval metav1.Duration `json:"interval"`
	// Timeout of one pull; 60s if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Ignore holds .gitignore-style patterns of files left out.
	Ignore *string `json:"ignore,omitempty"`
	// Insecure allows plain HTTP.
	Insecure bool `json:"insecure,omitempty"`
	// Suspend stops reconciliation.
	Suspend bool `json:"suspend,omitempty"`
}

// OCIRepositoryRef chooses the artifact: Digest wins over SemVer, which
// wins over Tag.
type OCIRepositoryRef struct {
	// Digest of the artifact.
	Digest string `json:"digest,omitempty"`
	// SemVer is a range; the newest tag in it is pulled.
	SemVer string `json:"semver,omitempty"`
	// SemverFilter is a regular expression the tags must match.
	SemverFilter string `json:"semverFilter,omitempty"`
	// Tag of the artifact.
	Tag string `json:"tag,omitempty"`
}

// OCILayerSelector chooses a layer by media type.
type OCILayerSelector struct {
	// MediaType of the layer.
	MediaType string `json:"mediaType,omitempty"`
	// Operation is extract (the default: the layer is a tarball) or copy.
	Operation string `json:"operation,omitempty"`
}

// OCIRepositoryVerification checks an artifact's signature with cosign or
// notation.
type OCIRepositoryVerification struct {
	// Provider is cosign or notation.
	Provider string `json:"provider"`
	// SecretRef names the Secret with the public keys (cosign) or the
	// trust policy and certificates (notation).
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
	// MatchOIDCIdentity lists the identities accepted for keyless cosign
	// signatures.
	MatchOIDCIdentity []OIDCIdentityMatch `json:"matchOIDCIdentity,omitempty"`
	// TrustedRootSecretRef names a Secret with a Sigstore trusted root.
	TrustedRootSecretRef *meta.LocalObjectReference `json:"trustedRootSecretRef,omitempty"`
}

// OIDCIdentityMatch is a keyless signer identity, as regular expressions.
type OIDCIdentityMatch struct {
	// Issuer of the OIDC token.
	Issuer string `json:"issuer"`
	// Subject of the OIDC token.
	Subject string `json:"subject"`
}
