package deliver

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// TestDescriptionCutsDiffs: every object stays in the table, but diffs stop
// at the size limit, with a note saying how many were left out.
func TestDescriptionCutsDiffs(t *testing.T) {
	var changes []manifest.Change
	for i := range 400 {
		name := fmt.Sprintf("cm-%03d", i)
		doc := func(v string) *manifest.Object {
			return &manifest.Object{ID: manifest.ID{Kind: "ConfigMap", Namespace: "n", Name: name}, File: "f.yaml",
				YAML: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  k: " + strings.Repeat(v, 200) + "\n")}
		}
		changes = append(changes, manifest.Change{Action: manifest.Changed, ID: doc("").ID, Old: doc("a"), New: doc("b")})
	}
	d := Description(Config{Base: "main", Path: "apps", Source: Source{ShortSHA: "abc12345"}}, changes)
	if rows := strings.Count(d, "| changed | ConfigMap | n | cm-"); rows != 400 {
		t.Errorf("table has %d rows, want 400", rows)
	}
	shown := strings.Count(d, "<details>")
	if shown == 0 || shown == 400 {
		t.Fatalf("%d diffs shown; want some, not all", shown)
	}
	if !strings.Contains(d, fmt.Sprintf("The diffs of %d more objects are left out", 400-shown)) {
		t.Errorf("no note on the %d diffs left out", 400-shown)
	}
	if len(d) > maxDiff+100*400 {
		t.Errorf("description is %d bytes", len(d))
	}
	if m, ok := parseMarker(d); !ok || m != (marker{Base: "main", Path: "/apps"}) || !strings.HasSuffix(d, "\n<!-- tsumiki: base=main path=/apps -->\n") {
		t.Errorf("the marker that supersede looks for is missing: %+v", m)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://oauth2:glpat-SECRET@gitlab.example.com/g/p.git":         "https://gitlab.example.com/g/p.git",
		"https://oauth2:glpat-SECRET@gitlab.example.com:badport/g/p.git": "https://gitlab.example.com:badport/g/p.git",
		"https://gitlab.example.com/g/p.git":                             "https://gitlab.example.com/g/p.git",
		"ssh://git@gitlab.example.com/g/p.git":                           "ssh://gitlab.example.com/g/p.git",
		"git@gitlab.example.com:g/p.git":                                 "git@gitlab.example.com:g/p.git",
		"/srv/git/p.git":                                                 "/srv/git/p.git",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
	for _, repo := range []string{"https://oauth2:glpat-SECRET@gitlab.example.com:badport/g/p.git", "https://oauth2:glpat-SECRET@gitlab.example.com/g/p.git"} {
		cfg := Config{Repo: repo, Mode: ModeMR, Base: "main", Branch: "b", Dist: "dist"}.WithDefaults()
		var ce *ConfigError
		if err := cfg.Validate(); !errors.As(err, &ce) || ce.Field != "Repo" || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Validate of %s: %v", redactURL(repo), err)
		}
	}
}

func TestWebURLAndDerivedProject(t *testing.T) {
	for in, want := range map[string]string{
		"https://gitlab.example.com/group/sub/app.git":    "https://gitlab.example.com/group/sub/app",
		"http://127.0.0.1:8080/group/app.git":             "http://127.0.0.1:8080/group/app",
		"ssh://git@gitlab.example.com:2222/group/app.git": "https://gitlab.example.com/group/app",
		"git@gitlab.example.com:group/app.git":            "https://gitlab.example.com/group/app",
		"/srv/git/app.git":                                "",
	} {
		if got := webURL(in); got != want {
			t.Errorf("webURL(%q) = %q, want %q", in, got, want)
		}
	}
	cfg := Config{Repo: "https://gitlab.example.com:8443/platform/manifests.git", Mode: ModeMR, Base: "main", Branch: "b", Dist: "dist", Auth: gitsync.Auth{Token: "t"}}.WithDefaults()
	if err := cfg.Validate(); err != nil || cfg.GitLabURL != "https://gitlab.example.com:8443" || cfg.Project != "platform/manifests" {
		t.Errorf("Validate: %v; gitlab %q, project %q", err, cfg.GitLabURL, cfg.Project)
	}
	ssh := Config{Repo: "git@gitlab.example.com:platform/manifests.git", Mode: ModeMR, Base: "main", Branch: "b", Dist: "dist"}.WithDefaults()
	var ce *ConfigError
	if err := ssh.Validate(); !errors.As(err, &ce) || ce.Field != "GitLabURL" {
		t.Errorf("an ssh repository without a GitLab URL: %v", err)
	}
}
