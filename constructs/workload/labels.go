package workload

import (
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Keys of the Kubernetes recommended labels, which the package puts on
// every object of a workload and on its pods.
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

// identity is what the recommended labels say about a workload. Selectors
// and labels are both derived from it, so they cannot disagree.
type identity struct {
	name, instance, component, partOf string
}

// newIdentity fills in the defaults: the name is the construct id, the
// instance a name generated from the construct path. maxLen bounds the
// generated instance, which also names the objects (52 for a CronJob).
func newIdentity(n *constructs.Node, name, instance, component, partOf string, maxLen int) identity {
	if name == "" {
		name = n.ID()
	}
	if instance == "" {
		var err error
		instance, err = constructs.ToDNSLabel(n, constructs.NameOptions{MaxLen: maxLen})
		n.AddError(err)
	}
	return identity{name: name, instance: instance, component: component, partOf: partOf}
}

// selector returns the labels that select the pods. It holds only the
// labels that never change for the life of the workload: a Deployment's
// selector is immutable, so a selector that included the component would
// make renaming the component impossible without deleting the Deployment.
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

// objectMeta is the metadata of every object of the workload: all share
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

// managedMeta is the metadata of the objects that belong to no workload
// (ConfigMaps, service accounts, RBAC, network policies).
func managedMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelManagedBy: ManagedBy}}
}

// objectName returns name, or a name generated from the construct path
// when it is empty.
func objectName(n *constructs.Node, name string) string {
	if name != "" {
		return name
	}
	name, err := constructs.ToDNSLabel(n, constructs.NameOptions{})
	n.AddError(err)
	return name
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

// checkSelector reports an error when selector selects none of the pods
// labelled podLabels.
func checkSelector(what string, selector, podLabels map[string]string) error {
	for k, v := range selector {
		if podLabels[k] != v {
			return fmt.Errorf("%w: the %s selects %s=%s, but the pod template has %v", ErrInconsistent, what, k, v, podLabels)
		}
	}
	return nil
}
