package manifest

// Secrets in manifests: finding the ones that hold values, and hiding
// those values from every textual diff.
//
// A Secret is a mapping with apiVersion v1 and kind Secret, at the top of
// a document or among the items of a v1 List (which kubectl and Flux
// apply item by item). Its values are under data and stringData; a copy of
// the whole object, values included, can also sit in the
// kubectl.kubernetes.io/last-applied-configuration annotation of objects
// exported from a cluster.

import (
	"bytes"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// secretFields are the fields of a Secret that hold its values.
var secretFields = []string{"data", "stringData"}

// lastApplied is the annotation kubectl writes with the whole object in it.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Redacted stands in for a Secret's value in a diff; RedactedChanged for a
// value that differs from the one it replaces.
const (
	Redacted        = "<redacted>"
	RedactedChanged = "<redacted, changed>"
)

// SecretValues returns, for every Secret in the object's document that
// holds values, where they are: "data" or "stringData", prefixed with
// "items[i]." inside a List. It is empty for anything else, and for a
// Secret whose data and stringData are empty.
func (o Object) SecretValues() []string {
	if !mayHoldSecret(o.YAML) {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(o.YAML, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	var out []string
	for _, s := range secrets(doc.Content[0], "") {
		for _, f := range secretFields {
			if v := resolve(lookup(s.node, f)); v != nil && holdsValue(v) {
				out = append(out, s.path+f)
			}
		}
	}
	return out
}

// holdsValue reports whether a data or stringData node holds anything: a
// mapping with members, or anything but an empty or null scalar.
func holdsValue(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) > 0
	case yaml.ScalarNode:
		return n.Tag != "!!null" && n.Value != ""
	}
	return true
}

// mayHoldSecret is a cheap test that rules out most documents before any
// parsing: a Secret's document names its kind.
func mayHoldSecret(doc []byte) bool { return bytes.Contains(doc, []byte("Secret")) }

type secretNode struct {
	path string // "" or "items[3]." for a List item
	key  string // namespace/name, to pair the old and new versions
	node *yaml.Node
}

// secrets finds the Secret mappings of a document.
func secrets(root *yaml.Node, path string) []secretNode {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	kind, apiVersion := scalar(lookup(root, "kind")), scalar(lookup(root, "apiVersion"))
	switch {
	case apiVersion == "v1" && kind == "Secret":
		md := resolve(lookup(root, "metadata"))
		return []secretNode{{path: path, key: scalar(lookup(md, "namespace")) + "/" + scalar(lookup(md, "name")), node: root}}
	case apiVersion == "v1" && kind == "List":
		var out []secretNode
		if items := resolve(lookup(root, "items")); items != nil && items.Kind == yaml.SequenceNode {
			for i, item := range items.Content {
				out = append(out, secrets(item, path+"items["+strconv.Itoa(i)+"].")...)
			}
		}
		return out
	}
	return nil
}

// redactDocuments returns the texts to diff for two versions of a
// document (nil for a side that does not exist): the documents themselves
// unless they hold Secrets, whose values are then replaced by Redacted, or
// by RedactedChanged on the new side where the value differs from the old
// one. A document that holds a Secret but cannot be read this way is
// replaced as a whole, so that nothing of it shows.
func redactDocuments(old, new []byte) (a, b []byte) {
	if !mayHoldSecret(old) && !mayHoldSecret(new) {
		return old, new
	}
	oldDoc, okOld := parseDocument(old)
	newDoc, okNew := parseDocument(new)
	if !okOld || !okNew {
		return hideDocument(old, nil), hideDocument(new, old)
	}
	oldSecrets, newSecrets := secretsOf(oldDoc), secretsOf(newDoc)
	if len(oldSecrets) == 0 && len(newSecrets) == 0 {
		return old, new
	}
	before := map[string]*yaml.Node{}
	for _, s := range oldSecrets {
		before[s.key] = s.node
	}
	// The new side is compared with the old values before those are
	// replaced.
	for _, s := range newSecrets {
		redactSecret(s.node, before[s.key])
	}
	for _, s := range oldSecrets {
		redactSecret(s.node, nil)
	}
	a, okOld = encodeDocument(oldDoc)
	b, okNew = encodeDocument(newDoc)
	if !okOld || !okNew {
		return hideDocument(old, nil), hideDocument(new, old)
	}
	return a, b
}

func parseDocument(doc []byte) (*yaml.Node, bool) {
	if doc == nil {
		return nil, true
	}
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil || len(n.Content) == 0 {
		return nil, false
	}
	return &n, true
}

func secretsOf(doc *yaml.Node) []secretNode {
	if doc == nil {
		return nil
	}
	return secrets(doc.Content[0], "")
}

// encodeDocument writes a document in block style, whatever style it was
// read in (JSON is flow style), so that a diff shows one field per line.
func encodeDocument(doc *yaml.Node) ([]byte, bool) {
	if doc == nil {
		return nil, true
	}
	blockStyle(doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil || enc.Close() != nil {
		return nil, false
	}
	// Like trimDocument, so that a redacted diff ends where others do.
	return bytes.TrimSpace(buf.Bytes()), true
}

func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style &^= yaml.FlowStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// hideDocument is the fallback for a Secret's document that cannot be
// redacted field by field.
func hideDocument(doc, old []byte) []byte {
	switch {
	case doc == nil:
		return nil
	case old != nil && !bytes.Equal(doc, old):
		return []byte("# a Secret: its content is not shown (changed)\n")
	}
	return []byte("# a Secret: its content is not shown\n")
}

// redactSecret replaces the values of secret in place; old, when not nil,
// is the earlier version of the same Secret, which tells which values
// changed.
func redactSecret(secret, old *yaml.Node) {
	for _, f := range secretFields {
		redactValues(lookup(secret, f), lookup(old, f))
	}
	md := resolve(lookup(secret, "metadata"))
	annotations := resolve(lookup(md, "annotations"))
	var oldAnnotations *yaml.Node
	if old != nil {
		oldAnnotations = resolve(lookup(resolve(lookup(old, "metadata")), "annotations"))
	}
	if v := lookup(annotations, lastApplied); v != nil {
		before := lookup(oldAnnotations, lastApplied)
		redactScalar(v, before, before != nil)
	}
}

// redactValues replaces every value of a data or stringData mapping; a
// field that is not a mapping is replaced as a whole.
func redactValues(field, old *yaml.Node) {
	field, old = resolve(field), resolve(old)
	if field == nil {
		return
	}
	if field.Kind != yaml.MappingNode {
		redactScalar(field, old, old != nil)
		return
	}
	for i := 0; i+1 < len(field.Content); i += 2 {
		key := field.Content[i].Value
		var before *yaml.Node
		if old != nil && old.Kind == yaml.MappingNode {
			before = lookup(old, key)
		}
		// A key that is new shows as added; only a value replacing another
		// is marked as changed.
		redactScalar(field.Content[i+1], before, before != nil)
	}
}

// redactScalar turns n into the placeholder. compare says whether old is
// the value n replaces, in which case a different value is marked. An
// alias and the anchored node it names are both replaced, so the value
// does not show where it was first written either.
func redactScalar(n, old *yaml.Node, compare bool) {
	text := Redacted
	if compare && !sameNode(n, old) {
		text = RedactedChanged
	}
	if target := resolve(n); target != n && target != nil {
		*target = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text, Anchor: target.Anchor}
	}
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text, Anchor: n.Anchor}
}

// sameNode compares two value nodes by content.
func sameNode(a, b *yaml.Node) bool {
	a, b = resolve(a), resolve(b)
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode {
		return a.Value == b.Value && a.ShortTag() == b.ShortTag()
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return resolve(n.Content[0])
	}
	return n
}

func scalar(n *yaml.Node) string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return strings.TrimSpace(n.Value)
}
