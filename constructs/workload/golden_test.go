package workload_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenWebService pins the output of a WebService with every option,
// next to the ConfigMap and ServiceAccount it uses. After an intended
// change, review the diff of `go test ./constructs/workload -update`.
func TestGoldenWebService(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})

	config := workload.NewConfigMap(chart, "config", workload.ConfigMapProps{
		Name: "storefront-config",
		Data: map[string]string{"LOG_LEVEL": "info", "app.yaml": "cache: true\n"},
	})
	account := workload.NewServiceAccount(chart, "account", workload.ServiceAccountProps{Name: "storefront"})
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
		Name:      "storefront",
		Instance:  "storefront",
		Component: "frontend",
		PartOf:    "shop",
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

	out, err := app.Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 1 || len(out.Documents) != 9 {
		t.Fatalf("got %d files, %d objects; want 1 file with 9 objects", len(out.Files), len(out.Documents))
	}
	strictlyTyped(t, out.Files[0].Data)
	golden := filepath.Join("testdata", "webservice.k8s.yaml")
	if *update {
		if err := os.WriteFile(golden, out.Files[0].Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Files[0].Data, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", golden, out.Files[0].Data)
	}
}

// strictlyTyped decodes every document into the k8s.io/api type of its
// kind, refusing unknown fields: a misspelled or misplaced field fails.
func strictlyTyped(t *testing.T, stream []byte) {
	t.Helper()
	scheme := constructs.NewScheme()
	for _, doc := range strings.Split(string(stream), "\n---\n") {
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatal(err)
		}
		obj, err := scheme.New(schema.FromAPIVersionAndKind(meta.APIVersion, meta.Kind))
		if err != nil {
			t.Fatalf("%s %s: %v", meta.APIVersion, meta.Kind, err)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("%s: %v", meta.Kind, err)
		}
	}
}
