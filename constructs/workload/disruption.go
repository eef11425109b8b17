package workload

import (
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// DisruptionBudgetProps configures NewDisruptionBudget. Set at most one of
// MinAvailable and MaxUnavailable, a number ("1") or a percentage
// ("25%"); with neither, one pod may be unavailable at a time.
type DisruptionBudgetProps struct {
	// Identity names the PodDisruptionBudget and labels it; empty fields
	// are For's, so by default it is named like the workload.
	Identity
	// For is the workload whose pods the budget protects; required.
	For Workload
	// MinAvailable pods must stay up.
	MinAvailable string
	// MaxUnavailable pods may be down.
	MaxUnavailable string
}

// PodDisruptionBudget is a PodDisruptionBudget made by
// NewDisruptionBudget.
type PodDisruptionBudget struct {
	constructs.Construct
	// Object is the PodDisruptionBudget.
	Object *constructs.Object[*policyv1.PodDisruptionBudget]
}

// NewDisruptionBudget adds a PodDisruptionBudget for a workload's pods: it
// limits how many voluntary disruptions (node drains, cluster upgrades)
// may take down at once. WebServiceProps and StatefulSetProps have a
// DisruptionBudget field that makes the same object.
func NewDisruptionBudget(scope constructs.Construct, id string, props DisruptionBudgetProps) *PodDisruptionBudget {
	b := &PodDisruptionBudget{Construct: constructs.NewNode(scope, id)}
	fail := failer(b.Node())
	if props.For == nil {
		fail("DisruptionBudgetProps.For is nil")
		b.Object = constructs.NewObject(b, "pdb", &policyv1.PodDisruptionBudget{})
		return b
	}
	ident := props.Identity.resolve(b, "PodDisruptionBudget", props.For.Identity())
	budget := DisruptionBudget{MinAvailable: props.MinAvailable, MaxUnavailable: props.MaxUnavailable}
	b.Object = constructs.NewObject(b, "pdb", &policyv1.PodDisruptionBudget{
		ObjectMeta: ident.objectMeta(),
		Spec:       disruptionBudgetSpec(fail, props.For.Selector(), budget),
	})
	b.Node().AddValidation(constructs.ValidationFunc(func() []error {
		var errs []error
		if ns, forNS := namespaceOf(b.Object.APIObject), namespaceOfConstruct(props.For); ns != forNS {
			errs = append(errs, fmt.Errorf("%w: the PodDisruptionBudget is in namespace %s, but %s is in %s; a budget only selects pods of its own namespace",
				ErrInvalidProps, ns, props.For.Node().Path(), forNS))
		}
		return append(errs, checkSelectors(props.For, selectorOf("PodDisruptionBudget", b.Object.Obj.Spec.Selector))...)
	}))
	return b
}

// Name returns the PodDisruptionBudget's metadata.name.
func (b *PodDisruptionBudget) Name() string { return b.Object.Name() }

// disruptionBudgetSpec is the spec of a budget for the pods selector
// selects.
func disruptionBudgetSpec(fail func(string, ...any), selector map[string]string, d DisruptionBudget) policyv1.PodDisruptionBudgetSpec {
	spec := policyv1.PodDisruptionBudgetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: selector},
		// Pods that are not ready serve nothing, so evicting them cannot
		// hurt; without this a crash-looping pod blocks every node drain.
		UnhealthyPodEvictionPolicy: new(policyv1.AlwaysAllow),
	}
	switch {
	case d.MinAvailable != "" && d.MaxUnavailable != "":
		fail("DisruptionBudget: set MinAvailable or MaxUnavailable, not both")
	case d.MinAvailable != "":
		spec.MinAvailable = intOrPercent(fail, "DisruptionBudget.MinAvailable", d.MinAvailable)
	case d.MaxUnavailable != "":
		spec.MaxUnavailable = intOrPercent(fail, "DisruptionBudget.MaxUnavailable", d.MaxUnavailable)
	default:
		spec.MaxUnavailable = new(intstr.FromInt32(1))
	}
	return spec
}

// intOrPercent parses "3" or "25%".
func intOrPercent(fail func(string, ...any), field, s string) *intstr.IntOrString {
	v := intstr.Parse(s)
	switch {
	case v.Type == intstr.Int && v.IntVal < 0:
		fail("%s %q is negative", field, s)
	case v.Type == intstr.String && len(validation.IsValidPercent(s)) > 0:
		fail("%s %q is neither a number nor a percentage", field, s)
	}
	return &v
}
