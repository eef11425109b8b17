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
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
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
	root, problem := parse(data)
	if problem != nil {
		return &Error{File: name, Problems: []Problem{*problem}}
	}
	d := decoder{}
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
		return nil, syntaxProblem(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Problem{Line: next.Line, Column: next.Column, Message: "more than one document; want exactly one"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxProblem(err)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == nullTag {
		return nil, &Problem{Line: root.Line, Column: root.Column, Message: "empty document; want a mapping"}
	}
	return root, nil
}

// syntaxProblem turns a yaml.v3 parse error, "yaml: line 3: did not find
// expected key", into a Problem on that line.
func syntaxProblem(err error) *Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d: ", &line); n == 1 {
		msg = msg[strings.Index(msg, ": ")+2:]
	}
	return &Problem{Line: line, Message: msg}
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
