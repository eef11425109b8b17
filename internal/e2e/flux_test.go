package e2e_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/helmv2"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
)

const token = "e2e-token-0123456789"

// TestFluxLoop is the delivery loop on the cluster side, with the real
// controllers: a manifests repository served over smart HTTP holds the
// synthesized manifests and a clusters/dev entry point made with
// constructs/flux; applying only the entry point bootstraps the cluster,
// which becomes Ready with every object as synthesized, including a chart
// from a Helm repository; a second commit that changes one object and
// removes another is applied and pruned.
func TestFluxLoop(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{Flux: true})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	charts := serveCharts(t, "testdata/charts/hello")
	git := &gittest.Server{Root: t.TempDir(), Token: token}
	srv := httptest.NewServer(git.Handler())
	t.Cleanup(srv.Close)
	repoURL := srv.URL + "/manifests.git"

	files := map[string]string{
		"clusters/dev/flux-system.k8s.yaml": string(synth(t, entryPoint(repoURL))),
		"infrastructure/dev/infra.k8s.yaml": string(synth(t, infrastructure(charts.URL))),
		"dev/shop.k8s.yaml":                 string(synth(t, shop(shopProps{Greeting: "hello", Obsolete: true}))),
		"README.md":                         "The manifests of every cluster.\n",
		".gitlab-ci.yml":                    "lint:\n  script: [yamllint .]\n",
		// Any .sourceignore switches off source-controller's built-in
		// exclusions; the GitRepository's spec.ignore must keep them, or
		// the .sops.yaml below breaks the build of dev/.
		".sourceignore":  "README.md\n",
		"dev/.sops.yaml": "creation_rules:\n  - path_regex: .*\\.yaml\n    age: age1example\n",
	}
	// The same chart, kept in git.
	if err := filepath.WalkDir("testdata/charts/hello", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files["charts/"+strings.TrimPrefix(filepath.ToSlash(p), "testdata/charts/")] = string(data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	bare, err := git.CreateRepo("manifests", files, 1)
	if err != nil {
		t.Fatal(err)
	}
	first := revParse(t, bare)

	// Bootstrap as `flux bootstrap` does: the credentials and the Sync
	// (gotk-sync.yaml) only; Flux applies clusters/dev from git, the Sync
	// in it included.
	start := time.Now()
	if err := cluster.Bootstrap(ctx, kubetest.BootstrapOptions{
		URL: repoURL, Path: "./clusters/dev",
		Username: "flux", Password: token,
	}); err != nil {
		t.Fatal(err)
	}
	want := []kubetest.Ref{
		{Kind: "GitRepository", Name: "flux-system"},
		{Kind: "Kustomization", Name: "flux-system"},
		{Kind: "Kustomization", Name: "infrastructure"},
		{Kind: "Kustomization", Name: "apps"},
		{Kind: "HelmRepository", Name: "charts"},
		{Kind: "HelmRelease", Name: "hello"},
		{Kind: "HelmRelease", Name: "hello-git"},
	}
	statuses, err := cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: want, Revision: first})
	if err != nil {
		t.Fatalf("after bootstrap: %v", err)
	}
	t.Logf("bootstrap → every Kustomization and HelmRelease Ready: %s", time.Since(start).Round(10*time.Millisecond))
	for _, s := range statuses {
		t.Logf("  %s", s)
	}

	client := cluster.Client()
	ns, err := client.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace shop: %v", err)
	}
	if got := ns.Labels["kustomize.toolkit.fluxcd.io/name"]; got != "infrastructure" {
		t.Errorf("namespace shop is labelled as applied by %q, want the infrastructure Kustomization", got)
	}
	assertConfigMap(ctx, t, cluster, "shop", "settings", map[string]string{"GREETING": "hello", "REGION": "eu-west-1"})
	assertConfigMap(ctx, t, cluster, "shop", "obsolete", map[string]string{"left": "over"})
	assertConfigMap(ctx, t, cluster, "shop", "hello-greeting", map[string]string{"greeting": "hi from a HelmRelease"})
	assertConfigMap(ctx, t, cluster, "shop", "shop-hello-git-greeting", map[string]string{"greeting": "hello"})
	deploy, err := client.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("deployment web: %v", err)
	}
	if got := deploy.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/shop/web:1.0.0" || *deploy.Spec.Replicas != 2 {
		t.Errorf("deployment web: image %s, %d replicas; want registry.example.com/shop/web:1.0.0 and 2", got, *deploy.Spec.Replicas)
	}

	// A second commit changes one object and removes another.
	work := clone(t, repoURL)
	writeFile(t, filepath.Join(work, "dev/shop.k8s.yaml"), synth(t, shop(shopProps{Greeting: "hello again"})))
	gitIn(t, work, "commit", "-q", "-am", "shop: new greeting, no obsolete ConfigMap")
	gitIn(t, work, "push", "-q", "origin", "main")
	pushed := time.Now()
	second := revParse(t, bare)
	if err := cluster.RequestReconcile(ctx, kubetest.Ref{Kind: "GitRepository", Name: "flux-system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: []kubetest.Ref{{Kind: "GitRepository", Name: "flux-system"}}, Revision: second}); err != nil {
		t.Fatalf("after the second commit: %v", err)
	}
	fetched := time.Since(pushed)
	if _, err := cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: []kubetest.Ref{{Kind: "Kustomization", Name: "apps"}}, Revision: second}); err != nil {
		t.Fatalf("after the second commit: %v", err)
	}
	applied := time.Since(pushed)
	assertConfigMap(ctx, t, cluster, "shop", "settings", map[string]string{"GREETING": "hello again", "REGION": "eu-west-1"})
	if _, err := client.CoreV1().ConfigMaps("shop").Get(ctx, "obsolete", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap obsolete was not pruned: %v", err)
	}
	t.Logf("push → artifact %s, → applied and pruned %s (reconcile requested on the GitRepository)",
		fetched.Round(10*time.Millisecond), applied.Round(10*time.Millisecond))
}

