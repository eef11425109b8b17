package flux

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// WaitMode chooses when a Kustomization counts as ready, which is when
// the Kustomizations that depend on it start.
type WaitMode int

const (
	// WaitForAll sets spec.wait: the Kustomization is ready when every
	// object it applied is (Deployments rolled out, Jobs complete, custom
	// resources Ready), within Timeout. The default: it is what makes
	// dependsOn mean "infrastructure is up" rather than "was sent".
	WaitForAll WaitMode = iota
	// WaitForHealthChecks waits only for the objects in HealthChecks.
	WaitForHealthChecks
	// WaitForNone makes the Kustomization ready as soon as everything is
	// applied. For objects that never report readiness, and for clusters
	// without the controllers that would make them ready.
	WaitForNone
)

// KustomizationProps configures a Kustomization.
type KustomizationProps struct {
	ObjectProps
	// Source is the GitRepository or OCIRepository of this app to build
	// from. Exactly one of Source and ExternalSource is required.
	Source Source
	// ExternalSource names a source defined outside the app, such as the
	// flux-system GitRepository `flux bootstrap` creates. Kind is
	// required; Namespace defaults to the Kustomization's.
	ExternalSource *kustomizev1.CrossNamespaceSourceReference
	// Path in the source to build: relative, clean, "./" (the root) if
	// empty. Written with a leading "./", as Flux's examples do.
	Path string
	// DisablePrune keeps objects that a later revision no longer holds.
	// Pruning is on by default: without it, removing an object from the
	// repository leaves it running.
	DisablePrune bool
	// Interval between reconciliations, which also undo drift; "10m" if
	// empty.
	Interval string
	// RetryInterval between attempts after a failure; "2m" if empty.
	RetryInterval string
	// Timeout of build, apply and wait; "5m" if empty.
	Timeout string
	// Wait chooses when the Kustomization is ready; WaitForAll by default.
	Wait WaitMode
	// HealthChecks are the objects WaitForHealthChecks waits for.
	HealthChecks []meta.NamespacedObjectKindReference
	// DependsOn are Kustomizations of this app that must be ready first.
	DependsOn []*Kustomization
	// ExternalDependsOn names Kustomizations outside the app that must be
	// ready first; Namespace defaults to the Kustomization's.
	ExternalDependsOn []meta.DependencyReference
	// TargetNamespace is set on every namespaced object built.
	TargetNamespace string
	// Substitute replaces ${NAME} in the objects built (postBuild). A
	// manifest that must keep a literal ${…} opts out with the annotation
	// kustomize.toolkit.fluxcd.io/substitute: disabled.
	Substitute map[string]string
	// SubstituteFrom reads more variables from ConfigMaps and Secrets in
	// the Kustomization's namespace.
	SubstituteFrom []kustomizev1.SubstituteReference
	// Decryption decrypts SOPS-encrypted objects; Provider defaults to
	// sops. SecretRef names the Secret with the age or PGP keys.
	Decryption *kustomizev1.Decryption
	// ServiceAccountName is impersonated to apply, to limit what the
	// Kustomization may change.
	ServiceAccountName string
}

// Kustomization is a Flux Kustomization.
type Kustomization struct {
	*constructs.Object[*kustomizev1.Kustomization]
	reg      *registration
	source   Source
	deps     []*Kustomization
	external []meta.DependencyReference
	extSrc   *kustomizev1.CrossNamespaceSourceReference
}

