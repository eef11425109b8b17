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

func TestEditImages(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "prod.yaml")
	original := "# prod\nimages:\n  web: registry.example.com/web:1.0 # pinned\n  db: registry.example.com/db:2.0\n"
	if err := os.WriteFile(file, []byte(original), 0o640); err != nil {
		t.Fatal(err)
	}
	edit, err := EditImages(dir, "prod", []Image{{"web", "registry.example.com/web:1.1"}, {"db", "registry.example.com/db:2.0"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Path: Keys("images", "web"), Old: "registry.example.com/web:1.0", New: "registry.example.com/web:1.1"},
		{Path: Keys("images", "db"), Old: "registry.example.com/db:2.0", New: "registry.example.com/db:2.0"},
	}
	if !reflect.DeepEqual(edit.Changes, want) || edit.File != file {
		t.Errorf("changes = %+v in %s, want %+v", edit.Changes, edit.File, want)
	}
	if got, _ := os.ReadFile(file); string(got) != original {
		t.Errorf("an edit not written changed the file:\n%s", got)
	}
	name := strings.TrimPrefix(filepath.ToSlash(file), "/")
	wantDiff := "--- a/" + name + "\n+++ b/" + name + "\n@@ -1,4 +1,4 @@\n # prod\n images:\n-  web: registry.example.com/web:1.0 # pinned\n+  web: registry.example.com/web:1.1 # pinned\n   db: registry.example.com/db:2.0\n"
	if d := edit.Diff(); d != wantDiff {
		t.Errorf("diff:\n%s\nwant:\n%s", d, wantDiff)
	}
	if err := edit.Write(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	if string(got) != strings.Replace(original, "web:1.0", "web:1.1", 1) {
		t.Errorf("file:\n%s", got)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	// All or nothing: an unknown image fails the whole edit.
	if _, err := EditImages(dir, "prod", []Image{{"web", "registry.example.com/web:9.9"}, {"cache", "registry.example.com/cache:1"}}); err == nil || !strings.Contains(err.Error(), `prod.yaml:3:3: images: unknown key "cache"`) {
		t.Errorf("an unknown image: %v", err)
	}
	if _, err := EditImages(dir, "prod", []Image{{"web", "registry.example.com/web"}}); err == nil || !strings.Contains(err.Error(), "images.web: image reference") {
		t.Errorf("a bad reference: %v", err)
	}
	// No change: nothing to write, and nothing written.
	edit, err = EditImages(dir, "prod", []Image{{"web", "registry.example.com/web:1.1"}})
	if err != nil || edit.Changed() || edit.Diff() != "" {
		t.Errorf("a no-op edit: changed %v, %v", edit.Changed(), err)
	}
}

func TestEditFileLists(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "values.yaml")
	original := "front:\n  imageTag: \"1.0\" # the tag\ncontainers:\n  - name: a\n    image: a:1\n  - {name: b, image: 'b:1'}\n"
	if err := os.WriteFile(file, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	set := func(path, value string) Set {
		p, err := ParsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		return Set{Path: p, Value: value}
	}
	edit, err := EditFile(file, []Set{set(".front.imageTag", "1.1"), set("containers[1].image", "b:2"), set("containers[0].image", "a:2")})
	if err != nil {
		t.Fatal(err)
	}
	want := "front:\n  imageTag: \"1.1\" # the tag\ncontainers:\n  - name: a\n    image: a:2\n  - {name: b, image: 'b:2'}\n"
	if string(edit.New) != want {
		t.Errorf("got\n%s\nwant\n%s", edit.New, want)
	}
	for path, msg := range map[string]string{
		"containers[2].image": "values.yaml:4:3: containers: no item [2]: the list has 2",
		"front[0]":            "values.yaml:2:3: front: expected a list, got a mapping",
		"containers.x":        "values.yaml:4:3: containers: expected a mapping, got a list",
	} {
		if _, err := EditFile(file, []Set{set(path, "x")}); err == nil || err.Error() != filepath.Join(dir, msg) {
			t.Errorf("%s: got %v, want %s", path, err, msg)
		}
	}
}
