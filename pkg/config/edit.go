package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pmezard/go-difflib/difflib"
	"go.yaml.in/yaml/v4"
)

// Edit is a change to one file, made in memory, so that it is all or
// nothing: Write writes it, Diff shows it.
type Edit struct {
	// File is the file's path.
	File string
	// Old is what the file holds, New what it will hold.
	Old, New []byte
	// Changes are the values set, in order.
	Changes []Change
}

// Change is one value an Edit sets; Old equals New when the file already
// held it.
type Change struct {
	Path     Path
	Old, New string
}

// Set is a value to set: the string at Path.
type Set struct {
	Path  Path
	Value string
}

// Changed reports whether the edit changes the file.
func (e *Edit) Changed() bool { return !bytes.Equal(e.Old, e.New) }

// Write writes the file, atomically (see WriteFile), if the edit changes
// it; a file that would stay the same is not touched.
func (e *Edit) Write() error {
	if !e.Changed() {
		return nil
	}
	return WriteFile(e.File, e.New)
}

// Diff is the edit as a unified diff, or "" when it changes nothing.
func (e *Edit) Diff() string {
	if !e.Changed() {
		return ""
	}
	name := strings.TrimPrefix(filepath.ToSlash(e.File), "/")
	text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(e.Old), B: lines(e.New), FromFile: "a/" + name, ToFile: "b/" + name, Context: 3,
	})
	return text
}

// lines splits data into lines, each ending in a newline.
func lines(data []byte) []string {
	out := strings.SplitAfter(string(data), "\n")
	if out[len(out)-1] == "" {
		return out[:len(out)-1]
	}
	out[len(out)-1] += "\n"
	return out
}

// EditFile returns the edit that sets each value in file, as SetString
// does, in memory; every problem is an *Error naming the file and the line.
func EditFile(file string, sets []Set) (*Edit, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	e := &Edit{File: file, Old: data, New: data}
	for _, s := range sets {
		out, old, err := SetString(e.New, s.Path, s.Value)
		var p Problem
		if errors.As(err, &p) {
			return nil, &Error{File: file, Problems: []Problem{p}}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		e.New = out
		e.Changes = append(e.Changes, Change{Path: s.Path, Old: old, New: s.Value})
	}
	return e, nil
}

// SetString returns data with the string at path replaced by value, and the
// string it replaced. If the string already is value, it returns data
// itself.
//
// Only the bytes of the value change: comments, indentation, line endings and
// every other value stay exactly as they were. The value keeps its quoting
// style (plain, 'single' or "double") when value can be written that way, and
// is double-quoted otherwise. The result is parsed again and checked to differ
// from data in that one value only.
//
// SetString refuses to edit a value under an anchor (&name) or reached
// through an alias (*name), since the edit would also change the other places
// that share it; block scalars (| and >) and multi-line plain scalars; and
// anything that is not a string. It never adds keys.
func SetString(data []byte, path Path, value string) (out []byte, old string, err error) {
	root, problem := parse(data)
	if problem != nil {
		return nil, "", *problem
	}
	target, flow, err := lookup(root, path)
	if err != nil {
		return nil, "", err
	}
	if target.Value == value {
		return data, value, nil
	}
	start := offset(data, target.Line, target.Column)
	end, err := scalarEnd(data, start, target, flow)
	if err != nil {
		return nil, "", problemAt(target, path, "%v", err)
	}
	for _, text := range spellings(target.Style, value) {
		out := slices.Concat(data[:start], []byte(text), data[end:])
		if changedOnly(root, target, out, path, value) {
			return out, target.Value, nil
		}
	}
	return nil, "", problemAt(target, path, "cannot write %q here without changing the rest of the file", value)
}

// problemAt is a Problem at node n, whose path is path.
func problemAt(n *yaml.Node, path Path, format string, args ...any) Problem {
	return Problem{Line: n.Line, Column: n.Column, Path: path.String(), Message: fmt.Sprintf(format, args...)}
}

// lookup finds the string scalar at path under root, and whether it is inside
// a flow collection ({...} or [...]).
func lookup(root *yaml.Node, path Path) (n *yaml.Node, flow bool, err error) {
	n = root
	for i := 0; ; i++ {
		at := path[:i]
		switch {
		case n.Kind == yaml.AliasNode:
			return nil, false, problemAt(n, at, "an alias of &%s; edit the value the anchor marks instead", n.Value)
		case n.Anchor != "":
			return nil, false, problemAt(n, at, "anchored as &%s, which aliases may share; edit it by hand", n.Anchor)
		case i == len(path):
			if n.Kind != yaml.ScalarNode || n.ShortTag() != strTag {
				return nil, false, problemAt(n, at, "expected a string, got %s", describe(n))
			}
			return n, flow, nil
		case path[i].IsIndex():
			if n.Kind != yaml.SequenceNode {
				return nil, false, problemAt(n, at, "expected a list, got %s", describe(n))
			}
			if path[i].Index >= len(n.Content) {
				return nil, false, problemAt(n, at, "no item [%d]: the list has %d", path[i].Index, len(n.Content))
			}
			flow = flow || n.Style&yaml.FlowStyle != 0
			n = n.Content[path[i].Index]
			continue
		case n.Kind != yaml.MappingNode:
			return nil, false, problemAt(n, at, "expected a mapping, got %s", describe(n))
		}
		flow = flow || n.Style&yaml.FlowStyle != 0
		var next, nextKey *yaml.Node
		var keys []string
		for j := 0; j+1 < len(n.Content); j += 2 {
			key := n.Content[j]
			keys = append(keys, key.Value)
			if key.Value != path[i].Key {
				continue
			}
			if next != nil {
				return nil, false, problemAt(key, at, "duplicate key %q (first on line %d)", key.Value, nextKey.Line)
			}
			next, nextKey = n.Content[j+1], key
		}
		if next == nil {
			slices.Sort(keys)
			return nil, false, problemAt(n, at, "unknown key %q (known: %s)", path[i].Key, strings.Join(keys, ", "))
		}
		n = next
	}
}

// offset returns the byte offset in data of a yaml.v3 position: line and
// column from 1, the column counted in characters after any byte order mark.
func offset(data []byte, line, column int) int {
	i := 0
	if line == 1 && bytes.HasPrefix(data, []byte("\ufeff")) {
		i = 3
	}
	for range line - 1 {
		i += bytes.IndexByte(data[i:], '\n') + 1
	}
	for range column - 1 {
		_, size := utf8.DecodeRune(data[i:])
		i += size
	}
	return i
}

// scalarEnd returns the offset just past scalar n, which starts at start.
// yaml.v3 records where nodes start but not where they end.
func scalarEnd(data []byte, start int, n *yaml.Node, flow bool) (int, error) {
	rest := data[start:]
	switch n.Style &^ yaml.FlowStyle {
	case yaml.DoubleQuotedStyle:
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++
			case '"':
				return start + i + 1, nil
			}
		}
	case yaml.SingleQuotedStyle:
		for i := 1; i < len(rest); i++ {
			if rest[i] != '\'' {
				continue
			}
			if i+1 < len(rest) && rest[i+1] == '\'' {
				i++
				continue
			}
			return start + i + 1, nil
		}
	case 0: // plain
		line := rest
		if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
			line = line[:i]
		}
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		if i := bytes.IndexAny(line, ",]}"); flow && i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimRight(line, " \t")
		if string(line) != n.Value {
			return 0, errors.New("cannot edit a plain value that spans lines; put it on one line")
		}
		return start + len(line), nil
	default:
		return 0, errors.New("cannot edit a block scalar (| or >) or a value with an explicit tag")
	}
	return 0, errors.New("unterminated quoted value")
}

