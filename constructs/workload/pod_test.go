package workload_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// kinds of workload, each made with the same pod.
var workloads = []struct {
	name     string
	kind     string // of the object holding the pod template
	template string // path to the pod template in that object
	add      func(scope constructs.Construct, pod workload.Pod) workload.Workload
}{{
	name: "WebService", kind: "Deployment", template: "spec.template",
	add: func(scope constructs.Construct, pod workload.Pod) workload.Workload {
		return workload.NewWebService(scope, "app", workload.WebServiceProps{
			Identity:         workload.Identity{Component: "api", PartOf: "shop"},
			Pod:              pod,
			DisruptionBudget: &workload.DisruptionBudget{},
			Autoscaling:      &workload.Autoscaling{MaxReplicas: 3},
			Ingress:          &workload.Ingress{Host: "x.example.com"},
		})
	},
}, {
	name: "Worker", kind: "Deployment", template: "spec.template",
	add: func(scope constructs.Construct, pod workload.Pod) workload.Workload {
		return workload.NewWorker(scope, "app", workload.WorkerProps{Identity: workload.Identity{Component: "api", PartOf: "shop"}, Pod: pod})
	},
}, {
	name: "ScheduledTask", kind: "CronJob", template: "spec.jobTemplate.spec.template",
	add: func(scope constructs.Construct, pod workload.Pod) workload.Workload {
		return workload.NewScheduledTask(scope, "app", workload.ScheduledTaskProps{Identity: workload.Identity{Component: "api", PartOf: "shop"}, Pod: pod, Schedule: "0 * * * *"})
	},
}, {
	name: "Job", kind: "Job", template: "spec.template",
	add: func(scope constructs.Construct, pod workload.Pod) workload.Workload {
		return workload.NewJob(scope, "app", workload.JobProps{Identity: workload.Identity{Component: "api", PartOf: "shop"}, Pod: pod})
	},
}}

func TestLabelsAndSelectors(t *testing.T) {
	for _, w := range workloads {
		t.Run(w.name, func(t *testing.T) {
			app, chart := newChart("ns")
			wl := w.add(chart, workload.Pod{Containers: []workload.Container{web()}, Labels: map[string]string{"team": "checkout"}})
			m := synthtest.Render(t, app)
			instance := only(t, m, w.kind).Field("metadata.name")
			wantLabels := map[string]any{
				workload.LabelName:      "app",
				workload.LabelInstance:  instance,
				workload.LabelComponent: "api",
				workload.LabelPartOf:    "shop",
				workload.LabelManagedBy: "tsumiki",
			}
			wantSelector := map[string]any{workload.LabelName: "app", workload.LabelInstance: instance}
			for _, obj := range m.Objects {
				// Every object carries the same labels and name.
				want(t, obj, "metadata.labels", wantLabels)
				want(t, obj, "metadata.name", instance)
			}
			podLabels := maps.Clone(wantLabels)
			podLabels["team"] = "checkout"
			want(t, only(t, m, w.kind), w.template+".metadata.labels", podLabels)
			// Selectors hold only the labels that never change.
			for _, sel := range []struct{ kind, path string }{
				{"Deployment", "spec.selector.matchLabels"},
				{"Service", "spec.selector"},
				{"PodDisruptionBudget", "spec.selector.matchLabels"},
			} {
				for _, obj := range m.OfKind(sel.kind) {
					want(t, obj, sel.path, wantSelector)
				}
			}
			got := map[string]any{}
			for k, v := range wl.Selector() {
				got[k] = v
			}
			if !maps.Equal(got, wantSelector) {
				t.Errorf("Selector() = %v, want %v", got, wantSelector)
			}
			if w.kind == "CronJob" {
				want(t, only(t, m, "CronJob"), "spec.jobTemplate.metadata.labels", wantLabels)
			}
		})
	}
}

