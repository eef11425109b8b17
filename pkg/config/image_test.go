package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestValidateImageReference(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		ref string
		err string // a part of the error; "" for valid references
	}{
		{"registry.example.com/guestbook/frontend:1.4.2", ""},
		{"registry.example.com/guestbook/frontend:1f2e3d4", ""},
		{"registry.example.com:5000/web:v1", ""},
		{"localhost:5000/web:latest", ""},
		{"[::1]:5000/web:1", ""},
		{"web:1", ""},
		{"registry.example.com/web@" + digest, ""},
		{"registry.example.com/web:1.5.0@" + digest, ""},
		{"registry.example.com/my_team/web-app__x.y:TAG_1.0-rc.1", ""},
		{"Registry.Example.com/web:1", ""},

		{"", "invalid image reference"},
		{"registry.example.com/web", "neither a tag nor a digest"},
		{"registry.example.com:5000/web", "neither a tag nor a digest"},
		{"registry.example.com/Web:1", "invalid image reference"},
		{"registry.example.com/web:", "invalid image reference"},
		{"registry.example.com/web:-1", "invalid image reference"},
		{"registry.example.com/web:" + strings.Repeat("a", 129), "invalid image reference"},
		{"registry.example.com/web:1 ", "invalid image reference"},
		{"https://registry.example.com/web:1", "invalid image reference"},
		{"registry.example.com//web:1", "invalid image reference"},
		{"registry.example.com/web@sha256:abc", "invalid image reference"},
		{"registry.example.com/web@sha256:" + strings.Repeat("a", 63), "64 hex digits"},
		{"registry.example.com/" + strings.Repeat("a", 255) + ":1", "longer than 255"},
	}
	for _, tt := range tests {
		err := ValidateImageReference(tt.ref)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidateImageReference(%q): %v", tt.ref, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidateImageReference(%q) = %v, want an error containing %q", tt.ref, err, tt.err)
		}
	}
}

func TestSetImages(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "prod.yaml")
	original := "# prod\nimages:\n  web: registry.example.com/web:1.0 # pinned\n  db: registry.example.com/db:2.0\n"
	if err := os.WriteFile(file, []byte(original), 0o640); err != nil {
		t.Fatal(err)
	}
	changes, err := SetImages(dir, "prod", []Image{{"web", "registry.example.com/web:1.1"}, {"db", "registry.example.com/db:2.0"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []ImageChange{
		{File: file, Name: "web", Old: "registry.example.com/web:1.0", New: "registry.example.com/web:1.1"},
		{File: file, Name: "db", Old: "registry.example.com/db:2.0", New: "registry.example.com/db:2.0"},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("changes = %+v, want %+v", changes, want)
	}
	got, _ := os.ReadFile(file)
	if string(got) != strings.Replace(original, "web:1.0", "web:1.1", 1) {
		t.Errorf("file:\n%s", got)
	}
	// All or nothing: an unknown image leaves the good edit unwritten too.
	before := string(got)
	if _, err := SetImages(dir, "prod", []Image{{"web", "registry.example.com/web:9.9"}, {"cache", "registry.example.com/cache:1"}}); err == nil {
		t.Fatal("an unknown image was accepted")
	}
	if got, _ := os.ReadFile(file); string(got) != before {
		t.Errorf("a failed SetImages changed the file:\n%s", got)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
}
