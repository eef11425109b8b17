package workload_test

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

func TestScheduledTask(t *testing.T) {
	tests := []struct {
		name   string
		props  workload.ScheduledTaskProps
		fields map[string]any // path → value; nil for absent
	}{{
		name:  "defaults",
		props: workload.ScheduledTaskProps{Schedule: "30 2 * * *"},
		fields: map[string]any{
			"spec.schedule":                                     "30 2 * * *",
			"spec.concurrencyPolicy":                            "Forbid",
			"spec.timeZone":                                     nil,
			"spec.suspend":                                      nil,
			"spec.successfulJobsHistoryLimit":                   nil,
			"spec.failedJobsHistoryLimit":                       nil,
			"spec.jobTemplate.spec.backoffLimit":                nil,
			"spec.jobTemplate.spec.activeDeadlineSeconds":       nil,
			"spec.jobTemplate.spec.template.spec.restartPolicy": "Never",
			"spec.jobTemplate.spec.selector":                    nil,
		},
	}, {
		name: "every option",
		props: workload.ScheduledTaskProps{
			Schedule: "@hourly", TimeZone: "Europe/Berlin", ConcurrencyPolicy: batchv1.ReplaceConcurrent,
			SuccessfulJobsHistoryLimit: new(int32(0)), FailedJobsHistoryLimit: new(int32(5)), Suspend: true,
			BackoffLimit: new(int32(0)), ActiveDeadlineSeconds: 600, RestartPolicy: corev1.RestartPolicyOnFailure,
		},
		fields: map[string]any{
			"spec.schedule":                                     "@hourly",
			"spec.timeZone":                                     "Europe/Berlin",
			"spec.concurrencyPolicy":                            "Replace",
			"spec.successfulJobsHistoryLimit":                   0.0,
			"spec.failedJobsHistoryLimit":                       5.0,
			"spec.suspend":                                      true,
			"spec.jobTemplate.spec.backoffLimit":                0.0,
			"spec.jobTemplate.spec.activeDeadlineSeconds":       600.0,
			"spec.jobTemplate.spec.template.spec.restartPolicy": "OnFailure",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := tt.props
			props.Pod = workload.Pod{Containers: []workload.Container{web()}}
			workload.NewScheduledTask(chart, "report", props)
			m := synthtest.Render(t, app)
			cj := only(t, m, "CronJob")
			want(t, cj, "apiVersion", "batch/v1")
			for p, v := range tt.fields {
				want(t, cj, p, v)
			}
		})
	}
}

// TestScheduledTaskName checks that a generated CronJob name leaves room
// for the names of its Jobs.
func TestScheduledTaskName(t *testing.T) {
	app, chart := newChart("ns")
	id := "a-scheduled-task-with-a-rather-long-identifier-that-goes-on"
	task := workload.NewScheduledTask(chart, id, workload.ScheduledTaskProps{
		Schedule: "@daily", Pod: workload.Pod{Containers: []workload.Container{web()}},
	})
	name := task.CronJob.Name()
	if len(name) > 52 {
		t.Errorf("CronJob name %q has %d characters, want at most 52", name, len(name))
	}
	synthtest.Render(t, app)
}

func TestJob(t *testing.T) {
	tests := []struct {
		name   string
		props  workload.JobProps
		fields map[string]any
	}{{
		name:  "defaults",
		props: workload.JobProps{},
		fields: map[string]any{
			"spec.backoffLimit":                nil,
			"spec.ttlSecondsAfterFinished":     nil,
			"spec.activeDeadlineSeconds":       nil,
			"spec.selector":                    nil,
			"spec.template.spec.restartPolicy": "Never",
		},
	}, {
		name: "every option",
		props: workload.JobProps{
			BackoffLimit: new(int32(0)), TTLSecondsAfterFinished: new(int32(3600)), ActiveDeadlineSeconds: 300,
			RestartPolicy: corev1.RestartPolicyOnFailure,
		},
		fields: map[string]any{
			"spec.backoffLimit":                0.0,
			"spec.ttlSecondsAfterFinished":     3600.0,
			"spec.activeDeadlineSeconds":       300.0,
			"spec.template.spec.restartPolicy": "OnFailure",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			props := tt.props
			props.Pod = workload.Pod{Containers: []workload.Container{web()}}
			workload.NewJob(chart, "migrate", props)
			job := only(t, synthtest.Render(t, app), "Job")
			for p, v := range tt.fields {
				want(t, job, p, v)
			}
		})
	}
}

func TestInvalidBatchProps(t *testing.T) {
	pod := workload.Pod{Containers: []workload.Container{web()}}
	tests := []struct {
		name string
		add  func(chart *constructs.Chart)
		text string
	}{
		{"no schedule", func(chart *constructs.Chart) {
			workload.NewScheduledTask(chart, "w", workload.ScheduledTaskProps{Pod: pod})
		}, "needs a Schedule"},
		{"restart always", func(chart *constructs.Chart) {
			workload.NewJob(chart, "w", workload.JobProps{Pod: pod, RestartPolicy: corev1.RestartPolicyAlways})
		}, "Never or OnFailure, not Always"},
		{"negative deadline", func(chart *constructs.Chart) {
			workload.NewJob(chart, "w", workload.JobProps{Pod: pod, ActiveDeadlineSeconds: -1})
		}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			tt.add(chart)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, tt.text) {
				t.Errorf("problems = %v, want one at c/w saying %s", ps, tt.text)
			}
		})
	}
}
