package helm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Props say which chart a Helm construct renders and how. Chart, Repo,
// Version, Values, ReleaseName and Namespace are cdk8s's HelmProps.
type Props struct {
	// Chart is the chart: a local chart directory or archive (.tgz), read
	// from FS if set, else from the operating system's file system; the
	// chart's name in Repo; or a full OCI reference without a tag,
	// "oci://registry.example.com/charts/podinfo".
	Chart string
	// Repo is where a chart by name comes from: an HTTP(S) chart
	// repository, whose index.yaml lists the chart
	// ("https://charts.example.com"), or an OCI registry path
	// ("oci://registry.example.com/charts"), the chart then being
	// Repo + "/" + Chart.
	Repo string
	// Version is the chart's exact version ("6.5.0"), required for a chart
	// from a repository or registry: no ranges, and no nearest match. For a
	// local chart it is optional and, if set, must be the chart's.
	Version string
	// FS, if set, is where a local Chart is read from, such as an
	// embed.FS (`//go:embed all:charts/web`: without "all:" Go leaves out
	// the chart's _helpers.tpl). Chart is then slash-separated.
	FS fs.FS

	// Values override the chart's values.yaml: a map[string]any, or a
	// struct, which is read through its JSON tags. Integers stay integers
	// (1000000 renders as 1000000, not 1e+06). They are checked against
	// the chart's values.schema.json.
	Values any
	// ReleaseName is .Release.Name. By default it is the construct's path
	// as a DNS label of at most 53 characters, as cdk8s names releases.
	ReleaseName string
	// Namespace is .Release.Namespace: by default the enclosing chart's
	// namespace, or "default" if it has none. It must not differ from the
	// enclosing chart's namespace: the objects whose templates set no
	// namespace take the chart's, as every object does.
	Namespace string

	// IncludeCRDs adds the CustomResourceDefinitions of the chart's crds/
	// folders (and its enabled subcharts'), first, as `helm template
	// --include-crds` does. `helm install` installs them; leave this off
	// only when the CRDs are installed some other way.
	IncludeCRDs bool
	// KubeVersion is .Capabilities.KubeVersion, and what the chart's
	// kubeVersion constraint is checked against: DefaultKubeVersion if
	// empty.
	KubeVersion string
	// APIVersions are added to .Capabilities.APIVersions, which otherwise
	// holds DefaultAPIVersions: the API versions of the cluster ("group/version"
	// or "group/version/Kind") that charts test for, such as
	// "monitoring.coreos.com/v1" for a chart that adds a ServiceMonitor
	// only where the Prometheus operator runs.
	APIVersions []string
	// Hooks says which hook objects are kept. By default every hook but
	// the test hooks is kept, as a plain object; see Hooks.
	Hooks Hooks
	// AllowNondeterministic accepts templates whose output differs
	// between renders (randAlphaNum, genCA, now, uuidv4). Without it such
	// a chart is an error naming the templates, because the output would
	// change at every synthesis and every merge request.
	AllowNondeterministic bool

	// Client fetches charts from repositories and registries, through the
	// lock file and the cache; DefaultClient() if nil.
	Client *Client
}

// Hooks chooses which of a chart's hook objects (annotated helm.sh/hook)
// a Helm construct keeps. Kept hooks are written as plain objects, with
// their annotations: a GitOps tool applies them like any other object,
// once, when they first appear, and again when they change. See the Helm
// section of the documentation for what that means for Jobs.
type Hooks int

const (
	// KeepHooks keeps every hook except the test hooks (helm.sh/hook: test,
	// or the older test-success), which `helm test` runs and which have no
	// place in a cluster's desired state.
	KeepHooks Hooks = iota
	// DropHooks drops every hook object, as `helm template --no-hooks`.
	DropHooks
	// KeepAllHooks keeps the test hooks too, as plain `helm template`.
	KeepAllHooks
)

// Errors that a Helm construct's problems wrap, to tell them apart with
// errors.Is.
var (
	// ErrInvalidProps: the props are incomplete or contradict each other.
	ErrInvalidProps = errors.New("invalid helm props")
	// ErrChartNotFound: the repository or registry has no such chart or
	// version.
	ErrChartNotFound = errors.New("chart not found")
	// ErrNotLocked: the lock file has no digest for a remote chart.
	ErrNotLocked = errors.New("chart not in the lock file")
	// ErrDigestMismatch: a downloaded chart's digest is not the one the
	// lock file (or the repository's index) records.
	ErrDigestMismatch = errors.New("chart digest mismatch")
	// ErrValues: the values do not meet the chart's values.schema.json.
	ErrValues = errors.New("values do not match the chart's schema")
	// ErrRender: the chart's templates fail to render.
	ErrRender = errors.New("chart render failed")
	// ErrNondeterministic: templates render differently each time.
	ErrNondeterministic = errors.New("chart renders differently each time")
)

