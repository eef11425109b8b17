package chartmuseum_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/chartrepotest"
	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/chartmuseum"
)

const (
	cmUser = "uploader"
	cmPass = "chartmuseum-Password-42"
)

func packageChart(t *testing.T, values string) *archive.Archive {
	t.Helper()
	files := charttest.Chart("web", "1.2.3")
	files["values.yaml"] = values
	return charttest.Package(t, files, time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
}

func TestChartMuseum(t *testing.T) {
	cm := &chartrepotest.ChartMuseum{Username: cmUser, Password: cmPass}
	srv := httptest.NewServer(cm.Handler())
	defer srv.Close()
	target, err := chartmuseum.ChartMuseum(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if target.UploadURL != srv.URL+"/api/charts" || target.RepoURL() != srv.URL {
		t.Fatalf("target %+v", target)
	}
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	a := packageChart(t, "replicas: 2\n")
	s, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: key.Armored})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := s.Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	opts := chartmuseum.Options{Target: target, Username: cmUser, Password: cmPass}

	res, err := chartmuseum.Push(context.Background(), a, prov, opts)
	if err != nil || !res.Uploaded {
		t.Fatalf("%+v %v", res, err)
	}
	// Again: ChartMuseum answers 409, the digest is the same: done.
	res, err = chartmuseum.Push(context.Background(), a, prov, opts)
	if err != nil || res.Uploaded || cm.Uploads() != 1 {
		t.Fatalf("second push: %+v %v, %d uploads", res, err, cm.Uploads())
	}
	// Another package under the same version: a conflict naming both digests.
	changed := packageChart(t, "replicas: 9\n")
	_, err = chartmuseum.Push(context.Background(), changed, nil, opts)
	var conflict *index.ConflictError
	if !errors.As(err, &conflict) || conflict.Published != a.Digest || conflict.Package != changed.Digest {
		t.Fatalf("err %v", err)
	}

	// helm reads the repository and verifies the package.
	helm := charttest.NewHelm(t)
	helm.Run(t, "", "repo", "add", "cm", srv.URL)
	helm.Run(t, "", "repo", "update")
	if out := helm.Run(t, "", "search", "repo", "cm/web"); !strings.Contains(out, "cm/web\t1.2.3") {
		t.Errorf("helm search repo:\n%s", out)
	}
	dest := t.TempDir()
	helm.Run(t, "", "pull", "cm/web", "--version", "1.2.3", "--verify", "--keyring", key.PublicKeyring, "--destination", dest)
	got, err := os.ReadFile(filepath.Join(dest, "web-1.2.3.tgz"))
	if err != nil || !bytes.Equal(got, a.Data) {
		t.Errorf("helm pull: %v", err)
	}
}

func TestChartMuseumErrors(t *testing.T) {
	cm := &chartrepotest.ChartMuseum{Username: cmUser, Password: cmPass}
	srv := httptest.NewServer(cm.Handler())
	defer srv.Close()
	target, err := chartmuseum.ChartMuseum(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	a := packageChart(t, "replicas: 2\n")
	_, err = chartmuseum.Push(context.Background(), a, nil, chartmuseum.Options{Target: target, Username: cmUser, Password: "wrong-Password-1"})
	var he *chartmuseum.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || !strings.Contains(err.Error(), "unauthorized") || strings.Contains(err.Error(), "wrong-Password-1") {
		t.Errorf("err %v", err)
	}
	for _, bad := range []string{"ftp://x", "not a url", ""} {
		if _, err := chartmuseum.ChartMuseum(bad); !errors.Is(err, chartmuseum.ErrTarget) {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestGitLab(t *testing.T) {
	gl := chartrepotest.NewGitLab()
	gl.AddProject(42, "platform/charts")
	gl.AddToken("glpat-Writer-Token-1", chartrepotest.Token{Kind: chartrepotest.AccessToken, Write: true})
	gl.AddToken("glcbt-Job-Token-2", chartrepotest.Token{Kind: chartrepotest.JobToken, Write: true})
	gl.AddToken("gldt-Deploy-Token-3", chartrepotest.Token{Kind: chartrepotest.DeployToken, Username: "gitlab+deploy-token-7", Write: true})
	gl.AddToken("glpat-Reporter-4", chartrepotest.Token{Kind: chartrepotest.AccessToken})
	srv := httptest.NewServer(gl.Handler())
	defer srv.Close()
	target, err := chartmuseum.GitLab(srv.URL+"/api/v4", "platform/charts", "stable")
	if err != nil {
		t.Fatal(err)
	}
	if target.UploadURL != srv.URL+"/api/v4/projects/platform%2Fcharts/packages/helm/api/stable/charts" {
		t.Fatalf("target %+v", target)
	}
	a := packageChart(t, "replicas: 2\n")

	tests := []struct {
		name, user, token string
		status            int
	}{
		{"no credentials", "", "", 401},
		{"reporter", "jane", "glpat-Reporter-4", 403},
		{"deploy token, other username", "jane", "gldt-Deploy-Token-3", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chartmuseum.Push(context.Background(), a, nil, chartmuseum.Options{Target: target, Username: tt.user, Password: tt.token})
			var he *chartmuseum.HTTPError
			if !errors.As(err, &he) || he.Status != tt.status {
				t.Fatalf("err %v, want %d", err, tt.status)
			}
		})
	}

	// The job token with the CI username uploads; a deploy token and an
	// access token then find the version published and upload nothing.
	res, err := chartmuseum.Push(context.Background(), a, []byte("prov"), chartmuseum.Options{Target: target, Username: "gitlab-ci-token", Password: "glcbt-Job-Token-2"})
	if err != nil || !res.Uploaded || !res.ProvSkipped {
		t.Fatalf("%+v %v", res, err)
	}
	for _, creds := range [][2]string{{"gitlab+deploy-token-7", "gldt-Deploy-Token-3"}, {"anything", "glpat-Writer-Token-1"}} {
		res, err := chartmuseum.Push(context.Background(), a, nil, chartmuseum.Options{Target: target, Username: creds[0], Password: creds[1]})
		if err != nil || res.Uploaded {
			t.Errorf("%s: %+v %v", creds[0], res, err)
		}
	}
	if n := gl.Uploads("42", "stable"); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}
	// GitLab would take a changed package under the same version and serve
	// it instead; Push refuses.
	if _, err := chartmuseum.Push(context.Background(), packageChart(t, "replicas: 9\n"), nil, chartmuseum.Options{Target: target, Username: "x", Password: "glpat-Writer-Token-1"}); !errors.Is(err, index.ErrDigestChanged) {
		t.Errorf("changed package: %v", err)
	}

	// helm installs from the channel with the same credentials.
	helm := charttest.NewHelm(t)
	helm.Run(t, "", "repo", "add", "gl", target.RepoURL(), "--username", "gitlab-ci-token", "--password", "glcbt-Job-Token-2")
	out := helm.Run(t, "", "template", "web", "gl/web", "--version", "1.2.3")
	if !strings.Contains(out, "name: web-web") {
		t.Errorf("helm template from the GitLab channel:\n%s", out)
	}
}
