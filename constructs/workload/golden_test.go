package workload_test

import (
	"strings"
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

// TestGolden pins whole outputs: each case makes one file, whose objects
// decode strictly into their k8s.io/api types, and testdata/ holds
// exactly these files. After an intended change, review the diff of
// `go test ./constructs/workload -run '^TestGolden$' -update`.
func TestGolden(t *testing.T) {
	tests := []struct {
		golden  string // the file under testdata/
		objects int
		build   func(app *constructs.App)
	}{
		{"webservice.k8s.yaml", 9, goldenWebService},
		{"postgres.k8s.yaml", 10, newShop}, // the app of Example_postgres
		{"node-agent.k8s.yaml", 3, goldenNodeAgent},
		{"blocks.k8s.yaml", 5, goldenBuildingBlocks},
	}
	var files []constructs.File
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.golden, ".k8s.yaml"), func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{})
			tt.build(app)
			m := synthtest.Render(t, app)
			if len(m.Output.Files) != 1 || len(m.Objects) != tt.objects {
				t.Fatalf("got %d files, %d objects; want 1 file with %d objects", len(m.Output.Files), len(m.Objects), tt.objects)
			}
			strictlyTyped(t, m)
			files = append(files, constructs.File{Name: tt.golden, Data: m.Output.Files[0].Data})
		})
	}
	if len(files) != len(tests) {
		// testdata/ is compared, or rewritten, as a whole: with a case
		// failed or left out by -run, a golden file would count as stale.
		if !t.Failed() {
			t.Skip("the golden files are compared only when every case runs")
		}
		return
	}
	synthtest.Golden(t, "testdata", files)
}

// goldenWebService is a WebService with every option, next to the
// ConfigMap and ServiceAccount it uses.
func goldenWebService(app *constructs.App) {
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
}

// goldenNodeAgent is a DaemonSet with host access, in a namespace that
// allows it, with a projected token for a log store.
func goldenNodeAgent(app *constructs.App) {
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
}

// goldenBuildingBlocks is the standalone constructs: a Service and a
// disruption budget for a Worker, an Ingress with cert-manager, a
// PersistentVolumeClaim it mounts.
func goldenBuildingBlocks(app *constructs.App) {
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
}
