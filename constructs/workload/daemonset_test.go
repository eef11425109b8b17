package workload_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

func TestDaemonSet(t *testing.T) {
	tests := []struct {
		name   string
		props  func(p *workload.DaemonSetProps)
		fields map[string]any // path → value; nil for absent
	}{{
		name:  "no host access by default",
		props: func(p *workload.DaemonSetProps) {},
		fields: map[string]any{
			"spec.updateStrategy":                             map[string]any{"type": "RollingUpdate"},
			"spec.template.spec.hostNetwork":                  nil,
			"spec.template.spec.hostPID":                      nil,
			"spec.template.spec.dnsPolicy":                    nil,
			"spec.template.spec.volumes":                      nil,
			"spec.template.spec.securityContext":              map[string]any{"runAsNonRoot": true, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
			"spec.template.spec.containers[0].readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": "http"}},
		},
	}, {
		name: "host network and PID",
		props: func(p *workload.DaemonSetProps) {
			p.HostAccess = workload.HostAccess{HostNetwork: true, HostPID: true}
		},
		fields: map[string]any{
			"spec.template.spec.hostNetwork": true,
			"spec.template.spec.hostPID":     true,
			// Cluster names still resolve on the host's network.
			"spec.template.spec.dnsPolicy": "ClusterFirstWithHostNet",
		},
	}, {
		name: "host paths, read-only unless writable",
		props: func(p *workload.DaemonSetProps) {
			p.HostAccess.HostPaths = []workload.HostPath{
				{Name: "logs", Path: "/var/log"},
				{Name: "state", Path: "/var/lib/agent", Type: corev1.HostPathDirectoryOrCreate, Writable: true},
			}
			p.Pod.Containers[0].Mounts = []workload.Mount{
				{Path: "/host/logs", HostPath: "logs"},
				{Path: "/state", HostPath: "state"},
				{Path: "/state-ro", HostPath: "state", ReadOnly: true},
			}
		},
		fields: map[string]any{
			"spec.template.spec.hostNetwork": nil,
			"spec.template.spec.volumes": []any{
				map[string]any{"name": "logs", "hostPath": map[string]any{"path": "/var/log"}},
				map[string]any{"name": "state", "hostPath": map[string]any{"path": "/var/lib/agent", "type": "DirectoryOrCreate"}},
			},
			"spec.template.spec.containers[0].volumeMounts": []any{
				map[string]any{"mountPath": "/host/logs", "name": "logs", "readOnly": true},
				map[string]any{"mountPath": "/state", "name": "state"},
				map[string]any{"mountPath": "/state-ro", "name": "state", "readOnly": true},
			},
		},
	}, {
		name: "OnDelete",
		props: func(p *workload.DaemonSetProps) {
			p.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
		},
		fields: map[string]any{"spec.updateStrategy": map[string]any{"type": "OnDelete"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := workload.DaemonSetProps{Pod: workload.Pod{Containers: []workload.Container{web()}}}
			tt.props(&props)
			workload.NewDaemonSet(chart, "agent", props)
			m := synthtest.Render(t, app)
			strictlyTyped(t, m)
			ds := only(t, m, "DaemonSet")
			want(t, ds, "spec.selector.matchLabels", map[string]any{workload.LabelName: "agent", workload.LabelInstance: "c-agent-c8f63320"})
			for p, v := range tt.fields {
				want(t, ds, p, v)
			}
		})
	}
}

func TestInvalidDaemonSetProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(p *workload.DaemonSetProps)
		text  string
	}{
		{"unknown host path", func(p *workload.DaemonSetProps) {
			p.Pod.Containers[0].Mounts = []workload.Mount{{Path: "/x", HostPath: "logs"}}
		}, `names host path "logs", which is not one of HostAccess.HostPaths`},
		{"host path without name", func(p *workload.DaemonSetProps) {
			p.HostAccess.HostPaths = []workload.HostPath{{Path: "/var/log"}}
		}, "HostAccess.HostPaths[0] has no Name"},
		{"host path twice", func(p *workload.DaemonSetProps) {
			p.HostAccess.HostPaths = []workload.HostPath{{Name: "a", Path: "/a"}, {Name: "a", Path: "/b"}}
		}, `two host paths are named "a"`},
		{"relative host path", func(p *workload.DaemonSetProps) {
			p.HostAccess.HostPaths = []workload.HostPath{{Name: "a", Path: "var/log"}}
		}, `Path "var/log" is not a clean absolute path`},
		{"unclean host path", func(p *workload.DaemonSetProps) {
			p.HostAccess.HostPaths = []workload.HostPath{{Name: "a", Path: "/var/../etc"}}
		}, `Path "/var/../etc" is not a clean absolute path`},
		{"bad update type", func(p *workload.DaemonSetProps) { p.UpdateStrategy.Type = "Recreate" }, "RollingUpdate or OnDelete, not Recreate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := workload.DaemonSetProps{Pod: workload.Pod{Containers: []workload.Container{web()}}}
			tt.props(&props)
			workload.NewDaemonSet(chart, "agent", props)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/agent", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/agent saying %s", ps, tt.text)
			}
		})
	}
}

