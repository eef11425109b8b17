package worker_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/tsumiki/tsumiki/apps/worker"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestGolden pins the worker's whole output for the fixture environments
// of testdata/config. After an intended change, run
// `go test -run TestGolden -update` here and review the diff.
func TestGolden(t *testing.T) {
	out := synthtest.Synthesize(t, "testdata/config", worker.App)
	synthtest.Golden(t, "testdata/golden", out.Files())
}

func TestEnvironmentsDiffer(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", worker.App))
	replicas := map[string]any{}
	for _, d := range m.OfKind("Deployment") {
		replicas[d.Namespace] = d.Field("spec.replicas")
	}
	if replicas["worker"] != 4.0 || replicas["worker-staging"] != 1.0 {
		t.Errorf("replicas by namespace: %v, want production 4 and staging 1", replicas)
	}
}

// TestPodMonitor checks the operator's type is rendered from the worker's
// scheme, and only where the cluster has a monitoring namespace.
func TestPodMonitor(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", worker.App))
	pm := m.Get(t, "PodMonitor", "worker")
	if pm.GroupVersionKind.GroupVersion().String() != "monitoring.coreos.com/v1" || pm.Field("spec.podMetricsEndpoints[0].port") != "metrics" {
		t.Errorf("PodMonitor:\n%s", pm.YAML)
	}
	if got := pm.Field(`spec.selector.matchLabels["app.kubernetes.io/name"]`); got != "worker" {
		t.Errorf("the PodMonitor selects %v", got)
	}

	dir := t.TempDir()
	data, err := os.ReadFile("testdata/config/staging.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.Replace(string(data), "monitoringNamespace: monitoring\n", "", 1)
	if err := os.WriteFile(filepath.Join(dir, "bare.yaml"), []byte(bare), 0o644); err != nil {
		t.Fatal(err)
	}
	m = synthtest.Parse(t, synthtest.Synthesize(t, dir, worker.App))
	if pm := m.Find("PodMonitor", "worker"); pm != nil {
		t.Error("a cluster without a monitoring namespace got a PodMonitor")
	}
	if np := m.Find("NetworkPolicy", "worker-metrics-from-monitoring"); np != nil {
		t.Error("a cluster without a monitoring namespace got a metrics policy")
	}
}