func TestOptionalLabelsLeftOut(t *testing.T) {
	app, chart := newChart("ns")
	workload.NewWorker(chart, "mailer", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}}})
	d := only(t, synthtest.Render(t, app), "Deployment")
	want(t, d, label(workload.LabelName), "mailer")
	want(t, d, label(workload.LabelComponent), nil)
	want(t, d, label(workload.LabelPartOf), nil)
	want(t, d, "spec.replicas", 1.0)
}

func TestPodLabelsCannotReplaceRecommendedLabels(t *testing.T) {
	app, chart := newChart("ns")
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{
		Containers: []workload.Container{web()},
		Labels:     map[string]string{workload.LabelInstance: "other"},
	}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, workload.LabelInstance) {
		t.Errorf("problems = %v", ps)
	}
}

// TestEditedObjectsMustAgree checks that an edit through the object fields
// that breaks a selector or reference is caught.
func TestEditedObjectsMustAgree(t *testing.T) {
	tests := []struct {
		name string
		edit func(w *workload.WebService)
		text string
	}{
		{"pod label", func(w *workload.WebService) { w.PodTemplate().Labels[workload.LabelName] = "other" }, "Deployment selects"},
		{"service selector", func(w *workload.WebService) { w.Service.Obj.Spec.Selector["extra"] = "x" }, "Service selects"},
		{"deployment renamed", func(w *workload.WebService) { w.Deployment.Obj.Name = "renamed" }, "HorizontalPodAutoscaler scales"},
		{"service renamed", func(w *workload.WebService) { w.Service.Obj.Name = "renamed" }, "Ingress routes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			w := workload.NewWebService(chart, "web", workload.WebServiceProps{
				Pod:         workload.Pod{Containers: []workload.Container{web()}},
				Autoscaling: &workload.Autoscaling{MaxReplicas: 3},
				Ingress:     &workload.Ingress{},
			})
			tt.edit(w)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/web", workload.ErrInconsistent, tt.text) {
				t.Errorf("problems = %v", ps)
			}
		})
	}
}

// TestSecureDefaults checks every secure default on every kind of
// workload, for containers and init containers.
func TestSecureDefaults(t *testing.T) {
	for _, w := range workloads {
		t.Run(w.name, func(t *testing.T) {
			app, chart := newChart("ns")
			w.add(chart, workload.Pod{
				Containers:     []workload.Container{web()},
				InitContainers: []workload.Container{{Name: "init", Image: "example/init:1", Resources: requests}},
			})
			obj := only(t, synthtest.Render(t, app), w.kind)
			spec := w.template + ".spec"
			want(t, obj, spec+".securityContext", map[string]any{
				"runAsNonRoot":   true,
				"seccompProfile": map[string]any{"type": "RuntimeDefault"},
			})
			want(t, obj, spec+".automountServiceAccountToken", false)
			want(t, obj, spec+".serviceAccountName", nil)
			for _, c := range []string{"containers[0]", "initContainers[0]"} {
				want(t, obj, spec+"."+c+".securityContext", map[string]any{
					"readOnlyRootFilesystem":   true,
					"allowPrivilegeEscalation": false,
					"capabilities":             map[string]any{"drop": []any{"ALL"}},
				})
			}
		})
	}
}

