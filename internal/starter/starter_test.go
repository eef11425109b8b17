package starter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		forge      string
		has, hasNo string
	}{
		{"", ".gitlab-ci.yml", ".github/workflows/manifests.yml"},
		{ForgeGitHub, ".github/workflows/manifests.yml", ".gitlab-ci.yml"},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "repo")
		written, err := Write(dir, Options{Module: "example.com/platform", Version: "v0.3.0", Forge: tt.forge})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(written, tt.has) || slices.Contains(written, tt.hasNo) || !slices.Contains(written, ".gitignore") {
			t.Errorf("forge %q wrote %q", tt.forge, written)
		}
		for _, name := range written {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "[[") {
				t.Errorf("%s: a template action is left: %s", name, data)
			}
		}
		mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
		if string(mod) != "module example.com/platform\n\ngo "+GoVersion+"\n\nrequire gitlab.com/tsumiki/tsumiki v0.3.0\n" {
			t.Errorf("go.mod:\n%s", mod)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		dir  string
		opts Options
		want string
	}{
		{t.TempDir(), Options{Module: "Not A Module", Version: "v1.0.0"}, "module path"},
		{t.TempDir(), Options{Module: "example.com/x", Version: "(devel)"}, "not a published module version"},
		{t.TempDir(), Options{Module: "example.com/x", Version: "v1.0.0+dirty"}, "not a published module version"},
		{t.TempDir(), Options{Module: "example.com/x", Version: "v1.0.0", Forge: "bitbucket"}, `forge "bitbucket"`},
		{full, Options{Module: "example.com/x", Version: "v1.0.0"}, "not empty"},
	} {
		if _, err := Write(tt.dir, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// TestGoVersion keeps the starter's Go version the framework's own.
func TestGoVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "\ngo "+GoVersion+"\n") {
		t.Errorf("go.mod does not say go %s", GoVersion)
	}
}
