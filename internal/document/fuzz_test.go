package document

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzRoundTrip checks that sigs.k8s.io/yaml reads back what AppendYAML
// writes, for data taken as a JSON document and as a string in every
// position. Where data is JSON, it also checks Parse against
// encoding/json.
func FuzzRoundTrip(f *testing.F) {
	for _, c := range corpus() {
		f.Add([]byte(c.json))
	}
	for _, s := range trickyStrings {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := Parse(data); err == nil {
			var want, got any
			if json.Unmarshal(data, &want) == nil {
				if err := json.Unmarshal(AppendJSON(nil, v), &got); err != nil {
					t.Fatalf("AppendJSON: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Parse(%q) = %s, want %v", data, AppendJSON(nil, v), want)
				}
				checkRoundTrip(t, "document", v)
			}
		} else if utf8.Valid(data) && json.Valid(data) {
			t.Fatalf("Parse(%q): %v, but encoding/json accepts it", data, err)
		}

		s := string(data)
		str := Value{Kind: String, Scalar: s}
		checkRoundTrip(t, "string", str)
		var doc Value
		doc.Set(s, str)
		doc.Set("list", Value{Kind: Array, Items: []Value{str, {Kind: Array, Items: []Value{str}}, doc}})
		doc.Set("map", Value{Kind: Object, Members: []Member{{s, doc}}})
		checkRoundTrip(t, "object", doc)
	})
}
