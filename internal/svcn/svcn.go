// Package svcn builds svcN, the workload tsumiki's benchmarks synthesize: N
// web services, each a ConfigMap, a Deployment, a Service, a
// HorizontalPodAutoscaler and an Ingress, 5N objects in one chart.
//
// bench/cdk8s/svc.js builds the same objects in cdk8s, construct for
// construct and field for field, so the two outputs can be compared byte for
// byte and timed against each other. A change here must be made there too;
// TestMatchesCDK8s catches the ones that are not.
package svcn

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ChartID is the id of the chart holding the workload; the output file is
// ChartID + ".k8s.yaml".
const ChartID = "svcn"

// Service is one service of the workload: a plain construct `svc<i>` holding
// its five objects, whose names are generated from their construct paths
// (`svcn-svc0-deployment-c8…`).
type Service struct {
	node       *constructs.Node
	ConfigMap  *constructs.Object[*corev1.ConfigMap]
	Deployment *constructs.Object[*appsv1.Deployment]
	Service    *constructs.Object[*corev1.Service]
	HPA        *constructs.Object[*autoscalingv2.HorizontalPodAutoscaler]
	Ingress    *constructs.Object[*networkingv1.Ingress]
}

// Build adds the svcN chart with n services to app and returns the services
// in order.
func Build(app *constructs.App, n int) []*Service {
	chart := constructs.NewChart(app, ChartID, constructs.ChartProps{
		Namespace: "bench",
		Labels:    map[string]string{"app.kubernetes.io/part-of": "svcn"},
	})
	services := make([]*Service, n)
	for i := range n {
		services[i] = newService(chart, i)
	}
	return services
}

// Objects returns the typed objects of a fresh svcN, in construction order:
// for each service its ConfigMap, Deployment, Service, HPA and Ingress.
// They are the values Render turns into YAML, for benchmarking other
// encoders on the same input.
func Objects(n int) []runtime.Object {
	services := Build(constructs.NewApp(constructs.AppProps{}), n)
	out := make([]runtime.Object, 0, 5*len(services))
	for _, s := range services {
		out = append(out, s.ConfigMap.Obj, s.Deployment.Obj, s.Service.Obj, s.HPA.Obj, s.Ingress.Obj)
	}
	return out
}

// Node returns the service's tree node.
func (s *Service) Node() *constructs.Node { return s.node }

func newService(scope constructs.Construct, i int) *Service {
	id := fmt.Sprintf("svc%d", i)
	s := &Service{node: constructs.NewNode(scope, id)}
	selector := map[string]string{"app.kubernetes.io/name": id}

	s.ConfigMap = constructs.NewObject(s, "config", &corev1.ConfigMap{
		Data: map[string]string{
			"LOG_LEVEL":    "info",
			"PORT":         "8080",
			"SERVICE_NAME": id,
		},
	})

	s.Deployment = constructs.NewObject(s, "deployment", &appsv1.Deployment{
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			// Set explicitly: a typed DeploymentSpec otherwise renders `strategy: {}`.
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxSurge:       ptr(intstr.FromString("25%")),
					MaxUnavailable: ptr(intstr.FromInt32(0)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: selector},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  "app",
						Image: "registry.example.com/svcn/app:1.4.2",
						Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
						EnvFrom: []corev1.EnvFromSource{{
							ConfigMapRef: &corev1.ConfigMapEnvSource{
								LocalObjectReference: corev1.LocalObjectReference{Name: s.ConfigMap.Name()},
							},
						}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse("100m"),
								corev1.ResourceMemory: resource.MustParse("128Mi"),
							},
							Limits: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse("500m"),
								corev1.ResourceMemory: resource.MustParse("256Mi"),
							},
						},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{
								HTTPGet: &corev1.HTTPGetAction{Path: "/healthz/ready", Port: intstr.FromString("http")},
							},
							InitialDelaySeconds: 5,
							PeriodSeconds:       10,
						},
						LivenessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{
								HTTPGet: &corev1.HTTPGetAction{Path: "/healthz/live", Port: intstr.FromString("http")},
							},
							InitialDelaySeconds: 15,
							PeriodSeconds:       20,
							FailureThreshold:    3,
						},
					}},
				},
			},
		},
	})

	s.Service = constructs.NewObject(s, "service", &corev1.Service{
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector,
			Ports: []corev1.ServicePort{{
				Name:       "http",
				Port:       80,
				TargetPort: intstr.FromString("http"),
				Protocol:   corev1.ProtocolTCP,
			}},
		},
	})

	s.HPA = constructs.NewObject(s, "hpa", &autoscalingv2.HorizontalPodAutoscaler{
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
				APIVersion: "apps/v1",
				Kind:       "Deployment",
				Name:       s.Deployment.Name(),
			},
			MinReplicas: ptr[int32](2),
			MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{
						Type:               autoscalingv2.UtilizationMetricType,
						AverageUtilization: ptr[int32](70),
					},
				},
			}},
		},
	})

	s.Ingress = constructs.NewObject(s, "ingress", &networkingv1.Ingress{
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr("nginx"),
			Rules: []networkingv1.IngressRule{{
				Host: id + ".example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{
					HTTP: &networkingv1.HTTPIngressRuleValue{
						Paths: []networkingv1.HTTPIngressPath{{
							Path:     "/",
							PathType: ptr(networkingv1.PathTypePrefix),
							Backend: networkingv1.IngressBackend{
								Service: &networkingv1.IngressServiceBackend{
									Name: s.Service.Name(),
									Port: networkingv1.ServiceBackendPort{Name: "http"},
								},
							},
						}},
					},
				},
			}},
		},
	})
	return s
}

func ptr[T any](v T) *T { return &v }
