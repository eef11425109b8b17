package constructs

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// NamespaceProps configures a Namespace.
type NamespaceProps struct {
	// Name is the namespace's name; generated from the construct path if
	// empty, like any object's.
	Name string
	// Labels go on the Namespace object, for instance Pod Security
	// admission's `pod-security.kubernetes.io/enforce: restricted`.
	Labels map[string]string
	// Annotations go on the Namespace object.
	Annotations map[string]string
}

// NewNamespace adds a Namespace object to scope. With
// AppProps.CreateNamespaces it is also the one object synthesis writes for
// that namespace, labels and all, instead of a bare one.
func NewNamespace(scope Construct, id string, props NamespaceProps) *Object[*corev1.Namespace] {
	return NewObject(scope, id, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:        props.Name,
		Labels:      maps.Clone(props.Labels),
		Annotations: maps.Clone(props.Annotations),
	}})
}

// NamespacesChartID is the id of the chart that holds the Namespace
// objects AppProps.CreateNamespaces adds, and so the name of their file.
const NamespacesChartID = "namespaces"

// alwaysThere lists the namespaces every cluster has: a manifests
// repository must not own them (pruning one would be a disaster).
var alwaysThere = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// namespaceObjects returns the Namespace objects for the namespaces the
// rendered objects use and nothing declares, in a chart of their own
// outside the tree, sorted by name; nil when there are none.
func (a *App) namespaceObjects(objects []*renderedObject) (*renderedChart, error) {
	declared := map[string]bool{}
	for _, ns := range a.props.ExternalNamespaces {
		declared[ns] = true
	}
	for _, ns := range alwaysThere {
		declared[ns] = true
	}
	needed := map[string]bool{}
	for _, ro := range objects {
		if ro.errs != nil || ro.shared {
			continue
		}
		if ro.gvk.Group == "" && ro.gvk.Kind == "Namespace" {
			declared[ro.name] = true
		}
		if ro.namespace != "" && !ro.chart.props.NoNamespaceObjects {
			needed[ro.namespace] = true
		}
	}
	var names []string
	for ns := range needed {
		if !declared[ns] {
			names = append(names, ns)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	if a.node.FindChild(NamespacesChartID) != nil {
		return nil, fmt.Errorf("%w: AppProps.CreateNamespaces adds a chart with id %q for the namespaces %q, and the app already has a construct of that id; rename it",
			ErrDuplicateID, NamespacesChartID, names)
	}
	slices.Sort(names)
	// Built beside the tree, not in it, so that every Render starts from
	// the app as the user built it.
	chart := &Chart{}
	chart.node = &Node{scope: a.node, id: NamespacesChartID, host: chart}
	rc := &renderedChart{chart: chart}
	for _, ns := range names {
		// Unstructured: the Go type would add an empty spec.
		obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		o := &APIObject{object: func() runtime.Object { return obj }}
		o.node = &Node{scope: chart.node, id: ns, host: o}
		rc.objects = append(rc.objects, &renderedObject{obj: o, chart: chart})
	}
	return rc, nil
}
