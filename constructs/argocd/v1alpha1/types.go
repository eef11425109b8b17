package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Application is an Argo CD Application: what to deploy (Spec.Source or
// Spec.Sources), where (Spec.Destination), under which project, and how to
// sync it.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	// Spec is the desired state.
	Spec ApplicationSpec `json:"spec"`
}

// ApplicationList is a list of Applications, for decoding.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type ApplicationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	// Items are the Applications.
	Items []Application `json:"items"`
}

// ApplicationSpec is an Application's desired state.
type ApplicationSpec struct {
	// Source is where the manifests come from. Use Source or Sources.
	Source *ApplicationSource `json:"source,omitempty"`
	// Destination is the cluster and namespace to deploy to.
	Destination ApplicationDestination `json:"destination"`
	// Project is the AppProject the Application belongs to; Argo CD reads
	// "" as "default".
	Project string `json:"project"`
	// SyncPolicy controls when and how Argo CD syncs.
	SyncPolicy *SyncPolicy `json:"syncPolicy,omitempty"`
	// IgnoreDifferences lists fields of live resources that Argo CD leaves
	// out of its comparison.
	IgnoreDifferences []ResourceIgnoreDifferences `json:"ignoreDifferences,omitempty"`
	// Info is shown in Argo CD's UI: links, contacts, notes.
	Info []Info `json:"info,omitempty"`
	// RevisionHistoryLimit is how many synced revisions Argo CD keeps for
	// rollbacks; 10 if unset.
	RevisionHistoryLimit *int64 `json:"revisionHistoryLimit,omitempty"`
	// Sources are several sources combined into one Application (for
	// example a chart and the repository holding its values files).
	Sources []ApplicationSource `json:"sources,omitempty"`
}

// ApplicationSource is one source of manifests: a path of a git repository,
// or a Helm chart.
type ApplicationSource struct {
	// RepoURL is the git repository, Helm repository or OCI registry.
	RepoURL string `json:"repoURL"`
	// Path is a directory of a git repository, relative to its root.
	Path string `json:"path,omitempty"`
	// TargetRevision is the branch, tag or commit of a git repository, or
	// the version of a Helm chart. Argo CD reads "" as HEAD; this package
	// requires it to be given.
	TargetRevision string `json:"targetRevision,omitempty"`
	// Helm holds Helm options.
	Helm *ApplicationSourceHelm `json:"helm,omitempty"`
	// Kustomize holds Kustomize options.
	Kustomize *ApplicationSourceKustomize `json:"kustomize,omitempty"`
	// Directory holds options for a directory of plain manifests.
	Directory *ApplicationSourceDirectory `json:"directory,omitempty"`
	// Chart is the name of a Helm chart in a Helm repository.
	Chart string `json:"chart,omitempty"`
	// Ref names the source so that other sources of the Application can
	// read its files as `$<ref>/<path>` (Helm values files).
	Ref string `json:"ref,omitempty"`
	// Name names the source in Argo CD's UI and CLI.
	Name string `json:"name,omitempty"`
}

// ApplicationSourceHelm holds the options Argo CD passes to `helm template`.
type ApplicationSourceHelm struct {
	// ValueFiles are values files, relative to the chart's directory or
	// `$<ref>/…` from another source.
	ValueFiles []string `json:"valueFiles,omitempty"`
	// Parameters are single values (`--set`).
	Parameters []HelmParameter `json:"parameters,omitempty"`
	// ReleaseName is the release name; the Application's name if empty.
	ReleaseName string `json:"releaseName,omitempty"`
	// Values are values as a YAML document. Use Values or ValuesObject.
	Values string `json:"values,omitempty"`
	// FileParameters are values read from files (`--set-file`).
	FileParameters []HelmFileParameter `json:"fileParameters,omitempty"`
	// Version is the Helm version ("3").
	Version string `json:"version,omitempty"`
	// PassCredentials passes credentials to every domain
	// (`--pass-credentials`).
	PassCredentials bool `json:"passCredentials,omitempty"`
	// IgnoreMissingValueFiles skips values files that do not exist.
	IgnoreMissingValueFiles bool `json:"ignoreMissingValueFiles,omitempty"`
	// SkipCrds leaves out the chart's CRDs (`--skip-crds`).
	SkipCrds bool `json:"skipCrds,omitempty"`
	// ValuesObject are values as a JSON object; it takes precedence over
	// Values.
	ValuesObject *JSON `json:"valuesObject,omitempty"`
	// Namespace is the namespace to template with; the destination's if
	// empty.
	Namespace string `json:"namespace,omitempty"`
	// KubeVersion is the Kubernetes version passed to Helm; the cluster's
	// if empty.
	KubeVersion string `json:"kubeVersion,omitempty"`
	// APIVersions are the API versions passed to Helm ([group/]version/kind);
	// the cluster's if empty.
	APIVersions []string `json:"apiVersions,omitempty"`
	// SkipTests leaves out the chart's tests (`--skip-tests`).
	SkipTests bool `json:"skipTests,omitempty"`
	// SkipSchemaValidation skips the chart's values schema
	// (`--skip-schema-validation`).
	SkipSchemaValidation bool `json:"skipSchemaValidation,omitempty"`
}