// commentStart returns the index of the " #" or "\t#" that starts a comment
// after a plain scalar on line, or -1.
func commentStart(line []byte) int {
	for i := 1; i < len(line); i++ {
		if line[i] == '#' && (line[i-1] == ' ' || line[i-1] == '\t') {
			return i - 1
		}
	}
	return -1
}

// spellings returns the ways to write value in YAML, best first: in the style
// the old value had, then double-quoted, which can spell any string.
func spellings(style yaml.Style, value string) []string {
	// strconv.Quote's escapes (\n, \t, \", \\, \xXX, \uXXXX, \UXXXXXXXX) are
	// all YAML double-quoted escapes too.
	quoted := strconv.Quote(value)
	switch style &^ yaml.FlowStyle {
	case 0:
		return []string{value, quoted}
	case yaml.SingleQuotedStyle:
		return []string{"'" + strings.ReplaceAll(value, "'", "''") + "'", quoted}
	}
	return []string{quoted}
}

// changedOnly reports whether out parses to the same tree as root, comments
// included, except that the value at path, old in root, is now value. Plain
// "true" or "a # b" would read back differently, and so are rejected.
func changedOnly(root, old *yaml.Node, out []byte, path Path, value string) bool {
	newRoot, problem := parse(out)
	if problem != nil {
		return false
	}
	target, _, err := lookup(newRoot, path)
	return err == nil && target.Value == value && sameTree(root, newRoot, old)
}

// sameTree reports whether a and b are the same, ignoring positions and
// the node skip in a.
func sameTree(a, b, skip *yaml.Node) bool {
	if a == skip {
		return true
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.ShortTag() != b.ShortTag() || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.HeadComment != b.HeadComment || a.LineComment != b.LineComment || a.FootComment != b.FootComment ||
		len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameTree(a.Content[i], b.Content[i], skip) {
			return false
		}
	}
	return true
}

// WriteFile replaces the file name with data atomically, keeping its
// permissions: it writes a temporary file next to it and renames that over
// it, so a reader, or a failure halfway, sees the old file or the new one,
// never a mix.
func WriteFile(name string, data []byte) (err error) {
	// Replace the file a symbolic link points to, not the link.
	name, err = filepath.EvalSymlinks(name)
	if err != nil {
		return err
	}
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	// A leading dot keeps the temporary file out of Environments.
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