// NewKustomization adds a Kustomization to scope. Its sourceRef and
// dependsOn are filled in at synthesis from Source and DependsOn, when
// their names and namespaces are final.
func NewKustomization(scope constructs.Construct, id string, props KustomizationProps) *Kustomization {
	k := &Kustomization{Object: constructs.NewObject(scope, id, &kustomizev1.Kustomization{ObjectMeta: props.objectMeta()})}
	k.reg = register(k.APIObject)
	n := k.Node()
	spec := &k.Obj.Spec
	spec.Interval = intervalField.parse(n, "Interval", props.Interval, "10m")
	retry := retryIntervalField.parse(n, "RetryInterval", props.RetryInterval, "2m")
	spec.RetryInterval = &retry
	timeout := timeoutField.parse(n, "Timeout", props.Timeout, "5m")
	spec.Timeout = &timeout
	spec.Prune = !props.DisablePrune
	if p, err := cleanPath(props.Path); err != nil {
		n.AddError(fmt.Errorf("%w: Path %v", ErrInvalidProps, err))
	} else {
		spec.Path = p
	}
	switch props.Wait {
	case WaitForAll:
		spec.Wait = true
		if len(props.HealthChecks) > 0 {
			n.AddError(fmt.Errorf("%w: HealthChecks are ignored with WaitForAll; use WaitForHealthChecks", ErrInvalidProps))
		}
	case WaitForHealthChecks:
		if len(props.HealthChecks) == 0 {
			n.AddError(fmt.Errorf("%w: WaitForHealthChecks needs HealthChecks", ErrInvalidProps))
		}
		spec.HealthChecks = props.HealthChecks
	case WaitForNone:
		if len(props.HealthChecks) > 0 {
			n.AddError(fmt.Errorf("%w: HealthChecks are ignored with WaitForNone; use WaitForHealthChecks", ErrInvalidProps))
		}
	default:
		n.AddError(fmt.Errorf("%w: unknown WaitMode %d", ErrInvalidProps, props.Wait))
	}
	spec.TargetNamespace = props.TargetNamespace
	if len(props.Substitute) > 0 || len(props.SubstituteFrom) > 0 {
		spec.PostBuild = &kustomizev1.PostBuild{Substitute: maps.Clone(props.Substitute), SubstituteFrom: props.SubstituteFrom}
	}
	if d := props.Decryption; d != nil {
		dec := *d
		if dec.Provider == "" {
			dec.Provider = "sops"
		}
		spec.Decryption = &dec
	}
	spec.ServiceAccountName = props.ServiceAccountName

	switch {
	case props.Source != nil && props.ExternalSource != nil:
		n.AddError(fmt.Errorf("%w: give Source or ExternalSource, not both", ErrInvalidProps))
	case props.Source == nil && props.ExternalSource == nil:
		n.AddError(fmt.Errorf("%w: a Kustomization needs a Source or an ExternalSource", ErrInvalidProps))
	}
	k.source = props.Source
	if props.ExternalSource != nil {
		ext := *props.ExternalSource
		k.extSrc = &ext
		spec.SourceRef = ext
	}
	k.DependOn(props.DependsOn...)
	k.DependOnExternal(props.ExternalDependsOn...)
	n.AddPrepare(k.resolve)
	n.AddValidation(constructs.ValidationFunc(k.validate))
	return k
}

// DependOn makes the Kustomization wait for others of this app to be ready.
func (k *Kustomization) DependOn(others ...*Kustomization) {
	for _, o := range others {
		if o == nil {
			k.Node().AddError(fmt.Errorf("%w: nil DependsOn", ErrInvalidProps))
			continue
		}
		k.deps = append(k.deps, o)
	}
}

// DependOnExternal makes the Kustomization wait for Kustomizations
// defined outside the app.
func (k *Kustomization) DependOnExternal(refs ...meta.DependencyReference) {
	k.external = append(k.external, refs...)
}

// resolve fills in sourceRef and dependsOn from the constructs they name,
// now that names and namespaces are final. Entries set on the object
// directly stay.
func (k *Kustomization) resolve() error {
	own := refOf(k.APIObject)
	spec := &k.Obj.Spec
	if k.source != nil && sameApp(k, k.source) {
		src := refOf(k.source.kustomizationSource())
		spec.SourceRef = kustomizev1.CrossNamespaceSourceReference{Kind: src.kind, Name: src.name}
		if src.namespace != own.namespace {
			spec.SourceRef.Namespace = src.namespace
		}
	}
	deps := make([]*constructs.APIObject, len(k.deps))
	for i, d := range k.deps {
		deps[i] = d.APIObject
	}
	spec.DependsOn = addDependsOn(spec.DependsOn, k.APIObject, deps, k.external)
	return nil
}

