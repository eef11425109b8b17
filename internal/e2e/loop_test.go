package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gitlabapi "gitlab.com/gitlab-org/api/client-go"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	synthpkg "gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// The loop's own apps, registered as a repository registers its apps: the
// platform's settings in the infrastructure layer, and the shop, with a
// ConfigMap and a Deployment, in the apps layer.
type loopEnv struct {
	Region string `json:"region" config:"required"`
}

type platformConfig struct {
	Namespace string `json:"namespace" config:"required"`
}

type shopConfig struct {
	Namespace string `json:"namespace" config:"required"`
	Greeting  string `json:"greeting" config:"required"`
	Replicas  int32  `json:"replicas"`
	// Legacy keeps a ConfigMap that a later commit removes.
	Legacy bool `json:"legacy"`
}

var loopApps = []synthpkg.Registration[loopEnv]{
	synthpkg.App[loopEnv, platformConfig]{
		Name:  "platform",
		Layer: synthpkg.LayerInfrastructure,
		Build: func(app *constructs.App, env *synthpkg.Env[loopEnv], cfg platformConfig) {
			chart := constructs.NewChart(app, "platform", constructs.ChartProps{Namespace: cfg.Namespace})
			constructs.NewObject(chart, "cluster-info", &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "cluster-info"},
				Data:       map[string]string{"region": env.Config.Region, "environment": env.Name},
			})
		},
	},
	synthpkg.App[loopEnv, shopConfig]{
		Name: "shop",
		Build: func(app *constructs.App, env *synthpkg.Env[loopEnv], cfg shopConfig) {
			chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: cfg.Namespace, Labels: map[string]string{"app.kubernetes.io/part-of": "shop"}})
			constructs.NewObject(chart, "settings", &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "settings"},
				Data:       map[string]string{"GREETING": cfg.Greeting, "REGION": env.Config.Region},
			})
			if cfg.Legacy {
				constructs.NewObject(chart, "legacy", &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: "legacy"},
					Data:       map[string]string{"left": "over"},
				})
			}
			labels := map[string]string{"app.kubernetes.io/name": "web"}
			replicas := cfg.Replicas
			constructs.NewObject(chart, "web", &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "web"},
				Spec: appsv1.DeploymentSpec{
					Replicas: &replicas,
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{
							Name: "web", Image: env.Image("web"),
							EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}},
						}}},
					},
				},
			})
		},
	},
}

// loopConfig is config/dev.yaml. Nothing here runs pods, so the
// Kustomizations must not wait for Deployments to become available.
func loopConfig(greeting string, legacy bool) string {
	return fmt.Sprintf(`region: eu-west-1
images:
  web: registry.example.com/shop/web:1.4.2
flux:
  wait: false
  interval: 10m
platform:
  namespace: shop
shop:
  namespace: shop
  greeting: %q
  replicas: 2
  legacy: %t
`, greeting, legacy)
}

// loop is the whole delivery loop's machinery: a cluster running Flux, the
// manifests repository over smart HTTP, and GitLab's API on it.
type loop struct {
	cluster *kubetest.Cluster
	bare    string
	repoURL string
	api     *gitlabtest.Server
	project gitlabtest.Project
	work    string // where synth writes dist/
	commits int
}

const (
	syncToken     = "glpat-e2e-sync-bot-0123456789"
	reviewerToken = "glpat-e2e-reviewer-0123456789"
)

