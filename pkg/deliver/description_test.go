package deliver

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

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
	if rows := strings.Count(d, "| changed | – | ConfigMap | n | cm-"); rows != 400 {
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
	if err := cfg.Validate(); err != nil || cfg.ForgeURL != "https://gitlab.example.com:8443" || cfg.Project != "platform/manifests" {
		t.Errorf("Validate: %v; gitlab %q, project %q", err, cfg.ForgeURL, cfg.Project)
	}
	ssh := Config{Repo: "git@gitlab.example.com:platform/manifests.git", Mode: ModeMR, Base: "main", Branch: "b", Dist: "dist"}.WithDefaults()
	var ce *ConfigError
	if err := ssh.Validate(); !errors.As(err, &ce) || ce.Field != "ForgeURL" {
		t.Errorf("an ssh repository without a GitLab URL: %v", err)
	}
}

// TestDescriptionStaysUnderGitLabsLimit: GitLab refuses descriptions over
// 1,048,576 characters; a change of tens of thousands of objects lists
// the first of them and says how many more there are.
func TestDescriptionStaysUnderGitLabsLimit(t *testing.T) {
	var changes []manifest.Change
	for i := range 30_000 {
		id := manifest.ID{Kind: "ConfigMap", Namespace: strings.Repeat("n", 60), Name: fmt.Sprintf("%s-%05d", strings.Repeat("x", 200), i)}
		changes = append(changes, manifest.Change{Action: manifest.Added, ID: id, New: &manifest.Object{ID: id, File: "f.yaml", YAML: []byte("kind: ConfigMap\n")}})
	}
	d := Description(Config{Base: "main"}, changes)
	if len(d) >= 1<<20 || !strings.Contains(d, "_29000 more objects are left out of this table") || !strings.Contains(d, "**30000 added, 0 changed, 0 removed**") {
		t.Errorf("description of %d bytes:\n%.500s", len(d), d)
	}
}

// TestMarkers: the marker records the source commit and its time, and
// only a whole line of a description counts as one: text in a diff
// cannot pass for another path's marker.
func TestMarkers(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cfg := Config{Base: "main", Path: "my apps/prod", Source: Source{SHA: "abc", Time: at}}
	m, ok := parseMarker("text\n" + markerOf(cfg).String() + "\n")
	if !ok || m != (marker{Base: "main", Path: "/my apps/prod", Source: "abc", Time: at}) {
		t.Errorf("round trip: %+v, %v", m, ok)
	}
	legacy, ok := parseMarker("x\n<!-- tsumiki: base=main path=/clusters/prod -->\n")
	if !ok || legacy != (marker{Base: "main", Path: "/clusters/prod"}) {
		t.Errorf("legacy marker: %+v, %v", legacy, ok)
	}
	forged := "```diff\n+  note: |\n+    <!-- tsumiki: base=main path=/clusters/prod -->\n```\n" + markerOf(Config{Base: "main", Path: "clusters/staging"}).String() + "\n"
	if m, _ := parseMarker(forged); m.Path != "/clusters/staging" {
		t.Errorf("forged marker taken: %+v", m)
	}
	if _, ok := parseMarker("+<!-- tsumiki: base=main path=/clusters/prod -->\n"); ok {
		t.Error("a diff line passed for a marker")
	}

	later := marker{Base: "main", Path: "/p", Source: "b", Time: at.Add(time.Second)}
	same := marker{Base: "main", Path: "/p", Source: "c", Time: at}
	now := marker{Base: "main", Path: "/p", Source: "a", Time: at}
	old := marker{Base: "main", Path: "/p"}
	for _, tt := range []struct {
		a, b  marker
		older bool
	}{
		{now, later, true}, {later, now, false}, {now, same, false}, {same, now, false},
		{old, now, true}, {now, old, false}, {old, old, false}, {now, now, false},
	} {
		if got := tt.a.olderThan(tt.b); got != tt.older {
			t.Errorf("%+v older than %+v = %v, want %v", tt.a, tt.b, got, tt.older)
		}
	}
}

// TestTitles: a title is one line, and within GitLab's 255 characters
// with the draft prefix.
func TestTitles(t *testing.T) {
	cfg := Config{Title: "Fix\nthe  thing\t now", Draft: true}.WithDefaults()
	if cfg.Title != "Fix the thing now" {
		t.Errorf("title %q", cfg.Title)
	}
	cfg.Title = strings.Repeat("é", 300)
	s := (&syncRun{cfg: cfg, terms: GitLabConventions, res: &Result{}}).spec()
	if n := len([]rune(s.Title)); n != 255 || !strings.HasPrefix(s.Title, "Draft: ") || !strings.HasSuffix(s.Title, "…") || !s.Draft {
		t.Errorf("title of %d characters: %q", n, s.Title)
	}
	// On GitHub a draft is a flag: the title stays as it is.
	cfg.Title = "Roll out v2"
	if s := (&syncRun{cfg: cfg, terms: GitHubConventions, res: &Result{}}).spec(); s.Title != "Roll out v2" || !s.Draft {
		t.Errorf("GitHub spec: %+v", s)
	}
}

// TestValidate: the configurations that cannot work, each named by its
// field, before anything is contacted.
func TestValidate(t *testing.T) {
	good := Config{Repo: "https://gitlab.example.com/p/m.git", Base: "main", Dist: "dist", Source: Source{SHA: "0123456789abcdef"}, Auth: gitsync.Auth{Token: "t"}}
	if err := good.WithDefaults().Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	for _, tt := range []struct {
		field  string
		change func(*Config)
	}{
		{"Repo", func(c *Config) { c.Repo = "" }},
		{"Repo", func(c *Config) { c.Repo = "https://user:glpat-x@gitlab.example.com/p/m.git" }},
		{"Mode", func(c *Config) { c.Mode = "yolo" }},
		{"Base", func(c *Config) { c.Base = "" }},
		{"Base", func(c *Config) { c.Base = "feature..x" }},
		{"Branch", func(c *Config) { c.Branch = "tsumiki/a b" }},
		{"Branch", func(c *Config) { c.Branch = "main" }},
		{"Branch", func(c *Config) { c.Source = Source{} }},
		{"Dist", func(c *Config) { c.Dist = "" }},
		{"Keep", func(c *Config) { c.Keep = []string{"[a"} }},
		{"ForgeURL", func(c *Config) { c.ForgeURL = "gitlab.example.com" }},
		{"ForgeURL", func(c *Config) { c.Repo, c.ForgeURL = "git@gitlab.example.com:p/m.git", "" }},
		{"Project", func(c *Config) { c.Repo, c.ForgeURL = "/srv/git/m.git", "https://gitlab.example.com" }},
		{"Auth.Token", func(c *Config) { c.Auth.Token = "" }},
		{"Auth.SSHKey", func(c *Config) {
			c.Repo, c.ForgeURL = "ssh://git@gitlab.example.com/p/m.git", "https://gitlab.example.com"
		}},
	} {
		cfg := good
		tt.change(&cfg)
		var ce *ConfigError
		if err := cfg.WithDefaults().Validate(); !errors.As(err, &ce) || ce.Field != tt.field || strings.Contains(err.Error(), "glpat-x") {
			t.Errorf("%+v: err = %v, want a ConfigError for %s", cfg, err, tt.field)
		}
	}
	// A dry run and push mode over ssh need no token.
	dry := good
	dry.Auth.Token, dry.DryRun = "", true
	if err := dry.WithDefaults().Validate(); err != nil {
		t.Errorf("dry run without a token: %v", err)
	}
}
