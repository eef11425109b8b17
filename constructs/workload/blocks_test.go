package workload_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// worker adds a Worker "w" with ports http (8080) and dns (5353/UDP).
func worker(chart constructs.Construct) *workload.Worker {
	c := web()
	c.Ports = append(c.Ports, workload.Port{Name: "dns", Number: 5353, Protocol: corev1.ProtocolUDP})
	return workload.NewWorker(chart, "w", workload.WorkerProps{
		Identity: workload.Identity{Name: "resolver", Instance: "resolver", Component: "dns", PartOf: "infra"},
		Pod:      workload.Pod{Containers: []workload.Container{c}},
	})
}

func TestService(t *testing.T) {
	resolverLabels := map[string]any{
		workload.LabelName: "resolver", workload.LabelInstance: "resolver", workload.LabelComponent: "dns",
		workload.LabelPartOf: "infra", workload.LabelManagedBy: "tsumiki",
	}
	tests := []struct {
		name   string
		props  workload.ServiceProps
		fields map[string]any
	}{{
		name:  "every port, named like the workload",
		props: workload.ServiceProps{},
		fields: map[string]any{
			"metadata.name":   "resolver",
			"metadata.labels": resolverLabels,
			"spec.selector":   map[string]any{workload.LabelName: "resolver", workload.LabelInstance: "resolver"},
			"spec.type":       nil,
			"spec.clusterIP":  nil,
			"spec.ports": []any{
				map[string]any{"name": "http", "port": 8080.0, "targetPort": "http"},
				map[string]any{"name": "dns", "port": 5353.0, "targetPort": "dns", "protocol": "UDP"},
			},
		},
	}, {
		name: "some ports, renumbered, own name",
		props: workload.ServiceProps{
			Identity: workload.Identity{Instance: "resolver-public"},
			Ports:    []workload.ServicePort{{Name: "dns", Port: 53}},
			Type:     corev1.ServiceTypeLoadBalancer,
		},
		fields: map[string]any{
			"metadata.name":               "resolver-public",
			label(workload.LabelInstance): "resolver-public",
			label(workload.LabelName):     "resolver",
			"spec.type":                   "LoadBalancer",
			"spec.ports":                  []any{map[string]any{"name": "dns", "port": 53.0, "targetPort": "dns", "protocol": "UDP"}},
		},
	}, {
		name:   "headless",
		props:  workload.ServiceProps{Identity: workload.Identity{Instance: "resolver-pods"}, Headless: true},
		fields: map[string]any{"spec.clusterIP": "None"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := tt.props
			props.Selects = worker(chart)
			s := workload.NewService(chart, "svc", props)
			m := synthtest.Render(t, app)
			svc := only(t, m, "Service")
			for p, v := range tt.fields {
				want(t, svc, p, v)
			}
			if s.Name() != svc.Field("metadata.name") {
				t.Errorf("Name() = %q", s.Name())
			}
		})
	}
}

func TestInvalidServiceProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(w workload.Workload) workload.ServiceProps
		text  string
	}{
		{"no workload", func(workload.Workload) workload.ServiceProps { return workload.ServiceProps{} }, "Selects is nil"},
		{"unknown port", func(w workload.Workload) workload.ServiceProps {
			return workload.ServiceProps{Selects: w, Ports: []workload.ServicePort{{Name: "grpc"}}}
		}, `c/w has no container port named "grpc"`},
		{"port twice", func(w workload.Workload) workload.ServiceProps {
			return workload.ServiceProps{Selects: w, Ports: []workload.ServicePort{{Name: "http"}, {Name: "http", Port: 81}}}
		}, `port "http" is listed twice`},
		{"ExternalName", func(w workload.Workload) workload.ServiceProps {
			return workload.ServiceProps{Selects: w, Type: corev1.ServiceTypeExternalName}
		}, "not ExternalName"},
		{"headless load balancer", func(w workload.Workload) workload.ServiceProps {
			return workload.ServiceProps{Selects: w, Type: corev1.ServiceTypeLoadBalancer, Headless: true}
		}, "headless Service is of Type ClusterIP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			workload.NewService(chart, "svc", tt.props(worker(chart)))
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/svc", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/svc saying %s", ps, tt.text)
			}
		})
	}

	// A workload without ports has nothing to offer.
	app, chart := newChart("ns")
	c := web()
	c.Ports = nil
	w := workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	workload.NewService(chart, "svc", workload.ServiceProps{Selects: w})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/svc", workload.ErrInvalidProps, "c/w has no container ports") {
		t.Errorf("problems = %v", ps)
	}
}

