package workload

import (
	"cmp"
	"fmt"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// WebServiceProps configures a WebService.
type WebServiceProps struct {
	// Identity names the WebService and labels its objects and pods.
	// Instance is also the Service's DNS name.
	Identity
	// Replicas of the Deployment; 2 if nil, so that one pod can be replaced
	// while another serves. Leave it nil with Autoscaling, which then owns
	// the replica count.
	Replicas *int32
	// Pod is what the Deployment runs. The containers' ports are what the
	// Service offers.
	Pod Pod
	// Ingress routes HTTP traffic from outside the cluster to the Service;
	// none if nil.
	Ingress *Ingress
	// Autoscaling scales the Deployment with a HorizontalPodAutoscaler;
	// none if nil.
	Autoscaling *Autoscaling
	// DisruptionBudget limits how many pods voluntary disruptions (node
	// drains, cluster upgrades) may take down at once; none if nil.
	DisruptionBudget *DisruptionBudget
}

// Ingress routes HTTP traffic for a host and path to a WebService.
type Ingress struct {
	// Host the rule matches ("shop.example.com"); every host if empty.
	Host string
	// Path the rule matches; "/" if empty.
	Path string
	// PathType says how Path matches; Prefix if empty.
	PathType networkingv1.PathType
	// Port is the name of the port to route to; the first port of the
	// first container if empty.
	Port string
	// TLSSecret is the name of an existing Secret holding the certificate
	// for Host (type kubernetes.io/tls); plain HTTP if empty, unless
	// CertManager is set.
	TLSSecret string
	// CertManager has cert-manager issue the certificate for Host into
	// TLSSecret, "<instance>-tls" if that is empty.
	CertManager *CertManager
	// ClassName selects the ingress controller (ingressClassName); the
	// cluster's default class if empty.
	ClassName string
	// Annotations of the Ingress, for the controller
	// (e.g. cert-manager.io/cluster-issuer).
	Annotations map[string]string
}

// Autoscaling scales a WebService between MinReplicas and MaxReplicas to
// keep the pods' average use of what they request near a target.
type Autoscaling struct {
	// MinReplicas is the fewest pods; 2 if zero.
	MinReplicas int32
	// MaxReplicas is the most pods; required, at least MinReplicas.
	MaxReplicas int32
	// CPUUtilization is the target average CPU use, in percent of the CPU
	// request. 80 if neither target is set.
	CPUUtilization int32
	// MemoryUtilization is the target average memory use, in percent of
	// the memory request; none if zero.
	MemoryUtilization int32
}

// DisruptionBudget limits voluntary disruptions of a workload's pods.
// Set at most one field, a number ("1") or a percentage ("25%"); the zero
// value allows one pod to be unavailable at a time.
type DisruptionBudget struct {
	// MinAvailable pods must stay up.
	MinAvailable string
	// MaxUnavailable pods may be down.
	MaxUnavailable string
}

// WebService is a Deployment serving traffic through a Service, with an
// optional Ingress, HorizontalPodAutoscaler and PodDisruptionBudget. All
// its objects share one name and the recommended labels; the selectors
// hold the name and instance labels only.
type WebService struct {
	constructs.Construct
	pods
	// Deployment runs the pods.
	Deployment *constructs.Object[*appsv1.Deployment]
	// Service offers every container port, by name.
	Service *constructs.Object[*corev1.Service]
	// Ingress is nil unless WebServiceProps.Ingress is set.
	Ingress *constructs.Object[*networkingv1.Ingress]
	// Autoscaler is nil unless WebServiceProps.Autoscaling is set.
	Autoscaler *constructs.Object[*autoscalingv2.HorizontalPodAutoscaler]
	// DisruptionBudget is nil unless WebServiceProps.DisruptionBudget is
	// set.
	DisruptionBudget *constructs.Object[*policyv1.PodDisruptionBudget]
}

// NewWebService adds a WebService to scope.
func NewWebService(scope constructs.Construct, id string, props WebServiceProps) *WebService {
	w := &WebService{Construct: constructs.NewNode(scope, id)}
	w.pods = pods{id: props.Identity.resolve(w, "Deployment", Identity{}), self: w}
	template, uses := buildPod(w.Node(), props.Pod, w.id, podOptions{defaultReadiness: true})

	replicas := props.Replicas
	switch {
	case props.Autoscaling != nil && replicas != nil:
		w.fail("set Autoscaling.MinReplicas instead of Replicas: the autoscaler owns the replica count")
		replicas = nil
	case replicas == nil && props.Autoscaling == nil:
		replicas = new(int32(2))
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

	ports := servicePorts(w.fail, props.Pod.Containers)
	if ports == nil {
		w.fail("a WebService needs a container with a port, for its Service")
	}
	w.Service = constructs.NewObject(w, "service", &corev1.Service{
		ObjectMeta: w.id.objectMeta(),
		Spec:       corev1.ServiceSpec{Selector: w.id.selector(), Ports: ports},
	})
	if props.Ingress != nil {
		w.Ingress = constructs.NewObject(w, "ingress", w.ingress(*props.Ingress, ports))
	}
	if props.Autoscaling != nil {
		w.Autoscaler = constructs.NewObject(w, "autoscaler", w.autoscaler(*props.Autoscaling))
	}
	if props.DisruptionBudget != nil {
		w.DisruptionBudget = constructs.NewObject(w, "disruption-budget", &policyv1.PodDisruptionBudget{
			ObjectMeta: w.id.objectMeta(),
			Spec:       disruptionBudgetSpec(w.fail, w.id.selector(), *props.DisruptionBudget),
		})
	}

	finishPod(w, "Deployment", props.Pod, uses, w.Deployment.APIObject)
	w.Node().AddValidation(constructs.ValidationFunc(w.checkReferences))
	return w
}

// PodTemplate returns the Deployment's pod template.
func (w *WebService) PodTemplate() *corev1.PodTemplateSpec { return &w.Deployment.Obj.Spec.Template }

func (w *WebService) fail(format string, args ...any) {
	w.Node().AddError(fmt.Errorf("%w: %s", ErrInvalidProps, fmt.Sprintf(format, args...)))
}

// servicePorts offers every port of the containers, each targeting the
// container port by name, so the Service follows a change of number.
func servicePorts(fail func(string, ...any), containers []Container) []corev1.ServicePort {
	var out []corev1.ServicePort
	type key struct {
		port     int32
		protocol corev1.Protocol
	}
	seen := map[key]string{}
	for _, c := range containers {
		for _, p := range c.Ports {
			number := p.ServicePort
			if number == 0 {
				number = p.Number
			}
			k := key{number, protocolOf(p)}
			if other, dup := seen[k]; dup {
				fail("ports %q and %q both take Service port %d/%s", other, p.Name, number, k.protocol)
			}
			seen[k] = p.Name
			out = append(out, corev1.ServicePort{
				Name:       p.Name,
				Port:       number,
				Protocol:   p.Protocol,
				TargetPort: intstr.FromString(p.Name),
			})
		}
	}
	return out
}

func (w *WebService) ingress(in Ingress, ports []corev1.ServicePort) *networkingv1.Ingress {
	port := in.Port
	if port == "" && len(ports) > 0 {
		port = ports[0].Name
	}
	if !hasServicePort(ports, port) {
		w.fail("Ingress.Port %q is not a port of the containers", port)
	}
	meta := w.id.objectMeta()
	meta.Annotations = maps.Clone(in.Annotations)
	secret := in.TLSSecret
	if in.CertManager != nil {
		if in.Host == "" {
			w.fail("Ingress.CertManager needs a Host to issue a certificate for")
		}
		meta.Annotations = in.CertManager.annotate(w.fail, meta.Annotations)
		secret = cmp.Or(secret, w.id.instance+"-tls")
	}
	out := &networkingv1.Ingress{
		ObjectMeta: meta,
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host:             in.Host,
				IngressRuleValue: httpRule(w.fail, "Ingress", in.Host, ingressPath(w.fail, "Ingress", in.Path, in.PathType, w.id.instance, port)),
			}},
		},
	}
	if in.ClassName != "" {
		out.Spec.IngressClassName = new(in.ClassName)
	}
	if secret != "" {
		tls := networkingv1.IngressTLS{SecretName: secret}
		if in.Host != "" {
			tls.Hosts = []string{in.Host}
		}
		out.Spec.TLS = []networkingv1.IngressTLS{tls}
	}
	return out
}

