package workload_test

import (
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestAdopt reaches the pods of a Deployment made elsewhere (as a Helm
// chart renders it) with the package's policies and connections.
func TestAdopt(t *testing.T) {
	app, chart := newChart("shop")
	labels := map[string]string{workload.LabelName: "echo", workload.LabelInstance: "echo", "helm.sh/chart": "echo-1.0.0"}
	raw := constructs.NewObject(chart, "echo", &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{workload.LabelName: "echo", workload.LabelInstance: "echo"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "echo", Image: "echo:1", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 5678}}}}},
			},
		},
	})
	echo := workload.Adopt(raw.APIObject)
	if id := echo.Identity(); id.Name != "echo" || id.Instance != "echo" {
		t.Errorf("identity %+v", id)
	}
	workload.NewAllowIngress(chart, "from-ingress", workload.AllowIngressProps{
		Identity: workload.Identity{Instance: "echo-from-ingress"},
		To:       echo, From: []workload.Peer{workload.FromNamespace("ingress-nginx")}, Ports: []string{"http"},
	})
	m := synthtest.Render(t, app)
	policy := m.Get(t, "NetworkPolicy", "shop/echo-from-ingress")
	want(t, policy, `spec.podSelector.matchLabels["app.kubernetes.io/name"]`, "echo")
	want(t, policy, "spec.ingress[0].ports[0].port", "http")
	// The object itself is as it was made.
	want(t, m.Get(t, "Deployment", "echo"), `spec.template.metadata.labels["helm.sh/chart"]`, "echo-1.0.0")

	app2, chart2 := newChart("")
	cm := constructs.NewObject(chart2, "cm", &corev1.ConfigMap{})
	workload.Adopt(cm.APIObject)
	if ps := synthtest.Problems(t, app2); len(ps) != 1 || !errors.Is(ps[0], workload.ErrInvalidProps) {
		t.Errorf("adopting a ConfigMap: %v", ps)
	}
}
