package deliver

import (
	"errors"
	"fmt"
	"testing"

	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// TestMassDeleteRule: the examples of the guard in docs/guide.md. A change
// is refused when it removes more objects than it leaves (kept plus
// added), or when it empties a folder under the managed path.
func TestMassDeleteRule(t *testing.T) {
	objects := func(folder string, n int, prefix string) []manifest.Object {
		var out []manifest.Object
		for i := range n {
			name := fmt.Sprintf("%s%d", prefix, i)
			out = append(out, manifest.Object{ID: manifest.ID{Kind: "ConfigMap", Name: name}, File: folder + name + ".yaml"})
		}
		return out
	}
	tests := []struct {
		name     string
		old, new []manifest.Object
		refused  bool
		folder   string
	}{
		{"first sync replaces the one hand-written object", objects("", 1, "hand"), objects("apps/", 30, "app"), false, ""},
		{"most of the path disappears", objects("", 100, "a"), objects("", 5, "a"), true, ""},
		{"half removed", objects("", 100, "a"), objects("", 50, "a"), false, ""},
		{"just over half removed", objects("", 100, "a"), objects("", 49, "a"), true, ""},
		{"everything renamed", objects("", 10, "old"), objects("", 10, "new"), false, ""},
		{"three of four go, one comes", objects("", 4, "a"), append(objects("", 1, "a"), objects("", 1, "b")...), true, ""},
		{"one environment's folder emptied", append(objects("staging/", 2, "s"), objects("prod/", 10, "p")...), objects("prod/", 12, "p"), true, "staging"},
		{"a folder emptied and refilled", objects("prod/", 3, "p"), objects("prod/", 3, "q"), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRemovals(tt.old, manifest.Diff(tt.old, tt.new), "")
			var mass *MassDeleteError
			if tt.refused != errors.As(err, &mass) || (mass != nil && mass.Folder != tt.folder) {
				t.Errorf("err = %v, want refused %v (folder %q)", err, tt.refused, tt.folder)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Errorf("%v is not ErrRefused", err)
			}
		})
	}
}
