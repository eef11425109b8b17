package workload

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// statefulSetNameMax is the longest StatefulSet name: its pods carry the
// label controller-revision-hash, the name and 11 more characters, which
// must stay within 63.
const statefulSetNameMax = 52

// StatefulSetProps configures a StatefulSet.
type StatefulSetProps struct {
	// Identity names the StatefulSet and labels its objects and pods.
	// Instance, at most 52 characters, is also the headless Service's
	// name: pod i is reachable as <instance>-<i>.<instance>.
	Identity
	// Replicas of the StatefulSet; 1 if nil.
	Replicas *int32
	// Pod is what each replica runs. The containers' ports are what the
	// headless Service offers.
	Pod Pod
	// Claims are volume claim templates: each pod gets a claim of its own
	// from each, which containers mount with Mount.Claim.
	Claims []ClaimTemplate
	// PodManagement says how pods start and stop: OrderedReady (the
	// default) one at a time in ordinal order, each after the one before
	// is ready; Parallel all at once, for pods that find each other
	// without help.
	PodManagement appsv1.PodManagementPolicyType
	// UpdateStrategy says how a changed pod template rolls out:
	// RollingUpdate if the Type is empty, one pod at a time from the
	// highest ordinal, down to RollingUpdate.Partition; OnDelete replaces
	// a pod only when it is deleted.
	UpdateStrategy appsv1.StatefulSetUpdateStrategy
	// ClaimRetention says what happens to the claims when the StatefulSet
	// is deleted or scaled down: Retain (the default for both) keeps them,
	// and the data; Delete deletes them.
	ClaimRetention appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy
	// DisruptionBudget limits voluntary disruptions of the pods; none if
	// nil.
	DisruptionBudget *DisruptionBudget
}

// StatefulSet runs pods with a stable identity each: a name and DNS name
// by ordinal (<instance>-0, <instance>-1, …), and volumes of their own
// that follow them. It comes with the headless Service that gives the pods
// their DNS names, and optionally a PodDisruptionBudget.
type StatefulSet struct {
	constructs.Construct
	pods
	// StatefulSet runs the pods.
	StatefulSet *constructs.Object[*appsv1.StatefulSet]
	// Service is the headless Service (clusterIP: None) named in the
	// StatefulSet's serviceName; it offers every container port, by name.
	Service *constructs.Object[*corev1.Service]
	// DisruptionBudget is nil unless StatefulSetProps.DisruptionBudget is
	// set.
	DisruptionBudget *constructs.Object[*policyv1.PodDisruptionBudget]
}

// NewStatefulSet adds a StatefulSet and its headless Service to scope.
func NewStatefulSet(scope constructs.Construct, id string, props StatefulSetProps) *StatefulSet {
	s := &StatefulSet{Construct: constructs.NewNode(scope, id)}
	fail := failer(s.Node())
	s.pods = pods{id: props.Identity.resolve(s, "StatefulSet", Identity{}), self: s}
	if n := len(s.id.instance); n > statefulSetNameMax {
		fail("the name %q has %d characters; a StatefulSet's is at most %d, to leave room for the revision label of its pods: set a shorter Instance",
			s.id.instance, n, statefulSetNameMax)
	}
	claims, claimNames := claimTemplates(fail, props.Claims)
	template, uses := buildPod(s.Node(), props.Pod, s.id, podOptions{defaultReadiness: true, claims: claimNames})
	for _, v := range template.Spec.Volumes {
		if claimNames[v.Name] {
			fail("the pod has a volume %q, which is also the name of a claim template", v.Name)
		}
	}

	replicas := props.Replicas
	if replicas == nil {
		replicas = new(int32(1))
	}
	management := props.PodManagement
	switch management {
	case "":
		management = appsv1.OrderedReadyPodManagement
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	default:
		fail("PodManagement is OrderedReady or Parallel, not %s", management)
	}
	s.StatefulSet = constructs.NewObject(s, "statefulset", &appsv1.StatefulSet{
		ObjectMeta: s.id.objectMeta(),
		Spec: appsv1.StatefulSetSpec{
			Replicas:                             replicas,
			Selector:                             &metav1.LabelSelector{MatchLabels: s.id.selector()},
			ServiceName:                          s.id.instance,
			Template:                             template,
			VolumeClaimTemplates:                 claims,
			PodManagementPolicy:                  management,
			UpdateStrategy:                       statefulSetUpdate(fail, props.UpdateStrategy),
			PersistentVolumeClaimRetentionPolicy: claimRetention(fail, props.ClaimRetention),
		},
	})
	s.Service = constructs.NewObject(s, "service", &corev1.Service{
		ObjectMeta: s.id.objectMeta(),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  s.id.selector(),
			Ports:     servicePorts(fail, props.Pod.Containers),
		},
	})
	if props.DisruptionBudget != nil {
		s.DisruptionBudget = constructs.NewObject(s, "disruption-budget", &policyv1.PodDisruptionBudget{
			ObjectMeta: s.id.objectMeta(),
			Spec:       disruptionBudgetSpec(fail, s.id.selector(), *props.DisruptionBudget),
		})
	}
	finishPod(s, "StatefulSet", props.Pod, uses, s.StatefulSet.APIObject)
	s.Node().AddValidation(constructs.ValidationFunc(s.checkReferences))
	return s
}

// PodTemplate returns the StatefulSet's pod template.
func (s *StatefulSet) PodTemplate() *corev1.PodTemplateSpec { return &s.StatefulSet.Obj.Spec.Template }

func statefulSetUpdate(fail func(string, ...any), u appsv1.StatefulSetUpdateStrategy) appsv1.StatefulSetUpdateStrategy {
	switch u.Type {
	case "":
		// Written out, so the manifest says how it rolls out.
		u.Type = appsv1.RollingUpdateStatefulSetStrategyType
	case appsv1.RollingUpdateStatefulSetStrategyType:
	case appsv1.OnDeleteStatefulSetStrategyType:
		if u.RollingUpdate != nil {
			fail("UpdateStrategy: RollingUpdate is set, but the Type is OnDelete")
		}
	default:
		fail("UpdateStrategy.Type is RollingUpdate or OnDelete, not %s", u.Type)
	}
	return u
}

func claimRetention(fail func(string, ...any), p appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy) *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy {
	for _, f := range []struct {
		field string
		value *appsv1.PersistentVolumeClaimRetentionPolicyType
	}{{"WhenDeleted", &p.WhenDeleted}, {"WhenScaled", &p.WhenScaled}} {
		switch *f.value {
		case "":
			// Written out: whether the data survives is worth saying.
			*f.value = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
		case appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		default:
			fail("ClaimRetention.%s is Retain or Delete, not %s", f.field, *f.value)
		}
	}
	return &p
}

// checkReferences catches edits of the objects that break what ties them
// together.
func (s *StatefulSet) checkReferences() []error {
	selectors := []namedSelector{
		selectorOf("StatefulSet", s.StatefulSet.Obj.Spec.Selector),
		{"Service", s.Service.Obj.Spec.Selector},
	}
	if s.DisruptionBudget != nil {
		selectors = append(selectors, selectorOf("PodDisruptionBudget", s.DisruptionBudget.Obj.Spec.Selector))
	}
	errs := checkSelectors(s, selectors...)
	if got, name := s.StatefulSet.Obj.Spec.ServiceName, s.Service.Name(); got != name {
		errs = append(errs, fmt.Errorf("%w: the StatefulSet's serviceName is %s, but the Service is %s", ErrInconsistent, got, name))
	}
	return errs
}
