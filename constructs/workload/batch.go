package workload

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// cronJobNameMax is the longest CronJob name: the controller appends 11
// characters to name its Jobs, whose names must stay within 63.
const cronJobNameMax = 52

// JobProps configures a Job.
type JobProps struct {
	// Name is the app.kubernetes.io/name label: what runs ("migrate").
	// The construct id if empty.
	Name string
	// Instance is the app.kubernetes.io/instance label and the Job's
	// metadata.name. A name generated from the construct path if empty,
	// like any name tsumiki generates.
	Instance string
	// Component is the app.kubernetes.io/component label, left out if
	// empty.
	Component string
	// PartOf is the app.kubernetes.io/part-of label, left out if empty.
	PartOf string
	// Pod is what the Job runs.
	Pod Pod
	// RestartPolicy of the pods: Never (the default) replaces a failed pod
	// with a new one, keeping the failed pod and its logs; OnFailure
	// restarts the container in place.
	RestartPolicy corev1.RestartPolicy
	// BackoffLimit is how many failed attempts are retried; Kubernetes's
	// default, 6, if nil. Set it to new(int32(0)) for a Job that must not
	// run twice.
	BackoffLimit *int32
	// ActiveDeadlineSeconds stops the Job, failed, after this long; no
	// limit if zero.
	ActiveDeadlineSeconds int64
	// TTLSecondsAfterFinished deletes the finished Job, and its pods, after
	// this long; kept if nil.
	TTLSecondsAfterFinished *int32
}

// Job runs pods to completion once: a migration, a backfill. Kubernetes
// does not let a Job's pod template change, so a change to it (a new
// image, or a new config hash) must be applied by replacing the Job; with
// Flux, set `force: true` on the Kustomization or give the Job a new
// Instance.
type Job struct {
	constructs.Construct
	// Job is the Job.
	Job *constructs.Object[*batchv1.Job]

	id identity
}

// NewJob adds a Job to scope.
func NewJob(scope constructs.Construct, id string, props JobProps) *Job {
	j := &Job{Construct: constructs.NewNode(scope, id)}
	j.id = newIdentity(j.Node(), props.Name, props.Instance, props.Component, props.PartOf, 0)
	spec, configMaps := jobSpec(j.Node(), j.id, props.Pod, props.RestartPolicy, props.BackoffLimit, props.ActiveDeadlineSeconds)
	spec.TTLSecondsAfterFinished = props.TTLSecondsAfterFinished
	// The Job controller adds the selector itself, from a unique ID.
	j.Job = constructs.NewObject(j, "job", &batchv1.Job{ObjectMeta: j.id.objectMeta(), Spec: spec})
	finishPod(j.Node(), props.Pod, configMaps, j.Job.APIObject, j.PodTemplate)
	return j
}

// Selector returns the labels that select the pods, in a new map.
func (j *Job) Selector() map[string]string { return j.id.selector() }

// PodTemplate returns the Job's pod template.
func (j *Job) PodTemplate() *corev1.PodTemplateSpec { return &j.Job.Obj.Spec.Template }

// ScheduledTaskProps configures a ScheduledTask.
type ScheduledTaskProps struct {
	// Name is the app.kubernetes.io/name label: what runs ("report").
	// The construct id if empty.
	Name string
	// Instance is the app.kubernetes.io/instance label and the CronJob's
	// metadata.name, at most 52 characters. A name generated from the
	// construct path if empty, like any name tsumiki generates.
	Instance string
	// Component is the app.kubernetes.io/component label, left out if
	// empty.
	Component string
	// PartOf is the app.kubernetes.io/part-of label, left out if empty.
	PartOf string
	// Schedule in cron format ("30 2 * * *"); required.
	Schedule string
	// TimeZone the schedule is read in ("Europe/Berlin"); the
	// controller's, usually UTC, if empty.
	TimeZone string
	// ConcurrencyPolicy says what happens when a run is due while the
	// last one still runs; Forbid (skip the new run) if empty, since most
	// tasks are not written to run twice at once.
	ConcurrencyPolicy batchv1.ConcurrencyPolicy
	// SuccessfulJobsHistoryLimit is how many finished Jobs are kept;
	// Kubernetes's default, 3, if nil.
	SuccessfulJobsHistoryLimit *int32
	// FailedJobsHistoryLimit is how many failed Jobs are kept;
	// Kubernetes's default, 1, if nil.
	FailedJobsHistoryLimit *int32
	// Suspend stops new runs; runs already started go on.
	Suspend bool
	// Pod is what each run runs.
	Pod Pod
	// RestartPolicy of the pods; see JobProps.RestartPolicy.
	RestartPolicy corev1.RestartPolicy
	// BackoffLimit of each run; see JobProps.BackoffLimit.
	BackoffLimit *int32
	// ActiveDeadlineSeconds of each run; see JobProps.ActiveDeadlineSeconds.
	ActiveDeadlineSeconds int64
}

