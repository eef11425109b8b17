package workload

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// WorkerProps configures a Worker.
type WorkerProps struct {
	// Name is the app.kubernetes.io/name label: what runs ("mailer").
	// The construct id if empty.
	Name string
	// Instance is the app.kubernetes.io/instance label and the
	// Deployment's metadata.name. A name generated from the construct
	// path if empty, like any name tsumiki generates.
	Instance string
	// Component is the app.kubernetes.io/component label, left out if
	// empty.
	Component string
	// PartOf is the app.kubernetes.io/part-of label, left out if empty.
	PartOf string
	// Replicas of the Deployment; 1 if nil.
	Replicas *int32
	// Pod is what the Deployment runs.
	Pod Pod
}

// Worker is a Deployment that serves no traffic: a queue consumer, a
// controller, a bot. Containers with a TCP port still get the default
// readiness probe (see Container.Readiness).
type Worker struct {
	constructs.Construct
	// Deployment runs the pods.
	Deployment *constructs.Object[*appsv1.Deployment]

	id identity
}

// NewWorker adds a Worker to scope.
func NewWorker(scope constructs.Construct, id string, props WorkerProps) *Worker {
	w := &Worker{Construct: constructs.NewNode(scope, id)}
	w.id = newIdentity(w.Node(), props.Name, props.Instance, props.Component, props.PartOf, 0)
	template, configMaps := buildPod(w.Node(), props.Pod, w.id, podOptions{defaultReadiness: true})
	replicas := props.Replicas
	if replicas == nil {
		replicas = new(int32(1))
	}
	w.Deployment = constructs.NewObject(w, "deployment", &appsv1.Deployment{
		ObjectMeta: w.id.objectMeta(),
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Selector: &metav1.LabelSelector{MatchLabels: w.id.selector()},
			Template: template,
		},
	})
	finishPod(w.Node(), props.Pod, configMaps, w.Deployment.APIObject, w.PodTemplate)
	w.Node().AddValidation(constructs.ValidationFunc(func() []error {
		if sel := w.Deployment.Obj.Spec.Selector; sel != nil {
			if err := checkSelector("Deployment", sel.MatchLabels, w.PodTemplate().Labels); err != nil {
				return []error{err}
			}
		}
		return nil
	}))
	return w
}

// Selector returns the labels that select the pods, in a new map.
func (w *Worker) Selector() map[string]string { return w.id.selector() }

// PodTemplate returns the Deployment's pod template.
func (w *Worker) PodTemplate() *corev1.PodTemplateSpec { return &w.Deployment.Obj.Spec.Template }
