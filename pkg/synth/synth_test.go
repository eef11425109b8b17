package synth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// configDir writes environment files into a new directory.
func configDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	stagingYAML = `team: blue
images:
  hello: registry.example.com/hello:1.1
hello:
  namespace: hello-staging
  message: hi
widgets:
  namespace: widgets
  size: 2
`
	productionYAML = `team: blue
images:
  hello: registry.example.com/hello:1.0
hello:
  namespace: hello
  message: hello
`
)

func synthesize(t *testing.T, dir string, opts synth.Options, apps ...synth.Registration[shared]) (*synth.Output, error) {
	t.Helper()
	opts.ConfigDir = dir
	return synth.Synthesize(context.Background(), apps, opts)
}

func fileNames(files []constructs.File) []string {
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	return names
}

func TestSynthesize(t *testing.T) {
	dir := configDir(t, map[string]string{"staging.yaml": stagingYAML, "production.yaml": productionYAML})
	out, err := synthesize(t, dir, synth.Options{}, hello, widgets)
	if err != nil {
		t.Fatal(err)
	}
	// Environments in file-name order; an app only where its section is.
	if got, want := fileNames(out.Files()), []string{"production/namespaces.k8s.yaml", "production/hello.k8s.yaml", "staging/namespaces.k8s.yaml", "staging/hello.k8s.yaml", "staging/widgets.k8s.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if got := out.Envs[0].Apps; !slices.Equal(got, []string{"hello"}) {
		t.Errorf("production deploys %q, want hello only", got)
	}
	staging := string(out.Envs[1].Files[1].Data)
	for _, want := range []string{"image: registry.example.com/hello:1.1", "message: hi", "env: staging", "team: blue", "namespace: hello-staging"} {
		if !strings.Contains(staging, want) {
			t.Errorf("staging/hello.k8s.yaml lacks %q:\n%s", want, staging)
		}
	}
	// The app's scheme knows its typed custom resource; its cluster-scoped
	// kind gets no namespace.
	w := string(out.Envs[1].Files[2].Data)
	if !strings.Contains(w, "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: widgets\nspec:\n  size: 2\n") ||
		!strings.Contains(w, "kind: ClusterWidget\nmetadata:\n  name: everywhere\n") {
		t.Errorf("widgets.k8s.yaml:\n%s", w)
	}
	if out.Partial {
		t.Error("a full run is partial")
	}
}

func TestSynthesizeChoices(t *testing.T) {
	dir := configDir(t, map[string]string{"staging.yaml": stagingYAML, "production.yaml": productionYAML})
	tests := []struct {
		name  string
		opts  synth.Options
		files []string
		err   error
	}{
		{"one environment", synth.Options{Envs: []string{"staging"}}, []string{"staging/namespaces.k8s.yaml", "staging/hello.k8s.yaml", "staging/widgets.k8s.yaml"}, nil},
		{"one app", synth.Options{Apps: []string{"widgets"}}, []string{"staging/widgets.k8s.yaml"}, nil},
		{"both, named twice", synth.Options{Envs: []string{"staging", "staging"}, Apps: []string{"hello"}}, []string{"staging/hello.k8s.yaml"}, nil},
		{"unknown app", synth.Options{Apps: []string{"helo"}}, nil, synth.ErrUnknownApp},
		{"unknown environment", synth.Options{Envs: []string{"prod"}}, nil, synth.ErrUnknownEnvironment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := synthesize(t, dir, tt.opts, hello, widgets)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if got := fileNames(out.Files()); !slices.Equal(got, tt.files) {
				t.Errorf("files %q, want %q", got, tt.files)
			}
			if !out.Partial {
				t.Error("a run of some environments or apps is not partial")
			}
		})
	}
}

func TestSynthesizeProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		apps  []synth.Registration[shared]
		want  []string
		is    error
	}{
		{
			name:  "missing image names the file",
			files: map[string]string{"qa.yaml": "images:\n  other: registry.example.com/other:1\nhello:\n  namespace: qa\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{"environment qa: app hello: missing image: ", "qa.yaml: images.hello is not set (images: other)"},
			is:    synth.ErrMissingImage,
		},
		{
			name:  "missing image, no images at all",
			files: map[string]string{"qa.yaml": "hello:\n  namespace: qa\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{"qa.yaml: images.hello is not set (the file has no images)"},
		},
		{
			name:  "images are checked as bump checks them",
			files: map[string]string{"qa.yaml": "images:\n  hello: registry.example.com/hello\nhello:\n  namespace: qa\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{"qa.yaml:2:10: images.hello: image reference \"registry.example.com/hello\" has neither a tag nor a digest"},
		},
		{
			name:  "typo in a section, with a suggestion",
			files: map[string]string{"qa.yaml": "hello:\n  namespace: qa\n  mesage: x\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{`qa.yaml:3:3: hello: unknown field "mesage" (did you mean "message"?)`},
		},
		{
			name:  "a section of an app not registered",
			files: map[string]string{"qa.yaml": "helo:\n  namespace: qa\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{`qa.yaml:1:1: unknown field "helo" (did you mean "hello"?)`},
		},
		{
			name:  "the app's own validation, at the line",
			files: map[string]string{"qa.yaml": "hello:\n  namespace: qa\n  replicas: -2\n"},
			apps:  []synth.Registration[shared]{hello},
			want:  []string{"qa.yaml:2:3: hello: replicas must not be negative, got -2"},
		},
		{
			name:  "secrets only where allowed, types only where registered",
			files: map[string]string{"qa.yaml": "vault: {}\nleaky: {}\n"},
			apps:  []synth.Registration[shared]{vault, leaky},
			want:  []string{"app leaky: synthesis failed: 2 problems", "leaky/token: plain-text secret", "leaky/widget: type not registered"},
			is:    constructs.ErrPlainSecret,
		},
		{
			name:  "every environment reports its problems",
			files: map[string]string{"a.yaml": "broken: {}\n", "b.yaml": "broken: {}\n"},
			apps:  []synth.Registration[shared]{broken},
			want:  []string{"environment a: app broken: synthesis failed: 2 problems", "environment b: app broken", "broken/a: invalid name", "broken/b: invalid label"},
			is:    constructs.ErrInvalidName,
		},
		{
			name:  "two apps writing one file",
			files: map[string]string{"qa.yaml": "images: {hello: 'h:1'}\nhello: {namespace: a}\ncopycat: {namespace: b}\n"},
			apps:  []synth.Registration[shared]{hello, copycat},
			want:  []string{"apps hello and copycat both write qa/hello.k8s.yaml"},
			is:    constructs.ErrFileConflict,
		},
		{
			name:  "two apps defining one object",
			files: map[string]string{"qa.yaml": "images: {hello: 'h:1'}\nhello: {namespace: a}\ntwin: {namespace: a}\n"},
			apps:  []synth.Registration[shared]{hello, twin},
			want:  []string{"ConfigMap a/greeting is defined by app hello at hello/greeting and by app twin at twin/greeting"},
			is:    constructs.ErrDuplicateObject,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := synthesize(t, configDir(t, tt.files), synth.Options{}, tt.apps...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error is not %v: %v", tt.is, err)
			}
			var ce *config.Error
			if regexp.MustCompile(`\.yaml:\d`).MatchString(tt.want[0]) && !errors.As(err, &ce) {
				t.Errorf("a configuration problem is not a *config.Error: %#v", err)
			}
		})
	}
}

func TestRegistrationErrors(t *testing.T) {
	dir := configDir(t, map[string]string{"qa.yaml": "{}\n"})
	named := func(name string) synth.Registration[shared] { a := hello; a.Name = name; return a }
	tests := []struct {
		name string
		apps []synth.Registration[shared]
		want string
	}{
		{"empty name", []synth.Registration[shared]{named("")}, `app 1 has name ""`},
		{"upper case", []synth.Registration[shared]{named("Hello")}, `app 1 has name "Hello"`},
		{"twice", []synth.Registration[shared]{hello, hello}, "two apps are called hello"},
		{"images", []synth.Registration[shared]{named("images")}, "may not be called images"},
		{"namespaces", []synth.Registration[shared]{named("namespaces")}, "may not be called namespaces"},
		{"a field of the environment type", []synth.Registration[shared]{named("team")}, `section "team" is also a field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := synthesize(t, dir, synth.Options{}, tt.apps...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWritePartial(t *testing.T) {
	cfg := configDir(t, map[string]string{"staging.yaml": stagingYAML, "production.yaml": productionYAML})
	dist := filepath.Join(t.TempDir(), "dist")
	write := func(opts synth.Options) {
		t.Helper()
		out, err := synthesize(t, cfg, opts, hello, widgets)
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Write(dist, synth.WriteOptions{ConfigDir: cfg}); err != nil {
			t.Fatal(err)
		}
	}
	write(synth.Options{})
	stale := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dist, name), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale("staging/gone.k8s.yaml")
	stale("production/kept.k8s.yaml")

	// A run of one environment replaces that environment's folder.
	write(synth.Options{Envs: []string{"staging"}})
	if _, err := os.Stat(filepath.Join(dist, "staging/gone.k8s.yaml")); err == nil {
		t.Error("a run of staging kept a stale staging file")
	}
	if _, err := os.Stat(filepath.Join(dist, "production/kept.k8s.yaml")); err != nil {
		t.Error("a run of staging lost a production file")
	}
	// A run of one app replaces that app's files only.
	stale("staging/gone.k8s.yaml")
	write(synth.Options{Apps: []string{"widgets"}})
	for _, name := range []string{"staging/gone.k8s.yaml", "staging/hello.k8s.yaml", "production/hello.k8s.yaml", "staging/widgets.k8s.yaml"} {
		if _, err := os.Stat(filepath.Join(dist, name)); err != nil {
			t.Errorf("a run of widgets lost %s", name)
		}
	}
	// A full run leaves nothing stale.
	write(synth.Options{})
	if _, err := os.Stat(filepath.Join(dist, "production/kept.k8s.yaml")); err == nil {
		t.Error("a full run kept a stale file")
	}

	out, _ := synthesize(t, cfg, synth.Options{}, hello)
	if err := out.Write(filepath.Dir(cfg), synth.WriteOptions{ConfigDir: cfg}); !errors.Is(err, synth.ErrOutdirHoldsConfig) {
		t.Errorf("writing over the configuration: %v", err)
	}
}

func TestDiff(t *testing.T) {
	cfg := configDir(t, map[string]string{"staging.yaml": stagingYAML, "production.yaml": productionYAML})
	dist := filepath.Join(t.TempDir(), "dist")
	out, err := synthesize(t, cfg, synth.Options{}, hello, widgets)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := out.Diff(dist)
	if err != nil || len(changes) != 7 {
		t.Fatalf("against nothing: %d changes, %v; want 7 added", len(changes), err)
	}
	if err := out.Write(dist, synth.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if changes, err := out.Diff(dist); err != nil || len(changes) != 0 {
		t.Fatalf("against itself: %v, %v", changes, err)
	}

	// A checkout: kept files and other environments do not count.
	changed := strings.Replace(stagingYAML, "message: hi", "message: hey", 1)
	cfg2 := configDir(t, map[string]string{"staging.yaml": changed, "production.yaml": productionYAML})
	for _, f := range []string{"flux-system/gotk-sync.yaml", "clusters/staging/flux-system/gotk-sync.yaml", ".sops.yaml", "kustomization.yaml"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dist, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dist, f), []byte("not: kubernetes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err = synthesize(t, cfg2, synth.Options{Envs: []string{"staging"}}, hello, widgets)
	if err != nil {
		t.Fatal(err)
	}
	changes, err = out.Diff(dist)
	if err != nil || len(changes) != 1 || changes[0].ID.String() != "ConfigMap hello-staging/greeting" {
		t.Fatalf("changes %v, %v; want the staging greeting", changes, err)
	}
	if d := changes[0].UnifiedDiff(); !strings.Contains(d, "-  message: hi\n+  message: hey\n") {
		t.Errorf("diff:\n%s", d)
	}
}

func TestNamespaces(t *testing.T) {
	const images = "images: {hello: 'registry.example.com/hello:1'}\n"
	tests := []struct {
		name string
		file string
		apps []synth.Registration[shared]
		want string // the namespaces file, "" for none
	}{
		{
			name: "one per namespace, once for two apps",
			file: images + "hello: {namespace: a}\nwidgets: {namespace: a}\nvault: {}\n",
			apps: []synth.Registration[shared]{hello, widgets, vault},
			want: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: vault\n",
		},
		{
			name: "declared by an app: not written again",
			file: "declarer: {}\n",
			apps: []synth.Registration[shared]{declarer},
			want: "",
		},
		{
			name: "external, with labels on the rest",
			file: images + "namespaces:\n  external: [a]\n  labels: {pod-security.kubernetes.io/enforce: restricted}\nhello: {namespace: a}\nwidgets: {namespace: b}\n",
			apps: []synth.Registration[shared]{hello, widgets},
			want: "apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n  name: b\n",
		},
		{
			name: "none at all",
			file: images + "namespaces: {create: false}\nhello: {namespace: a}\n",
			apps: []synth.Registration[shared]{hello},
			want: "",
		},
		{
			name: "the GitOps controllers' namespaces are theirs",
			file: images + "hello: {namespace: flux-system}\n",
			apps: []synth.Registration[shared]{hello},
			want: "",
		},
		{
			name: "every cluster has kube-system",
			file: images + "hello: {namespace: kube-system}\n",
			apps: []synth.Registration[shared]{hello},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := synthesize(t, configDir(t, map[string]string{"qa.yaml": tt.file}), synth.Options{}, tt.apps...)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, f := range out.Files() {
				if f.Name == "qa/"+synth.NamespacesFile {
					got = string(f.Data)
				}
			}
			if got != tt.want {
				t.Errorf("namespaces file:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	// A namespace file that an app writes itself clashes.
	_, err := synthesize(t, configDir(t, map[string]string{"qa.yaml": "squatter: {}\n"}), synth.Options{}, squatter)
	if !errors.Is(err, constructs.ErrDuplicateID) {
		t.Errorf("an app with a chart called namespaces: %v", err)
	}
}

func TestLayersAndEntryPoint(t *testing.T) {
	const file = "images: {hello: 'registry.example.com/hello:1'}\nhello: {namespace: a}\noperator: {}\nflux:\n  path: clusters-of-the-platform/..\n"
	_, err := synthesize(t, configDir(t, map[string]string{"qa.yaml": file}), synth.Options{}, hello, operator)
	if err == nil || !strings.Contains(err.Error(), `qa.yaml:5:3: flux: path "clusters-of-the-platform/..": want a clean path`) {
		t.Errorf("an unclean flux.path: %v", err)
	}

	cfg := configDir(t, map[string]string{
		"qa.yaml":   "images: {hello: 'registry.example.com/hello:1'}\nhello: {namespace: a}\noperator: {}\nflux:\n  path: platform\n  wait: false\n",
		"prod.yaml": "images: {hello: 'registry.example.com/hello:1'}\nhello: {namespace: b}\n",
	})
	out, err := synthesize(t, cfg, synth.Options{}, hello, operator)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"prod/namespaces.k8s.yaml", "prod/hello.k8s.yaml",
		"infrastructure/qa/namespaces.k8s.yaml", "qa/hello.k8s.yaml", "infrastructure/qa/operator.k8s.yaml", "clusters/qa/tsumiki.k8s.yaml",
	}
	if got := fileNames(out.Files()); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	m := synthtest.Parse(t, out)
	infra, apps := m.Get(t, "Kustomization", "infrastructure"), m.Get(t, "Kustomization", "apps")
	for _, c := range []struct {
		k          *synthtest.Object
		path, deps any
	}{{infra, "./platform/infrastructure/qa", nil}, {apps, "./platform/qa", "infrastructure"}} {
		if c.k.Namespace != "flux-system" || c.k.Field("spec.path") != c.path || c.k.Field("spec.dependsOn[0].name") != c.deps ||
			c.k.Field("spec.sourceRef.name") != "flux-system" || c.k.Field("spec.wait") != nil || c.k.Field("spec.prune") != true {
			t.Errorf("Kustomization %s:\n%s", c.k.Name, c.k.YAML)
		}
	}
	// Both namespaces are written before either layer needs them.
	if ns := m.OfKind("Namespace"); len(ns) != 3 || ns[1].File != "infrastructure/qa/namespaces.k8s.yaml" {
		t.Errorf("namespaces %v", ns)
	}

	// A run of qa owns all of qa's folders, and none of prod's.
	out, err = synthesize(t, cfg, synth.Options{Envs: []string{"qa"}}, hello, operator)
	if err != nil {
		t.Fatal(err)
	}
	for name, owned := range map[string]bool{"qa/x.k8s.yaml": true, "infrastructure/qa/x.k8s.yaml": true, "clusters/qa/x.k8s.yaml": true, "prod/x.k8s.yaml": false, "clusters/prod/x.k8s.yaml": false, "crds/prod/x.k8s.yaml": false} {
		if out.Owns(name) != owned {
			t.Errorf("Owns(%s) = %v", name, !owned)
		}
	}
}

func TestReservedNames(t *testing.T) {
	for _, env := range []string{"clusters", "infrastructure", "crds"} {
		_, err := synthesize(t, configDir(t, map[string]string{env + ".yaml": "{}\n"}), synth.Options{}, hello)
		if err == nil || !strings.Contains(err.Error(), "may not be called "+env) {
			t.Errorf("environment %s: %v", env, err)
		}
	}
	bad := operator
	bad.Layer = "middleware"
	if _, err := synthesize(t, configDir(t, map[string]string{"qa.yaml": "{}\n"}), synth.Options{}, bad); !errors.Is(err, synth.ErrRegistration) {
		t.Errorf("an unknown layer: %v", err)
	}
}
