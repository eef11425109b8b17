package synthtest_test

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// Render an app in memory and read what a construct made. In a test, t is
// the test's own; here a stand-in.
func ExampleRender() {
	t := &testing.T{}
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "shop"})
	replicas := int32(3)
	constructs.NewObject(chart, "web", &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1"}}}},
		},
	})

	m := synthtest.Render(t, app)
	web := m.Get(t, "Deployment", "web")
	fmt.Println(web.Namespace, web.Field("spec.replicas"), web.Field("spec.template.spec.containers[0].image"))

	var typed appsv1.Deployment
	web.Decode(t, &typed)
	fmt.Println(*typed.Spec.Replicas)
	// Output:
	// shop 3 web:1
	// 3
}
