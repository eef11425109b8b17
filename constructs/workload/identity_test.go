package workload_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// everyConstruct adds one of each construct of the package to chart,
// none named, and returns the workloads.
func everyConstruct(chart *constructs.Chart) []workload.Workload {
	pod := func() workload.Pod { return workload.Pod{Containers: []workload.Container{web()}} }
	config := workload.NewConfigMap(chart, "config", workload.ConfigMapProps{Data: map[string]string{"k": "v"}})
	account := workload.NewServiceAccount(chart, "account", workload.ServiceAccountProps{})
	account.Grant(readConfigMaps)
	account.GrantCluster(readConfigMaps)
	claim := workload.NewPersistentVolumeClaim(chart, "claim", workload.PersistentVolumeClaimProps{Size: "1Gi"})

	withRefs := pod()
	withRefs.ServiceAccount = account
	withRefs.Containers[0].Mounts = []workload.Mount{{Path: "/config", From: config.Ref()}, {Path: "/data", From: claim.Ref()}}
	front := workload.NewWebService(chart, "web", workload.WebServiceProps{
		Pod: withRefs, Ingress: &workload.Ingress{Host: "a.example.com"},
		Autoscaling: &workload.Autoscaling{MaxReplicas: 3}, DisruptionBudget: &workload.DisruptionBudget{},
	})
	worker := workload.NewWorker(chart, "worker", workload.WorkerProps{Pod: pod()})
	db := workload.NewStatefulSet(chart, "db", workload.StatefulSetProps{
		Pod: workload.Pod{Containers: []workload.Container{database()}}, Claims: []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
		DisruptionBudget: &workload.DisruptionBudget{},
	})
	agent := workload.NewDaemonSet(chart, "agent", workload.DaemonSetProps{Pod: pod()})
	job := workload.NewJob(chart, "job", workload.JobProps{Pod: pod()})
	task := workload.NewScheduledTask(chart, "task", workload.ScheduledTaskProps{Schedule: "@daily", Pod: pod()})

	svc := workload.NewService(chart, "svc", workload.ServiceProps{Identity: workload.Identity{Instance: ""}, Selects: worker})
	workload.NewDisruptionBudget(chart, "budget", workload.DisruptionBudgetProps{For: agent})
	workload.NewIngress(chart, "ingress", workload.IngressProps{
		Identity: workload.Identity{Name: "public"}, TLSSecret: "tls", Rules: []workload.IngressRule{{Service: svc.Object}},
	})
	workload.NewRole(chart, "role", workload.RoleProps{Rules: []rbacv1.PolicyRule{readConfigMaps}}).Bind(account)
	workload.NewClusterRole(chart, "cluster-role", workload.RoleProps{}).Bind(account)
	workload.NewDefaultDeny(chart, "deny", workload.DefaultDenyProps{AllowDNS: true})
	workload.NewAllowIngress(chart, "allow", workload.AllowIngressProps{To: front, From: []workload.Peer{workload.FromNamespace("x")}})
	front.Connections().AllowTo(db, "sql")
	return []workload.Workload{front, worker, db, agent, job, task}
}