// TestDeliveryLoop is the loop end to end: synth writes the manifests and
// the cluster's entry point; sync puts them on a branch and opens a merge
// request; a reviewer merges it through GitLab's API, a real merge into
// main; Flux, bootstrapped with the entry point only, applies them. A second
// commit changes an object and removes another: sync, merge, applied and
// pruned. A third, which Flux would not apply in full, never leaves the
// machine; and a file Flux cannot build that reaches main another way
// stops the next sync with the very message kustomize-controller reports.
func TestDeliveryLoop(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{Flux: true})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	l := newLoop(t, cluster)

	// The cluster is bootstrapped once, as `flux bootstrap` does, before
	// the repository holds its entry point.
	if err := cluster.Bootstrap(ctx, kubetest.BootstrapOptions{URL: l.repoURL, Path: "./clusters/dev", Username: "flux", Password: syncToken}); err != nil {
		t.Fatal(err)
	}

	// 1. The first commit: everything is new.
	res := l.sync(ctx, t, "Open the shop", loopConfig("hello", true))
	if res.Status != deliver.StatusOpened || res.MergeRequest == nil {
		t.Fatalf("first sync: %+v", res)
	}
	// The Kustomizations of the entry point, then the entry point folder,
	// which bootstrap's Kustomization (not in git here) applies.
	wantBuilt := []string{"infrastructure/dev", "dev", "clusters/dev"}
	if got := builtPaths(res); !slices.Equal(got, wantBuilt) {
		t.Errorf("sync built %v as Flux would, want %v", got, wantBuilt)
	}
	_, applied := l.mergeAndWait(ctx, t, res.MergeRequest.IID)
	t.Logf("first commit: merge → every Kustomization Ready at the merge commit %s", applied)

	client := cluster.Client()
	ns, err := client.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace shop: %v", err)
	}
	if got := ns.Labels["kustomize.toolkit.fluxcd.io/name"]; got != "infrastructure" {
		t.Errorf("namespace shop was applied by %q, want the infrastructure Kustomization", got)
	}
	assertConfigMap(ctx, t, cluster, "shop", "cluster-info", map[string]string{"region": "eu-west-1", "environment": "dev"})
	assertConfigMap(ctx, t, cluster, "shop", "settings", map[string]string{"GREETING": "hello", "REGION": "eu-west-1"})
	assertConfigMap(ctx, t, cluster, "shop", "legacy", map[string]string{"left": "over"})
	deploy, err := client.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("deployment web: %v", err)
	}
	c := deploy.Spec.Template.Spec.Containers
	if *deploy.Spec.Replicas != 2 || len(c) != 1 || c[0].Image != "registry.example.com/shop/web:1.4.2" ||
		c[0].EnvFrom[0].ConfigMapRef.Name != "settings" || deploy.Labels["app.kubernetes.io/part-of"] != "shop" ||
		deploy.Labels["kustomize.toolkit.fluxcd.io/name"] != "apps" {
		t.Errorf("deployment web: %d replicas, containers %+v, labels %v", *deploy.Spec.Replicas, c, deploy.Labels)
	}
	if got := l.files(t)["clusters/dev/tsumiki.k8s.yaml"]; !strings.Contains(got, "path: ./infrastructure/dev") || strings.Contains(got, "wait: true") {
		t.Errorf("main's entry point:\n%s", got)
	}

	// 2. A second commit changes one object and removes another.
	res = l.sync(ctx, t, "New greeting, no legacy ConfigMap", loopConfig("hello again", false))
	if res.Status != deliver.StatusOpened {
		t.Fatalf("second sync: %+v", res)
	}
	_, applied = l.mergeAndWait(ctx, t, res.MergeRequest.IID)
	t.Logf("second commit: merge → applied and pruned %s", applied)
	assertConfigMap(ctx, t, cluster, "shop", "settings", map[string]string{"GREETING": "hello again", "REGION": "eu-west-1"})
	if _, err := client.CoreV1().ConfigMaps("shop").Get(ctx, "legacy", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap legacy was not pruned: %v", err)
	}

	// 3. A third commit whose dist/ holds a .json manifest, which Flux
	// would silently leave out, is refused before any commit.
	mrsBefore, before := len(l.api.MergeRequests(l.project.ID)), l.snapshot(t)
	res, err = l.trySync(ctx, t, "Add a JSON manifest", loopConfig("hello again", false), map[string]string{
		"dev/extra.json": `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"shop"}}`,
	})
	var json *deliver.UnappliedJSONError
	if !errors.As(err, &json) || !slices.Equal(json.Files, []string{"dev/extra.json"}) || res.Status != deliver.StatusRefused {
		t.Fatalf("third sync: %v (%+v), want an *UnappliedJSONError for dev/extra.json", err, res)
	}
	if l.snapshot(t) != before || slices.Contains(l.branches(t), l.branch()) || len(l.api.MergeRequests(l.project.ID)) != mrsBefore {
		t.Errorf("the refused change reached the repository or GitLab: branches %v", l.branches(t))
	}

	// 4. A file Flux cannot build reaches main without sync (a push by
	// hand): the next sync refuses to add to it, with the message the
	// controller then reports.
	work := cloneRepo(t, l.repoURL, syncToken)
	writeFileAll(t, filepath.Join(work, "dev/.yamllint.yaml"), "extends: default\n")
	gitOut(t, work, "add", "dev/.yamllint.yaml")
	gitOut(t, work, "commit", "-q", "-m", "lint the manifests")
	gitOut(t, work, "push", "-q", "origin", "main")
	res, err = l.trySync(ctx, t, "Greet once more", loopConfig("hello once more", false), nil)
	var build *deliver.FluxBuildError
	if !errors.As(err, &build) || build.File != "dev/.yamllint.yaml" || build.Kustomization != "flux-system/apps" || res.Pushed {
		t.Fatalf("fourth sync: %v, want a *FluxBuildError for dev/.yamllint.yaml", err)
	}
	if err := cluster.RequestReconcile(ctx, kubetest.Ref{Kind: "GitRepository", Name: "flux-system"}); err != nil {
		t.Fatal(err)
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	var controller string
	for waitCtx.Err() == nil && controller == "" {
		statuses, err := cluster.Statuses(waitCtx, kubetest.Ref{Kind: "Kustomization", Name: "apps"})
		if err == nil && statuses[0].Reason == deliver.ReasonBuildFailed {
			controller = statuses[0].Message
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The controller builds in a directory of its own; sync names the file
	// from the repository root.
	controller = regexp.MustCompile(`/\S*/(dev/\.yamllint\.yaml)`).ReplaceAllString(controller, "$1")
	if controller == "" || controller != build.Message {
		t.Errorf("kustomize-controller reports %q\nsync said %q", controller, build.Message)
	}
}

func newLoop(t *testing.T, cluster *kubetest.Cluster) *loop {
	t.Helper()
	git := &gittest.Server{Root: t.TempDir(), Token: syncToken}
	srv := httptest.NewServer(git.Handler())
	t.Cleanup(srv.Close)
	l := &loop{cluster: cluster, repoURL: srv.URL + "/platform/manifests.git", work: t.TempDir()}
	var err error
	if l.bare, err = git.CreateRepo("platform/manifests", map[string]string{
		"README.md":      "The manifests of every cluster.\n",
		".gitlab-ci.yml": "lint:\n  script: [yamllint .]\n",
	}, 1); err != nil {
		t.Fatal(err)
	}
	l.api = gitlabtest.NewServer()
	t.Cleanup(l.api.Close)
	l.project = l.api.AddProject(gitlabtest.Project{PathWithNamespace: "platform/manifests"})
	l.api.AddToken(syncToken, gitlabtest.User{Username: "tsumiki-bot", Name: "tsumiki bot", Email: "bot@example.com"}, gitlabtest.Developer)
	l.api.AddToken(reviewerToken, gitlabtest.User{Username: "lea", Name: "Lea Lead", Email: "lea@example.com"}, gitlabtest.Maintainer)
	l.api.SetGit(gitlabtest.BareRepositories(func(project string) string { return filepath.Join(git.Root, project+".git") }))
	return l
}

// sync synthesizes config and syncs it, failing the test on an error.
func (l *loop) sync(ctx context.Context, t *testing.T, title, config string) *deliver.Result {
	t.Helper()
	res, err := l.trySync(ctx, t, title, config, nil)
	if err != nil {
		t.Fatalf("sync %q: %v", title, err)
	}
	return res
}

// trySync runs synth for a new source commit, adds extra to dist/, and
// runs sync as the pipeline's sync job does.
func (l *loop) trySync(ctx context.Context, t *testing.T, title, config string, extra map[string]string) (*deliver.Result, error) {
	t.Helper()
	l.commits++
	configDir := filepath.Join(l.work, fmt.Sprint(l.commits), "config")
	dist := filepath.Join(l.work, fmt.Sprint(l.commits), "dist")
	writeFileAll(t, filepath.Join(configDir, "dev.yaml"), config)
	out, err := synthpkg.Synthesize(ctx, loopApps, synthpkg.Options{ConfigDir: configDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(dist, synthpkg.WriteOptions{ConfigDir: configDir}); err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		writeFileAll(t, filepath.Join(dist, filepath.FromSlash(name)), content)
	}
	forge, err := gitlab.New(l.api.URL(), syncToken, "platform/manifests")
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat(fmt.Sprintf("%x", l.commits), 40)
	var logs strings.Builder
	start := time.Now()
	res, err := deliver.Run(ctx, deliver.Config{
		Repo:               l.repoURL,
		ForgeURL:           l.api.URL(),
		Project:            "platform/manifests",
		Base:               "main",
		Dist:               dist,
		RemoveSourceBranch: true,
		Supersede:          true,
		Source:             deliver.Source{SHA: sha, Title: title, Time: time.Date(2026, 5, 1, 12, l.commits, 0, 0, time.UTC)},
		Auth:               gitsync.Auth{Token: syncToken},
		TempDir:            t.TempDir(),
	}, forge, slog.New(slog.NewTextHandler(&logs, nil)))
	t.Logf("sync %q: %s in %s", title, res.Status, time.Since(start).Round(10*time.Millisecond))
	if strings.Contains(logs.String(), syncToken) || err != nil && strings.Contains(err.Error(), syncToken) {
		t.Error("the token shows in sync's log or error")
	}
	return res, err
}

// branch is the change branch of the latest source commit.
func (l *loop) branch() string {
	return "tsumiki/" + strings.Repeat(fmt.Sprintf("%x", l.commits), 8)
}

// mergeAndWait merges a merge request as a reviewer, asks Flux to look at
// the repository at once, and waits until every Kustomization has applied
// the merge commit. It returns the merge commit and the time from the
// merge's answer to that.
func (l *loop) mergeAndWait(ctx context.Context, t *testing.T, iid int) (string, time.Duration) {
	t.Helper()
	c, err := gitlabapi.NewClient(reviewerToken, gitlabapi.WithBaseURL(l.api.URL()+"/api/v4"))
	if err != nil {
		t.Fatal(err)
	}
	open, _, err := c.MergeRequests.GetMergeRequest("platform/manifests", int64(iid), nil)
	if err != nil {
		t.Fatal(err)
	}
	mr, _, err := c.MergeRequests.AcceptMergeRequest("platform/manifests", int64(iid), &gitlabapi.AcceptMergeRequestOptions{SHA: gitlabapi.Ptr(open.SHA)})
	if err != nil {
		t.Fatalf("merge !%d: %v", iid, err)
	}
	merged := time.Now()
	if mr.State != "merged" || mr.MergeCommitSHA != strings.TrimSpace(gitOut(t, l.bare, "rev-parse", "main")) {
		t.Fatalf("merge !%d: %+v, main at %s", iid, mr.BasicMergeRequest, gitOut(t, l.bare, "rev-parse", "main"))
	}
	if slices.Contains(l.branches(t), mr.SourceBranch) {
		t.Errorf("the source branch %s was not removed on merge", mr.SourceBranch)
	}
	if err := l.cluster.RequestReconcile(ctx, kubetest.Ref{Kind: "GitRepository", Name: "flux-system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: []kubetest.Ref{{Kind: "GitRepository", Name: "flux-system"}}, Revision: mr.MergeCommitSHA, Poll: 50 * time.Millisecond}); err != nil {
		t.Fatalf("after merging !%d: %v", iid, err)
	}
	fetched := time.Since(merged)
	refs := []kubetest.Ref{
		{Kind: "GitRepository", Name: "flux-system"},
		{Kind: "Kustomization", Name: "flux-system"},
		{Kind: "Kustomization", Name: "infrastructure"},
		{Kind: "Kustomization", Name: "apps"},
	}
	statuses, err := l.cluster.WaitReady(ctx, kubetest.WaitOptions{Objects: refs, Revision: mr.MergeCommitSHA, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("after merging !%d: %v", iid, err)
	}
	took := time.Since(merged).Round(10 * time.Millisecond)
	t.Logf("merged !%d: artifact after %s, every Kustomization Ready after %s", iid, fetched.Round(10*time.Millisecond), took)
	for _, s := range statuses {
		t.Logf("  %s", s)
	}
	return mr.MergeCommitSHA, took
}

func (l *loop) files(t *testing.T) map[string]string {
	t.Helper()
	f, err := gittest.Files(l.bare, "main")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (l *loop) branches(t *testing.T) []string {
	t.Helper()
	b, err := gittest.Branches(l.bare)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (l *loop) snapshot(t *testing.T) string {
	t.Helper()
	s, err := gittest.Snapshot(l.bare)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func builtPaths(res *deliver.Result) []string {
	var out []string
	for _, b := range res.Flux {
		out = append(out, b.Path)
	}
	return out
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gittest.Git(dir, args...)
	if err != nil {
		t.Fatal(strings.ReplaceAll(err.Error(), syncToken, "[masked]"))
	}
	return strings.TrimSpace(out)
}

func writeFileAll(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cloneRepo clones the repository over HTTP with a token, as a person
// would.
func cloneRepo(t *testing.T, url, token string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	authed := strings.Replace(url, "http://", "http://someone:"+token+"@", 1)
	gitOut(t, "", "clone", "-q", authed, dir)
	return dir
}
