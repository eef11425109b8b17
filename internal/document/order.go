package document

// CompareInsertion orders two keys the way a JavaScript object iterates
// keys inserted in the given order: array-index keys first, in numeric
// order, then all others as inserted. It returns 0 for two keys that are
// not array indices, so it belongs with a stable sort.
func CompareInsertion(a, b string) int {
	return compareIndexes(a, b, IsArrayIndex(a), IsArrayIndex(b))
}

// compareIndexes puts array-index keys first, in numeric order, and
// returns 0 when neither key is one; ai and bi say which are.
func compareIndexes(a, b string, ai, bi bool) int {
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
