package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The types below stand in for an environment's configuration.
type environment struct {
	Images    map[string]string `json:"images" config:"required"`
	Guestbook guestbook         `json:"guestbook"`
	Worker    *worker           `json:"worker,omitempty"`
	Owner                       // inlined, as in encoding/json
}

type guestbook struct {
	Host     string            `json:"host" config:"required"`
	Replicas int32             `json:"replicas"`
	Port     uint16            `json:"port"`
	Ratio    float64           `json:"ratio"`
	Debug    bool              `json:"debug"`
	Timeout  time.Duration     `json:"timeout"`
	Tags     []string          `json:"tags"`
	Labels   map[string]string `json:"labels"`
	Allow    []netip.Prefix    `json:"allow"` // encoding.TextUnmarshaler
	Extra    any               `json:"extra"`
	Internal string            `json:"-"`
}

// worker has no json tags, so its fields go by their Go names.
type worker struct {
	Queue       string
	Concurrency int
}

type Owner struct {
	Team string `json:"team"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		into any // where to decode; may hold defaults
		want any
	}{{
		name: "everything",
		yaml: `# production
images:
  guestbook-frontend: registry.example.com/guestbook/frontend:1.4.2 # pinned
guestbook:
  host: guestbook.example.com
  replicas: 3
  port: 8080
  ratio: 1
  debug: false
  timeout: 1m30s
  tags: [a, "b"]
  labels: {tier: web}
  allow: [10.0.0.0/8]
  extra: {any: [thing]}
worker:
  Queue: jobs
  Concurrency: 0x10
team: storefront
`,
		into: &environment{},
		want: &environment{
			Images: map[string]string{"guestbook-frontend": "registry.example.com/guestbook/frontend:1.4.2"},
			Guestbook: guestbook{
				Host: "guestbook.example.com", Replicas: 3, Port: 8080, Ratio: 1, Timeout: 90 * time.Second,
				Tags: []string{"a", "b"}, Labels: map[string]string{"tier": "web"},
				Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
				Extra: map[string]any{"any": []any{"thing"}},
			},
			Worker: &worker{Queue: "jobs", Concurrency: 16},
			Owner:  Owner{Team: "storefront"},
		},
	}, {
		name: "absent fields keep defaults",
		yaml: "images: {}\nguestbook: {host: h}\n",
		into: &environment{Guestbook: guestbook{Replicas: 2, Internal: "kept"}},
		want: &environment{Images: map[string]string{}, Guestbook: guestbook{Host: "h", Replicas: 2, Internal: "kept"}},
	}, {
		name: "null clears pointers, maps and lists",
		yaml: "images:\nguestbook: {host: h, tags: ~}\nworker: null\n",
		into: &environment{Worker: &worker{}, Guestbook: guestbook{Tags: []string{"x"}}},
		want: &environment{Guestbook: guestbook{Host: "h"}},
	}, {
		name: "anchors and aliases",
		yaml: "images:\n  a: &img registry.example.com/a:1\n  b: *img\nguestbook: {host: h}\n",
		into: &environment{},
		want: &environment{
			Images:    map[string]string{"a": "registry.example.com/a:1", "b": "registry.example.com/a:1"},
			Guestbook: guestbook{Host: "h"},
		},
	}, {
		name: "map of structs",
		yaml: "a: {Queue: q}\nb: {Concurrency: 2}\n",
		into: &map[string]worker{},
		want: &map[string]worker{"a": {Queue: "q"}, "b": {Concurrency: 2}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Decode("test.yaml", []byte(tt.yaml), tt.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tt.into, tt.want) {
				t.Errorf("got  %+v\nwant %+v", tt.into, tt.want)
			}
		})
	}
}

// TestDecodeJSONUnmarshaler checks the Kubernetes types that read themselves
// from JSON, and that their errors come back as problems.
func TestDecodeJSONUnmarshaler(t *testing.T) {
	type resources struct {
		CPU    resource.Quantity   `json:"cpu"`
		Memory *resource.Quantity  `json:"memory"`
		Port   intstr.IntOrString  `json:"port"`
		Limits []resource.Quantity `json:"limits"`
	}
	var got resources
	err := Decode("test.yaml", []byte("cpu: 500m\nmemory: 1Gi\nport: http\nlimits: [1, 0.5, 2k]\n"), &got)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{got.CPU.String(), "500m"},
		{got.Memory.String(), "1Gi"},
		{got.Port.String(), "http"},
		{got.Limits[0].String(), "1"},
		{got.Limits[1].String(), "500m"},
		{got.Limits[2].String(), "2k"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}

	err = Decode("test.yaml", []byte("cpu: lots\n"), &got)
	want := "test.yaml:1:6: cpu: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
	if err == nil || err.Error() != want {
		t.Errorf("got error\n%v\nwant\n%s", err, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // the whole error message
	}{{
		name: "empty file",
		yaml: "",
		want: "production.yaml: empty file; want a mapping",
	}, {
		name: "only comments",
		yaml: "# nothing yet\n",
		want: "production.yaml: empty file; want a mapping",
	}, {
		name: "empty document",
		yaml: "---\n",
		want: "production.yaml:2:1: empty document; want a mapping",
	}, {
		name: "two documents",
		yaml: "images: {}\nguestbook: {host: h}\n---\nimages: {}\n",
		want: "production.yaml:3:1: more than one document; want exactly one",
	}, {
		name: "syntax error",
		yaml: "images:\n  web: a\n   b: c\n",
		want: "production.yaml:3:5: mapping values are not allowed in this context",
	}, {
		// Syntax errors are reported where the parser stops, not on the line
		// before (as yaml.v3 did for parser errors).
		name: "unclosed flow sequence",
		yaml: "images: {}\nguestbook:\n  hosts: [a, b\n  replicas: 2\n",
		want: "production.yaml:4:11: did not find expected ',' or ']' (while parsing a flow sequence on line 3)",
	}, {
		name: "unterminated quote",
		yaml: "images: {}\nguestbook:\n  host: \"h\n  replicas: 2\n",
		want: "production.yaml:5:1: found unexpected end of stream (while scanning a quoted scalar on line 3)",
	}, {
		name: "bad indentation",
		yaml: "images: {}\nguestbook:\n  host: h\n replicas: 2\n",
		want: "production.yaml:4:2: did not find expected key (while parsing a block mapping on line 1)",
	}, {
		name: "tab",
		yaml: "images: {}\nguestbook:\n\thost: h\n",
		want: "production.yaml:3:1: found character that cannot start any token: a tab; YAML indents with spaces only",
	}, {
		name: "not a mapping",
		yaml: "- a\n",
		want: "production.yaml:1:1: expected a mapping, got a list",
	}, {
		name: "every problem at once",
		yaml: `images:
  web: registry.example.com/web:1
  web: registry.example.com/web:2
guestbook:
  replica: 3
  port: -1
  ratio: lots
  debug: yes
  timeout: 30
  tags: a
  labels: [a]
  allow: [10.0.0.1/33]
  version: 1.10
worker:
  queue: jobs
  Concurrency: three
`,
		want: `production.yaml:3:3: images: duplicate key "web" (first on line 2)
production.yaml:5:3: guestbook: unknown field "replica" (did you mean "replicas"?)
production.yaml:5:3: guestbook: missing required field "host"
production.yaml:6:9: guestbook.port: expected a non-negative integer, got -1
production.yaml:7:10: guestbook.ratio: expected a number, got "lots"
production.yaml:8:10: guestbook.debug: expected a boolean (true or false), got "yes"
production.yaml:9:12: guestbook.timeout: expected a duration such as "30s", got 30
production.yaml:10:9: guestbook.tags: expected a list, got "a"
production.yaml:11:11: guestbook.labels: expected a mapping, got a list
production.yaml:12:11: guestbook.allow[0]: netip.ParsePrefix("10.0.0.1/33"): prefix length out of range
production.yaml:13:3: guestbook: unknown field "version"
production.yaml:15:3: worker: unknown field "queue" (did you mean "Queue"?)
production.yaml:16:16: worker.Concurrency: expected an integer, got "three"`,
	}, {
		name: "missing required at the top",
		yaml: "guestbook:\n  host: h\n",
		want: `production.yaml:1:1: missing required field "images"`,
	}, {
		name: "null for a scalar",
		yaml: "images: {}\nguestbook:\n  host:\n",
		want: `production.yaml:3:8: guestbook.host: expected a string, got null`,
	}, {
		name: "null struct still needs its required fields",
		yaml: "images: {}\nguestbook:\n",
		want: `production.yaml:2:11: guestbook: missing required field "host"`,
	}, {
		name: "numbers that do not fit",
		yaml: "images: {}\nguestbook: {host: h, replicas: 3000000000, port: 70000}\n",
		want: `production.yaml:2:32: guestbook.replicas: 3000000000 does not fit in int32
production.yaml:2:50: guestbook.port: 70000 does not fit in uint16`,
	}, {
		name: "a float for an integer",
		yaml: "images: {}\nguestbook: {host: h, replicas: 2.5}\n",
		want: `production.yaml:2:32: guestbook.replicas: expected an integer, got 2.5`,
	}, {
		name: "bad duration",
		yaml: "images: {}\nguestbook: {host: h, timeout: 5 minutes}\n",
		want: `production.yaml:2:31: guestbook.timeout: expected a duration such as "30s", got "5 minutes"`,
	}, {
		name: "a number for a string",
		yaml: "images:\n  web: 1.10\nguestbook: {host: h}\n",
		want: `production.yaml:2:8: images.web: expected a string, got 1.10 (quote it: "1.10")`,
	}, {
		name: "keys that need quoting in paths",
		yaml: "images:\n  a.b: 1\nguestbook: {host: h}\n",
		want: `production.yaml:2:8: images["a.b"]: expected a string, got 1 (quote it: "1")`,
	}, {
		name: "a key that is not a string",
		yaml: "images:\n  1: a\nguestbook: {host: h}\n",
		want: `production.yaml:2:3: images: expected a string key, got 1 (quote it: "1")`,
	}, {
		name: "merge keys",
		yaml: "base: &base {host: h}\nimages: {}\nguestbook:\n  <<: *base\n",
		want: `production.yaml:1:1: unknown field "base"
production.yaml:4:3: guestbook: merge keys (<<) are not supported; write the fields out
production.yaml:4:3: guestbook: missing required field "host"`,
	}, {
		name: "ignored field",
		yaml: "images: {}\nguestbook: {host: h, Internal: x}\n",
		want: `production.yaml:2:22: guestbook: unknown field "Internal"`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Decode("production.yaml", []byte(tt.yaml), &environment{})
			if err == nil {
				t.Fatalf("no error, want\n%s", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) != strings.Count(tt.want, "\n")+1 {
				t.Errorf("want an *Error with one problem per line, got %#v", err)
			}
		})
	}
}

func TestDecodeProblems(t *testing.T) {
	err := Decode("p.yaml", []byte("images: {}\nguestbook:\n  host: h\n  replicas: x\n"), &environment{})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T, want *Error", err)
	}
	want := []Problem{{Line: 4, Column: 13, Path: "guestbook.replicas", Message: `expected an integer, got "x"`}}
	if e.File != "p.yaml" || !reflect.DeepEqual(e.Problems, want) {
		t.Errorf("got %s %+v, want p.yaml %+v", e.File, e.Problems, want)
	}
}

func TestDecodeNeedsPointer(t *testing.T) {
	for _, into := range []any{environment{}, (*environment)(nil), nil} {
		if err := Decode("x.yaml", []byte("a: 1"), into); err == nil || !strings.Contains(err.Error(), "non-nil pointer") {
			t.Errorf("Decode into %T: got %v, want a non-nil pointer error", into, err)
		}
	}
}

func TestUnknownConfigOptionPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `unknown option config:"requird"`) {
			t.Errorf("got panic %v", r)
		}
	}()
	var v struct {
		A string `config:"requird"`
	}
	_ = Decode("x.yaml", []byte("A: a"), &v)
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "staging.yaml")
	if err := os.WriteFile(file, []byte("images: {web: registry.example.com/web:1}\nguestbook: {host: h, replicas: many}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var env environment
	err := Load(file, &env)
	if want := file + `:2:32: guestbook.replicas: expected an integer, got "many"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := Load(filepath.Join(dir, "missing.yaml"), &env); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want ErrNotExist", err)
	}
}

