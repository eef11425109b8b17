package workload_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestGoldenWebService pins the output of a WebService with every option,
// next to the ConfigMap and ServiceAccount it uses. After an intended
// change, review the diff of `go test ./constructs/workload -update`.
func TestGoldenWebService(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})

	config := workload.NewConfigMap(chart, "config", workload.ConfigMapProps{
		Identity: workload.Identity{Instance: "storefront-config"},
		Data:     map[string]string{"LOG_LEVEL": "info", "app.yaml": "cache: true\n"},
	})
	account := workload.NewServiceAccount(chart, "account", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "storefront"}})
	account.Grant(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "watch"}})

	web := workload.Container{
		Name:       "web",
		Image:      "registry.example.com/shop/storefront:2.3.1",
		Args:       []string{"--config", "/etc/storefront/app.yaml"},
		WorkingDir: "/srv",
		Ports: []workload.Port{
			{Name: "http", Number: 8080, ServicePort: 80},
			{Name: "metrics", Number: 9090},
		},
		Env: []workload.EnvVar{
			{Name: "LOG_LEVEL", From: config.Ref().Key("LOG_LEVEL")},
			{Name: "DB_PASSWORD", From: workload.SecretRef("storefront-db").Key("password")},
			{Name: "REGION", Value: "eu-west-1"},
		},
		EnvFrom: []workload.Ref{workload.SecretRef("storefront-api-keys")},
		Mounts: []workload.Mount{
			{Path: "/etc/storefront", From: config.Ref()},
			{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "256Mi"}},
		},
		Resources: workload.Resources{CPU: "500m", Memory: "512Mi", MemoryLimit: "512Mi"},
		Readiness: workload.HTTPProbe("/ready", "http"),
		Liveness:  workload.HTTPProbe("/healthz", "http"),
		Startup:   workload.TCPProbe("http"),
	}
	web.Startup.FailureThreshold = 30
	web.Startup.PeriodSeconds = 2

	workload.NewWebService(chart, "storefront", workload.WebServiceProps{
		Identity: workload.Identity{Name: "storefront", Instance: "storefront", Component: "frontend", PartOf: "shop"},
		Pod: workload.Pod{
			Containers: []workload.Container{web, {
				Name:   "log-shipper",
				Image:  "registry.example.com/infra/log-shipper:1.0.4",
				Mounts: []workload.Mount{{Path: "/var/log/shipper", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "256Mi"}}},
			}},
			InitContainers: []workload.Container{{
				Name:    "migrate",
				Image:   "registry.example.com/shop/storefront:2.3.1",
				Command: []string{"/storefront", "migrate"},
				Env:     []workload.EnvVar{{Name: "DB_PASSWORD", From: workload.SecretRef("storefront-db").Key("password")}},
			}},
			DefaultResources: workload.Resources{CPU: "50m", Memory: "64Mi"},
			ServiceAccount:   account,
			Security:         workload.Security{RunAsUser: new(int64(10001)), RunAsGroup: new(int64(10001)), FSGroup: new(int64(10001))},
			Labels:           map[string]string{"team": "storefront"},
			Annotations:      map[string]string{"prometheus.io/port": "9090"},
		},
		Ingress: &workload.Ingress{
			Host:        "shop.example.com",
			Path:        "/",
			Port:        "http",
			TLSSecret:   "shop-example-com-tls",
			ClassName:   "nginx",
			Annotations: map[string]string{"cert-manager.io/cluster-issuer": "letsencrypt"},
		},
		Autoscaling:      &workload.Autoscaling{MinReplicas: 3, MaxReplicas: 12, CPUUtilization: 70, MemoryUtilization: 80},
		DisruptionBudget: &workload.DisruptionBudget{MinAvailable: "2"},
	})

	m := synthtest.Render(t, app)
	if len(m.Output.Files) != 1 || len(m.Objects) != 9 {
		t.Fatalf("got %d files, %d objects; want 1 file with 9 objects", len(m.Output.Files), len(m.Objects))
	}
	strictlyTyped(t, m)
	checkGolden(t, "webservice.k8s.yaml", m.Output.Files[0].Data)
}

// checkGolden compares data with the golden file testdata/name, which
// -update rewrites.
func checkGolden(t *testing.T, name string, data []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if synthtest.Update() {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", golden, data)
	}
}

// renderGolden renders app, which must make one file, checks that every
// document decodes strictly into its k8s.io/api type, and compares the
// file with testdata/name.
func renderGolden(t *testing.T, app *constructs.App, name string) {
	t.Helper()
	m := synthtest.Render(t, app)
	if len(m.Output.Files) != 1 {
		t.Fatalf("got %d files, want 1", len(m.Output.Files))
	}
	strictlyTyped(t, m)
	checkGolden(t, name, m.Output.Files[0].Data)
}

