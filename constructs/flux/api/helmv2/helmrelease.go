// Package helmv2 holds the HelmRelease of helm.toolkit.fluxcd.io/v2, field
// for field as github.com/fluxcd/helm-controller/api v1.6.4 defines its
// spec. It carries no status: a manifest has none.
//
// +kubebuilder:object:generate=true
// +groupName=helm.toolkit.fluxcd.io
package helmv2

import (
	"bytes"
	"encoding/json"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomize"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
)

// GroupVersion is helm.toolkit.fluxcd.io/v2.
var GroupVersion = schema.GroupVersion{Group: "helm.toolkit.fluxcd.io", Version: "v2"}

// AddToScheme registers the package's types in a scheme.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &HelmRelease{})
	return nil
}

// HelmReleaseKind is the kind of a HelmRelease.
const HelmReleaseKind = "HelmRelease"

// HelmRelease makes helm-controller install a chart and keep the release
// up to date with its chart and values.
//
// +kubebuilder:object:root=true
type HelmRelease struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Spec is the chart, its values and how to install and upgrade it.
	Spec HelmReleaseSpec `json:"spec,omitempty"`
}

// HelmReleaseSpec is the spec of a HelmRelease. Exactly one of Chart and
// ChartRef is set.
type HelmReleaseSpec struct {
	// Chart is a template of the HelmChart helm-controller creates.
	Chart *HelmChartTemplate `json:"chart,omitempty"`
	// ChartRef names an OCIRepository or HelmChart holding the chart.
	ChartRef *CrossNamespaceSourceReference `json:"chartRef,omitempty"`
	// Interval between reconciliations.
	Interval metav1.Duration `json:"interval"`
	// KubeConfig installs on a remote cluster.
	KubeConfig *meta.KubeConfigReference `json:"kubeConfig,omitempty"`
	// Suspend stops reconciliation.
	Suspend bool `json:"suspend,omitempty"`
	// ReleaseName is the Helm release's name; [TargetNamespace-]Name if
	// empty.
	ReleaseName string `json:"releaseName,omitempty"`
	// TargetNamespace is where the release is installed; the
	// HelmRelease's namespace if empty.
	TargetNamespace string `json:"targetNamespace,omitempty"`
	// StorageNamespace is where Helm keeps the release's history.
	StorageNamespace string `json:"storageNamespace,omitempty"`
	// DependsOn lists HelmReleases that must be ready first.
	DependsOn []meta.DependencyReference `json:"dependsOn,omitempty"`
	// Timeout of each Helm action; 5m if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// MaxHistory is the number of revisions kept; 5 if nil, 0 for all.
	MaxHistory *int `json:"maxHistory,omitempty"`
	// ServiceAccountName is impersonated.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// PersistentClient reuses one Kubernetes client per release.
	PersistentClient *bool `json:"persistentClient,omitempty"`
	// DriftDetection compares the cluster with the release.
	DriftDetection *DriftDetection `json:"driftDetection,omitempty"`
	// Install configures helm install.
	Install *Install `json:"install,omitempty"`
	// Upgrade configures helm upgrade.
	Upgrade *Upgrade `json:"upgrade,omitempty"`
	// Test configures helm test.
	Test *Test `json:"test,omitempty"`
	// Rollback configures helm rollback.
	Rollback *Rollback `json:"rollback,omitempty"`
	// Uninstall configures helm uninstall.
	Uninstall *Uninstall `json:"uninstall,omitempty"`
	// ValuesFrom reads values from ConfigMaps and Secrets, merged in order.
	ValuesFrom []meta.ValuesReference `json:"valuesFrom,omitempty"`
	// Values are merged last, over ValuesFrom.
	Values *JSON `json:"values,omitempty"`
	// CommonMetadata is added to every object of the release.
	CommonMetadata *CommonMetadata `json:"commonMetadata,omitempty"`
	// PostRenderers change the rendered objects, in order.
	PostRenderers []PostRenderer `json:"postRenderers,omitempty"`
	// PostRenderStrategy is nohooks, combined or separate.
	PostRenderStrategy string `json:"postRenderStrategy,omitempty"`
	// WaitStrategy is how helm-controller waits for readiness.
	WaitStrategy *WaitStrategy `json:"waitStrategy,omitempty"`
	// HealthCheckExprs decide the health of custom kinds with CEL.
	HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs,omitempty"`
}

