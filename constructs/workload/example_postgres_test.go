package workload_test

import (
	"fmt"
	"log"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
)

// newShop adds a shop to app: a web service in front of a Postgres
// database, which only the web service can reach.
func newShop(app *constructs.App) {
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	workload.NewDefaultDeny(chart, "deny-all", workload.DefaultDenyProps{AllowDNS: true})

	db := workload.NewStatefulSet(chart, "db", workload.StatefulSetProps{
		Identity: workload.Identity{Name: "postgres", Instance: "shop-db", Component: "database", PartOf: "shop"},
		Pod: workload.Pod{
			// The image's postgres user; FSGroup lets it write the volume.
			Security: workload.Security{RunAsUser: new(int64(999)), FSGroup: new(int64(999))},
			Containers: []workload.Container{{
				Image: "postgres:17.2",
				Ports: []workload.Port{{Name: "postgres", Number: 5432}},
				Env: []workload.EnvVar{
					{Name: "POSTGRES_PASSWORD", From: workload.SecretRef("shop-db").Key("password")},
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
		Claims:           []workload.ClaimTemplate{{Name: "data", Size: "20Gi", StorageClass: "ssd"}},
		DisruptionBudget: &workload.DisruptionBudget{MaxUnavailable: "1"},
	})

	web := workload.NewWebService(chart, "web", workload.WebServiceProps{
		Identity: workload.Identity{Name: "storefront", Instance: "shop-web", Component: "frontend", PartOf: "shop"},
		Pod: workload.Pod{Containers: []workload.Container{{
			Image:     "registry.example.com/shop/storefront:2.3.1",
			Ports:     []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
			Env:       []workload.EnvVar{{Name: "DATABASE_HOST", Value: db.Service.Name()}},
			Resources: workload.Resources{CPU: "250m", Memory: "256Mi"},
		}}},
		Ingress: &workload.Ingress{Host: "shop.example.com", CertManager: &workload.CertManager{ClusterIssuer: "letsencrypt"}},
	})
	web.Connections().AllowTo(db, "postgres")
	workload.NewAllowIngress(chart, "from-ingress", workload.AllowIngressProps{
		To: web, From: []workload.Peer{workload.FromNamespace("ingress-nginx")}, Ports: []string{"http"},
	})
}

// A Postgres database as a StatefulSet, with its headless Service, a
// volume claim per pod and a disruption budget, behind a default deny
// that only the web service's connection opens.
func Example_postgres() {
	app := constructs.NewApp(constructs.AppProps{})
	newShop(app)
	out, err := app.Render()
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range out.Documents {
		fmt.Println(d.GroupVersionKind.Kind, d.Name)
	}
	// Output:
	// NetworkPolicy shop-deny-all-c8978e1a
	// StatefulSet shop-db
	// Service shop-db
	// PodDisruptionBudget shop-db
	// NetworkPolicy shop-db-connections-from-shop-web-c82d63fc
	// Deployment shop-web
	// Service shop-web
	// Ingress shop-web
	// NetworkPolicy shop-web-connections-to-shop-db-c8f09169
	// NetworkPolicy shop-from-ingress-c821d0b3
}
