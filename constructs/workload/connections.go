package workload

import (
	"errors"
	"fmt"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Connections opens network paths between workloads, with the ports taken
// from the target's named container ports:
//
//	web.Connections().AllowTo(db, "postgres")
//
// One call makes two NetworkPolicies, one on each side, because traffic
// passes only where both ends allow it once both are isolated: an egress
// policy on the sender's pods (under the sender, in its namespace) and an
// ingress policy on the receiver's pods (under the receiver, in its
// namespace). Together with NewDefaultDeny, this is the package's model:
// deny everything in the namespace, then open each path that is needed.
//
// A policy also isolates the pods it selects in its direction: once the
// sender has an egress policy, it reaches only what egress policies allow,
// and once the receiver has an ingress policy, only allowed peers reach
// it. Under a default deny of egress, let the pods resolve names with
// DefaultDenyProps.AllowDNS.
type Connections struct {
	owner Workload
	node  *constructs.Node // made on first use
	links []*link
}

// Connection is the pair of policies of a path from one workload to
// another.
type Connection struct {
	// Egress lets the sender's pods connect to the receiver's.
	Egress *NetworkPolicy
	// Ingress lets the receiver's pods accept the sender's connections.
	Ingress *NetworkPolicy
}

// link is one side of a path: the policy on the owner's pods toward peer,
// for the named ports of the receiver.
type link struct {
	policy   *NetworkPolicy
	egress   bool
	peer     Workload
	receiver Workload
	ports    []string
}

// AllowTo lets the owner's pods connect to to's pods on the named ports of
// to's containers; on every port to's containers name if none is given.
// Calling it again for the same workload adds ports to the same policies.
func (c *Connections) AllowTo(to Workload, ports ...string) Connection {
	return connect(c.owner, to, ports)
}

// AllowFrom lets from's pods connect to the owner's pods on the named ports
// of the owner's containers; on every port they name if none is given. It
// is from.Connections().AllowTo(owner, ports...).
func (c *Connections) AllowFrom(from Workload, ports ...string) Connection {
	return connect(from, c.owner, ports)
}

func connect(from, to Workload, ports []string) Connection {
	if from == nil || to == nil {
		owner := from
		if owner == nil {
			owner = to
		}
		if owner != nil {
			owner.Node().AddError(fmt.Errorf("%w: a connection to or from a nil workload", ErrInvalidProps))
		}
		return Connection{}
	}
	return Connection{
		Egress:  from.Connections().link(true, to, to, ports),
		Ingress: to.Connections().link(false, from, to, ports),
	}
}

// link returns the policy for the owner's side of the path to or from
// peer, adding it on first use, and records the ports.
func (c *Connections) link(egress bool, peer, receiver Workload, ports []string) *NetworkPolicy {
	i := slices.IndexFunc(c.links, func(l *link) bool { return l.egress == egress && l.peer == peer })
	if i < 0 {
		c.links = append(c.links, c.newLink(egress, peer, receiver))
		i = len(c.links) - 1
	}
	l := c.links[i]
	for _, p := range ports {
		if !slices.Contains(l.ports, p) {
			l.ports = append(l.ports, p)
		}
	}
	return l.policy
}

func (c *Connections) newLink(egress bool, peer, receiver Workload) *link {
	if c.node == nil {
		c.node = constructs.NewNode(c.owner, "connections")
	}
	// Named after the peer's path, which is unique in the app.
	id, kind := "from-"+peer.Node().Path(), networkingv1.PolicyTypeIngress
	if egress {
		id, kind = "to-"+peer.Node().Path(), networkingv1.PolicyTypeEgress
	}
	p := &NetworkPolicy{Construct: constructs.NewNode(c.node, id)}
	ident := Identity{}.resolve(p, "NetworkPolicy", c.owner.Identity().withoutInstance())
	p.Object = constructs.NewObject(p, "network-policy", &networkingv1.NetworkPolicy{
		ObjectMeta: ident.objectMeta(),
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{kind}},
	})
	l := &link{policy: p, egress: egress, peer: peer, receiver: receiver}
	// The rules follow the workloads' pod templates, which may change
	// until synthesis.
	p.Node().AddPrepare(func() error { return l.render(c.owner) })
	return l
}

// render writes the policy's rules from the workloads as they are now.
func (l *link) render(owner Workload) error {
	spec := &l.policy.Object.Obj.Spec
	ns := namespaceOf(l.policy.Object.APIObject)
	spec.PodSelector = metav1.LabelSelector{MatchLabels: owner.Selector()}
	names := l.ports
	if len(names) == 0 {
		for _, c := range l.receiver.PodTemplate().Spec.Containers {
			for _, p := range c.Ports {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			return fmt.Errorf("%w: %s has no named container ports to connect to", ErrInvalidProps, l.receiver.Node().Path())
		}
	}
	var ports []networkingv1.NetworkPolicyPort
	var errs []error
	for _, name := range names {
		if !l.egress {
			port, err := namedPort(l.receiver, name)
			errs = append(errs, err)
			ports = append(ports, port)
			continue
		}
		// Egress by number: some network plugins resolve a named port
		// only on the pods a policy selects, which here are the sender's.
		cp, ok := containerPort(l.receiver, name)
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s has no port named %q", ErrInvalidProps, l.receiver.Node().Path(), name))
			continue
		}
		number := intstr.FromInt32(cp.ContainerPort)
		ports = append(ports, networkingv1.NetworkPolicyPort{Protocol: &cp.Protocol, Port: &number})
	}
	peer := workloadPeer(l.peer, ns)
	if l.egress {
		spec.Egress = []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{peer}, Ports: ports}}
	} else {
		spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{peer}, Ports: ports}}
	}
	return errors.Join(errs...)
}