// JSON is arbitrary JSON, as apiextensions' JSON type: Raw is written as
// it is.
type JSON struct {
	// Raw is the encoded value.
	Raw []byte `json:"-"`
}

// MarshalJSON returns Raw, or null when it is empty.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j.Raw) == 0 {
		return []byte("null"), nil
	}
	return j.Raw, nil
}

// UnmarshalJSON keeps a copy of the encoded value; null leaves Raw empty.
func (j *JSON) UnmarshalJSON(data []byte) error {
	if j == nil {
		return errors.New("helmv2.JSON: UnmarshalJSON on nil pointer")
	}
	if !bytes.Equal(data, []byte("null")) {
		j.Raw = append(j.Raw[:0], data...)
	}
	return nil
}

var _ json.Marshaler = JSON{}

// Kustomize is a post-renderer of patches and image replacements.
type Kustomize struct {
	// Patches to apply.
	Patches []kustomize.Patch `json:"patches,omitempty"`
	// Images to replace.
	Images []kustomize.Image `json:"images,omitempty"`
}

// CommonMetadata holds labels and annotations added to every object.
type CommonMetadata struct {
	// Annotations to add.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Labels to add.
	Labels map[string]string `json:"labels,omitempty"`
}

// PostRenderer changes the objects Helm rendered.
type PostRenderer struct {
	// Kustomize patches them.
	Kustomize *Kustomize `json:"kustomize,omitempty"`
}

// IgnoreRule lists JSON pointers of fields drift detection ignores.
type IgnoreRule struct {
	// Paths are JSON pointers.
	Paths []string `json:"paths"`
	// Target selects the objects; all if nil.
	Target *kustomize.Selector `json:"target,omitempty"`
}

