package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/s3"
)

const bucket = "charts-bucket"

var chartTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func packageChart(t *testing.T, name, version, values string) *archive.Archive {
	t.Helper()
	files := charttest.Chart(name, version)
	files["values.yaml"] = values
	return charttest.Package(t, files, chartTime)
}

// hook is a CDN invalidation endpoint that records what it is told.
type hook struct {
	mu    sync.Mutex
	calls [][]string
	auth  []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct{ Paths []string }
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, body.Paths)
	h.auth = append(h.auth, r.Header.Get("Authorization"))
	w.WriteHeader(http.StatusAccepted)
}

// publish merges pkgs into the bucket's index and publishes, as the
// command does.
func publish(t *testing.T, b s3.Bucket, pkgs []*archive.Archive, provs map[string][]byte, opts s3.Options) (*s3.Result, error) {
	t.Helper()
	read, err := b.ReadIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	merged, err := index.Merge(read.Data, pkgs, index.Options{Generated: chartTime})
	if err != nil {
		return nil, err
	}
	var files []s3.File
	for _, p := range pkgs {
		files = append(files, s3.File{Name: p.FileName(), Data: p.Data})
		if prov := provs[p.FileName()]; prov != nil {
			files = append(files, s3.File{Name: p.FileName() + provenance.Extension, Data: prov})
		}
	}
	var newIndex []byte
	if merged.Changed {
		newIndex = merged.Index
	}
	return b.Publish(context.Background(), files, read, newIndex, opts)
}

func TestPublish(t *testing.T) {
	fake := charttest.NewS3(t, bucket)
	b := s3.Bucket{Client: fake.Client, Name: bucket, Prefix: "stable"}
	h := &hook{}
	hs := httptest.NewServer(h)
	defer hs.Close()
	opts := s3.Options{Hook: &s3.Hook{URL: hs.URL + "/invalidate", Token: "cdn-Token-Secret-9"}}
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	signer, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: key.Armored})
	if err != nil {
		t.Fatal(err)
	}
	web := packageChart(t, "web", "1.0.0", "a: 1\n")
	prov, err := signer.Sign(web)
	if err != nil {
		t.Fatal(err)
	}
	res, err := publish(t, b, []*archive.Archive{web}, map[string][]byte{web.FileName(): prov}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stable/web-1.0.0.tgz", "stable/web-1.0.0.tgz.prov", "stable/index.yaml"}
	if !reflect.DeepEqual(res.Uploaded, want) {
		t.Errorf("uploaded %v, want %v (index last)", res.Uploaded, want)
	}

	// What was sent: the type table, cache control, the index last and
	// conditional on being new.
	var puts []charttest.Request
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut {
			puts = append(puts, r)
		}
	}
	wantPuts := []struct{ path, ctype, cache, ifNoneMatch string }{
		{"/" + bucket + "/stable/web-1.0.0.tgz", "application/gzip", s3.CacheImmutable, ""},
		{"/" + bucket + "/stable/web-1.0.0.tgz.prov", "application/pgp-signature", s3.CacheImmutable, ""},
		{"/" + bucket + "/stable/index.yaml", "application/x-yaml", s3.CacheIndex, "*"},
	}
	if len(puts) != len(wantPuts) {
		t.Fatalf("%d PUTs: %+v", len(puts), puts)
	}
	for i, w := range wantPuts {
		p := puts[i]
		if p.Path != w.path || p.Header.Get("Content-Type") != w.ctype || p.Header.Get("Cache-Control") != w.cache || p.Header.Get("If-None-Match") != w.ifNoneMatch {
			t.Errorf("PUT %d: %s type %q cache %q if-none-match %q; want %+v", i, p.Path, p.Header.Get("Content-Type"), p.Header.Get("Cache-Control"), p.Header.Get("If-None-Match"), w)
		}
	}
	if !reflect.DeepEqual(h.calls, [][]string{{"/stable/web-1.0.0.tgz", "/stable/web-1.0.0.tgz.prov", "/stable/index.yaml"}}) || h.auth[0] != "Bearer cdn-Token-Secret-9" {
		t.Errorf("hook calls %v auth %v", h.calls, h.auth)
	}

	// The same again: nothing uploaded, the hook not called.
	fake.Reset()
	res, err = publish(t, b, []*archive.Archive{web}, map[string][]byte{web.FileName(): prov}, opts)
	if err != nil || len(res.Uploaded) != 0 || len(h.calls) != 1 {
		t.Errorf("republish: %+v %v, hook calls %d", res, err, len(h.calls))
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut {
			t.Errorf("republish sent PUT %s", r.Path)
		}
	}

	// A new chart: its package and the index, written over the index read.
	api := packageChart(t, "api", "0.1.0", "b: 2\n")
	fake.Reset()
	res, err = publish(t, b, []*archive.Archive{web, api}, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"stable/api-0.1.0.tgz", "stable/index.yaml"}; !reflect.DeepEqual(res.Uploaded, want) {
		t.Errorf("uploaded %v, want %v", res.Uploaded, want)
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "index.yaml") && r.Header.Get("If-Match") == "" {
			t.Error("the index was not written conditionally")
		}
	}

	// helm reads the bucket as a repository, verifies and renders.
	helm := charttest.NewHelm(t)
	helm.Run(t, "", "repo", "add", "s3repo", fake.URL+"/"+bucket+"/stable")
	if out := helm.Run(t, "", "search", "repo", "s3repo/", "--versions"); !strings.Contains(out, "s3repo/web\t1.0.0") || !strings.Contains(out, "s3repo/api\t0.1.0") {
		t.Errorf("helm search:\n%s", out)
	}
	dest := t.TempDir()
	helm.Run(t, "", "pull", "s3repo/web", "--version", "1.0.0", "--verify", "--keyring", key.PublicKeyring, "--destination", dest)
	if got, err := os.ReadFile(filepath.Join(dest, "web-1.0.0.tgz")); err != nil || !bytes.Equal(got, web.Data) {
		t.Errorf("helm pull: %v", err)
	}
}