// HelmParameter is one `--set` value.
type HelmParameter struct {
	// Name is the value's path ("image.tag").
	Name string `json:"name,omitempty"`
	// Value is the value.
	Value string `json:"value,omitempty"`
	// ForceString makes Helm read the value as a string (`--set-string`).
	ForceString bool `json:"forceString,omitempty"`
}

// HelmFileParameter is one `--set-file` value.
type HelmFileParameter struct {
	// Name is the value's path.
	Name string `json:"name,omitempty"`
	// Path is the file holding the value.
	Path string `json:"path,omitempty"`
}

// ApplicationSourceKustomize holds the options Argo CD applies to a
// kustomization before building it.
type ApplicationSourceKustomize struct {
	// NamePrefix overrides the kustomization's namePrefix.
	NamePrefix string `json:"namePrefix,omitempty"`
	// NameSuffix overrides the kustomization's nameSuffix.
	NameSuffix string `json:"nameSuffix,omitempty"`
	// Images override images, as `kustomize edit set image` takes them:
	// "[old=]name[:tag][@digest]".
	Images []string `json:"images,omitempty"`
	// CommonLabels are added to every resource.
	CommonLabels map[string]string `json:"commonLabels,omitempty"`
	// Version is the Kustomize version, as Argo CD's configuration names it.
	Version string `json:"version,omitempty"`
	// CommonAnnotations are added to every resource.
	CommonAnnotations map[string]string `json:"commonAnnotations,omitempty"`
	// ForceCommonLabels overwrites labels the resources already have.
	ForceCommonLabels bool `json:"forceCommonLabels,omitempty"`
	// ForceCommonAnnotations overwrites annotations the resources already
	// have.
	ForceCommonAnnotations bool `json:"forceCommonAnnotations,omitempty"`
	// Namespace is the namespace Kustomize sets on every resource.
	Namespace string `json:"namespace,omitempty"`
	// CommonAnnotationsEnvsubst substitutes Argo CD's build environment
	// variables in CommonAnnotations.
	CommonAnnotationsEnvsubst bool `json:"commonAnnotationsEnvsubst,omitempty"`
	// Replicas override the replica counts of Deployments and StatefulSets.
	Replicas []KustomizeReplica `json:"replicas,omitempty"`
	// Patches are Kustomize patches.
	Patches []KustomizePatch `json:"patches,omitempty"`
	// Components are Kustomize components to add.
	Components []string `json:"components,omitempty"`
	// IgnoreMissingComponents skips components that do not exist.
	IgnoreMissingComponents bool `json:"ignoreMissingComponents,omitempty"`
	// LabelWithoutSelector keeps CommonLabels out of selectors.
	LabelWithoutSelector bool `json:"labelWithoutSelector,omitempty"`
	// KubeVersion is the Kubernetes version passed to Helm charts inflated
	// by Kustomize.
	KubeVersion string `json:"kubeVersion,omitempty"`
	// APIVersions are the API versions passed to Helm charts inflated by
	// Kustomize.
	APIVersions []string `json:"apiVersions,omitempty"`
	// LabelIncludeTemplates also labels the pod templates (with
	// LabelWithoutSelector).
	LabelIncludeTemplates bool `json:"labelIncludeTemplates,omitempty"`
}