// TestHostPathsOnlyInDaemonSets checks that no other workload can mount
// a host path.
func TestHostPathsOnlyInDaemonSets(t *testing.T) {
	app, chart := newChart("ns")
	c := web()
	c.Mounts = []workload.Mount{{Path: "/x", HostPath: "logs"}}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, "only a DaemonSet's HostAccess gives host paths") {
		t.Errorf("problems = %v", ps)
	}
}

// TestHostAccessUnderPodSecurity checks that host access is refused in a
// namespace whose Namespace object, in the app, enforces a Pod Security
// Standard that forbids it, and allowed otherwise.
func TestHostAccessUnderPodSecurity(t *testing.T) {
	tests := []struct {
		name    string
		level   string // the namespace's enforce label; "" for no Namespace object
		access  workload.HostAccess
		refused string // in the error; "" if allowed
	}{
		{"restricted, host network", "restricted", workload.HostAccess{HostNetwork: true}, `the DaemonSet asks for hostNetwork, which namespace agents forbids: its Namespace (c/namespace) enforces the Pod Security Standard "restricted"`},
		{"baseline, host PID", "baseline", workload.HostAccess{HostPID: true}, `asks for hostPID`},
		{"baseline, host path", "baseline", workload.HostAccess{HostPaths: []workload.HostPath{{Name: "logs", Path: "/var/log"}}}, `asks for hostPath /var/log`},
		{"privileged", "privileged", workload.HostAccess{HostNetwork: true, HostPID: true}, ""},
		{"no enforce label", "", workload.HostAccess{HostNetwork: true}, ""},
		{"restricted, no host access", "restricted", workload.HostAccess{}, ""},
	}
	for _, tt := range tests {
		for _, unstructured := range []bool{false, true} {
			name := tt.name
			if unstructured {
				name += ", unstructured Namespace"
			}
			t.Run(name, func(t *testing.T) {
				app, chart := newChart("agents")
				labels := map[string]string{}
				if tt.level != "" {
					labels[workload.PodSecurityEnforceLabel] = tt.level
				}
				if unstructured {
					constructs.NewUnstructured(chart, "namespace", map[string]any{
						"apiVersion": "v1", "kind": "Namespace",
						"metadata": map[string]any{"name": "agents", "labels": toAny(labels)},
					})
				} else {
					constructs.NewObject(chart, "namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "agents", Labels: labels}})
				}
				// Another namespace's label does not count.
				constructs.NewObject(chart, "other", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
					Name: "other", Labels: map[string]string{workload.PodSecurityEnforceLabel: "restricted"},
				}})
				c := web()
				for _, h := range tt.access.HostPaths {
					c.Mounts = append(c.Mounts, workload.Mount{Path: "/host" + h.Path, HostPath: h.Name})
				}
				workload.NewDaemonSet(chart, "agent", workload.DaemonSetProps{
					Pod:        workload.Pod{Containers: []workload.Container{c}},
					HostAccess: tt.access,
				})
				if tt.refused == "" {
					synthtest.Render(t, app)
					return
				}
				if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/agent", workload.ErrHostAccess, tt.refused) {
					t.Errorf("problems = %v, want one at c/agent saying %s", ps, tt.refused)
				}
			})
		}
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestHostAccessThroughThePodTemplate checks that host access set on any
// workload's pod template, past the props, meets the same refusal.
func TestHostAccessThroughThePodTemplate(t *testing.T) {
	app, chart := newChart("apps")
	constructs.NewObject(chart, "namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: "apps", Labels: map[string]string{workload.PodSecurityEnforceLabel: "restricted"},
	}})
	w := workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{web()}}})
	synthtest.Render(t, app)
	w.PodTemplate().Spec.HostIPC = true
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrHostAccess, "the Deployment asks for hostIPC, which namespace apps forbids") {
		t.Errorf("problems = %v", ps)
	}
}
