package workload

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// NetworkPolicy is a NetworkPolicy made by NewDefaultDeny or
// NewAllowIngress.
type NetworkPolicy struct {
	constructs.Construct
	// Object is the NetworkPolicy.
	Object *constructs.Object[*networkingv1.NetworkPolicy]
}

// DefaultDenyProps configures NewDefaultDeny.
type DefaultDenyProps struct {
	// Name is metadata.name; a name generated from the construct path if
	// empty.
	Name string
	// PolicyTypes says what is denied: Ingress, Egress or both. Both if
	// empty. Denying egress denies DNS too; allow it with a policy of
	// your own.
	PolicyTypes []networkingv1.PolicyType
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
	p.Object = constructs.NewObject(p, "network-policy", &networkingv1.NetworkPolicy{
		ObjectMeta: managedMeta(objectName(p.Node(), props.Name)),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{}, // every pod
			PolicyTypes: types,
		},
	})
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
	// Name is metadata.name; a name generated from the construct path if
	// empty.
	Name string
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
// accept traffic from the peers only.
func NewAllowIngress(scope constructs.Construct, id string, props AllowIngressProps) *NetworkPolicy {
	p := &NetworkPolicy{Construct: constructs.NewNode(scope, id)}
	p.Object = constructs.NewObject(p, "network-policy", &networkingv1.NetworkPolicy{
		ObjectMeta: managedMeta(objectName(p.Node(), props.Name)),
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
		rule.Ports = append(rule.Ports, p.port(props.To, name))
	}
	spec := &p.Object.Obj.Spec
	spec.PodSelector = metav1.LabelSelector{MatchLabels: props.To.Selector()}
	spec.Ingress = []networkingv1.NetworkPolicyIngressRule{rule}
	return p
}

func (p *NetworkPolicy) peer(peer Peer, policyNamespace string) networkingv1.NetworkPolicyPeer {
	switch {
	case peer.workload != nil:
		out := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: peer.workload.Selector()}}
		// A pod selector alone selects pods in the policy's namespace.
		if ns := namespaceOfConstruct(peer.workload); ns != "" && ns != policyNamespace {
			out.NamespaceSelector = namespaceSelector(ns)
		}
		return out
	case peer.namespace != "":
		return networkingv1.NetworkPolicyPeer{NamespaceSelector: namespaceSelector(peer.namespace)}
	}
	p.Node().AddError(fmt.Errorf("%w: an empty Peer; use FromWorkload or FromNamespace", ErrInvalidProps))
	return networkingv1.NetworkPolicyPeer{}
}

func namespaceSelector(name string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceLabel: name}}
}

// port returns the policy port for w's port called name, with the
// protocol of that port: a named port matches only with its protocol.
func (p *NetworkPolicy) port(w Workload, name string) networkingv1.NetworkPolicyPort {
	port := intstr.FromString(name)
	for _, c := range w.PodTemplate().Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name {
				protocol := cp.Protocol
				if protocol == "" {
					protocol = corev1.ProtocolTCP
				}
				return networkingv1.NetworkPolicyPort{Protocol: &protocol, Port: &port}
			}
		}
	}
	p.Node().AddError(fmt.Errorf("%w: %s has no port named %q", ErrInvalidProps, w.Node().Path(), name))
	return networkingv1.NetworkPolicyPort{Port: &port}
}

// namespaceOfConstruct returns the namespace of c's chart, which is where
// the objects under c go unless they set their own.
func namespaceOfConstruct(c constructs.Construct) string {
	if chart := constructs.ChartOf(c); chart != nil {
		return chart.Namespace()
	}
	return ""
}