// KustomizeReplica overrides the replica count of one Deployment or
// StatefulSet.
type KustomizeReplica struct {
	// Name is the workload's name.
	Name string `json:"name"`
	// Count is the number of replicas.
	Count intstr.IntOrString `json:"count"`
}

// KustomizePatch is one Kustomize patch.
type KustomizePatch struct {
	// Path is a file holding the patch.
	Path string `json:"path,omitempty"`
	// Patch is the patch itself.
	Patch string `json:"patch,omitempty"`
	// Target selects the resources to patch.
	Target *KustomizeSelector `json:"target,omitempty"`
	// Options are Kustomize's patch options (allowNameChange,
	// allowKindChange).
	Options map[string]bool `json:"options,omitempty"`
}

// KustomizeSelector selects the resources a patch applies to.
type KustomizeSelector struct {
	// Group, Version, Kind, Name and Namespace match the resource's.
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// AnnotationSelector and LabelSelector are Kubernetes selectors.
	AnnotationSelector string `json:"annotationSelector,omitempty"`
	LabelSelector      string `json:"labelSelector,omitempty"`
}

// ApplicationSourceDirectory holds the options for a directory of plain
// manifests: every .yaml, .yml and .json file in it.
type ApplicationSourceDirectory struct {
	// Recurse also reads the directory's subdirectories.
	Recurse bool `json:"recurse,omitempty"`
	// Jsonnet holds options for .jsonnet files.
	Jsonnet ApplicationSourceJsonnet `json:"jsonnet,omitzero"`
	// Exclude is a glob of paths, relative to the directory, to leave out
	// ("{config.yaml,env/*}").
	Exclude string `json:"exclude,omitempty"`
	// Include is a glob of paths, relative to the directory, to read; all
	// manifests if empty.
	Include string `json:"include,omitempty"`
}

// ApplicationSourceJsonnet holds options for Jsonnet files.
type ApplicationSourceJsonnet struct {
	// ExtVars are external variables.
	ExtVars []JsonnetVar `json:"extVars,omitempty"`
	// TLAs are top-level arguments.
	TLAs []JsonnetVar `json:"tlas,omitempty"`
	// Libs are library search directories.
	Libs []string `json:"libs,omitempty"`
}

// JsonnetVar is one Jsonnet variable.
type JsonnetVar struct {
	// Name is the variable's name.
	Name string `json:"name"`
	// Value is its value.
	Value string `json:"value"`
	// Code reads Value as Jsonnet code rather than a string.
	Code bool `json:"code,omitempty"`
}

// ApplicationDestination is the cluster, by Server or by Name, and the
// namespace an Application deploys to.
type ApplicationDestination struct {
	// Server is the URL of the cluster's API server
	// ("https://kubernetes.default.svc" for Argo CD's own cluster).
	Server string `json:"server,omitempty"`
	// Namespace is given to namespaced resources that set none.
	Namespace string `json:"namespace,omitempty"`
	// Name is the cluster's name in Argo CD ("in-cluster" for its own).
	Name string `json:"name,omitempty"`
}

// SyncPolicy controls when and how Argo CD syncs an Application.
type SyncPolicy struct {
	// Automated syncs whenever the source or the live state changes; unset,
	// Argo CD syncs only when asked.
	Automated *SyncPolicyAutomated `json:"automated,omitempty"`
	// SyncOptions are Application-wide sync options ("CreateNamespace=true").
	SyncOptions []string `json:"syncOptions,omitempty"`
	// Retry retries failed syncs.
	Retry *RetryStrategy `json:"retry,omitempty"`
	// ManagedNamespaceMetadata is given to the namespace that
	// CreateNamespace=true creates.
	ManagedNamespaceMetadata *ManagedNamespaceMetadata `json:"managedNamespaceMetadata,omitempty"`
}

// SyncPolicyAutomated configures automated sync.
type SyncPolicyAutomated struct {
	// Prune deletes resources that are no longer in the source.
	Prune *bool `json:"prune,omitempty"`
	// SelfHeal reverts changes made to live resources.
	SelfHeal *bool `json:"selfHeal,omitempty"`
	// AllowEmpty lets a sync leave the Application with no resources.
	AllowEmpty *bool `json:"allowEmpty,omitempty"`
	// Enabled turns automated sync off while keeping its settings.
	Enabled *bool `json:"enabled,omitempty"`
}

