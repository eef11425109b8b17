package workload

import (
	"fmt"
	"maps"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// WebServiceProps configures a WebService.
type WebServiceProps struct {
	// Name is the app.kubernetes.io/name label: what runs ("checkout").
	// The construct id if empty.
	Name string
	// Instance is the app.kubernetes.io/instance label and the
	// metadata.name of every object of the WebService, the Service's DNS
	// name among them. A name generated from the construct path if empty,
	// like any name tsumiki generates.
	Instance string
	// Component is the app.kubernetes.io/component label ("frontend"),
	// left out if empty.
	Component string
	// PartOf is the app.kubernetes.io/part-of label ("shop"), left out if
	// empty.
	PartOf string
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
	// for Host (type kubernetes.io/tls); plain HTTP if empty. With
	// cert-manager, name the Secret it should create and add its
	// annotation to Annotations.
	TLSSecret string
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

// DisruptionBudget limits voluntary disruptions of a WebService's pods.
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

	id identity
}

// NewWebService adds a WebService to scope.
func NewWebService(scope constructs.Construct, id string, props WebServiceProps) *WebService {
	w := &WebService{Construct: constructs.NewNode(scope, id)}
	w.id = newIdentity(w.Node(), props.Name, props.Instance, props.Component, props.PartOf, 0)
	template, configMaps := buildPod(w.Node(), props.Pod, w.id, podOptions{defaultReadiness: true})

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
		},
	})

	ports := w.servicePorts(props.Pod.Containers)
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
		w.DisruptionBudget = constructs.NewObject(w, "disruption-budget", w.disruptionBudget(*props.DisruptionBudget))
	}

	finishPod(w.Node(), props.Pod, configMaps, w.Deployment.APIObject, w.PodTemplate)
	w.Node().AddValidation(constructs.ValidationFunc(w.checkReferences))
	return w
}

// Selector returns the labels that select the pods, in a new map.
func (w *WebService) Selector() map[string]string { return w.id.selector() }

// PodTemplate returns the Deployment's pod template.
func (w *WebService) PodTemplate() *corev1.PodTemplateSpec { return &w.Deployment.Obj.Spec.Template }

func (w *WebService) fail(format string, args ...any) {
	w.Node().AddError(fmt.Errorf("%w: %s", ErrInvalidProps, fmt.Sprintf(format, args...)))
}

// servicePorts offers every port of the containers, each targeting the
// container port by name, so the Service follows a change of number.
func (w *WebService) servicePorts(containers []Container) []corev1.ServicePort {
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
				w.fail("ports %q and %q both take Service port %d/%s", other, p.Name, number, k.protocol)
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
	if out == nil {
		w.fail("a WebService needs a container with a port, for its Service")
	}
	return out
}

func (w *WebService) ingress(in Ingress, ports []corev1.ServicePort) *networkingv1.Ingress {
	path := in.Path
	if path == "" {
		path = "/"
	} else if !strings.HasPrefix(path, "/") {
		w.fail("Ingress.Path %q must start with /", path)
	}
	pathType := in.PathType
	if pathType == "" {
		pathType = networkingv1.PathTypePrefix
	}
	port := in.Port
	if port == "" && len(ports) > 0 {
		port = ports[0].Name
	}
	if !hasServicePort(ports, port) {
		w.fail("Ingress.Port %q is not a port of the containers", port)
	}
	if msgs := hostErrors(in.Host); len(msgs) > 0 {
		w.fail("Ingress.Host %q: %s", in.Host, strings.Join(msgs, "; "))
	}
	meta := w.id.objectMeta()
	meta.Annotations = maps.Clone(in.Annotations)
	out := &networkingv1.Ingress{
		ObjectMeta: meta,
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     path,
						PathType: &pathType,
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: w.id.instance,
							Port: networkingv1.ServiceBackendPort{Name: port},
						}},
					}},
				}},
			}},
		},
	}
	if in.ClassName != "" {
		out.Spec.IngressClassName = new(in.ClassName)
	}
	if in.TLSSecret != "" {
		tls := networkingv1.IngressTLS{SecretName: in.TLSSecret}
		if in.Host != "" {
			tls.Hosts = []string{in.Host}
		}
		out.Spec.TLS = []networkingv1.IngressTLS{tls}
	}
	return out
}

// hostErrors checks an Ingress host: a DNS name, or "*." and one.
func hostErrors(host string) []string {
	switch {
	case host == "":
		return nil
	case strings.HasPrefix(host, "*."):
		return validation.IsWildcardDNS1123Subdomain(host)
	}
	return validation.IsDNS1123Subdomain(host)
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

func (w *WebService) disruptionBudget(d DisruptionBudget) *policyv1.PodDisruptionBudget {
	spec := policyv1.PodDisruptionBudgetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: w.id.selector()},
		// Pods that are not ready serve nothing, so evicting them cannot
		// hurt; without this a crash-looping pod blocks every node drain.
		UnhealthyPodEvictionPolicy: new(policyv1.AlwaysAllow),
	}
	switch {
	case d.MinAvailable != "" && d.MaxUnavailable != "":
		w.fail("DisruptionBudget: set MinAvailable or MaxUnavailable, not both")
	case d.MinAvailable != "":
		spec.MinAvailable = w.intOrPercent("DisruptionBudget.MinAvailable", d.MinAvailable)
	case d.MaxUnavailable != "":
		spec.MaxUnavailable = w.intOrPercent("DisruptionBudget.MaxUnavailable", d.MaxUnavailable)
	default:
		spec.MaxUnavailable = new(intstr.FromInt32(1))
	}
	return &policyv1.PodDisruptionBudget{ObjectMeta: w.id.objectMeta(), Spec: spec}
}

// intOrPercent parses "3" or "25%".
func (w *WebService) intOrPercent(field, s string) *intstr.IntOrString {
	v := intstr.Parse(s)
	switch {
	case v.Type == intstr.Int && v.IntVal < 0:
		w.fail("%s %q is negative", field, s)
	case v.Type == intstr.String && len(validation.IsValidPercent(s)) > 0:
		w.fail("%s %q is neither a number nor a percentage", field, s)
	}
	return &v
}

// checkReferences catches edits of the objects that break what ties them
// together.
func (w *WebService) checkReferences() []error {
	pods := w.PodTemplate().Labels
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if sel := w.Deployment.Obj.Spec.Selector; sel != nil {
		add(checkSelector("Deployment", sel.MatchLabels, pods))
	}
	add(checkSelector("Service", w.Service.Obj.Spec.Selector, pods))
	if w.DisruptionBudget != nil && w.DisruptionBudget.Obj.Spec.Selector != nil {
		add(checkSelector("PodDisruptionBudget", w.DisruptionBudget.Obj.Spec.Selector.MatchLabels, pods))
	}
	if w.Autoscaler != nil {
		if target, name := w.Autoscaler.Obj.Spec.ScaleTargetRef.Name, w.Deployment.Name(); target != name {
			add(fmt.Errorf("%w: the HorizontalPodAutoscaler scales %s, but the Deployment is %s", ErrInconsistent, target, name))
		}
	}
	if w.Ingress != nil {
		name := w.Service.Name()
		for _, r := range w.Ingress.Obj.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if b := p.Backend.Service; b != nil && b.Name != name {
					add(fmt.Errorf("%w: the Ingress routes to Service %s, but the Service is %s", ErrInconsistent, b.Name, name))
				}
			}
		}
	}
	return errs
}
