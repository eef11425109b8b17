// Package guestbook is the classic Kubernetes example, done properly: a web
// frontend behind an Ingress, scaled by CPU, reading its settings from a
// directory of files, and a Redis that only the frontend may reach.
package guestbook

import (
	"embed"

	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// App registers the guestbook: it reads the guestbook section of an
// environment file and the images guestbook-frontend and redis.
var App = synth.App[apps.Environment, Config]{
	Name: "guestbook",
	Build: func(app *constructs.App, env *synth.Env[apps.Environment], cfg Config) {
		New(app, env.Config, cfg, Images{Frontend: env.Image("guestbook-frontend"), Redis: env.Image("redis")})
	},
}

// Config is what differs between environments.
type Config struct {
	// Namespace everything goes into; it must exist.
	Namespace string `json:"namespace" config:"required"`
	// Host the Ingress serves, e.g. guestbook.example.com.
	Host string `json:"host" config:"required"`
	// TLSSecret names the Secret cert-manager keeps the certificate in;
	// plain HTTP if empty.
	TLSSecret string `json:"tlsSecret"`
	// ClusterIssuer is the cert-manager ClusterIssuer that signs it.
	ClusterIssuer string `json:"clusterIssuer"`
	// IngressClass picks the ingress controller; the default class if empty.
	IngressClass string   `json:"ingressClass"`
	Frontend     Frontend `json:"frontend" config:"required"`
	Redis        Redis    `json:"redis"`
}

// Frontend sizes the web frontend.
type Frontend struct {
	MinReplicas int32  `json:"minReplicas" config:"required"`
	MaxReplicas int32  `json:"maxReplicas" config:"required"`
	CPU         string `json:"cpu"`
	Memory      string `json:"memory"`
}

// Redis sizes the Redis backend.
type Redis struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
}

// Images are the images the app runs.
type Images struct {
	Frontend, Redis string
}

// files holds the frontend's settings, mounted at /etc/guestbook.
//
//go:embed files/frontend
var files embed.FS

// Guestbook is the app's chart, with handles on its parts.
type Guestbook struct {
	*constructs.Chart
	Settings *workload.ConfigMap
	Frontend *workload.WebService
	Redis    *workload.WebService
}

// New adds the guestbook to app, in the cluster env describes.
func New(app *constructs.App, env apps.Environment, cfg Config, images Images) *Guestbook {
	chart := constructs.NewChart(app, "guestbook", constructs.ChartProps{Namespace: cfg.Namespace})
	g := &Guestbook{Chart: chart}

	g.Settings = workload.NewConfigMap(chart, "settings", workload.ConfigMapProps{FS: files, Directory: "files/frontend"})

	// Redis keeps messages in memory only: it is the example's cache, not a
	// database. The image's USER is a name, so the IDs are given: the
	// alpine image's redis user and group.
	redisUser, redisGroup := int64(999), int64(1000)
	g.Redis = workload.NewWebService(chart, "redis", workload.WebServiceProps{
		Identity: workload.Identity{Instance: "redis", Component: "cache", PartOf: "guestbook"},
		Replicas: ptr[int32](1),
		Pod: workload.Pod{
			Security: workload.Security{RunAsUser: &redisUser, RunAsGroup: &redisGroup},
			Containers: []workload.Container{{
				Name:      "redis",
				Image:     images.Redis,
				Args:      []string{"redis-server", "--save", "", "--appendonly", "no"},
				Ports:     []workload.Port{{Name: "redis", Number: 6379}},
				Resources: workload.Resources{CPU: or(cfg.Redis.CPU, "100m"), Memory: or(cfg.Redis.Memory, "128Mi"), MemoryLimit: or(cfg.Redis.Memory, "128Mi")},
				Mounts:    []workload.Mount{{Path: "/data", EmptyDir: &workload.EmptyDir{Name: "data"}}},
			}},
		},
	})

	ingress := &workload.Ingress{Host: cfg.Host, ClassName: cfg.IngressClass, TLSSecret: cfg.TLSSecret}
	if cfg.ClusterIssuer != "" {
		ingress.Annotations = map[string]string{"cert-manager.io/cluster-issuer": cfg.ClusterIssuer}
	}
	g.Frontend = workload.NewWebService(chart, "frontend", workload.WebServiceProps{
		Identity: workload.Identity{Instance: "frontend", Component: "web", PartOf: "guestbook"},
		Pod: workload.Pod{
			Containers: []workload.Container{{
				Name:  "frontend",
				Image: images.Frontend,
				Ports: []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
				Env: []workload.EnvVar{
					{Name: "REDIS_ADDR", Value: "redis:6379"},
					{Name: "SETTINGS_DIR", Value: "/etc/guestbook"},
				},
				Mounts: []workload.Mount{
					{Path: "/etc/guestbook", From: g.Settings.Ref()},
					{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "64Mi"}},
				},
				Readiness: workload.HTTPProbe("/healthz", "http"),
				Liveness:  workload.HTTPProbe("/healthz", "http"),
				Resources: workload.Resources{CPU: or(cfg.Frontend.CPU, "100m"), Memory: or(cfg.Frontend.Memory, "128Mi"), MemoryLimit: or(cfg.Frontend.Memory, "128Mi")},
			}},
		},
		Ingress:          ingress,
		Autoscaling:      &workload.Autoscaling{MinReplicas: cfg.Frontend.MinReplicas, MaxReplicas: cfg.Frontend.MaxReplicas, CPUUtilization: 70},
		DisruptionBudget: &workload.DisruptionBudget{MaxUnavailable: "1"},
	})

	// Nothing reaches the namespace unless allowed: the ingress controller
	// reaches the frontend, the frontend reaches Redis.
	workload.NewDefaultDeny(chart, "default-deny", workload.DefaultDenyProps{Identity: workload.Identity{Instance: "default-deny"}, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}})
	workload.NewAllowIngress(chart, "allow-frontend", workload.AllowIngressProps{
		Identity: workload.Identity{Instance: "frontend-from-ingress"},
		To:       g.Frontend,
		From:     []workload.Peer{workload.FromNamespace(env.IngressNamespace)},
		Ports:    []string{"http"},
	})
	workload.NewAllowIngress(chart, "allow-redis", workload.AllowIngressProps{
		Identity: workload.Identity{Instance: "redis-from-frontend"},
		To:       g.Redis,
		From:     []workload.Peer{workload.FromWorkload(g.Frontend)},
		Ports:    []string{"redis"},
	})
	return g
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func ptr[T any](v T) *T { return &v }