// TestNamesWithoutHashes checks that every name the package generates
// follows ChartProps.DisableResourceNameHashes, as raw objects' names do.
func TestNamesWithoutHashes(t *testing.T) {
	for _, disable := range []bool{false, true} {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop", DisableResourceNameHashes: disable})
		everyConstruct(chart)
		raw := constructs.NewObject(chart, "raw", &corev1.ConfigMap{})
		var names []string
		for _, o := range synthtest.Render(t, app).Objects {
			names = append(names, o.GroupVersionKind.Kind+" "+o.Name)
		}
		hashed := func(name string) bool {
			i := strings.LastIndex(name, "-c8")
			return i >= 0 && len(name)-i == 9
		}
		for _, n := range names {
			if hashed(n) != !disable && !strings.HasSuffix(n, " tls") {
				t.Errorf("hashes disabled=%v: %s", disable, n)
			}
		}
		if disable {
			want := []string{
				"ConfigMap shop-config", "ServiceAccount shop-account", "Role shop-account",
				"RoleBinding shop-account", "ClusterRole shop-account-cluster-role",
				"ClusterRoleBinding shop-account-cluster-role", "PersistentVolumeClaim shop-claim",
				"Deployment shop-web", "Service shop-web", "Ingress shop-web", "HorizontalPodAutoscaler shop-web",
				"PodDisruptionBudget shop-web", "Deployment shop-worker", "StatefulSet shop-db", "Service shop-db",
				"PodDisruptionBudget shop-db", "NetworkPolicy shop-db-connections-from-shop-web", "DaemonSet shop-agent",
				"Job shop-job", "CronJob shop-task", "Service shop-worker", "PodDisruptionBudget shop-agent",
				"Ingress shop-worker", "Role shop-role", "RoleBinding shop-role", "ClusterRole shop-cluster-role",
				"ClusterRoleBinding shop-cluster-role", "NetworkPolicy shop-deny", "NetworkPolicy shop-allow",
				"NetworkPolicy shop-web-connections-to-shop-db", "ConfigMap shop-raw",
			}
			if !equalSets(names, want) {
				t.Errorf("names = %q\nwant %q", names, want)
			}
			if raw.Name() != "shop-raw" {
				t.Errorf("raw object is %s", raw.Name())
			}
		}
	}
}

func equalSets(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// TestEveryPodIsLockedDown walks every pod template any construct makes,
// decoded strictly into the k8s.io/api types: each runs as non-root,
// under RuntimeDefault seccomp, without the API token unless granted, and
// each container without privilege escalation, with a read-only root file
// system, no capabilities and CPU and memory requests.
func TestEveryPodIsLockedDown(t *testing.T) {
	apps := map[string]*constructs.App{}
	app, chart := newChart("ns")
	everyConstruct(chart)
	apps["every construct"] = app
	shop := constructs.NewApp(constructs.AppProps{})
	newShop(shop)
	apps["postgres example"] = shop

	for name, app := range apps {
		t.Run(name, func(t *testing.T) {
			m := synthtest.Render(t, app)
			strictlyTyped(t, m)
			seen := map[string]bool{}
			for _, o := range m.Objects {
				kind, spec := podSpecOf(t, o)
				if spec == nil {
					continue
				}
				seen[kind] = true
				checkLockedDown(t, kind, *spec)
			}
			if name == "every construct" {
				wantKinds := []string{"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
				if got := slices.Sorted(maps.Keys(seen)); !equalSets(got, wantKinds) {
					t.Errorf("pod templates in %v, want %v", got, wantKinds)
				}
			}
		})
	}
}

// podSpecOf decodes o strictly and returns the pod spec inside, if any.
func podSpecOf(t *testing.T, o *synthtest.Object) (string, *corev1.PodSpec) {
	t.Helper()
	kind := o.GroupVersionKind.Kind
	switch kind {
	case "Deployment":
		var d appsv1.Deployment
		o.Decode(t, &d)
		return kind, &d.Spec.Template.Spec
	case "StatefulSet":
		var s appsv1.StatefulSet
		o.Decode(t, &s)
		return kind, &s.Spec.Template.Spec
	case "DaemonSet":
		var d appsv1.DaemonSet
		o.Decode(t, &d)
		return kind, &d.Spec.Template.Spec
	case "Job":
		var j batchv1.Job
		o.Decode(t, &j)
		return kind, &j.Spec.Template.Spec
	case "CronJob":
		var c batchv1.CronJob
		o.Decode(t, &c)
		return kind, &c.Spec.JobTemplate.Spec.Template.Spec
	}
	return kind, nil
}

func checkLockedDown(t *testing.T, kind string, spec corev1.PodSpec) {
	t.Helper()
	sc := spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s: runAsNonRoot is not true: %+v", kind, sc)
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: seccomp profile is not RuntimeDefault", kind)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Errorf("%s: host namespaces", kind)
	}
	if a := spec.AutomountServiceAccountToken; a == nil || *a && spec.ServiceAccountName == "" {
		t.Errorf("%s: automountServiceAccountToken = %v without a granted account", kind, a)
	}
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		s := c.SecurityContext
		switch {
		case s == nil:
			t.Errorf("%s/%s: no securityContext", kind, c.Name)
		case s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation:
			t.Errorf("%s/%s: privilege escalation allowed", kind, c.Name)
		case s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem:
			t.Errorf("%s/%s: writable root file system", kind, c.Name)
		case s.Capabilities == nil || !slices.Equal(s.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(s.Capabilities.Add) > 0:
			t.Errorf("%s/%s: capabilities %+v", kind, c.Name, s.Capabilities)
		case s.Privileged != nil && *s.Privileged:
			t.Errorf("%s/%s: privileged", kind, c.Name)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
				t.Errorf("%s/%s: no %s request", kind, c.Name, r)
			}
		}
	}
}

