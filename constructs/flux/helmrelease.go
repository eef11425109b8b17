package flux

import (
	"encoding/json"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/helmv2"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// HelmReleaseProps configures a HelmRelease.
type HelmReleaseProps struct {
	ObjectProps
	// Source is where the chart is: a HelmRepository or GitRepository of
	// this app (spec.chart), or an OCIRepository whose artifact is the
	// chart (spec.chartRef). Exactly one of Source and ExternalSource is
	// required.
	Source ChartSource
	// ExternalSource names a HelmRepository, GitRepository or Bucket
	// defined outside the app; Namespace defaults to the HelmRelease's.
	ExternalSource *helmv2.CrossNamespaceObjectReference
	// Chart is the chart's name in a HelmRepository, or its path in a
	// GitRepository (relative, clean). Not used with an OCIRepository.
	Chart string
	// Version is a semver range of chart versions for a HelmRepository;
	// "*" (the newest) if empty. Pin it: a new chart version is then a
	// reviewed change to the manifests.
	Version string
	// ReleaseName is Helm's release name; [TargetNamespace-]name if empty.
	ReleaseName string
	// TargetNamespace is where the chart is installed; the HelmRelease's
	// namespace if empty. It must exist, unless CreateNamespace is set.
	TargetNamespace string
	// CreateNamespace creates TargetNamespace on install.
	CreateNamespace bool
	// Values are the chart's values, marshalled to JSON at synthesis.
	Values map[string]any
	// ValuesFrom reads values from ConfigMaps and Secrets, merged in order
	// under Values.
	ValuesFrom []meta.ValuesReference
	// DependsOn are HelmReleases of this app that must be ready first.
	DependsOn []*HelmRelease
	// ExternalDependsOn names HelmReleases outside the app that must be
	// ready first.
	ExternalDependsOn []meta.DependencyReference
	// Interval between reconciliations, which also re-check the chart;
	// "10m" if empty.
	Interval string
	// Timeout of each Helm action; "5m" if empty.
	Timeout string
	// Retries is how often a failed install or upgrade is retried (after
	// remediation: uninstall, or roll back) before giving up; 3 if zero,
	// none if negative.
	Retries int
	// DisableWait does not wait for the release's objects to become ready
	// on install and upgrade. A release then counts as successful when
	// Helm has applied it.
	DisableWait bool
	// ServiceAccountName is impersonated, to limit what the release may
	// change.
	ServiceAccountName string
}

// HelmRelease is a Flux HelmRelease.
type HelmRelease struct {
	*constructs.Object[*helmv2.HelmRelease]
	reg      *registration
	source   ChartSource
	extSrc   *helmv2.CrossNamespaceObjectReference
	values   map[string]any
	deps     []*HelmRelease
	external []meta.DependencyReference
}

// NewHelmRelease adds a HelmRelease to scope. Its chart source and
// dependsOn are filled in at synthesis from Source and DependsOn.
func NewHelmRelease(scope constructs.Construct, id string, props HelmReleaseProps) *HelmRelease {
	h := &HelmRelease{Object: constructs.NewObject(scope, id, &helmv2.HelmRelease{ObjectMeta: props.objectMeta()})}
	h.reg = register(h.APIObject)
	n := h.Node()
	spec := &h.Obj.Spec
	spec.Interval = intervalField.parse(n, "Interval", props.Interval, "10m")
	timeout := timeoutField.parse(n, "Timeout", props.Timeout, "5m")
	spec.Timeout = &timeout
	spec.ReleaseName = props.ReleaseName
	spec.TargetNamespace = props.TargetNamespace
	spec.ValuesFrom = props.ValuesFrom
	spec.ServiceAccountName = props.ServiceAccountName

	retries := props.Retries
	switch {
	case retries == 0:
		retries = 3
	case retries < 0:
		retries = 0
	}
	rollback := "rollback"
	spec.Install = &helmv2.Install{DisableWait: props.DisableWait, CreateNamespace: props.CreateNamespace}
	if retries > 0 {
		spec.Install.Remediation = &helmv2.InstallRemediation{Retries: retries}
	}
	spec.Upgrade = &helmv2.Upgrade{
		Remediation: &helmv2.UpgradeRemediation{Retries: retries, RemediateLastFailure: ptr(true), Strategy: &rollback},
		DisableWait: props.DisableWait,
		// Objects a failed upgrade created are removed with the rollback.
		CleanupOnFail: true,
	}

	switch {
	case props.Source != nil && props.ExternalSource != nil:
		n.AddError(fmt.Errorf("%w: give Source or ExternalSource, not both", ErrInvalidProps))
	case props.Source == nil && props.ExternalSource == nil:
		n.AddError(fmt.Errorf("%w: a HelmRelease needs a Source or an ExternalSource", ErrInvalidProps))
	}
	h.source = props.Source
	_, fromOCI := props.Source.(*OCIRepository)
	switch {
	case fromOCI && (props.Chart != "" || props.Version != ""):
		n.AddError(fmt.Errorf("%w: Chart and Version do not apply to an OCIRepository, whose artifact is the chart; choose the version with its Tag, SemVer or Digest", ErrInvalidProps))
	case !fromOCI && props.Chart == "":
		n.AddError(fmt.Errorf("%w: a HelmRelease needs the Chart's name or path", ErrInvalidProps))
	}
	if !fromOCI {
		spec.Chart = &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{Chart: props.Chart, Version: props.Version}}
		if _, inGit := props.Source.(*GitRepository); inGit {
			// A path that is not clean is reported at synthesis.
			if p, err := cleanPath(props.Chart); err == nil {
				spec.Chart.Spec.Chart = p
			}
		} else if props.Version == "" {
			spec.Chart.Spec.Version = "*"
		}
	}
	if props.ExternalSource != nil && spec.Chart != nil {
		ext := *props.ExternalSource
		h.extSrc = &ext
		spec.Chart.Spec.SourceRef = ext
	}
	h.values = props.Values
	h.DependOn(props.DependsOn...)
	h.external = append(h.external, props.ExternalDependsOn...)
	n.AddPrepare(h.resolve)
	n.AddValidation(constructs.ValidationFunc(h.validate))
	return h
}