// TestFluxReportsFailures proves WaitReady reports what the controllers
// say about objects that never become Ready, and that a GitRepository
// needs the default exclusions written out: with a .sourceignore in the
// repository and no spec.ignore, source-controller keeps .sops.yaml in the
// artifact and kustomize-controller cannot build the path holding it.
func TestFluxReportsFailures(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{Flux: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	git := &gittest.Server{Root: t.TempDir(), Token: token}
	srv := httptest.NewServer(git.Handler())
	t.Cleanup(srv.Close)
	shopYAML := synth(t, shop(shopProps{Greeting: "hello"}))
	if _, err := git.CreateRepo("manifests", map[string]string{
		"infrastructure/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"dev/shop.k8s.yaml":             string(shopYAML),
		"dev/.sops.yaml":                "creation_rules:\n  - age: age1example\n",
		".sourceignore":                 "README.md\n",
	}, 1); err != nil {
		t.Fatal(err)
	}
	entry := synth(t, func(app *constructs.App) {
		chart := constructs.NewChart(app, "flux-system", constructs.ChartProps{Namespace: kubetest.FluxNamespace})
		repo := flux.NewGitRepository(chart, "repo", flux.GitRepositoryProps{
			ObjectProps: flux.ObjectProps{Name: "manifests"}, URL: srv.URL + "/manifests.git",
			SecretName: "flux-system", NoDefaultIgnore: true,
		})
		infra := flux.NewKustomization(chart, "infra", flux.KustomizationProps{
			ObjectProps: flux.ObjectProps{Name: "infra"}, Source: repo, Path: "./infrastructure", Wait: flux.WaitForNone,
		})
		flux.NewKustomization(chart, "dev", flux.KustomizationProps{
			ObjectProps: flux.ObjectProps{Name: "dev"}, Source: repo, Path: "./dev", Wait: flux.WaitForNone,
			DependsOn: []*flux.Kustomization{infra},
		})
		flux.NewKustomization(chart, "missing", flux.KustomizationProps{
			ObjectProps: flux.ObjectProps{Name: "missing"}, Source: repo, Path: "./clusters/missing", Wait: flux.WaitForNone,
		})
	})
	if err := cluster.Bootstrap(ctx, kubetest.BootstrapOptions{EntryPoint: entry, Username: "flux", Password: token}); err != nil {
		t.Fatal(err)
	}
	// infra builds: it holds no .sops.yaml.
	if _, err := cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: []kubetest.Ref{{Kind: "Kustomization", Name: "infra"}}}); err != nil {
		t.Fatal(err)
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, 15*time.Second)
	defer waitCancel()
	_, err := cluster.WaitReady(waitCtx, kubetest.WaitOptions{})
	var nr *kubetest.NotReadyError
	if !errors.As(err, &nr) || len(nr.NotReady) != 2 {
		t.Fatalf("WaitReady = %v, want a *NotReadyError for two Kustomizations", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"Kustomization flux-system/dev: Ready=False BuildFailed", ".sops.yaml",
		"Kustomization flux-system/missing: Ready=False", "clusters/missing",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, token) {
		t.Error("the error shows the git token")
	}
	t.Logf("reported:\n%s", msg)
}