// TestStandaloneConstructsStayInTheirNamespace checks that a Service and a
// disruption budget, which select pods of their own namespace only, are
// refused in another namespace than their workload's.
func TestStandaloneConstructsStayInTheirNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	infra := constructs.NewChart(app, "infra", constructs.ChartProps{Namespace: "infra"})
	other := constructs.NewChart(app, "other", constructs.ChartProps{Namespace: "other"})
	w := worker(infra)
	workload.NewService(other, "svc", workload.ServiceProps{Selects: w})
	workload.NewDisruptionBudget(other, "budget", workload.DisruptionBudgetProps{For: w})
	ps := synthtest.Problems(t, app)
	for _, p := range []string{"other/svc", "other/budget"} {
		if !hasProblem(ps, p, workload.ErrInvalidProps, "is in namespace other, but infra/w is in infra") {
			t.Errorf("problems = %v, want one at %s", ps, p)
		}
	}
}

func TestDisruptionBudget(t *testing.T) {
	tests := []struct {
		name   string
		props  workload.DisruptionBudgetProps
		fields map[string]any
	}{
		{"defaults", workload.DisruptionBudgetProps{}, map[string]any{
			"metadata.name":                   "resolver",
			label(workload.LabelComponent):    "dns",
			"spec.maxUnavailable":             1.0,
			"spec.minAvailable":               nil,
			"spec.unhealthyPodEvictionPolicy": "AlwaysAllow",
			"spec.selector.matchLabels":       map[string]any{workload.LabelName: "resolver", workload.LabelInstance: "resolver"},
		}},
		{"min available", workload.DisruptionBudgetProps{MinAvailable: "50%", Identity: workload.Identity{Instance: "resolver-budget"}}, map[string]any{
			"metadata.name":       "resolver-budget",
			"spec.minAvailable":   "50%",
			"spec.maxUnavailable": nil,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := tt.props
			props.For = worker(chart)
			workload.NewDisruptionBudget(chart, "budget", props)
			pdb := only(t, synthtest.Render(t, app), "PodDisruptionBudget")
			for p, v := range tt.fields {
				want(t, pdb, p, v)
			}
		})
	}
	for _, tt := range []struct {
		name  string
		props func(w workload.Workload) workload.DisruptionBudgetProps
		text  string
	}{
		{"no workload", func(workload.Workload) workload.DisruptionBudgetProps { return workload.DisruptionBudgetProps{} }, "For is nil"},
		{"both", func(w workload.Workload) workload.DisruptionBudgetProps {
			return workload.DisruptionBudgetProps{For: w, MinAvailable: "1", MaxUnavailable: "1"}
		}, "not both"},
		{"negative", func(w workload.Workload) workload.DisruptionBudgetProps {
			return workload.DisruptionBudgetProps{For: w, MaxUnavailable: "-1"}
		}, "negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			workload.NewDisruptionBudget(chart, "budget", tt.props(worker(chart)))
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/budget", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/budget saying %s", ps, tt.text)
			}
		})
	}
}

