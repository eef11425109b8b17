// Package document holds one Kubernetes object as an ordered JSON tree and
// writes it as YAML byte for byte the way cdk8s does.
//
// cdk8s builds manifests in JavaScript: objects are plain JavaScript objects,
// so their keys iterate in JavaScript property order, and they are written by
// the npm package yaml (version 2.5.0) in YAML 1.1 mode. The types here keep
// members in that order, and AppendYAML reproduces that package's output, so
// that manifests synthesized in Go are identical to the ones cdk8s writes.
package document

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types. Null is the zero Kind, so the zero Value is a JSON null.
const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
)

// Value is one JSON value. Objects keep their members in order.
type Value struct {
	Kind    Kind
	Scalar  string   // Bool: "true"/"false"; Number: the JSON number text; String: the decoded string
	Members []Member // Object
	Items   []Value  // Array
}

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value Value
}

// Lookup returns a pointer to the value of member key of an Object, or nil.
// The pointer is valid until the object's members are next changed.
func (v *Value) Lookup(key string) *Value {
	if i := v.index(key); i >= 0 {
		return &v.Members[i].Value
	}
	return nil
}

// Set assigns member key with JavaScript property-assignment order semantics: an existing key keeps its position;
// a new array-index key goes among the array-index keys in numeric order; any other new key is appended.
//
// A JavaScript object iterates its array-index keys first, so this keeps the
// members of an object built from JavaScript-ordered input in the order cdk8s
// would see them. If v is not an Object, Set first makes it an empty one.
func (v *Value) Set(key string, val Value) {
	if v.Kind != Object {
		*v = Value{Kind: Object}
	}
	if i := v.index(key); i >= 0 {
		v.Members[i].Value = val
		return
	}
	i := len(v.Members)
	if IsArrayIndex(key) {
		i = 0
		for i < len(v.Members) && IsArrayIndex(v.Members[i].Key) && compareIndex(v.Members[i].Key, key) < 0 {
			i++
		}
	}
	v.Members = slices.Insert(v.Members, i, Member{Key: key, Value: val})
}

// Delete removes member key; reports whether it was there.
func (v *Value) Delete(key string) bool {
	i := v.index(key)
	if i < 0 {
		return false
	}
	v.Members = slices.Delete(v.Members, i, i+1)
	return true
}

func (v *Value) index(key string) int {
	if v.Kind != Object {
		return -1
	}
	for i := range v.Members {
		if v.Members[i].Key == key {
			return i
		}
	}
	return -1
}

// maxArrayIndex is 2³²−2, the largest array index in JavaScript.
const maxArrayIndex = "4294967294"

// IsArrayIndex reports whether key is a canonical JavaScript array index ("0", or no leading zero, value < 2^32-1).
// JavaScript objects iterate such keys before all others, in numeric order.
func IsArrayIndex(key string) bool {
	n := len(key)
	if n == 0 || n > len(maxArrayIndex) || (key[0] == '0' && n > 1) {
		return false
	}
	for i := 0; i < n; i++ {
		if key[i] < '0' || key[i] > '9' {
			return false
		}
	}
	return n < len(maxArrayIndex) || key <= maxArrayIndex
}

// compareIndex compares two array-index keys numerically. Canonical
// decimals have no leading zeros, so the shorter one is smaller.
func compareIndex(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// LessKey is JavaScript's default Array.prototype.sort comparison of two strings (UTF-16 code units).
//
// It differs from Go's byte order only where a character outside the Basic
// Multilingual Plane meets one in U+E000–U+FFFF: UTF-16 encodes the former
// with surrogates (U+D800–U+DFFF), which sort first.
func LessKey(a, b string) bool {
	return compareUTF16(a, b) < 0
}

func compareUTF16(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && a[i:i+8] == b[i:i+8] {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	if a[i] >= 0xEE && b[i] >= 0xEE {
		// Both differing bytes start characters at or above U+E000 (a
		// continuation byte is below 0xC0). Elsewhere byte order is
		// UTF-16 order.
		ra, _ := utf8.DecodeRuneInString(a[i:])
		rb, _ := utf8.DecodeRuneInString(b[i:])
		if (ra > 0xFFFF) != (rb > 0xFFFF) {
			if ra > 0xFFFF {
				return -1
			}
			return 1
		}
	}
	return int(a[i]) - int(b[i])
}
