package index_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
)

// bigIndex is an index of charts×versions entries in Helm's layout, each
// entry as `helm repo index` writes a chart with a description,
// maintainers, keywords and an annotation (~600 bytes).
func bigIndex(charts, versions int) []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nentries:\n")
	for c := range charts {
		fmt.Fprintf(&b, "  chart-%04d:\n", c)
		for v := versions - 1; v >= 0; v-- {
			fmt.Fprintf(&b, `  - annotations:
      category: Infrastructure
    apiVersion: v2
    appVersion: 1.%[2]d.0
    created: "2024-01-02T03:04:05.123456789Z"
    description: A Helm chart for Kubernetes, number %[1]d, with a description long
      enough to be folded by the YAML emitter.
    digest: %064[3]x
    home: https://example.com/charts
    keywords:
    - web
    - http
    maintainers:
    - email: team@example.com
      name: Platform Team
    name: chart-%04[1]d
    sources:
    - https://github.com/example/charts
    type: application
    urls:
    - https://charts.example.com/chart-%04[1]d-1.%[2]d.0.tgz
    version: 1.%[2]d.0
`, c, v, c*versions+v)
		}
	}
	b.WriteString("generated: \"2024-01-02T03:04:05.123456789Z\"\n")
	return b.Bytes()
}

// newPackage packages a small chart chart-0007 1.999.0 into dir.
func newPackage(b *testing.B, dir string) *archive.Archive {
	b.Helper()
	src := b.TempDir()
	files := charttest.Chart("chart-0007", "1.999.0")
	charttest.WriteFiles(b, src, files)
	res, err := archive.Package(context.Background(), archive.Options{Dir: src, OutDir: dir, ModTime: chartTime})
	if err != nil {
		b.Fatal(err)
	}
	return res.Archive
}

// BenchmarkMerge merges one package into a published index of 20,000
// entries (400 charts × 50 versions): read the index file, merge,
// write the result, as `tsumiki chart index` does.
//
//	go test ./pkg/chart/index -run '^$' -bench 'Merge' -benchtime 10x
func BenchmarkMerge(b *testing.B) {
	dir := b.TempDir()
	published := filepath.Join(dir, "published.yaml")
	big := bigIndex(400, 50)
	if err := os.WriteFile(published, big, 0o644); err != nil {
		b.Fatal(err)
	}
	p := newPackage(b, b.TempDir())
	out := filepath.Join(dir, "index.yaml")
	b.ResetTimer()
	for b.Loop() {
		data, err := os.ReadFile(published)
		if err != nil {
			b.Fatal(err)
		}
		res, err := index.Merge(data, []*archive.Archive{p}, index.Options{URL: "https://charts.example.com", Generated: commitTime})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Added) != 1 {
			b.Fatalf("added %v", res.Added)
		}
		if err := os.WriteFile(out, res.Index, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(big))/1e6, "index-MB")
}

// BenchmarkMergeHelmCLI is the same merge by `helm repo index --merge`, the
// helm CLI as a process, for comparison.
func BenchmarkMergeHelmCLI(b *testing.B) {
	helm := charttest.NewHelm(b)
	dir := b.TempDir()
	published := filepath.Join(dir, "published.yaml")
	if err := os.WriteFile(published, bigIndex(400, 50), 0o644); err != nil {
		b.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	newPackage(b, repo)
	b.ResetTimer()
	for b.Loop() {
		helm.Run(b, "", "repo", "index", repo, "--url", "https://charts.example.com", "--merge", published)
	}
}
