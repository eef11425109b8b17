package workload

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// WorkerProps configures a Worker.
type WorkerProps struct {
	// Identity names the Worker and labels its objects and pods.
	Identity
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
	pods
	// Deployment runs the pods.
	Deployment *constructs.Object[*appsv1.Deployment]
}

// NewWorker adds a Worker to scope.
func NewWorker(scope constructs.Construct, id string, props WorkerProps) *Worker {
	w := &Worker{Construct: constructs.NewNode(scope, id)}
	w.pods = pods{id: props.Identity.resolve(w, "Deployment", Identity{}), self: w}
	template, uses := buildPod(w.Node(), props.Pod, w.id, podOptions{defaultReadiness: true})
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
			// Written out, so the manifest says how it rolls out.
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType},
		},
	})
	finishPod(w, "Deployment", props.Pod, uses, w.Deployment.APIObject)
	w.Node().AddValidation(constructs.ValidationFunc(func() []error {
		return checkSelectors(w, selectorOf("Deployment", w.Deployment.Obj.Spec.Selector))
	}))
	return w
}

// PodTemplate returns the Deployment's pod template.
func (w *Worker) PodTemplate() *corev1.PodTemplateSpec { return &w.Deployment.Obj.Spec.Template }
