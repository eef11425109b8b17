package charttest

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// The registry's in-memory storage and htpasswd authentication.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

// Registry is an OCI registry on loopback, plain HTTP.
type Registry struct {
	// Host is host:port, as OCI references name it.
	Host string
	// URL is http://Host.
	URL string
	// Username and Password log in; empty for a registry without
	// authentication.
	Username, Password string
}

// NewDistribution starts the CNCF distribution registry (what Docker Hub,
// GitLab and Harbor run) in process, with htpasswd authentication for
// username and password.
func NewDistribution(t testing.TB, username, password string) *Registry {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(username+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logrus.SetOutput(io.Discard)
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{"inmemory": configuration.Parameters{}, "delete": configuration.Parameters{"enabled": true}},
		Auth:    configuration.Auth{"htpasswd": configuration.Parameters{"realm": "tsumiki-test", "path": htpasswd}},
	}
	cfg.Log.AccessLog.Disabled = true
	cfg.Log.Level = "error"
	app := handlers.NewApp(context.Background(), cfg)
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), URL: srv.URL, Username: username, Password: password}
}

// NewGGCR starts go-containerregistry's small registry in process, without
// authentication.
func NewGGCR(t testing.TB) *Registry {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), URL: srv.URL}
}
