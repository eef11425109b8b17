package cdk8scompat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

// cdk8sApp is a corpus case built with cdk8s.
type cdk8sApp struct {
	app cdk8s.App
	// objects lists every API object of the app, in construction order.
	objects []cdk8sObject
}

// cdk8sObject is what the expectation needs to know about one API object
// cdk8s renders. Everything cdk8s decides (names, namespaces) is read back
// from cdk8s rather than recomputed here.
type cdk8sObject struct {
	path string // corpus path
	kind string
	// name and namespace are metadata.name and metadata.namespace as cdk8s
	// writes them, after patches.
	name, namespace string
	// constructedName is the name before patches, which cdk8s names the
	// files of a folder per chart after.
	constructedName string
	// nullName and emptyName are set when the included document's name
	// is null or "": cdk8s writes no name at all, or `name: ""`, and
	// tsumiki generates one, from cdk8s's wouldGenerate.
	nullName, emptyName bool
	wouldGenerate       string
	// generatedName is set when cdk8s generated the name from the path.
	generatedName bool
	// chartNamespace is set when the namespace is the chart's, not the
	// object's own.
	chartNamespace bool
	// chartLabel is Names.toDnsLabel of the object's chart: the name of the
	// chart's file or folder, before any index prefix.
	chartLabel string
}

// buildCDK8s builds c with cdk8s, writing to outdir. Objects with content
// are written as JSON files into scratch for Include to read. It panics
// where cdk8s throws.
func buildCDK8s(t *testing.T, c caseSpec, outdir, scratch string) *cdk8sApp {
	t.Helper()
	props := &cdk8s.AppProps{
		Outdir: jsii.String(outdir),
		YamlOutputType: map[layout]cdk8s.YamlOutputType{
			filePerChart:                  cdk8s.YamlOutputType_FILE_PER_CHART,
			filePerApp:                    cdk8s.YamlOutputType_FILE_PER_APP,
			filePerResource:               cdk8s.YamlOutputType_FILE_PER_RESOURCE,
			folderPerChartFilePerResource: cdk8s.YamlOutputType_FOLDER_PER_CHART_FILE_PER_RESOURCE,
		}[c.layout],
	}
	if c.ext != "" {
		props.OutputFileExtension = jsii.String(c.ext)
	}
	b := &cdk8sBuilder{
		t:       t,
		out:     &cdk8sApp{app: cdk8s.NewApp(props)},
		byPath:  map[string]constructs.IConstruct{},
		scratch: scratch,
	}
	b.nodes(b.out.app, "", nil, c.nodes)
	for _, d := range c.deps {
		b.find(d.from).Node().AddDependency(b.find(d.to))
	}
	return b.out
}

// cdk8sBuilder keeps what building one app needs: every construct by its
// corpus path, for dependencies.
type cdk8sBuilder struct {
	t       *testing.T
	out     *cdk8sApp
	byPath  map[string]constructs.IConstruct
	scratch string
	files   int // include files written so far
}

func (b *cdk8sBuilder) find(path string) constructs.IConstruct {
	c, ok := b.byPath[path]
	if !ok {
		b.t.Fatalf("corpus: no construct at %q", path)
	}
	return c
}

// nodes adds specs under scope; chrt is the closest chart, nil above any.
func (b *cdk8sBuilder) nodes(scope constructs.Construct, prefix string, chrt cdk8s.Chart, specs []nodeSpec) {
	for _, n := range specs {
		path := joinPath(prefix, n.id)
		var c constructs.Construct
		switch n.kind {
		case groupNode:
			c = constructs.NewConstruct(scope, jsii.String(n.id))
		case chartNode:
			props := &cdk8s.ChartProps{Labels: jsiiStrings(n.chart.labels)}
			if n.chart.namespace != "" {
				props.Namespace = jsii.String(n.chart.namespace)
			}
			if n.chart.noHashes {
				props.DisableResourceNameHashes = jsii.Bool(true)
			}
			chrt = cdk8s.NewChart(scope, jsii.String(n.id), props)
			if props.Labels != nil {
				for k, v := range n.chart.labelsLater {
					(*props.Labels)[k] = jsii.String(v)
				}
			}
			c = chrt
		case objectNode:
			o := n.object
			md := &cdk8s.ApiObjectMetadata{Labels: jsiiStrings(o.labels)}
			if o.name != "" {
				md.Name = jsii.String(o.name)
			}
			if o.namespace != "" {
				md.Namespace = jsii.String(o.namespace)
			}
			obj := cdk8s.NewApiObject(scope, jsii.String(n.id), &cdk8s.ApiObjectProps{
				ApiVersion: jsii.String(o.apiVersion),
				Kind:       jsii.String(o.kind),
				Metadata:   md,
			})
			b.object(path, chrt, obj, o.name != "", o.namespace != "", o.patches)
			c = obj
		case includeNode:
			c = b.include(scope, path, chrt, n)
		}
		b.byPath[path] = c
		b.nodes(c, path, chrt, n.children)
	}
}

