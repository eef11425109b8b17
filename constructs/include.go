package constructs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// IncludeProps says where an Include reads its YAML from: Data if set,
// else the file Path, from FS if set, else from the operating system's
// file system.
type IncludeProps struct {
	// Path is the file of YAML documents; with Data it only names the
	// source in errors.
	Path string
	// FS, if set, is where Path is read from; Path is then slash-separated,
	// as fs.FS requires.
	FS fs.FS
	// Data is the YAML itself.
	Data []byte
}

// Include is cdk8s's Include: every object of a YAML stream becomes an API
// object under it, with the construct id cdk8s gives it. Reach the objects
// with Find and FindAll, or APIObjects.
type Include struct {
	Construct
	objects []*APIObject
}

// NewInclude reads the YAML at once, as cdk8s does, and adds its objects
// under a new construct id in scope. Problems reading or decoding it are
// reported at synthesis with the file and line.
func NewInclude(scope Construct, id string, props IncludeProps) *Include {
	inc := &Include{Construct: NewNode(scope, id)}
	data, source := props.Data, props.Path
	if data == nil {
		var err error
		if props.FS != nil {
			data, err = fs.ReadFile(props.FS, props.Path)
		} else {
			data, err = os.ReadFile(props.Path)
		}
		if err != nil {
			inc.Node().AddError(fmt.Errorf("%w: %v", ErrInvalidManifest, err))
			return inc
		}
	}
	if source == "" {
		source = "<data>"
	}
	inc.objects = AddManifests(inc, source, data)
	return inc
}

// APIObjects returns the included objects in the order of the stream.
func (i *Include) APIObjects() []*APIObject { return i.objects }

// AddManifests decodes a stream of YAML documents and adds each object
// under scope, as cdk8s's Include does: documents that are empty (null,
// {} or []) are skipped, and each object's construct id is
// `<name>[-<kind>][-<namespace>]`, kind in lower case, the name
// `object<N>` for the N-th object without one (counting from 0), and the
// parts that are empty left out. Names are kept as in the stream.
//
// A kind the app's scheme knows is decoded into its Go type, strictly: a
// field the type lacks is an error, as the API server's strict field
// validation makes it. Other kinds stay unstructured. Find and FindAll
// reach the objects by type and name. An object renders as it was read
// until its Go value changes; from then on, as the Go type marshals it,
// which may add empty values the type always writes (`resources: {}`).
//
// YAML is read as Kubernetes reads it (sigs.k8s.io/yaml: YAML 1.1
// scalars, so `yes` is a boolean). source names the stream in errors,
// which are reported at synthesis on scope, as `source:line: message`.
// AddManifests returns the objects in the order of the stream.
func AddManifests(scope Construct, source string, data []byte) []*APIObject {
	scheme := appScheme(scope.Node())
	var out []*APIObject
	unnamed := 0
	for _, doc := range splitYAML(data) {
		at := func(line int) string { return source + ":" + strconv.Itoa(doc.line+line-1) }
		fail := func(line int, format string, args ...any) {
			scope.Node().AddError(fmt.Errorf("%w: %s: %s", ErrInvalidManifest, at(line), fmt.Sprintf(format, args...)))
		}
		j, err := toJSON(doc.data)
		if err != nil {
			line, msg := yamlErrorLine(err)
			fail(line, "%s", msg)
			continue
		}
		if bytes.Equal(j, []byte("null")) || bytes.Equal(j, []byte("{}")) || bytes.Equal(j, []byte("[]")) {
			continue
		}
		if len(j) == 0 || j[0] != '{' {
			fail(1, "a document must be a Kubernetes object, a map")
			continue
		}
		var head manifestHead
		if err := json.Unmarshal(j, &head); err != nil {
			fail(1, "%v", err)
			continue
		}
		apiVersion, _ := head.APIVersion.(string)
		kind, _ := head.Kind.(string)
		if apiVersion == "" || kind == "" {
			fail(1, "apiVersion and kind must be non-empty strings")
			continue
		}
		name := jsString(head.Metadata.Name)
		if head.Metadata.Name == nil {
			name = "object" + strconv.Itoa(unnamed)
			unnamed++
		}
		id := joinTruthy(name, strings.ToLower(kind), jsString(head.Metadata.Namespace))

		gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
		var obj runtime.Object
		var decoded *decodedJSON
		if typed, err := scheme.New(gvk); err == nil && !isUnstructured(typed) {
			strict, err := sigsjson.UnmarshalStrict(j, typed, sigsjson.DisallowUnknownFields)
			if err == nil && len(strict) > 0 {
				msgs := make([]string, len(strict))
				for i, e := range strict {
					msgs[i] = e.Error()
				}
				err = fmt.Errorf("%s", strings.Join(msgs, "; "))
			}
			if err != nil {
				fail(1, "%s %q: %v", kind, name, err)
				continue
			}
			obj = typed
			// As the render's json.Encoder writes it: with a newline.
			if m, err := json.Marshal(typed); err == nil {
				decoded = &decodedJSON{read: j, marshalled: append(m, '\n')}
			}
		} else {
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(j); err != nil {
				fail(1, "%s %q: %v", kind, name, err)
				continue
			}
			obj = u
		}
		o := newAPIObject(scope, id, obj)
		o.decoded = decoded
		out = append(out, o)
	}
	return out
}