// ScheduledTask runs pods to completion on a schedule, through a CronJob.
type ScheduledTask struct {
	constructs.Construct
	// CronJob is the CronJob.
	CronJob *constructs.Object[*batchv1.CronJob]

	id identity
}

// NewScheduledTask adds a ScheduledTask to scope.
func NewScheduledTask(scope constructs.Construct, id string, props ScheduledTaskProps) *ScheduledTask {
	t := &ScheduledTask{Construct: constructs.NewNode(scope, id)}
	t.id = newIdentity(t.Node(), props.Name, props.Instance, props.Component, props.PartOf, cronJobNameMax)
	if props.Schedule == "" {
		t.Node().AddError(fmt.Errorf("%w: a ScheduledTask needs a Schedule", ErrInvalidProps))
	}
	policy := props.ConcurrencyPolicy
	if policy == "" {
		policy = batchv1.ForbidConcurrent
	}
	runSpec, configMaps := jobSpec(t.Node(), t.id, props.Pod, props.RestartPolicy, props.BackoffLimit, props.ActiveDeadlineSeconds)
	spec := batchv1.CronJobSpec{
		Schedule:                   props.Schedule,
		ConcurrencyPolicy:          policy,
		SuccessfulJobsHistoryLimit: props.SuccessfulJobsHistoryLimit,
		FailedJobsHistoryLimit:     props.FailedJobsHistoryLimit,
		JobTemplate: batchv1.JobTemplateSpec{
			// The Jobs carry the labels too, so they can be found by them.
			ObjectMeta: metav1.ObjectMeta{Labels: t.id.labels()},
			Spec:       runSpec,
		},
	}
	if props.TimeZone != "" {
		spec.TimeZone = new(props.TimeZone)
	}
	if props.Suspend {
		spec.Suspend = new(true)
	}
	t.CronJob = constructs.NewObject(t, "cronjob", &batchv1.CronJob{ObjectMeta: t.id.objectMeta(), Spec: spec})
	finishPod(t.Node(), props.Pod, configMaps, t.CronJob.APIObject, t.PodTemplate)
	return t
}

// Selector returns the labels that select the pods, in a new map.
func (t *ScheduledTask) Selector() map[string]string { return t.id.selector() }

// PodTemplate returns the pod template of the CronJob's Jobs.
func (t *ScheduledTask) PodTemplate() *corev1.PodTemplateSpec {
	return &t.CronJob.Obj.Spec.JobTemplate.Spec.Template
}

// jobSpec is what a Job and a ScheduledTask's Jobs share. It returns the
// ConfigMaps made by NewConfigMap that the pods read, like buildPod.
func jobSpec(n *constructs.Node, id identity, p Pod, restart corev1.RestartPolicy, backoff *int32, deadline int64) (batchv1.JobSpec, []*ConfigMap) {
	switch restart {
	case "":
		restart = corev1.RestartPolicyNever
	case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
	default:
		n.AddError(fmt.Errorf("%w: a Job's RestartPolicy is Never or OnFailure, not %s", ErrInvalidProps, restart))
	}
	if deadline < 0 {
		n.AddError(fmt.Errorf("%w: ActiveDeadlineSeconds %d is negative", ErrInvalidProps, deadline))
	}
	template, configMaps := buildPod(n, p, id, podOptions{restartPolicy: restart})
	spec := batchv1.JobSpec{BackoffLimit: backoff, Template: template}
	if deadline > 0 {
		spec.ActiveDeadlineSeconds = new(deadline)
	}
	return spec, configMaps
}
