package flux

import (
	"fmt"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/helmv2"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// ObjectProps are the props every construct of the package shares.
type ObjectProps struct {
	// Name is metadata.name. Flux objects refer to each other by name, so
	// one is usually given; if empty it is generated from the construct
	// path.
	Name string
	// Namespace is metadata.namespace; the chart's if empty. Flux's own
	// objects usually live in flux-system.
	Namespace string
}

func (p ObjectProps) objectMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}
}

// The durations Flux's CRDs accept: Go durations made only of ms, s, m and
// h (and, for the timeouts of sources, no h).
var (
	durationPattern       = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`)
	sourceTimeoutPattern  = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|s|m))+$`)
	substituteNamePattern = regexp.MustCompile(`^[_[:alpha:]][_[:alpha:][:digit:]]*$`)
	errDurationUnits      = "Flux accepts only the units ms, s, m and h"
	errSourceTimeoutUnits = "Flux accepts only the units ms, s and m in a source's timeout"
)

// durationField is one duration of a Flux object, for parsing props and
// checking the final object.
type durationField struct {
	field   string // "spec.interval"
	pattern *regexp.Regexp
	units   string // the message when pattern fails
}

var (
	intervalField      = durationField{"spec.interval", durationPattern, errDurationUnits}
	retryIntervalField = durationField{"spec.retryInterval", durationPattern, errDurationUnits}
	timeoutField       = durationField{"spec.timeout", durationPattern, errDurationUnits}
	sourceTimeoutField = durationField{"spec.timeout", sourceTimeoutPattern, errSourceTimeoutUnits}
)

// parse reads a duration from props: def if s is empty. It records a
// problem and returns def if s is not one Flux accepts.
func (f durationField) parse(n *constructs.Node, prop, s, def string) metav1.Duration {
	if s == "" {
		s = def
	}
	// On a problem the default stands in, so that the final object's check
	// does not report the same mistake again.
	fallback, _ := time.ParseDuration(def)
	d, err := time.ParseDuration(s)
	if err != nil {
		n.AddError(fmt.Errorf("%w: %s %q is not a duration: %v", ErrInvalidProps, prop, s, err))
		d = fallback
	} else if msg := f.problem(d); msg != "" {
		n.AddError(fmt.Errorf("%w: %s %q: %s", ErrInvalidProps, prop, s, msg))
		d = fallback
	}
	return metav1.Duration{Duration: d}
}

// problem says what Flux would reject in d, as the object renders it.
func (f durationField) problem(d time.Duration) string {
	switch {
	case d <= 0:
		return "must be positive"
	case !f.pattern.MatchString(d.String()):
		return fmt.Sprintf("renders as %q; %s", d.String(), f.units)
	}
	return ""
}

// check returns a problem with the final object's duration, if any.
func (f durationField) check(d *metav1.Duration) error {
	if d == nil {
		return nil
	}
	if msg := f.problem(d.Duration); msg != "" {
		return fmt.Errorf("%w: %s %s", ErrInvalidProps, f.field, msg)
	}
	return nil
}

