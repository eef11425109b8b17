// Package helmtest serves Helm charts for tests: an HTTP chart repository
// (index.yaml and archives), go-containerregistry's OCI registry and the
// distribution registry with htpasswd logins, all in process over
// loopback, and packages and pushes charts as the helm CLI does.
package helmtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"
	"sigs.k8s.io/yaml"

	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/registry"
)

// Package packages a chart directory as `helm package` does and
// returns the archive.
func Package(t testing.TB, dir string) []byte {
	t.Helper()
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	file, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ChartRepo is an HTTP chart repository: index.yaml and the archives it
// lists, as `helm repo index` lays them out.
type ChartRepo struct {
	*httptest.Server
	mu       sync.Mutex
	archives map[string][]byte // by file name
	index    map[string][]map[string]any
	// Requests counts the requests served.
	Requests int
}

// NewChartRepo starts a chart repository, closed when the test ends.
func NewChartRepo(t testing.TB) *ChartRepo {
	r := &ChartRepo{archives: map[string][]byte{}, index: map[string][]map[string]any{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.ServeHTTP))
	t.Cleanup(r.Close)
	return r
}

// Add publishes an archive of chart name at version; digest overrides the
// digest the index lists ("" for the archive's own).
func (r *ChartRepo) Add(name, version string, archive []byte, digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	file := fmt.Sprintf("%s-%s.tgz", name, version)
	r.archives[file] = archive
	if digest == "" {
		digest = strings.TrimPrefix(Digest(archive), "sha256:")
	}
	r.index[name] = append(r.index[name], map[string]any{
		"apiVersion": "v2", "name": name, "version": version,
		"urls": []string{"charts/" + file}, "digest": digest,
	})
}

// ServeHTTP implements http.Handler.
func (r *ChartRepo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Requests++
	switch {
	case req.URL.Path == "/index.yaml":
		data, _ := yaml.Marshal(map[string]any{"apiVersion": "v1", "entries": r.index})
		w.Header().Set("Content-Type", "application/x-yaml")
		w.Write(data)
	case strings.HasPrefix(req.URL.Path, "/charts/") && r.archives[strings.TrimPrefix(req.URL.Path, "/charts/")] != nil:
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(r.archives[strings.TrimPrefix(req.URL.Path, "/charts/")])
	default:
		http.NotFound(w, req)
	}
}

// OCIRegistry is go-containerregistry's in-process registry, over TLS,
// without authentication.
func OCIRegistry(t testing.TB) *httptest.Server {
	srv := httptest.NewTLSServer(ggcr.New(ggcr.Logger(nopLogger())))
	t.Cleanup(srv.Close)
	return srv
}

// AuthRegistry is the distribution registry in process, over TLS, with
// htpasswd authentication for user.
func AuthRegistry(t testing.TB, user, password string) *httptest.Server {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := &configuration.Configuration{
		Storage: configuration.Storage{"inmemory": configuration.Parameters{}},
		Auth:    configuration.Auth{"htpasswd": configuration.Parameters{"realm": "tsumiki-test", "path": htpasswd}},
	}
	config.Log.Level = "error"
	config.Log.AccessLog.Disabled = true
	config.HTTP.Secret = "tsumiki-test-secret"
	logrus.SetOutput(io.Discard) // the registry logs every request
	app := handlers.NewApp(context.Background(), config)
	srv := httptest.NewTLSServer(app)
	t.Cleanup(srv.Close)
	return srv
}

// Push pushes an archive to an OCI registry as `helm push` does, at
// oci://host/charts/<name>:<version>.
func Push(t testing.TB, srv *httptest.Server, archive []byte, user, password string) {
	t.Helper()
	ch, err := loader.LoadArchive(strings.NewReader(string(archive)))
	if err != nil {
		t.Fatal(err)
	}
	opts := []registry.ClientOption{
		registry.ClientOptHTTPClient(srv.Client()),
		registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")),
	}
	if user != "" {
		opts = append(opts, registry.ClientOptBasicAuth(user, password))
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ref := fmt.Sprintf("%s/charts/%s:%s", Host(srv), ch.Name(), ch.Metadata.Version)
	if _, err := rc.Push(archive, ref); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

// Host is the host:port of a TLS server.
func Host(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "https://") }

// Digest is the digest of an archive as the lock file writes it.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
