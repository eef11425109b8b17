package constructs_test

import (
	"fmt"
	"log"

	corev1 "k8s.io/api/core/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// A minimal app: one chart, one object, rendered in memory (Synth would
// write the same files into AppProps.Outdir).
func Example() {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "hello", constructs.ChartProps{Namespace: "demo"})
	constructs.NewObject(chart, "config", &corev1.ConfigMap{Data: map[string]string{"greeting": "hi"}})
	out, err := app.Render()
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range out.Files {
		fmt.Printf("# %s\n%s", f.Name, f.Data)
	}
	// Output:
	// # hello.k8s.yaml
	// apiVersion: v1
	// kind: ConfigMap
	// metadata:
	//   name: hello-config-c8b499ef
	//   namespace: demo
	// data:
	//   greeting: hi
}
