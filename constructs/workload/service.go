package workload

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ServiceProps configures NewService.
type ServiceProps struct {
	// Identity names the Service and labels it; empty fields are those of
	// Selects, so by default the Service is named like the workload. A
	// WebService and a StatefulSet have a Service of that name already:
	// give a second one an Instance of its own.
	Identity
	// Selects is the workload whose pods the Service sends traffic to,
	// selected by its Selector; required. It must be in the Service's
	// namespace.
	Selects Workload
	// Ports the Service offers, by the names of Selects' container ports;
	// every container port if empty.
	Ports []ServicePort
	// Type of the Service; ClusterIP, reachable only inside the cluster,
	// if empty. NodePort and LoadBalancer open it to whatever reaches the
	// nodes or the load balancer: prefer an Ingress.
	Type corev1.ServiceType
	// Headless makes a Service without a cluster IP (clusterIP: None),
	// whose DNS name resolves to the ready pods themselves.
	Headless bool
}

// ServicePort is a port a Service offers.
type ServicePort struct {
	// Name of the workload's container port, which the Service port takes
	// as its name and targets; required.
	Name string
	// Port the Service offers; the container port's number if zero.
	Port int32
}

// Service is a Service made by NewService.
type Service struct {
	constructs.Construct
	// Object is the Service.
	Object *constructs.Object[*corev1.Service]
}

// NewService adds a Service in front of a workload's pods. A WebService
// and a StatefulSet come with one; NewService is for the others, or for a
// second Service with other ports or another type.
func NewService(scope constructs.Construct, id string, props ServiceProps) *Service {
	s := &Service{Construct: constructs.NewNode(scope, id)}
	fail := failer(s.Node())
	if props.Selects == nil {
		fail("ServiceProps.Selects is nil")
		s.Object = constructs.NewObject(s, "service", &corev1.Service{})
		return s
	}
	ident := props.Identity.resolve(s, "Service", props.Selects.Identity())
	spec := corev1.ServiceSpec{Selector: props.Selects.Selector()}
	switch props.Type {
	case "", corev1.ServiceTypeClusterIP:
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		if props.Headless {
			fail("a headless Service is of Type ClusterIP, not %s", props.Type)
		}
		spec.Type = props.Type
	default:
		fail("Type is ClusterIP, NodePort or LoadBalancer, not %s", props.Type)
	}
	if props.Headless {
		spec.ClusterIP = corev1.ClusterIPNone
	}
	spec.Ports = s.ports(fail, props.Selects, props.Ports)
	s.Object = constructs.NewObject(s, "service", &corev1.Service{ObjectMeta: ident.objectMeta(), Spec: spec})
	s.Node().AddValidation(constructs.ValidationFunc(func() []error {
		var errs []error
		if ns, target := namespaceOf(s.Object.APIObject), namespaceOfConstruct(props.Selects); ns != target {
			errs = append(errs, fmt.Errorf("%w: the Service is in namespace %s, but %s is in %s; a Service only selects pods of its own namespace",
				ErrInvalidProps, ns, props.Selects.Node().Path(), target))
		}
		return append(errs, checkSelectors(props.Selects, namedSelector{"Service", s.Object.Obj.Spec.Selector})...)
	}))
	return s
}

// Name returns the Service's metadata.name, its DNS name in the
// namespace.
func (s *Service) Name() string { return s.Object.Name() }

// ports returns the Service ports for the named container ports of w, or
// for all of them.
func (s *Service) ports(fail func(string, ...any), w Workload, want []ServicePort) []corev1.ServicePort {
	byName := map[string]corev1.ContainerPort{}
	var all []ServicePort
	for _, c := range w.PodTemplate().Spec.Containers {
		for _, p := range c.Ports {
			byName[p.Name] = p
			all = append(all, ServicePort{Name: p.Name})
		}
	}
	if len(want) == 0 {
		want = all
	}
	if len(want) == 0 {
		fail("%s has no container ports to offer", w.Node().Path())
	}
	var out []corev1.ServicePort
	seen := map[string]bool{}
	for _, p := range want {
		cp, ok := byName[p.Name]
		switch {
		case !ok:
			fail("%s has no container port named %q", w.Node().Path(), p.Name)
			continue
		case seen[p.Name]:
			fail("port %q is listed twice", p.Name)
		}
		seen[p.Name] = true
		number := p.Port
		if number == 0 {
			number = cp.ContainerPort
		}
		out = append(out, corev1.ServicePort{Name: p.Name, Port: number, Protocol: cp.Protocol, TargetPort: intstr.FromString(p.Name)})
	}
	return out
}
