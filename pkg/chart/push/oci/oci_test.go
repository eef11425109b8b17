package oci_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/oci"
)

const (
	user     = "ci-pusher"
	password = "s3cret-Registry-Password-77"
)

var chartTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func packageChart(t *testing.T, version string, extra map[string]string) *archive.Archive {
	t.Helper()
	files := charttest.Chart("web", version)
	files["Chart.yaml"] += "home: https://example.com/web\nsources: [https://example.com/src]\nmaintainers:\n- name: Platform\n  email: p@example.com\n- name: Ops\nannotations:\n  org.opencontainers.image.title: not-this\n  example.com/team: platform\n"
	for k, v := range extra {
		files[k] = v
	}
	return charttest.Package(t, files, chartTime)
}

func sign(t *testing.T, a *archive.Archive, key *charttest.Key) []byte {
	t.Helper()
	s, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: key.Armored})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := s.Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	return prov
}

// noCredentialFiles points HOME and DOCKER_CONFIG at an empty directory
// and checks at the end that nothing was written there.
func noCredentialFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	t.Setenv("HELM_REGISTRY_CONFIG", filepath.Join(home, "helm-registry.json"))
	t.Cleanup(func() {
		entries, _ := os.ReadDir(home)
		for _, e := range entries {
			t.Errorf("the push wrote %s in HOME", e.Name())
		}
	})
}