// cleanPath checks a path in a source's artifact: relative, slash
// separated, without "." or ".." elements or doubled slashes, optionally
// starting with "./" as Flux's own examples do. It returns the path with
// that "./" prefix.
func cleanPath(p string) (string, error) {
	rest := strings.TrimPrefix(p, "./")
	switch {
	case p == "" || p == "." || p == "./":
		return "./", nil
	case strings.Contains(p, `\`):
		return "", fmt.Errorf("%q has a backslash; paths in a source are slash-separated", p)
	case path.IsAbs(p):
		return "", fmt.Errorf("%q is absolute; paths are relative to the source's root", p)
	case rest == ".." || strings.HasPrefix(rest, "../"):
		return "", fmt.Errorf("%q leaves the source's root", p)
	case path.Clean(rest) != rest:
		return "", fmt.Errorf("%q is not clean (it should read %q)", p, "./"+path.Clean(rest))
	}
	return "./" + rest, nil
}

// ref identifies a Flux object as references name it.
type ref struct {
	kind, namespace, name string
}

func (r ref) String() string { return fmt.Sprintf("%s %s/%s", r.kind, r.namespace, r.name) }

// kindOf returns the kind of a Flux object of this package's API, or "".
func kindOf(obj k8sruntime.Object) string {
	switch obj.(type) {
	case *sourcev1.GitRepository:
		return sourcev1.GitRepositoryKind
	case *sourcev1.OCIRepository:
		return sourcev1.OCIRepositoryKind
	case *sourcev1.HelmRepository:
		return sourcev1.HelmRepositoryKind
	case *kustomizev1.Kustomization:
		return kustomizev1.KustomizationKind
	case *helmv2.HelmRelease:
		return helmv2.HelmReleaseKind
	}
	return ""
}

// refOf returns how references name o: its kind, and its namespace and
// name as synthesis renders them.
func refOf(o *constructs.APIObject) ref {
	r := ref{kind: kindOf(o.Object()), name: o.Name()}
	if obj, ok := o.Object().(interface{ GetNamespace() string }); ok {
		r.namespace = obj.GetNamespace()
	}
	if r.namespace == "" {
		if c := o.Chart(); c != nil {
			r.namespace = c.Namespace()
		}
	}
	return r
}

// registry remembers the constructs of the package in each app, so that
// synthesis can tell whether a reference names one. It holds them weakly:
// an app no longer used is collected with its constructs, and its entry
// with it.
var registry = struct {
	sync.Mutex
	apps map[weak.Pointer[constructs.Node]][]weak.Pointer[registration]
}{apps: map[weak.Pointer[constructs.Node]][]weak.Pointer[registration]{}}

// registration is a construct's entry in the registry; the construct holds
// it, so it lives as long as the construct does.
type registration struct {
	obj *constructs.APIObject
}

// register records o in the registry of its app and returns the entry the
// construct must keep.
func register(o *constructs.APIObject) *registration {
	reg := &registration{obj: o}
	root := rootOf(o.Node())
	key := weak.Make(root)
	registry.Lock()
	defer registry.Unlock()
	if _, known := registry.apps[key]; !known {
		runtime.AddCleanup(root, func(k weak.Pointer[constructs.Node]) {
			registry.Lock()
			delete(registry.apps, k)
			registry.Unlock()
		}, key)
	}
	registry.apps[key] = append(registry.apps[key], weak.Make(reg))
	return reg
}

// sameApp reports whether two constructs are in the same tree.
// addDependsOn adds to list a reference to each of deps that is in owner's
// app (the others validate reports), named as owner sees it, and then each
// of external, leaving what list holds and adding nothing twice.
func addDependsOn(list []meta.DependencyReference, owner *constructs.APIObject, deps []*constructs.APIObject, external []meta.DependencyReference) []meta.DependencyReference {
	own := refOf(owner)
	add := func(dep meta.DependencyReference) {
		if !slices.Contains(list, dep) {
			list = append(list, dep)
		}
	}
	for _, d := range deps {
		if !sameApp(owner, d) {
			continue
		}
		r := refOf(d)
		dep := meta.DependencyReference{Name: r.name}
		if r.namespace != own.namespace {
			dep.Namespace = r.namespace
		}
		add(dep)
	}
	for _, dep := range external {
		add(dep)
	}
	return list
}

func sameApp(a, b constructs.Construct) bool { return rootOf(a.Node()) == rootOf(b.Node()) }

func rootOf(n *constructs.Node) *constructs.Node {
	for n.Scope() != nil {
		n = n.Scope()
	}
	return n
}

// exists reports whether the app of n holds a Flux object that r names:
// one of this package's constructs, or a Flux object of its API added
// straight to a chart with constructs.NewObject.
func exists(n *constructs.Node, r ref) bool {
	root := rootOf(n)
	registry.Lock()
	entries := registry.apps[weak.Make(root)]
	registry.Unlock()
	for _, e := range entries {
		if reg := e.Value(); reg != nil && refOf(reg.obj) == r {
			return true
		}
	}
	seen := map[*constructs.Chart]bool{}
	for _, m := range root.FindAll() {
		c := constructs.ChartOf(m)
		if c == nil || seen[c] {
			continue
		}
		seen[c] = true
		for _, o := range c.APIObjects() {
			if kindOf(o.Object()) == r.kind && refOf(o) == r {
				return true
			}
		}
	}
	return false
}

// namespaceOr returns ns, or def if ns is empty: a reference without a
// namespace names an object in the referrer's.
func namespaceOr(ns, def string) string {
	if ns == "" {
		return def
	}
	return ns
}

var errPathRequired = fmt.Errorf("%w: a Sync needs the Path of the cluster's entry point", ErrInvalidProps)