func (k *Kustomization) validate() []error {
	own := refOf(k.APIObject)
	spec := k.Obj.Spec
	errs := []error{intervalField.check(&spec.Interval), retryIntervalField.check(spec.RetryInterval), timeoutField.check(spec.Timeout)}
	if _, err := cleanPath(spec.Path); err != nil {
		errs = append(errs, fmt.Errorf("%w: spec.path %v", ErrInvalidProps, err))
	}

	if k.source != nil && !sameApp(k, k.source) {
		errs = append(errs, fmt.Errorf("%w: Source %s is a construct of another app", ErrUnknownReference, k.source.Node().Path()))
	}
	for _, d := range k.deps {
		if !sameApp(k, d) {
			errs = append(errs, fmt.Errorf("%w: DependsOn %s is a construct of another app", ErrUnknownReference, d.Node().Path()))
		}
	}

	if cycle := k.cycle(); cycle != "" {
		errs = append(errs, fmt.Errorf("%w: dependsOn cycle %s: none of them would ever reconcile", ErrInvalidProps, cycle))
	}

	src := spec.SourceRef
	srcRef := ref{kind: src.Kind, namespace: namespaceOr(src.Namespace, own.namespace), name: src.Name}
	external := k.extSrc != nil && *k.extSrc == src
	switch {
	case src.Kind == "" || src.Name == "":
		if (k.source != nil && sameApp(k, k.source)) || k.extSrc != nil {
			errs = append(errs, fmt.Errorf("%w: spec.sourceRef needs a kind and a name", ErrInvalidProps))
		}
	case external:
	case src.Kind != sourcev1.GitRepositoryKind && src.Kind != sourcev1.OCIRepositoryKind:
		errs = append(errs, fmt.Errorf("%w: spec.sourceRef kind %q: a Kustomization of this app builds a GitRepository or an OCIRepository; declare other kinds with ExternalSource", ErrInvalidProps, src.Kind))
	case !exists(k.Node(), srcRef):
		errs = append(errs, fmt.Errorf("%w: spec.sourceRef names %s, which is not in this app; pass the construct as Source, or declare it with ExternalSource", ErrUnknownReference, srcRef))
	}

	for _, dep := range spec.DependsOn {
		r := ref{kind: kustomizev1.KustomizationKind, namespace: namespaceOr(dep.Namespace, own.namespace), name: dep.Name}
		switch {
		case dep.Name == "":
			errs = append(errs, fmt.Errorf("%w: spec.dependsOn has an entry without a name", ErrInvalidProps))
		case r == own:
			errs = append(errs, fmt.Errorf("%w: the Kustomization depends on itself", ErrInvalidProps))
		case slices.Contains(k.external, dep):
		case !exists(k.Node(), r):
			errs = append(errs, fmt.Errorf("%w: spec.dependsOn names %s, which is not in this app; pass the construct in DependsOn, or declare it with ExternalDependsOn", ErrUnknownReference, r))
		}
	}

	if ns := spec.TargetNamespace; ns != "" {
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%w: spec.targetNamespace %q: %s", ErrInvalidProps, ns, msgs[0]))
		}
	}
	if pb := spec.PostBuild; pb != nil {
		for _, name := range slices.Sorted(maps.Keys(pb.Substitute)) {
			if !substituteNamePattern.MatchString(name) {
				errs = append(errs, fmt.Errorf("%w: postBuild variable %q: a name must match %s", ErrInvalidProps, name, substituteNamePattern))
			}
		}
		for _, from := range pb.SubstituteFrom {
			if (from.Kind != "ConfigMap" && from.Kind != "Secret") || from.Name == "" {
				errs = append(errs, fmt.Errorf("%w: postBuild.substituteFrom needs kind ConfigMap or Secret and a name, not %q %q", ErrInvalidProps, from.Kind, from.Name))
			}
		}
	}
	if d := spec.Decryption; d != nil && d.Provider != "sops" {
		errs = append(errs, fmt.Errorf("%w: spec.decryption.provider %q: Flux decrypts with sops only", ErrInvalidProps, d.Provider))
	}
	if spec.Wait && len(spec.HealthChecks) > 0 {
		errs = append(errs, fmt.Errorf("%w: spec.healthChecks are ignored when spec.wait is set", ErrInvalidProps))
	}
	return errs
}

// cycle returns the dependsOn cycle through k, "a → b → a" by construct
// path, or "" if there is none.
func (k *Kustomization) cycle() string {
	var path []*Kustomization
	onPath := map[*Kustomization]bool{}
	done := map[*Kustomization]bool{}
	var visit func(*Kustomization) bool
	visit = func(c *Kustomization) bool {
		path = append(path, c)
		onPath[c] = true
		for _, d := range c.deps {
			if d == k {
				path = append(path, d)
				return true
			}
			if !onPath[d] && !done[d] && visit(d) {
				return true
			}
		}
		onPath[c] = false
		done[c] = true
		path = path[:len(path)-1]
		return false
	}
	if !visit(k) {
		return ""
	}
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = c.Node().Path()
	}
	return strings.Join(names, " → ")
}
