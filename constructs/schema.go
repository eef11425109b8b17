package constructs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// schemaValidator checks a document against a CRD's structural schema the
// way the API server does on create: unknown fields (pruning, reported as
// strict field validation reports them), types, required fields, enums,
// string lengths and patterns, number ranges, item and property counts,
// list types, a few formats, and allOf, anyOf, oneOf and not. It leaves out
// CEL rules (x-kubernetes-validations) and defaulting, except that a
// required field with a default counts as present.
type schemaValidator struct {
	errs       []string
	skipStatus bool
}

func (sv *schemaValidator) fail(path, format string, args ...any) {
	if path == "" {
		path = "<root>"
	}
	sv.errs = append(sv.errs, path+": "+fmt.Sprintf(format, args...))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object checks v against s: the structure (types and unknown fields) and
// every value validation. root is set for the top of the document, where
// apiVersion, kind and metadata belong to the API server.
func (sv *schemaValidator) object(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps, root bool) {
	if v.Kind == document.Null {
		return // the API server drops nulls of fields that are not nullable
	}
	if !sv.typeOK(path, v, s) {
		return
	}
	switch v.Kind {
	case document.Object:
		for i := range v.Members {
			m := &v.Members[i]
			p := join(path, m.Key)
			if (root || s.XEmbeddedResource) && (m.Key == "apiVersion" || m.Key == "kind" || m.Key == "metadata") {
				continue // the API server's, checked as ObjectMeta
			}
			if root && m.Key == "status" && sv.skipStatus {
				continue // the status subresource's, not the manifest's
			}
			if ps, ok := s.Properties[m.Key]; ok {
				sv.object(p, &m.Value, &ps, false)
				continue
			}
			if ap := s.AdditionalProperties; ap != nil && (ap.Schema != nil || ap.Allows) {
				if ap.Schema != nil {
					sv.object(p, &m.Value, ap.Schema, false)
				}
				continue
			}
			if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
				continue
			}
			sv.fail(p, "unknown field%s", didYouMean(m.Key, s.Properties))
		}
	case document.Array:
		if s.Items != nil && s.Items.Schema != nil {
			for i := range v.Items {
				sv.object(path+"["+strconv.Itoa(i)+"]", &v.Items[i], s.Items.Schema, false)
			}
		}
	}
	sv.values(path, v, s)
}

// typeOK checks v's JSON type against s.
func (sv *schemaValidator) typeOK(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps) bool {
	if s.XIntOrString {
		if v.Kind == document.String || v.Kind == document.Number && isInteger(v.Scalar) {
			return true
		}
		sv.fail(path, "Invalid value: %s: must be an integer or a string", show(v))
		return false
	}
	ok := true
	switch s.Type {
	case "":
		return true
	case "object":
		ok = v.Kind == document.Object
	case "array":
		ok = v.Kind == document.Array
	case "string":
		ok = v.Kind == document.String
	case "boolean":
		ok = v.Kind == document.Bool
	case "number":
		ok = v.Kind == document.Number
	case "integer":
		ok = v.Kind == document.Number && isInteger(v.Scalar)
	}
	if !ok {
		sv.fail(path, "Invalid value: %s: must be of type %s", show(v), s.Type)
	}
	return ok
}

