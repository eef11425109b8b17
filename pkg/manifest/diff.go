package manifest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"
)

// Action says what a change does to an object.
type Action string

// The actions of a change, as a reviewer reads them.
const (
	Added   Action = "added"
	Changed Action = "changed"
	Removed Action = "removed"
)

// Change is one object that differs between two sets.
type Change struct {
	Action Action
	ID     ID
	// Folder is the folder of the object's file (see Object.Folder).
	Folder string
	// Old is the object before (nil when added); New after (nil when removed).
	Old, New *Object
}

// String names the object, and its folder unless that is the root:
// "ConfigMap shop/settings in production/".
func (c Change) String() string {
	if c.Folder == "." || c.Folder == "" {
		return c.ID.String()
	}
	return c.ID.String() + " in " + c.Folder + "/"
}

// key tells objects apart in a set of manifests that may hold several
// clusters' trees: by folder, then as the API server does.
type key struct {
	folder string
	id     ID
}

func keyOf(o *Object) key { return key{o.Folder(), o.ID} }

// Diff compares two sets of objects by folder and ID: the same object in
// two folders (one environment's and another's) is two objects. An object
// counts as changed when its text differs; a move to another file of its
// folder alone is not a change. Changes are ordered by folder, then ID.
func Diff(old, new []Object) []Change {
	before := make(map[key]*Object, len(old))
	for i := range old {
		before[keyOf(&old[i])] = &old[i]
	}
	var out []Change
	for i := range new {
		n := &new[i]
		k := keyOf(n)
		o, ok := before[k]
		delete(before, k)
		switch {
		case !ok:
			out = append(out, Change{Action: Added, ID: n.ID, Folder: k.folder, New: n})
		case !sameObject(o.YAML, n.YAML):
			out = append(out, Change{Action: Changed, ID: n.ID, Folder: k.folder, Old: o, New: n})
		}
	}
	for k, o := range before {
		out = append(out, Change{Action: Removed, ID: k.id, Folder: k.folder, Old: o})
	}
	slices.SortFunc(out, func(a, b Change) int {
		if c := strings.Compare(a.Folder, b.Folder); c != 0 {
			return c
		}
		return a.ID.Compare(b.ID)
	})
	return out
}

// sameObject reports whether two documents hold the same object. Equal
// text decides most pairs quickly; otherwise both are compared as JSON,
// which formatting and comments do not change (a "#" line inside a block
// scalar is content, so text cannot be stripped of comments line by line).
func sameObject(a, b []byte) bool {
	if bytes.Equal(trimDocument(a), trimDocument(b)) {
		return true
	}
	ja, errA := yaml.YAMLToJSON(a)
	jb, errB := yaml.YAMLToJSON(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// trimDocument drops a leading "---" line and surrounding blanks, which
// separate documents rather than belong to one.
func trimDocument(doc []byte) []byte {
	doc = bytes.TrimSpace(doc)
	if rest, ok := bytes.CutPrefix(doc, []byte("---")); ok && (len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r') {
		doc = bytes.TrimSpace(rest)
	}
	return doc
}

// Count tallies changes by action.
func Count(changes []Change) map[Action]int {
	n := map[Action]int{}
	for _, c := range changes {
		n[c.Action]++
	}
	return n
}

// UnifiedDiff returns the change as a unified diff of the object's YAML,
// labelled with the files it came from and goes to. The values of Secrets
// never show: each is replaced by Redacted, or by RedactedChanged where it
// differs from the value it replaces, so a reviewer sees which keys were
// added, removed or changed, and nothing else.
func (c Change) UnifiedDiff() string {
	var oldDoc, newDoc []byte
	fromFile, toFile := "/dev/null", "/dev/null"
	if c.Old != nil {
		oldDoc = trimDocument(c.Old.YAML)
		fromFile = "a/" + c.Old.File
	}
	if c.New != nil {
		newDoc = trimDocument(c.New.YAML)
		toFile = "b/" + c.New.File
	}
	oldDoc, newDoc = redactDocuments(oldDoc, newDoc)
	var a, b []string
	if oldDoc != nil {
		a = difflib.SplitLines(string(oldDoc))
	}
	if newDoc != nil {
		b = difflib.SplitLines(string(newDoc))
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: a, B: b, FromFile: fromFile, ToFile: toFile, Context: 3})
	if err != nil { // only returned by a failing writer; ours is a buffer
		return fmt.Sprintf("(no diff: %v)", err)
	}
	return strings.TrimRight(text, "\n") + "\n"
}