func TestIdentityDefaults(t *testing.T) {
	tests := []struct {
		name string
		id   string
		in   workload.Identity
		want workload.Identity
	}{
		{"nothing set", "web", workload.Identity{}, workload.Identity{Name: "web", Instance: "c-web-c81a99f2"}},
		{"instance set: the name follows it, not the id", "web", workload.Identity{Instance: "storefront"}, workload.Identity{Name: "storefront", Instance: "storefront"}},
		{"name set", "web", workload.Identity{Name: "nginx"}, workload.Identity{Name: "nginx", Instance: "c-web-c81a99f2"}},
		{"all set", "web", workload.Identity{Name: "nginx", Instance: "shop", Component: "front", PartOf: "shop"},
			workload.Identity{Name: "nginx", Instance: "shop", Component: "front", PartOf: "shop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, chart := newChart("ns")
			w := workload.NewWorker(chart, tt.id, workload.WorkerProps{Identity: tt.in, Pod: workload.Pod{Containers: []workload.Container{web()}}})
			if got := w.Identity(); got != tt.want {
				t.Errorf("Identity() = %+v, want %+v", got, tt.want)
			}
			if got, want := w.Selector(), map[string]string{workload.LabelName: tt.want.Name, workload.LabelInstance: tt.want.Instance}; !maps.Equal(got, want) {
				t.Errorf("Selector() = %v, want %v", got, want)
			}
		})
	}
}

// TestSelectorsAreStable checks what may change a selector, which
// Kubernetes never lets change on a Deployment, StatefulSet or DaemonSet.
func TestSelectorsAreStable(t *testing.T) {
	type result struct{ name, selector, claims string }
	build := func(id string, ident workload.Identity, podLabels, chartLabels map[string]string) result {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "ns", Labels: chartLabels})
		c := database()
		workload.NewStatefulSet(chart, id, workload.StatefulSetProps{
			Identity: ident,
			Pod:      workload.Pod{Containers: []workload.Container{c}, Labels: podLabels},
			Claims:   []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
		})
		s := only(t, synthtest.Render(t, app), "StatefulSet")
		sel, _ := yaml.Marshal(s.Field("spec.selector"))
		claims, _ := yaml.Marshal(s.Field("spec.volumeClaimTemplates"))
		return result{s.Field("metadata.name").(string), string(sel), string(claims)}
	}
	base := build("db", workload.Identity{Instance: "orders-db"}, nil, nil)
	// Renaming the construct keeps the object and its selector: the name
	// label follows the Instance, not the id.
	if got := build("database", workload.Identity{Instance: "orders-db"}, nil, nil); got != base {
		t.Errorf("renamed construct: %+v, want %+v", got, base)
	}
	// Labels added later leave the selector and the claim templates, both
	// immutable, alone.
	if got := build("db", workload.Identity{Instance: "orders-db", Component: "database", PartOf: "orders"},
		map[string]string{"team": "orders"}, map[string]string{"env": "prod"}); got != base {
		t.Errorf("labels added: %+v, want %+v", got, base)
	}
	// Without an Instance the name comes from the path: a rename makes a
	// new object rather than changing the selector of the old one.
	a, b := build("db", workload.Identity{}, nil, nil), build("database", workload.Identity{}, nil, nil)
	if a.name == b.name || a.selector == b.selector {
		t.Errorf("renamed without an Instance: %+v and %+v, want another object", a, b)
	}
}