// values applies the value validations of s to v, and those of the
// schemas s combines, whose own properties are checked for their values
// only (a structural schema gives them no types of their own).
func (sv *schemaValidator) values(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps) {
	if len(s.Enum) > 0 {
		val := toAny(*v)
		found := false
		var allowed []string
		for _, e := range s.Enum {
			var want any
			if json.Unmarshal(e.Raw, &want) == nil && reflect.DeepEqual(val, want) {
				found = true
				break
			}
			allowed = append(allowed, string(e.Raw))
		}
		if !found {
			sv.fail(path, "Unsupported value: %s: supported values: %s", show(v), strings.Join(allowed, ", "))
		}
	}
	switch v.Kind {
	case document.String:
		sv.stringValues(path, v.Scalar, s)
	case document.Number:
		sv.numberValues(path, v.Scalar, s)
	case document.Array:
		n := int64(len(v.Items))
		if s.MaxItems != nil && n > *s.MaxItems {
			sv.fail(path, "Too many: %d: must have at most %d items", n, *s.MaxItems)
		}
		if s.MinItems != nil && n < *s.MinItems {
			sv.fail(path, "Invalid value: %d: must have at least %d items", n, *s.MinItems)
		}
		sv.listType(path, v, s)
	case document.Object:
		n := int64(len(v.Members))
		if s.MaxProperties != nil && n > *s.MaxProperties {
			sv.fail(path, "Too many: %d: must have at most %d properties", n, *s.MaxProperties)
		}
		if s.MinProperties != nil && n < *s.MinProperties {
			sv.fail(path, "Invalid value: %d: must have at least %d properties", n, *s.MinProperties)
		}
		for _, r := range s.Required {
			if v.Lookup(r) == nil {
				if ps, ok := s.Properties[r]; ok && ps.Default != nil {
					continue // the API server fills it in
				}
				sv.fail(join(path, r), "Required value")
			}
		}
	}
	for i := range s.AllOf {
		sv.sub(path, v, &s.AllOf[i])
	}
	if len(s.AnyOf) > 0 {
		passed := false
		for i := range s.AnyOf {
			if sv.passes(path, v, &s.AnyOf[i]) {
				passed = true
				break
			}
		}
		if !passed {
			sv.fail(path, "Invalid value: %s: must validate at least one schema (anyOf)", show(v))
		}
	}
	if len(s.OneOf) > 0 {
		passed := 0
		for i := range s.OneOf {
			if sv.passes(path, v, &s.OneOf[i]) {
				passed++
			}
		}
		if passed != 1 {
			sv.fail(path, "Invalid value: %s: must validate one and only one schema (oneOf); it validates %d", show(v), passed)
		}
	}
	if s.Not != nil && sv.passes(path, v, s.Not) {
		sv.fail(path, "Invalid value: %s: must not validate the schema (not)", show(v))
	}
}

// sub applies a combined schema's value validations, descending into the
// properties and items it names.
func (sv *schemaValidator) sub(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps) {
	if v.Kind == document.Null || !sv.typeOK(path, v, s) {
		return
	}
	switch v.Kind {
	case document.Object:
		for key, ps := range s.Properties {
			if m := v.Lookup(key); m != nil {
				sv.sub(join(path, key), m, &ps)
			}
		}
	case document.Array:
		if s.Items != nil && s.Items.Schema != nil {
			for i := range v.Items {
				sv.sub(path+"["+strconv.Itoa(i)+"]", &v.Items[i], s.Items.Schema)
			}
		}
	}
	sv.values(path, v, s)
}

// passes reports whether v satisfies s, reporting nothing.
func (sv *schemaValidator) passes(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps) bool {
	probe := &schemaValidator{}
	probe.sub(path, v, s)
	return len(probe.errs) == 0
}

func (sv *schemaValidator) stringValues(path, str string, s *apiextensionsv1.JSONSchemaProps) {
	if s.MaxLength != nil || s.MinLength != nil {
		n := int64(utf8.RuneCountInString(str))
		if s.MaxLength != nil && n > *s.MaxLength {
			sv.fail(path, "Too long: may not be more than %d characters", *s.MaxLength)
		}
		if s.MinLength != nil && n < *s.MinLength {
			sv.fail(path, "Invalid value: %q: must be at least %d characters long", str, *s.MinLength)
		}
	}
	if s.Pattern != "" {
		re, err := compilePattern(s.Pattern)
		if err == nil && !re.MatchString(str) {
			sv.fail(path, "Invalid value: %q: should match '%s'", str, s.Pattern)
		}
	}
	if check := stringFormats[s.Format]; check != nil && !check(str) {
		sv.fail(path, "Invalid value: %q: must be of format %s", str, s.Format)
	}
}