// RetryStrategy retries failed syncs.
type RetryStrategy struct {
	// Limit is the number of retries; 0 is none, a negative number no limit.
	Limit int64 `json:"limit,omitempty"`
	// Backoff spaces the retries.
	Backoff *Backoff `json:"backoff,omitempty"`
	// Refresh retries with the latest revision instead of the first one.
	Refresh bool `json:"refresh,omitempty"`
}

// Backoff spaces sync retries: Duration, multiplied by Factor after each
// failure, up to MaxDuration.
type Backoff struct {
	// Duration is a number of seconds or a Go duration ("5s", "2m").
	Duration string `json:"duration,omitempty"`
	// Factor multiplies the duration after each failure.
	Factor *int64 `json:"factor,omitempty"`
	// MaxDuration caps the duration.
	MaxDuration string `json:"maxDuration,omitempty"`
}

// ManagedNamespaceMetadata is metadata for the namespace that the sync
// option CreateNamespace=true creates.
type ManagedNamespaceMetadata struct {
	// Labels are the namespace's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are the namespace's annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ResourceIgnoreDifferences names resources and the fields of theirs that
// Argo CD leaves out of its comparison.
type ResourceIgnoreDifferences struct {
	// Group is the resources' API group; "" for the core group.
	Group string `json:"group,omitempty"`
	// Kind is the resources' kind.
	Kind string `json:"kind"`
	// Name and Namespace narrow the match to one resource.
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// JSONPointers are RFC 6901 pointers to the fields ("/spec/replicas").
	JSONPointers []string `json:"jsonPointers,omitempty"`
	// JQPathExpressions are jq paths to the fields.
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
	// ManagedFieldsManagers are field managers whose changes are ignored
	// ("kube-controller-manager").
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty"`
}

// Info is one entry of an Application's information in Argo CD's UI.
type Info struct {
	// Name is the entry's label.
	Name string `json:"name"`
	// Value is its text or URL.
	Value string `json:"value"`
}

// ApplicationSet generates Applications from a template, once for every
// set of parameters its generators produce.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type ApplicationSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	// Spec is the desired state.
	Spec ApplicationSetSpec `json:"spec"`
}

// ApplicationSetList is a list of ApplicationSets, for decoding.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type ApplicationSetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	// Items are the ApplicationSets.
	Items []ApplicationSet `json:"items"`
}

// ApplicationSetSpec is an ApplicationSet's desired state.
type ApplicationSetSpec struct {
	// GoTemplate renders the template with Go's text/template (and Sprig)
	// instead of the older fasttemplate.
	GoTemplate bool `json:"goTemplate,omitempty"`
	// Generators produce the parameter sets; each set renders one
	// Application.
	Generators []ApplicationSetGenerator `json:"generators"`
	// Template is the Application each parameter set renders.
	Template ApplicationSetTemplate `json:"template"`
	// SyncPolicy controls what the controller may do to the Applications it
	// generated.
	SyncPolicy *ApplicationSetSyncPolicy `json:"syncPolicy,omitempty"`
	// Strategy updates the generated Applications in steps (progressive
	// sync).
	Strategy *ApplicationSetStrategy `json:"strategy,omitempty"`
	// PreservedFields are annotations and labels of the generated
	// Applications that the controller leaves as others set them.
	PreservedFields *ApplicationPreservedFields `json:"preservedFields,omitempty"`
	// GoTemplateOptions are text/template options ("missingkey=error").
	GoTemplateOptions []string `json:"goTemplateOptions,omitempty"`
	// IgnoreApplicationDifferences are fields of the generated Applications
	// that the controller leaves as others set them.
	IgnoreApplicationDifferences []ApplicationSetResourceIgnoreDifferences `json:"ignoreApplicationDifferences,omitempty"`
	// TemplatePatch is a templated patch applied to each generated
	// Application, for fields a string template cannot reach.
	TemplatePatch *string `json:"templatePatch,omitempty"`
}

// ApplicationSetTemplate is the Application an ApplicationSet renders for
// each parameter set. Its string fields may hold template expressions.
type ApplicationSetTemplate struct {
	// Metadata is the generated Application's metadata.
	Metadata ApplicationSetTemplateMeta `json:"metadata"`
	// Spec is the generated Application's spec.
	Spec ApplicationSpec `json:"spec"`
}

