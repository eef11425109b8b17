package apps_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const configDir = "../config"

func build(t *testing.T, env string) *constructs.App {
	t.Helper()
	file, err := config.File(configDir, env)
	if err != nil {
		t.Fatal(err)
	}
	e := &apps.Environment{Name: env, File: file}
	if err := config.Load(file, e); err != nil {
		t.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{})
	for _, a := range apps.All() {
		if err := a.Add(app, e); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
	}
	return app
}

// TestGolden pins the whole output of every app in every environment of
// config/. After an intended change, run `go test ./apps -update` and read
// the diff as a reviewer of the manifests would.
func TestGolden(t *testing.T) {
	envs, err := config.Environments(configDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) < 2 {
		t.Fatalf("environments = %v, want staging and production at least", envs)
	}
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			out, err := build(t, env).Render()
			if err != nil {
				t.Fatal(err)
			}
			// Every golden file must still be produced: a chart that is gone
			// leaves none behind.
			goldens, err := filepath.Glob(filepath.Join("testdata", env, "*"))
			if err != nil {
				t.Fatal(err)
			}
			produced := map[string]bool{}
			for _, f := range out.Files {
				produced[filepath.Join("testdata", env, filepath.FromSlash(f.Name))] = true
			}
			for _, g := range goldens {
				if !produced[g] {
					if *update {
						os.Remove(g)
						continue
					}
					t.Errorf("%s is no longer produced; run go test ./apps -update", g)
				}
			}
			for _, f := range out.Files {
				golden := filepath.Join("testdata", env, filepath.FromSlash(f.Name))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(f.Data, want) {
					t.Errorf("%s differs from %s; run go test ./apps -update and review the diff", path.Join(env, f.Name), golden)
				}
			}
		})
	}
}

// TestEnvironmentsDiffer checks the configuration reaches the output: the
// same apps, sized and imaged per environment.
func TestEnvironmentsDiffer(t *testing.T) {
	deployment := func(env, file, name string) *appsv1.Deployment {
		t.Helper()
		out, err := build(t, env).Render()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Files {
			if f.Name != file {
				continue
			}
			for _, doc := range strings.Split(string(f.Data), "---\n") {
				var d appsv1.Deployment
				if err := yaml.UnmarshalStrict([]byte(doc), &d); err == nil && d.Kind == "Deployment" && d.Name == name {
					return &d
				}
			}
		}
		t.Fatalf("%s: no Deployment %s in %s", env, name, file)
		return nil
	}
	staging, production := deployment("staging", "worker.k8s.yaml", "worker"), deployment("production", "worker.k8s.yaml", "worker")
	if *staging.Spec.Replicas != 1 || *production.Spec.Replicas != 4 {
		t.Errorf("worker replicas: staging %d, production %d", *staging.Spec.Replicas, *production.Spec.Replicas)
	}
	if staging.Namespace == production.Namespace {
		t.Error("both environments use one namespace")
	}
	if staging.Spec.Template.Spec.Containers[0].Image == production.Spec.Template.Spec.Containers[0].Image {
		t.Error("the image references of config/ do not reach the output")
	}
}

func TestMissingImageNamesTheFile(t *testing.T) {
	e := &apps.Environment{Name: "x", File: "config/x.yaml", Images: map[string]string{"redis": "redis:7"}}
	_, err := e.Image("worker")
	if err == nil || !strings.Contains(err.Error(), "config/x.yaml: images.worker is not set (images: redis)") {
		t.Errorf("err = %v", err)
	}
}

func TestAppsOnlyWhereConfigured(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	e := &apps.Environment{Name: "empty", File: "config/empty.yaml"}
	for _, a := range apps.All() {
		if err := a.Add(app, e); err != nil {
			t.Fatal(err)
		}
	}
	if charts := app.Charts(); len(charts) != 0 {
		t.Errorf("an environment without sections got %d charts", len(charts))
	}
	var ce *config.Error
	if err := config.Decode("config/bad.yaml", []byte("images: {}\nguestbook:\n  namespace: x\n"), &apps.Environment{}); !errors.As(err, &ce) || !strings.Contains(err.Error(), `missing required field "host"`) {
		t.Errorf("a guestbook section without host: err = %v", err)
	}
}