func TestPersistentVolumeClaim(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "ns"})
	// Made in a later chart position than the worker would be: the worker
	// is still written after it.
	c := web()
	claim := workload.NewPersistentVolumeClaim(chart, "data", workload.PersistentVolumeClaimProps{Size: "5Gi"})
	c.Mounts = []workload.Mount{
		{Path: "/data", From: claim.Ref()},
		{Path: "/data-ro", From: claim.Ref(), ReadOnly: true},
		{Path: "/shared", From: workload.ClaimRef("shared")},
	}
	w := workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	m := synthtest.Render(t, app)
	pvc := only(t, m, "PersistentVolumeClaim")
	want(t, pvc, "metadata.name", claim.Name())
	want(t, pvc, label(workload.LabelName), "data")
	want(t, pvc, "spec", map[string]any{
		"accessModes": []any{"ReadWriteOnce"},
		"resources":   map[string]any{"requests": map[string]any{"storage": "5Gi"}},
	})
	d := only(t, m, "Deployment")
	vol := "claim-" + claim.Name()
	want(t, d, "spec.template.spec.volumes", []any{
		map[string]any{"name": vol, "persistentVolumeClaim": map[string]any{"claimName": claim.Name()}},
		map[string]any{"name": "claim-shared", "persistentVolumeClaim": map[string]any{"claimName": "shared"}},
	})
	want(t, d, "spec.template.spec.containers[0].volumeMounts", []any{
		map[string]any{"mountPath": "/data", "name": vol},
		map[string]any{"mountPath": "/data-ro", "name": vol, "readOnly": true},
		map[string]any{"mountPath": "/shared", "name": "claim-shared"},
	})
	if deps := w.Node().Dependencies(); len(deps) != 1 || deps[0] != claim.Node() {
		t.Errorf("dependencies = %v, want the claim", deps)
	}

	// Pods cannot mount a claim of another namespace.
	other := constructs.NewChart(app, "other", constructs.ChartProps{Namespace: "other"})
	workload.NewWorker(other, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "other/w", workload.ErrInvalidProps, "in namespace other use PersistentVolumeClaim "+claim.Name()+" in namespace ns") {
		t.Errorf("problems = %v", ps)
	}
}

func TestClaimsHaveNoKeys(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    func(c *workload.Container)
		text string
	}{
		{"env", func(c *workload.Container) {
			c.Env = []workload.EnvVar{{Name: "X", From: workload.ClaimRef("data").Key("x")}}
		}, "a PersistentVolumeClaim has no keys"},
		{"envFrom", func(c *workload.Container) { c.EnvFrom = []workload.Ref{workload.ClaimRef("data")} }, "PersistentVolumeClaim data, which has no keys"},
		{"bad size", func(c *workload.Container) {}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.text == "" {
				app, chart := newChart("ns")
				workload.NewPersistentVolumeClaim(chart, "data", workload.PersistentVolumeClaimProps{Size: "lots"})
				if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/data", workload.ErrInvalidProps, `Size "lots"`) {
					t.Errorf("problems = %v", ps)
				}
				return
			}
			app, chart := newChart("ns")
			c := web()
			tt.c(&c)
			workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one saying %s", ps, tt.text)
			}
		})
	}
}

func TestTokenMount(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Mounts = []workload.Mount{
		{Path: "/var/run/secrets/vault", Token: &workload.Token{Audience: "https://vault.example.com"}},
		{Path: "/var/run/secrets/api", Token: &workload.Token{ExpirationSeconds: 600, File: "api-token"}},
	}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	d := only(t, synthtest.Render(t, app), "Deployment")
	// The token is projected: the automounted one stays off.
	want(t, d, "spec.template.spec.automountServiceAccountToken", false)
	want(t, d, "spec.template.spec.volumes", []any{
		map[string]any{"name": "token-https---vault-example-com", "projected": map[string]any{"sources": []any{map[string]any{
			"serviceAccountToken": map[string]any{"audience": "https://vault.example.com", "expirationSeconds": 3600.0, "path": "token"},
		}}}},
		map[string]any{"name": "token", "projected": map[string]any{"sources": []any{map[string]any{
			"serviceAccountToken": map[string]any{"expirationSeconds": 600.0, "path": "api-token"},
		}}}},
	})
	want(t, d, "spec.template.spec.containers[0].volumeMounts", []any{
		map[string]any{"mountPath": "/var/run/secrets/vault", "name": "token-https---vault-example-com", "readOnly": true},
		map[string]any{"mountPath": "/var/run/secrets/api", "name": "token", "readOnly": true},
	})

	for _, tt := range []struct {
		name  string
		token workload.Token
		text  string
	}{
		{"short expiry", workload.Token{ExpirationSeconds: 60}, "ExpirationSeconds 60 is below 600"},
		{"path as file", workload.Token{File: "a/b"}, `Token.File "a/b" must be a plain file name`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			c := web()
			c.Mounts = []workload.Mount{{Path: "/t", Token: &tt.token}}
			workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v", ps)
			}
		})
	}
}

