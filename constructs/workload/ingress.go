package workload

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Annotations cert-manager's ingress-shim reads: an Ingress carrying one
// gets a Certificate for the hosts of its TLS entries, stored in their
// Secret.
const (
	CertManagerClusterIssuer = "cert-manager.io/cluster-issuer"
	CertManagerIssuer        = "cert-manager.io/issuer"
)

// CertManager has cert-manager issue an Ingress's certificate. Set exactly
// one field.
type CertManager struct {
	// ClusterIssuer names a ClusterIssuer ("letsencrypt").
	ClusterIssuer string
	// Issuer names an Issuer in the Ingress's namespace.
	Issuer string
}

// annotate returns annotations with c's annotation added.
func (c CertManager) annotate(fail func(string, ...any), annotations map[string]string) map[string]string {
	key, value := CertManagerClusterIssuer, c.ClusterIssuer
	switch {
	case c.ClusterIssuer != "" && c.Issuer != "":
		fail("CertManager: set ClusterIssuer or Issuer, not both")
	case c.Issuer != "":
		key, value = CertManagerIssuer, c.Issuer
	case c.ClusterIssuer == "":
		fail("CertManager: set ClusterIssuer or Issuer")
	}
	if old, ok := annotations[key]; ok && old != value {
		fail("CertManager: the annotation %s is also set to %q", key, old)
	}
	out := maps.Clone(annotations)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = value
	return out
}

// IngressProps configures NewIngress.
type IngressProps struct {
	// Identity names the Ingress and labels it. Empty fields are taken
	// from the recommended labels of the first rule's Service: by default
	// the Ingress is named and labelled like the Service it routes to (a
	// WebService with WebServiceProps.Ingress has an Ingress of that name
	// already).
	Identity
	// Rules route requests to Services; at least one. Rules for the same
	// host become one rule with several paths.
	Rules []IngressRule
	// ClassName selects the ingress controller (ingressClassName); the
	// cluster's default class if empty.
	ClassName string
	// TLSSecret is the name of an existing Secret (type kubernetes.io/tls)
	// holding the certificate for every host of the rules. With
	// CertManager it is the Secret cert-manager writes, "<name>-tls" if
	// empty.
	TLSSecret string
	// CertManager has cert-manager issue the certificate: every rule then
	// needs a Host.
	CertManager *CertManager
	// PlainHTTP serves the rules without TLS. An Ingress needs TLSSecret,
	// CertManager or this: plain HTTP is never the default, because what
	// an Ingress serves crosses networks tsumiki cannot vouch for.
	PlainHTTP bool
	// Annotations of the Ingress, for the controller.
	Annotations map[string]string
}

// IngressRule routes requests for a host and path to a port of a Service.
type IngressRule struct {
	// Host the rule matches ("shop.example.com", "*.example.com"); every
	// host if empty.
	Host string
	// Path the rule matches; "/" if empty.
	Path string
	// PathType says how Path matches; Prefix if empty.
	PathType networkingv1.PathType
	// Service receives the requests: a WebService's or StatefulSet's
	// Service field, a Service made by NewService (its Object), or any
	// Service object; required. It must be in the Ingress's namespace.
	Service *constructs.Object[*corev1.Service]
	// Port is the name of the Service port; its first port if empty.
	Port string
}

// HTTPIngress is an Ingress made by NewIngress.
type HTTPIngress struct {
	constructs.Construct
	// Object is the Ingress.
	Object *constructs.Object[*networkingv1.Ingress]

	rules []IngressRule
}

