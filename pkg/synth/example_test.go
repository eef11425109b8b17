package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// A repository's environment type, its settings shared by every app.
type Cluster struct {
	Domain string `json:"domain" config:"required"`
}

// An app's configuration: its section of each environment file.
type GreeterConfig struct {
	Namespace string `json:"namespace" config:"required"`
	Greeting  string `json:"greeting"`
}

// Greeter is registered once: its section, its build function.
var Greeter = synth.App[Cluster, GreeterConfig]{
	Name: "greeter",
	Build: func(app *constructs.App, env *synth.Env[Cluster], cfg GreeterConfig) {
		chart := constructs.NewChart(app, "greeter", constructs.ChartProps{Namespace: cfg.Namespace})
		constructs.NewObject(chart, "config", &corev1.ConfigMap{Data: map[string]string{
			"greeting": cfg.Greeting,
			"host":     "greeter." + env.Config.Domain,
			"image":    env.Image("greeter"),
		}})
	},
}

// A repository's cmd/synth is synth.Main(Greeter, ...); Synthesize is the
// engine under it.
func ExampleSynthesize() {
	dir, _ := os.MkdirTemp("", "config")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "staging.yaml"), []byte(`
domain: staging.example.com
images:
  greeter: registry.example.com/greeter:1.0
greeter:
  namespace: greeter
  greeting: hello
`), 0o644)

	out, err := synth.Synthesize(context.Background(), []synth.Registration[Cluster]{Greeter}, synth.Options{ConfigDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range out.Files() {
		fmt.Printf("# %s\n%s", f.Name, f.Data)
	}
	// Output:
	// # staging/namespaces.k8s.yaml
	// apiVersion: v1
	// kind: Namespace
	// metadata:
	//   name: greeter
	// # staging/greeter.k8s.yaml
	// apiVersion: v1
	// kind: ConfigMap
	// metadata:
	//   name: greeter-config-c8b30a8b
	//   namespace: greeter
	// data:
	//   greeting: hello
	//   host: greeter.staging.example.com
	//   image: registry.example.com/greeter:1.0
}
