// Package config reads the per-environment configuration files,
// config/<environment>.yaml, into typed Go values, and edits them in place.
//
// Decoding is strict, so that a typo in a file fails the build instead of
// silently deploying a default:
//
//   - Field names come from the `json` struct tag, as for the Kubernetes API
//     types and sigs.k8s.io/yaml; a field without one is named exactly like
//     the Go field. Names match case-sensitively, `json:"-"` fields and
//     unexported fields are never decoded, and embedded structs without a
//     name in their tag are inlined, as in encoding/json.
//   - A field tagged `config:"required"` must be present in its mapping. A
//     required field inside an optional struct field is checked only when
//     that struct's mapping is present; tag the outer field required too if
//     it must always be there.
//   - Unknown fields, missing required fields, duplicate keys, values of the
//     wrong type, null for a scalar, more than one document and an empty file
//     are errors. Strings must be YAML strings: `version: 1.10` is a float
//     (and 1.1 to many other tools), so it has to be quoted.
//   - Values are decoded into structs, pointers, maps with string keys,
//     slices, strings, booleans, integers, floats, time.Duration (from
//     strings such as "30s"), interfaces (as by yaml.v3) and any type that
//     implements json.Unmarshaler (such as resource.Quantity, which gets the
//     value as JSON) or encoding.TextUnmarshaler (which gets a string).
//   - Anchors and aliases work; merge keys (<<) do not.
//
// Every problem in a file is reported at once, each with its line, column and
// field path, as an *Error.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Load reads the file at path and decodes it strictly into the struct into
// points to; see Decode.
func Load(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return Decode(path, data, into)
}

// Decode decodes the YAML document data strictly into the value into points
// to. Fields absent from data keep the value they have, so callers can fill in
// defaults first. name is the file name that errors report.
//
// Problems with data are returned together as an *Error; into may then have
// been partly written.
func Decode(name string, data []byte, into any) error {
	v := reflectValue(into)
	if !v.IsValid() {
		return fmt.Errorf("config: Decode needs a non-nil pointer, got %T", into)
	}
	return decodeDocument(name, data, v, decoder{})
}

// DecodeSections is Decode for a document whose top-level fields belong to
// several values: each top-level field named in sections is decoded into the
// value that sections maps it to (a non-nil pointer), and every other field
// into into, as by Decode. into may be nil when sections name every field
// allowed. A field unknown to all of them is a problem like any other, and
// the suggestions for a misspelt name take the sections' names into
// account.
//
// A runner uses it to give each app its own section of an environment file:
// a section absent from data leaves its value as it was (a nil pointer
// stays nil), so the caller can tell which sections the file has.
func DecodeSections(name string, data []byte, into any, sections map[string]any) error {
	v := reflect.ValueOf(&struct{}{}).Elem()
	if into != nil {
		if v = reflectValue(into); !v.IsValid() || v.Kind() != reflect.Struct {
			return fmt.Errorf("config: DecodeSections needs nil or a non-nil pointer to a struct, got %T", into)
		}
	}
	d := decoder{sections: make(map[string]reflect.Value, len(sections))}
	for key, s := range sections {
		sv := reflectValue(s)
		if !sv.IsValid() {
			return fmt.Errorf("config: section %q needs a non-nil pointer, got %T", key, s)
		}
		if _, clash := fieldsOf(v.Type())[key]; clash {
			return fmt.Errorf("config: section %q is also a field of %s", key, v.Type())
		}
		d.sections[key] = sv
	}
	return decodeDocument(name, data, v, d)
}

// decodeDocument decodes data, the document of file name, into v with d.
func decodeDocument(name string, data []byte, v reflect.Value, d decoder) error {
	root, problem := parse(data)
	if problem != nil {
		return &Error{File: name, Problems: []Problem{*problem}}
	}
	d.decode(root, v, "")
	if len(d.problems) > 0 {
		sort.SliceStable(d.problems, func(i, j int) bool {
			a, b := d.problems[i], d.problems[j]
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		return &Error{File: name, Problems: d.problems}
	}
	return nil
}

// parse returns the content of the single document in data.
func parse(data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, &Problem{Message: "empty file; want a mapping"}
	case err != nil:
		return nil, syntaxProblem(err, data)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Problem{Line: next.Line, Column: next.Column, Message: "more than one document; want exactly one"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxProblem(err, data)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == nullTag {
		return nil, &Problem{Line: root.Line, Column: root.Column, Message: "empty document; want a mapping"}
	}
	return root, nil
}

// syntaxProblem turns a YAML syntax error in data into a Problem at the
// line and column where the parser found it.
func syntaxProblem(err error, data []byte) *Problem {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		msg := le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark.Line != le.Mark.Line {
			msg = fmt.Sprintf("%s (%s on line %d)", msg, le.ContextMsg, le.ContextMark.Line)
		}
		if i := le.Mark.Index; i >= 0 && i < len(data) && data[i] == '\t' {
			msg += ": a tab; YAML indents with spaces only"
		}
		return &Problem{Line: le.Mark.Line, Column: le.Mark.Column, Message: msg}
	}
	return &Problem{Message: strings.TrimPrefix(err.Error(), "yaml: ")}
}

// Error is every problem found in one configuration file.
type Error struct {
	File     string    // the name given to Decode, or the path given to Load
	Problems []Problem // in the order they appear in the file
}

// Error lists the problems one per line, each prefixed with the file name.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		b.WriteString(":")
		if p.Line == 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Problem is one thing wrong in a configuration file.
type Problem struct {
	Line, Column int    // where, from 1; 0 if not known
	Path         string // the mapping or value at fault, such as "guestbook.replicas"; "" for the whole document
	Message      string
}

// Error formats p as "line:column: path: message", leaving out what is not
// known; an *Error puts the file name in front.
func (p Problem) Error() string { return p.String() }

// String formats p as "line:column: path: message", leaving out what is not
// known.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, "%d:", p.Column)
		}
		b.WriteByte(' ')
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Environments returns the names of the environments configured in dir: the
// names of its *.yaml and *.yml files without the extension, sorted. Files
// whose names start with a dot, such as editors' backups, are ignored.
func Environments(dir string) ([]string, error) {
	files, err := environmentFiles(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// ErrUnknownEnvironment is wrapped by File's error for an environment that
// has no file.
var ErrUnknownEnvironment = errors.New("unknown environment")

// File returns the path of environment env's file in dir.
func File(dir, env string) (string, error) {
	files, err := environmentFiles(dir)
	if err != nil {
		return "", err
	}
	if file, ok := files[env]; ok {
		return file, nil
	}
	names, _ := Environments(dir)
	return "", fmt.Errorf("%w %q in %s (known: %s)", ErrUnknownEnvironment, env, dir, strings.Join(names, ", "))
}

// environmentFiles maps each environment in dir to its file.
func environmentFiles(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || ext != ".yaml" && ext != ".yml" {
			continue
		}
		env := strings.TrimSuffix(e.Name(), ext)
		if other, ok := files[env]; ok {
			// Which one synth would read is a guess nobody should have to make.
			return nil, fmt.Errorf("environment %q has two files, %s and %s; remove one", env, other, filepath.Join(dir, e.Name()))
		}
		files[env] = filepath.Join(dir, e.Name())
	}
	return files, nil
}