// TestSecurityOverrides relaxes each default on its own and checks that
// exactly that field changes.
func TestSecurityOverrides(t *testing.T) {
	tests := []struct {
		name  string
		pod   func(p *workload.Pod)
		path  string
		value any
	}{
		{"allow root", func(p *workload.Pod) { p.Security.AllowRoot = true }, "securityContext.runAsNonRoot", false},
		{"run as user", func(p *workload.Pod) { p.Security.RunAsUser = new(int64(10001)) }, "securityContext.runAsUser", 10001.0},
		{"run as group", func(p *workload.Pod) { p.Security.RunAsGroup = new(int64(10001)) }, "securityContext.runAsGroup", 10001.0},
		{"fs group", func(p *workload.Pod) { p.Security.FSGroup = new(int64(2000)) }, "securityContext.fsGroup", 2000.0},
		{
			"unconfined seccomp",
			func(p *workload.Pod) {
				p.Security.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
			},
			"securityContext.seccompProfile", map[string]any{"type": "Unconfined"},
		},
		{"token", func(p *workload.Pod) { p.Security.AutomountServiceAccountToken = true }, "automountServiceAccountToken", true},
		{
			"writable root file system",
			func(p *workload.Pod) { p.Containers[0].Security.WritableRootFilesystem = true },
			"containers[0].securityContext.readOnlyRootFilesystem", false,
		},
		{
			"privilege escalation",
			func(p *workload.Pod) { p.Containers[0].Security.AllowPrivilegeEscalation = true },
			"containers[0].securityContext.allowPrivilegeEscalation", true,
		},
		{
			"add a capability",
			func(p *workload.Pod) {
				p.Containers[0].Security.AddCapabilities = []corev1.Capability{"NET_BIND_SERVICE"}
			},
			"containers[0].securityContext.capabilities", map[string]any{"drop": []any{"ALL"}, "add": []any{"NET_BIND_SERVICE"}},
		},
		{
			"keep capabilities",
			func(p *workload.Pod) { p.Containers[0].Security.KeepCapabilities = true },
			"containers[0].securityContext.capabilities", nil,
		},
		{
			"init container relaxed alone",
			func(p *workload.Pod) { p.InitContainers[0].Security.WritableRootFilesystem = true },
			"initContainers[0].securityContext.readOnlyRootFilesystem", false,
		},
	}
	base := func() workload.Pod {
		return workload.Pod{
			Containers:     []workload.Container{web()},
			InitContainers: []workload.Container{{Name: "init", Image: "example/init:1", Resources: requests}},
		}
	}
	app, chart := newChart("ns")
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: base()})
	defaults := only(t, synthtest.Render(t, app), "Deployment")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			pod := base()
			tt.pod(&pod)
			workload.NewWorker(chart, "w", workload.WorkerProps{Pod: pod})
			d := only(t, synthtest.Render(t, app), "Deployment")
			path := "spec.template.spec." + tt.path
			want(t, d, path, tt.value)
			// Nothing else relaxes: set the field back and compare.
			restore(t, d, path, defaults.Field(path))
			spec, defaultSpec := d.Field("spec.template.spec"), defaults.Field("spec.template.spec")
			if !equalJSON(spec, defaultSpec) {
				t.Errorf("more than %s changed:\n got %v\nwant %v", tt.path, spec, defaultSpec)
			}
		})
	}
}

// restore sets (or, for nil, deletes) the value at path in o, a path
// whose last step is a plain key.
func restore(t *testing.T, o *synthtest.Object, path string, value any) {
	t.Helper()
	i := strings.LastIndex(path, ".")
	parent, key := path[:i], path[i+1:]
	m, ok := o.Field(parent).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping in %s %s", parent, o.GroupVersionKind.Kind, o.Name)
	}
	if value == nil {
		delete(m, key)
		return
	}
	m[key] = value
}

func equalJSON(a, b any) bool {
	return maps.EqualFunc(a.(map[string]any), b.(map[string]any), func(x, y any) bool {
		xm, xok := x.(map[string]any)
		ym, yok := y.(map[string]any)
		if xok && yok {
			return equalJSON(xm, ym)
		}
		xs, xok := x.([]any)
		ys, yok := y.([]any)
		if xok && yok {
			if len(xs) != len(ys) {
				return false
			}
			for i := range xs {
				if !equalJSON(map[string]any{"": xs[i]}, map[string]any{"": ys[i]}) {
					return false
				}
			}
			return true
		}
		return x == y
	})
}

func TestRootUserNeedsAllowRoot(t *testing.T) {
	app, chart := newChart("ns")
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{
		Containers: []workload.Container{web()},
		Security:   workload.Security{RunAsUser: new(int64(0))},
	}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, "AllowRoot") {
		t.Errorf("problems = %v", ps)
	}
}

