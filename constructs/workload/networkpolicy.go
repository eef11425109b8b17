package workload

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// NetworkPolicy is a NetworkPolicy made by NewDefaultDeny, NewAllowIngress
// or Connections.
type NetworkPolicy struct {
	constructs.Construct
	// Object is the NetworkPolicy.
	Object *constructs.Object[*networkingv1.NetworkPolicy]
}

// Name returns the NetworkPolicy's metadata.name.
func (p *NetworkPolicy) Name() string { return p.Object.Name() }

// Where DefaultDenyProps.AllowDNS lets every pod make DNS lookups: the
// cluster DNS pods, which keep the label of the kube-dns that CoreDNS
// replaced.
const (
	dnsNamespace     = "kube-system"
	dnsLabel, dnsApp = "k8s-app", "kube-dns"
)

// DefaultDenyProps configures NewDefaultDeny.
type DefaultDenyProps struct {
	// Identity names the NetworkPolicy and labels it.
	Identity
	// PolicyTypes says what is denied: Ingress, Egress or both. Both if
	// empty.
	PolicyTypes []networkingv1.PolicyType
	// AllowDNS lets every pod of the namespace make DNS lookups (port 53,
	// UDP and TCP) to the cluster DNS, the pods labelled k8s-app=kube-dns
	// in kube-system, though egress is denied: without it no pod resolves
	// a name. Clusters whose DNS runs elsewhere (a node-local cache on a
	// link-local address) need a policy of their own instead. Only with
	// Egress among the PolicyTypes.
	AllowDNS bool
}

// NewDefaultDeny adds a NetworkPolicy that selects every pod of its
// chart's namespace and allows nothing: from then on only what another
// policy allows gets through.
func NewDefaultDeny(scope constructs.Construct, id string, props DefaultDenyProps) *NetworkPolicy {
	p := &NetworkPolicy{Construct: constructs.NewNode(scope, id)}
	types := props.PolicyTypes
	if len(types) == 0 {
		types = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	}
	spec := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{}, // every pod
		PolicyTypes: types,
	}
	if props.AllowDNS {
		egress := false
		for _, t := range types {
			egress = egress || t == networkingv1.PolicyTypeEgress
		}
		if !egress {
			failer(p.Node())("AllowDNS needs Egress among the PolicyTypes: without it egress, DNS included, is not denied")
		}
		port := intstr.FromInt32(53)
		spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: namespaceSelector(dnsNamespace),
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{dnsLabel: dnsApp}},
			}},
			Ports: []networkingv1.NetworkPolicyPort{
				{Protocol: new(corev1.ProtocolUDP), Port: &port},
				{Protocol: new(corev1.ProtocolTCP), Port: &port},
			},
		}}
	}
	ident := props.Identity.resolve(p, "NetworkPolicy", Identity{})
	p.Object = constructs.NewObject(p, "network-policy", &networkingv1.NetworkPolicy{ObjectMeta: ident.objectMeta(), Spec: spec})
	return p
}

// Peer is a source of traffic: a workload, or every pod of a namespace.
// Make one with FromWorkload or FromNamespace.
type Peer struct {
	workload  Workload
	namespace string
}

// FromWorkload is the pods of w. If w is in another namespace than the
// policy, the rule names that namespace too.
func FromWorkload(w Workload) Peer { return Peer{workload: w} }

// FromNamespace is every pod of the namespace called name.
func FromNamespace(name string) Peer { return Peer{namespace: name} }

// AllowIngressProps configures NewAllowIngress.
type AllowIngressProps struct {
	// Identity names the NetworkPolicy and labels it; the empty labels but
	// the instance are To's.
	Identity
	// To is the workload that receives the traffic; required.
	To Workload
	// From are the peers allowed to connect; at least one.
	From []Peer
	// Ports are names of To's ports that the peers may reach; every port
	// if empty.
	Ports []string
}

