// Package worker is a background job processor: a queue consumer that
// scales by replicas, and a nightly task that cleans up after it. Both
// read the database address from an existing Secret; neither takes traffic
// except metrics scrapes from the monitoring namespace.
package worker

import (
	"strconv"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// App registers the worker: it reads the worker section of an environment
// file and the image worker, and uses the prometheus-operator's PodMonitor
// to have its metrics scraped.
var App = synth.App[apps.Environment, Config]{
	Name:   "worker",
	Scheme: runtime.SchemeBuilder{monitoringv1.AddToScheme},
	Build: func(app *constructs.App, env *synth.Env[apps.Environment], cfg Config) {
		New(app, env.Config, cfg, env.Image("worker"))
	},
}

// Config is what differs between environments.
type Config struct {
	// Namespace everything goes into; it must exist.
	Namespace string `json:"namespace" config:"required"`
	// Replicas of the queue consumer.
	Replicas int32 `json:"replicas" config:"required"`
	// Queue the consumer reads.
	Queue string `json:"queue" config:"required"`
	// Concurrency is how many jobs one replica works on at once.
	Concurrency int `json:"concurrency"`
	// DatabaseSecret names an existing Secret whose key "url" holds the
	// database URL. Secrets are never part of the output.
	DatabaseSecret string `json:"databaseSecret" config:"required"`
	// Cleanup runs the nightly clean-up.
	Cleanup Cleanup `json:"cleanup" config:"required"`
}

// Cleanup schedules the clean-up task.
type Cleanup struct {
	// Schedule in cron format, e.g. "30 2 * * *".
	Schedule string `json:"schedule" config:"required"`
	// TimeZone the schedule is read in; UTC if empty.
	TimeZone string `json:"timeZone"`
	// RetainDays of finished jobs to keep.
	RetainDays int `json:"retainDays" config:"required"`
	// Suspend stops the task, e.g. during a migration.
	Suspend bool `json:"suspend"`
}

// Worker is the app's chart, with handles on its parts.
type Worker struct {
	*constructs.Chart
	Consumer *workload.Worker
	Cleanup  *workload.ScheduledTask
	// Metrics has Prometheus scrape the consumer; nil without a monitoring
	// namespace.
	Metrics *constructs.Object[*monitoringv1.PodMonitor]
}

// New adds the worker app to app, in the cluster env describes; image runs
// both the consumer and the clean-up.
func New(app *constructs.App, env apps.Environment, cfg Config, image string) *Worker {
	chart := constructs.NewChart(app, "worker", constructs.ChartProps{Namespace: cfg.Namespace})
	w := &Worker{Chart: chart}
	database := workload.EnvVar{Name: "DATABASE_URL", From: workload.SecretRef(cfg.DatabaseSecret).Key("url")}
	resources := workload.Resources{CPU: "250m", Memory: "256Mi", MemoryLimit: "256Mi"}

	concurrency := cfg.Concurrency
	if concurrency == 0 {
		concurrency = 4
	}
	w.Consumer = workload.NewWorker(chart, "consumer", workload.WorkerProps{
		Identity: workload.Identity{Name: "worker", Instance: "worker", Component: "consumer", PartOf: "worker"},
		Replicas: &cfg.Replicas,
		Pod: workload.Pod{
			Containers: []workload.Container{{
				Name:      "worker",
				Image:     image,
				Args:      []string{"consume", "--queue", cfg.Queue, "--concurrency", strconv.Itoa(concurrency)},
				Ports:     []workload.Port{{Name: "metrics", Number: 9090}},
				Env:       []workload.EnvVar{database},
				Readiness: workload.HTTPProbe("/ready", "metrics"),
				Liveness:  workload.HTTPProbe("/live", "metrics"),
				Resources: resources,
				Mounts:    []workload.Mount{{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp", SizeLimit: "1Gi"}}},
			}},
		},
	})

	w.Cleanup = workload.NewScheduledTask(chart, "cleanup", workload.ScheduledTaskProps{
		Identity:              workload.Identity{Name: "worker", Instance: "worker-cleanup", Component: "cleanup", PartOf: "worker"},
		Schedule:              cfg.Cleanup.Schedule,
		TimeZone:              cfg.Cleanup.TimeZone,
		Suspend:               cfg.Cleanup.Suspend,
		ActiveDeadlineSeconds: 3600,
		BackoffLimit:          ptr[int32](2),
		Pod: workload.Pod{
			Containers: []workload.Container{{
				Name:      "cleanup",
				Image:     image,
				Args:      []string{"cleanup", "--retain-days", strconv.Itoa(cfg.Cleanup.RetainDays)},
				Env:       []workload.EnvVar{database},
				Resources: resources,
			}},
		},
	})

	workload.NewDefaultDeny(chart, "default-deny", workload.DefaultDenyProps{Identity: workload.Identity{Instance: "default-deny"}, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}})
	if env.MonitoringNamespace != "" {
		workload.NewAllowIngress(chart, "allow-metrics", workload.AllowIngressProps{
			Identity: workload.Identity{Instance: "worker-metrics-from-monitoring"},
			To:       w.Consumer,
			From:     []workload.Peer{workload.FromNamespace(env.MonitoringNamespace)},
			Ports:    []string{"metrics"},
		})
		w.Metrics = constructs.NewObject(chart, "metrics", &monitoringv1.PodMonitor{
			ObjectMeta: metav1.ObjectMeta{Name: "worker"},
			Spec: monitoringv1.PodMonitorSpec{
				Selector:            metav1.LabelSelector{MatchLabels: w.Consumer.Selector()},
				PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr("metrics"), Path: "/metrics"}},
			},
		})
	}
	return w
}

func ptr[T any](v T) *T { return &v }
