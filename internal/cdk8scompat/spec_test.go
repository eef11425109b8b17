package cdk8scompat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// This file is the neutral description of a corpus case: plain values that
// say what the construct tree looks like, with no reference to either
// framework. build_cdk8s_test.go and build_tsumiki_test.go turn a caseSpec
// into an app of their framework.

// layout is the output type of an app, named independently of both
// frameworks' enums.
type layout int

const (
	filePerChart layout = iota
	filePerApp
	filePerResource
	folderPerChartFilePerResource
)

// perResource reports whether the layout writes one file per object, the
// layouts whose file names carry the object's name (and, in tsumiki, its
// namespace).
func (l layout) perResource() bool {
	return l == filePerResource || l == folderPerChartFilePerResource
}

// caseSpec is one corpus case: an app and what to expect of it.
type caseSpec struct {
	name   string
	layout layout
	// ext is the file extension; "" keeps both frameworks' default,
	// ".k8s.yaml".
	ext   string
	nodes []nodeSpec // the app's children
	deps  []depSpec

	// wantErr, if set, makes this an error case: cdk8s must throw while
	// building or synthesizing, and tsumiki's Synth must return an error
	// that errors.Is wantErr.
	wantErr error
	// cdk8sAccepts, if set, marks an error case that cdk8s does not reject
	// (the case says why tsumiki does). cdk8s must then synthesize the app,
	// and cdk8sAccepts checks the files it writes.
	cdk8sAccepts func(t *testing.T, files map[string][]byte)
	// goMisreads marks a case of ConfigMaps, one string each under key
	// "v", that cdk8s writes in a form Go's YAML parser misreads. Instead of
	// byte equality the test requires that Go reads every one of cdk8s's
	// files wrong and every one of tsumiki's right.
	goMisreads map[string]string
	// allowSecrets turns on constructs.AppProps.AllowSecrets: tsumiki
	// refuses Secrets with data by default, cdk8s writes them.
	allowSecrets bool
	// cdk8sLoses is how many objects cdk8s overwrites with a later object
	// of the same kind and name from another namespace in a per-resource
	// layout. tsumiki must write every one of them.
	cdk8sLoses int
}

// nodeKind says which kind of construct a nodeSpec is.
type nodeKind int

const (
	groupNode   nodeKind = iota // a plain construct that only groups others
	chartNode                   // a Chart
	objectNode                  // an API object given by metadata only
	includeNode                 // objects with content, through cdk8s's Include
)

// nodeSpec is one construct of the tree. Build them with group, chart,
// object and include.
type nodeSpec struct {
	kind     nodeKind
	id       string
	chart    chartSpec      // chartNode
	object   objectSpec     // objectNode
	included []includedSpec // includeNode
	children []nodeSpec     // groupNode, chartNode and objectNode
}

// chartSpec is the props of a chart.
type chartSpec struct {
	namespace string
	labels    map[string]string
	noHashes  bool // disableResourceNameHashes
	// labelsLater are set in the labels map after the chart is made,
	// before its children are.
	labelsLater map[string]string
}

// objectSpec is an API object with metadata only: cdk8s's ApiObject with
// ApiObjectProps on one side, unstructured content on the other. Its
// generated name exercises naming with arbitrary ids.
type objectSpec struct {
	apiVersion, kind string
	name, namespace  string // "" leaves them to the chart
	labels           map[string]string
	patches          []patchSpec
}

// includedSpec is an object with content, which both frameworks read from
// the same file through their Include.
type includedSpec struct {
	obj runtime.Object // a k8s.io/api value; TypeMeta is filled in when the case is built
	// raw, if set instead of obj, is the document's text, for content no
	// Go type can hold (a null name).
	raw     string
	patches []patchSpec
}

// patchSpec is one RFC 6902 operation. Values may hold maps: jsii and
// encoding/json both send their keys sorted. They must not hold nil, which
// jsii hands to JavaScript as undefined rather than null.
type patchSpec struct {
	op, path, from string
	value          any
}

// depSpec makes the construct at path from depend on the construct at path
// to. Paths are the corpus ids from the app down, joined by "/"; an object
// of an include is at `<include path>/<includedID>`.
type depSpec struct{ from, to string }

// group returns a plain construct holding children.
func group(id string, children ...nodeSpec) nodeSpec {
	return nodeSpec{kind: groupNode, id: id, children: children}
}