// NewIngress adds an Ingress routing HTTP requests from outside the
// cluster to Services. It serves TLS unless PlainHTTP says otherwise.
func NewIngress(scope constructs.Construct, id string, props IngressProps) *HTTPIngress {
	in := &HTTPIngress{Construct: constructs.NewNode(scope, id), rules: props.Rules}
	fail := failer(in.Node())
	var inherit Identity
	if len(props.Rules) > 0 && props.Rules[0].Service != nil {
		inherit = identityFromLabels(props.Rules[0].Service.Obj.Labels)
	}
	ident := props.Identity.resolve(in, "Ingress", inherit)
	meta := ident.objectMeta()
	meta.Annotations = maps.Clone(props.Annotations)

	spec := networkingv1.IngressSpec{}
	if props.ClassName != "" {
		spec.IngressClassName = new(props.ClassName)
	}
	if len(props.Rules) == 0 {
		fail("an Ingress needs at least one rule")
	}
	var hosts []string
	for i, r := range props.Rules {
		field := fmt.Sprintf("Rules[%d]", i)
		if r.Service == nil {
			fail("%s.Service is nil", field)
			continue
		}
		ports := r.Service.Obj.Spec.Ports
		port := r.Port
		if port == "" && len(ports) > 0 {
			port = ports[0].Name
		}
		if !hasServicePort(ports, port) {
			fail("%s.Port %q is not a port of Service %s", field, port, r.Service.Name())
		}
		path := ingressPath(fail, field, r.Path, r.PathType, r.Service.Name(), port)
		if j := slices.IndexFunc(spec.Rules, func(have networkingv1.IngressRule) bool { return have.Host == r.Host }); j >= 0 {
			spec.Rules[j].HTTP.Paths = append(spec.Rules[j].HTTP.Paths, path)
			continue
		}
		spec.Rules = append(spec.Rules, networkingv1.IngressRule{Host: r.Host, IngressRuleValue: httpRule(fail, field, r.Host, path)})
		if r.Host != "" {
			hosts = append(hosts, r.Host)
		}
	}

	secret := props.TLSSecret
	switch {
	case props.PlainHTTP && (secret != "" || props.CertManager != nil):
		fail("PlainHTTP contradicts TLSSecret and CertManager")
	case props.CertManager != nil:
		for i, r := range props.Rules {
			if r.Host == "" {
				fail("Rules[%d] has no Host, which CertManager needs to issue a certificate for", i)
			}
		}
		meta.Annotations = props.CertManager.annotate(fail, meta.Annotations)
		secret = cmp.Or(secret, ident.instance+"-tls")
	case secret == "" && !props.PlainHTTP:
		fail("an Ingress without TLS serves plain HTTP; set TLSSecret or CertManager, or PlainHTTP if that is meant")
	}
	if secret != "" {
		spec.TLS = []networkingv1.IngressTLS{{Hosts: hosts, SecretName: secret}}
	}
	in.Object = constructs.NewObject(in, "ingress", &networkingv1.Ingress{ObjectMeta: meta, Spec: spec})
	in.Node().AddValidation(constructs.ValidationFunc(in.check))
	return in
}

// Name returns the Ingress's metadata.name.
func (in *HTTPIngress) Name() string { return in.Object.Name() }

// check catches Services renamed, moved or stripped of their port after
// the Ingress was made.
func (in *HTTPIngress) check() []error {
	var errs []error
	ns := namespaceOf(in.Object.APIObject)
	backends := map[string]*constructs.Object[*corev1.Service]{}
	for _, r := range in.rules {
		if r.Service == nil {
			continue
		}
		backends[r.Service.Name()] = r.Service
		if svcNS := namespaceOf(r.Service.APIObject); svcNS != ns {
			errs = append(errs, fmt.Errorf("%w: the Ingress is in namespace %s, but Service %s is in %s; an Ingress routes only to Services of its own namespace",
				ErrInvalidProps, ns, r.Service.Node().Path(), svcNS))
		}
	}
	for _, rule := range in.Object.Obj.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			b := p.Backend.Service
			if b == nil {
				continue
			}
			svc, ok := backends[b.Name]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%w: the Ingress routes to Service %s, which none of its rules' Services is now", ErrInconsistent, b.Name))
			case b.Port.Name != "" && !hasServicePort(svc.Obj.Spec.Ports, b.Port.Name):
				errs = append(errs, fmt.Errorf("%w: the Ingress routes to port %q of Service %s, which has no such port", ErrInconsistent, b.Port.Name, b.Name))
			}
		}
	}
	return errs
}

// checkBackends reports the paths of ing that route to a Service other
// than service.
func checkBackends(ing *networkingv1.Ingress, service string) []error {
	var errs []error
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if b := p.Backend.Service; b != nil && b.Name != service {
				errs = append(errs, fmt.Errorf("%w: the Ingress routes to Service %s, but the Service is %s", ErrInconsistent, b.Name, service))
			}
		}
	}
	return errs
}

// ingressPath is one path of an Ingress rule, to port of service.
func ingressPath(fail func(string, ...any), field, path string, pathType networkingv1.PathType, service, port string) networkingv1.HTTPIngressPath {
	if path == "" {
		path = "/"
	} else if !strings.HasPrefix(path, "/") {
		fail("%s.Path %q must start with /", field, path)
	}
	if pathType == "" {
		pathType = networkingv1.PathTypePrefix
	}
	return networkingv1.HTTPIngressPath{
		Path:     path,
		PathType: &pathType,
		Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: service,
			Port: networkingv1.ServiceBackendPort{Name: port},
		}},
	}
}

// httpRule is the HTTP part of an Ingress rule for host, holding path.
func httpRule(fail func(string, ...any), field, host string, path networkingv1.HTTPIngressPath) networkingv1.IngressRuleValue {
	if msgs := hostErrors(host); len(msgs) > 0 {
		fail("%s.Host %q: %s", field, host, strings.Join(msgs, "; "))
	}
	return networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{path}}}
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

// identityFromLabels reads an identity back from the recommended labels of
// an object.
func identityFromLabels(labels map[string]string) Identity {
	return Identity{Name: labels[LabelName], Instance: labels[LabelInstance], Component: labels[LabelComponent], PartOf: labels[LabelPartOf]}
}

// failer returns a function that records a problem with the props of the
// construct at n.
func failer(n *constructs.Node) func(string, ...any) {
	return func(format string, args ...any) {
		n.AddError(fmt.Errorf("%w: %s", ErrInvalidProps, fmt.Sprintf(format, args...)))
	}
}
