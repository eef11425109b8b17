package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEnvironments(t *testing.T) {
	tests := []struct {
		name  string
		files []string // created empty in the directory; a trailing / makes a directory
		want  []string
		err   string
	}{
		{"none", nil, []string{}, ""},
		{"sorted", []string{"staging.yaml", "production.yml", "dev.yaml"}, []string{"dev", "production", "staging"}, ""},
		{"others ignored", []string{"prod.yaml", "README.md", ".prod.yaml.123", "old.yaml/", "x.json"}, []string{"prod"}, ""},
		{"yaml and yml", []string{"prod.yaml", "prod.yml"}, nil, `environment "prod" has two files, DIR/prod.yaml and DIR/prod.yml; remove one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				var err error
				if d, ok := strings.CutSuffix(f, "/"); ok {
					err = os.Mkdir(filepath.Join(dir, d), 0o755)
				} else {
					err = os.WriteFile(filepath.Join(dir, f), nil, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			got, err := Environments(dir)
			if tt.err != "" {
				if want := replaceDir(tt.err, dir); err == nil || err.Error() != want {
					t.Errorf("got error %v, want %s", err, want)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := Environments(filepath.Join(t.TempDir(), "missing")); !os.IsNotExist(err) {
		t.Errorf("missing directory: got %v, want a not-exist error", err)
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"staging.yaml", "production.yml"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		env, want, err string
	}{
		{"staging", "DIR/staging.yaml", ""},
		{"production", "DIR/production.yml", ""},
		{"prod", "", `unknown environment "prod" in DIR (known: production, staging)`},
		{"../staging", "", `unknown environment "../staging" in DIR (known: production, staging)`},
	}
	for _, tt := range tests {
		got, err := File(dir, tt.env)
		if tt.err != "" {
			if want := replaceDir(tt.err, dir); err == nil || err.Error() != want {
				t.Errorf("File(%q): got error %v, want %s", tt.env, err, want)
			}
			continue
		}
		if want := replaceDir(tt.want, dir); err != nil || got != want {
			t.Errorf("File(%q) = %q, %v; want %q", tt.env, got, err, want)
		}
	}
}

// replaceDir puts dir in place of DIR in s, a path or message written with
// forward slashes.
func replaceDir(s, dir string) string {
	return strings.ReplaceAll(filepath.FromSlash(s), "DIR", dir)
}
