package e2e_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// chartRepo is a Helm chart repository over HTTP: an index.yaml and the
// packaged charts it lists.
type chartRepo struct {
	URL string
}

// serveCharts packages the chart in dir as Helm does (a gzipped tar of
// <name>/…) and serves it with an index, as a static chart repository.
func serveCharts(t *testing.T, dir string) chartRepo {
	t.Helper()
	var meta struct {
		APIVersion  string `json:"apiVersion"`
		Name        string `json:"name"`
		Version     string `json:"version"`
		AppVersion  string `json:"appVersion"`
		Description string `json:"description"`
		Type        string `json:"type"`
	}
	chartYAML, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(chartYAML, &meta); err != nil {
		t.Fatalf("%s/Chart.yaml: %v", dir, err)
	}
	archive := packageChart(t, dir, meta.Name)
	sum := sha256.Sum256(archive)
	file := fmt.Sprintf("%s-%s.tgz", meta.Name, meta.Version)
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	index, err := yaml.Marshal(map[string]any{
		"apiVersion": "v1",
		"entries": map[string]any{meta.Name: []map[string]any{{
			"apiVersion": meta.APIVersion, "name": meta.Name, "version": meta.Version,
			"appVersion": meta.AppVersion, "description": meta.Description, "type": meta.Type,
			"created": created, "digest": hex.EncodeToString(sum[:]),
			// Relative to the repository's URL, as helm repo index writes
			// it without --url.
			"urls": []string{file},
		}}},
		"generated": created,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /index.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-yaml")
		w.Write(index)
	})
	mux.HandleFunc("GET /"+file, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(archive)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return chartRepo{URL: srv.URL}
}

// packageChart writes every file under dir into a gzipped tar under
// name/, in path order and with a fixed time, so the digest is stable.
func packageChart(t *testing.T, dir, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: path.Join(name, p), Mode: 0o644, Size: int64(len(data)), ModTime: mtime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		t.Fatalf("package %s: %v", dir, err)
	}
	return buf.Bytes()
}
