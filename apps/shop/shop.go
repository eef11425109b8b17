// Package shop is a web shop in front of a Postgres database: a StatefulSet
// with a headless Service, a volume claim per pod and a disruption budget,
// behind a default deny that only the storefront's connection opens.
package shop

import (
	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// Config is the shop section of an environment file.
type Config struct {
	// Namespace everything goes into.
	Namespace string `json:"namespace" config:"required"`
	// Host the storefront serves; ClusterIssuer signs its certificate.
	Host          string `json:"host" config:"required"`
	ClusterIssuer string `json:"clusterIssuer" config:"required"`
	// Replicas of the storefront.
	Replicas int32 `json:"replicas" config:"required"`
	// Database sizes the database's volume: its storage class and size.
	Database Database `json:"database" config:"required"`
}

// Database sizes the database.
type Database struct {
	StorageClass string `json:"storageClass"`
	Size         string `json:"size" config:"required"`
	// PasswordSecret names an existing Secret whose key "password" holds
	// the database password; secrets are never part of the output.
	PasswordSecret string `json:"passwordSecret" config:"required"`
}

// App registers the shop: its section, and the images shop-web and
// postgres.
var App = synth.App[apps.Environment, Config]{
	Name: "shop",
	Build: func(app *constructs.App, env *synth.Env[apps.Environment], cfg Config) {
		New(app, env.Config, cfg, Images{Web: env.Image("shop-web"), Postgres: env.Image("postgres")})
	},
}

// Images are the images the shop runs.
type Images struct{ Web, Postgres string }

// Shop is the app's chart, with handles on its parts.
type Shop struct {
	*constructs.Chart
	Database   *workload.StatefulSet
	Storefront *workload.WebService
}

// New adds the shop to app, in the cluster env describes.
func New(app *constructs.App, env apps.Environment, cfg Config, images Images) *Shop {
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: cfg.Namespace})
	s := &Shop{Chart: chart}
	workload.NewDefaultDeny(chart, "deny-all", workload.DefaultDenyProps{Identity: workload.Identity{Instance: "deny-all"}, AllowDNS: true})

	s.Database = workload.NewStatefulSet(chart, "db", workload.StatefulSetProps{
		Identity: workload.Identity{Name: "postgres", Instance: "shop-db", Component: "database", PartOf: "shop"},
		Pod: workload.Pod{
			// The image's postgres user; FSGroup lets it write the volume.
			Security: workload.Security{RunAsUser: new(int64(999)), FSGroup: new(int64(999))},
			Containers: []workload.Container{{
				Image: images.Postgres,
				Ports: []workload.Port{{Name: "postgres", Number: 5432}},
				Env: []workload.EnvVar{
					{Name: "POSTGRES_PASSWORD", From: workload.SecretRef(cfg.Database.PasswordSecret).Key("password")},
					{Name: "PGDATA", Value: "/var/lib/postgresql/data/pgdata"},
				},
				Resources: workload.Resources{CPU: "500m", Memory: "1Gi", MemoryLimit: "1Gi"},
				Readiness: workload.ExecProbe("pg_isready", "-U", "postgres"),
				Mounts: []workload.Mount{
					{Path: "/var/lib/postgresql/data", Claim: "data"},
					{Path: "/var/run/postgresql", EmptyDir: &workload.EmptyDir{Name: "run"}},
				},
			}},
		},
		Claims:           []workload.ClaimTemplate{{Name: "data", Size: cfg.Database.Size, StorageClass: cfg.Database.StorageClass}},
		DisruptionBudget: &workload.DisruptionBudget{MaxUnavailable: "1"},
	})

	s.Storefront = workload.NewWebService(chart, "web", workload.WebServiceProps{
		Identity: workload.Identity{Name: "storefront", Instance: "shop-web", Component: "frontend", PartOf: "shop"},
		Replicas: &cfg.Replicas,
		Pod: workload.Pod{Containers: []workload.Container{{
			Image:     images.Web,
			Ports:     []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
			Env:       []workload.EnvVar{{Name: "DATABASE_HOST", Value: s.Database.Service.Name()}},
			Resources: workload.Resources{CPU: "250m", Memory: "256Mi"},
			Readiness: workload.HTTPProbe("/healthz", "http"),
		}}},
		Ingress: &workload.Ingress{Host: cfg.Host, CertManager: &workload.CertManager{ClusterIssuer: cfg.ClusterIssuer}},
	})
	s.Storefront.Connections().AllowTo(s.Database, "postgres")
	workload.NewAllowIngress(chart, "from-ingress", workload.AllowIngressProps{
		Identity: workload.Identity{Instance: "storefront-from-ingress"},
		To:       s.Storefront, From: []workload.Peer{workload.FromNamespace(env.IngressNamespace)}, Ports: []string{"http"},
	})
	return s
}
