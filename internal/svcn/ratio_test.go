package svcn

import (
	"encoding/json"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// BenchmarkRenderVsJSON alternates, within every iteration, Render of
// svc1000 and encoding/json.Marshal of the same 5,000 typed objects, and
// reports the ratio of their times. Alternating keeps the two under the same
// conditions on a machine whose speed drifts, which separate benchmarks
// cannot. Goal: ratio ≤ 2.5.
func BenchmarkRenderVsJSON(b *testing.B) {
	const n = 1000
	app := constructs.NewApp(constructs.AppProps{})
	Build(app, n)
	objects := Objects(n)
	var render, marshal time.Duration
	for b.Loop() {
		start := time.Now()
		for _, o := range objects {
			if _, err := json.Marshal(o); err != nil {
				b.Fatal(err)
			}
		}
		marshal += time.Since(start)
		start = time.Now()
		if _, err := app.Render(); err != nil {
			b.Fatal(err)
		}
		render += time.Since(start)
	}
	b.ReportMetric(float64(render.Nanoseconds())/float64(b.N)/1e6, "render-ms")
	b.ReportMetric(float64(marshal.Nanoseconds())/float64(b.N)/1e6, "json-ms")
	b.ReportMetric(float64(render)/float64(marshal), "ratio")
}