// DependOn makes the HelmRelease wait for others of this app to be ready.
func (h *HelmRelease) DependOn(others ...*HelmRelease) {
	for _, o := range others {
		if o == nil {
			h.Node().AddError(fmt.Errorf("%w: nil DependsOn", ErrInvalidProps))
			continue
		}
		h.deps = append(h.deps, o)
	}
}

// SetValues replaces the values given in the props.
func (h *HelmRelease) SetValues(values map[string]any) { h.values = values }

func (h *HelmRelease) resolve() error {
	own := refOf(h.APIObject)
	spec := &h.Obj.Spec
	if h.source != nil && sameApp(h, h.source) {
		src := refOf(h.source.chartSource())
		ns := ""
		if src.namespace != own.namespace {
			ns = src.namespace
		}
		if src.kind == sourcev1.OCIRepositoryKind {
			spec.ChartRef = &helmv2.CrossNamespaceSourceReference{Kind: src.kind, Name: src.name, Namespace: ns}
		} else if spec.Chart != nil {
			spec.Chart.Spec.SourceRef = helmv2.CrossNamespaceObjectReference{Kind: src.kind, Name: src.name, Namespace: ns}
		}
	}
	if h.values != nil {
		raw, err := json.Marshal(h.values)
		if err != nil {
			return fmt.Errorf("%w: Values: %v", ErrInvalidProps, err)
		}
		spec.Values = &helmv2.JSON{Raw: raw}
	}
	deps := make([]*constructs.APIObject, len(h.deps))
	for i, d := range h.deps {
		deps[i] = d.APIObject
	}
	spec.DependsOn = addDependsOn(spec.DependsOn, h.APIObject, deps, h.external)
	return nil
}

