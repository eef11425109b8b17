package constructs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// Problem is one thing synthesis found wrong, at a construct path.
type Problem struct {
	// Path is the construct path ("web/frontend/deployment"); "" for the app.
	Path string
	Err  error
}

func (p Problem) Error() string {
	if p.Path == "" {
		return "app: " + p.Err.Error()
	}
	return p.Path + ": " + p.Err.Error()
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (p Problem) Unwrap() error { return p.Err }

// SynthesisError lists every problem synthesis found, in tree order.
type SynthesisError struct {
	Problems []Problem
}

func (e *SynthesisError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("synthesis failed: 1 problem")
	} else {
		fmt.Fprintf(&b, "synthesis failed: %d problems", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so errors.Is finds any of them.
func (e *SynthesisError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

type problems []Problem

func (ps *problems) add(n *Node, err error) {
	*ps = append(*ps, Problem{Path: n.Path(), Err: err})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &SynthesisError{Problems: ps}
}

// synthesis is a rendered app: charts in the order they are written, each
// with its objects in order.
type synthesis struct {
	charts    []*renderedChart
	dependant bool // some chart depends on another: file names get indices
}

type renderedChart struct {
	chart   *Chart
	objects []*renderedObject
}

type renderedObject struct {
	obj       *APIObject
	chart     *Chart
	gvk       schema.GroupVersionKind // as rendered, after patches
	namespace string
	name      string
	yaml      []byte
	errs      []error
	shared    bool // the Go value of another object; reported, not rendered
	keepJSON  bool // a CustomResourceDefinition: json holds the rendered object
	json      []byte
}

func (a *App) synthesize() (*synthesis, error) {
	var ps problems
	all := a.node.FindAll()
	for _, n := range all {
		for _, f := range n.prepares {
			if err := f(); err != nil {
				ps.add(n, err)
			}
		}
	}
	all = a.node.FindAll() // a prepare function may add constructs
	for _, n := range all {
		for _, err := range n.problems {
			ps.add(n, err)
		}
	}
	for _, n := range all {
		for _, v := range n.validations {
			for _, err := range v.Validate() {
				if err != nil {
					ps.add(n, err)
				}
			}
		}
	}
	for _, n := range all {
		if o, ok := n.host.(*APIObject); ok && o.Chart() == nil {
			ps.add(n, fmt.Errorf("%w: an API object must be inside a chart", ErrInvalidObject))
		}
	}

	g, dependant := resolveDependencies(all, &ps)
	order, err := topology(a.node, g)
	if err != nil {
		ps = append(ps, Problem{Err: err})
		return nil, ps.err()
	}

	s := &synthesis{dependant: dependant}
	var objects []*renderedObject
	for _, n := range order {
		c, ok := n.host.(*Chart)
		if !ok {
			continue
		}
		chartOrder, err := topology(c.node, g)
		if err != nil { // unreachable: a chart's graph is part of the app's
			ps.add(c.node, err)
			continue
		}
		rc := &renderedChart{chart: c}
		for _, m := range chartOrder {
			if o, ok := m.host.(*APIObject); ok && o.Chart() == c {
				ro := &renderedObject{obj: o, chart: c}
				rc.objects = append(rc.objects, ro)
				objects = append(objects, ro)
			}
		}
		s.charts = append(s.charts, rc)
	}

	checkShared(objects, &ps)
	// CustomResourceDefinitions render first: what they define decides
	// how custom resources render (their scope) and whether they are valid.
	// With none, nothing below costs anything.
	var crds crdIndex
	rest := objects
	if defs := crdObjects(objects); len(defs) > 0 || len(a.props.CRDs) > 0 {
		crds = crdIndex{}
		renderAll(defs, a.props, nil)
		for _, ro := range defs {
			if ro.errs != nil || ro.shared {
				continue
			}
			crd, err := crdFromJSON(ro.json)
			if err == nil {
				err = crds.add(crd, ro.obj.node.Path())
			}
			if err != nil {
				ro.errs = append(ro.errs, err)
			}
		}
		for _, err := range readCRDFiles(a.props, crds) {
			ps = append(ps, Problem{Err: err})
		}
		rest = slices.DeleteFunc(slices.Clone(objects), func(ro *renderedObject) bool { return ro.keepJSON })
	}
	renderAll(rest, a.props, crds)
	if a.props.CreateNamespaces {
		rc, err := a.namespaceObjects(objects)
		switch {
		case err != nil:
			ps = append(ps, Problem{Err: err})
		case rc != nil:
			renderAll(rc.objects, a.props, crds)
			// First, so that a single file or stream creates the
			// namespaces before what lives in them.
			s.charts = append([]*renderedChart{rc}, s.charts...)
			objects = append(objects, rc.objects...)
		}
	}
	type identity struct{ group, kind, namespace, name string }
	seen := make(map[identity]*renderedObject, len(objects))
	for _, ro := range objects {
		for _, err := range ro.errs {
			ps.add(ro.obj.node, err)
		}
		if ro.errs != nil || ro.shared {
			continue
		}
		id := identity{ro.gvk.Group, ro.gvk.Kind, ro.namespace, ro.name}
		if first, dup := seen[id]; dup {
			ps.add(ro.obj.node, fmt.Errorf("%w: %s %q is also defined at %s", ErrDuplicateObject, describeKind(ro.gvk), qualifiedName(ro.namespace, ro.name), first.obj.node.Path()))
			continue
		}
		seen[id] = ro
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkShared reports a Go value that renders as two API objects: both
// would share every later change, which is never what two ids mean.
// Unstructured objects are compared by their content map, which
// NewUnstructured wraps anew each time.
func checkShared(objects []*renderedObject, ps *problems) {
	seen := make(map[unsafe.Pointer]*renderedObject, len(objects))
	for _, ro := range objects {
		var key unsafe.Pointer
		switch obj := ro.obj.Object().(type) {
		case nil:
			continue
		case *unstructured.Unstructured:
			if obj == nil || obj.Object == nil {
				continue
			}
			key = reflect.ValueOf(obj.Object).UnsafePointer()
		default:
			v := reflect.ValueOf(obj)
			if v.Kind() != reflect.Pointer || v.IsNil() {
				continue
			}
			key = v.UnsafePointer()
		}
		if first, dup := seen[key]; dup {
			ps.add(ro.obj.node, fmt.Errorf("%w: this %T is also added at %s; changes to one would change both. Give each id its own object (DeepCopy it)",
				ErrSharedObject, ro.obj.Object(), first.obj.node.Path()))
			ro.shared = true // not rendered: one problem is enough
			continue
		}
		seen[key] = ro
	}
}

func describeKind(gvk schema.GroupVersionKind) string {
	if gvk.Group == "" {
		return gvk.Kind
	}
	return gvk.Kind + "." + gvk.Group
}

func qualifiedName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// crdObjects returns the objects that are CustomResourceDefinitions and
// marks them to keep their JSON.
func crdObjects(objects []*renderedObject) []*renderedObject {
	var out []*renderedObject
	for _, ro := range objects {
		if isCRD(ro.obj.Object()) {
			ro.keepJSON = true
			out = append(out, ro)
		}
	}
	return out
}

// renderAll renders objects on every CPU; each result lands in its own slot,
// so the output does not depend on scheduling. crds, if not nil, are the
// CustomResourceDefinitions custom resources are checked against.
func renderAll(objects []*renderedObject, props AppProps, crds crdIndex) {
	r := renderer{props: props, clusterScoped: make(map[schema.GroupKind]bool), crds: crds}
	for _, gk := range props.ClusterScoped {
		r.clusterScoped[gk] = true
	}
	work := make(chan *renderedObject, 64)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(objects), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Reused for every object: each is done with before the next.
			w := &worker{}
			w.enc = json.NewEncoder(&w.buf)
			for ro := range work {
				if ro.shared {
					continue
				}
				w.buf.Reset()
				r.render(ro, w)
			}
		}()
	}
	for _, ro := range objects {
		work <- ro
	}
	close(work)
	wg.Wait()
}

type renderer struct {
	props         AppProps
	clusterScoped map[schema.GroupKind]bool
	crds          crdIndex
}

func (r *renderer) isClusterScoped(gk schema.GroupKind) bool {
	if clusterScoped[gk] || r.clusterScoped[gk] {
		return true
	}
	c := r.crds[gk]
	return c != nil && c.clusterScoped()
}

func str(s string) document.Value { return document.Value{Kind: document.String, Scalar: s} }

// worker holds the memory a rendering goroutine reuses from object to object.
type worker struct {
	buf     bytes.Buffer // the object's JSON
	enc     *json.Encoder
	scratch []byte
	parser  document.Parser
}

// render turns one object into its YAML document the way cdk8s's
// ApiObject.toJson does: metadata completed (name, chart namespace, chart
// labels) and pruned of empty values, keys sorted, nulls dropped, JSON
// patches applied, and apiVersion, kind and metadata moved to the top.
func (r *renderer) render(ro *renderedObject, w *worker) {
	fail := func(err error) { ro.errs = append(ro.errs, err) }
	obj := ro.obj.Object()
	if isNil(obj) {
		fail(fmt.Errorf("%w: the object is nil", ErrInvalidObject))
		return
	}
	gvk, err := kindOf(r.props.Scheme, obj)
	if err != nil {
		fail(err)
		return
	}
	// Encode is Marshal, with a trailing newline, into a buffer reused
	// across objects; Parse copies what it keeps.
	if err := w.enc.Encode(obj); err != nil {
		fail(fmt.Errorf("%w: marshal %T: %v", ErrInvalidObject, obj, err))
		return
	}
	raw := w.buf.Bytes()
	if d := ro.obj.decoded; d != nil && bytes.Equal(raw, d.marshalled) {
		raw = d.read // unchanged since it was read: render it as read
	}
	if obj.GetObjectKind().GroupVersionKind().Empty() && len(raw) > 2 && raw[0] == '{' {
		// A typed object leaves apiVersion and kind to the scheme: put them
		// in the JSON, where Parse places them without copying members.
		w.scratch = withTypeFields(w.scratch[:0], raw, gvk)
		raw = w.scratch
	}
	doc, err := w.parser.Parse(raw)
	if err != nil || doc.Kind != document.Object {
		fail(fmt.Errorf("%w: %T does not marshal to a JSON object", ErrInvalidObject, obj))
		return
	}
	if st := doc.Lookup("status"); st != nil && (vacuous(*st) || statusUnset(obj)) {
		doc.Delete("status")
	}
	// A StatefulSet's claim templates are whole PersistentVolumeClaims, and
	// carry the same empty status.
	if spec := doc.Lookup("spec"); spec != nil {
		if claims := spec.Lookup("volumeClaimTemplates"); claims != nil && claims.Kind == document.Array {
			for i := range claims.Items {
				if st := claims.Items[i].Lookup("status"); st != nil && vacuous(*st) {
					claims.Items[i].Delete("status")
				}
			}
		}
	}

	md := doc.Lookup("metadata")
	if md == nil || md.Kind != document.Object {
		doc.Set("metadata", document.Value{Kind: document.Object})
		md = doc.Lookup("metadata")
	}
	md.Members = slices.Grow(md.Members, 3) // name, namespace, labels
	// A null or empty name is unset, as in a typed object.
	if v := md.Lookup("name"); v == nil || v.Kind == document.Null || v.Kind == document.String && v.Scalar == "" {
		name, err := ro.obj.generatedName(gvk.Kind)
		if err != nil {
			fail(err)
			return
		}
		md.Set("name", str(name))
	}
	if ns := ro.chart.props.Namespace; ns != "" && !r.isClusterScoped(gvk.GroupKind()) {
		if v := md.Lookup("namespace"); v == nil || v.Kind == document.Null {
			md.Set("namespace", str(ns))
		}
	}
	if chartLabels := ro.chart.props.Labels; len(chartLabels) > 0 {
		own := md.Lookup("labels")
		labels := document.Value{Kind: document.Object, Members: make([]document.Member, 0, len(chartLabels)+members(own))}
		// Any order will do: Sanitize below sorts the keys.
		for k, v := range chartLabels {
			labels.Set(k, str(v))
		}
		if own != nil && own.Kind == document.Object {
			for _, m := range own.Members {
				labels.Set(m.Key, m.Value)
			}
		}
		md.Set("labels", labels)
	}
	md.Sanitize(document.SanitizeOptions{FilterEmpty: true})
	doc.Sanitize(document.SanitizeOptions{})

	for i, p := range ro.obj.patches {
		if err := p.apply(&doc); err != nil {
			fail(fmt.Errorf("%w: patch %d (%s): %v", ErrPatch, i+1, p, err))
			return
		}
	}
	if doc.Kind != document.Object {
		fail(fmt.Errorf("%w: the patches leave no JSON object", ErrPatch))
		return
	}
	moveToTop(&doc, "apiVersion", "kind", "metadata")

	for _, err := range r.identify(ro, &doc) {
		fail(err)
	}
	if c := r.crds[ro.gvk.GroupKind()]; c != nil && ro.gvk.Kind != "" {
		for _, msg := range c.check(ro.gvk, &doc) {
			fail(fmt.Errorf("%w: %s %q (CustomResourceDefinition at %s): %s", ErrSchema, ro.gvk.Kind, qualifiedName(ro.namespace, ro.name), c.from, msg))
		}
	}
	if ro.keepJSON {
		ro.json = document.AppendJSON(nil, doc)
	}
	if ro.errs == nil {
		// YAML of an object runs about a third longer than its JSON.
		ro.yaml = document.AppendYAML(make([]byte, 0, len(raw)*3/2), doc)
	}
}

// withTypeFields appends to dst the JSON object raw with apiVersion and kind
// put first, and returns the result.
func withTypeFields(dst, raw []byte, gvk schema.GroupVersionKind) []byte {
	dst = append(dst, `{"apiVersion":`...)
	dst = document.AppendJSON(dst, str(gvk.GroupVersion().String()))
	dst = append(dst, `,"kind":`...)
	dst = document.AppendJSON(dst, str(gvk.Kind))
	if raw[1] != '}' {
		dst = append(dst, ',')
	}
	return append(dst, raw[1:]...)
}

func members(v *document.Value) int {
	if v == nil {
		return 0
	}
	return len(v.Members)
}

// identify reads the object's identity off the final document and checks
// that Kubernetes would accept its name, namespace and labels.
func (r *renderer) identify(ro *renderedObject, doc *document.Value) []error {
	var errs []error
	apiVersion, kind := stringAt(doc, "apiVersion"), stringAt(doc, "kind")
	if apiVersion == "" || kind == "" {
		return []error{fmt.Errorf("%w: apiVersion and kind must be non-empty strings", ErrInvalidObject)}
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return []error{fmt.Errorf("%w: apiVersion %q: %v", ErrInvalidObject, apiVersion, err)}
	}
	ro.gvk = gv.WithKind(kind)
	md := doc.Lookup("metadata")
	if md == nil || md.Kind != document.Object {
		return []error{fmt.Errorf("%w: metadata must be an object", ErrInvalidObject)}
	}
	ro.name = stringAt(md, "name")
	ro.namespace = stringAt(md, "namespace")
	if ro.gvk.Group == "" && kind == "Secret" && !r.props.AllowSecrets {
		for _, field := range []string{"data", "stringData"} {
			if v := doc.Lookup(field); v != nil && v.Kind == document.Object && len(v.Members) > 0 {
				errs = append(errs, fmt.Errorf("%w: Secret %s has %s; a GitOps repository must not hold secrets in plain text. "+
					"Reference an existing Secret instead, or set AppProps.AllowSecrets if the output is encrypted downstream", ErrPlainSecret, qualifiedName(ro.namespace, ro.name), field))
				break
			}
		}
	}
	errs = append(errs, validateName(ro.gvk.GroupKind(), md.Lookup("name"))...)
	if ns := md.Lookup("namespace"); ns != nil {
		errs = append(errs, validateNamespace(*ns)...)
		if ro.namespace != "" && r.isClusterScoped(ro.gvk.GroupKind()) {
			// A chart's namespace never lands here, so the object or a
			// patch set it. The API server rejects it or drops it
			// depending on the client; either way the manifest is wrong.
			errs = append(errs, fmt.Errorf("%w: %s %q is cluster-scoped but sets metadata.namespace %q; remove it",
				ErrClusterScopedNamespace, describeKind(ro.gvk), ro.name, ro.namespace))
		}
	}
	if labels := md.Lookup("labels"); labels != nil {
		errs = append(errs, validateLabels(*labels)...)
	}
	if annotations := md.Lookup("annotations"); annotations != nil {
		errs = append(errs, validateAnnotations(*annotations)...)
	}
	return errs
}

func stringAt(v *document.Value, key string) string {
	if m := v.Lookup(key); m != nil && m.Kind == document.String {
		return m.Scalar
	}
	return ""
}

// moveToTop puts the given members first, in that order, the others
// keeping theirs, except that array-index keys ("2", "10") stay in front
// of them: cdk8s builds the result as a JavaScript object, which iterates
// such keys first whatever the order they were added in. It works in place.
func moveToTop(doc *document.Value, keys ...string) {
	next := 0
	for next < len(doc.Members) && document.IsArrayIndex(doc.Members[next].Key) {
		next++ // sorted, and patches add index keys in order, so they lead
	}
	for _, k := range keys {
		for i := next; i < len(doc.Members); i++ {
			if doc.Members[i].Key == k {
				m := doc.Members[i]
				copy(doc.Members[next+1:i+1], doc.Members[next:i])
				doc.Members[next] = m
				next++
				break
			}
		}
	}
}

// vacuous reports whether v holds no value at all: only nulls, empty lists
// and objects of such. Typed Go structs render an unset status that way
// (`status: {}`, `status: {loadBalancer: {}}`).
func vacuous(v document.Value) bool {
	switch v.Kind {
	case document.Null:
		return true
	case document.Array:
		return len(v.Items) == 0
	case document.Object:
		for _, m := range v.Members {
			if !vacuous(m.Value) {
				return false
			}
		}
		return true
	}
	return false
}

// statusUnset reports whether a typed object's Status field is its zero
// value. Such a status still marshals to something when a field lacks
// omitempty (an HPA's `desiredReplicas: 0`), and means nothing in a manifest.
func statusUnset(obj k8sruntime.Object) bool {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	f := v.FieldByName("Status")
	return f.IsValid() && f.IsZero()
}
