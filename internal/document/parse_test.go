package document

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string // want is AppendJSON of the result
	}{
		{`null`, `null`},
		{` true `, `true`},
		{"\t\r\nfalse\n", `false`},
		{`0`, `0`},
		{`-0`, `-0`},
		{`1.50`, `1.50`},
		{`-1.5E+10`, `-1.5E+10`},
		{`1e400`, `1e400`},
		{`""`, `""`},
		{`"plain"`, `"plain"`},
		{`"\"\\\/\b\f\n\r\t"`, `"\"\\/\b\f\n\r\t"`},
		{`"\u0041\u00e9\u4e2D\u0000\u001f"`, `"Aé中\u0000\u001f"`},
		{`"\ud83d\ude00"`, `"😀"`},
		{`"\uD83D\uDE00x"`, `"😀x"`},
		{`"\ud800"`, `"` + "\uFFFD" + `"`},
		{`"\udc00a"`, `"` + "\uFFFDa" + `"`},
		{`"\ud800\u0041"`, `"` + "\uFFFDA" + `"`},
		{`"\ud800\ud800\udc00"`, `"` + "\uFFFD\U00010000" + `"`},
		{`"\ud800\n"`, `"` + "\uFFFD" + `\n"`},
		{`"a\u2028b"`, "\"a\u2028b\""},
		{`"日本語 😀"`, `"日本語 😀"`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{` [ 1 , [ ] , { } , "a" ] `, `[1,[],{},"a"]`},
		{`{"b":1,"a":{"c":[null]}}`, `{"b":1,"a":{"c":[null]}}`},
		{`{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{`{"a":1,"a":null}`, `{"a":null}`},
		{`{"b":1,"10":2,"9":3,"a":4,"01":5,"0":6}`, `{"0":6,"9":3,"10":2,"b":1,"a":4,"01":5}`},
		{`{"1":1,"b":2,"0":3,"1":4}`, `{"0":3,"1":4,"b":2}`},
		{`{"a":{"x":1},"a":{"y":2}}`, `{"a":{"y":2}}`},
		{`{"a\u0000":1,"a":2}`, `{"a\u0000":1,"a":2}`},
	}
	for _, tt := range tests {
		v, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.in, err)
			continue
		}
		if got := string(AppendJSON(nil, v)); got != tt.want {
			t.Errorf("Parse(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseManyDuplicates(t *testing.T) {
	// Enough members for Parse to index them, with repeats before and after.
	var in, want []string
	for i := range 100 {
		k := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		in = append(in, `"`+k+`":0`)
		want = append(want, `"`+k+`":`+string(rune('0'+i%10)))
	}
	for i := range 100 {
		k := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		in = append(in, `"`+k+`":`+string(rune('0'+i%10)))
	}
	v, err := Parse([]byte("{" + strings.Join(in, ",") + "}"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(AppendJSON(nil, v)), "{"+strings.Join(want, ",")+"}"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{``, 0},
		{` `, 1},
		{`{`, 1},
		{`}`, 0},
		{`[`, 1},
		{`]`, 0},
		{`[1,]`, 3},
		{`[1 2]`, 3},
		{`[1,,2]`, 3},
		{`{"a"}`, 4},
		{`{"a":}`, 5},
		{`{"a" 1}`, 5},
		{`{a:1}`, 1},
		{`{"a":1,}`, 7},
		{`{"a":1 "b":2}`, 7},
		{`{,}`, 1},
		{`01`, 1},
		{`-`, 1},
		{`-a`, 1},
		{`1.`, 2},
		{`.5`, 0},
		{`1.e3`, 2},
		{`1e`, 2},
		{`1e+`, 3},
		{`+1`, 0},
		{`NaN`, 0},
		{`Infinity`, 0},
		{`tru`, 0},
		{`nul`, 0},
		{`True`, 0},
		{`'a'`, 0},
		{`"abc`, 4},
		{`"\x"`, 1},
		{`"\u12"`, 1},
		{`"\u12g4"`, 1},
		{`"\`, 1},
		{"\"a\tb\"", 2},
		{"\"\x01\"", 1},
		{"\"\x7f\xff\"", 2},
		{"\xef\xbb\xbf{}", 0},
		{`1 2`, 2},
		{`[] x`, 3},
		{`{}}`, 2},
		{`nullx`, 4},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), maxDepth},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var serr *SyntaxError
		if !errors.As(err, &serr) {
			t.Errorf("Parse(%q): error %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if serr.Offset != tt.offset {
			t.Errorf("Parse(%q): error %q at offset %d, want offset %d", tt.in, serr, serr.Offset, tt.offset)
		}
		if json.Valid([]byte(tt.in)) && utf8.ValidString(tt.in) {
			t.Errorf("Parse(%q) fails, but encoding/json accepts it", tt.in)
		}
	}
	if _, err := Parse([]byte(strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth))); err != nil {
		t.Errorf("Parse at the maximum depth: %v", err)
	}
}

func TestFromAny(t *testing.T) {
	type container struct {
		Name  string            `json:"name"`
		Image string            `json:"image,omitempty"`
		Env   map[string]string `json:"env"`
		Ports []int             `json:"ports"`
	}
	v, err := FromAny(container{Name: "web", Env: map[string]string{"b": "1", "10": "2", "a": "3", "9": "4"}})
	if err != nil {
		t.Fatal(err)
	}
	// Struct fields keep their order; the map's keys come sorted from
	// encoding/json and index keys then move first, as in JavaScript.
	want := `{"name":"web","env":{"9":"4","10":"2","a":"3","b":"1"},"ports":null}`
	if got := string(AppendJSON(nil, v)); got != want {
		t.Errorf("FromAny = %s, want %s", got, want)
	}
	if _, err := FromAny(make(chan int)); err == nil {
		t.Error("FromAny(chan) succeeded")
	}
}

// TestParseMatchesEncodingJSON checks Parse against encoding/json on the
// corpus: the same values, with the last of repeated keys winning.
func TestParseMatchesEncodingJSON(t *testing.T) {
	for _, c := range corpus() {
		var want, got any
		if json.Unmarshal([]byte(c.json), &want) != nil {
			continue
		}
		v, err := Parse([]byte(c.json))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := json.Unmarshal(AppendJSON(nil, v), &got); err != nil {
			t.Fatalf("%s: AppendJSON: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Parse gives %s", c.name, AppendJSON(nil, v))
		}
	}
}

// TestSpans checks the word-at-a-time scans against byte-at-a-time ones.
func TestSpans(t *testing.T) {
	alphabet := []byte("ab:\"'\\ \t\n\x00\x1f\x20\x21\x7e\x7f\x80\xc3\xa9\xff#")
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = byte('a' + r.IntN(26))
			}
		}
		s := string(b)
		for i := 0; i <= len(s); i++ {
			want := i
			for want < len(s) && strSafe[s[want]] {
				want++
			}
			if got := safeSpan(s, i); got != want {
				t.Fatalf("safeSpan(%q, %d) = %d, want %d", s, i, got, want)
			}
			want = i
			for want < len(s) && !textSpecial[s[want]] {
				want++
			}
			if got := plainSpan(s, i); got != want {
				t.Fatalf("plainSpan(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
}

// TestParserReuse parses documents of different shapes in turn with one
// Parser: each result must equal a fresh Parse, whatever the previous
// document left in the reused memory.
func TestParserReuse(t *testing.T) {
	docs := []string{
		`{"a":{"b":[1,{"c":"d"}]},"e":[[],{}],"f":"g"}`,
		`["x",1,true,null,{"y":["z"]}]`,
		`{"a":"scalar where an object was","e":"x","f":{"g":[]}}`,
		`{"k":[{"1":2,"0":1}],"z":null}`,
		`"just a string"`,
		`{"a":{"b":[1,{"c":"d"}]},"e":[[],{}],"f":"g"}`,
	}
	var p Parser
	for _, d := range docs {
		got, err := p.Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		if !sameValue(got, want) {
			t.Errorf("reused Parser gave %+v, fresh Parse %+v", got, want)
		}
	}
}

// sameValue compares every field of two values, empty and nil slices alike.
func sameValue(a, b Value) bool {
	if a.Kind != b.Kind || a.Scalar != b.Scalar || len(a.Members) != len(b.Members) || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Members {
		if a.Members[i].Key != b.Members[i].Key || !sameValue(a.Members[i].Value, b.Members[i].Value) {
			return false
		}
	}
	for i := range a.Items {
		if !sameValue(a.Items[i], b.Items[i]) {
			return false
		}
	}
	return true
}
