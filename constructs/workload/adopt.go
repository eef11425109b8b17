package workload

import (
	"fmt"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Adopted is a workload made elsewhere: a Deployment, StatefulSet or
// DaemonSet that a Helm chart rendered (constructs/helm) or an Include
// read, made a Workload so that the package's network policies, services,
// budgets and connections can reach its pods.
type Adopted struct {
	*constructs.APIObject
	pods
	template *corev1.PodTemplateSpec
	selector map[string]string
}

// Adopt makes obj, which must hold a *appsv1.Deployment, StatefulSet or
// DaemonSet, a Workload. Its selector is the object's spec.selector
// matchLabels and its identity is read from the recommended labels of its
// pod template, both as they are when Adopt is called; another kind is
// reported at synthesis. The object itself is not changed.
func Adopt(obj *constructs.APIObject) *Adopted {
	a := &Adopted{APIObject: obj}
	a.self = a
	switch o := obj.Object().(type) {
	case *appsv1.Deployment:
		a.template, a.selector = &o.Spec.Template, matchLabels(o.Spec.Selector)
	case *appsv1.StatefulSet:
		a.template, a.selector = &o.Spec.Template, matchLabels(o.Spec.Selector)
	case *appsv1.DaemonSet:
		a.template, a.selector = &o.Spec.Template, matchLabels(o.Spec.Selector)
	default:
		obj.Node().AddError(fmt.Errorf("%w: Adopt takes a Deployment, StatefulSet or DaemonSet, not %T", ErrInvalidProps, o))
		a.template = &corev1.PodTemplateSpec{}
	}
	id := identityFromLabels(a.template.Labels)
	a.id = identity{name: id.Name, instance: id.Instance, component: id.Component, partOf: id.PartOf}
	return a
}

// Selector returns the labels that select the pods, in a new map.
func (a *Adopted) Selector() map[string]string { return maps.Clone(a.selector) }

// PodTemplate returns the pod template inside the object.
func (a *Adopted) PodTemplate() *corev1.PodTemplateSpec { return a.template }

var _ Workload = (*Adopted)(nil)

// matchLabels copies a selector's matchLabels; nil for none.
func matchLabels(s *metav1.LabelSelector) map[string]string {
	if s == nil {
		return nil
	}
	return maps.Clone(s.MatchLabels)
}