// TestGoldenPostgres pins the output of Example_postgres.
func TestGoldenPostgres(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	newShop(app)
	renderGolden(t, app, "postgres.k8s.yaml")
}

// TestGoldenNodeAgent pins a DaemonSet with host access, in a namespace
// that allows it, with a projected token for a log store.
func TestGoldenNodeAgent(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "logging", constructs.ChartProps{Namespace: "logging"})
	constructs.NewObject(chart, "namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   "logging",
		Labels: map[string]string{workload.PodSecurityEnforceLabel: "privileged"},
	}})
	account := workload.NewServiceAccount(chart, "account", workload.ServiceAccountProps{
		Identity: workload.Identity{Instance: "log-shipper", PartOf: "logging"},
	})
	workload.NewDaemonSet(chart, "shipper", workload.DaemonSetProps{
		Identity: workload.Identity{Name: "log-shipper", Instance: "log-shipper", Component: "agent", PartOf: "logging"},
		Pod: workload.Pod{
			ServiceAccount: account,
			Containers: []workload.Container{{
				Image:     "registry.example.com/infra/log-shipper:1.0.4",
				Ports:     []workload.Port{{Name: "metrics", Number: 2020}},
				Resources: workload.Resources{CPU: "50m", Memory: "64Mi", MemoryLimit: "128Mi"},
				Mounts: []workload.Mount{
					{Path: "/var/log", HostPath: "varlog"},
					{Path: "/var/lib/shipper", HostPath: "state"},
					{Path: "/var/run/secrets/logstore", Token: &workload.Token{Audience: "logs.example.com", ExpirationSeconds: 1800}},
				},
			}},
		},
		HostAccess: workload.HostAccess{HostPaths: []workload.HostPath{
			{Name: "varlog", Path: "/var/log", Type: corev1.HostPathDirectory},
			{Name: "state", Path: "/var/lib/log-shipper", Type: corev1.HostPathDirectoryOrCreate, Writable: true},
		}},
		UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
			Type:          appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: new(intstr.FromString("10%"))},
		},
	})
	renderGolden(t, app, "node-agent.k8s.yaml")
}

// TestGoldenBuildingBlocks pins the standalone constructs: a Service and
// a disruption budget for a Worker, an Ingress with cert-manager, a
// PersistentVolumeClaim it mounts.
func TestGoldenBuildingBlocks(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "media", constructs.ChartProps{Namespace: "media"})
	uploads := workload.NewPersistentVolumeClaim(chart, "uploads", workload.PersistentVolumeClaimProps{
		Identity:     workload.Identity{Instance: "media-uploads", PartOf: "media"},
		Size:         "50Gi",
		StorageClass: "nfs",
		AccessModes:  []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
	})
	thumbnailer := workload.NewWorker(chart, "thumbnailer", workload.WorkerProps{
		Identity: workload.Identity{Name: "thumbnailer", Instance: "media-thumbnailer", PartOf: "media"},
		Replicas: new(int32(3)),
		Pod: workload.Pod{Containers: []workload.Container{{
			Image:     "registry.example.com/media/thumbnailer:0.7.0",
			Ports:     []workload.Port{{Name: "http", Number: 8080}, {Name: "metrics", Number: 9090}},
			Resources: workload.Resources{CPU: "1", Memory: "512Mi"},
			Mounts:    []workload.Mount{{Path: "/srv/uploads", From: uploads.Ref()}, {Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "1Gi"}}},
		}}},
	})
	api := workload.NewService(chart, "api", workload.ServiceProps{
		Selects: thumbnailer,
		Ports:   []workload.ServicePort{{Name: "http", Port: 80}},
	})
	workload.NewDisruptionBudget(chart, "budget", workload.DisruptionBudgetProps{For: thumbnailer, MinAvailable: "2"})
	workload.NewIngress(chart, "public", workload.IngressProps{
		Identity:    workload.Identity{Instance: "media-public"},
		ClassName:   "nginx",
		CertManager: &workload.CertManager{ClusterIssuer: "letsencrypt"},
		Rules: []workload.IngressRule{
			{Host: "media.example.com", Path: "/thumbnails", Service: api.Object},
			{Host: "media.example.com", Path: "/healthz", PathType: networkingv1.PathTypeExact, Service: api.Object},
			{Host: "img.example.com", Service: api.Object, Port: "http"},
		},
	})
	renderGolden(t, app, "blocks.k8s.yaml")
}