func TestLayout(t *testing.T) {
	a := packageChart(t, "1.2.3+build.7", nil)
	prov := []byte("a provenance file")
	art, err := oci.Layout(a, prov)
	if err != nil {
		t.Fatal(err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(art.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType != oci.ConfigMediaType || len(m.Layers) != 2 {
		t.Fatalf("manifest %s", art.Manifest)
	}
	types := map[string]bool{}
	for _, l := range m.Layers {
		types[l.MediaType] = true
	}
	if !types[oci.ChartLayerMediaType] || !types[oci.ProvLayerMediaType] || m.Layers[0].Digest > m.Layers[1].Digest {
		t.Errorf("layers %+v", m.Layers)
	}
	want := map[string]string{
		"org.opencontainers.image.created":     "2025-03-04T05:06:07Z",
		"org.opencontainers.image.title":       "web",
		"org.opencontainers.image.version":     "1.2.3+build.7",
		"org.opencontainers.image.description": "An example chart",
		"org.opencontainers.image.url":         "https://example.com/web",
		"org.opencontainers.image.source":      "https://example.com/src",
		"org.opencontainers.image.authors":     "Platform (p@example.com), Ops",
		"example.com/team":                     "platform",
	}
	if !equalMaps(m.Annotations, want) {
		t.Errorf("annotations %v, want %v", m.Annotations, want)
	}
	if oci.Tag("1.2.3+build.7") != "1.2.3_build.7" {
		t.Error("Tag")
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSameDigestAsHelmPush: helm push of the same package file (and its
// .prov) gives the same manifest digest.
func TestSameDigestAsHelmPush(t *testing.T) {
	helm := charttest.NewHelm(t)
	helm.Env = []string{"TZ=UTC"} // helm push writes the file's time in the local zone
	reg := charttest.NewGGCR(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	for _, withProv := range []bool{false, true} {
		a := packageChart(t, "1.2.3", nil)
		var prov []byte
		ns := "plain"
		if withProv {
			prov = sign(t, a, key)
			ns = "signed"
			if err := os.WriteFile(a.Path+provenance.Extension, prov, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ours, err := oci.Push(context.Background(), a, prov, oci.Options{Repository: "oci://" + reg.Host + "/ours-" + ns, PlainHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, err := helm.Exec("", "push", a.Path, "oci://"+reg.Host+"/helm-"+ns, "--plain-http")
		if err != nil {
			t.Fatal(err)
		}
		theirs := regexp.MustCompile(`Digest: (sha256:[0-9a-f]{64})`).FindStringSubmatch(stdout + stderr)
		if theirs == nil {
			t.Fatalf("no digest in helm push's output:\n%s", stderr)
		}
		if ours.Digest != theirs[1] {
			t.Errorf("prov %v: our manifest %s, helm push's %s", withProv, ours.Digest, theirs[1])
		}
	}
}

// TestPushPullWithLogin: a push to a registry with authentication, which
// helm pulls (and verifies) with the same credentials.
func TestPushPullWithLogin(t *testing.T) {
	noCredentialFiles(t)
	helm := charttest.NewHelm(t)
	reg := charttest.NewDistribution(t, user, password)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	a := packageChart(t, "1.2.3", nil)
	prov := sign(t, a, key)
	opts := oci.Options{Repository: "oci://" + reg.Host + "/charts", Username: user, Password: password, PlainHTTP: true}
	res, err := oci.Push(context.Background(), a, prov, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Ref != reg.Host+"/charts/web:1.2.3" {
		t.Errorf("result %+v", res)
	}

	dest := t.TempDir()
	helm.Run(t, "", "pull", "oci://"+reg.Host+"/charts/web", "--version", "1.2.3", "--plain-http", "--username", user, "--password", password,
		"--destination", dest, "--verify", "--keyring", key.PublicKeyring)
	got, err := os.ReadFile(filepath.Join(dest, "web-1.2.3.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, a.Data) {
		t.Error("helm pulled other bytes than were pushed")
	}

	// Again: nothing to do. Another package under the same version: refused,
	// unless forced.
	again, err := oci.Push(context.Background(), a, prov, opts)
	if err != nil || again.Pushed || again.Digest != res.Digest {
		t.Errorf("second push: %+v, %v", again, err)
	}
	// The same package signed again (EdDSA signatures differ each time):
	// published already, the first signature stays.
	resigned, err := oci.Push(context.Background(), a, []byte("another signature"), opts)
	if err != nil || resigned.Pushed || resigned.Digest != res.Digest {
		t.Errorf("re-signed push: %+v, %v", resigned, err)
	}
	changed := packageChart(t, "1.2.3", map[string]string{"values.yaml": "replicas: 5\n"})
	if _, err := oci.Push(context.Background(), changed, nil, opts); !errors.Is(err, oci.ErrTagExists) || !strings.Contains(err.Error(), res.Digest) {
		t.Errorf("changed package: err %v, want ErrTagExists naming %s", err, res.Digest)
	}
	forced := opts
	forced.Force = true
	if r, err := oci.Push(context.Background(), changed, nil, forced); err != nil || !r.Pushed || r.Digest == res.Digest {
		t.Errorf("forced: %+v, %v", r, err)
	}
}

func TestPushErrors(t *testing.T) {
	reg := charttest.NewDistribution(t, user, password)
	a := packageChart(t, "1.2.3", nil)
	tests := []struct {
		name string
		opts oci.Options
		want string
	}{
		{"wrong password", oci.Options{Repository: "oci://" + reg.Host + "/charts", Username: user, Password: "wrong-password-123", PlainHTTP: true}, "401"},
		{"no credentials", oci.Options{Repository: "oci://" + reg.Host + "/charts", PlainHTTP: true}, "asks for a login"},
		{"HTTPS unless asked", oci.Options{Repository: "oci://" + reg.Host + "/charts", Username: user, Password: password}, "https://" + reg.Host},
		{"not oci://", oci.Options{Repository: reg.Host + "/charts"}, "does not start with oci://"},
		{"a tag", oci.Options{Repository: "oci://" + reg.Host + "/charts:1.0"}, "without a tag or digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
			_, err := oci.Push(context.Background(), a, nil, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "wrong-password-123") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	// Nothing reached the registry.
	resp, err := http.Get(reg.URL + "/v2/charts/web/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tags list without login: %d %s", resp.StatusCode, body)
	}
}
