package constructs

import (
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// APIObject is a Kubernetes object in the construct tree. It renders the
// object it was created with as that object is at synthesis time, so the
// object may keep changing until then.
type APIObject struct {
	node    *Node
	object  func() runtime.Object
	patches []JSONPatch
	// handle is the *Object[T] that renders; nil for an object decoded
	// from YAML until Find first gives it one.
	handle any
	// decoded holds, for an object decoded into a Go type, its JSON as
	// read and as the Go type first marshalled it.
	decoded *decodedJSON
}

// decodedJSON lets an object decoded into a Go type render exactly as it
// was read while nothing changes it: the Go type would add what it cannot
// leave out (`resources: {}`, `targetPort: 0`), which cdk8s, keeping the
// document as read, does not write.
type decodedJSON struct {
	read, marshalled []byte
}

// Object is an APIObject together with the typed value it renders: a
// k8s.io/api struct such as *appsv1.Deployment, a registered custom type,
// or *unstructured.Unstructured for kinds without Go types.
type Object[T runtime.Object] struct {
	*APIObject
	// Obj is rendered at synthesis; change it freely until then.
	Obj T
}

// NewObject adds obj to scope under id and returns a typed handle on it.
// apiVersion and kind are filled in from the app's scheme; name, namespace
// and chart labels are filled in at synthesis where obj leaves them empty.
func NewObject[T runtime.Object](scope Construct, id string, obj T) *Object[T] {
	o := &Object[T]{Obj: obj}
	o.APIObject = &APIObject{object: func() runtime.Object { return o.Obj }, handle: o}
	o.APIObject.node = newNode(scope, id, o.APIObject)
	return o
}

// newAPIObject adds obj, of a type known only at run time, without a typed
// handle; Find makes one on demand.
func newAPIObject(scope Construct, id string, obj runtime.Object) *APIObject {
	o := &APIObject{object: func() runtime.Object { return obj }}
	o.node = newNode(scope, id, o)
	return o
}

// typedHandle returns the *Object[T] of o if o holds a T. The first handle
// made for a decoded object becomes the one that renders, so that
// assigning its Obj replaces the object.
func typedHandle[T runtime.Object](o *APIObject) (*Object[T], bool) {
	if h, ok := o.handle.(*Object[T]); ok {
		return h, true
	}
	v, ok := o.Object().(T)
	if !ok || isNil(v) {
		return nil, false
	}
	h := &Object[T]{APIObject: o, Obj: v}
	if o.handle == nil {
		o.handle = h
		o.object = func() runtime.Object { return h.Obj }
	}
	return h, true
}

// NewUnstructured adds an object given as plain JSON-like content, for kinds
// without Go types (custom resources). content must set apiVersion and kind.
func NewUnstructured(scope Construct, id string, content map[string]any) *Object[*unstructured.Unstructured] {
	return NewObject(scope, id, &unstructured.Unstructured{Object: content})
}

// APIObjectOf returns the API object c is, or nil if c is another kind of
// construct. With Node.FindAll it lets a higher-level construct check its
// objects against others in the app, e.g. that no other pods match its
// selector.
func APIObjectOf(c Construct) *APIObject {
	if c == nil || c.Node() == nil {
		return nil
	}
	o, _ := c.Node().host.(*APIObject)
	return o
}

// Node returns the object's tree node.
func (o *APIObject) Node() *Node { return o.node }

// Object returns the rendered value.
func (o *APIObject) Object() runtime.Object { return o.object() }

// Chart returns the closest chart above the object, or nil.
func (o *APIObject) Chart() *Chart { return ChartOf(o) }

// Name returns the object's metadata.name if it has one, else the name
// synthesis generates from its construct path. It is "" when no name can
// be generated; synthesis reports why.
func (o *APIObject) Name() string {
	obj := o.Object()
	if isNil(obj) {
		return ""
	}
	if acc, err := meta.Accessor(obj); err == nil && acc.GetName() != "" {
		return acc.GetName()
	}
	name, _ := o.generatedName(o.kind())
	return name
}

// kind returns the object's kind as synthesis will render it: from the
// app's scheme for typed objects, which leave TypeMeta empty.
func (o *APIObject) kind() string {
	obj := o.Object()
	scheme := defaultScheme
	root := o.node
	for root.scope != nil {
		root = root.scope
	}
	if app, ok := root.host.(*App); ok {
		scheme = app.props.Scheme
	}
	if gvk, err := kindOf(scheme, obj); err == nil {
		return gvk.Kind
	}
	return obj.GetObjectKind().GroupVersionKind().Kind
}

// generatedName is cdk8s's Chart.generateObjectName for this object.
func (o *APIObject) generatedName(kind string) (string, error) {
	if c := o.Chart(); c != nil {
		return c.GenerateObjectName(o, kind)
	}
	return (&Chart{}).GenerateObjectName(o, kind)
}

// AddLabel sets a label on the object's metadata.
func (o *APIObject) AddLabel(key, value string) {
	o.updateMeta(func(acc metaObject) {
		labels := acc.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[key] = value
		acc.SetLabels(labels)
	})
}

// AddAnnotation sets an annotation on the object's metadata.
func (o *APIObject) AddAnnotation(key, value string) {
	o.updateMeta(func(acc metaObject) {
		annotations := acc.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[key] = value
		acc.SetAnnotations(annotations)
	})
}

type metaObject interface {
	GetLabels() map[string]string
	SetLabels(map[string]string)
	GetAnnotations() map[string]string
	SetAnnotations(map[string]string)
}

func (o *APIObject) updateMeta(f func(metaObject)) {
	if isNil(o.Object()) {
		o.node.AddError(fmt.Errorf("%w: the object is nil", ErrInvalidObject))
		return
	}
	acc, err := meta.Accessor(o.Object())
	if err != nil {
		o.node.AddError(fmt.Errorf("%w: %T has no metadata: %v", ErrInvalidObject, o.Object(), err))
		return
	}
	f(acc)
}

// AddDependency makes the object depend on other constructs: the API
// objects under them are written before this one.
func (o *APIObject) AddDependency(deps ...Construct) { o.node.AddDependency(deps...) }

// AddJSONPatch adds RFC 6902 operations applied to the rendered object at
// synthesis, after everything else: the escape hatch for fields no helper
// reaches.
func (o *APIObject) AddJSONPatch(ops ...JSONPatch) { o.patches = append(o.patches, ops...) }

// isNil reports whether obj is nil or a typed nil pointer.
func isNil(obj runtime.Object) bool {
	if obj == nil {
		return true
	}
	v := reflect.ValueOf(obj)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