// entryPoint is clusters/dev: what `flux bootstrap` writes, plus the
// cluster's Kustomizations, infrastructure before apps.
func entryPoint(repoURL string) func(*constructs.App) {
	return func(app *constructs.App) {
		chart := constructs.NewChart(app, "flux-system", constructs.ChartProps{Namespace: kubetest.FluxNamespace})
		sync := flux.NewSync(chart, "sync", flux.SyncProps{URL: repoURL, Path: "./clusters/dev"})
		// Nothing here runs pods, so Deployments never become available:
		// these Kustomizations are ready once they have applied.
		infra := flux.NewKustomization(chart, "infrastructure", flux.KustomizationProps{
			ObjectProps: flux.ObjectProps{Name: "infrastructure"},
			Source:      sync.GitRepository,
			Path:        "./infrastructure/dev",
			Wait:        flux.WaitForNone,
		})
		flux.NewKustomization(chart, "apps", flux.KustomizationProps{
			ObjectProps: flux.ObjectProps{Name: "apps"},
			Source:      sync.GitRepository,
			Path:        "./dev",
			Wait:        flux.WaitForNone,
			DependsOn:   []*flux.Kustomization{infra},
		})
	}
}

// infrastructure is the shop's namespace and the chart released into it.
func infrastructure(chartsURL string) func(*constructs.App) {
	return func(app *constructs.App) {
		constructs.NewObject(constructs.NewChart(app, "namespaces", constructs.ChartProps{}), "shop",
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}})
		chart := constructs.NewChart(app, "releases", constructs.ChartProps{Namespace: kubetest.FluxNamespace})
		repo := flux.NewHelmRepository(chart, "charts", flux.HelmRepositoryProps{
			ObjectProps: flux.ObjectProps{Name: "charts"},
			URL:         chartsURL,
			Interval:    "1m",
		})
		flux.NewHelmRelease(chart, "hello", flux.HelmReleaseProps{
			ObjectProps:     flux.ObjectProps{Name: "hello"},
			Source:          repo,
			Chart:           "hello",
			Version:         "0.1.x",
			ReleaseName:     "hello",
			TargetNamespace: "shop",
			Values:          map[string]any{"greeting": "hi from a HelmRelease"},
			DisableWait:     true,
		})
		flux.NewHelmRelease(chart, "hello-git", flux.HelmReleaseProps{
			ObjectProps: flux.ObjectProps{Name: "hello-git"},
			// The GitRepository is the entry point's, another app.
			ExternalSource:  &helmv2.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "flux-system"},
			Chart:           "./charts/hello",
			TargetNamespace: "shop",
			DisableWait:     true,
		})
	}
}

type shopProps struct {
	Greeting string
	Obsolete bool
}

// shop is the app: a ConfigMap, a Deployment and, in the first revision,
// a ConfigMap the second one removes.
func shop(p shopProps) func(*constructs.App) {
	return func(app *constructs.App) {
		chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
		constructs.NewObject(chart, "settings", &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "settings"},
			Data:       map[string]string{"GREETING": p.Greeting, "REGION": "eu-west-1"},
		})
		if p.Obsolete {
			constructs.NewObject(chart, "obsolete", &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "obsolete"},
				Data:       map[string]string{"left": "over"},
			})
		}
		labels := map[string]string{"app.kubernetes.io/name": "web"}
		replicas := int32(2)
		constructs.NewObject(chart, "web", &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{
						Name: "web", Image: "registry.example.com/shop/web:1.0.0",
						EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}},
					}}},
				},
			},
		})
	}
}

// synth renders an app built by add, with the Flux types registered.
func synth(t *testing.T, add func(*constructs.App)) []byte {
	t.Helper()
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	add(app)
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertConfigMap(ctx context.Context, t *testing.T, c *kubetest.Cluster, ns, name string, want map[string]string) {
	t.Helper()
	cm, err := c.Client().CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Errorf("ConfigMap %s/%s: %v", ns, name, err)
		return
	}
	if len(cm.Data) != len(want) {
		t.Errorf("ConfigMap %s/%s data = %v, want %v", ns, name, cm.Data, want)
	}
	for k, v := range want {
		if cm.Data[k] != v {
			t.Errorf("ConfigMap %s/%s data[%s] = %q, want %q", ns, name, k, cm.Data[k], v)
		}
	}
}

func revParse(t *testing.T, bare string) string {
	t.Helper()
	out, err := gittest.Git(bare, "rev-parse", "refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// clone clones the repository over HTTP with the token, as a CI job would.
func clone(t *testing.T, url string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	authed := strings.Replace(url, "http://", "http://ci:"+token+"@", 1)
	if _, err := gittest.Git("", "clone", "-q", authed, dir); err != nil {
		t.Fatal(strings.ReplaceAll(err.Error(), token, "[masked]"))
	}
	return dir
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	if _, err := gittest.Git(dir, args...); err != nil {
		t.Fatal(strings.ReplaceAll(err.Error(), token, "[masked]"))
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
