package hello_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"gitlab.com/tsumiki/tsumiki/apps/hello"
	"gitlab.com/tsumiki/tsumiki/constructs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins the app's whole output; after an intended change, review
// the diff of `go test ./apps/hello -update`.
func TestGolden(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	hello.New(app, "hello", hello.Config{Namespace: "hello", Replicas: 2}, "nginxinc/nginx-unprivileged:1.27.3")
	out, err := app.Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 1 || out.Objects != 2 {
		t.Fatalf("got %d files, %d objects; want 1 file with a Deployment and a Service", len(out.Files), out.Objects)
	}
	golden := filepath.Join("testdata", out.Files[0].Name)
	if *update {
		if err := os.WriteFile(golden, out.Files[0].Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Files[0].Data, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", golden, out.Files[0].Data)
	}
}

// TestSelectorMatchesPods guards the one mistake the type system cannot
// catch: a Service or Deployment selector that selects no pod.
func TestSelectorMatchesPods(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	c := hello.New(app, "hello", hello.Config{Namespace: "x", Replicas: 1}, "img")
	pod := c.Deployment.Obj.Spec.Template.Labels
	for name, sel := range map[string]map[string]string{
		"deployment": c.Deployment.Obj.Spec.Selector.MatchLabels,
		"service":    c.Service.Obj.Spec.Selector,
	} {
		for k, v := range sel {
			if pod[k] != v {
				t.Errorf("%s selector %s=%s does not match the pod labels %v", name, k, v, pod)
			}
		}
	}
}
