package workload

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ClaimTemplate is a volume claim template of a StatefulSet: every pod
// gets a PersistentVolumeClaim of its own from it, which outlives the pod
// and is bound to the same pod ordinal when the pod is replaced.
type ClaimTemplate struct {
	// Name of the template; containers mount it with Mount.Claim. The
	// claims are named "<name>-<statefulset>-<ordinal>". Required.
	Name string
	// Size of each claim's volume ("10Gi"); required.
	Size string
	// StorageClass of the volumes; the cluster's default class if empty.
	StorageClass string
	// AccessModes of the volumes; ReadWriteOnce if empty.
	AccessModes []corev1.PersistentVolumeAccessMode
}

// PersistentVolumeClaimProps configures NewPersistentVolumeClaim.
type PersistentVolumeClaimProps struct {
	// Identity names the claim and labels it.
	Identity
	// Size of the volume ("10Gi"); required.
	Size string
	// StorageClass of the volume; the cluster's default class if empty.
	StorageClass string
	// AccessModes of the volume; ReadWriteOnce if empty. Pods of several
	// replicas on different nodes need ReadWriteMany, and a storage class
	// that offers it.
	AccessModes []corev1.PersistentVolumeAccessMode
}

// PersistentVolumeClaim is a PersistentVolumeClaim made by
// NewPersistentVolumeClaim. Mount it with Mount{From: claim.Ref()}.
type PersistentVolumeClaim struct {
	constructs.Construct
	// Object is the PersistentVolumeClaim.
	Object *constructs.Object[*corev1.PersistentVolumeClaim]
}

// NewPersistentVolumeClaim adds a PersistentVolumeClaim to scope: storage
// that lives independently of any pod. A StatefulSet's pods get claims of
// their own from StatefulSetProps.Claims instead.
func NewPersistentVolumeClaim(scope constructs.Construct, id string, props PersistentVolumeClaimProps) *PersistentVolumeClaim {
	c := &PersistentVolumeClaim{Construct: constructs.NewNode(scope, id)}
	ident := props.Identity.resolve(c, "PersistentVolumeClaim", Identity{})
	c.Object = constructs.NewObject(c, "claim", &corev1.PersistentVolumeClaim{
		ObjectMeta: ident.objectMeta(),
		Spec:       claimSpec(failer(c.Node()), "", props.Size, props.StorageClass, props.AccessModes),
	})
	return c
}

// Name returns the claim's metadata.name.
func (c *PersistentVolumeClaim) Name() string { return c.Object.Name() }

// Ref refers to the claim, for Mount.From. Workloads that mount it are
// written after it.
func (c *PersistentVolumeClaim) Ref() Ref { return Ref{kind: refClaim, name: c.Name(), claim: c} }

// claimTemplates returns the claim templates of a StatefulSet, and their
// names for the pod builder.
func claimTemplates(fail func(string, ...any), claims []ClaimTemplate) ([]corev1.PersistentVolumeClaim, map[string]bool) {
	var out []corev1.PersistentVolumeClaim
	names := map[string]bool{}
	for i, c := range claims {
		field := fmt.Sprintf("Claims[%d]", i)
		switch msgs := validation.IsDNS1123Label(c.Name); {
		case c.Name == "":
			fail("%s has no Name", field)
		case names[c.Name]:
			fail("two claim templates are named %q", c.Name)
		case len(msgs) > 0:
			fail("%s.Name %q: %s", field, c.Name, strings.Join(msgs, "; "))
		}
		names[c.Name] = true
		out = append(out, corev1.PersistentVolumeClaim{
			// No labels: claim templates can never change, and the
			// controller gives each claim the StatefulSet's selector labels.
			ObjectMeta: metav1.ObjectMeta{Name: c.Name},
			Spec:       claimSpec(fail, field+".", c.Size, c.StorageClass, c.AccessModes),
		})
	}
	return out, names
}

// claimSpec is the spec of a claim of size in class; field prefixes the
// props' field names in errors.
func claimSpec(fail func(string, ...any), field, size, class string, modes []corev1.PersistentVolumeAccessMode) corev1.PersistentVolumeClaimSpec {
	spec := corev1.PersistentVolumeClaimSpec{AccessModes: slices.Clone(modes)}
	if len(spec.AccessModes) == 0 {
		spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	for _, m := range spec.AccessModes {
		switch m {
		case corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod:
		default:
			fail("%sAccessModes: unknown access mode %q", field, m)
		}
	}
	if class != "" {
		spec.StorageClassName = new(class)
	}
	q, err := resource.ParseQuantity(size)
	switch {
	case size == "":
		fail("%sSize is required", field)
	case err != nil:
		fail("%sSize %q: %v", field, size, err)
	case q.Sign() <= 0:
		fail("%sSize %q is not positive", field, size)
	default:
		spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: q}
	}
	return spec
}
