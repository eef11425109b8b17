package svcn

import (
	"encoding/json"
	"fmt"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// benchSizes are the svcN sizes of the in-process benchmarks.
var benchSizes = []int{10, 100, 1000}

// BenchmarkSynth times app.Render of svcN: synthesis in memory, without the
// disk. The tree is built once, outside the timing (BenchmarkBuild times
// that); Render leaves the typed objects unchanged, so every iteration
// renders the same input.
func BenchmarkSynth(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			app := constructs.NewApp(constructs.AppProps{})
			Build(app, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := app.Render(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(5*n), "ns/object")
		})
	}
}

// BenchmarkJSONMarshal is the baseline for BenchmarkSynth: encoding/json
// alone on the same typed objects, one Marshal per object as Render does.
// Render's goal is to stay within 2.5× of it at N=1000.
func BenchmarkJSONMarshal(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			objects := Objects(n)
			b.ReportAllocs()
			for b.Loop() {
				for _, o := range objects {
					if _, err := json.Marshal(o); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(5*n), "ns/object")
		})
	}
}

// BenchmarkBuild times constructing the svcN tree, the part of a run that
// BenchmarkSynth leaves out.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Build(constructs.NewApp(constructs.AppProps{}), n)
			}
		})
	}
}