// TestSelectorConflicts checks that no workload's selector selects the
// pods of another object in its namespace, whatever made that object.
func TestSelectorConflicts(t *testing.T) {
	shared := workload.Identity{Name: "shop", Instance: "shop"}
	tests := []struct {
		name     string
		build    func(a, b *constructs.Chart)
		problems map[string]string // path → text
	}{{
		name: "two workloads of one identity",
		build: func(a, _ *constructs.Chart) {
			workload.NewWebService(a, "web", workload.WebServiceProps{Identity: shared, Pod: workload.Pod{Containers: []workload.Container{web()}}})
			workload.NewStatefulSet(a, "db", workload.StatefulSetProps{Identity: shared, Pod: workload.Pod{Containers: []workload.Container{web()}}})
		},
		problems: map[string]string{
			"a/web": "the Deployment's selector app.kubernetes.io/instance=shop,app.kubernetes.io/name=shop also selects the pods of a/db/statefulset (StatefulSet shop)",
			"a/db":  "the StatefulSet's selector app.kubernetes.io/instance=shop,app.kubernetes.io/name=shop also selects the pods of a/web/deployment (Deployment shop)",
		},
	}, {
		name: "a raw object with the workload's labels",
		build: func(a, _ *constructs.Chart) {
			workload.NewWorker(a, "worker", workload.WorkerProps{Identity: shared, Pod: workload.Pod{Containers: []workload.Container{web()}}})
			constructs.NewObject(a, "raw", &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{workload.LabelName: "shop", workload.LabelInstance: "shop", "extra": "x"}},
			}}})
		},
		problems: map[string]string{"a/worker": "also selects the pods of a/raw (DaemonSet a-raw-c8"},
	}, {
		name: "one identity in two namespaces",
		build: func(a, b *constructs.Chart) {
			workload.NewWorker(a, "w", workload.WorkerProps{Identity: shared, Pod: workload.Pod{Containers: []workload.Container{web()}}})
			workload.NewWorker(b, "w", workload.WorkerProps{Identity: shared, Pod: workload.Pod{Containers: []workload.Container{web()}}})
		},
	}, {
		name: "names that differ",
		build: func(a, _ *constructs.Chart) {
			workload.NewWorker(a, "w", workload.WorkerProps{Identity: workload.Identity{Name: "mailer", Instance: "shop"}, Pod: workload.Pod{Containers: []workload.Container{web()}}})
			workload.NewJob(a, "j", workload.JobProps{Identity: workload.Identity{Name: "migrate", Instance: "shop"}, Pod: workload.Pod{Containers: []workload.Container{web()}}})
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{})
			a := constructs.NewChart(app, "a", constructs.ChartProps{Namespace: "a"})
			b := constructs.NewChart(app, "b", constructs.ChartProps{Namespace: "b"})
			tt.build(a, b)
			if tt.problems == nil {
				synthtest.Render(t, app)
				return
			}
			ps := synthtest.Problems(t, app)
			for path, text := range tt.problems {
				if !hasProblem(ps, path, workload.ErrSelectorConflict, text) {
					t.Errorf("problems = %v, want one at %s saying %s", ps, path, text)
				}
			}
		})
	}
}
