package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want Path
		out  string // String(); in without a leading dot if empty
	}{
		{in: ".front.imageTag", want: Keys("front", "imageTag"), out: "front.imageTag"},
		{in: "images.web", want: Keys("images", "web")},
		{in: "spec.containers[0].image", want: Path{Key("spec"), Key("containers"), {Index: 0}, Key("image")}},
		{in: "a[1][2]", want: Path{Key("a"), {Index: 1}, {Index: 2}}},
		{in: `metadata.labels."app.kubernetes.io/name"`, want: Keys("metadata", "labels", "app.kubernetes.io/name"), out: `metadata.labels["app.kubernetes.io/name"]`},
		{in: `images["guestbook.frontend"]`, want: Keys("images", "guestbook.frontend")},
		{in: `."a b"`, want: Keys("a b"), out: `["a b"]`},
		{in: `["x"].y`, want: Keys("x", "y"), out: "x.y"},
	}
	for _, tt := range tests {
		got, err := ParsePath(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePath(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
			continue
		}
		want := tt.out
		if want == "" {
			want = strings.TrimPrefix(tt.in, ".")
		}
		if got.String() != want {
			t.Errorf("ParsePath(%q).String() = %q, want %q", tt.in, got.String(), want)
		}
		if again, err := ParsePath(got.String()); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParsePath(%q) does not read back: %#v, %v", got.String(), again, err)
		}
	}
	for _, bad := range []string{"", ".", "a..b", "a.", "a[", "a[x]", "a[-1]", "a[01]", `a."b`, "a b", "a=b", "a]b", `a"b"`} {
		if p, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) = %#v, want an error", bad, p)
		}
	}
}
