package document

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func keys(v Value) string {
	var ks []string
	for _, m := range v.Members {
		ks = append(ks, m.Key)
	}
	return strings.Join(ks, " ")
}

func str(s string) Value { return Value{Kind: String, Scalar: s} }

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		start string
		set   []string
		want  string
	}{
		{"append", `{}`, []string{"b", "a", "c"}, "b a c"},
		{"existing keeps position", `{"a":1,"b":2,"c":3}`, []string{"a", "c"}, "a b c"},
		{"index keys in numeric order", `{"b":1}`, []string{"10", "2", "0", "a", "4294967294", "1"}, "0 1 2 10 4294967294 b a"},
		{"non-index numeric keys append", `{"1":1,"b":2}`, []string{"01", "-1", "4294967295", "1.5", "0"}, "0 1 b 01 -1 4294967295 1.5"},
		{"existing index key", `{"0":1,"5":2,"a":3}`, []string{"5", "3"}, "0 3 5 a"},
	}
	for _, tt := range tests {
		v, err := Parse([]byte(tt.start))
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range tt.set {
			v.Set(k, str(k+"!"))
			if got := v.Lookup(k); got == nil || got.Scalar != k+"!" {
				t.Fatalf("%s: after Set(%q), Lookup = %v", tt.name, tt.set[i], got)
			}
		}
		if got := keys(v); got != tt.want {
			t.Errorf("%s: keys %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSetNonObject(t *testing.T) {
	for _, v := range []Value{{}, str("x"), {Kind: Array, Items: []Value{str("x")}}} {
		v.Set("a", str("b"))
		if got := string(AppendJSON(nil, v)); got != `{"a":"b"}` {
			t.Errorf("Set on %v gave %s", v.Kind, got)
		}
	}
}

func TestDelete(t *testing.T) {
	v, err := Parse([]byte(`{"0":0,"a":1,"b":2,"c":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Delete("b") || v.Delete("b") || v.Delete("x") {
		t.Error("Delete reported the wrong presence")
	}
	if !v.Delete("0") {
		t.Error(`Delete("0") = false`)
	}
	if got := keys(v); got != "a c" {
		t.Errorf("keys %q, want %q", got, "a c")
	}
	v.Set("b", str("again"))
	if got := keys(v); got != "a c b" {
		t.Errorf("keys after Set %q, want %q", got, "a c b")
	}
	s := str("x")
	if s.Delete("x") {
		t.Error("Delete on a string = true")
	}
}

func TestLookup(t *testing.T) {
	v, err := Parse([]byte(`{"a":{"b":[1]},"c":null}`))
	if err != nil {
		t.Fatal(err)
	}
	a := v.Lookup("a")
	if a == nil || a.Lookup("b") == nil || a.Lookup("b").Kind != Array {
		t.Fatalf("Lookup a.b failed")
	}
	a.Lookup("b").Items[0] = str("changed")
	if got := string(AppendJSON(nil, v)); got != `{"a":{"b":["changed"]},"c":null}` {
		t.Errorf("change through Lookup gave %s", got)
	}
	if c := v.Lookup("c"); c == nil || c.Kind != Null {
		t.Errorf("Lookup of a null member = %v", c)
	}
	if v.Lookup("x") != nil || a.Lookup("b").Lookup("0") != nil {
		t.Error("Lookup of a missing key is not nil")
	}
}

func TestIsArrayIndex(t *testing.T) {
	for key, want := range map[string]bool{
		"0": true, "1": true, "42": true, "4294967294": true, "1000000000": true,
		"": false, "01": false, "00": false, "-1": false, "-0": false, "+1": false, "1.0": false, "1e3": false,
		" 1": false, "1 ": false, "4294967295": false, "4294967296": false, "9999999999": false, "10000000000": false,
		"١": false, "a": false, "0x1": false,
	} {
		if got := IsArrayIndex(key); got != want {
			t.Errorf("IsArrayIndex(%q) = %v, want %v", key, got, want)
		}
	}
}

// lessUTF16 is the definition of LessKey.
func lessUTF16(a, b string) bool {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b))) < 0
}

func TestLessKey(t *testing.T) {
	samples := []string{
		"", "a", "b", "aa", "ab", "A", "Z", "_", "~", "\x7f", "é", "ß", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uf8ff",
		"\ufb01", "\ufffd", "\uffff", "😀", "😁", "\U00010000", "\U0010ffff", "a😀", "a\uffff", "a\ue000b", "a😀b", "😀a", "\uffffa",
	}
	for _, a := range samples {
		for _, b := range samples {
			if got, want := LessKey(a, b), lessUTF16(a, b); got != want {
				t.Errorf("LessKey(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func FuzzLessKey(f *testing.F) {
	f.Add("😀", "\uffff")
	f.Add("a\ue000", "a\U00010000")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		if got, want := LessKey(a, b), lessUTF16(a, b); got != want {
			t.Errorf("LessKey(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}
