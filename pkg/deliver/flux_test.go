package deliver_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
)

// ns is a Namespace manifest.
func ns(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
}

// with returns files with more added (an empty value removes a file).
func with(files map[string]string, more map[string]string) map[string]string {
	out := maps.Clone(files)
	for k, v := range more {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// A manifests repository managed at clusters/prod with no Flux entry point
// in it: sync builds the managed path. The fixture has no .sourceignore.
var plainRepo = map[string]string{
	"README.md":                  "# manifests\n",
	".gitlab-ci.yml":             "stages: [lint]\n",
	"clusters/prod/app.k8s.yaml": cm("app", "v1"),
}

// TestFluxRefusesWhatFluxCannotBuild: every case Flux's kustomize-controller
// refuses to build (or would silently leave out) after the change, with a
// real repository; and the neighbouring cases it accepts.
func TestFluxRefusesWhatFluxCannotBuild(t *testing.T) {
	const yamllint = "extends: default\nrules:\n  line-length: disable\n"
	const sops = "creation_rules:\n  - path_regex: .*\\.yaml\n    age: age1example\n"
	tests := []struct {
		name      string
		repo      map[string]string // added to plainRepo
		dist      map[string]string // nil: app and extra
		fluxPaths []string
		allowJSON bool
		// want is the refusal: the error's type, the file it names and
		// what its message says; "" for none.
		want, file, says string
	}{
		{name: "a clean change builds"},
		{
			name: "a kept dotfile YAML that is not Kubernetes",
			repo: map[string]string{"clusters/prod/.yamllint.yaml": yamllint},
			want: "build", file: "clusters/prod/.yamllint.yaml",
			says: "BuildFailed: failed to decode Kubernetes YAML from clusters/prod/.yamllint.yaml: missing Resource metadata",
		},
		{
			name: "a kept .sops.yaml, left out by source-controller's defaults",
			repo: map[string]string{"clusters/prod/.sops.yaml": sops},
		},
		{
			name: "a .sourceignore anywhere switches the defaults off: .sops.yaml",
			repo: map[string]string{"clusters/prod/.sops.yaml": sops, "docs/.sourceignore": "*.md\n"},
			want: "build", file: "clusters/prod/.sops.yaml",
			says: "failed to decode Kubernetes YAML from clusters/prod/.sops.yaml",
		},
		{
			name: "a .sourceignore anywhere switches the defaults off: .gitlab-ci.yml",
			repo: map[string]string{"clusters/prod/.gitlab-ci.yml": "lint:\n  script: [yamllint .]\n", ".sourceignore": "README.md\n"},
			want: "build", file: "clusters/prod/.gitlab-ci.yml",
			says: "failed to decode Kubernetes YAML from clusters/prod/.gitlab-ci.yml",
		},
		{
			name: "a .sourceignore that ignores the file",
			repo: map[string]string{"clusters/prod/.yamllint.yaml": yamllint, ".sourceignore": ".yamllint.yaml\n"},
		},
		{
			name: "a .json manifest Flux would not apply",
			dist: map[string]string{"app.k8s.yaml": cm("app", "v2"), "extra.json": `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"demo"}}`},
			want: "json", file: "clusters/prod/extra.json",
			says: "Flux would not apply clusters/prod/extra.json: in clusters/prod, which has no kustomization.yaml",
		},
		{
			name:      "a .json manifest, allowed",
			dist:      map[string]string{"app.k8s.yaml": cm("app", "v2"), "extra.json": `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"demo"}}`},
			allowJSON: true,
		},
		{
			name: "a .json manifest a kustomization.yaml lists",
			repo: map[string]string{"clusters/prod/raw/kustomization.yaml": "resources: [extra.json]\n"},
			dist: map[string]string{"app.k8s.yaml": cm("app", "v2"), "raw/extra.json": `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"demo"}}`},
		},
		{
			name: "an object dist defines that a kept file defines too",
			repo: map[string]string{"clusters/prod/flux-system/extra.yaml": cm("app", "v0")},
			want: "build", file: "clusters/prod/flux-system/extra.yaml",
			says: "BuildFailed: kustomize build failed: accumulating resources: accumulation err='merging resources from './flux-system/extra.yaml': may not add resource with an already registered id: ConfigMap.v1.[noGrp]/app.demo'",
		},
		{
			name:      "a path given: it is built instead of the managed path",
			repo:      map[string]string{"clusters/staging/.yamllint.yaml": yamllint, "clusters/prod/.yamllint.yaml": yamllint, ".sourceignore": "/clusters/prod/.yamllint.yaml\n"},
			fluxPaths: []string{"./clusters/staging"},
			want:      "build", file: "clusters/staging/.yamllint.yaml",
			says: "Flux cannot build clusters/staging: BuildFailed: failed to decode Kubernetes YAML from clusters/staging/.yamllint.yaml",
		},
		{
			name:      "a path given that does not exist",
			fluxPaths: []string{"clusters/qa"},
			want:      "artifact",
			says:      "Flux cannot build clusters/qa: ArtifactFailed: kustomization path not found: stat clusters/qa: no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorldOf(t, with(plainRepo, tt.repo))
			cfg := w.cfg
			if tt.dist != nil {
				cfg.Dist = writeDist(t, tt.dist)
			}
			cfg.FluxPaths, cfg.AllowJSON = tt.fluxPaths, tt.allowJSON
			before := w.snapshot(t)
			res, _, err := w.sync(t, cfg)
			var build *deliver.FluxBuildError
			var json *deliver.UnappliedJSONError
			switch tt.want {
			case "":
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != deliver.StatusOpened || len(res.Flux) == 0 {
					t.Errorf("result = %+v", res)
				}
				return
			case "build", "artifact":
				if !errors.As(err, &build) {
					t.Fatalf("err = %v, want a *FluxBuildError", err)
				}
				reason := map[string]string{"build": deliver.ReasonBuildFailed, "artifact": deliver.ReasonArtifactFailed}[tt.want]
				if build.Reason != reason || build.File != tt.file {
					t.Errorf("refusal = %+v, want reason %s and file %q", build, reason, tt.file)
				}
			case "json":
				if !errors.As(err, &json) || !slices.Equal(json.Files, []string{tt.file}) {
					t.Fatalf("err = %v, want an *UnappliedJSONError for %s", err, tt.file)
				}
			}
			if !errors.Is(err, deliver.ErrRefused) || res.Status != deliver.StatusRefused {
				t.Errorf("err = %v, status %s: want ErrRefused", err, res.Status)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.says)
			}
			if strings.Contains(err.Error(), "tsumiki-flux-") {
				t.Errorf("the error shows the temporary directory: %v", err)
			}
			// Refused before any commit: nothing pushed, no merge request.
			if w.snapshot(t) != before || w.pushes() != 0 || res.Branch != "" || res.Commit != "" {
				t.Errorf("the repository changed, or a commit was made: %+v", res)
			}
			if n := len(w.api.MergeRequests(w.project.ID)); n != 0 {
				t.Errorf("%d merge requests", n)
			}
		})
	}
}

