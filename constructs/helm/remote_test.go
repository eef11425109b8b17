package helm_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/helm"
	"gitlab.com/tsumiki/tsumiki/internal/helmtest"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// synth renders one chart holding a Helm construct with props and returns
// the YAML, or the problems.
func synth(t *testing.T, props helm.Props) ([]byte, error) {
	t.Helper()
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "shop"})
	helm.New(chart, "web", props)
	return app.SynthYAML()
}

// TestHTTPRepository fetches a chart from an HTTP chart repository: the
// first synthesis records its digest, later ones check it, and with the
// cache warm the repository is not needed at all.
func TestHTTPRepository(t *testing.T) {
	repo := helmtest.NewChartRepo(t)
	archive := helmtest.Package(t, webChart)
	repo.Add("web", "1.2.3", archive, "")
	repo.Add("web", "1.3.0", helmtest.Package(t, webChart), "")
	dir := t.TempDir()
	lockFile, cache := filepath.Join(dir, "helm.lock"), filepath.Join(dir, "cache")
	props := helm.Props{Repo: repo.URL + "/", Chart: "web", Version: "1.2.3", ReleaseName: "web"}

	// Not locked: an error saying how to lock it, and nothing fetched.
	props.Client = testClient(t, nil, helm.ClientOptions{LockFile: lockFile, CacheDir: cache})
	_, err := synth(t, props)
	if !errors.Is(err, helm.ErrNotLocked) || !strings.Contains(err.Error(), "TSUMIKI_HELM_LOCK=update") || repo.Requests != 0 {
		t.Fatalf("unlocked: %v (%d requests)", err, repo.Requests)
	}

	// Locking records the digest and fills the cache.
	props.Client = testClient(t, nil, helm.ClientOptions{LockFile: lockFile, CacheDir: cache, UpdateLock: true})
	first, err := synth(t, props)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	wantLine := repo.URL + " web 1.2.3 " + helmtest.Digest(archive) + "\n"
	if !strings.HasSuffix(string(lock), wantLine) || !strings.HasPrefix(string(lock), "# ") {
		t.Errorf("lock file:\n%s\nwant it to end with %s", lock, wantLine)
	}
	if _, err := os.Stat(filepath.Join(cache, strings.Replace(helmtest.Digest(archive), ":", "-", 1)+".tgz")); err != nil {
		t.Errorf("the archive is not cached by digest: %v", err)
	}
	if !bytes.Contains(first, []byte("name: web-migrate")) {
		t.Errorf("output:\n%s", first)
	}

	// Offline: the repository's port is closed, and synthesis gives the
	// same bytes from the lock file and the cache.
	repo.Close()
	props.Client = testClient(t, nil, helm.ClientOptions{LockFile: lockFile, CacheDir: cache})
	again, err := synth(t, props)
	if err != nil {
		t.Fatalf("offline with a warm cache: %v", err)
	}
	if !bytes.Equal(first, again) {
		t.Errorf("offline output differs:\n%s\nfirst:\n%s", again, first)
	}

	// A cold cache needs the repository again.
	props.Client = testClient(t, nil, helm.ClientOptions{LockFile: lockFile, CacheDir: filepath.Join(dir, "cold")})
	if _, err := synth(t, props); err == nil || !strings.Contains(err.Error(), "connect") {
		t.Errorf("offline with a cold cache: %v", err)
	}
}

