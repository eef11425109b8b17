package workload

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Keys of the Kubernetes recommended labels, which the package puts on
// every object it makes and on the pods of its workloads.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
)

// ManagedBy is the value of LabelManagedBy on every object the package
// makes.
const ManagedBy = "tsumiki"

// NamespaceLabel is the label the API server puts on every Namespace,
// holding its name; FromNamespace selects namespaces by it.
const NamespaceLabel = "kubernetes.io/metadata.name"

// Identity says what a construct is, in the Kubernetes recommended labels,
// and names its objects. Every props type of the package embeds it, so a
// construct is named and labelled the same way whatever its kind:
//
//	workload.StatefulSetProps{Identity: workload.Identity{Name: "postgres", Instance: "shop-db", PartOf: "shop"}}
//
// A construct made for a workload (NewService, NewDisruptionBudget, a
// connection's network policies, …) takes the empty fields from that
// workload's identity.
//
// Name and Instance select the pods of a workload, and a Deployment's,
// StatefulSet's or DaemonSet's selector can never change: see Selector.
type Identity struct {
	// Name is the app.kubernetes.io/name label: what runs ("postgres").
	// If empty: the Name of the workload the construct is made for, else
	// Instance when that is set, else the construct id.
	Name string
	// Instance is the app.kubernetes.io/instance label, and the
	// metadata.name of the construct's objects (objects of different kinds
	// may share a name). If empty: the Instance of the workload the
	// construct is made for, where the props say so, else a name generated
	// from the construct path like any name tsumiki generates (see
	// ChartProps.DisableResourceNameHashes).
	Instance string
	// Component is the app.kubernetes.io/component label ("database"),
	// left out if empty.
	Component string
	// PartOf is the app.kubernetes.io/part-of label ("shop"), left out if
	// empty.
	PartOf string
}

// identity is an Identity with every default filled in. Selectors and
// labels are both derived from it, so they cannot disagree.
type identity struct {
	name, instance, component, partOf string
}

// resolve fills in the empty fields of i: first from inherit, the identity
// of the workload the construct is made for (zero for none), then with the
// defaults. kind is that of the object whose name a generated instance
// must suit.
//
// Name defaults to an explicit Instance before the construct id, so that
// renaming the construct never changes the selector of an object that
// keeps its name: that would be an immutable field changing.
func (i Identity) resolve(c constructs.Construct, kind string, inherit Identity) identity {
	id := identity{
		name:      cmp.Or(i.Name, inherit.Name),
		instance:  cmp.Or(i.Instance, inherit.Instance),
		component: cmp.Or(i.Component, inherit.Component),
		partOf:    cmp.Or(i.PartOf, inherit.PartOf),
	}
	id.name = cmp.Or(id.name, id.instance, c.Node().ID())
	if id.instance == "" {
		id.instance = generatedName(c, kind)
	}
	return id
}

// public returns the identity with its defaults, as an Identity.
func (id identity) public() Identity {
	return Identity{Name: id.name, Instance: id.instance, Component: id.component, PartOf: id.partOf}
}

// withoutInstance returns i without its instance, for constructs that
// take the rest from a workload but have a name of their own.
func (i Identity) withoutInstance() Identity {
	i.Instance = ""
	return i
}

// generatedName is the one place the package generates a name: the name
// c's chart generates for an object of kind at c, which honours
// ChartProps.DisableResourceNameHashes, as APIObject.Name does for
// objects without one.
func generatedName(c constructs.Construct, kind string) string {
	chart := constructs.ChartOf(c)
	if chart == nil {
		// Synthesis reports an object outside any chart; until then, name
		// it as a chart with the defaults would.
		chart = &constructs.Chart{}
	}
	name, err := chart.GenerateObjectName(c, kind)
	c.Node().AddError(err)
	return name
}

// selector returns the labels that select the pods: name and instance
// only, the labels that never change for the life of the workload. A
// Deployment's selector is immutable, so a selector that included the
// component would make changing the component impossible without
// deleting the Deployment.
func (id identity) selector() map[string]string {
	return map[string]string{LabelName: id.name, LabelInstance: id.instance}
}

// labels returns every recommended label; each call returns a new map, so
// that editing one object's labels leaves the others alone.
func (id identity) labels() map[string]string {
	l := id.selector()
	if id.component != "" {
		l[LabelComponent] = id.component
	}
	if id.partOf != "" {
		l[LabelPartOf] = id.partOf
	}
	l[LabelManagedBy] = ManagedBy
	return l
}

// objectMeta is the metadata of every object of the construct: all share
// the instance as their name, as objects of different kinds may.
func (id identity) objectMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: id.instance, Labels: id.labels()}
}

// podLabels are the labels of the workload's pods: the recommended labels
// and the extra ones from Pod.Labels, which may not replace them.
func (id identity) podLabels(n *constructs.Node, extra map[string]string) map[string]string {
	l := id.labels()
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if _, ok := l[k]; ok {
			n.AddError(fmt.Errorf("%w: Pod.Labels sets %s, which the construct sets from its props", ErrInvalidProps, k))
			continue
		}
		l[k] = extra[k]
	}
	return l
}