// toJSON returns a document as JSON. A document that is JSON already (as
// kubectl tells: it starts with "{") is taken as it is, since YAML parsers
// reject some characters JSON allows raw.
func toJSON(doc []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		return trimmed, nil
	}
	j, err := yaml.YAMLToJSONStrict(doc)
	return bytes.TrimSpace(j), err
}

// manifestHead is what an object's construct id is made of. The fields are
// JSON values, not strings, because ids follow JavaScript's rules for any
// value (a null name, a numeric one).
type manifestHead struct {
	APIVersion any `json:"apiVersion"`
	Kind       any `json:"kind"`
	Metadata   struct {
		Name      any `json:"name"`
		Namespace any `json:"namespace"`
	} `json:"metadata"`
}

// jsString is the text JavaScript gives a JSON value in a template, or ""
// for the values it treats as false (null, false, 0, "").
func jsString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
	case float64:
		if v != 0 {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return ""
}

// joinTruthy joins the non-empty parts with "-".
func joinTruthy(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}

func isUnstructured(obj runtime.Object) bool {
	_, ok := obj.(runtime.Unstructured)
	return ok
}

// appScheme returns the scheme of the app n belongs to.
func appScheme(n *Node) *runtime.Scheme {
	if app := appOf(n); app != nil {
		return app.props.Scheme
	}
	return defaultScheme
}

// yamlDoc is one document of a stream and the line it starts on.
type yamlDoc struct {
	data []byte
	line int
}

// splitYAML splits a stream at its "---" lines (which may carry a
// comment), as Kubernetes's YAML reader does, keeping each document's
// first line number.
func splitYAML(data []byte) []yamlDoc {
	var docs []yamlDoc
	start, startLine, line := 0, 1, 1
	for i := 0; i <= len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data) + 1
		if end >= 0 {
			end += i
			next = end + 1
		} else {
			end = len(data)
		}
		l := bytes.TrimRight(data[i:end], "\r")
		if bytes.HasPrefix(l, []byte("---")) {
			if rest := bytes.TrimSpace(l[3:]); len(rest) == 0 || rest[0] == '#' {
				docs = append(docs, yamlDoc{data: data[start:i], line: startLine})
				start, startLine = min(next, len(data)), line+1
			}
		}
		i = next
		line++
	}
	return append(docs, yamlDoc{data: data[start:], line: startLine})
}

var yamlLine = regexp.MustCompile(`^(?:error converting YAML to JSON: )?yaml: line (\d+): (.*)$`)

// yamlErrorLine takes the line number out of a YAML parser's error.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	return 1, strings.TrimPrefix(msg, "yaml: ")
}