// An entry point as synth writes it: clusters/dev/tsumiki.k8s.yaml with a
// Kustomization per layer, and the flux-system/ that bootstrap committed.
const entryPoint = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infrastructure
  namespace: flux-system
spec:
  interval: 10m
  path: ./infrastructure/dev
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  dependsOn:
    - name: infrastructure
  interval: 10m
  path: ./dev
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`

// gotkSync is bootstrap's gotk-sync.yaml; ignore, when not empty, is the
// GitRepository's spec.ignore.
func gotkSync(ignore string) string {
	spec := ""
	if ignore != "" {
		spec = "  ignore: |\n    " + strings.ReplaceAll(strings.TrimSpace(ignore), "\n", "\n    ") + "\n"
	}
	return `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
` + spec + `  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: https://gitlab.example.com/platform/manifests.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/dev
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`
}

// TestFluxBuildsWhatTheEntryPointApplies: with an entry point, sync builds
// the folder of every Kustomization under clusters/, each with its spec,
// and the entry point folder, after the filter of the GitRepository they
// apply from.
func TestFluxBuildsWhatTheEntryPointApplies(t *testing.T) {
	const sops = "creation_rules:\n  - age: age1example\n"
	dist := map[string]string{
		"clusters/dev/tsumiki.k8s.yaml":          entryPoint,
		"infrastructure/dev/namespaces.k8s.yaml": ns("demo"),
		"dev/app.k8s.yaml":                       cm("app", "v2"),
	}
	base := map[string]string{
		"README.md":     "# manifests\n",
		".sourceignore": "README.md\n",
		"clusters/dev/flux-system/gotk-sync.yaml":     gotkSync("**/.sops.yaml"),
		"clusters/dev/flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gotk-sync.yaml]\n",
		"dev/.sops.yaml": sops,
	}
	tests := []struct {
		name       string
		repo, dist map[string]string
		want       []deliver.FluxBuild
		refused    string
	}{
		{
			name: "every path, the GitRepository's spec.ignore honoured",
			want: []deliver.FluxBuild{
				{Path: "clusters/dev", Kustomization: "flux-system/flux-system", Objects: 4},
				{Path: "infrastructure/dev", Kustomization: "flux-system/infrastructure", Objects: 1},
				{Path: "dev", Kustomization: "flux-system/apps", Objects: 1},
			},
		},
		{
			name:    "without spec.ignore, the .sourceignore leaves .sops.yaml in",
			repo:    map[string]string{"clusters/dev/flux-system/gotk-sync.yaml": gotkSync("")},
			refused: "Flux cannot build dev (Kustomization flux-system/apps): BuildFailed: failed to decode Kubernetes YAML from dev/.sops.yaml",
		},
		{
			name:    "a Kustomization's own spec applies: a component it lacks",
			dist:    map[string]string{"clusters/dev/tsumiki.k8s.yaml": strings.Replace(entryPoint, "  path: ./dev\n", "  path: ./dev\n  components: [../components/tracing]\n", 1)},
			refused: "Flux cannot build dev (Kustomization flux-system/apps): BuildFailed: kustomize build failed: ",
		},
		{
			name:    "a Kustomization whose path the change does not hold",
			dist:    map[string]string{"clusters/dev/tsumiki.k8s.yaml": strings.Replace(entryPoint, "./dev", "./staging", 1)},
			refused: "Flux cannot build staging (Kustomization flux-system/apps): ArtifactFailed: kustomization path not found: stat staging: no such file or directory",
		},
		{
			name:    "a stray file in the entry point folder",
			repo:    map[string]string{"clusters/dev/.yamllint.yaml": "extends: default\n"},
			refused: "Flux cannot build clusters/dev (Kustomization flux-system/flux-system): BuildFailed: failed to decode Kubernetes YAML from clusters/dev/.yamllint.yaml: missing Resource metadata",
		},
		{
			name: "bootstrap's Sync not in git: the entry point folder is built all the same",
			repo: map[string]string{"clusters/dev/flux-system/gotk-sync.yaml": "", "clusters/dev/flux-system/kustomization.yaml": "", "dev/.sops.yaml": ""},
			want: []deliver.FluxBuild{
				{Path: "infrastructure/dev", Kustomization: "flux-system/infrastructure", Objects: 1},
				{Path: "dev", Kustomization: "flux-system/apps", Objects: 1},
				{Path: "clusters/dev", Objects: 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorldOf(t, with(base, tt.repo))
			cfg := w.cfg
			cfg.Path = ""
			cfg.Dist = writeDist(t, with(dist, tt.dist))
			res, _, err := w.sync(t, cfg)
			if tt.refused != "" {
				var build *deliver.FluxBuildError
				if !errors.As(err, &build) || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("err = %v\nwant a *FluxBuildError saying %q", err, tt.refused)
				}
				if w.pushes() != 0 {
					t.Error("pushed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Flux, tt.want) {
				t.Errorf("built %+v\nwant %+v", res.Flux, tt.want)
			}
		})
	}
}

// TestFluxCheckOnDryRun: a dry run refuses what Flux would refuse, and
// writes nothing.
func TestFluxCheckOnDryRun(t *testing.T) {
	w := newWorldOf(t, with(plainRepo, map[string]string{"clusters/prod/.yamllint.yaml": "extends: default\n"}))
	cfg := w.cfg
	cfg.DryRun = true
	res, _, err := w.sync(t, cfg)
	var build *deliver.FluxBuildError
	if !errors.As(err, &build) || build.File != "clusters/prod/.yamllint.yaml" || res.Status != deliver.StatusRefused {
		t.Fatalf("err = %v, status %s; want a *FluxBuildError naming clusters/prod/.yamllint.yaml", err, res.Status)
	}
	if res.Files == nil || len(res.Changes) == 0 {
		t.Error("the plan is not reported")
	}
	for _, r := range w.api.Requests() {
		t.Errorf("GitLab was called: %v", r)
	}
}

func TestFluxPathsAreChecked(t *testing.T) {
	for _, p := range []string{"/clusters/prod", "../other", "a//b", ".git"} {
		cfg := deliver.Config{Repo: "file:///tmp/x", Base: "main", Dist: "dist", Mode: deliver.ModePush, FluxPaths: []string{p}}.WithDefaults()
		var ce *deliver.ConfigError
		if err := cfg.Validate(); !errors.As(err, &ce) || ce.Field != "FluxPaths" {
			t.Errorf("FluxPaths %q: err = %v, want a ConfigError for FluxPaths", p, err)
		}
	}
	cfg := deliver.Config{FluxPaths: []string{"./dev", ".", "./", "infra/dev/"}}.WithDefaults()
	if want := []string{"dev", "", "", "infra/dev"}; !slices.Equal(cfg.FluxPaths, want) {
		t.Errorf("FluxPaths = %q, want %q", cfg.FluxPaths, want)
	}
}
