package constructs

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// Find returns the API object at or under scope that holds a T and is
// named name, or "namespace/name" to tell apart objects of one name in
// several namespaces; the name is the object's metadata.name or the one
// synthesis generates, the namespace its own or its chart's (none for the
// cluster-scoped kinds of k8s.io/api and AppProps.ClusterScoped). It is how
// to reach and change what an Include decoded:
//
//	web, err := constructs.Find[*appsv1.Deployment](include, "web")
//	web.Obj.Spec.Replicas = ptr.To[int32](3)
//
// For T = *unstructured.Unstructured every unstructured object has the
// type; use FindAll and look at the kind when names repeat across kinds.
// The error wraps ErrNotFound, listing what there is, or ErrAmbiguous.
func Find[T runtime.Object](scope Construct, name string) (*Object[T], error) {
	var found []*Object[T]
	var others []string
	for _, o := range FindAll[T](scope) {
		if matchesRef(o.APIObject, name) {
			found = append(found, o)
		} else {
			others = append(others, describeObject(o.APIObject))
		}
	}
	var zero T
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		have := "nothing of that type"
		if len(others) > 0 {
			have = strings.Join(others, ", ")
		}
		return nil, fmt.Errorf("%w: no %T named %q in %s (it holds %s)", ErrNotFound, zero, name, scope.Node().displayPath(), have)
	default:
		var at []string
		for _, o := range found {
			at = append(at, describeObject(o.APIObject)+" at "+o.Node().Path())
		}
		return nil, fmt.Errorf("%w: %d objects of type %T match %q in %s: %s; say which with namespace/name",
			ErrAmbiguous, len(found), zero, name, scope.Node().displayPath(), strings.Join(at, ", "))
	}
}

// FindAll returns every API object at or under scope that holds a T, in
// tree order.
func FindAll[T runtime.Object](scope Construct) []*Object[T] {
	var out []*Object[T]
	for _, n := range scope.Node().FindAll() {
		if o, ok := n.host.(*APIObject); ok {
			if h, ok := typedHandle[T](o); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

// matchesRef reports whether o is what ref names: name or namespace/name.
func matchesRef(o *APIObject, ref string) bool {
	ns, name, scoped := strings.Cut(ref, "/")
	if !scoped {
		return ref == o.Name()
	}
	return name == o.Name() && ns == o.namespace()
}

// namespace is the object's own metadata.namespace, or the one its chart
// gives it.
func (o *APIObject) namespace() string {
	obj := o.Object()
	if isNil(obj) {
		return ""
	}
	if acc, err := meta.Accessor(obj); err == nil && acc.GetNamespace() != "" {
		return acc.GetNamespace()
	}
	c := o.Chart()
	if c == nil {
		return ""
	}
	gvk, err := kindOf(appScheme(o.node), obj)
	if err != nil || appOf(o.node).isClusterScoped(gvk.GroupKind()) {
		return ""
	}
	return c.Namespace()
}

func describeObject(o *APIObject) string {
	if ns := o.namespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.kind(), ns, o.Name())
	}
	return fmt.Sprintf("%s %s", o.kind(), o.Name())
}