func TestResourceRequests(t *testing.T) {
	tests := []struct {
		name      string
		resources workload.Resources
		defaults  workload.Resources
		init      bool   // the init container leaves its resources empty
		problem   string // in the error; "" for success
		requests  map[string]any
		limits    map[string]any
	}{
		{name: "none", problem: `container "web" requests no CPU and no memory`},
		{name: "no memory", resources: workload.Resources{CPU: "100m"}, problem: `container "web" requests no memory`},
		{name: "no CPU", resources: workload.Resources{Memory: "1Gi"}, problem: `container "web" requests no CPU`},
		{name: "init container too", resources: requests, init: true, problem: `container "init" requests no CPU and no memory`},
		{
			name: "own requests and limits", resources: workload.Resources{CPU: "0.5", Memory: "1Gi", CPULimit: "1", MemoryLimit: "1Gi"},
			requests: map[string]any{"cpu": "500m", "memory": "1Gi"}, limits: map[string]any{"cpu": "1", "memory": "1Gi"},
		},
		{
			name: "defaults", defaults: workload.Resources{CPU: "50m", Memory: "32Mi", MemoryLimit: "128Mi"}, init: true,
			requests: map[string]any{"cpu": "50m", "memory": "32Mi"}, limits: map[string]any{"memory": "128Mi"},
		},
		{
			name: "defaults fill only what is empty", resources: workload.Resources{CPU: "2"}, defaults: workload.Resources{CPU: "50m", Memory: "32Mi"},
			requests: map[string]any{"cpu": "2", "memory": "32Mi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			c := web()
			c.Resources = tt.resources
			init := workload.Container{Name: "init", Image: "example/init:1", Resources: requests}
			if tt.init {
				init.Resources = workload.Resources{}
			}
			workload.NewWebService(chart, "web", workload.WebServiceProps{Pod: workload.Pod{
				Containers:       []workload.Container{c},
				InitContainers:   []workload.Container{init},
				DefaultResources: tt.defaults,
			}})
			if tt.problem != "" {
				ps := synthtest.Problems(t, app)
				if len(ps) != 1 || !hasProblem(ps, "c/web", workload.ErrMissingRequests, tt.problem) {
					t.Errorf("problems = %v, want one at c/web saying %s", ps, tt.problem)
				}
				return
			}
			d := only(t, synthtest.Render(t, app), "Deployment")
			want(t, d, "spec.template.spec.containers[0].resources.requests", tt.requests)
			want(t, d, "spec.template.spec.containers[0].resources.limits", anyOrNil(tt.limits))
		})
	}
}

func requestQuantity(s string) resource.Quantity { return resource.MustParse(s) }

func anyOrNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// TestRequestsAddedAfterConstruction checks that the check looks at the
// final object: requests set through the Deployment field count.
func TestRequestsAddedAfterConstruction(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Resources = workload.Resources{}
	w := workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrMissingRequests, "web") {
		t.Fatalf("problems = %v", ps)
	}
	w.PodTemplate().Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: requestQuantity("10m"), corev1.ResourceMemory: requestQuantity("10Mi"),
	}
	synthtest.Render(t, app)
}