func TestPublishRefusesChanges(t *testing.T) {
	fake := charttest.NewS3(t, bucket)
	b := s3.Bucket{Client: fake.Client, Name: bucket}
	web := packageChart(t, "web", "1.0.0", "a: 1\n")
	if _, err := publish(t, b, []*archive.Archive{web}, nil, s3.Options{}); err != nil {
		t.Fatal(err)
	}
	changed := packageChart(t, "web", "1.0.0", "a: 2\n")
	// The index refuses first; a package put straight refuses too.
	if _, err := publish(t, b, []*archive.Archive{changed}, nil, s3.Options{}); !errors.Is(err, index.ErrDigestChanged) {
		t.Errorf("merge: %v", err)
	}
	if _, err := b.Publish(context.Background(), []s3.File{{Name: changed.FileName(), Data: changed.Data}}, nil, nil, s3.Options{}); !errors.Is(err, s3.ErrChanged) {
		t.Errorf("publish: %v", err)
	}
	if _, err := b.Publish(context.Background(), []s3.File{{Name: "notes.txt", Data: []byte("x")}}, nil, nil, s3.Options{}); err == nil || !strings.Contains(err.Error(), "not a chart repository file") {
		t.Errorf("other file: %v", err)
	}
}

// TestPublishIndexMoved: an index written by someone else between read
// and write is not overwritten.
func TestPublishIndexMoved(t *testing.T) {
	fake := charttest.NewS3(t, bucket)
	b := s3.Bucket{Client: fake.Client, Name: bucket}
	if _, err := publish(t, b, []*archive.Archive{packageChart(t, "web", "1.0.0", "a: 1\n")}, nil, s3.Options{}); err != nil {
		t.Fatal(err)
	}
	read, err := b.ReadIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Another pipeline publishes in between.
	if _, err := publish(t, b, []*archive.Archive{packageChart(t, "other", "1.0.0", "o: 1\n")}, nil, s3.Options{}); err != nil {
		t.Fatal(err)
	}
	api := packageChart(t, "api", "0.1.0", "b: 2\n")
	merged, err := index.Merge(read.Data, []*archive.Archive{api}, index.Options{Generated: chartTime})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Publish(context.Background(), []s3.File{{Name: api.FileName(), Data: api.Data}}, read, merged.Index, s3.Options{})
	if !errors.Is(err, s3.ErrIndexMoved) {
		t.Fatalf("err %v, want ErrIndexMoved", err)
	}
	out, err := fake.Client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("index.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(out.Body)
	if _, found, _ := index.Find(data, "other", "1.0.0"); !found {
		t.Error("the other pipeline's entry was lost")
	}
}

func TestHookFailure(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "purge quota exceeded", http.StatusTooManyRequests)
	}))
	defer hs.Close()
	err := (&s3.Hook{URL: hs.URL}).Invalidate(context.Background(), []string{"/index.yaml"})
	if err == nil || !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "purge quota exceeded") {
		t.Errorf("err %v", err)
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{"index.yaml": "application/x-yaml", "a/index.yaml": "application/x-yaml", "web-1.0.0.tgz": "application/gzip", "web-1.0.0.tgz.prov": "application/pgp-signature"} {
		if got, err := s3.ContentType(name); got != want || err != nil {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
}

// TestPublishKeepsPublishedProvenance: another signature of an unchanged
// package (EdDSA signatures differ each time) leaves the published one.
func TestPublishKeepsPublishedProvenance(t *testing.T) {
	fake := charttest.NewS3(t, bucket)
	b := s3.Bucket{Client: fake.Client, Name: bucket}
	web := packageChart(t, "web", "1.0.0", "a: 1\n")
	if _, err := publish(t, b, []*archive.Archive{web}, map[string][]byte{web.FileName(): []byte("first signature")}, s3.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := publish(t, b, []*archive.Archive{web}, map[string][]byte{web.FileName(): []byte("second signature")}, s3.Options{})
	if err != nil || len(res.Uploaded) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	out, err := fake.Client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("web-1.0.0.tgz.prov")})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := io.ReadAll(out.Body); string(data) != "first signature" {
		t.Errorf("prov %q", data)
	}
}
