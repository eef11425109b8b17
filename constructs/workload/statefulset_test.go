package workload_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// database is a container that writes to a claim template "data".
func database() workload.Container {
	return workload.Container{
		Name:      "db",
		Image:     "example/db:1",
		Ports:     []workload.Port{{Name: "sql", Number: 5432}},
		Resources: requests,
		Mounts:    []workload.Mount{{Path: "/data", Claim: "data"}},
	}
}

func TestStatefulSetObjects(t *testing.T) {
	tests := []struct {
		name   string
		props  func(p *workload.StatefulSetProps)
		kinds  []string
		fields map[string]map[string]any // kind → path → value; nil for absent
	}{{
		name:  "defaults",
		props: func(p *workload.StatefulSetProps) {},
		kinds: []string{"StatefulSet", "Service"},
		fields: map[string]map[string]any{
			"StatefulSet": {
				"metadata.name":                             "c-db-c8ae5f1c",
				"spec.serviceName":                          "c-db-c8ae5f1c",
				"spec.replicas":                             1.0,
				"spec.podManagementPolicy":                  "OrderedReady",
				"spec.updateStrategy":                       map[string]any{"type": "RollingUpdate"},
				"spec.minReadySeconds":                      nil,
				"spec.persistentVolumeClaimRetentionPolicy": map[string]any{"whenDeleted": "Retain", "whenScaled": "Retain"},
				"spec.volumeClaimTemplates": []any{map[string]any{
					// No status, no labels: claim templates never change.
					"metadata": map[string]any{"name": "data"},
					"spec": map[string]any{
						"accessModes": []any{"ReadWriteOnce"},
						"resources":   map[string]any{"requests": map[string]any{"storage": "1Gi"}},
					},
				}},
				"spec.template.spec.containers[0].volumeMounts":   []any{map[string]any{"mountPath": "/data", "name": "data"}},
				"spec.template.spec.volumes":                      nil,
				"spec.template.spec.containers[0].readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": "sql"}},
			},
			"Service": {
				"metadata.name":  "c-db-c8ae5f1c",
				"spec.clusterIP": "None",
				"spec.ports":     []any{map[string]any{"name": "sql", "port": 5432.0, "targetPort": "sql"}},
				"spec.selector":  map[string]any{workload.LabelName: "db", workload.LabelInstance: "c-db-c8ae5f1c"},
			},
		},
	}, {
		name: "every option",
		props: func(p *workload.StatefulSetProps) {
			p.Identity = workload.Identity{Name: "postgres", Instance: "orders-db", PartOf: "orders"}
			p.Replicas = new(int32(3))
			p.PodManagement = appsv1.ParallelPodManagement
			p.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: new(int32(2))},
			}
			p.ClaimRetention = appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: appsv1.DeletePersistentVolumeClaimRetentionPolicyType}
			p.Claims[0].StorageClass = "ssd"
			p.Claims[0].AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod}
			p.Claims = append(p.Claims, workload.ClaimTemplate{Name: "wal", Size: "500Mi"})
			p.Pod.Containers[0].Mounts = append(p.Pod.Containers[0].Mounts, workload.Mount{Path: "/wal", Claim: "wal", ReadOnly: true})
			p.DisruptionBudget = &workload.DisruptionBudget{MinAvailable: "2"}
		},
		kinds: []string{"StatefulSet", "Service", "PodDisruptionBudget"},
		fields: map[string]map[string]any{
			"StatefulSet": {
				"metadata.name":                                      "orders-db",
				"spec.serviceName":                                   "orders-db",
				"spec.replicas":                                      3.0,
				"spec.podManagementPolicy":                           "Parallel",
				"spec.updateStrategy":                                map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"partition": 2.0}},
				"spec.persistentVolumeClaimRetentionPolicy":          map[string]any{"whenDeleted": "Retain", "whenScaled": "Delete"},
				"spec.volumeClaimTemplates[0].spec.storageClassName": "ssd",
				"spec.volumeClaimTemplates[0].spec.accessModes":      []any{"ReadWriteOncePod"},
				"spec.volumeClaimTemplates[1].metadata.name":         "wal",
				"spec.volumeClaimTemplates[1].spec.resources":        map[string]any{"requests": map[string]any{"storage": "500Mi"}},
				"spec.template.spec.containers[0].volumeMounts[1]":   map[string]any{"mountPath": "/wal", "name": "wal", "readOnly": true},
			},
			"Service": {"metadata.name": "orders-db", "spec.selector": map[string]any{workload.LabelName: "postgres", workload.LabelInstance: "orders-db"}},
			"PodDisruptionBudget": {
				"metadata.name":                   "orders-db",
				"spec.minAvailable":               2.0,
				"spec.selector.matchLabels":       map[string]any{workload.LabelName: "postgres", workload.LabelInstance: "orders-db"},
				"spec.unhealthyPodEvictionPolicy": "AlwaysAllow",
			},
		},
	}, {
		name: "OnDelete, no ports, no claims",
		props: func(p *workload.StatefulSetProps) {
			p.Claims = nil
			p.Pod.Containers[0].Ports = nil
			p.Pod.Containers[0].Mounts = nil
			p.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType
		},
		kinds: []string{"StatefulSet", "Service"},
		fields: map[string]map[string]any{
			"StatefulSet": {"spec.updateStrategy": map[string]any{"type": "OnDelete"}, "spec.volumeClaimTemplates": nil},
			// A headless Service needs no ports; the pods still get names.
			"Service": {"spec.ports": nil, "spec.clusterIP": "None"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := workload.StatefulSetProps{
				Pod:    workload.Pod{Containers: []workload.Container{database()}},
				Claims: []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
			}
			tt.props(&props)
			s := workload.NewStatefulSet(chart, "db", props)
			m := synthtest.Render(t, app)
			strictlyTyped(t, m)
			for _, empty := range []string{"status:", "updateStrategy: {}", "strategy: {}"} {
				for _, o := range m.Objects {
					if strings.Contains(string(o.YAML), empty) {
						t.Errorf("the %s holds %q:\n%s", o.GroupVersionKind.Kind, empty, o.YAML)
					}
				}
			}
			if got := kinds(m); !equalStrings(got, tt.kinds) {
				t.Fatalf("kinds = %v, want %v", got, tt.kinds)
			}
			for kind, fields := range tt.fields {
				for p, v := range fields {
					want(t, only(t, m, kind), p, v)
				}
			}
			if s.Service.Name() != s.StatefulSet.Obj.Spec.ServiceName {
				t.Errorf("Service %s, serviceName %s", s.Service.Name(), s.StatefulSet.Obj.Spec.ServiceName)
			}
		})
	}
}

func TestInvalidStatefulSetProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(p *workload.StatefulSetProps)
		text  string
	}{
		{"unknown claim", func(p *workload.StatefulSetProps) { p.Pod.Containers[0].Mounts[0].Claim = "date" }, `names claim template "date", which is not one of the StatefulSet's Claims`},
		{"claim without name", func(p *workload.StatefulSetProps) { p.Claims = append(p.Claims, workload.ClaimTemplate{Size: "1Gi"}) }, "Claims[1] has no Name"},
		{"claim twice", func(p *workload.StatefulSetProps) { p.Claims = append(p.Claims, p.Claims[0]) }, `two claim templates are named "data"`},
		{"bad claim name", func(p *workload.StatefulSetProps) { p.Claims[0].Name = "Data" }, `Claims[0].Name "Data"`},
		{"no size", func(p *workload.StatefulSetProps) { p.Claims[0].Size = "" }, "Claims[0].Size is required"},
		{"bad size", func(p *workload.StatefulSetProps) { p.Claims[0].Size = "big" }, `Claims[0].Size "big"`},
		{"zero size", func(p *workload.StatefulSetProps) { p.Claims[0].Size = "0" }, `Claims[0].Size "0" is not positive`},
		{"bad access mode", func(p *workload.StatefulSetProps) {
			p.Claims[0].AccessModes = []corev1.PersistentVolumeAccessMode{"ReadWriteSometimes"}
		}, `unknown access mode "ReadWriteSometimes"`},
		{"volume named like a claim", func(p *workload.StatefulSetProps) {
			p.Pod.Containers[0].Mounts = append(p.Pod.Containers[0].Mounts, workload.Mount{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "data"}})
		}, `a volume "data", which is also the name of a claim template`},
		{"bad pod management", func(p *workload.StatefulSetProps) { p.PodManagement = "Random" }, "OrderedReady or Parallel, not Random"},
		{"bad update type", func(p *workload.StatefulSetProps) { p.UpdateStrategy.Type = "Recreate" }, "RollingUpdate or OnDelete, not Recreate"},
		{"OnDelete with rolling update", func(p *workload.StatefulSetProps) {
			p.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{}}
		}, "the Type is OnDelete"},
		{"bad retention", func(p *workload.StatefulSetProps) { p.ClaimRetention.WhenDeleted = "Archive" }, "ClaimRetention.WhenDeleted is Retain or Delete, not Archive"},
		{"name too long", func(p *workload.StatefulSetProps) {
			p.Instance = "a-database-whose-instance-name-goes-on-and-on-for-ever"
		}, "a StatefulSet's is at most 52"},
		{"both budgets", func(p *workload.StatefulSetProps) {
			p.DisruptionBudget = &workload.DisruptionBudget{MinAvailable: "1", MaxUnavailable: "1"}
		}, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := workload.StatefulSetProps{
				Pod:    workload.Pod{Containers: []workload.Container{database()}},
				Claims: []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
			}
			tt.props(&props)
			workload.NewStatefulSet(chart, "db", props)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/db", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/db saying %s", ps, tt.text)
			}
		})
	}
}

// TestClaimOutsideStatefulSet checks that only a StatefulSet's pods can
// mount claim templates.
func TestClaimOutsideStatefulSet(t *testing.T) {
	app, chart := newChart("ns")
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{database()}}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, `claim template "data"`) {
		t.Errorf("problems = %v", ps)
	}
}

// TestEditedStatefulSetMustAgree checks that edits through the object
// fields that break what ties the objects together are caught.
func TestEditedStatefulSetMustAgree(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *workload.StatefulSet)
		text string
	}{
		{"service renamed", func(s *workload.StatefulSet) { s.Service.Obj.Name = "other" }, "serviceName is c-db-c8ae5f1c, but the Service is other"},
		{"pod label", func(s *workload.StatefulSet) { s.PodTemplate().Labels[workload.LabelInstance] = "x" }, "StatefulSet selects"},
		{"service selector", func(s *workload.StatefulSet) { s.Service.Obj.Spec.Selector["extra"] = "x" }, "Service selects"},
		{"budget selector", func(s *workload.StatefulSet) { s.DisruptionBudget.Obj.Spec.Selector.MatchLabels["extra"] = "x" }, "PodDisruptionBudget selects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			s := workload.NewStatefulSet(chart, "db", workload.StatefulSetProps{
				Pod:              workload.Pod{Containers: []workload.Container{database()}},
				Claims:           []workload.ClaimTemplate{{Name: "data", Size: "1Gi"}},
				DisruptionBudget: &workload.DisruptionBudget{},
			})
			tt.edit(s)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/db", workload.ErrInconsistent, tt.text) {
				t.Errorf("problems = %v", ps)
			}
		})
	}
}
