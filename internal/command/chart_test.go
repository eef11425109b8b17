package command

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"gitlab.com/tsumiki/tsumiki/internal/chartrepotest"
	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

const (
	signingPassphrase = "Signing-Passphrase-Secret-5"
	registryPassword  = "Registry-Password-Secret-6"
)

// tsumiki runs `tsumiki args…` in process with exactly the given
// environment and standard input.
func tsumiki(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	p := cli.Process{Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(stdin), Stdout: &o, Stderr: &e}
	code = cli.Run(Tsumiki(p), args, p)
	for _, secret := range []string{signingPassphrase, registryPassword, charttest.S3SecretKey} {
		if strings.Contains(o.String()+e.String(), secret) {
			t.Errorf("tsumiki %s printed a secret", strings.Join(args, " "))
		}
	}
	return o.String(), e.String(), code
}

func mustTsumiki(t *testing.T, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := tsumiki(t, env, stdin, args...)
	if code != 0 {
		t.Fatalf("tsumiki %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// chartsRepo is a source repository with two charts, committed at
// different times.
func chartsRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	charttest.InitRepo(t, dir)
	charttest.WriteFiles(t, filepath.Join(dir, "charts", "web"), charttest.Chart("web", "1.0.0"))
	charttest.Commit(t, dir, "web", time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC))
	charttest.WriteFiles(t, filepath.Join(dir, "charts", "api"), charttest.Chart("api", "0.3.0"))
	charttest.Commit(t, dir, "api", time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC))
	return dir
}

