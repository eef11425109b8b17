package workload_test

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

func TestWebServiceObjects(t *testing.T) {
	tests := []struct {
		name  string
		props workload.WebServiceProps
		kinds []string
		check func(t *testing.T, m *synthtest.Manifests)
	}{{
		name:  "minimal",
		props: workload.WebServiceProps{},
		kinds: []string{"Deployment", "Service"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			d := only(t, m, "Deployment")
			want(t, d, "metadata.name", "c-web-c81a99f2")
			want(t, d, "metadata.namespace", "ns")
			want(t, d, "spec.replicas", 2.0)
			s := only(t, m, "Service")
			want(t, s, "metadata.name", "c-web-c81a99f2")
			want(t, s, "spec.type", nil)
			want(t, s, "spec.ports", []any{map[string]any{"name": "http", "port": 8080.0, "targetPort": "http"}})
		},
	}, {
		name:  "replicas and service port",
		props: workload.WebServiceProps{Identity: workload.Identity{Instance: "storefront"}, Replicas: new(int32(5))},
		kinds: []string{"Deployment", "Service"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			want(t, only(t, m, "Deployment"), "spec.replicas", 5.0)
			want(t, only(t, m, "Deployment"), "metadata.name", "storefront")
			want(t, only(t, m, "Service"), "metadata.name", "storefront")
		},
	}, {
		name: "ingress defaults",
		props: workload.WebServiceProps{
			Ingress: &workload.Ingress{Host: "shop.example.com"},
		},
		kinds: []string{"Deployment", "Service", "Ingress"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			in := only(t, m, "Ingress")
			want(t, in, "spec.rules[0].host", "shop.example.com")
			want(t, in, "spec.rules[0].http.paths[0].path", "/")
			want(t, in, "spec.rules[0].http.paths[0].pathType", "Prefix")
			want(t, in, "spec.rules[0].http.paths[0].backend.service.name", "c-web-c81a99f2")
			want(t, in, "spec.rules[0].http.paths[0].backend.service.port.name", "http")
			want(t, in, "spec.tls", nil)
			want(t, in, "spec.ingressClassName", nil)
		},
	}, {
		name: "ingress with every option",
		props: workload.WebServiceProps{
			Ingress: &workload.Ingress{
				Host: "shop.example.com", Path: "/api", PathType: networkingv1.PathTypeExact, Port: "admin",
				TLSSecret: "shop-tls", ClassName: "nginx",
				Annotations: map[string]string{"cert-manager.io/cluster-issuer": "letsencrypt"},
			},
		},
		kinds: []string{"Deployment", "Service", "Ingress"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			in := only(t, m, "Ingress")
			want(t, in, "spec.rules[0].http.paths[0].path", "/api")
			want(t, in, "spec.rules[0].http.paths[0].pathType", "Exact")
			want(t, in, "spec.rules[0].http.paths[0].backend.service.port.name", "admin")
			want(t, in, "spec.ingressClassName", "nginx")
			want(t, in, "spec.tls", []any{map[string]any{"hosts": []any{"shop.example.com"}, "secretName": "shop-tls"}})
			want(t, in, `metadata.annotations["cert-manager.io/cluster-issuer"]`, "letsencrypt")
		},
	}, {
		name:  "autoscaling defaults",
		props: workload.WebServiceProps{Autoscaling: &workload.Autoscaling{MaxReplicas: 10}},
		kinds: []string{"Deployment", "Service", "HorizontalPodAutoscaler"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			// The autoscaler owns the replica count; a fixed one would
			// reset it on every apply.
			want(t, only(t, m, "Deployment"), "spec.replicas", nil)
			h := only(t, m, "HorizontalPodAutoscaler")
			want(t, h, "apiVersion", "autoscaling/v2")
			want(t, h, "spec.minReplicas", 2.0)
			want(t, h, "spec.maxReplicas", 10.0)
			want(t, h, "spec.scaleTargetRef", map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "c-web-c81a99f2"})
			want(t, h, "spec.metrics", []any{cpuMetric("cpu", 80)})
			want(t, h, "status", nil)
		},
	}, {
		name: "autoscaling on CPU and memory",
		props: workload.WebServiceProps{Autoscaling: &workload.Autoscaling{
			MinReplicas: 3, MaxReplicas: 6, CPUUtilization: 60, MemoryUtilization: 75,
		}},
		kinds: []string{"Deployment", "Service", "HorizontalPodAutoscaler"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			h := only(t, m, "HorizontalPodAutoscaler")
			want(t, h, "spec.minReplicas", 3.0)
			want(t, h, "spec.metrics", []any{cpuMetric("cpu", 60), cpuMetric("memory", 75)})
		},
	}, {
		name: "autoscaling on memory only",
		props: workload.WebServiceProps{Autoscaling: &workload.Autoscaling{
			MaxReplicas: 4, MemoryUtilization: 70,
		}},
		kinds: []string{"Deployment", "Service", "HorizontalPodAutoscaler"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			want(t, only(t, m, "HorizontalPodAutoscaler"), "spec.metrics", []any{cpuMetric("memory", 70)})
		},
	}, {
		name:  "disruption budget default",
		props: workload.WebServiceProps{DisruptionBudget: &workload.DisruptionBudget{}},
		kinds: []string{"Deployment", "Service", "PodDisruptionBudget"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			p := only(t, m, "PodDisruptionBudget")
			want(t, p, "spec.maxUnavailable", 1.0)
			want(t, p, "spec.minAvailable", nil)
			want(t, p, "spec.unhealthyPodEvictionPolicy", "AlwaysAllow")
		},
	}, {
		name:  "disruption budget min available percentage",
		props: workload.WebServiceProps{DisruptionBudget: &workload.DisruptionBudget{MinAvailable: "50%"}},
		kinds: []string{"Deployment", "Service", "PodDisruptionBudget"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			p := only(t, m, "PodDisruptionBudget")
			want(t, p, "spec.minAvailable", "50%")
			want(t, p, "spec.maxUnavailable", nil)
		},
	}, {
		name:  "disruption budget max unavailable number",
		props: workload.WebServiceProps{DisruptionBudget: &workload.DisruptionBudget{MaxUnavailable: "2"}},
		kinds: []string{"Deployment", "Service", "PodDisruptionBudget"},
		check: func(t *testing.T, m *synthtest.Manifests) {
			want(t, only(t, m, "PodDisruptionBudget"), "spec.maxUnavailable", 2.0)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			admin := web()
			admin.Name = "admin"
			admin.Ports = []workload.Port{{Name: "admin", Number: 9000}}
			props := tt.props
			props.Pod.Containers = []workload.Container{web()}
			if props.Ingress != nil && props.Ingress.Port == "admin" {
				props.Pod.Containers = append(props.Pod.Containers, admin)
			}
			workload.NewWebService(chart, "web", props)
			m := synthtest.Render(t, app)
			if got := kinds(m); !equalStrings(got, tt.kinds) {
				t.Fatalf("kinds = %v, want %v", got, tt.kinds)
			}
			tt.check(t, m)
		})
	}
}