// FuzzDecode checks that no input makes Decode panic, and that every error
// is an *Error.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("images: {web: registry.example.com/web:1}\nguestbook: {host: h, replicas: 3, timeout: 1s}\n"))
	f.Add([]byte("a: &x [1, *x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e *Error
		if err := Decode("f.yaml", data, &environment{}); err != nil && !errors.As(err, &e) {
			t.Errorf("got %T: %v", err, err)
		}
	})
}

// shared is a team's own settings, beside the apps' sections.
type shared struct {
	Domain string `json:"domain" config:"required"`
}

type shopSection struct {
	Replicas int `json:"replicas"`
	Min, Max int
}

func (s shopSection) Validate() error {
	var errs []error
	if s.Min > s.Max {
		errs = append(errs, fmt.Errorf("Min (%d) is above Max (%d)", s.Min, s.Max))
	}
	if s.Replicas < 0 {
		errs = append(errs, errors.New("replicas must not be negative"))
	}
	return errors.Join(errs...)
}

func TestDecodeSections(t *testing.T) {
	tests := []struct {
		name       string
		yaml       string
		want       string // the error, or "" for none
		shop, cart bool   // which sections are present
	}{
		{name: "both", yaml: "domain: example.com\nshop: {replicas: 2}\ncart: {}\n", shop: true, cart: true},
		{name: "one", yaml: "domain: example.com\nshop: {replicas: 2}\n", shop: true},
		{name: "null section", yaml: "domain: example.com\nshop:\n"},
		{name: "misspelt section", yaml: "domain: example.com\nshopp: {}\n",
			want: `f.yaml:2:1: unknown field "shopp" (did you mean "shop"?)`},
		{name: "shared field required", yaml: "shop: {}\n",
			want: `f.yaml:1:1: missing required field "domain"`, shop: true},
		{name: "section problems have their path", yaml: "domain: d\nshop:\n  replicas: x\n  Min: 3\n",
			want: `f.yaml:3:13: shop.replicas: expected an integer, got "x"`, shop: true},
		{name: "validation", yaml: "domain: d\nshop:\n  replicas: -1\n  Min: 3\n  Max: 2\n",
			want: "f.yaml:3:3: shop: Min (3) is above Max (2)\nf.yaml:3:3: shop: replicas must not be negative", shop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var into shared
			var shop *shopSection
			var cart *struct{}
			err := DecodeSections("f.yaml", []byte(tt.yaml), &into, map[string]any{"shop": &shop, "cart": &cart})
			if got := fmt.Sprint(err); (err != nil || tt.want != "") && got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if (shop != nil) != tt.shop || (cart != nil) != tt.cart {
				t.Errorf("shop present %v, cart present %v; want %v, %v", shop != nil, cart != nil, tt.shop, tt.cart)
			}
		})
	}
}

func TestDecodeSectionsRefusesClashes(t *testing.T) {
	var into shared
	var s *struct{}
	if err := DecodeSections("f.yaml", []byte("domain: d\n"), &into, map[string]any{"domain": &s}); err == nil || !strings.Contains(err.Error(), `section "domain" is also a field`) {
		t.Errorf("got %v", err)
	}
	if err := DecodeSections("f.yaml", []byte("x: {}\n"), nil, map[string]any{"x": s}); err == nil || !strings.Contains(err.Error(), "non-nil pointer") {
		t.Errorf("a nil section pointer: got %v", err)
	}
}

func TestImageReferences(t *testing.T) {
	var into struct {
		Images map[string]ImageReference `json:"images"`
	}
	err := Decode("f.yaml", []byte("images:\n  web: registry.example.com/web:1.2\n  api: registry.example.com/api\n  db: Registry/DB:1\n"), &into)
	want := `f.yaml:3:8: images.api: image reference "registry.example.com/api" has neither a tag nor a digest, so it would mean :latest
f.yaml:4:7: images.db: invalid image reference "Registry/DB:1": want [host[:port]/]path[:tag][@digest], the path in lowercase`
	if fmt.Sprint(err) != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}