// DriftDetection configures the comparison of the cluster with the release.
type DriftDetection struct {
	// Mode is enabled (correct drift), warn or disabled (the default).
	Mode string `json:"mode,omitempty"`
	// Ignore lists fields that may drift.
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// HelmChartTemplate is the template of the HelmChart helm-controller
// creates for the release.
type HelmChartTemplate struct {
	// ObjectMeta holds labels and annotations for the HelmChart.
	ObjectMeta *HelmChartTemplateObjectMeta `json:"metadata,omitempty"`
	// Spec is the HelmChart's spec.
	Spec HelmChartTemplateSpec `json:"spec"`
}

// HelmChartTemplateObjectMeta holds a HelmChart's labels and annotations.
type HelmChartTemplateObjectMeta struct {
	// Labels of the HelmChart.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations of the HelmChart.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// HelmChartTemplateSpec says where the chart is.
type HelmChartTemplateSpec struct {
	// Chart is the chart's name in a HelmRepository, or its path in a
	// GitRepository or Bucket.
	Chart string `json:"chart"`
	// Version is a semver range; * (the newest) if empty. Ignored for
	// charts in git, whose version is the one in Chart.yaml.
	Version string `json:"version,omitempty"`
	// SourceRef names the HelmRepository, GitRepository or Bucket.
	SourceRef CrossNamespaceObjectReference `json:"sourceRef"`
	// Interval between chart checks; the HelmRelease's if nil.
	Interval *metav1.Duration `json:"interval,omitempty"`
	// ReconcileStrategy is ChartVersion (the default: a new chart version
	// makes a new artifact) or Revision (so does a new source revision).
	ReconcileStrategy string `json:"reconcileStrategy,omitempty"`
	// ValuesFiles are values files in the chart, merged in order.
	ValuesFiles []string `json:"valuesFiles,omitempty"`
	// IgnoreMissingValuesFiles lets a missing values file pass.
	IgnoreMissingValuesFiles bool `json:"ignoreMissingValuesFiles,omitempty"`
	// Verify checks the chart's signature (OCI HelmRepositories only).
	Verify *HelmChartTemplateVerification `json:"verify,omitempty"`
}

// HelmChartTemplateVerification checks a chart's signature.
type HelmChartTemplateVerification struct {
	// Provider is cosign or notation.
	Provider string `json:"provider"`
	// SecretRef names the Secret with the public keys.
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
}

// WaitStrategy chooses how helm-controller waits for readiness.
type WaitStrategy struct {
	// Name is poller or legacy.
	Name string `json:"name"`
}

// Install configures helm install.
type Install struct {
	// Timeout of the install; the HelmRelease's if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Strategy is what happens after a failed install.
	Strategy *InstallStrategy `json:"strategy,omitempty"`
	// Remediation configures retries of a failed install.
	Remediation *InstallRemediation `json:"remediation,omitempty"`
	// DisableTakeOwnership refuses to adopt objects that exist.
	DisableTakeOwnership bool `json:"disableTakeOwnership,omitempty"`
	// DisableWait does not wait for the objects to become ready.
	DisableWait bool `json:"disableWait,omitempty"`
	// DisableWaitForJobs does not wait for Jobs to complete.
	DisableWaitForJobs bool `json:"disableWaitForJobs,omitempty"`
	// DisableHooks skips hooks.
	DisableHooks bool `json:"disableHooks,omitempty"`
	// DisableOpenAPIValidation skips validation against the API schema.
	DisableOpenAPIValidation bool `json:"disableOpenAPIValidation,omitempty"`
	// DisableSchemaValidation skips the chart's values schema.
	DisableSchemaValidation bool `json:"disableSchemaValidation,omitempty"`
	// Replace reuses the name of a deleted release.
	Replace bool `json:"replace,omitempty"`
	// SkipCRDs is deprecated; use CRDs.
	SkipCRDs bool `json:"skipCRDs,omitempty"`
	// CRDs is Skip, Create (the default) or CreateReplace.
	CRDs string `json:"crds,omitempty"`
	// CreateNamespace creates the target namespace.
	CreateNamespace bool `json:"createNamespace,omitempty"`
	// ServerSideApply applies server-side.
	ServerSideApply *bool `json:"serverSideApply,omitempty"`
}

// InstallStrategy is what happens after a failed install.
type InstallStrategy struct {
	// Name is RemediateOnFailure (the default) or RetryOnFailure.
	Name string `json:"name"`
	// RetryInterval between retries, for RetryOnFailure only.
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`
}

// InstallRemediation configures retries of a failed install.
type InstallRemediation struct {
	// Retries before giving up; negative for ever.
	Retries int `json:"retries,omitempty"`
	// IgnoreTestFailures lets failed tests pass.
	IgnoreTestFailures *bool `json:"ignoreTestFailures,omitempty"`
	// RemediateLastFailure uninstalls after the last retry too.
	RemediateLastFailure *bool `json:"remediateLastFailure,omitempty"`
}

// Upgrade configures helm upgrade.
type Upgrade struct {
	// Timeout of the upgrade; the HelmRelease's if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Strategy is what happens after a failed upgrade.
	Strategy *UpgradeStrategy `json:"strategy,omitempty"`
	// Remediation configures retries of a failed upgrade.
	Remediation *UpgradeRemediation `json:"remediation,omitempty"`
	// DisableTakeOwnership refuses to adopt objects that exist.
	DisableTakeOwnership bool `json:"disableTakeOwnership,omitempty"`
	// DisableWait does not wait for the objects to become ready.
	DisableWait bool `json:"disableWait,omitempty"`
	// DisableWaitForJobs does not wait for Jobs to complete.
	DisableWaitForJobs bool `json:"disableWaitForJobs,omitempty"`
	// DisableHooks skips hooks.
	DisableHooks bool `json:"disableHooks,omitempty"`
	// DisableOpenAPIValidation skips validation against the API schema.
	DisableOpenAPIValidation bool `json:"disableOpenAPIValidation,omitempty"`
	// DisableSchemaValidation skips the chart's values schema.
	DisableSchemaValidation bool `json:"disableSchemaValidation,omitempty"`
	// Force replaces objects whose update fails.
	Force bool `json:"force,omitempty"`
	// PreserveValues keeps the previous release's values.
	PreserveValues bool `json:"preserveValues,omitempty"`
	// CleanupOnFail deletes the objects a failed upgrade created.
	CleanupOnFail bool `json:"cleanupOnFail,omitempty"`
	// CRDs is Skip (the default), Create or CreateReplace.
	CRDs string `json:"crds,omitempty"`
	// ServerSideApply is enabled, disabled or auto.
	ServerSideApply string `json:"serverSideApply,omitempty"`
	// ChartNameChangeStrategy is InPlaceUpdate or Reinstall.
	ChartNameChangeStrategy string `json:"chartNameChangeStrategy,omitempty"`
}

// UpgradeStrategy is what happens after a failed upgrade.
type UpgradeStrategy struct {
	// Name is RemediateOnFailure (the default) or RetryOnFailure.
	Name string `json:"name"`
	// RetryInterval between retries, for RetryOnFailure only.
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`
}

// UpgradeRemediation configures retries of a failed upgrade.
type UpgradeRemediation struct {
	// Retries before giving up; negative for ever.
	Retries int `json:"retries,omitempty"`
	// IgnoreTestFailures lets failed tests pass.
	IgnoreTestFailures *bool `json:"ignoreTestFailures,omitempty"`
	// RemediateLastFailure rolls back after the last retry too.
	RemediateLastFailure *bool `json:"remediateLastFailure,omitempty"`
	// Strategy is rollback (the default) or uninstall.
	Strategy *string `json:"strategy,omitempty"`
}

// Test configures helm test.
type Test struct {
	// Enable runs the chart's tests after install and upgrade.
	Enable bool `json:"enable,omitempty"`
	// Timeout of the tests; the HelmRelease's if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// IgnoreFailures lets failed tests pass.
	IgnoreFailures bool `json:"ignoreFailures,omitempty"`
	// Filters choose the tests.
	Filters *[]Filter `json:"filters,omitempty"`
}

// Filter chooses a test by name.
type Filter struct {
	// Name of the test.
	Name string `json:"name"`
	// Exclude leaves it out instead.
	Exclude bool `json:"exclude,omitempty"`
}

// Rollback configures helm rollback.
type Rollback struct {
	// Timeout of the rollback; the HelmRelease's if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// DisableWait does not wait for the objects to become ready.
	DisableWait bool `json:"disableWait,omitempty"`
	// DisableWaitForJobs does not wait for Jobs to complete.
	DisableWaitForJobs bool `json:"disableWaitForJobs,omitempty"`
	// DisableHooks skips hooks.
	DisableHooks bool `json:"disableHooks,omitempty"`
	// Recreate restarts pods.
	Recreate bool `json:"recreate,omitempty"`
	// Force replaces objects whose update fails.
	Force bool `json:"force,omitempty"`
	// CleanupOnFail deletes the objects a failed rollback created.
	CleanupOnFail bool `json:"cleanupOnFail,omitempty"`
	// ServerSideApply is enabled, disabled or auto.
	ServerSideApply string `json:"serverSideApply,omitempty"`
}

// Uninstall configures helm uninstall.
type Uninstall struct {
	// Timeout of the uninstall; the HelmRelease's if nil.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// DisableHooks skips hooks.
	DisableHooks bool `json:"disableHooks,omitempty"`
	// KeepHistory keeps the release's history.
	KeepHistory bool `json:"keepHistory,omitempty"`
	// DisableWait does not wait for the objects to be deleted.
	DisableWait bool `json:"disableWait,omitempty"`
	// DeletionPropagation is background (the default), foreground or
	// orphan.
	DeletionPropagation *string `json:"deletionPropagation,omitempty"`
}

// CrossNamespaceObjectReference names the source of a chart.
type CrossNamespaceObjectReference struct {
	// APIVersion of the source.
	APIVersion string `json:"apiVersion,omitempty"`
	// Kind is HelmRepository, GitRepository or Bucket.
	Kind string `json:"kind,omitempty"`
	// Name of the source.
	Name string `json:"name"`
	// Namespace of the source; the HelmRelease's if empty.
	Namespace string `json:"namespace,omitempty"`
}

// CrossNamespaceSourceReference names an object holding a chart.
type CrossNamespaceSourceReference struct {
	// APIVersion of the object.
	APIVersion string `json:"apiVersion,omitempty"`
	// Kind is OCIRepository, HelmChart or ExternalArtifact.
	Kind string `json:"kind"`
	// Name of the object.
	Name string `json:"name"`
	// Namespace of the object; the HelmRelease's if empty.
	Namespace string `json:"namespace,omitempty"`
}
