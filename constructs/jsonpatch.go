package constructs

import (
	"fmt"
	"strconv"
	"strings"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// JSONPatch is one RFC 6902 operation, applied to an object's rendered JSON
// at synthesis. Build them with PatchAdd, PatchRemove, PatchReplace,
// PatchMove, PatchCopy and PatchTest.
type JSONPatch struct {
	Op    string // add, remove, replace, move, copy or test
	Path  string // RFC 6901 JSON pointer
	From  string // source pointer of move and copy
	Value any    // value of add, replace and test; marshalled with encoding/json
}

// PatchAdd adds value at path (appending to a list with "/-").
func PatchAdd(path string, value any) JSONPatch {
	return JSONPatch{Op: "add", Path: path, Value: value}
}

// PatchRemove removes the value at path.
func PatchRemove(path string) JSONPatch { return JSONPatch{Op: "remove", Path: path} }

// PatchReplace replaces the value at path.
func PatchReplace(path string, value any) JSONPatch {
	return JSONPatch{Op: "replace", Path: path, Value: value}
}

// PatchMove moves the value at from to path.
func PatchMove(from, path string) JSONPatch { return JSONPatch{Op: "move", From: from, Path: path} }

// PatchCopy copies the value at from to path.
func PatchCopy(from, path string) JSONPatch { return JSONPatch{Op: "copy", From: from, Path: path} }

// PatchTest fails synthesis unless the value at path equals value.
func PatchTest(path string, value any) JSONPatch {
	return JSONPatch{Op: "test", Path: path, Value: value}
}

func (p JSONPatch) String() string {
	if p.From != "" {
		return fmt.Sprintf("%s %s to %s", p.Op, p.From, p.Path)
	}
	return fmt.Sprintf("%s %s", p.Op, p.Path)
}

// apply applies p to doc in place. New object members are placed as
// cdk8s's fast-json-patch places them: at the end, unless the key is an
// array index.
func (p JSONPatch) apply(doc *document.Value) error {
	switch p.Op {
	case "add", "replace", "test":
		// Parse orders keys as JavaScript's JSON.parse does, which is how
		// cdk8s receives the value.
		val, err := document.FromAny(p.Value)
		if err != nil {
			return fmt.Errorf("value: %w", err)
		}
		switch p.Op {
		case "add":
			return add(doc, p.Path, val)
		case "replace":
			cur, err := get(doc, p.Path)
			if err != nil {
				return err
			}
			*cur = val // in place: a replaced member keeps its position
			return nil
		default:
			cur, err := get(doc, p.Path)
			if err != nil {
				return err
			}
			if !equal(*cur, val) {
				return fmt.Errorf("test failed: value differs")
			}
			return nil
		}
	case "remove":
		_, err := remove(doc, p.Path)
		return err
	case "move":
		// A move onto itself is not skipped: like fast-json-patch, which
		// cdk8s uses, it removes and adds, so an object member moves to
		// the end of its object.
		if strings.HasPrefix(p.Path, p.From+"/") {
			return fmt.Errorf("cannot move %s into itself", p.From)
		}
		val, err := remove(doc, p.From)
		if err != nil {
			return err
		}
		return add(doc, p.Path, val)
	case "copy":
		cur, err := get(doc, p.From)
		if err != nil {
			return err
		}
		return add(doc, p.Path, clone(*cur))
	default:
		return fmt.Errorf("unknown op %q", p.Op)
	}
}

// pointer splits an RFC 6901 pointer into its unescaped tokens.
func pointer(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	if path[0] != '/' {
		return nil, fmt.Errorf("path %q does not start with /", path)
	}
	toks := strings.Split(path[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// parent resolves every token of path but the last.
func parent(doc *document.Value, path string) (*document.Value, string, error) {
	toks, err := pointer(path)
	if err != nil {
		return nil, "", err
	}
	if len(toks) == 0 {
		return nil, "", nil
	}
	cur := doc
	for i, t := range toks[:len(toks)-1] {
		next, err := child(cur, t)
		if err != nil {
			return nil, "", fmt.Errorf("path %s: %w", "/"+strings.Join(toks[:i+1], "/"), err)
		}
		cur = next
	}
	return cur, toks[len(toks)-1], nil
}

func child(v *document.Value, tok string) (*document.Value, error) {
	switch v.Kind {
	case document.Object:
		if c := v.Lookup(tok); c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("no member %q", tok)
	case document.Array:
		i, err := index(tok, len(v.Items), false)
		if err != nil {
			return nil, err
		}
		return &v.Items[i], nil
	default:
		return nil, fmt.Errorf("cannot descend into a scalar")
	}
}

// index parses an array index token; end allows len (and "-") for add.
func index(tok string, n int, end bool) (int, error) {
	if tok == "-" && end {
		return n, nil
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || (len(tok) > 1 && tok[0] == '0') {
		return 0, fmt.Errorf("%q is not an array index", tok)
	}
	if i > n || (i == n && !end) {
		return 0, fmt.Errorf("index %d out of range (length %d)", i, n)
	}
	return i, nil
}

func get(doc *document.Value, path string) (*document.Value, error) {
	par, tok, err := parent(doc, path)
	if err != nil {
		return nil, err
	}
	if par == nil {
		return doc, nil
	}
	c, err := child(par, tok)
	if err != nil {
		return nil, fmt.Errorf("path %s: %w", path, err)
	}
	return c, nil
}

func add(doc *document.Value, path string, val document.Value) error {
	par, tok, err := parent(doc, path)
	if err != nil {
		return err
	}
	if par == nil {
		*doc = val
		return nil
	}
	switch par.Kind {
	case document.Object:
		par.Set(tok, val)
	case document.Array:
		i, err := index(tok, len(par.Items), true)
		if err != nil {
			return fmt.Errorf("path %s: %w", path, err)
		}
		par.Items = append(par.Items, document.Value{})
		copy(par.Items[i+1:], par.Items[i:])
		par.Items[i] = val
	default:
		return fmt.Errorf("path %s: parent is a scalar", path)
	}
	return nil
}

func remove(doc *document.Value, path string) (document.Value, error) {
	par, tok, err := parent(doc, path)
	if err != nil {
		return document.Value{}, err
	}
	if par == nil {
		return document.Value{}, fmt.Errorf("cannot remove the whole document")
	}
	switch par.Kind {
	case document.Object:
		c := par.Lookup(tok)
		if c == nil {
			return document.Value{}, fmt.Errorf("path %s: no member %q", path, tok)
		}
		val := *c
		par.Delete(tok)
		return val, nil
	case document.Array:
		i, err := index(tok, len(par.Items), false)
		if err != nil {
			return document.Value{}, fmt.Errorf("path %s: %w", path, err)
		}
		val := par.Items[i]
		par.Items = append(par.Items[:i], par.Items[i+1:]...)
		return val, nil
	default:
		return document.Value{}, fmt.Errorf("path %s: parent is a scalar", path)
	}
}

func clone(v document.Value) document.Value {
	out := v
	if v.Members != nil {
		out.Members = make([]document.Member, len(v.Members))
		for i, m := range v.Members {
			out.Members[i] = document.Member{Key: m.Key, Value: clone(m.Value)}
		}
	}
	if v.Items != nil {
		out.Items = make([]document.Value, len(v.Items))
		for i, it := range v.Items {
			out.Items[i] = clone(it)
		}
	}
	return out
}

// equal compares JSON values; member order does not matter, as in RFC 6902.
func equal(a, b document.Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case document.Number:
		x, err1 := strconv.ParseFloat(a.Scalar, 64)
		y, err2 := strconv.ParseFloat(b.Scalar, 64)
		return err1 == nil && err2 == nil && x == y
	case document.Object:
		if len(a.Members) != len(b.Members) {
			return false
		}
		for _, m := range a.Members {
			o := b.Lookup(m.Key)
			if o == nil || !equal(m.Value, *o) {
				return false
			}
		}
		return true
	case document.Array:
		if len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if !equal(a.Items[i], b.Items[i]) {
				return false
			}
		}
		return true
	default:
		return a.Scalar == b.Scalar
	}
}