func (sv *schemaValidator) numberValues(path, text string, s *apiextensionsv1.JSONSchemaProps) {
	x, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return
	}
	if s.Maximum != nil && (x > *s.Maximum || s.ExclusiveMaximum && x == *s.Maximum) {
		sv.fail(path, "Invalid value: %s: must be less than %s%v", text, orEqual(!s.ExclusiveMaximum), *s.Maximum)
	}
	if s.Minimum != nil && (x < *s.Minimum || s.ExclusiveMinimum && x == *s.Minimum) {
		sv.fail(path, "Invalid value: %s: must be greater than %s%v", text, orEqual(!s.ExclusiveMinimum), *s.Minimum)
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		if q := x / *m; q != math.Trunc(q) {
			sv.fail(path, "Invalid value: %s: must be a multiple of %v", text, *m)
		}
	}
	switch s.Format {
	case "int32":
		if x < math.MinInt32 || x > math.MaxInt32 {
			sv.fail(path, "Invalid value: %s: must be of type int32", text)
		}
	case "int64":
		if x < math.MinInt64 || x > math.MaxInt64 {
			sv.fail(path, "Invalid value: %s: must be of type int64", text)
		}
	}
}

func orEqual(b bool) string {
	if b {
		return "or equal to "
	}
	return ""
}

// listType enforces x-kubernetes-list-type: the items of a set, and the
// keys of a map's items, are unique.
func (sv *schemaValidator) listType(path string, v *document.Value, s *apiextensionsv1.JSONSchemaProps) {
	if s.XListType == nil || (*s.XListType != "set" && *s.XListType != "map") {
		return
	}
	seen := map[string]int{}
	for i, item := range v.Items {
		var key string
		if *s.XListType == "set" {
			key = string(document.AppendJSON(nil, item))
		} else {
			if item.Kind != document.Object {
				continue
			}
			var parts []string
			for _, k := range s.XListMapKeys {
				if m := item.Lookup(k); m != nil {
					parts = append(parts, k+"="+string(document.AppendJSON(nil, *m)))
				}
			}
			key = strings.Join(parts, ",")
		}
		if j, dup := seen[key]; dup {
			sv.fail(path+"["+strconv.Itoa(i)+"]", "Duplicate value: %s (also at %d)", key, j)
			continue
		}
		seen[key] = i
	}
}

// isInteger reports whether a JSON number is integral, as the API
// server's decoding into int64 or a whole float64 sees it.
func isInteger(text string) bool {
	if !strings.ContainsAny(text, ".eE") {
		return true
	}
	x, err := strconv.ParseFloat(text, 64)
	return err == nil && x == math.Trunc(x) && !math.IsInf(x, 0)
}

// show writes a value for a message: strings quoted, others as JSON,
// containers by type.
func show(v *document.Value) string {
	switch v.Kind {
	case document.String:
		return strconv.Quote(v.Scalar)
	case document.Object:
		return "object"
	case document.Array:
		return "array"
	case document.Null:
		return "null"
	}
	return v.Scalar
}

// toAny is v as encoding/json decodes it into an interface value.
func toAny(v document.Value) any {
	switch v.Kind {
	case document.Bool:
		return v.Scalar == "true"
	case document.Number:
		x, _ := strconv.ParseFloat(v.Scalar, 64)
		return x
	case document.String:
		return v.Scalar
	case document.Array:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = toAny(it)
		}
		return out
	case document.Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = toAny(m.Value)
		}
		return out
	}
	return nil
}

// didYouMean suggests the known field closest to key, if one is close.
func didYouMean(key string, props map[string]apiextensionsv1.JSONSchemaProps) string {
	best, bestDist := "", 3 // at most two edits
	for name := range props {
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b, counting an
// exchange of two neighbouring letters as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

var patterns sync.Map // pattern → *regexp.Regexp or error

func compilePattern(p string) (*regexp.Regexp, error) {
	if v, ok := patterns.Load(p); ok {
		if re, ok := v.(*regexp.Regexp); ok {
			return re, nil
		}
		return nil, v.(error)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		patterns.Store(p, err)
		return nil, err
	}
	patterns.Store(p, re)
	return re, nil
}

var rxUUID = regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)

// stringFormats are the formats checked, each as the API server's
// kube-openapi checks it. Others are accepted as they are.
var stringFormats = map[string]func(string) bool{
	"byte": func(s string) bool { _, err := base64.StdEncoding.DecodeString(s); return err == nil },
	"date": func(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil },
	"uuid": rxUUID.MatchString,
	"ipv4": func(s string) bool { ip := net.ParseIP(s); return ip != nil && strings.Contains(s, ".") },
	"ipv6": func(s string) bool { ip := net.ParseIP(s); return ip != nil && strings.Contains(s, ":") },
	"cidr": func(s string) bool { _, _, err := net.ParseCIDR(s); return err == nil },
}