func TestDefaultReadinessProbe(t *testing.T) {
	tcp := map[string]any{"tcpSocket": map[string]any{"port": "http"}}
	tests := []struct {
		name      string
		container func(c *workload.Container)
		job       bool
		probe     any
	}{
		{"TCP on the first port", func(c *workload.Container) {}, false, tcp},
		{"first of several ports", func(c *workload.Container) {
			c.Ports = append(c.Ports, workload.Port{Name: "metrics", Number: 9090})
		}, false, tcp},
		{"no port, no probe", func(c *workload.Container) { c.Ports = nil }, false, nil},
		{"UDP port, no probe", func(c *workload.Container) { c.Ports[0].Protocol = corev1.ProtocolUDP }, false, nil},
		{"turned off", func(c *workload.Container) { c.NoReadinessProbe = true }, false, nil},
		{"own HTTP probe", func(c *workload.Container) { c.Readiness = workload.HTTPProbe("/healthz", "http") }, false,
			map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": "http"}}},
		{"own exec probe", func(c *workload.Container) { c.Readiness = workload.ExecProbe("true") }, false,
			map[string]any{"exec": map[string]any{"command": []any{"true"}}}},
		{"own TCP probe by number", func(c *workload.Container) { c.Readiness = workload.TCPProbe("8080") }, false,
			map[string]any{"tcpSocket": map[string]any{"port": 8080.0}}},
		{"none for a Job", func(c *workload.Container) {}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			c := web()
			tt.container(&c)
			pod := workload.Pod{Containers: []workload.Container{c}}
			kind := "Deployment"
			if tt.job {
				workload.NewJob(chart, "w", workload.JobProps{Pod: pod})
				kind = "Job"
			} else {
				workload.NewWorker(chart, "w", workload.WorkerProps{Pod: pod})
			}
			want(t, only(t, synthtest.Render(t, app), kind), "spec.template.spec.containers[0].readinessProbe", tt.probe)
		})
	}
}

func TestLivenessAndStartupProbes(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Liveness = workload.HTTPProbe("/livez", "http")
	c.Liveness.PeriodSeconds = 20
	c.Startup = workload.TCPProbe("http")
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	d := only(t, synthtest.Render(t, app), "Deployment")
	want(t, d, "spec.template.spec.containers[0].livenessProbe", map[string]any{
		"httpGet": map[string]any{"path": "/livez", "port": "http"}, "periodSeconds": 20.0,
	})
	want(t, d, "spec.template.spec.containers[0].startupProbe", map[string]any{"tcpSocket": map[string]any{"port": "http"}})
}

