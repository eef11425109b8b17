package document

import "slices"

// SanitizeOptions controls Sanitize.
type SanitizeOptions struct {
	// FilterEmpty drops empty objects and arrays, as cdk8s does when it
	// renders an object's metadata.
	FilterEmpty bool
}

// Sanitize mirrors cdk8s's sanitizeValue(obj, {sortKeys: true, filterEmptyObjects: opts.FilterEmpty, filterEmptyArrays: opts.FilterEmpty}):
// recursively drops null members of objects, orders keys as a JavaScript object built by inserting Object.keys(obj).sort() would iterate
// (array-index keys such as "0", "7", "42" first in numeric order, then the other keys sorted by UTF-16 code units), and with FilterEmpty
// drops empty objects and empty arrays (after sanitizing their content). Null items inside arrays stay (as Null).
//
// Where sanitizeValue would return undefined for v itself (v is null, or
// an empty object or array that FilterEmpty removes), v becomes Null. Items
// of an array that sanitizeValue turns into undefined become Null too, as
// the YAML writer prints undefined array items as null.
func (v *Value) Sanitize(opts SanitizeOptions) {
	if !sanitize(v, opts.FilterEmpty) {
		*v = Value{}
	}
}

// sanitize reports whether sanitizeValue would keep v.
func sanitize(v *Value, filterEmpty bool) bool {
	switch v.Kind {
	case Null:
		return false
	case Array:
		if filterEmpty && len(v.Items) == 0 {
			return false
		}
		for i := range v.Items {
			if !sanitize(&v.Items[i], filterEmpty) {
				v.Items[i] = Value{}
			}
		}
	case Object:
		sortMembers(v.Members)
		n := 0
		for i := range v.Members {
			if sanitize(&v.Members[i].Value, filterEmpty) {
				if n != i {
					v.Members[n] = v.Members[i]
				}
				n++
			}
		}
		clear(v.Members[n:])
		v.Members = v.Members[:n]
		if filterEmpty && n == 0 {
			return false
		}
	}
	return true
}

// maxSmallSort is the most members sortMembers sorts through an index on
// the stack.
const maxSmallSort = 16

// sortMembers orders members as JavaScript iterates the properties of an
// object: array indexes first, numerically, then the rest, here sorted.
func sortMembers(members []Member) {
	n := len(members)
	if n < 2 {
		return
	}
	if n > maxSmallSort {
		slices.SortFunc(members, func(a, b Member) int { return compareKeys(a.Key, b.Key) })
		return
	}
	// Sort an index on the stack by insertion, and then move each member
	// at most once: moving members around the heap costs write barriers.
	type sortKey struct {
		key   string
		index bool // whether key is an array index
		pos   int  // where the member is
	}
	var keysArray [maxSmallSort]sortKey
	keys := keysArray[:n]
	sorted := true
	for i := range members {
		k := sortKey{members[i].Key, IsArrayIndex(members[i].Key), i}
		j := i
		for j > 0 && compareSortKeys(keys[j-1].key, k.key, keys[j-1].index, k.index) > 0 {
			keys[j] = keys[j-1]
			j--
		}
		keys[j] = k
		sorted = sorted && j == i
	}
	if sorted {
		return
	}
	// Apply the permutation cycle by cycle.
	for i := range keys {
		if keys[i].pos == i {
			continue
		}
		tmp := members[i]
		j := i
		for keys[j].pos != i {
			src := keys[j].pos
			members[j] = members[src]
			keys[j].pos = j
			j = src
		}
		members[j] = tmp
		keys[j].pos = j
	}
}

func compareKeys(a, b string) int {
	return compareSortKeys(a, b, IsArrayIndex(a), IsArrayIndex(b))
}

// compareSortKeys compares keys a and b, which are array indexes or not as
// ai and bi say.
func compareSortKeys(a, b string, ai, bi bool) int {
	if ai || bi {
		return compareIndexes(a, b, ai, bi)
	}
	return compareUTF16(a, b)
}
