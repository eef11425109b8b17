package workload_test

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

func TestDefaultDeny(t *testing.T) {
	tests := []struct {
		name  string
		types []networkingv1.PolicyType
		want  []any
	}{
		{"both by default", nil, []any{"Ingress", "Egress"}},
		{"ingress", []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, []any{"Ingress"}},
		{"egress", []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, []any{"Egress"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			workload.NewDefaultDeny(chart, "deny", workload.DefaultDenyProps{PolicyTypes: tt.types})
			np := only(t, synthtest.Render(t, app), "NetworkPolicy")
			want(t, np, "metadata.namespace", "ns")
			// An empty pod selector selects every pod; it must be there.
			want(t, np, "spec.podSelector", map[string]any{})
			want(t, np, "spec.policyTypes", tt.want)
			want(t, np, "spec.ingress", nil)
			want(t, np, "spec.egress", nil)
		})
	}
}

func TestAllowIngress(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	shop := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	ops := constructs.NewChart(app, "ops", constructs.ChartProps{Namespace: "ops"})

	api := web()
	api.Ports = append(api.Ports, workload.Port{Name: "metrics", Number: 9090}, workload.Port{Name: "gossip", Number: 7946, Protocol: "UDP"})
	backend := workload.NewWebService(shop, "backend", workload.WebServiceProps{Identity: workload.Identity{Instance: "backend"}, Pod: workload.Pod{Containers: []workload.Container{api}}})
	frontend := workload.NewWebService(shop, "frontend", workload.WebServiceProps{Identity: workload.Identity{Instance: "frontend"}, Pod: workload.Pod{Containers: []workload.Container{web()}}})
	scraper := workload.NewWorker(ops, "scraper", workload.WorkerProps{Identity: workload.Identity{Instance: "scraper"}, Pod: workload.Pod{Containers: []workload.Container{web()}}})

	tests := []struct {
		name  string
		props workload.AllowIngressProps
		from  []any
		ports any
	}{{
		name:  "from a workload in the same namespace, on a port",
		props: workload.AllowIngressProps{To: backend, From: []workload.Peer{workload.FromWorkload(frontend)}, Ports: []string{"http"}},
		from: []any{map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{
			workload.LabelName: "frontend", workload.LabelInstance: "frontend",
		}}}},
		ports: []any{map[string]any{"port": "http", "protocol": "TCP"}},
	}, {
		name:  "from a workload in another namespace",
		props: workload.AllowIngressProps{To: backend, From: []workload.Peer{workload.FromWorkload(scraper)}, Ports: []string{"metrics", "gossip"}},
		from: []any{map[string]any{
			"podSelector":       map[string]any{"matchLabels": map[string]any{workload.LabelName: "scraper", workload.LabelInstance: "scraper"}},
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "ops"}},
		}},
		ports: []any{
			map[string]any{"port": "metrics", "protocol": "TCP"},
			map[string]any{"port": "gossip", "protocol": "UDP"},
		},
	}, {
		name:  "from a namespace, on every port",
		props: workload.AllowIngressProps{To: backend, From: []workload.Peer{workload.FromNamespace("ingress-nginx")}},
		from: []any{map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "ingress-nginx"}},
		}},
		ports: nil,
	}}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := tt.props
			props.Instance = "allow-" + string(rune('a'+i))
			workload.NewAllowIngress(shop, props.Instance, props)
			np := synthtest.Render(t, app).Get(t, "NetworkPolicy", props.Instance)
			want(t, np, "metadata.namespace", "shop")
			want(t, np, "spec.podSelector", map[string]any{"matchLabels": map[string]any{
				workload.LabelName: "backend", workload.LabelInstance: "backend",
			}})
			want(t, np, "spec.policyTypes", []any{"Ingress"})
			want(t, np, "spec.ingress[0].from", tt.from)
			want(t, np, "spec.ingress[0].ports", tt.ports)
		})
	}
}

func TestInvalidAllowIngress(t *testing.T) {
	tests := []struct {
		name  string
		props func(w workload.Workload) workload.AllowIngressProps
		text  string
	}{
		{"no target", func(w workload.Workload) workload.AllowIngressProps {
			return workload.AllowIngressProps{From: []workload.Peer{workload.FromNamespace("x")}}
		}, "To is nil"},
		{"no peers", func(w workload.Workload) workload.AllowIngressProps {
			return workload.AllowIngressProps{To: w}
		}, "From is empty"},
		{"empty peer", func(w workload.Workload) workload.AllowIngressProps {
			return workload.AllowIngressProps{To: w, From: []workload.Peer{{}}}
		}, "an empty Peer"},
		{"unknown port", func(w workload.Workload) workload.AllowIngressProps {
			return workload.AllowIngressProps{To: w, From: []workload.Peer{workload.FromNamespace("x")}, Ports: []string{"grpc"}}
		}, `c/w has no port named "grpc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			w := workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}}})
			workload.NewAllowIngress(chart, "allow", tt.props(w))
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/allow", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/allow saying %s", ps, tt.text)
			}
		})
	}
}

func TestAllowIngressInTheTargetsNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	shop := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	ops := constructs.NewChart(app, "ops", constructs.ChartProps{Namespace: "ops"})
	api := workload.NewWorker(shop, "api", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}}})
	workload.NewAllowIngress(ops, "allow", workload.AllowIngressProps{To: api, From: []workload.Peer{workload.FromNamespace("ops")}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "ops/allow", workload.ErrInvalidProps, "shop/api is in shop") {
		t.Errorf("problems = %v", ps)
	}
}
