package constructs

import (
	"errors"
	"strings"
	"testing"
)

// pathNode builds the plain constructs of a slash-separated path under a new
// app and returns the last one.
func pathNode(t *testing.T, path string) *Node {
	t.Helper()
	app := NewApp(AppProps{})
	var n Construct = app
	for _, id := range strings.Split(path, "/") {
		n = NewNode(n, id)
	}
	return n.Node()
}

func TestToDNSLabel(t *testing.T) {
	// Vectors from cdk8s's names tests; cdk8s and tsumiki agree on all of them.
	tests := []struct {
		path string
		opts NameOptions
		want string
	}{
		{"hello/default/foo/world/default", NameOptions{}, "hello-foo-world-c8ceb89a"},
		{"Hello", NameOptions{}, "hello-c8a347e4"},
		{"hello", NameOptions{}, "hello"},
		{"hello-foo/world", NameOptions{}, "hello-foo-world-c83c4a8a"},
		{"hello/hello/hello/hello/hello", NameOptions{}, "hello-c830c284"},
		{"hello/world/this/is/cool", NameOptions{MaxLen: 25}, "wor-this-is-cool-c80ec725"},
		{"hello/world", NameOptions{MaxLen: 8}, "c85bc96a"},
		{"my-chart/web/Resource", NameOptions{}, "my-chart-web-c8fc8472"},
		{"my-chart/web/Default", NameOptions{}, "my-chart-web-c8a0509c"},
		{"hello/world/this/is/cool", NameOptions{NoHash: true, MaxLen: 8}, "is-cool"},
		{"my-chart/deployment", NameOptions{}, "my-chart-deployment-c8226913"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := ToDNSLabel(pathNode(t, tt.path), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ToDNSLabel(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestToDNSLabelInvalidCharacters(t *testing.T) {
	// cdk8s keeps "_" and "." (an invalid DNS label); file names keep its
	// form, metadata.name gets the valid one.
	tests := []struct {
		path, cdk8s, ours string
	}{
		{"My_App/web", "my_app-web-c8dd17bf", "my-app-web-c8dd17bf"},
		{"a.b/c", "a.b-c-c84160e5", "a-b-c-c84160e5"},
		{"x/my_resource/y", "", "x-my-y-"},
		{"chart/__/obj", "", "chart-obj-"},
	}
	for _, tt := range tests {
		n := pathNode(t, tt.path)
		ours, err := ToDNSLabel(n, NameOptions{})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := cdk8sDNSLabel(n, NameOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tt.cdk8s != "" && theirs != tt.cdk8s {
			t.Errorf("cdk8s form of %q = %q, want %q", tt.path, theirs, tt.cdk8s)
		}
		if !strings.HasPrefix(ours, tt.ours) || strings.ContainsAny(ours, "_.") {
			t.Errorf("ToDNSLabel(%q) = %q, want prefix %q and no _ or .", tt.path, ours, tt.ours)
		}
		// Our name is cdk8s's, split on the extra separators.
		if want := strings.Join(strings.FieldsFunc(theirs, func(r rune) bool { return strings.ContainsRune("-_.", r) }), "-"); !strings.Contains(tt.path, "resource") && ours != want {
			t.Errorf("ToDNSLabel(%q) = %q, want cdk8s's %q re-split: %q", tt.path, ours, theirs, want)
		}
	}
}

func TestToDNSLabelErrors(t *testing.T) {
	if _, err := ToDNSLabel(pathNode(t, "a/b"), NameOptions{MaxLen: 7}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("maxLen 7 with hash: err = %v, want ErrInvalidName", err)
	}
	if _, err := ToDNSLabel(pathNode(t, "a/Default"), NameOptions{NoHash: true}); err != nil {
		t.Errorf("a/Default without hash: %v", err)
	}
	if _, err := ToDNSLabel(pathNode(t, "__/Default"), NameOptions{NoHash: true}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("nothing left to name: err = %v, want ErrInvalidName", err)
	}
}

func TestAddr(t *testing.T) {
	// SHA-1 of "\nmy-chart\ndeployment\n": the root's empty id counts.
	if got := pathNode(t, "my-chart/deployment").Addr(); !strings.HasPrefix(got, "c8226913") {
		t.Errorf("Addr = %s, want c8226913…", got)
	}
	// "Default" ids are skipped, so wrapping in a Default scope keeps the address.
	if a, b := pathNode(t, "x/y").Addr(), pathNode(t, "x/Default/y").Addr(); a != b {
		t.Errorf("Addr with Default scope = %s, want %s", b, a)
	}
}
