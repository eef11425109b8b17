package document

// CompareInsertion orders two keys the way a JavaScript object iterates
// keys inserted in the given order: array-index keys first, in numeric
// order, then all others as inserted. It returns 0 for two keys that are
// not array indices, so it belongs with a stable sort.
func CompareInsertion(a, b string) int {
	ai, bi := IsArrayIndex(a), IsArrayIndex(b)
	switch {
	case ai && bi:
		return compareIndex(a, b)
	case ai:
		return -1
	case bi:
		return 1
	}
	return 0
}
