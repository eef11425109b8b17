package document

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name               string
		in                 string
		want, wantFiltered string
	}{
		{
			name:         "key order",
			in:           "{\"b\":1,\"a\":2,\"10\":3,\"9\":4,\"01\":5,\"A\":6,\"_\":7,\"\u00e9\":8,\"\U0001F600\":9,\"\uffff\":10,\"\ue000\":11,\"4294967295\":12,\"0\":13}",
			want:         "{\"0\":13,\"9\":4,\"10\":3,\"01\":5,\"4294967295\":12,\"A\":6,\"_\":7,\"a\":2,\"b\":1,\"\u00e9\":8,\"\U0001F600\":9,\"\ue000\":11,\"\uffff\":10}",
			wantFiltered: "{\"0\":13,\"9\":4,\"10\":3,\"01\":5,\"4294967295\":12,\"A\":6,\"_\":7,\"a\":2,\"b\":1,\"\u00e9\":8,\"\U0001F600\":9,\"\ue000\":11,\"\uffff\":10}",
		},
		{
			name:         "nested order",
			in:           `[{"b":{"d":1,"c":2},"a":[{"f":1,"e":2}]}]`,
			want:         `[{"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}}]`,
			wantFiltered: `[{"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}}]`,
		},
		{
			name:         "nulls",
			in:           `{"a":null,"b":{"c":null},"d":[null,1,{"e":null}]}`,
			want:         `{"b":{},"d":[null,1,{}]}`,
			wantFiltered: `{"d":[null,1,null]}`,
		},
		{
			name:         "empties",
			in:           `{"a":{},"b":[],"c":[[],{}],"d":{"e":{"f":null}},"g":[[[]]],"h":""}`,
			want:         `{"a":{},"b":[],"c":[[],{}],"d":{"e":{}},"g":[[[]]],"h":""}`,
			wantFiltered: `{"c":[null,null],"g":[[null]],"h":""}`,
		},
		{name: "null", in: `null`, want: `null`, wantFiltered: `null`},
		{name: "empty object", in: `{}`, want: `{}`, wantFiltered: `null`},
		{name: "empty array", in: `[]`, want: `[]`, wantFiltered: `null`},
		{name: "emptied object", in: `{"a":null}`, want: `{}`, wantFiltered: `null`},
		{name: "scalars", in: `[0,"",false,1.50]`, want: `[0,"",false,1.50]`, wantFiltered: `[0,"",false,1.50]`},
	}
	for _, tt := range tests {
		for _, filter := range []bool{false, true} {
			v, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			v.Sanitize(SanitizeOptions{FilterEmpty: filter})
			want := tt.want
			if filter {
				want = tt.wantFiltered
			}
			if got := string(AppendJSON(nil, v)); got != want {
				t.Errorf("%s, FilterEmpty %v:\n got %s\nwant %s", tt.name, filter, got, want)
			}
		}
	}
}

// sanitizeScript applies cdk8s's sanitizeValue to each JSON document, and
// writes the result as JSON, or "undefined".
const sanitizeScript = `
const { sanitizeValue } = require(pkg + '/lib/_util.js');
run(({ docs, filterEmpty }) => docs.map(d => {
	const v = sanitizeValue(JSON.parse(d), { sortKeys: true, filterEmptyObjects: filterEmpty, filterEmptyArrays: filterEmpty });
	return v === undefined ? 'undefined' : JSON.stringify(v);
}));
`

// sanitizeDocs are documents for TestSanitizeReference, beyond the corpus.
var sanitizeDocs = []string{
	`{"b":{"d":null,"c":[{},[],[null],{"x":{}}]},"a":[[{}]],"":{"":[]},"10":[],"2":{},"1":null}`,
	`[{"z":1,"y":{"x":null}},[],{},null,[[],[[]]],{"a":[{"b":{}}]}]`,
	`{"😀":1,"\ue000":2,"\uffff":3,"\ud7ff":4,"\u00e9":5,"e\u0301":6,"E":7,"_":8,"~":9}`,
	`{"0":1,"00":2,"1e3":3,"4294967294":4,"4294967295":5,"-0":6," 1":7,"1 ":8,"+1":9}`,
}

// TestSanitizeReference runs cdk8s's own sanitizeValue on the corpus and
// checks that Sanitize gives the same values, in the same order.
func TestSanitizeReference(t *testing.T) {
	var docs []string
	for _, c := range corpus() {
		var v any
		if json.Unmarshal([]byte(c.json), &v) == nil { // JSON.stringify writes infinities as null
			docs = append(docs, c.json)
		}
	}
	docs = append(docs, sanitizeDocs...)
	for _, filter := range []bool{false, true} {
		var ref []string
		runNode(t, sanitizeScript, map[string]any{"docs": docs, "filterEmpty": filter}, &ref)
		for i, doc := range docs {
			v, err := Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			v.Sanitize(SanitizeOptions{FilterEmpty: filter})
			got := "undefined"
			if v.Kind != Null {
				got = string(appendJSJSON(nil, v))
			}
			if got != ref[i] {
				t.Errorf("FilterEmpty %v: %s\n got %s\nwant %s", filter, doc, got, ref[i])
			}
		}
	}
}

// appendJSJSON is AppendJSON with numbers written as JSON.stringify writes
// them. It renders the children of a container first, and hands them to
// AppendJSON as number texts, which it writes verbatim.
func appendJSJSON(dst []byte, v Value) []byte {
	switch v.Kind {
	case Number:
		return appendNumber(dst, v.Scalar)
	case Object:
		v.Members = slices.Clone(v.Members)
		for i := range v.Members {
			v.Members[i].Value = Value{Kind: Number, Scalar: string(appendJSJSON(nil, v.Members[i].Value))}
		}
	case Array:
		v.Items = slices.Clone(v.Items)
		for i := range v.Items {
			v.Items[i] = Value{Kind: Number, Scalar: string(appendJSJSON(nil, v.Items[i]))}
		}
	}
	return AppendJSON(dst, v)
}

func TestSortMembers(t *testing.T) {
	pool := []string{"a", "b", "B", "_", "0", "1", "2", "10", "01", "é", "😀", "\ue000", "aa", "", "4294967295"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		n := r.IntN(maxSmallSort + 8)
		var ms []Member
		seen := map[string]bool{}
		for len(ms) < n {
			k := pool[r.IntN(len(pool))] + strconv.Itoa(r.IntN(40))
			if r.IntN(3) == 0 {
				k = strconv.Itoa(r.IntN(1000))
			}
			if !seen[k] {
				seen[k] = true
				ms = append(ms, Member{Key: k, Value: str(k)})
			}
		}
		want := slices.Clone(ms)
		slices.SortFunc(want, func(a, b Member) int { return compareKeys(a.Key, b.Key) })
		sortMembers(ms)
		if !reflect.DeepEqual(ms, want) {
			t.Fatalf("sortMembers gave %v, want %v", ms, want)
		}
	}
}