// Helm is cdk8s's Helm construct: the objects of a rendered chart, each an
// API object under it, as an Include's. Reach them with constructs.Find
// and FindAll (`constructs.Find[*appsv1.Deployment](h, "web")`) to change
// them like objects of your own.
type Helm struct {
	constructs.Construct
	// ReleaseName is the .Release.Name the chart was rendered with.
	ReleaseName string
	// Namespace is the .Release.Namespace the chart was rendered with.
	Namespace string
	// Chart and Version are the chart's name and version, from its
	// Chart.yaml.
	Chart, Version string
	// Digest is the SHA-256 digest of the chart's archive ("sha256:…"), for
	// a chart from a repository or registry or a local archive; empty for a
	// chart directory.
	Digest string

	objects []*constructs.APIObject
}

// New renders a chart at once, as cdk8s does, and adds its objects under a
// new construct in scope. Problems (a chart that cannot be fetched or
// rendered, values the schema rejects, a digest that does not match the
// lock file) are reported at synthesis with the construct's path. It is
// NewWithContext with context.Background().
func New(scope constructs.Construct, id string, props Props) *Helm {
	return NewWithContext(context.Background(), scope, id, props)
}

// NewWithContext is New with a context that bounds fetching the chart.
func NewWithContext(ctx context.Context, scope constructs.Construct, id string, props Props) *Helm {
	h := &Helm{Construct: constructs.NewNode(scope, id)}
	if err := h.build(ctx, scope, id, props); err != nil {
		h.Node().AddError(err)
	}
	return h
}

// APIObjects returns the chart's objects in the order they are written.
func (h *Helm) APIObjects() []*constructs.APIObject { return h.objects }

func (h *Helm) build(ctx context.Context, scope constructs.Construct, id string, props Props) error {
	if props.Chart == "" {
		return fmt.Errorf("%w: Chart is empty", ErrInvalidProps)
	}
	h.ReleaseName = props.ReleaseName
	if h.ReleaseName == "" {
		name, err := constructs.ToDNSLabel(scope, constructs.NameOptions{MaxLen: 53, Extra: []string{id}})
		if err != nil {
			return fmt.Errorf("%w: release name: %v", ErrInvalidProps, err)
		}
		h.ReleaseName = name
	}
	if err := chartutil.ValidateReleaseName(h.ReleaseName); err != nil {
		return fmt.Errorf("%w: ReleaseName %q: %v", ErrInvalidProps, h.ReleaseName, err)
	}
	chartNS := ""
	if c := constructs.ChartOf(scope); c != nil {
		chartNS = c.Namespace()
	}
	h.Namespace = props.Namespace
	switch {
	case h.Namespace == "" && chartNS != "":
		h.Namespace = chartNS
	case h.Namespace == "":
		h.Namespace = "default"
	case chartNS != "" && h.Namespace != chartNS:
		return fmt.Errorf("%w: Namespace %q differs from the enclosing chart's namespace %q, which the objects whose templates set none would take; put the Helm construct in a chart with namespace %q",
			ErrInvalidProps, h.Namespace, chartNS, h.Namespace)
	}

	client := props.Client
	if client == nil {
		var err error
		if client, err = DefaultClient(); err != nil {
			return err
		}
	}
	src, err := client.load(ctx, props)
	if err != nil {
		return err
	}
	h.Chart, h.Version, h.Digest = src.chart.Name(), src.chart.Metadata.Version, src.digest

	values, err := goValues(props.Values)
	if err != nil {
		return fmt.Errorf("%w: Values: %v", ErrInvalidProps, err)
	}
	out, err := render(src.chart, renderOptions{
		releaseName:   h.ReleaseName,
		namespace:     h.Namespace,
		values:        values,
		kubeVersion:   props.KubeVersion,
		apiVersions:   props.APIVersions,
		includeCRDs:   props.IncludeCRDs,
		hooks:         props.Hooks,
		deterministic: !props.AllowNondeterministic,
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", h.Chart, h.Version, err)
	}
	h.objects = addDocuments(h, out)
	return nil
}

// addDocuments adds the rendered documents under h, each with the
// template it came from as its source, so that a problem names the
// template and line. Documents without a name are numbered by
// constructs.AddManifests across one stream, as cdk8s numbers them, so if
// any has none they go in as a single stream.
func addDocuments(h *Helm, docs []document) []*constructs.APIObject {
	unnamed := false
	for _, d := range docs {
		unnamed = unnamed || d.unnamed
	}
	if unnamed {
		var b strings.Builder
		for _, d := range docs {
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.source, d.content)
		}
		return constructs.AddManifests(h, h.Chart+" (rendered)", []byte(b.String()))
	}
	var out []*constructs.APIObject
	for _, d := range docs {
		out = append(out, constructs.AddManifests(h, d.source, []byte(d.content))...)
	}
	return out
}
