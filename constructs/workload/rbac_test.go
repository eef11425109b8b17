package workload_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

var readConfigMaps = rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}

func TestServiceAccountTokenMount(t *testing.T) {
	tests := []struct {
		name  string
		setup func(sa *workload.ServiceAccount, pod *workload.Pod)
		after func(sa *workload.ServiceAccount) // after the workload is made
		mount bool
	}{
		{name: "attached, not granted", mount: false},
		{name: "granted before", setup: func(sa *workload.ServiceAccount, _ *workload.Pod) { sa.Grant(readConfigMaps) }, mount: true},
		{name: "granted after", after: func(sa *workload.ServiceAccount) { sa.GrantCluster(readConfigMaps) }, mount: true},
		{name: "bound by a role", after: func(sa *workload.ServiceAccount) {
			workload.NewRole(sa.Node().Scope(), "reader", workload.RoleProps{Rules: []rbacv1.PolicyRule{readConfigMaps}}).Bind(sa)
		}, mount: true},
		{name: "asked by the pod", setup: func(_ *workload.ServiceAccount, p *workload.Pod) {
			p.Security.AutomountServiceAccountToken = true
		}, mount: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			sa := workload.NewServiceAccount(chart, "sa", workload.ServiceAccountProps{})
			pod := workload.Pod{Containers: []workload.Container{web()}, ServiceAccount: sa}
			if tt.setup != nil {
				tt.setup(sa, &pod)
			}
			workload.NewWorker(chart, "w", workload.WorkerProps{Pod: pod})
			if tt.after != nil {
				tt.after(sa)
			}
			m := synthtest.Render(t, app)
			d := only(t, m, "Deployment")
			want(t, d, "spec.template.spec.serviceAccountName", only(t, m, "ServiceAccount").Field("metadata.name"))
			want(t, d, "spec.template.spec.automountServiceAccountToken", tt.mount)
			// The account itself never mounts by default.
			want(t, only(t, m, "ServiceAccount"), "automountServiceAccountToken", false)
		})
	}

	// The props ask for the token for every pod of the account.
	app, chart := newChart("ns")
	sa := workload.NewServiceAccount(chart, "sa", workload.ServiceAccountProps{
		Identity:       workload.Identity{Instance: "ci"},
		AutomountToken: true,
		Annotations:    map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/ci"},
	})
	workload.NewJob(chart, "w", workload.JobProps{Pod: workload.Pod{Containers: []workload.Container{web()}, ServiceAccount: sa}})
	m := synthtest.Render(t, app)
	want(t, only(t, m, "Job"), "spec.template.spec.automountServiceAccountToken", true)
	want(t, only(t, m, "Job"), "spec.template.spec.serviceAccountName", "ci")
	want(t, only(t, m, "ServiceAccount"), `metadata.annotations["eks.amazonaws.com/role-arn"]`, "arn:aws:iam::1:role/ci")
}

func TestGrant(t *testing.T) {
	app, chart := newChart("ns")
	sa := workload.NewServiceAccount(chart, "sa", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "controller"}})
	role := sa.Grant(readConfigMaps)
	if again := sa.Grant(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create"}}); again != role {
		t.Errorf("a second Grant made a second Role")
	}
	sa.GrantCluster(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}})
	m := synthtest.Render(t, app)

	r := only(t, m, "Role")
	want(t, r, "metadata.name", "controller")
	want(t, r, "metadata.namespace", "ns")
	want(t, r, "rules", []any{
		map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": []any{"get", "list", "watch"}},
		map[string]any{"apiGroups": []any{""}, "resources": []any{"events"}, "verbs": []any{"create"}},
	})
	rb := only(t, m, "RoleBinding")
	want(t, rb, "metadata.namespace", "ns")
	want(t, rb, "metadata.name", r.Field("metadata.name"))
	want(t, rb, "roleRef", map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": r.Field("metadata.name")})
	want(t, rb, "subjects", []any{map[string]any{"kind": "ServiceAccount", "name": "controller", "namespace": "ns"}})

	cr := only(t, m, "ClusterRole")
	want(t, cr, "metadata.namespace", nil)
	want(t, cr, "rules[0].resources", []any{"nodes"})
	crb := only(t, m, "ClusterRoleBinding")
	want(t, crb, "metadata.namespace", nil)
	want(t, crb, "roleRef", map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cr.Field("metadata.name")})
	want(t, crb, "subjects", []any{map[string]any{"kind": "ServiceAccount", "name": "controller", "namespace": "ns"}})
	for _, obj := range m.Objects {
		want(t, obj, label(workload.LabelManagedBy), "tsumiki")
	}
}

func TestRolesBoundToSeveralAccounts(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	a := constructs.NewChart(app, "a", constructs.ChartProps{Namespace: "team-a"})
	b := constructs.NewChart(app, "b", constructs.ChartProps{Namespace: "team-b"})
	saA := workload.NewServiceAccount(a, "sa", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "reader"}})
	saB := workload.NewServiceAccount(b, "sa", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "reader"}})

	role := workload.NewRole(a, "role", workload.RoleProps{Identity: workload.Identity{Instance: "config-reader"}, Rules: []rbacv1.PolicyRule{readConfigMaps}})
	role.Bind(saA)
	role.Bind(saB) // from another namespace
	cluster := workload.NewClusterRole(a, "cluster", workload.RoleProps{Identity: workload.Identity{Instance: "node-reader"}})
	cluster.AddRules(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get"}})
	cluster.Bind(saA, saB)

	m := synthtest.Render(t, app)
	subjects := []any{
		map[string]any{"kind": "ServiceAccount", "name": "reader", "namespace": "team-a"},
		map[string]any{"kind": "ServiceAccount", "name": "reader", "namespace": "team-b"},
	}
	rb := m.Get(t, "RoleBinding", "config-reader")
	want(t, rb, "metadata.namespace", "team-a")
	want(t, rb, "subjects", subjects)
	crb := m.Get(t, "ClusterRoleBinding", "node-reader")
	want(t, crb, "subjects", subjects)
	want(t, m.Get(t, "ClusterRole", "node-reader"), "rules[0].verbs", []any{"get"})
}

func TestBindingNeedsNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{}) // no namespace
	sa := workload.NewServiceAccount(chart, "sa", workload.ServiceAccountProps{})
	sa.Grant(readConfigMaps)
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/sa/role", workload.ErrInvalidProps, "ServiceAccount c/sa has no namespace") {
		t.Errorf("problems = %v", ps)
	}
	// A nil account is recorded too.
	app2, chart2 := newChart("ns")
	workload.NewRole(chart2, "r", workload.RoleProps{}).Bind(nil)
	if ps := synthtest.Problems(t, app2); !hasProblem(ps, "c/r", workload.ErrInvalidProps, "nil ServiceAccount") {
		t.Errorf("problems = %v", ps)
	}
}

func TestServiceAccountInOtherNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	other := constructs.NewChart(app, "other", constructs.ChartProps{Namespace: "other"})
	sa := workload.NewServiceAccount(other, "sa", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "sa"}})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "ns"})
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}, ServiceAccount: sa}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, "ServiceAccount sa in namespace other") {
		t.Errorf("problems = %v", ps)
	}
}