// ciEnv is what the publishing job has: a commit time, a signing key.
func ciEnv(key *charttest.Key, extra map[string]string) map[string]string {
	env := map[string]string{
		"CI_COMMIT_TIMESTAMP":        "2025-05-03T10:00:00+02:00",
		"TSUMIKI_SIGNING_KEY":        string(key.Armored),
		"TSUMIKI_SIGNING_PASSPHRASE": signingPassphrase,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// packageAndSign is the first half of every publishing job, run in a fresh
// clone: package every chart, sign the packages.
func packageAndSign(t *testing.T, src string, env map[string]string) (pkgs []string) {
	t.Helper()
	clone := charttest.Clone(t, src, 0)
	out := filepath.Join(t.TempDir(), "packages")
	mustTsumiki(t, env, "", "chart", "package", filepath.Join(clone, "charts", "web"), filepath.Join(clone, "charts", "api"), "--destination", out)
	pkgs, _ = filepath.Glob(filepath.Join(out, "*.tgz"))
	sort.Strings(pkgs)
	mustTsumiki(t, env, "", append([]string{"chart", "sign"}, pkgs...)...)
	return pkgs
}

type invalidations struct {
	mu    sync.Mutex
	paths [][]string
}

func (h *invalidations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct{ Paths []string }
	if r.Header.Get("Authorization") != "Bearer cdn-token-7777" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	h.paths = append(h.paths, body.Paths)
	h.mu.Unlock()
}

// TestChartWorkflowS3: a personal chart repository on S3 built by CI —
// package every chart, sign, merge into the published index, upload with
// the right types, invalidate the CDN — consumed by helm.
func TestChartWorkflowS3(t *testing.T) {
	helm := charttest.NewHelm(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", signingPassphrase)
	fake := charttest.NewS3(t, "charts")
	hook := &invalidations{}
	hs := httptest.NewServer(hook)
	defer hs.Close()
	repoURL := fake.URL + "/charts/stable"
	env := ciEnv(key, map[string]string{
		"AWS_ACCESS_KEY_ID": charttest.S3AccessKey, "AWS_SECRET_ACCESS_KEY": charttest.S3SecretKey, "AWS_REGION": "us-east-1",
		"TSUMIKI_INVALIDATE_TOKEN": "cdn-token-7777",
	})
	push := func(pkgs []string) string {
		args := append([]string{"chart", "push", "s3://charts/stable"}, pkgs...)
		return mustTsumiki(t, env, "", append(args, "--endpoint", fake.URL, "--path-style", "--url", repoURL, "--invalidate-url", hs.URL)...)
	}

	src := chartsRepo(t)
	first := packageAndSign(t, src, env)
	out := push(first)
	for _, want := range []string{"uploaded s3://charts/stable/api-0.3.0.tgz", "uploaded s3://charts/stable/web-1.0.0.tgz.prov", "uploaded s3://charts/stable/index.yaml", "invalidated 5 paths"} {
		if !strings.Contains(out, want) {
			t.Errorf("push output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "index.yaml") < strings.Index(out, "web-1.0.0.tgz\n") {
		t.Errorf("the index was uploaded before a package:\n%s", out)
	}

	// The next pipeline, from another clone: the same packages, nothing to do.
	second := packageAndSign(t, src, env)
	for i := range first {
		a, _ := os.ReadFile(first[i])
		b, _ := os.ReadFile(second[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two clones gave two packages", filepath.Base(first[i]))
		}
	}
	if out := push(second); strings.Contains(out, "uploaded") || len(hook.paths) != 1 {
		t.Errorf("second pipeline uploaded or invalidated:\n%s", out)
	}

	helm.Run(t, "", "repo", "add", "mine", repoURL)
	if out := helm.Run(t, "", "search", "repo", "mine/"); !strings.Contains(out, "mine/api\t0.3.0") || !strings.Contains(out, "mine/web\t1.0.0") {
		t.Errorf("helm search:\n%s", out)
	}
	dest := t.TempDir()
	helm.Run(t, "", "pull", "mine/web", "--verify", "--keyring", key.PublicKeyring, "--destination", dest)
	if out := helm.Run(t, "", "template", "rel", "mine/api", "--verify", "--keyring", key.PublicKeyring); !strings.Contains(out, "name: rel-config") {
		t.Errorf("helm template from the repository:\n%s", out)
	}

	// A change to one chart with a new version: only its package and the
	// index go up, and the CDN hears of those.
	charttest.WriteFiles(t, filepath.Join(src, "charts", "web"), map[string]string{"values.yaml": "replicas: 4\nimage: nginx:1.28\n"})
	charttest.WriteFiles(t, filepath.Join(src, "charts", "web"), map[string]string{"Chart.yaml": charttest.Chart("web", "1.1.0")["Chart.yaml"]})
	charttest.Commit(t, src, "web 1.1.0", time.Date(2025, 5, 4, 9, 0, 0, 0, time.UTC))
	out = push(packageAndSign(t, src, env))
	if !strings.Contains(out, "uploaded s3://charts/stable/web-1.1.0.tgz") || strings.Contains(out, "uploaded s3://charts/stable/api") {
		t.Errorf("third pipeline:\n%s", out)
	}
	if got := hook.paths[len(hook.paths)-1]; len(got) != 3 || got[2] != "/stable/index.yaml" {
		t.Errorf("invalidated %v", got)
	}
	helm.Run(t, "", "repo", "update")
	if out := helm.Run(t, "", "search", "repo", "mine/web", "--versions"); !strings.Contains(out, "1.1.0") || !strings.Contains(out, "1.0.0") {
		t.Errorf("helm search after the update:\n%s", out)
	}

	// A changed chart under a published version is refused, naming both digests.
	charttest.WriteFiles(t, filepath.Join(src, "charts", "api"), map[string]string{"values.yaml": "changed: true\n"})
	charttest.Commit(t, src, "api without a new version", time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC))
	pkgs := packageAndSign(t, src, env)
	_, errOut, code := tsumiki(t, env, "", append(append([]string{"chart", "push", "s3://charts/stable"}, pkgs...), "--endpoint", fake.URL, "--path-style")...)
	if code != 1 || !strings.Contains(errOut, "chart api version 0.3.0 is published with digest") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

// TestChartWorkflowOCI: charts as OCI artifacts in a registry that asks
// for a login, the password on standard input; helm pulls and verifies.
func TestChartWorkflowOCI(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	helm := charttest.NewHelm(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", signingPassphrase)
	reg := charttest.NewDistribution(t, "AWS", registryPassword)
	env := ciEnv(key, nil)
	pkgs := packageAndSign(t, chartsRepo(t), env)

	args := append([]string{"chart", "push", "oci://" + reg.Host + "/team/charts"}, pkgs...)
	out := mustTsumiki(t, env, registryPassword+"\n", append(args, "--username", "AWS", "--password-stdin", "--plain-http")...)
	if !strings.Contains(out, "pushed oci://"+reg.Host+"/team/charts/web:1.0.0 sha256:") {
		t.Errorf("push:\n%s", out)
	}
	out = mustTsumiki(t, env, registryPassword+"\n", append(args, "--username", "AWS", "--password-stdin", "--plain-http")...)
	if strings.Count(out, "published already:") != 2 {
		t.Errorf("second push:\n%s", out)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("the push wrote credentials under HOME: %v", entries)
	}
	_, errOut, code := tsumiki(t, env, "wrong-password\n", append(args, "--username", "AWS", "--password-stdin", "--plain-http")...)
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("wrong password: exit %d %s", code, errOut)
	}

	helm.Run(t, "", "registry", "login", reg.Host, "--username", "AWS", "--password", registryPassword, "--plain-http")
	dest := t.TempDir()
	helm.Run(t, "", "pull", "oci://"+reg.Host+"/team/charts/web", "--version", "1.0.0", "--plain-http", "--verify", "--keyring", key.PublicKeyring, "--destination", dest)
	pulled, _ := os.ReadFile(filepath.Join(dest, "web-1.0.0.tgz"))
	published, _ := os.ReadFile(pkgs[1])
	if !bytes.Equal(pulled, published) {
		t.Error("helm pulled other bytes than were pushed")
	}
	if out := helm.Run(t, "", "template", "rel", "oci://"+reg.Host+"/team/charts/api", "--version", "0.3.0", "--plain-http"); !strings.Contains(out, "name: rel-web") {
		t.Errorf("helm template oci://:\n%s", out)
	}
}

// TestChartWorkflowClassicRepository: index.yaml + packages + .prov files
// served as static files (helm repo index --url; helm install --verify),
// then ChartMuseum and GitLab's registry through their upload APIs.
func TestChartWorkflowClassicRepository(t *testing.T) {
	helm := charttest.NewHelm(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", signingPassphrase)
	env := ciEnv(key, nil)
	pkgs := packageAndSign(t, chartsRepo(t), env)

	site := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	for _, p := range pkgs {
		for _, f := range []string{p, p + ".prov"} {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			charttest.WriteFiles(t, site, map[string]string{filepath.Base(f): string(data)})
		}
	}
	mustTsumiki(t, env, "", append(append([]string{"chart", "index"}, pkgs...), "--url", srv.URL, "--out", filepath.Join(site, "index.yaml"))...)
	// Merging the same packages again, from the published URL: unchanged.
	out := mustTsumiki(t, env, "", append(append([]string{"chart", "index"}, pkgs...), "--merge", srv.URL+"/index.yaml", "--url", srv.URL, "--out", filepath.Join(t.TempDir(), "index.yaml"))...)
	if !strings.Contains(out, "unchanged") {
		t.Errorf("re-index:\n%s", out)
	}
	out = mustTsumiki(t, env, "", append([]string{"chart", "verify", "--keyring", key.PublicKeyring}, pkgs...)...)
	if !strings.Contains(out, "signed by Chart Signer <signer@example.com>") {
		t.Errorf("verify:\n%s", out)
	}
	helm.Run(t, "", "repo", "add", "classic", srv.URL)
	helm.Run(t, "", "template", "rel", "classic/web", "--verify", "--keyring", key.PublicKeyring)
	helm.Run(t, "", "verify", filepath.Join(site, "web-1.0.0.tgz"), "--keyring", key.PublicKeyring)

	// ChartMuseum.
	cm := &chartrepotest.ChartMuseum{Username: "ci", Password: registryPassword}
	cms := httptest.NewServer(cm.Handler())
	defer cms.Close()
	cmEnv := ciEnv(key, map[string]string{"TSUMIKI_CHART_USERNAME": "ci", "TSUMIKI_CHART_PASSWORD": registryPassword})
	mustTsumiki(t, cmEnv, "", append([]string{"chart", "push", cms.URL}, pkgs...)...)
	if out := mustTsumiki(t, cmEnv, "", append([]string{"chart", "push", cms.URL}, pkgs...)...); strings.Count(out, "published already") != 2 || cm.Uploads() != 2 {
		t.Errorf("second ChartMuseum push:\n%s", out)
	}
	helm.Run(t, "", "repo", "add", "cm", cms.URL)
	helm.Run(t, "", "pull", "cm/web", "--verify", "--keyring", key.PublicKeyring, "--destination", t.TempDir())

	// GitLab's registry with the job token, as in a pipeline.
	gl := chartrepotest.NewGitLab()
	gl.AddProject(7, "platform/charts")
	gl.AddToken("glcbt-job-token-8888", chartrepotest.Token{Kind: chartrepotest.JobToken, Write: true})
	gls := httptest.NewServer(gl.Handler())
	defer gls.Close()
	glEnv := ciEnv(key, map[string]string{"CI_JOB_TOKEN": "glcbt-job-token-8888"})
	channel := gls.URL + "/api/v4/projects/7/packages/helm/stable"
	_, errOut, _ := tsumiki(t, glEnv, "", append([]string{"chart", "push", channel}, pkgs...)...)
	if !strings.Contains(errOut, "keeps no provenance files") {
		t.Errorf("no warning about provenance:\n%s", errOut)
	}
	if gl.Uploads("7", "stable") != 2 {
		t.Errorf("%d uploads", gl.Uploads("7", "stable"))
	}
	helm.Run(t, "", "repo", "add", "gl", channel, "--username", "gitlab-ci-token", "--password", "glcbt-job-token-8888")
	if out := helm.Run(t, "", "search", "repo", "gl/"); !strings.Contains(out, "gl/web") {
		t.Errorf("helm search gl:\n%s", out)
	}
	if _, errOut, code := tsumiki(t, ciEnv(key, nil), "", append([]string{"chart", "push", channel}, pkgs...)...); code != 2 || !strings.Contains(errOut, "no GitLab token") {
		t.Errorf("no token: exit %d %s", code, errOut)
	}
}

// TestChartFromDist: synthesized manifests become a chart and a package
// whose `helm template` is the manifests, template text included.
func TestChartFromDist(t *testing.T) {
	helm := charttest.NewHelm(t)
	dist := filepath.Join(t.TempDir(), "dist", "production")
	manifests := "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: alerts\n  namespace: web\nspec:\n  groups:\n    - name: web\n      rules:\n        - alert: Down\n          annotations:\n            summary: '{{ $labels.instance }} is down'\n          expr: up == 0\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: web\ndata:\n  a: \"1\"\n"
	charttest.WriteFiles(t, dist, map[string]string{"web.k8s.yaml": manifests})
	out := t.TempDir()
	env := map[string]string{"CI_COMMIT_TIMESTAMP": "2025-05-03T10:00:00Z"}
	stdout := mustTsumiki(t, env, "", "chart", "from-dist", "--dist", dist, "--name", "web-manifests", "--version", "1.0.0", "--app-version", "abc1234", "--out", filepath.Join(out, "chart"), "--package", filepath.Join(out, "pkgs"))
	if !strings.Contains(stdout, "2 objects in 1 templates") {
		t.Errorf("from-dist:\n%s", stdout)
	}
	pkg := filepath.Join(out, "pkgs", "web-manifests-1.0.0.tgz")
	a, err := archive.Open(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if !a.ModTime.Equal(time.Date(2025, 5, 3, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("package time %v", a.ModTime)
	}
	rendered := helm.Run(t, "", "template", "x", pkg)
	var got, want []any
	for _, pair := range []struct {
		text string
		dst  *[]any
	}{{rendered, &got}, {manifests, &want}} {
		dec := yaml.NewDecoder(strings.NewReader(pair.text))
		for {
			var v any
			if dec.Decode(&v) != nil {
				break
			}
			if v != nil {
				*pair.dst = append(*pair.dst, v)
			}
		}
	}
	sort.Slice(got, func(i, j int) bool {
		return got[i].(map[string]any)["kind"].(string) < got[j].(map[string]any)["kind"].(string)
	})
	sort.Slice(want, func(i, j int) bool {
		return want[i].(map[string]any)["kind"].(string) < want[j].(map[string]any)["kind"].(string)
	})
	if len(got) != 2 || !jsonEqual(got, want) {
		t.Errorf("helm template:\n%s", rendered)
	}

	_, errOut, code := tsumiki(t, env, "", "chart", "from-dist", "--dist", dist, "--name", "Web", "--version", "1.0.0", "--out", filepath.Join(out, "bad"))
	if code != 2 || !strings.Contains(errOut, `chart name "Web"`) {
		t.Errorf("bad name: exit %d %s", code, errOut)
	}
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func TestChartUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"chart", "push", "ftp://x", "a.tgz"}, nil, `repository "ftp://x": want oci://`},
		{[]string{"chart", "push", "oci://x", "a.txt"}, nil, "a.txt: not a chart package"},
		{[]string{"chart", "sign", "x.tgz"}, nil, "no signing key"},
		{[]string{"chart", "verify", "x.tgz"}, nil, "--keyring is required"},
		{[]string{"chart", "package", "--mtime", "yesterday", "."}, nil, `--mtime "yesterday"`},
		{[]string{"chart", "index", "x.txt"}, nil, "x.txt: not a chart package"},
		{[]string{"chart", "from-dist", "--dist", "d"}, nil, "--name is required"},
	}
	for _, tt := range tests {
		_, errOut, code := tsumiki(t, tt.env, "", tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