func TestContainerFields(t *testing.T) {
	app, chart := newChart("ns")
	cfg := workload.NewConfigMap(chart, "cfg", workload.ConfigMapProps{Identity: workload.Identity{Instance: "app-config"}, Data: map[string]string{"host": "db"}})
	c := web()
	c.Name = ""
	c.Command = []string{"/app"}
	c.Args = []string{"--verbose"}
	c.WorkingDir = "/work"
	c.Env = []workload.EnvVar{
		{Name: "LOG_LEVEL", Value: "info"},
		{Name: "DB_HOST", From: cfg.Ref().Key("host")},
		{Name: "DB_PASSWORD", From: workload.SecretRef("db").Key("password")},
		{Name: "FEATURE", From: &workload.KeyRef{Ref: workload.ConfigMapRef("flags"), Key: "feature", Optional: true}},
	}
	c.EnvFrom = []workload.Ref{cfg.Ref(), workload.SecretRef("api-keys")}
	c.Mounts = []workload.Mount{
		{Path: "/etc/app", From: cfg.Ref()},
		{Path: "/etc/tls", From: workload.SecretRef("tls")},
		{Path: "/etc/flags/feature", From: workload.ConfigMapRef("flags"), SubPath: "feature"},
		{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "64Mi"}},
		{Path: "/cache", EmptyDir: &workload.EmptyDir{Name: "cache", Memory: true}},
	}
	sidecar := workload.Container{
		Name: "sidecar", Image: "example/sidecar:1", Resources: requests,
		// The same ConfigMap and scratch directory: the volumes are shared.
		Mounts: []workload.Mount{{Path: "/config", From: cfg.Ref()}, {Path: "/shared", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "64Mi"}}},
	}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{
		Containers:  []workload.Container{c, sidecar},
		Annotations: map[string]string{"prometheus.io/scrape": "true"},
	}})
	d := only(t, synthtest.Render(t, app), "Deployment")
	want(t, d, `spec.template.metadata.annotations["prometheus.io/scrape"]`, "true")
	want(t, d, "spec.template.spec.containers[0].name", "main")
	want(t, d, "spec.template.spec.containers[0].command", []any{"/app"})
	want(t, d, "spec.template.spec.containers[0].args", []any{"--verbose"})
	want(t, d, "spec.template.spec.containers[0].workingDir", "/work")
	want(t, d, "spec.template.spec.containers[0].env", []any{
		map[string]any{"name": "LOG_LEVEL", "value": "info"},
		map[string]any{"name": "DB_HOST", "valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": "app-config", "key": "host"}}},
		map[string]any{"name": "DB_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "password"}}},
		map[string]any{"name": "FEATURE", "valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": "flags", "key": "feature", "optional": true}}},
	})
	want(t, d, "spec.template.spec.containers[0].envFrom", []any{
		map[string]any{"configMapRef": map[string]any{"name": "app-config"}},
		map[string]any{"secretRef": map[string]any{"name": "api-keys"}},
	})
	want(t, d, "spec.template.spec.containers[0].volumeMounts", []any{
		map[string]any{"mountPath": "/etc/app", "name": "configmap-app-config", "readOnly": true},
		map[string]any{"mountPath": "/etc/tls", "name": "secret-tls", "readOnly": true},
		map[string]any{"mountPath": "/etc/flags/feature", "name": "configmap-flags", "readOnly": true, "subPath": "feature"},
		map[string]any{"mountPath": "/tmp", "name": "tmp"},
		map[string]any{"mountPath": "/cache", "name": "cache"},
	})
	want(t, d, "spec.template.spec.containers[1].volumeMounts", []any{
		map[string]any{"mountPath": "/config", "name": "configmap-app-config", "readOnly": true},
		map[string]any{"mountPath": "/shared", "name": "tmp"},
	})
	want(t, d, "spec.template.spec.volumes", []any{
		map[string]any{"name": "configmap-app-config", "configMap": map[string]any{"name": "app-config"}},
		map[string]any{"name": "secret-tls", "secret": map[string]any{"secretName": "tls"}},
		map[string]any{"name": "configmap-flags", "configMap": map[string]any{"name": "flags"}},
		map[string]any{"name": "tmp", "emptyDir": map[string]any{"sizeLimit": "64Mi"}},
		map[string]any{"name": "cache", "emptyDir": map[string]any{"medium": "Memory"}},
	})
}

// TestLongVolumeNames checks that a volume for an object with a long name
// is still a valid DNS label, and unique.
func TestLongVolumeNames(t *testing.T) {
	long := "a-very-long-configmap-name-that-goes-on.and-on-and-on-and-on-1"
	app, chart := newChart("ns")
	c := web()
	c.Mounts = []workload.Mount{{Path: "/a", From: workload.ConfigMapRef(long)}, {Path: "/b", From: workload.ConfigMapRef(long + "2")}}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	d := only(t, synthtest.Render(t, app), "Deployment")
	a, b := d.Field("spec.template.spec.volumes[0].name").(string), d.Field("spec.template.spec.volumes[1].name").(string)
	if len(a) > 63 || len(b) > 63 || a == b {
		t.Errorf("volume names %q and %q: want distinct DNS labels", a, b)
	}
	want(t, d, "spec.template.spec.containers[0].volumeMounts[0].name", a)
	want(t, d, "spec.template.spec.containers[0].volumeMounts[1].name", b)
}

