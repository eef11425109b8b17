package config

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// The YAML core schema tags the decoder checks values against.
const (
	nullTag  = "!!null"
	strTag   = "!!str"
	intTag   = "!!int"
	floatTag = "!!float"
	boolTag  = "!!bool"
	mergeTag = "!!merge"
)

var (
	durationType        = reflect.TypeFor[time.Duration]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// reflectValue returns what into points to, or the zero Value if into is not
// a non-nil pointer.
func reflectValue(into any) reflect.Value {
	v := reflect.ValueOf(into)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
}

// decoder walks a node tree alongside a Go value, collecting every problem
// instead of stopping at the first, so one run shows all that is wrong.
type decoder struct {
	problems []Problem
	// sections take top-level fields away from the root value.
	sections map[string]reflect.Value
}

// Validator is implemented by configuration types that check themselves
// beyond what their Go types say: the decoder calls Validate after decoding
// such a value without problems, and reports its error (each, for a joined
// error) at the value's line, with its path.
type Validator interface {
	Validate() error
}

var validatorType = reflect.TypeFor[Validator]()

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: n.Line, Column: n.Column, Path: path, Message: fmt.Sprintf(format, args...)})
}

// decode stores n in v, which must be settable; path names v in messages.
// A value that decoded without problems and is a Validator is then
// validated.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	before := len(d.problems)
	d.decodeValue(n, v, path)
	if len(d.problems) > before || v.Kind() == reflect.Pointer || !reflect.PointerTo(v.Type()).Implements(validatorType) {
		return
	}
	err := v.Addr().Interface().(Validator).Validate()
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			d.fail(n, path, "%v", e)
		}
	} else if err != nil {
		d.fail(n, path, "%v", err)
	}
}

