package workload_test

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// twoTier returns an app with a web service and a database, in the same
// namespace unless dbNamespace says otherwise.
func twoTier(dbNamespace string) (*constructs.App, *workload.WebService, *workload.StatefulSet) {
	app := constructs.NewApp(constructs.AppProps{})
	shop := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	dbChart := shop
	if dbNamespace != "shop" {
		dbChart = constructs.NewChart(app, "data", constructs.ChartProps{Namespace: dbNamespace})
	}
	front := workload.NewWebService(shop, "web", workload.WebServiceProps{
		Identity: workload.Identity{Name: "web", Instance: "web", PartOf: "shop"},
		Pod:      workload.Pod{Containers: []workload.Container{web()}},
	})
	c := database()
	c.Ports = append(c.Ports, workload.Port{Name: "metrics", Number: 9187}, workload.Port{Name: "gossip", Number: 7946, Protocol: "UDP"})
	db := workload.NewStatefulSet(dbChart, "db", workload.StatefulSetProps{
		Identity: workload.Identity{Name: "postgres", Instance: "db", Component: "database", PartOf: "shop"},
		Pod:      workload.Pod{Containers: []workload.Container{c}},
		Claims:   []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
	})
	return app, front, db
}

var (
	webPods = map[string]any{"matchLabels": map[string]any{workload.LabelName: "web", workload.LabelInstance: "web"}}
	dbPods  = map[string]any{"matchLabels": map[string]any{workload.LabelName: "postgres", workload.LabelInstance: "db"}}
)

