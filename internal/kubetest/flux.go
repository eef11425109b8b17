package kubetest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
)

// The resources of Flux's kinds that the helpers read.
var fluxResources = map[string]schema.GroupVersionResource{
	"GitRepository":  {Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"},
	"OCIRepository":  {Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "ocirepositories"},
	"HelmRepository": {Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "helmrepositories"},
	"HelmChart":      {Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "helmcharts"},
	"Kustomization":  {Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"},
	"HelmRelease":    {Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"},
}

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installFluxCRDs installs the controllers' CRDs, waits until the API
// server serves them, and creates flux-system.
func (c *Cluster) installFluxCRDs(ctx context.Context, opts Options) error {
	var crds []byte
	for _, comp := range []Component{SourceController, KustomizeController, HelmController} {
		files, err := comp.CRDs(opts.Cache)
		if err != nil {
			return err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			crds = append(append(crds, data...), "\n---\n"...)
		}
	}
	if err := c.Apply(ctx, crds, ApplyOptions{}); err != nil {
		return fmt.Errorf("install Flux CRDs: %w", err)
	}
	if err := c.waitEstablished(ctx, crds, opts.StartTimeout); err != nil {
		return err
	}
	c.mapper.Reset()
	return c.CreateNamespace(ctx, FluxNamespace)
}

// startFlux starts the controllers, as their Deployments in flux-system
// would run them, but out of cluster.
func (c *Cluster) startFlux(ctx context.Context, opts Options, bins map[string]string) error {
	ports, err := freePorts(7)
	if err != nil {
		return err
	}
	// The controllers have no --kubeconfig flag; they read KUBECONFIG.
	env := []string{"KUBECONFIG=" + c.Kubeconfig, "RUNTIME_NAMESPACE=" + FluxNamespace}
	common := func(metrics, health string) []string {
		return []string{
			"--watch-all-namespaces=true", "--enable-leader-election=false",
			"--metrics-addr=127.0.0.1:" + metrics, "--health-addr=127.0.0.1:" + health,
			"--events-addr=", "--log-encoding=json",
		}
	}
	storage := filepath.Join(c.Dir, "source-storage")
	if err := os.Mkdir(storage, 0o755); err != nil { // source-controller does not create it
		return err
	}
	type controller struct {
		name   string
		health string
		args   []string
	}
	controllers := []controller{
		{"source-controller", ports[1], append(common(ports[0], ports[1]),
			"--storage-path="+storage, "--storage-addr=127.0.0.1:"+ports[2], "--storage-adv-addr=127.0.0.1:"+ports[2])},
		// A dependency that is not ready is looked at again after 30s by
		// default; a test should not wait that long.
		{"kustomize-controller", ports[4], append(common(ports[3], ports[4]), "--requeue-dependency=1s")},
		{"helm-controller", ports[6], append(common(ports[5], ports[6]), "--requeue-dependency=1s")},
	}
	var started []*process
	for _, ctrl := range controllers {
		p, err := c.run(bins[ctrl.name], env, ctrl.args...)
		if err != nil {
			return err
		}
		started = append(started, p)
	}
	for i, p := range started {
		if err := p.waitHTTP(ctx, http.DefaultClient, "http://127.0.0.1:"+controllers[i].health+"/readyz", opts.StartTimeout); err != nil {
			return err
		}
	}
	return nil
}

// waitEstablished waits until every CRD in manifests is Established.
func (c *Cluster) waitEstablished(ctx context.Context, manifests []byte, timeout time.Duration) error {
	objs, err := Decode(manifests)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for _, o := range objs {
		for {
			crd, err := c.dynamic.Resource(crdResource).Get(ctx, o.GetName(), metav1.GetOptions{})
			if err == nil && conditionStatus(crd, "Established") == "True" {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("CRD %s not established within %s (%v)", o.GetName(), timeout, err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// Ref names a Flux object in the cluster.
type Ref struct {
	// Kind is GitRepository, OCIRepository, HelmRepository, HelmChart,
	// Kustomization or HelmRelease.
	Kind string
	// Namespace is flux-system if empty.
	Namespace string
	Name      string
}

func (r Ref) String() string { return r.Kind + " " + r.namespace() + "/" + r.Name }

func (r Ref) namespace() string {
	if r.Namespace == "" {
		return FluxNamespace
	}
	return r.Namespace
}

// Status is what a Flux object reports in its Ready condition.
type Status struct {
	Ref
	// Ready is the Ready condition's status: True, False or Unknown; ""
	// if there is no such condition yet.
	Ready string
	// Reason and Message explain it.
	Reason, Message string
	// Revision is the source artifact's revision for sources, the
	// revision last applied for Kustomizations, the chart version last
	// attempted for HelmReleases.
	Revision string
	// Current is whether the controller has seen the latest spec
	// (status.observedGeneration equals metadata.generation).
	Current bool
}

func (s Status) String() string {
	msg := fmt.Sprintf("%s: Ready=%s", s.Ref, s.Ready)
	if s.Reason != "" {
		msg += " " + s.Reason
	}
	if s.Message != "" {
		msg += ": " + s.Message
	}
	if s.Revision != "" {
		msg += " (revision " + s.Revision + ")"
	}
	return msg
}

// NotReadyError lists the objects that were not ready in time, with what
// their controllers say about them.
type NotReadyError struct {
	NotReady []Status
}

func (e *NotReadyError) Error() string {
	lines := make([]string, len(e.NotReady))
	for i, s := range e.NotReady {
		lines[i] = "  " + s.String()
	}
	return "not ready:\n" + strings.Join(lines, "\n")
}

// Statuses reads the status of the objects; every Kustomization and
// HelmRelease in the cluster if refs is empty.
func (c *Cluster) Statuses(ctx context.Context, refs ...Ref) ([]Status, error) {
	if len(refs) == 0 {
		for _, kind := range []string{"Kustomization", "HelmRelease"} {
			list, err := c.dynamic.Resource(fluxResources[kind]).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("list %ss: %w", kind, err)
			}
			for _, o := range list.Items {
				refs = append(refs, Ref{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName()})
			}
		}
	}
	out := make([]Status, 0, len(refs))
	for _, r := range refs {
		gvr, ok := fluxResources[r.Kind]
		if !ok {
			return nil, fmt.Errorf("%s: not a Flux kind these helpers know", r)
		}
		o, err := c.dynamic.Resource(gvr).Namespace(r.namespace()).Get(ctx, r.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			out = append(out, Status{Ref: r, Message: "not found"})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", r, err)
		}
		out = append(out, statusOf(r, o))
	}
	return out, nil
}

func statusOf(r Ref, o *unstructured.Unstructured) Status {
	s := Status{Ref: r}
	if cond := condition(o, "Ready"); cond != nil {
		s.Ready, _ = cond["status"].(string)
		s.Reason, _ = cond["reason"].(string)
		s.Message, _ = cond["message"].(string)
	}
	observed, _, _ := unstructured.NestedInt64(o.Object, "status", "observedGeneration")
	s.Current = observed == o.GetGeneration()
	switch r.Kind {
	case "Kustomization":
		s.Revision, _, _ = unstructured.NestedString(o.Object, "status", "lastAppliedRevision")
	case "HelmRelease":
		s.Revision, _, _ = unstructured.NestedString(o.Object, "status", "lastAttemptedRevision")
	default:
		s.Revision, _, _ = unstructured.NestedString(o.Object, "status", "artifact", "revision")
	}
	return s
}

// WaitOptions configures WaitReady.
type WaitOptions struct {
	// Objects to wait for; every Kustomization and HelmRelease in the
	// cluster if empty (read at each poll, so ones that appear count).
	Objects []Ref
	// Revision, if set, is a git commit SHA (or a whole Flux revision,
	// "main@sha1:…") that sources and Kustomizations must have reached.
	Revision string
	// Poll is the time between looks; 100ms if zero.
	Poll time.Duration
}

// WaitReady waits until every object is Ready for its latest spec (and at
// Revision, if given). When ctx ends first it returns a *NotReadyError
// with what the controllers say about the objects still not ready.
func (c *Cluster) WaitReady(ctx context.Context, opts WaitOptions) ([]Status, error) {
	if opts.Poll == 0 {
		opts.Poll = 100 * time.Millisecond
	}
	for {
		statuses, err := c.Statuses(ctx, opts.Objects...)
		if err != nil && ctx.Err() == nil {
			return nil, err
		}
		var waiting []Status
		for _, s := range statuses {
			if !s.isReady(opts.Revision) {
				waiting = append(waiting, s)
			}
		}
		if err == nil && len(waiting) == 0 && len(statuses) > 0 {
			return statuses, nil
		}
		select {
		case <-ctx.Done():
			if len(statuses) == 0 {
				return nil, fmt.Errorf("wait: no Kustomization or HelmRelease in the cluster: %w", ctx.Err())
			}
			return statuses, &NotReadyError{NotReady: waiting}
		case <-time.After(opts.Poll):
		}
	}
}

func (s Status) isReady(revision string) bool {
	if s.Ready != "True" || !s.Current {
		return false
	}
	if revision == "" || s.Kind == "HelmRelease" || s.Kind == "HelmRepository" || s.Kind == "HelmChart" {
		return true
	}
	return s.Revision == revision || strings.HasSuffix(s.Revision, ":"+revision)
}

// RequestReconcile asks the controllers to reconcile the objects now
// rather than at their next interval, as `flux reconcile` does.
func (c *Cluster) RequestReconcile(ctx context.Context, refs ...Ref) error {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":%q}}}`, now)
	for _, r := range refs {
		gvr, ok := fluxResources[r.Kind]
		if !ok {
			return fmt.Errorf("%s: not a Flux kind these helpers know", r)
		}
		if _, err := c.dynamic.Resource(gvr).Namespace(r.namespace()).Patch(ctx, r.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("request reconcile of %s: %w", r, err)
		}
	}
	return nil
}

// BootstrapOptions configures Bootstrap.
type BootstrapOptions struct {
	// EntryPoint is the YAML of the objects to apply: a flux.Sync, as the
	// cluster's entry point holds it. If nil, one is synthesized from URL,
	// Branch and Path.
	EntryPoint []byte
	// URL, Branch and Path of the manifests repository and the cluster's
	// entry point in it, for the synthesized Sync.
	URL, Branch, Path string
	// SecretName is the Secret in flux-system with the repository's
	// credentials; flux-system if empty. It is created when Password is
	// set.
	SecretName string
	// Username and Password are the credentials (a token as the password,
	// over HTTPS). Never logged.
	Username, Password string
}

// Bootstrap does what `flux bootstrap` does once the controllers run:
// it creates the credentials Secret and applies the entry point objects.
// Flux takes over from there. Wait for the result with WaitReady.
func (c *Cluster) Bootstrap(ctx context.Context, opts BootstrapOptions) error {
	if opts.SecretName == "" {
		opts.SecretName = "flux-system"
	}
	if opts.Password != "" {
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: opts.SecretName, Namespace: FluxNamespace},
			StringData: map[string]string{"username": opts.Username, "password": opts.Password},
		}
		_, err := c.client.CoreV1().Secrets(FluxNamespace).Create(ctx, secret, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			_, err = c.client.CoreV1().Secrets(FluxNamespace).Update(ctx, secret, metav1.UpdateOptions{})
		}
		if err != nil {
			// The API server's message never holds the Secret's data.
			return fmt.Errorf("bootstrap: credentials Secret %s: %w", opts.SecretName, err)
		}
	}
	entry := opts.EntryPoint
	if entry == nil {
		var err error
		if entry, err = SyncYAML(flux.SyncProps{URL: opts.URL, Branch: opts.Branch, Path: opts.Path, SecretName: opts.SecretName}); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	}
	if err := c.Apply(ctx, entry, ApplyOptions{FieldManager: "kubetest-bootstrap"}); err != nil {
		return fmt.Errorf("bootstrap: apply the entry point: %w", err)
	}
	return nil
}

// SyncYAML synthesizes a flux.Sync on its own: the objects `flux
// bootstrap` writes to gotk-sync.yaml.
func SyncYAML(props flux.SyncProps) ([]byte, error) {
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		return nil, err
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	flux.NewSync(constructs.NewChart(app, "flux-system", constructs.ChartProps{}), "sync", props)
	return app.SynthYAML()
}

// condition returns the named condition of o's status, or nil.
func condition(o *unstructured.Unstructured, typ string) map[string]any {
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	i := slices.IndexFunc(conds, func(c any) bool {
		m, ok := c.(map[string]any)
		return ok && m["type"] == typ
	})
	if i < 0 {
		return nil
	}
	return conds[i].(map[string]any)
}

func conditionStatus(o *unstructured.Unstructured, typ string) string {
	if c := condition(o, typ); c != nil {
		s, _ := c["status"].(string)
		return s
	}
	return ""
}