// decodeValue is decode without the validation.
func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path)
		return
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		d.decodeJSON(n, v, path)
		return
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		if d.expectString(n, path, "a string") {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
				d.fail(n, path, "%v", err)
			}
		}
		return
	case t == durationType:
		// time.Duration is an int64 to reflect; without this, "30s" would
		// be a type error and 30 would silently mean 30ns.
		const want = `a duration such as "30s"`
		if d.expect(n, path, strTag, want) {
			if dur, err := time.ParseDuration(n.Value); err != nil {
				d.fail(n, path, "expected %s, got %q", want, n.Value)
			} else {
				v.SetInt(int64(dur))
			}
		}
		return
	}

	switch t.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Interface:
		if t.NumMethod() > 0 {
			d.fail(n, path, "cannot decode into Go type %s", t)
			return
		}
		var x any
		if err := n.Decode(&x); err != nil {
			d.fail(n, path, "%s", yamlMessage(err))
			return
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if d.expectString(n, path, "a string") {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		if d.expect(n, path, boolTag, "a boolean (true or false)") {
			var b bool
			d.decodeScalar(n, &b, path)
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if !d.expect(n, path, intTag, "an integer") || !d.decodeScalar(n, &i, path) {
			return
		}
		if v.OverflowInt(i) {
			d.fail(n, path, "%s does not fit in %s", n.Value, t)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if !d.expect(n, path, intTag, "a non-negative integer") {
			return
		}
		if strings.HasPrefix(n.Value, "-") {
			d.fail(n, path, "expected a non-negative integer, got %s", n.Value)
			return
		}
		if !d.decodeScalar(n, &u, path) {
			return
		}
		if v.OverflowUint(u) {
			d.fail(n, path, "%s does not fit in %s", n.Value, t)
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != intTag && n.ShortTag() != floatTag {
			d.fail(n, path, "expected a number, got %s", describe(n))
			return
		}
		if !d.decodeScalar(n, &f, path) {
			return
		}
		if v.OverflowFloat(f) {
			d.fail(n, path, "%s does not fit in %s", n.Value, t)
			return
		}
		v.SetFloat(f)
	default:
		d.fail(n, path, "cannot decode into Go type %s", t)
	}
}

// expect reports whether n is a scalar with the given tag, and records a
// problem saying what was wanted if it is not.
func (d *decoder) expect(n *yaml.Node, path, tag, want string) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == tag {
		return true
	}
	d.fail(n, path, "expected %s, got %s", want, describe(n))
	return false
}

// expectString is expect for strings. 1.10 is a float and yes a string to
// YAML 1.2, but 1.1 and true to other tools; quoting is the one reading
// everybody agrees on, so the message suggests it.
func (d *decoder) expectString(n *yaml.Node, path, want string) bool {
	if n.Kind == yaml.ScalarNode && !isNull(n) && n.ShortTag() != strTag {
		d.fail(n, path, "expected %s, got %s (quote it: %q)", want, n.Value, n.Value)
		return false
	}
	return d.expect(n, path, strTag, want)
}

// decodeScalar decodes n with yaml.v3, which knows the spellings of numbers
// (0x1F, 1e3, .inf), into out.
func (d *decoder) decodeScalar(n *yaml.Node, out any, path string) bool {
	if err := n.Decode(out); err != nil {
		d.fail(n, path, "%s", yamlMessage(err))
		return false
	}
	return true
}

// decodeJSON gives n to v's UnmarshalJSON, as JSON, which is how the
// Kubernetes API types (resource.Quantity, intstr.IntOrString) expect to
// be read.
func (d *decoder) decodeJSON(n *yaml.Node, v reflect.Value, path string) {
	var x any
	if err := n.Decode(&x); err != nil {
		d.fail(n, path, "%s", yamlMessage(err))
		return
	}
	data, err := json.Marshal(x)
	if err == nil {
		err = v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data)
	}
	if err != nil {
		d.fail(n, path, "%v", err)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for key, val := range d.pairs(n, path) {
		if section, ok := d.sections[key.Value]; ok && path == "" {
			d.decode(val, section, key.Value)
			continue
		}
		f, ok := fields[key.Value]
		if !ok {
			d.fail(key, path, "unknown field %q%s", key.Value, suggest(key.Value, append(slices.Collect(maps.Keys(fields)), d.sectionNames(path)...)))
			continue
		}
		seen[key.Value] = true
		d.decode(val, fieldByIndex(v, f.index), join(path, key.Value))
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if fields[name].required && !seen[name] {
			d.fail(n, path, "missing required field %q", name)
		}
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	switch {
	case isNull(n):
		v.SetZero()
		return
	case n.Kind != yaml.MappingNode:
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	case t.Key().Kind() != reflect.String:
		d.fail(n, path, "cannot decode into Go type %s: keys must be strings", t)
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	for key, val := range d.pairs(n, path) {
		elem := reflect.New(t.Elem()).Elem()
		d.decode(val, elem, join(path, key.Value))
		v.SetMapIndex(reflect.ValueOf(key.Value).Convert(t.Key()), elem)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	switch {
	case isNull(n):
		v.SetZero()
		return
	case n.Kind != yaml.SequenceNode:
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, elem := range n.Content {
		d.decode(elem, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// pairs yields the keys and values of mapping n (nothing for null), leaving
// out and reporting keys that are not strings, merge keys and duplicates.
func (d *decoder) pairs(n *yaml.Node, path string) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(*yaml.Node, *yaml.Node) bool) {
		if n.Kind != yaml.MappingNode {
			return
		}
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			switch {
			case key.ShortTag() == mergeTag:
				d.fail(key, path, "merge keys (<<) are not supported; write the fields out")
				continue
			case key.Kind != yaml.ScalarNode || key.ShortTag() != strTag:
				d.expectString(key, path, "a string key")
				continue
			case first[key.Value] != nil:
				d.fail(key, path, "duplicate key %q (first on line %d)", key.Value, first[key.Value].Line)
				continue
			}
			first[key.Value] = key
			if !yield(key, val) {
				return
			}
		}
	}
}

// field is a struct field as the decoder sees it.
type field struct {
	index    []int // for reflect.Value.FieldByIndex, through embedded structs
	required bool
}

// fieldsOf returns the fields of struct type t by name, following the
// encoding/json rules: the name from the json tag or else the Go name, and
// embedded structs without a name inlined, their fields losing to ones of
// the same name nearer the top.
func fieldsOf(t reflect.Type) map[string]field {
	fields := map[string]field{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer && sf.IsExported() {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for inner, f := range fieldsOf(ft) {
					if old, ok := fields[inner]; ok && len(old.index) <= len(f.index)+1 {
						continue
					}
					f.index = append([]int{i}, f.index...)
					fields[inner] = f
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		var required bool
		switch opt := sf.Tag.Get("config"); opt {
		case "":
		case "required":
			required = true
		default:
			// A misspelt option would silently make a field optional.
			panic(fmt.Sprintf("config: field %s.%s has unknown option config:%q", t, sf.Name, opt))
		}
		fields[name] = field{index: []int{i}, required: required}
	}
	return fields
}

// fieldByIndex is v.FieldByIndex, allocating the embedded pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// sectionNames returns the names of the sections at path: those of the
// document at the top, none below.
func (d *decoder) sectionNames(path string) []string {
	if path != "" {
		return nil
	}
	return slices.Collect(maps.Keys(d.sections))
}

// suggest returns " (did you mean "x"?)" for the candidate nearest to the
// unknown name, if one is near enough to be a likely typo, or "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", max(1, len(name)/3)+1
	for _, f := range candidates {
		dist := editDistance(strings.ToLower(name), strings.ToLower(f))
		if dist < bestDist || dist == bestDist && f < best {
			best, bestDist = f, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := range len(a) {
		prev := row[0]
		row[0] = i + 1
		for j := range len(b) {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			prev, row[j+1] = row[j+1], min(row[j+1]+1, row[j]+1, prev+cost)
		}
	}
	return row[len(b)]
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag
}

// describe says what n is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	case n.ShortTag() == strTag:
		return strconv.Quote(n.Value)
	}
	return n.Value
}

// join appends key to path: guestbook.replicas, or images["a.b"] for keys
// that would be ambiguous after a dot, as Path writes them.
func join(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlMessage is the message of a YAML decoding error without its
// position, since Problem has it.
func yamlMessage(err error) string {
	var le *yaml.LoadErrors
	if errors.As(err, &le) && len(le.Errors) > 0 {
		return le.Errors[0].Message
	}
	var one *yaml.LoadError
	if errors.As(err, &one) {
		return one.Message
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