func cpuMetric(resource string, utilization float64) map[string]any {
	return map[string]any{
		"type": "Resource",
		"resource": map[string]any{
			"name":   resource,
			"target": map[string]any{"type": "Utilization", "averageUtilization": utilization},
		},
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestServicePorts checks that the Service offers every container port by
// name, on its ServicePort.
func TestServicePorts(t *testing.T) {
	app, chart := newChart("ns")
	sidecar := workload.Container{
		Name: "metrics", Image: "example/exporter:1", Resources: requests,
		Ports: []workload.Port{{Name: "metrics", Number: 9100}, {Name: "dns", Number: 5353, Protocol: "UDP"}},
	}
	main := web()
	main.Ports[0].ServicePort = 80
	workload.NewWebService(chart, "web", workload.WebServiceProps{
		Pod: workload.Pod{Containers: []workload.Container{main, sidecar}},
	})
	m := synthtest.Render(t, app)
	want(t, only(t, m, "Service"), "spec.ports", []any{
		map[string]any{"name": "http", "port": 80.0, "targetPort": "http"},
		map[string]any{"name": "metrics", "port": 9100.0, "targetPort": "metrics"},
		map[string]any{"name": "dns", "port": 5353.0, "targetPort": "dns", "protocol": "UDP"},
	})
	d := only(t, m, "Deployment")
	want(t, d, "spec.template.spec.containers[1].ports[1]", map[string]any{"name": "dns", "containerPort": 5353.0, "protocol": "UDP"})
}