// NewAllowIngress adds a NetworkPolicy that lets the peers connect to a
// workload's pods. It matters where a default-deny policy, or another
// policy selecting the same pods, denies ingress: alone it makes the pods
// accept traffic from the peers only. Between two workloads,
// Connections.AllowFrom also opens the sender's egress.
func NewAllowIngress(scope constructs.Construct, id string, props AllowIngressProps) *NetworkPolicy {
	p := &NetworkPolicy{Construct: constructs.NewNode(scope, id)}
	var inherit Identity
	if props.To != nil {
		inherit = props.To.Identity().withoutInstance()
	}
	ident := props.Identity.resolve(p, "NetworkPolicy", inherit)
	p.Object = constructs.NewObject(p, "network-policy", &networkingv1.NetworkPolicy{
		ObjectMeta: ident.objectMeta(),
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	})
	if props.To == nil {
		p.Node().AddError(fmt.Errorf("%w: AllowIngressProps.To is nil", ErrInvalidProps))
		return p
	}
	if len(props.From) == 0 {
		// A rule without peers allows everyone, which is not what a
		// forgotten From means.
		p.Node().AddError(fmt.Errorf("%w: AllowIngressProps.From is empty", ErrInvalidProps))
	}
	ns := namespaceOfConstruct(p)
	if to := namespaceOfConstruct(props.To); to != "" && ns != "" && to != ns {
		// A policy's pod selector only selects pods in its own namespace.
		p.Node().AddError(fmt.Errorf("%w: the policy is in namespace %s, but %s is in %s; add the policy to a chart in %s",
			ErrInvalidProps, ns, props.To.Node().Path(), to, to))
	}
	rule := networkingv1.NetworkPolicyIngressRule{}
	for _, peer := range props.From {
		rule.From = append(rule.From, p.peer(peer, ns))
	}
	for _, name := range props.Ports {
		port, err := namedPort(props.To, name)
		p.Node().AddError(err)
		rule.Ports = append(rule.Ports, port)
	}
	spec := &p.Object.Obj.Spec
	spec.PodSelector = metav1.LabelSelector{MatchLabels: props.To.Selector()}
	spec.Ingress = []networkingv1.NetworkPolicyIngressRule{rule}
	return p
}

func (p *NetworkPolicy) peer(peer Peer, policyNamespace string) networkingv1.NetworkPolicyPeer {
	switch {
	case peer.workload != nil:
		return workloadPeer(peer.workload, policyNamespace)
	case peer.namespace != "":
		return networkingv1.NetworkPolicyPeer{NamespaceSelector: namespaceSelector(peer.namespace)}
	}
	p.Node().AddError(fmt.Errorf("%w: an empty Peer; use FromWorkload or FromNamespace", ErrInvalidProps))
	return networkingv1.NetworkPolicyPeer{}
}

// workloadPeer selects the pods of w from a policy in policyNamespace.
func workloadPeer(w Workload, policyNamespace string) networkingv1.NetworkPolicyPeer {
	out := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: w.Selector()}}
	// A pod selector alone selects pods in the policy's namespace.
	if ns := namespaceOfConstruct(w); ns != "" && ns != policyNamespace {
		out.NamespaceSelector = namespaceSelector(ns)
	}
	return out
}

func namespaceSelector(name string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceLabel: name}}
}

// containerPort returns w's container port called name.
func containerPort(w Workload, name string) (corev1.ContainerPort, bool) {
	for _, c := range w.PodTemplate().Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name {
				if cp.Protocol == "" {
					cp.Protocol = corev1.ProtocolTCP
				}
				return cp, true
			}
		}
	}
	return corev1.ContainerPort{}, false
}

// namedPort returns the policy port for w's port called name, by name and
// with the protocol of that port: a named port matches only with its
// protocol.
func namedPort(w Workload, name string) (networkingv1.NetworkPolicyPort, error) {
	port := intstr.FromString(name)
	cp, ok := containerPort(w, name)
	if !ok {
		return networkingv1.NetworkPolicyPort{Port: &port}, fmt.Errorf("%w: %s has no port named %q", ErrInvalidProps, w.Node().Path(), name)
	}
	return networkingv1.NetworkPolicyPort{Protocol: &cp.Protocol, Port: &port}, nil
}