func TestInvalidPodProps(t *testing.T) {
	tests := []struct {
		name string
		pod  func(p *workload.Pod)
		text string
	}{
		{"no containers", func(p *workload.Pod) { p.Containers = nil }, "at least one container"},
		{"no image", func(p *workload.Pod) { p.Containers[0].Image = "" }, `container "web" has no image`},
		{"second container unnamed", func(p *workload.Pod) { p.Containers = append(p.Containers, workload.Container{Image: "x"}) }, "needs a name"},
		{"duplicate container", func(p *workload.Pod) { p.InitContainers = []workload.Container{{Name: "web", Image: "x"}} }, `two containers are named "web"`},
		{"bad container name", func(p *workload.Pod) { p.Containers[0].Name = "Web" }, `container name "Web"`},
		{"unnamed port", func(p *workload.Pod) { p.Containers[0].Ports[0].Name = "" }, "port name"},
		{"port name too long", func(p *workload.Pod) { p.Containers[0].Ports[0].Name = "a-very-long-port-name" }, "port name"},
		{"duplicate port name", func(p *workload.Pod) {
			p.Containers = append(p.Containers, workload.Container{Name: "b", Image: "x", Resources: requests, Ports: []workload.Port{{Name: "http", Number: 81}}})
		}, `two ports of the pod are named "http"`},
		{"bad port number", func(p *workload.Pod) { p.Containers[0].Ports[0].Number = 0 }, `port "http"`},
		{"bad quantity", func(p *workload.Pod) { p.Containers[0].Resources.CPU = "lots" }, `Resources.CPU "lots"`},
		{"limit below request", func(p *workload.Pod) { p.Containers[0].Resources.MemoryLimit = "32Mi" }, "memory limit 32Mi is below the request 64Mi"},
		{"env without name", func(p *workload.Pod) { p.Containers[0].Env = []workload.EnvVar{{Value: "x"}} }, "has no name"},
		{"env value and from", func(p *workload.Pod) {
			p.Containers[0].Env = []workload.EnvVar{{Name: "A", Value: "x", From: workload.SecretRef("s").Key("k")}}
		}, "both a Value and From"},
		{"env from without key", func(p *workload.Pod) {
			p.Containers[0].Env = []workload.EnvVar{{Name: "A", From: workload.SecretRef("s").Key("")}}
		}, "names no key of Secret s"},
		{"env from empty ref", func(p *workload.Pod) {
			p.Containers[0].Env = []workload.EnvVar{{Name: "A", From: &workload.KeyRef{Key: "k"}}}
		}, "no ConfigMap or Secret"},
		{"empty envFrom", func(p *workload.Pod) { p.Containers[0].EnvFrom = []workload.Ref{{}} }, "empty Ref"},
		{"mount without path", func(p *workload.Pod) { p.Containers[0].Mounts = []workload.Mount{{From: workload.SecretRef("s")}} }, "has no Path"},
		{"mount of nothing", func(p *workload.Pod) { p.Containers[0].Mounts = []workload.Mount{{Path: "/x"}} }, "sets none of From, EmptyDir, Claim, HostPath and Token"},
		{"mount of both", func(p *workload.Pod) {
			p.Containers[0].Mounts = []workload.Mount{{Path: "/x", From: workload.SecretRef("s"), EmptyDir: &workload.EmptyDir{Name: "x"}}}
		}, "both From and EmptyDir"},
		{"bad emptyDir name", func(p *workload.Pod) {
			p.Containers[0].Mounts = []workload.Mount{{Path: "/x", EmptyDir: &workload.EmptyDir{Name: "Tmp"}}}
		}, `EmptyDir name "Tmp"`},
		{"bad size limit", func(p *workload.Pod) {
			p.Containers[0].Mounts = []workload.Mount{{Path: "/x", EmptyDir: &workload.EmptyDir{Name: "x", SizeLimit: "big"}}}
		}, `SizeLimit "big"`},
		{"conflicting emptyDirs", func(p *workload.Pod) {
			p.Containers[0].Mounts = []workload.Mount{
				{Path: "/x", EmptyDir: &workload.EmptyDir{Name: "x"}},
				{Path: "/y", EmptyDir: &workload.EmptyDir{Name: "x", Memory: true}},
			}
		}, `two different volumes are named "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			pod := workload.Pod{Containers: []workload.Container{web()}}
			tt.pod(&pod)
			workload.NewWorker(chart, "w", workload.WorkerProps{Pod: pod})
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/w saying %s", ps, tt.text)
			}
		})
	}
}

func TestInvalidWebServiceProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(p *workload.WebServiceProps)
		text  string
	}{
		{"no port", func(p *workload.WebServiceProps) { p.Pod.Containers[0].Ports = nil }, "needs a container with a port"},
		{"replicas with autoscaling", func(p *workload.WebServiceProps) {
			p.Replicas = new(int32(3))
			p.Autoscaling = &workload.Autoscaling{MaxReplicas: 5}
		}, "instead of Replicas"},
		{"max below min", func(p *workload.WebServiceProps) { p.Autoscaling = &workload.Autoscaling{MaxReplicas: 1} }, "MaxReplicas 1 is below MinReplicas 2"},
		{"negative target", func(p *workload.WebServiceProps) {
			p.Autoscaling = &workload.Autoscaling{MaxReplicas: 3, MemoryUtilization: -1}
		}, "negative"},
		{"both budgets", func(p *workload.WebServiceProps) {
			p.DisruptionBudget = &workload.DisruptionBudget{MinAvailable: "1", MaxUnavailable: "1"}
		}, "not both"},
		{"bad budget", func(p *workload.WebServiceProps) {
			p.DisruptionBudget = &workload.DisruptionBudget{MinAvailable: "half"}
		}, "neither a number nor a percentage"},
		{"unknown ingress port", func(p *workload.WebServiceProps) { p.Ingress = &workload.Ingress{Port: "grpc"} }, `Ingress.Port "grpc"`},
		{"relative ingress path", func(p *workload.WebServiceProps) { p.Ingress = &workload.Ingress{Path: "api"} }, "must start with /"},
		{"bad ingress host", func(p *workload.WebServiceProps) { p.Ingress = &workload.Ingress{Host: "Shop_Example"} }, `Ingress.Host "Shop_Example"`},
		{"same service port twice", func(p *workload.WebServiceProps) {
			p.Pod.Containers[0].Ports = append(p.Pod.Containers[0].Ports, workload.Port{Name: "alt", Number: 8081, ServicePort: 8080})
		}, "both take Service port 8080/TCP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := workload.WebServiceProps{Pod: workload.Pod{Containers: []workload.Container{web()}}}
			tt.props(&props)
			workload.NewWebService(chart, "web", props)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/web", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/web saying %s", ps, tt.text)
			}
		})
	}
	// A wildcard host is fine.
	app, chart := newChart("ns")
	workload.NewWebService(chart, "web", workload.WebServiceProps{
		Pod:     workload.Pod{Containers: []workload.Container{web()}},
		Ingress: &workload.Ingress{Host: "*.example.com"},
	})
	synthtest.Render(t, app)
}

// TestNoSecretIsCreated checks that referencing Secrets in every way
// creates none.
func TestNoSecretIsCreated(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Env = []workload.EnvVar{{Name: "P", From: workload.SecretRef("db").Key("password")}}
	c.EnvFrom = []workload.Ref{workload.SecretRef("env")}
	c.Mounts = []workload.Mount{{Path: "/tls", From: workload.SecretRef("tls")}}
	workload.NewWebService(chart, "web", workload.WebServiceProps{
		Pod:     workload.Pod{Containers: []workload.Container{c}},
		Ingress: &workload.Ingress{Host: "a.example.com", TLSSecret: "a-tls"},
	})
	for _, obj := range synthtest.Render(t, app).OfKind("Secret") {
		t.Errorf("a Secret was created: %v", obj.Content)
	}
}

// TestProblemsAreSynthesisErrors checks the error type users handle.
func TestProblemsAreSynthesisErrors(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Resources = workload.Resources{}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	_, err := app.Render()
	var se *constructs.SynthesisError
	if !errors.As(err, &se) || !errors.Is(err, workload.ErrMissingRequests) {
		t.Fatalf("err = %v", err)
	}
	if se.Problems[0].Path != "c/w" {
		t.Errorf("path = %q, want c/w", se.Problems[0].Path)
	}
}
