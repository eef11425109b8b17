package workload

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// JobProps configures a Job.
type JobProps struct {
	// Identity names the Job and labels it and its pods.
	Identity
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
	pods
	// Job is the Job.
	Job *constructs.Object[*batchv1.Job]
}

// NewJob adds a Job to scope.
func NewJob(scope constructs.Construct, id string, props JobProps) *Job {
	j := &Job{Construct: constructs.NewNode(scope, id)}
	j.pods = pods{id: props.Identity.resolve(j, "Job", Identity{}), self: j}
	spec, uses := jobSpec(j.Node(), j.id, props.Pod, props.RestartPolicy, props.BackoffLimit, props.ActiveDeadlineSeconds)
	spec.TTLSecondsAfterFinished = props.TTLSecondsAfterFinished
	// The Job controller adds the selector itself, from a unique ID.
	j.Job = constructs.NewObject(j, "job", &batchv1.Job{ObjectMeta: j.id.objectMeta(), Spec: spec})
	finishPod(j, "Job", props.Pod, uses, j.Job.APIObject)
	return j
}

// PodTemplate returns the Job's pod template.
func (j *Job) PodTemplate() *corev1.PodTemplateSpec { return &j.Job.Obj.Spec.Template }

// ScheduledTaskProps configures a ScheduledTask.
type ScheduledTaskProps struct {
	// Identity names the ScheduledTask and labels it, its Jobs and their
	// pods. A generated Instance is at most 52 characters, which leaves
	// the CronJob controller room to name the Jobs.
	Identity
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
	pods
	// CronJob is the CronJob.
	CronJob *constructs.Object[*batchv1.CronJob]
}

// NewScheduledTask adds a ScheduledTask to scope.
func NewScheduledTask(scope constructs.Construct, id string, props ScheduledTaskProps) *ScheduledTask {
	t := &ScheduledTask{Construct: constructs.NewNode(scope, id)}
	t.pods = pods{id: props.Identity.resolve(t, "CronJob", Identity{}), self: t}
	if props.Schedule == "" {
		t.Node().AddError(fmt.Errorf("%w: a ScheduledTask needs a Schedule", ErrInvalidProps))
	}
	policy := props.ConcurrencyPolicy
	if policy == "" {
		policy = batchv1.ForbidConcurrent
	}
	runSpec, uses := jobSpec(t.Node(), t.id, props.Pod, props.RestartPolicy, props.BackoffLimit, props.ActiveDeadlineSeconds)
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
	finishPod(t, "CronJob", props.Pod, uses, t.CronJob.APIObject)
	return t
}

// PodTemplate returns the pod template of the CronJob's Jobs.
func (t *ScheduledTask) PodTemplate() *corev1.PodTemplateSpec {
	return &t.CronJob.Obj.Spec.JobTemplate.Spec.Template
}

// jobSpec is what a Job and a ScheduledTask's Jobs share. It returns the
// objects the pods read, like buildPod.
func jobSpec(n *constructs.Node, id identity, p Pod, restart corev1.RestartPolicy, backoff *int32, deadline int64) (batchv1.JobSpec, podUses) {
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
	template, uses := buildPod(n, p, id, podOptions{restartPolicy: restart})
	spec := batchv1.JobSpec{BackoffLimit: backoff, Template: template}
	if deadline > 0 {
		spec.ActiveDeadlineSeconds = new(deadline)
	}
	return spec, uses
}
