// Package hello is the smallest useful app: a web server Deployment and the
// Service in front of it.
package hello

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Config is what differs between environments.
type Config struct {
	// Namespace the objects go into.
	Namespace string `json:"namespace" config:"required"`
	// Replicas of the Deployment.
	Replicas int32 `json:"replicas" config:"required"`
}

// Chart is the hello app's chart, with typed handles on its objects.
type Chart struct {
	*constructs.Chart
	Deployment *constructs.Object[*appsv1.Deployment]
	Service    *constructs.Object[*corev1.Service]
}

// New adds the hello chart to app under id. image must serve HTTP on port
// 8080.
func New(app *constructs.App, id string, cfg Config, image string) *Chart {
	chart := constructs.NewChart(app, id, constructs.ChartProps{
		Namespace: cfg.Namespace,
		Labels:    map[string]string{"app.kubernetes.io/part-of": id},
	})
	selector := map[string]string{"app.kubernetes.io/name": id}

	deployment := constructs.NewObject(chart, "deployment", &appsv1.Deployment{
		Spec: appsv1.DeploymentSpec{
			Replicas: &cfg.Replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: selector},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  "web",
						Image: image,
						Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("http")}},
						},
					}},
				},
			},
		},
	})
	service := constructs.NewObject(chart, "service", &corev1.Service{
		Spec: corev1.ServiceSpec{
			Selector: selector,
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}},
		},
	})
	return &Chart{Chart: chart, Deployment: deployment, Service: service}
}