// namespaceOf returns the namespace obj will be written to: its own, or
// else its chart's.
func namespaceOf(obj *constructs.APIObject) string {
	if acc, err := meta.Accessor(obj.Object()); err == nil && acc.GetNamespace() != "" {
		return acc.GetNamespace()
	}
	if c := obj.Chart(); c != nil {
		return c.Namespace()
	}
	return ""
}

// namespaceOfConstruct returns the namespace of c's chart, which is where
// the objects under c go unless they set their own.
func namespaceOfConstruct(c constructs.Construct) string {
	if chart := constructs.ChartOf(c); chart != nil {
		return chart.Namespace()
	}
	return ""
}

// checkSelector reports an error when selector selects none of the pods
// labelled podLabels.
func checkSelector(what string, selector, podLabels map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(selector)) {
		if v := selector[k]; podLabels[k] != v {
			return fmt.Errorf("%w: the %s selects %s=%s, but the pod template has %v", ErrInconsistent, what, k, v, podLabels)
		}
	}
	return nil
}

// podTemplate is the pod template of one API object, for the checks that
// look across the app.
type podTemplate struct {
	node      *constructs.Node
	kind      string
	name      string
	namespace string
	labels    map[string]string
}

// podTemplates returns the pod template of every API object in the app
// that has one, whichever construct made it: raw objects made with
// constructs.NewObject count as much as this package's.
func podTemplates(c constructs.Construct) []podTemplate {
	root := c.Node()
	for root.Scope() != nil {
		root = root.Scope()
	}
	var out []podTemplate
	for _, n := range root.FindAll() {
		o := constructs.APIObjectOf(n)
		if o == nil {
			continue
		}
		kind, labels, ok := podLabelsOf(o.Object())
		if !ok {
			continue
		}
		out = append(out, podTemplate{node: n, kind: kind, name: o.Name(), namespace: namespaceOf(o), labels: labels})
	}
	return out
}

// podLabelsOf returns the labels of the pods obj makes, for the typed
// objects that make pods.
func podLabelsOf(obj any) (kind string, labels map[string]string, ok bool) {
	var t *corev1.PodTemplateSpec
	switch o := obj.(type) {
	case *appsv1.Deployment:
		kind, t = "Deployment", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case *appsv1.StatefulSet:
		kind, t = "StatefulSet", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case *appsv1.DaemonSet:
		kind, t = "DaemonSet", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case *appsv1.ReplicaSet:
		kind, t = "ReplicaSet", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case *batchv1.Job:
		kind, t = "Job", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case *batchv1.CronJob:
		kind, t = "CronJob", templateOf(o, func() *corev1.PodTemplateSpec { return &o.Spec.JobTemplate.Spec.Template })
	case *corev1.ReplicationController:
		kind, t = "ReplicationController", templateOf(o, func() *corev1.PodTemplateSpec { return o.Spec.Template })
	case *corev1.Pod:
		if o != nil {
			return "Pod", o.Labels, true
		}
	}
	if t == nil {
		return "", nil, false
	}
	return kind, t.Labels, true
}

// templateOf calls template unless obj is a nil pointer.
func templateOf[T any](obj *T, template func() *corev1.PodTemplateSpec) *corev1.PodTemplateSpec {
	if obj == nil {
		return nil
	}
	return template()
}

// within reports whether n is scope or below it.
func within(n, scope *constructs.Node) bool {
	for ; n != nil; n = n.Scope() {
		if n == scope {
			return true
		}
	}
	return false
}

// checkSelectsOnly reports the pods of other objects that selector, of
// the construct at own in namespace, also selects. Two workloads whose
// selectors overlap share a Service's endpoints, a disruption budget and
// network policies, and a Deployment would count the other's pods as its
// own.
func checkSelectsOnly(own constructs.Construct, what, namespace string, selector map[string]string) []error {
	if len(selector) == 0 {
		return nil
	}
	var errs []error
	for _, t := range podTemplates(own) {
		if t.namespace != namespace || within(t.node, own.Node()) || !isSubset(selector, t.labels) {
			continue
		}
		errs = append(errs, fmt.Errorf("%w: the %s's selector %s also selects the pods of %s (%s %s); give one of them another Name or Instance",
			ErrSelectorConflict, what, formatLabels(selector), t.node.Path(), t.kind, t.name))
	}
	return errs
}

func isSubset(selector, labels map[string]string) bool {
	for k, v := range selector {
		if have, ok := labels[k]; !ok || have != v {
			return false
		}
	}
	return true
}

// formatLabels writes labels as a selector, k=v joined by commas, sorted.
func formatLabels(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// namedSelector is one selector of a construct's objects, for
// checkSelectors.
type namedSelector struct {
	what     string
	selector map[string]string
}

// selectorOf returns the match labels of sel, which may be nil.
func selectorOf(what string, sel *metav1.LabelSelector) namedSelector {
	s := namedSelector{what: what}
	if sel != nil {
		s.selector = sel.MatchLabels
	}
	return s
}

// checkSelectors checks that the selectors of w's objects still select
// its pods, after any edits through the object fields.
func checkSelectors(w Workload, selectors ...namedSelector) []error {
	pods := w.PodTemplate().Labels
	var errs []error
	for _, s := range selectors {
		if s.selector == nil {
			continue
		}
		if err := checkSelector(s.what, s.selector, pods); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
