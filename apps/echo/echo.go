// Package echo installs an HTTP echo server from its Helm chart, rendered
// in process by constructs/helm: by default the chart shipped in
// charts/echo, or the same chart from a chart repository or OCI registry
// when the environment names one. The chart's Deployment is then changed
// like any object of the app's own, and tsumiki's network policies are
// laid around it.
package echo

import (
	"embed"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/helm"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// chartFiles is the echo chart; "all:" keeps its _helpers.tpl.
//
//go:embed all:charts/echo
var chartFiles embed.FS

// App registers echo: it reads the echo section of an environment file
// and the image echo.
var App = synth.App[apps.Environment, Config]{
	Name: "echo",
	Build: func(app *constructs.App, env *synth.Env[apps.Environment], cfg Config) {
		New(app, env.Config, cfg, Options{Image: env.Image("echo")})
	},
}

// Config is what differs between environments.
type Config struct {
	// Namespace everything goes into.
	Namespace string `json:"namespace" config:"required"`
	// Replicas of the server; with more than one, the chart adds a
	// PodDisruptionBudget.
	Replicas int `json:"replicas" config:"required"`
	// Message is what the server answers besides the echo.
	Message string `json:"message"`
	// MaxBodyBytes is the largest request body echoed back.
	MaxBodyBytes int64 `json:"maxBodyBytes"`
	// Host, if set, is served through an Ingress of IngressClass.
	Host         string `json:"host"`
	IngressClass string `json:"ingressClass"`
	// Chart, if set, takes the chart from a repository or registry instead
	// of the copy in charts/echo; helm.lock must then record its digest.
	Chart *ChartSource `json:"chart"`
}

// ChartSource is where a chart version is published.
type ChartSource struct {
	// Repo is an https:// chart repository or an oci:// registry path.
	Repo string `json:"repo" config:"required"`
	// Version is the chart's exact version.
	Version string `json:"version" config:"required"`
}

// Options are what New takes besides the configuration.
type Options struct {
	// Image is the server's image reference, registry/repository:tag.
	Image string
	// Client fetches a Chart from its repository; helm.DefaultClient() if
	// nil.
	Client *helm.Client
}

// Echo is the app's chart, with handles on its parts.
type Echo struct {
	*constructs.Chart
	// Release is the rendered chart.
	Release *helm.Helm
	// Server is the chart's Deployment.
	Server *constructs.Object[*appsv1.Deployment]
}

// values are the chart's values that the app sets.
type values struct {
	Image struct {
		Repository string `json:"repository"`
		Tag        string `json:"tag,omitempty"`
	} `json:"image"`
	Replicas     int    `json:"replicas"`
	MaxBodyBytes int64  `json:"maxBodyBytes,omitempty"`
	Message      string `json:"message,omitempty"`
	Ingress      struct {
		Enabled   bool   `json:"enabled"`
		ClassName string `json:"className,omitempty"`
		Host      string `json:"host,omitempty"`
	} `json:"ingress"`
}

// New adds echo to app, in the cluster env describes.
func New(app *constructs.App, env apps.Environment, cfg Config, opts Options) *Echo {
	chart := constructs.NewChart(app, "echo", constructs.ChartProps{
		Namespace: cfg.Namespace,
		Labels:    map[string]string{"app.kubernetes.io/part-of": "echo"},
	})
	e := &Echo{Chart: chart}

	var v values
	v.Image.Repository, v.Image.Tag = splitImage(opts.Image)
	v.Replicas, v.MaxBodyBytes, v.Message = cfg.Replicas, cfg.MaxBodyBytes, cfg.Message
	if cfg.Host != "" {
		v.Ingress.Enabled, v.Ingress.ClassName, v.Ingress.Host = true, cfg.IngressClass, cfg.Host
	}
	props := helm.Props{Chart: "charts/echo", FS: chartFiles, ReleaseName: "echo", Values: v, Client: opts.Client}
	if cfg.Chart != nil {
		props.Chart, props.FS, props.Repo, props.Version = "echo", nil, cfg.Chart.Repo, cfg.Chart.Version
	}
	e.Release = helm.New(chart, "release", props)

	server, err := constructs.Find[*appsv1.Deployment](e.Release, "echo")
	if err != nil {
		// The chart did not render (reported already) or changed shape.
		e.Release.Node().AddError(err)
		return e
	}
	e.Server = server
	// What the chart has no value for: spread the pods over nodes.
	spec := &server.Obj.Spec.Template.Spec
	spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew:           1,
		TopologyKey:       corev1.LabelHostname,
		WhenUnsatisfiable: corev1.ScheduleAnyway,
		LabelSelector:     server.Obj.Spec.Selector,
	}}

	workload.NewDefaultDeny(chart, "default-deny", workload.DefaultDenyProps{Identity: workload.Identity{Instance: "default-deny"}, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}})
	if cfg.Host != "" {
		workload.NewAllowIngress(chart, "from-ingress", workload.AllowIngressProps{
			Identity: workload.Identity{Instance: "echo-from-ingress"},
			To:       workload.Adopt(server.APIObject),
			From:     []workload.Peer{workload.FromNamespace(env.IngressNamespace)},
			Ports:    []string{"http"},
		})
	}
	return e
}

// splitImage splits registry/repository:tag at the tag.
func splitImage(ref string) (repository, tag string) {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}