// TestDigestMismatch checks that a chart re-published under a locked
// version is an error naming chart, version and both digests, and that
// updating the lock does not paper over it.
func TestDigestMismatch(t *testing.T) {
	repo := helmtest.NewChartRepo(t)
	archive := helmtest.Package(t, webChart)
	repo.Add("web", "1.2.3", archive, "")
	lockFile := filepath.Join(t.TempDir(), "helm.lock")
	locked := "sha256:" + strings.Repeat("ab", 32)
	if err := os.WriteFile(lockFile, []byte(repo.URL+" web 1.2.3 "+locked+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, update := range []bool{false, true} {
		props := helm.Props{Repo: repo.URL, Chart: "web", Version: "1.2.3", Client: testClient(t, nil, helm.ClientOptions{LockFile: lockFile, UpdateLock: update})}
		_, err := synth(t, props)
		if !errors.Is(err, helm.ErrDigestMismatch) {
			t.Fatalf("update %v: %v", update, err)
		}
		for _, want := range []string{"test/web: ", "web 1.2.3 from " + repo.URL, locked, helmtest.Digest(archive)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("update %v: %v lacks %q", update, err, want)
			}
		}
	}

	// The index's own digest is checked too.
	bad := helmtest.NewChartRepo(t)
	bad.Add("web", "1.2.3", archive, strings.Repeat("cd", 32))
	_, err := synth(t, helm.Props{Repo: bad.URL, Chart: "web", Version: "1.2.3", Client: testClient(t, nil, helm.ClientOptions{UpdateLock: true})})
	if !errors.Is(err, helm.ErrDigestMismatch) || !strings.Contains(err.Error(), "the index lists sha256:cdcd") {
		t.Errorf("index digest: %v", err)
	}
}

// TestVersionNotFound checks that a missing version is an error listing
// what there is, never the nearest match.
func TestVersionNotFound(t *testing.T) {
	repo := helmtest.NewChartRepo(t)
	for _, v := range []string{"1.2.3", "1.2.10", "0.9.0"} {
		repo.Add("web", v, helmtest.Package(t, webChart), "")
	}
	client := testClient(t, nil, helm.ClientOptions{UpdateLock: true})
	_, err := synth(t, helm.Props{Repo: repo.URL, Chart: "web", Version: "1.2.4", Client: client})
	if !errors.Is(err, helm.ErrChartNotFound) || !strings.Contains(err.Error(), "has no version 1.2.4 of web (it has 1.2.10, 1.2.3, 0.9.0)") {
		t.Errorf("missing version: %v", err)
	}
	_, err = synth(t, helm.Props{Repo: repo.URL, Chart: "api", Version: "1.0.0", Client: client})
	if !errors.Is(err, helm.ErrChartNotFound) || !strings.Contains(err.Error(), "has no chart api") {
		t.Errorf("missing chart: %v", err)
	}
	// An archive whose Chart.yaml is another version is not taken.
	repo.Add("web", "2.0.0", helmtest.Package(t, webChart), "")
	_, err = synth(t, helm.Props{Repo: repo.URL, Chart: "web", Version: "2.0.0", Client: client})
	if !errors.Is(err, helm.ErrChartNotFound) || !strings.Contains(err.Error(), "holds chart web 1.2.3") {
		t.Errorf("mislabelled archive: %v", err)
	}
}

// TestHTTPCredentials checks basic authentication against a private
// repository, with credentials from the environment, and that the
// password shows nowhere.
func TestHTTPCredentials(t *testing.T) {
	repo := helmtest.NewChartRepo(t)
	repo.Add("web", "1.2.3", helmtest.Package(t, webChart), "")
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "s3cret-pass" {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		repo.ServeHTTP(w, r)
	}))
	defer private.Close()
	host := strings.TrimPrefix(private.URL, "http://")
	env := map[string]string{}
	props := helm.Props{Repo: private.URL, Chart: "web", Version: "1.2.3", ReleaseName: "web"}

	props.Client = testClient(t, nil, helm.ClientOptions{UpdateLock: true, Getenv: func(k string) string { return env[k] }})
	_, err := synth(t, props)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Fatalf("anonymous: %v", err)
	}
	env["TSUMIKI_HELM_USERNAME_"+helm.EnvHostSuffix(host)] = "ci"
	env["TSUMIKI_HELM_PASSWORD_"+helm.EnvHostSuffix(host)] = "wrong-pass"
	if _, err := synth(t, props); err == nil || strings.Contains(err.Error(), "wrong-pass") {
		t.Fatalf("wrong password: %v", err)
	}
	env["TSUMIKI_HELM_PASSWORD_"+helm.EnvHostSuffix(host)] = "s3cret-pass"
	if _, err := synth(t, props); err != nil {
		t.Fatalf("from the environment: %v", err)
	}

	// From a netrc-style file.
	file := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(file, []byte("# CI\nmachine "+host+"\n  login ci\n  password s3cret-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	props.Client = testClient(t, nil, helm.ClientOptions{UpdateLock: true, CredentialsFile: file})
	if _, err := synth(t, props); err != nil {
		t.Fatalf("from a file: %v", err)
	}
	if err := os.WriteFile(file, []byte("machine "+host+" login ci password s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	props.Client = testClient(t, nil, helm.ClientOptions{UpdateLock: true, CredentialsFile: file})
	if _, err := synth(t, props); !errors.Is(err, helm.ErrCredentials) || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "pass\"") {
		t.Errorf("a malformed file: %v", err)
	}
	// Never over plain HTTP to another machine.
	props.Repo = "http://charts.example.com"
	props.Client = testClient(t, nil, helm.ClientOptions{UpdateLock: true, Credentials: []helm.Credential{{Host: "charts.example.com", Username: "ci", Password: "s3cret-pass"}}})
	if _, err := synth(t, props); !errors.Is(err, helm.ErrCredentials) || !strings.Contains(err.Error(), "over plain HTTP") {
		t.Errorf("plain HTTP: %v", err)
	}
	cred := helm.Credential{Host: host, Username: "ci", Password: "s3cret-pass"}
	for _, s := range []string{cred.String(), cred.GoString()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("a credential prints its password: %s", s)
		}
	}
}

// TestOCI pulls a chart from go-containerregistry's registry, by Repo and
// name and by a full reference, and offline from the cache.
func TestOCI(t *testing.T) {
	reg := helmtest.OCIRegistry(t)
	archive := helmtest.Package(t, webChart)
	helmtest.Push(t, reg, archive, "", "")
	dir := t.TempDir()
	opts := helm.ClientOptions{LockFile: filepath.Join(dir, "helm.lock"), CacheDir: filepath.Join(dir, "cache"), UpdateLock: true}
	byRepo := helm.Props{Repo: "oci://" + helmtest.Host(reg) + "/charts", Chart: "web", Version: "1.2.3", ReleaseName: "web", Client: testClient(t, reg, opts)}
	first, err := synth(t, byRepo)
	if err != nil {
		t.Fatal(err)
	}
	lock, _ := os.ReadFile(opts.LockFile)
	if want := "oci://" + helmtest.Host(reg) + "/charts web 1.2.3 " + helmtest.Digest(archive) + "\n"; !strings.HasSuffix(string(lock), want) {
		t.Errorf("lock file:\n%s\nwant %s", lock, want)
	}
	full := byRepo
	full.Repo, full.Chart = "", "oci://"+helmtest.Host(reg)+"/charts/web"
	if out, err := synth(t, full); err != nil || !bytes.Equal(out, first) {
		t.Errorf("by full reference: %v", err)
	}

	reg.Close()
	opts.UpdateLock = false
	byRepo.Client = testClient(t, nil, opts)
	if out, err := synth(t, byRepo); err != nil || !bytes.Equal(out, first) {
		t.Errorf("offline: %v", err)
	}

	_, err = synth(t, helm.Props{Repo: "oci://" + helmtest.Host(reg) + "/charts", Chart: "web", Version: "9.9.9", Client: testClient(t, nil, helm.ClientOptions{UpdateLock: true})})
	if err == nil {
		t.Error("a closed registry gave a chart")
	}
}

// TestOCIVersionNotFound checks that a tag the registry lacks is
// ErrChartNotFound.
func TestOCIVersionNotFound(t *testing.T) {
	reg := helmtest.OCIRegistry(t)
	helmtest.Push(t, reg, helmtest.Package(t, webChart), "", "")
	_, err := synth(t, helm.Props{Repo: "oci://" + helmtest.Host(reg) + "/charts", Chart: "web", Version: "1.2.4", Client: testClient(t, reg, helm.ClientOptions{UpdateLock: true})})
	if !errors.Is(err, helm.ErrChartNotFound) {
		t.Errorf("missing tag: %v", err)
	}
}

// TestOCILogin pulls from the distribution registry with htpasswd
// authentication, credentials given in the client options, and checks
// that neither Helm's nor Docker's credential files are touched.
func TestOCILogin(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	t.Setenv("HELM_REGISTRY_CONFIG", filepath.Join(home, "helm-registry.json"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))

	reg := helmtest.AuthRegistry(t, "pusher", "p4ssw0rd-x")
	archive := helmtest.Package(t, webChart)
	helmtest.Push(t, reg, archive, "pusher", "p4ssw0rd-x")
	props := helm.Props{Repo: "oci://" + helmtest.Host(reg) + "/charts", Chart: "web", Version: "1.2.3", ReleaseName: "web"}

	props.Client = testClient(t, reg, helm.ClientOptions{UpdateLock: true})
	if _, err := synth(t, props); err == nil || errors.Is(err, helm.ErrChartNotFound) || !strings.Contains(err.Error(), "credential") {
		t.Errorf("anonymous: %v", err)
	}
	props.Client = testClient(t, reg, helm.ClientOptions{UpdateLock: true, Credentials: []helm.Credential{{Host: helmtest.Host(reg), Username: "pusher", Password: "wrong-p4ss"}}})
	if _, err := synth(t, props); err == nil || errors.Is(err, helm.ErrChartNotFound) || strings.Contains(err.Error(), "wrong-p4ss") {
		t.Errorf("wrong password: %v", err)
	}
	props.Client = testClient(t, reg, helm.ClientOptions{UpdateLock: true, Credentials: []helm.Credential{{Host: helmtest.Host(reg), Username: "pusher", Password: "p4ssw0rd-x"}}})
	out, err := synth(t, props)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("p4ssw0rd")) {
		t.Error("the password reached the output")
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was written in the home directory", e.Name())
	}
}

// testClient is a Client with a lock file and cache of the test's own,
// trusting srv's certificate if srv is a TLS server.
func testClient(t testing.TB, srv *httptest.Server, opts helm.ClientOptions) *helm.Client {
	t.Helper()
	dir := t.TempDir()
	if opts.LockFile == "" {
		opts.LockFile = filepath.Join(dir, "helm.lock")
	}
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(dir, "cache")
	}
	if srv != nil && srv.TLS != nil && opts.HTTPClient == nil {
		opts.HTTPClient = srv.Client()
	}
	c, err := helm.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