// ApplicationSetTemplateMeta is the metadata of a generated Application.
type ApplicationSetTemplateMeta struct {
	// Name is the Application's name: a template, so that every parameter
	// set gets its own.
	Name string `json:"name,omitempty"`
	// Namespace is the Application's namespace; the ApplicationSet's if
	// empty.
	Namespace string `json:"namespace,omitempty"`
	// Labels are the Application's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are the Application's annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Finalizers are the Application's finalizers.
	Finalizers []string `json:"finalizers,omitempty"`
}

// ApplicationSetGenerator is one generator of an ApplicationSet: set
// exactly one of its generator fields.
type ApplicationSetGenerator struct {
	// List generates one parameter set per element.
	List *ListGenerator `json:"list,omitempty"`
	// Clusters generates one parameter set per cluster registered in Argo
	// CD.
	Clusters *ClusterGenerator `json:"clusters,omitempty"`
	// Git generates parameter sets from the directories or files of a git
	// repository.
	Git *GitGenerator `json:"git,omitempty"`
	// Matrix generates the cartesian product of two generators.
	Matrix *MatrixGenerator `json:"matrix,omitempty"`
	// Merge merges the parameter sets of several generators by key.
	Merge *MergeGenerator `json:"merge,omitempty"`
	// Selector keeps only the parameter sets it matches.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ApplicationSetNestedGenerator is a generator inside a matrix or merge
// generator.
type ApplicationSetNestedGenerator struct {
	// List generates one parameter set per element.
	List *ListGenerator `json:"list,omitempty"`
	// Clusters generates one parameter set per cluster.
	Clusters *ClusterGenerator `json:"clusters,omitempty"`
	// Git generates parameter sets from a git repository.
	Git *GitGenerator `json:"git,omitempty"`
	// Matrix is a matrix generator one level down. (Argo CD's CRD holds it
	// as free-form JSON, since CRD schemas cannot recurse; this is its
	// shape.)
	Matrix *NestedMatrixGenerator `json:"matrix,omitempty"`
	// Merge is a merge generator one level down, held like Matrix.
	Merge *NestedMergeGenerator `json:"merge,omitempty"`
	// Selector keeps only the parameter sets it matches.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ApplicationSetTerminalGenerator is a generator two levels down, which may
// no longer be a matrix or merge generator.
type ApplicationSetTerminalGenerator struct {
	// List generates one parameter set per element.
	List *ListGenerator `json:"list,omitempty"`
	// Clusters generates one parameter set per cluster.
	Clusters *ClusterGenerator `json:"clusters,omitempty"`
	// Git generates parameter sets from a git repository.
	Git *GitGenerator `json:"git,omitempty"`
	// Selector keeps only the parameter sets it matches.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ListGenerator generates one parameter set per element.
type ListGenerator struct {
	// Elements are JSON objects, each a parameter set.
	Elements []JSON `json:"elements"`
	// ElementsYaml is a YAML list of elements, usually a template over the
	// parameters of an enclosing matrix generator.
	ElementsYaml string `json:"elementsYaml,omitempty"`
}

// ClusterGenerator generates one parameter set per cluster registered in
// Argo CD (name, nameNormalized, server, metadata.labels, …).
type ClusterGenerator struct {
	// Selector matches the labels of the clusters' Secrets; all clusters if
	// unset.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// Values are extra parameters, `values.<key>`, which may themselves be
	// templates.
	Values map[string]string `json:"values,omitempty"`
	// FlatList generates one parameter set holding every cluster as
	// `clusters`.
	FlatList bool `json:"flatList,omitempty"`
}

// GitGenerator generates parameter sets from the directories (path,
// path.basename, …) or the JSON and YAML files of a git repository.
type GitGenerator struct {
	// RepoURL is the git repository.
	RepoURL string `json:"repoURL"`
	// Directories are globs of directories, each match a parameter set.
	Directories []GitDirectoryGeneratorItem `json:"directories,omitempty"`
	// Files are globs of JSON or YAML files, whose content are parameter
	// sets.
	Files []GitFileGeneratorItem `json:"files,omitempty"`
	// Revision is the branch, tag or commit to read.
	Revision string `json:"revision"`
	// RequeueAfterSeconds is how often to read the repository again.
	RequeueAfterSeconds *int64 `json:"requeueAfterSeconds,omitempty"`
	// PathParamPrefix prefixes the path parameters' names.
	PathParamPrefix string `json:"pathParamPrefix,omitempty"`
	// Values are extra parameters, `values.<key>`.
	Values map[string]string `json:"values,omitempty"`
}

// GitDirectoryGeneratorItem is a glob of directories of a git generator.
type GitDirectoryGeneratorItem struct {
	// Path is a glob relative to the repository's root ("envs/*").
	Path string `json:"path"`
	// Exclude leaves the directories it matches out.
	Exclude bool `json:"exclude,omitempty"`
}

// GitFileGeneratorItem is a glob of files of a git generator.
type GitFileGeneratorItem struct {
	// Path is a glob relative to the repository's root
	// ("clusters/*/config.json").
	Path string `json:"path"`
	// Exclude leaves the files it matches out.
	Exclude bool `json:"exclude,omitempty"`
}

// MatrixGenerator generates the cartesian product of the parameter sets of
// two generators.
type MatrixGenerator struct {
	// Generators are the two generators.
	Generators []ApplicationSetNestedGenerator `json:"generators"`
}

// MergeGenerator merges the parameter sets of its generators: a set of a
// later generator overrides the set of the first generator with the same
// MergeKeys values.
type MergeGenerator struct {
	// Generators are the generators, the first one the base.
	Generators []ApplicationSetNestedGenerator `json:"generators"`
	// MergeKeys are the parameters that match sets.
	MergeKeys []string `json:"mergeKeys"`
}

// NestedMatrixGenerator is a matrix generator inside a matrix or merge
// generator.
type NestedMatrixGenerator struct {
	// Generators are the two generators.
	Generators []ApplicationSetTerminalGenerator `json:"generators"`
}

// NestedMergeGenerator is a merge generator inside a matrix or merge
// generator.
type NestedMergeGenerator struct {
	// Generators are the generators, the first one the base.
	Generators []ApplicationSetTerminalGenerator `json:"generators"`
	// MergeKeys are the parameters that match sets.
	MergeKeys []string `json:"mergeKeys"`
}

// ApplicationsSyncPolicy says what the ApplicationSet controller may do to
// the Applications it generated.
type ApplicationsSyncPolicy string

// The values of ApplicationsSyncPolicy.
const (
	// ApplicationsSyncCreateOnly creates Applications and never changes or
	// deletes them.
	ApplicationsSyncCreateOnly ApplicationsSyncPolicy = "create-only"
	// ApplicationsSyncCreateUpdate creates and updates, and never deletes.
	ApplicationsSyncCreateUpdate ApplicationsSyncPolicy = "create-update"
	// ApplicationsSyncCreateDelete creates and deletes, and never updates.
	ApplicationsSyncCreateDelete ApplicationsSyncPolicy = "create-delete"
	// ApplicationsSyncSync creates, updates and deletes: Argo CD's default.
	ApplicationsSyncSync ApplicationsSyncPolicy = "sync"
)

// ApplicationSetSyncPolicy controls what the ApplicationSet controller may
// do to the Applications it generated.
type ApplicationSetSyncPolicy struct {
	// PreserveResourcesOnDeletion keeps the resources of generated
	// Applications when the ApplicationSet is deleted.
	PreserveResourcesOnDeletion bool `json:"preserveResourcesOnDeletion,omitempty"`
	// ApplicationsSync limits the controller to creating, updating or
	// deleting Applications; ApplicationsSyncSync if unset.
	ApplicationsSync *ApplicationsSyncPolicy `json:"applicationsSync,omitempty"`
}

// ApplicationSetStrategy updates the generated Applications in steps.
type ApplicationSetStrategy struct {
	// Type is "AllAtOnce" or "RollingSync".
	Type string `json:"type,omitempty"`
	// RollingSync are the steps of a rolling sync.
	RollingSync *ApplicationSetRolloutStrategy `json:"rollingSync,omitempty"`
	// DeletionOrder is "AllAtOnce" or "Reverse".
	DeletionOrder string `json:"deletionOrder,omitempty"`
}

// ApplicationSetRolloutStrategy is the steps of a rolling sync.
type ApplicationSetRolloutStrategy struct {
	// Steps are synced one after the other.
	Steps []ApplicationSetRolloutStep `json:"steps,omitempty"`
}

// ApplicationSetRolloutStep is one step of a rolling sync: the Applications
// whose labels match.
type ApplicationSetRolloutStep struct {
	// MatchExpressions select Applications by label.
	MatchExpressions []ApplicationMatchExpression `json:"matchExpressions,omitempty"`
	// MaxUpdate is how many (or what percentage) may sync at once.
	MaxUpdate *intstr.IntOrString `json:"maxUpdate,omitempty"`
}

// ApplicationMatchExpression selects Applications by a label.
type ApplicationMatchExpression struct {
	// Key is the label.
	Key string `json:"key,omitempty"`
	// Operator is "In" or "NotIn".
	Operator string `json:"operator,omitempty"`
	// Values are the label values.
	Values []string `json:"values,omitempty"`
}

// ApplicationPreservedFields are annotations and labels of generated
// Applications that the ApplicationSet controller does not overwrite.
type ApplicationPreservedFields struct {
	// Annotations are annotation keys.
	Annotations []string `json:"annotations,omitempty"`
	// Labels are label keys.
	Labels []string `json:"labels,omitempty"`
}

// ApplicationSetResourceIgnoreDifferences names fields of generated
// Applications that the ApplicationSet controller does not overwrite.
type ApplicationSetResourceIgnoreDifferences struct {
	// Name is the Application's name; all of them if empty.
	Name string `json:"name,omitempty"`
	// JSONPointers are RFC 6901 pointers to the fields.
	JSONPointers []string `json:"jsonPointers,omitempty"`
	// JQPathExpressions are jq paths to the fields.
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
}

// AppProject groups Applications and limits what they may deploy: from
// which repositories, to which clusters and namespaces, which kinds.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	// Spec is the desired state.
	Spec AppProjectSpec `json:"spec"`
}

// AppProjectList is a list of AppProjects, for decoding.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type AppProjectList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	// Items are the AppProjects.
	Items []AppProject `json:"items"`
}

// AppProjectSpec is what an AppProject allows. Argo CD allows nothing a
// list leaves out: no repository, no destination, no cluster-scoped kind
// unless listed; every namespaced kind unless NamespaceResourceWhitelist is
// given.
type AppProjectSpec struct {
	// SourceRepos are the repositories Applications may deploy from, as
	// URLs or globs ("https://gitlab.example.com/platform/*").
	SourceRepos []string `json:"sourceRepos,omitempty"`
	// Destinations are the clusters and namespaces Applications may deploy
	// to; each may give Server, Name or both, and globs.
	Destinations []ApplicationDestination `json:"destinations,omitempty"`
	// Description describes the project, in at most 255 characters.
	Description string `json:"description,omitempty"`
	// ClusterResourceWhitelist are the cluster-scoped kinds Applications
	// may deploy.
	ClusterResourceWhitelist []ClusterResourceRestrictionItem `json:"clusterResourceWhitelist,omitempty"`
	// NamespaceResourceBlacklist are namespaced kinds Applications may not
	// deploy.
	NamespaceResourceBlacklist []metav1.GroupKind `json:"namespaceResourceBlacklist,omitempty"`
	// NamespaceResourceWhitelist, if given, are the only namespaced kinds
	// Applications may deploy.
	NamespaceResourceWhitelist []metav1.GroupKind `json:"namespaceResourceWhitelist,omitempty"`
	// ClusterResourceBlacklist are cluster-scoped kinds Applications may not
	// deploy.
	ClusterResourceBlacklist []ClusterResourceRestrictionItem `json:"clusterResourceBlacklist,omitempty"`
	// SourceNamespaces are the namespaces other than Argo CD's own where
	// Applications of the project may live.
	SourceNamespaces []string `json:"sourceNamespaces,omitempty"`
}

// ClusterResourceRestrictionItem names cluster-scoped resources by group,
// kind and, optionally, name; each may be a glob.
type ClusterResourceRestrictionItem struct {
	// Group is the API group; "" for the core group.
	Group string `json:"group"`
	// Kind is the kind.
	Kind string `json:"kind"`
	// Name narrows the item to resources whose name matches.
	Name string `json:"name,omitempty"`
}