func hasServicePort(ports []corev1.ServicePort, name string) bool {
	for _, p := range ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (w *WebService) autoscaler(a Autoscaling) *autoscalingv2.HorizontalPodAutoscaler {
	if a.MinReplicas == 0 {
		a.MinReplicas = 2
	}
	if a.MaxReplicas < a.MinReplicas {
		w.fail("Autoscaling.MaxReplicas %d is below MinReplicas %d", a.MaxReplicas, a.MinReplicas)
	}
	if a.CPUUtilization == 0 && a.MemoryUtilization == 0 {
		// The API server's own default, written out so the manifest says it.
		a.CPUUtilization = 80
	}
	var metrics []autoscalingv2.MetricSpec
	for _, m := range []struct {
		resource corev1.ResourceName
		target   int32
	}{{corev1.ResourceCPU, a.CPUUtilization}, {corev1.ResourceMemory, a.MemoryUtilization}} {
		if m.target < 0 {
			w.fail("Autoscaling: the %s target %d is negative", m.resource, m.target)
		}
		if m.target <= 0 {
			continue
		}
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   m.resource,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: new(m.target)},
			},
		})
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: w.id.objectMeta(),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: w.id.instance},
			MinReplicas:    new(a.MinReplicas),
			MaxReplicas:    a.MaxReplicas,
			Metrics:        metrics,
		},
	}
}

// checkReferences catches edits of the objects that break what ties them
// together.
func (w *WebService) checkReferences() []error {
	selectors := []namedSelector{
		selectorOf("Deployment", w.Deployment.Obj.Spec.Selector),
		{"Service", w.Service.Obj.Spec.Selector},
	}
	if w.DisruptionBudget != nil {
		selectors = append(selectors, selectorOf("PodDisruptionBudget", w.DisruptionBudget.Obj.Spec.Selector))
	}
	errs := checkSelectors(w, selectors...)
	if w.Autoscaler != nil {
		if target, name := w.Autoscaler.Obj.Spec.ScaleTargetRef.Name, w.Deployment.Name(); target != name {
			errs = append(errs, fmt.Errorf("%w: the HorizontalPodAutoscaler scales %s, but the Deployment is %s", ErrInconsistent, target, name))
		}
	}
	if w.Ingress != nil {
		errs = append(errs, checkBackends(w.Ingress.Obj, w.Service.Name())...)
	}
	return errs
}