func TestIngress(t *testing.T) {
	tests := []struct {
		name   string
		props  func(svc *constructs.Object[*corev1.Service]) workload.IngressProps
		fields map[string]any
	}{{
		name: "TLS secret, named like the Service",
		props: func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{TLSSecret: "resolver-tls", Rules: []workload.IngressRule{{Host: "dns.example.com", Service: svc}}}
		},
		fields: map[string]any{
			"metadata.name":             "resolver",
			label(workload.LabelPartOf): "infra",
			"metadata.annotations":      nil,
			"spec.ingressClassName":     nil,
			"spec.rules": []any{map[string]any{"host": "dns.example.com", "http": map[string]any{"paths": []any{map[string]any{
				"path": "/", "pathType": "Prefix",
				"backend": map[string]any{"service": map[string]any{"name": "resolver", "port": map[string]any{"name": "http"}}},
			}}}}},
			"spec.tls": []any{map[string]any{"hosts": []any{"dns.example.com"}, "secretName": "resolver-tls"}},
		},
	}, {
		name: "cert-manager issuer, rules of one host merged",
		props: func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{
				Identity:    workload.Identity{Instance: "public"},
				ClassName:   "nginx",
				CertManager: &workload.CertManager{Issuer: "internal-ca"},
				Annotations: map[string]string{"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
				Rules: []workload.IngressRule{
					{Host: "a.example.com", Path: "/api", Service: svc},
					{Host: "b.example.com", Service: svc, Port: "dns"},
					{Host: "a.example.com", Path: "/health", PathType: networkingv1.PathTypeExact, Service: svc},
				},
			}
		},
		fields: map[string]any{
			"metadata.name": "public",
			"metadata.annotations": map[string]any{
				"cert-manager.io/issuer":                      "internal-ca",
				"nginx.ingress.kubernetes.io/proxy-body-size": "8m",
			},
			"spec.ingressClassName":                                 "nginx",
			"spec.rules[0].host":                                    "a.example.com",
			"spec.rules[0].http.paths[0].path":                      "/api",
			"spec.rules[0].http.paths[1].path":                      "/health",
			"spec.rules[0].http.paths[1].pathType":                  "Exact",
			"spec.rules[1].host":                                    "b.example.com",
			"spec.rules[1].http.paths[0].backend.service.port.name": "dns",
			"spec.rules[2]":                                         nil,
			"spec.tls":                                              []any{map[string]any{"hosts": []any{"a.example.com", "b.example.com"}, "secretName": "public-tls"}},
		},
	}, {
		name: "plain HTTP when asked",
		props: func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Service: svc}}}
		},
		fields: map[string]any{"spec.tls": nil, "spec.rules[0].host": nil},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			svc := workload.NewService(chart, "svc", workload.ServiceProps{Selects: worker(chart)})
			workload.NewIngress(chart, "in", tt.props(svc.Object))
			m := synthtest.Render(t, app)
			strictlyTyped(t, m)
			in := only(t, m, "Ingress")
			for p, v := range tt.fields {
				want(t, in, p, v)
			}
		})
	}
}

func TestInvalidIngressProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(svc *constructs.Object[*corev1.Service]) workload.IngressProps
		text  string
	}{
		{"no rules", func(*constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true}
		}, "at least one rule"},
		{"no service", func(*constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Host: "a.example.com"}}}
		}, "Rules[0].Service is nil"},
		{"no TLS", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{Rules: []workload.IngressRule{{Host: "a.example.com", Service: svc}}}
		}, "an Ingress without TLS serves plain HTTP"},
		{"plain HTTP and TLS", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, TLSSecret: "x", Rules: []workload.IngressRule{{Service: svc}}}
		}, "PlainHTTP contradicts"},
		{"cert-manager without host", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{CertManager: &workload.CertManager{ClusterIssuer: "le"}, Rules: []workload.IngressRule{{Service: svc}}}
		}, "Rules[0] has no Host"},
		{"cert-manager without issuer", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{CertManager: &workload.CertManager{}, Rules: []workload.IngressRule{{Host: "a.example.com", Service: svc}}}
		}, "set ClusterIssuer or Issuer"},
		{"cert-manager with both issuers", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{CertManager: &workload.CertManager{ClusterIssuer: "a", Issuer: "b"}, Rules: []workload.IngressRule{{Host: "a.example.com", Service: svc}}}
		}, "not both"},
		{"cert-manager against an annotation", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{
				CertManager: &workload.CertManager{ClusterIssuer: "a"},
				Annotations: map[string]string{workload.CertManagerClusterIssuer: "b"},
				Rules:       []workload.IngressRule{{Host: "a.example.com", Service: svc}},
			}
		}, `the annotation cert-manager.io/cluster-issuer is also set to "b"`},
		{"unknown port", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Service: svc, Port: "grpc"}}}
		}, `Rules[0].Port "grpc" is not a port of Service resolver`},
		{"relative path", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Service: svc, Path: "api"}}}
		}, `Rules[0].Path "api" must start with /`},
		{"bad host", func(svc *constructs.Object[*corev1.Service]) workload.IngressProps {
			return workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Service: svc, Host: "A_B"}}}
		}, `Rules[0].Host "A_B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			svc := workload.NewService(chart, "svc", workload.ServiceProps{Selects: worker(chart)})
			workload.NewIngress(chart, "in", tt.props(svc.Object))
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/in", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/in saying %s", ps, tt.text)
			}
		})
	}
}

// TestIngressFollowsItsServices checks edits after construction: a Service
// renamed, stripped of the port, or an Ingress in another namespace.
func TestIngressFollowsItsServices(t *testing.T) {
	tests := []struct {
		name string
		edit func(svc *workload.Service)
		is   error
		text string
	}{
		{"renamed", func(svc *workload.Service) { svc.Object.Obj.Name = "renamed" }, workload.ErrInconsistent, "routes to Service resolver, which none of its rules' Services is now"},
		{"port removed", func(svc *workload.Service) { svc.Object.Obj.Spec.Ports = svc.Object.Obj.Spec.Ports[1:] }, workload.ErrInconsistent, `routes to port "http" of Service resolver, which has no such port`},
		{"other namespace", func(svc *workload.Service) { svc.Object.Obj.Namespace = "other" }, workload.ErrInvalidProps, "Service c/svc/service is in other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			svc := workload.NewService(chart, "svc", workload.ServiceProps{Selects: worker(chart)})
			workload.NewIngress(chart, "in", workload.IngressProps{PlainHTTP: true, Rules: []workload.IngressRule{{Service: svc.Object}}})
			tt.edit(svc)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/in", tt.is, tt.text) {
				t.Errorf("problems = %v, want one at c/in saying %s", ps, tt.text)
			}
		})
	}
}

// TestWebServiceIngressWithCertManager checks the cert-manager option of a
// WebService's Ingress.
func TestWebServiceIngressWithCertManager(t *testing.T) {
	app, chart := newChart("ns")
	workload.NewWebService(chart, "web", workload.WebServiceProps{
		Identity: workload.Identity{Instance: "shop"},
		Pod:      workload.Pod{Containers: []workload.Container{web()}},
		Ingress:  &workload.Ingress{Host: "shop.example.com", CertManager: &workload.CertManager{ClusterIssuer: "letsencrypt"}},
	})
	in := only(t, synthtest.Render(t, app), "Ingress")
	want(t, in, "metadata.annotations", map[string]any{workload.CertManagerClusterIssuer: "letsencrypt"})
	want(t, in, "spec.tls", []any{map[string]any{"hosts": []any{"shop.example.com"}, "secretName": "shop-tls"}})

	app, chart = newChart("ns")
	workload.NewWebService(chart, "web", workload.WebServiceProps{
		Pod:     workload.Pod{Containers: []workload.Container{web()}},
		Ingress: &workload.Ingress{CertManager: &workload.CertManager{ClusterIssuer: "letsencrypt"}},
	})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/web", workload.ErrInvalidProps, "CertManager needs a Host") {
		t.Errorf("problems = %v", ps)
	}
}
