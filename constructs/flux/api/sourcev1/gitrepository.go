package sourcev1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// GitRepository makes source-controller fetch a git repository and offer
// a revision of it as an artifact.
//
// +kubebuilder:object:root=true
type GitRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec is what to fetch, how often and with which credentials.
	Spec GitRepositorySpec `json:"spec,omitempty"`
}

// GitRepositorySpec is the spec of a GitRepository.
type GitRepositorySpec struct {
	// URL of the repository: http, https or ssh.
	URL string `json:"url"`
	// SecretRef names the Secret with the credentials: username and
	// password (or bearerToken) for HTTPS, identity and known_hosts for SSH.
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
	// Provider is the authentication provider: generic (the default),
	// aws, azure or github.
	Provider string `json:"provider,omitempty"`
	// ServiceAccountName is the service account whose identity
	// authenticates, for the azure and aws providers.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// Interval between fetches.
	Interval metav1.Duration `json:"interval"`
	// Timeout of one git operation; 60s if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Reference is the branch, tag, semver range, ref name or commit to
	// check out; the default branch if nil.
	Reference *GitRepositoryRef `json:"ref,omitempty"`
	// Verification checks the OpenPGP signature of the commit or tag.
	Verification *GitRepositoryVerification `json:"verify,omitempty"`
	// ProxySecretRef names a Secret with proxy settings.
	ProxySecretRef *meta.LocalObjectReference `json:"proxySecretRef,omitempty"`
	// Ignore holds .gitignore-style patterns of files left out of the
	// artifact. Any pattern, here or in a .sourceignore file, switches off
	// source-controller's default exclusions but those of VCS files.
	Ignore *string `json:"ignore,omitempty"`
	// Suspend stops reconciliation.
	Suspend bool `json:"suspend,omitempty"`
	// RecurseSubmodules clones submodules too.
	RecurseSubmodules bool `json:"recurseSubmodules,omitempty"`
	// Include adds the artifacts of other GitRepositories.
	Include []GitRepositoryInclude `json:"include,omitempty"`
	// SparseCheckout lists the directories to check out; all if empty.
	SparseCheckout []string `json:"sparseCheckout,omitempty"`
}

// GitRepositoryInclude copies a path of another GitRepository's artifact
// into this one's.
type GitRepositoryInclude struct {
	// GitRepositoryRef names the GitRepository, in the same namespace.
	GitRepositoryRef meta.LocalObjectReference `json:"repository"`
	// FromPath is the path copied; the root if empty.
	FromPath string `json:"fromPath,omitempty"`
	// ToPath is where it goes; the repository's name if empty.
	ToPath string `json:"toPath,omitempty"`
}

// GitRepositoryRef chooses the revision to check out. The most specific
// wins: Commit, Name, SemVer, Tag, Branch.
type GitRepositoryRef struct {
	// Branch to check out.
	Branch string `json:"branch,omitempty"`
	// Tag to check out.
	Tag string `json:"tag,omitempty"`
	// SemVer is a range; the newest tag in it is checked out.
	SemVer string `json:"semver,omitempty"`
	// Name is a full reference, such as refs/heads/main or
	// refs/merge-requests/1/head.
	Name string `json:"name,omitempty"`
	// Commit is a commit SHA.
	Commit string `json:"commit,omitempty"`
}

// GitRepositoryVerification checks OpenPGP signatures against the keys in
// a Secret.
type GitRepositoryVerification struct {
	// Mode is what is verified: HEAD (the default), Tag or TagAndHEAD.
	Mode string `json:"mode,omitempty"`
	// SecretRef names the Secret holding the public keys.
	SecretRef meta.LocalObjectReference `json:"secretRef"`
}