func (h *HelmRelease) validate() []error {
	own := refOf(h.APIObject)
	spec := h.Obj.Spec
	errs := []error{intervalField.check(&spec.Interval), timeoutField.check(spec.Timeout)}
	if h.source != nil && !sameApp(h, h.source) {
		errs = append(errs, fmt.Errorf("%w: Source %s is a construct of another app", ErrUnknownReference, h.source.Node().Path()))
	}
	for _, d := range h.deps {
		if !sameApp(h, d) {
			errs = append(errs, fmt.Errorf("%w: DependsOn %s is a construct of another app", ErrUnknownReference, d.Node().Path()))
		}
	}
	if (spec.Chart == nil) == (spec.ChartRef == nil) {
		errs = append(errs, fmt.Errorf("%w: a HelmRelease sets exactly one of spec.chart and spec.chartRef", ErrInvalidProps))
	}
	if c := spec.Chart; c != nil {
		src := c.Spec.SourceRef
		r := ref{kind: src.Kind, namespace: namespaceOr(src.Namespace, own.namespace), name: src.Name}
		switch {
		case h.extSrc != nil && *h.extSrc == src:
		case src.Kind == "" || src.Name == "":
			errs = append(errs, fmt.Errorf("%w: spec.chart.spec.sourceRef needs a kind and a name", ErrInvalidProps))
		case src.Kind != sourcev1.HelmRepositoryKind && src.Kind != sourcev1.GitRepositoryKind:
			errs = append(errs, fmt.Errorf("%w: spec.chart.spec.sourceRef kind %q: a HelmRelease of this app takes its chart from a HelmRepository or GitRepository; declare others with ExternalSource", ErrInvalidProps, src.Kind))
		case !exists(h.Node(), r):
			errs = append(errs, fmt.Errorf("%w: spec.chart.spec.sourceRef names %s, which is not in this app; pass the construct as Source, or declare it with ExternalSource", ErrUnknownReference, r))
		}
		if src.Kind == sourcev1.GitRepositoryKind {
			if _, err := cleanPath(c.Spec.Chart); err != nil {
				errs = append(errs, fmt.Errorf("%w: spec.chart.spec.chart %v", ErrInvalidProps, err))
			}
		}
		errs = append(errs, intervalField.check(c.Spec.Interval))
	}
	if c := spec.ChartRef; c != nil {
		r := ref{kind: c.Kind, namespace: namespaceOr(c.Namespace, own.namespace), name: c.Name}
		if r.kind == sourcev1.OCIRepositoryKind && !exists(h.Node(), r) {
			errs = append(errs, fmt.Errorf("%w: spec.chartRef names %s, which is not in this app", ErrUnknownReference, r))
		}
	}
	for _, dep := range spec.DependsOn {
		r := ref{kind: helmv2.HelmReleaseKind, namespace: namespaceOr(dep.Namespace, own.namespace), name: dep.Name}
		switch {
		case dep.Name == "":
			errs = append(errs, fmt.Errorf("%w: spec.dependsOn has an entry without a name", ErrInvalidProps))
		case r == own:
			errs = append(errs, fmt.Errorf("%w: the HelmRelease depends on itself", ErrInvalidProps))
		case slices.Contains(h.external, dep):
		case !exists(h.Node(), r):
			errs = append(errs, fmt.Errorf("%w: spec.dependsOn names %s, which is not in this app; pass the construct in DependsOn, or declare it with ExternalDependsOn", ErrUnknownReference, r))
		}
	}
	for _, f := range []struct{ field, ns string }{
		{"spec.targetNamespace", spec.TargetNamespace},
		{"spec.storageNamespace", spec.StorageNamespace},
	} {
		if f.ns == "" {
			continue
		}
		if msgs := validation.IsDNS1123Label(f.ns); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%w: %s %q: %s", ErrInvalidProps, f.field, f.ns, msgs[0]))
		}
	}
	if name := spec.ReleaseName; len(name) > 53 {
		errs = append(errs, fmt.Errorf("%w: spec.releaseName %q is longer than Helm's 53 characters", ErrInvalidProps, name))
	}
	if spec.Install != nil {
		errs = append(errs, durationField{"spec.install.timeout", durationPattern, errDurationUnits}.check(spec.Install.Timeout))
	}
	if spec.Upgrade != nil {
		errs = append(errs, durationField{"spec.upgrade.timeout", durationPattern, errDurationUnits}.check(spec.Upgrade.Timeout))
	}
	return errs
}

func ptr[T any](v T) *T { return &v }
