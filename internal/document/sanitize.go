package document

import "slices"

// SanitizeOptions controls Sanitize.
type SanitizeOptions struct {
	// FilterEmpty drops empty objects and arrays, as cdk8s does for
	// objects whose API object asks to omit empty values.
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
		if !slices.IsSortedFunc(v.Members, compareKeys) {
			slices.SortFunc(v.Members, compareKeys)
		}
		kept := v.Members[:0]
		for i := range v.Members {
			if sanitize(&v.Members[i].Value, filterEmpty) {
				kept = append(kept, v.Members[i])
			}
		}
		clear(v.Members[len(kept):])
		v.Members = kept
		if filterEmpty && len(kept) == 0 {
			return false
		}
	}
	return true
}

// compareKeys orders keys as JavaScript iterates the properties of an
// object: array indexes first, numerically, then the rest, here sorted.
func compareKeys(a, b Member) int {
	if c := compareIndexFirst(a, b); c != 0 {
		return c
	}
	return compareUTF16(a.Key, b.Key)
}
