package workload

import (
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// PodSecurityEnforceLabel is the Namespace label that makes Pod Security
// Admission refuse pods below a Pod Security Standard: "baseline" and
// "restricted" both refuse host access.
const PodSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"

// DaemonSetProps configures a DaemonSet.
type DaemonSetProps struct {
	// Identity names the DaemonSet and labels it and its pods.
	Identity
	// Pod is what runs on every node.
	Pod Pod
	// HostAccess gives the pods parts of the node they run on; none by
	// default. Read its documentation before setting any field.
	HostAccess HostAccess
	// UpdateStrategy says how a changed pod template rolls out:
	// RollingUpdate if the Type is empty, a node at a time by default;
	// OnDelete replaces a pod only when it is deleted.
	UpdateStrategy appsv1.DaemonSetUpdateStrategy
}

// HostAccess breaks the isolation between a DaemonSet's pods and the node,
// for agents that must see the node: log shippers, node exporters, network
// and storage plugins. Each field is a way out of the container:
//
//   - HostNetwork puts the pods in the node's network namespace: they can
//     listen on and reach every interface of the node, including services
//     bound to localhost (the kubelet's read-only port, cloud metadata
//     endpoints), and network policies no longer apply to them.
//   - HostPID lets the pods see every process of the node, read their
//     environment (secrets of other pods among it) and, as root, signal or
//     trace them.
//   - HostPaths mount directories of the node: a writable one lets the pod
//     change what the node runs, and even a read-only one can hold other
//     pods' secrets (/var/lib/kubelet).
//
// The Pod Security Standards "baseline" and "restricted" forbid all three;
// synthesis refuses host access in a namespace whose Namespace object, in
// the same app, enforces either. Give node agents a namespace of their
// own, labelled pod-security.kubernetes.io/enforce: privileged, and ask
// for no more than the agent needs: a host path read-only, hostPID only if
// it inspects processes.
type HostAccess struct {
	// HostNetwork runs the pods in the node's network namespace (and sets
	// dnsPolicy ClusterFirstWithHostNet, so they still resolve cluster
	// names).
	HostNetwork bool
	// HostPID runs the pods in the node's process namespace.
	HostPID bool
	// HostPaths are directories or files of the node that containers
	// mount by name with Mount.HostPath.
	HostPaths []HostPath
}

// HostPath is a path on the node, mounted with Mount.HostPath.
type HostPath struct {
	// Name of the volume, which Mount.HostPath names; required.
	Name string
	// Path on the node, absolute; required.
	Path string
	// Type checks what is at Path before the pod starts
	// (corev1.HostPathDirectory, …); no check if empty.
	Type corev1.HostPathType
	// Writable mounts the path writable; read-only otherwise.
	Writable bool
}

// DaemonSet runs one pod on every node (or every node its pod template's
// node selector and tolerations allow).
type DaemonSet struct {
	constructs.Construct
	pods
	// DaemonSet runs the pods.
	DaemonSet *constructs.Object[*appsv1.DaemonSet]
}

// NewDaemonSet adds a DaemonSet to scope.
func NewDaemonSet(scope constructs.Construct, id string, props DaemonSetProps) *DaemonSet {
	d := &DaemonSet{Construct: constructs.NewNode(scope, id)}
	fail := failer(d.Node())
	d.pods = pods{id: props.Identity.resolve(d, "DaemonSet", Identity{}), self: d}
	names := map[string]bool{}
	for i, h := range props.HostAccess.HostPaths {
		switch msgs := validation.IsDNS1123Label(h.Name); {
		case h.Name == "":
			fail("HostAccess.HostPaths[%d] has no Name", i)
		case names[h.Name]:
			fail("two host paths are named %q", h.Name)
		case len(msgs) > 0:
			fail("HostAccess.HostPaths[%d].Name %q: %s", i, h.Name, strings.Join(msgs, "; "))
		}
		names[h.Name] = true
		if !path.IsAbs(h.Path) || path.Clean(h.Path) != h.Path {
			fail("HostAccess.HostPaths[%d].Path %q is not a clean absolute path", i, h.Path)
		}
	}
	host := props.HostAccess
	template, uses := buildPod(d.Node(), props.Pod, d.id, podOptions{defaultReadiness: true, host: &host})

	update := props.UpdateStrategy
	switch update.Type {
	case "":
		update.Type = appsv1.RollingUpdateDaemonSetStrategyType
	case appsv1.RollingUpdateDaemonSetStrategyType:
	case appsv1.OnDeleteDaemonSetStrategyType:
		if update.RollingUpdate != nil {
			fail("UpdateStrategy: RollingUpdate is set, but the Type is OnDelete")
		}
	default:
		fail("UpdateStrategy.Type is RollingUpdate or OnDelete, not %s", update.Type)
	}
	d.DaemonSet = constructs.NewObject(d, "daemonset", &appsv1.DaemonSet{
		ObjectMeta: d.id.objectMeta(),
		Spec: appsv1.DaemonSetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: d.id.selector()},
			Template:       template,
			UpdateStrategy: update,
		},
	})
	finishPod(d, "DaemonSet", props.Pod, uses, d.DaemonSet.APIObject)
	d.Node().AddValidation(constructs.ValidationFunc(func() []error {
		return checkSelectors(d, selectorOf("DaemonSet", d.DaemonSet.Obj.Spec.Selector))
	}))
	return d
}

// PodTemplate returns the DaemonSet's pod template.
func (d *DaemonSet) PodTemplate() *corev1.PodTemplateSpec { return &d.DaemonSet.Obj.Spec.Template }

// hostAccessOf lists the host access spec asks for, for error messages;
// empty if none. It reads the pod spec, so host access set through
// PodTemplate counts too.
func hostAccessOf(spec corev1.PodSpec) string {
	var parts []string
	if spec.HostNetwork {
		parts = append(parts, "hostNetwork")
	}
	if spec.HostPID {
		parts = append(parts, "hostPID")
	}
	if spec.HostIPC {
		parts = append(parts, "hostIPC")
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			parts = append(parts, "hostPath "+v.HostPath.Path)
		}
	}
	return strings.Join(parts, ", ")
}

// checkPodSecurity refuses host access in a namespace that enforces a Pod
// Security Standard forbidding it, if the app holds that Namespace: the
// API server would admit the workload and then refuse every pod.
func checkPodSecurity(w Workload, kind, namespace string) error {
	access := hostAccessOf(w.PodTemplate().Spec)
	if access == "" || namespace == "" {
		return nil
	}
	root := w.Node()
	for root.Scope() != nil {
		root = root.Scope()
	}
	for _, n := range root.FindAll() {
		o := constructs.APIObjectOf(n)
		if o == nil {
			continue
		}
		labels, ok := namespaceLabels(o.Object())
		if !ok || o.Name() != namespace {
			continue
		}
		switch level := labels[PodSecurityEnforceLabel]; level {
		case "baseline", "restricted":
			return fmt.Errorf("%w: the %s asks for %s, which namespace %s forbids: its Namespace (%s) enforces the Pod Security Standard %q; run node agents in a namespace labelled %s: privileged",
				ErrHostAccess, kind, access, namespace, n.Path(), level, PodSecurityEnforceLabel)
		}
	}
	return nil
}

// namespaceLabels returns the labels of obj if it is a Namespace.
func namespaceLabels(obj any) (map[string]string, bool) {
	switch o := obj.(type) {
	case *corev1.Namespace:
		if o != nil {
			return o.Labels, true
		}
	case *unstructured.Unstructured:
		if o != nil && o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" {
			return o.GetLabels(), true
		}
	}
	return nil, false
}
