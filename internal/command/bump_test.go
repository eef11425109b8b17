package command

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	const production = "images:\n  web: registry.example.com/web:1 # pinned\n"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
		after  string // production.yaml afterwards
	}{
		{"change", []string{"--image", "web=registry.example.com/web:2"}, 0,
			"DIR/production.yaml: images.web: registry.example.com/web:1 → registry.example.com/web:2\n", "",
			"images:\n  web: registry.example.com/web:2 # pinned\n"},
		{"no change", []string{"--image", "web=registry.example.com/web:1"}, 0,
			"DIR/production.yaml: images.web: no change\n", "", production},
		{"unknown image", []string{"--image", "api=registry.example.com/api:1"}, 1,
			"", `images: unknown key "api" (known: web)`, production},
		{"bad reference", []string{"--image", "web=registry.example.com/web"}, 2,
			"", "neither a tag nor a digest", production},
		{"no =", []string{"--image", "web"}, 2, "", `--image "web": want NAME=REFERENCE`, production},
		{"unknown environment", []string{"--env", "prod", "--image", "web=registry.example.com/web:2"}, 2, "", `unknown environment "prod"`, production},
		{"unknown flag", []string{"--imgae", "web=x"}, 2, "", "unknown flag: --imgae", production},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "production.yaml")
			if err := os.WriteFile(file, []byte(production), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := runBump(append([]string{"--config-dir", dir, "--env", "production"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if want := strings.ReplaceAll(tt.stdout, "DIR", dir); stdout.String() != want {
				t.Errorf("stdout %q, want %q", stdout.String(), want)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if data, err := os.ReadFile(file); err != nil || string(data) != tt.after {
				t.Errorf("file afterwards %q, %v; want %q", data, err, tt.after)
			}
		})
	}
}