// include writes the items into a file and includes it.
func (b *cdk8sBuilder) include(scope constructs.Construct, path string, chrt cdk8s.Chart, n nodeSpec) constructs.Construct {
	b.files++
	name := filepath.Join(b.scratch, "include-"+strconv.Itoa(b.files)+".json")
	if err := os.WriteFile(name, includeData(b.t, n), 0o644); err != nil {
		b.t.Fatal(err)
	}
	inc := cdk8s.NewInclude(scope, jsii.String(n.id), &cdk8s.IncludeProps{Url: jsii.String(name)})

	unnamed := 0
	for _, it := range n.included {
		h := it.head()
		id := includedID(h, &unnamed)
		child := inc.Node().TryFindChild(jsii.String(id))
		if child == nil {
			b.t.Fatalf("corpus: cdk8s's Include made no object %q under %s", id, path)
		}
		objPath := path + "/" + id
		obj := cdk8s.ApiObject_Of(child)
		b.object(objPath, chrt, obj, h.hasName, h.namespace != "", it.patches)
		// For a null name cdk8s generates one, then spreads the document's
		// metadata over it: the name stays null, and the object has none.
		// An empty name it keeps.
		if rec := &b.out.objects[len(b.out.objects)-1]; h.nullName || h.hasName && h.name == "" {
			rec.nullName, rec.emptyName = h.nullName, !h.nullName
			rec.generatedName = false // not what cdk8s writes
			rec.wouldGenerate = *chrt.GenerateObjectName(obj)
		}
		b.byPath[objPath] = obj
	}
	return inc
}

// object adds the patches to obj and records it.
func (b *cdk8sBuilder) object(path string, chrt cdk8s.Chart, obj cdk8s.ApiObject, ownName, ownNamespace bool, patches []patchSpec) {
	for _, p := range patches {
		obj.AddJsonPatch(cdk8sPatch(p))
	}
	rec := cdk8sObject{
		path:            path,
		kind:            *obj.Kind(),
		name:            *obj.Name(),
		constructedName: *obj.Name(),
		generatedName:   !ownName,
		chartNamespace:  !ownNamespace,
		chartLabel:      *cdk8s.Names_ToDnsLabel(chrt, nil),
	}
	if ns := obj.Metadata().Namespace(); ns != nil {
		rec.namespace = *ns
	}
	// Patches run last, so a patched name or namespace is what ends up
	// in the file.
	for _, p := range patches {
		s, isString := p.value.(string)
		switch {
		case p.path == "/metadata/name" && (p.op == "add" || p.op == "replace") && isString:
			rec.name, rec.generatedName = s, false
		case p.path == "/metadata/namespace" && (p.op == "add" || p.op == "replace") && isString:
			rec.namespace, rec.chartNamespace = s, false
		case p.path == "/metadata/namespace" && p.op == "remove":
			rec.namespace, rec.chartNamespace = "", false
		case p.path == "/metadata/name" || p.path == "/metadata/namespace" || p.path == "/metadata" || p.path == "/kind" || p.path == "":
			b.t.Fatalf("corpus: %s: the expectation cannot follow patch %+v", path, p)
		}
	}
	if rec.namespace == "" {
		rec.chartNamespace = false
	}
	b.out.objects = append(b.out.objects, rec)
}

func cdk8sPatch(p patchSpec) cdk8s.JsonPatch {
	switch p.op {
	case "add":
		return cdk8s.JsonPatch_Add(jsii.String(p.path), p.value)
	case "replace":
		return cdk8s.JsonPatch_Replace(jsii.String(p.path), p.value)
	case "remove":
		return cdk8s.JsonPatch_Remove(jsii.String(p.path))
	case "move":
		return cdk8s.JsonPatch_Move(jsii.String(p.from), jsii.String(p.path))
	case "copy":
		return cdk8s.JsonPatch_Copy(jsii.String(p.from), jsii.String(p.path))
	case "test":
		return cdk8s.JsonPatch_Test(jsii.String(p.path), p.value)
	}
	panic(fmt.Sprintf("unknown patch op %q", p.op))
}

// jsiiStrings converts a map for jsii; nil stays nil, so that cdk8s sees
// the prop as absent.
func jsiiStrings(m map[string]string) *map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

func joinPath(prefix, id string) string {
	if prefix == "" {
		return id
	}
	return prefix + "/" + id
}

// reverseKeys rewrites a JSON document with the members of every object in
// reverse order: the farthest from sorted a typed struct gets, so that the
// test proves both frameworks sort keys rather than keep encoding/json's
// field order, which is where tsumiki starts from.
func reverseKeys(t *testing.T, raw []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var buf bytes.Buffer
	if err := copyReversed(dec, &buf); err != nil {
		t.Fatalf("reverse keys: %v", err)
	}
	return buf.Bytes()
}

// copyReversed copies the next JSON value from dec to buf, reversing the
// members of objects.
func copyReversed(dec *json.Decoder, buf *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		type member struct{ key, value []byte }
		var members []member
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := json.Marshal(key)
			var v bytes.Buffer
			if err := copyReversed(dec, &v); err != nil {
				return err
			}
			members = append(members, member{k, v.Bytes()})
		}
		if _, err := dec.Token(); err != nil { // }
			return err
		}
		buf.WriteByte('{')
		for i := len(members) - 1; i >= 0; i-- {
			buf.Write(members[i].key)
			buf.WriteByte(':')
			buf.Write(members[i].value)
			if i > 0 {
				buf.WriteByte(',')
			}
		}
		buf.WriteByte('}')
	case json.Delim('['):
		buf.WriteByte('[')
		for first := true; dec.More(); first = false {
			if !first {
				buf.WriteByte(',')
			}
			if err := copyReversed(dec, buf); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ]
			return err
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(tok) // json.Number marshals as its own text
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}