func TestConnectionsAllowTo(t *testing.T) {
	tests := []struct {
		name         string
		connect      func(web *workload.WebService, db *workload.StatefulSet) workload.Connection
		egressPorts  any
		ingressPorts any
	}{{
		name: "one port",
		connect: func(web *workload.WebService, db *workload.StatefulSet) workload.Connection {
			return web.Connections().AllowTo(db, "sql")
		},
		egressPorts:  []any{map[string]any{"port": 5432.0, "protocol": "TCP"}},
		ingressPorts: []any{map[string]any{"port": "sql", "protocol": "TCP"}},
	}, {
		name: "from the receiver's side, a UDP port",
		connect: func(web *workload.WebService, db *workload.StatefulSet) workload.Connection {
			return db.Connections().AllowFrom(web, "gossip")
		},
		egressPorts:  []any{map[string]any{"port": 7946.0, "protocol": "UDP"}},
		ingressPorts: []any{map[string]any{"port": "gossip", "protocol": "UDP"}},
	}, {
		name: "every named port",
		connect: func(web *workload.WebService, db *workload.StatefulSet) workload.Connection {
			return web.Connections().AllowTo(db)
		},
		egressPorts: []any{
			map[string]any{"port": 5432.0, "protocol": "TCP"},
			map[string]any{"port": 9187.0, "protocol": "TCP"},
			map[string]any{"port": 7946.0, "protocol": "UDP"},
		},
		ingressPorts: []any{
			map[string]any{"port": "sql", "protocol": "TCP"},
			map[string]any{"port": "metrics", "protocol": "TCP"},
			map[string]any{"port": "gossip", "protocol": "UDP"},
		},
	}, {
		name: "twice: the same policies, more ports",
		connect: func(web *workload.WebService, db *workload.StatefulSet) workload.Connection {
			first := web.Connections().AllowTo(db, "sql")
			second := db.Connections().AllowFrom(web, "metrics", "sql")
			if first != second {
				panic("a second call made other policies")
			}
			return second
		},
		egressPorts:  []any{map[string]any{"port": 5432.0, "protocol": "TCP"}, map[string]any{"port": 9187.0, "protocol": "TCP"}},
		ingressPorts: []any{map[string]any{"port": "sql", "protocol": "TCP"}, map[string]any{"port": "metrics", "protocol": "TCP"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, front, db := twoTier("shop")
			conn := tt.connect(front, db)
			m := synthtest.Render(t, app)
			strictlyTyped(t, m)
			egress := m.Get(t, "NetworkPolicy", conn.Egress.Name())
			want(t, egress, "metadata.name", "shop-web-connections-to-shop-db-c8f09169")
			want(t, egress, "metadata.namespace", "shop")
			want(t, egress, label(workload.LabelName), "web")
			want(t, egress, "spec", map[string]any{
				"podSelector": webPods,
				"policyTypes": []any{"Egress"},
				"egress":      []any{map[string]any{"to": []any{map[string]any{"podSelector": dbPods}}, "ports": tt.egressPorts}},
			})
			ingress := m.Get(t, "NetworkPolicy", conn.Ingress.Name())
			want(t, ingress, "metadata.name", "shop-db-connections-from-shop-web-c82d63fc")
			want(t, ingress, label(workload.LabelName), "postgres")
			want(t, ingress, label(workload.LabelComponent), "database")
			want(t, ingress, "spec", map[string]any{
				"podSelector": dbPods,
				"policyTypes": []any{"Ingress"},
				"ingress":     []any{map[string]any{"from": []any{map[string]any{"podSelector": webPods}}, "ports": tt.ingressPorts}},
			})
			// The workloads' four objects, and the two policies.
			if n := len(m.Objects); n != 6 {
				t.Errorf("%d objects, want 6: %v", n, kinds(m))
			}
		})
	}
}

// TestConnectionsAcrossNamespaces checks that each policy lands in its
// workload's namespace and names the other's.
func TestConnectionsAcrossNamespaces(t *testing.T) {
	app, front, db := twoTier("data")
	conn := front.Connections().AllowTo(db, "sql")
	m := synthtest.Render(t, app)
	egress := m.Get(t, "NetworkPolicy", conn.Egress.Name())
	want(t, egress, "metadata.namespace", "shop")
	want(t, egress, "spec.egress[0].to", []any{map[string]any{
		"podSelector":       dbPods,
		"namespaceSelector": map[string]any{"matchLabels": map[string]any{workload.NamespaceLabel: "data"}},
	}})
	ingress := m.Get(t, "NetworkPolicy", conn.Ingress.Name())
	want(t, ingress, "metadata.namespace", "data")
	want(t, ingress, "spec.ingress[0].from", []any{map[string]any{
		"podSelector":       webPods,
		"namespaceSelector": map[string]any{"matchLabels": map[string]any{workload.NamespaceLabel: "shop"}},
	}})
}

// TestConnectionsFollowPortChanges checks that the rules are written from
// the pod templates as they are at synthesis.
func TestConnectionsFollowPortChanges(t *testing.T) {
	app, front, db := twoTier("shop")
	conn := front.Connections().AllowTo(db, "sql")
	db.PodTemplate().Spec.Containers[0].Ports[0].ContainerPort = 6432
	m := synthtest.Render(t, app)
	want(t, m.Get(t, "NetworkPolicy", conn.Egress.Name()), "spec.egress[0].ports", []any{map[string]any{"port": 6432.0, "protocol": "TCP"}})

	// A port that is gone is reported with the policy's path.
	db.PodTemplate().Spec.Containers[0].Ports[0].Name = "postgres"
	ps := synthtest.Problems(t, app)
	for _, p := range []string{"shop/web/connections/to-shop--db", "shop/db/connections/from-shop--web"} {
		if !hasProblem(ps, p, workload.ErrInvalidProps, `shop/db has no port named "sql"`) {
			t.Errorf("problems = %v, want one at %s", ps, p)
		}
	}
}

func TestInvalidConnections(t *testing.T) {
	app, front, _ := twoTier("shop")
	front.Connections().AllowTo(nil)
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "shop/web", workload.ErrInvalidProps, "nil workload") {
		t.Errorf("problems = %v", ps)
	}

	app, front, db := twoTier("shop")
	db.Connections().AllowTo(front, "grpc")
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "shop/db/connections/to-shop--web", workload.ErrInvalidProps, `shop/web has no port named "grpc"`) {
		t.Errorf("problems = %v", ps)
	}

	// A workload without ports cannot be connected to on every port.
	app, chart := newChart("ns")
	c := web()
	c.Ports = nil
	quiet := workload.NewWorker(chart, "quiet", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	other := workload.NewWorker(chart, "other", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}}})
	other.Connections().AllowTo(quiet)
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/other/connections/to-c--quiet", workload.ErrInvalidProps, "c/quiet has no named container ports") {
		t.Errorf("problems = %v", ps)
	}
}

// TestConnectionsWithDefaultDeny checks the package's policy model: a
// default deny of both directions with DNS open, and a connection.
func TestConnectionsWithDefaultDeny(t *testing.T) {
	app, front, db := twoTier("shop")
	policy := workload.NewDefaultDeny(front.Node().Scope(), "deny", workload.DefaultDenyProps{AllowDNS: true})
	front.Connections().AllowTo(db, "sql")
	m := synthtest.Render(t, app)
	deny := m.Get(t, "NetworkPolicy", policy.Name())
	want(t, deny, "spec.policyTypes", []any{"Ingress", "Egress"})
	want(t, deny, "spec.podSelector", map[string]any{})
	want(t, deny, "spec.ingress", nil)
	want(t, deny, "spec.egress", []any{map[string]any{
		"to": []any{map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{workload.NamespaceLabel: "kube-system"}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"k8s-app": "kube-dns"}},
		}},
		"ports": []any{map[string]any{"port": 53.0, "protocol": "UDP"}, map[string]any{"port": 53.0, "protocol": "TCP"}},
	}})

	// DNS needs denied egress to be worth allowing.
	app, chart := newChart("ns")
	workload.NewDefaultDeny(chart, "deny", workload.DefaultDenyProps{
		AllowDNS:    true,
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
	})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/deny", workload.ErrInvalidProps, "AllowDNS needs Egress") {
		t.Errorf("problems = %v", ps)
	}
}