// chart returns a chart holding children.
func chart(id string, props chartSpec, children ...nodeSpec) nodeSpec {
	return nodeSpec{kind: chartNode, id: id, chart: props, children: children}
}

// object returns a metadata-only API object, optionally with constructs
// (usually more objects) beneath it.
func object(id string, o objectSpec, children ...nodeSpec) nodeSpec {
	return nodeSpec{kind: objectNode, id: id, object: o, children: children}
}

// cm is the metadata-only ConfigMap, the most common object of the naming
// cases.
func cm(id string) nodeSpec {
	return object(id, objectSpec{apiVersion: "v1", kind: "ConfigMap"})
}

// include returns a construct holding one object per item, as cdk8s's
// Include does.
func include(id string, items ...includedSpec) nodeSpec {
	return nodeSpec{kind: includeNode, id: id, included: items}
}

// item wraps a typed object for include, with patches applied to it.
func item(obj runtime.Object, patches ...patchSpec) includedSpec {
	return includedSpec{obj: obj, patches: patches}
}

// rawItem is a document for include given as JSON text.
func rawItem(text string, patches ...patchSpec) includedSpec {
	return includedSpec{raw: text, patches: patches}
}

// The patch operations, named after the RFC 6902 ops.
func patchAdd(path string, value any) patchSpec {
	return patchSpec{op: "add", path: path, value: value}
}
func patchReplace(path string, value any) patchSpec {
	return patchSpec{op: "replace", path: path, value: value}
}
func patchRemove(path string) patchSpec     { return patchSpec{op: "remove", path: path} }
func patchMove(from, path string) patchSpec { return patchSpec{op: "move", from: from, path: path} }
func patchCopy(from, path string) patchSpec { return patchSpec{op: "copy", from: from, path: path} }
func patchTest(path string, value any) patchSpec {
	return patchSpec{op: "test", path: path, value: value}
}

// includedID is the id cdk8s's Include gives the API object it makes of a
// document: its name, kind lower-cased and namespace joined by "-", the
// empty ones left out, with `object<N>` for the name when the document has
// none (or a null one), N counting only such documents.
func includedID(h itemHead, unnamed *int) string {
	name := h.name
	if !h.hasName {
		name = "object" + strconv.Itoa(*unnamed)
		*unnamed++
	}
	var parts []string
	for _, p := range []string{name, strings.ToLower(h.kind), h.namespace} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-")
}

// itemHead is what the corpus needs to know of an included document.
type itemHead struct {
	kind, name, namespace string
	hasName               bool // metadata.name is set and not null
	nullName              bool // metadata.name is null
}

func (it includedSpec) head() itemHead {
	if it.obj != nil {
		acc, err := meta.Accessor(it.obj)
		if err != nil {
			panic(err) // the corpus only holds k8s.io/api objects
		}
		return itemHead{kind: it.obj.GetObjectKind().GroupVersionKind().Kind, name: acc.GetName(), namespace: acc.GetNamespace(), hasName: acc.GetName() != ""}
	}
	var doc struct {
		Kind     string                     `json:"kind"`
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(it.raw), &doc); err != nil {
		panic(fmt.Sprintf("corpus: raw item %q: %v", it.raw, err))
	}
	h := itemHead{kind: doc.Kind}
	name, ok := doc.Metadata["name"]
	h.nullName = ok && string(name) == "null"
	h.hasName = ok && !h.nullName
	_ = json.Unmarshal(name, &h.name)
	_ = json.Unmarshal(doc.Metadata["namespace"], &h.namespace)
	return h
}

// includeData is the file both frameworks include for n: the items as
// JSON documents, typed ones with keys in reverse order so that both
// frameworks have to sort them.
func includeData(t *testing.T, n nodeSpec) []byte {
	var file bytes.Buffer
	for i, it := range n.included {
		if i > 0 {
			file.WriteString("\n---\n")
		}
		if it.obj == nil {
			file.WriteString(it.raw)
			continue
		}
		raw, err := json.Marshal(it.obj)
		if err != nil {
			t.Fatal(err)
		}
		file.Write(reverseKeys(t, raw))
	}
	return file.Bytes()
}

// walk calls f for every node of the tree under nodes, parents before
// children.
func walk(nodes []nodeSpec, f func(n nodeSpec)) {
	for _, n := range nodes {
		f(n)
		walk(n.children, f)
	}
}
