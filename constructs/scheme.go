package constructs

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NewScheme returns a scheme that knows every Go type of k8s.io/api. Add the
// types of custom resources to it and pass it in AppProps.Scheme.
func NewScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := builtinGroupVersions.AddToScheme(s); err != nil {
		// The built-in registrations are static; failing here is a broken build.
		panic(fmt.Sprintf("constructs: registering k8s.io/api: %v", err))
	}
	return s
}

var defaultScheme = NewScheme()

// kindOf returns the apiVersion and kind obj renders with: for a typed
// object, what the scheme registers for its Go type (which must agree with
// any TypeMeta the object sets); for unstructured content, what it says.
func kindOf(s *runtime.Scheme, obj runtime.Object) (schema.GroupVersionKind, error) {
	set := obj.GetObjectKind().GroupVersionKind()
	if _, ok := obj.(runtime.Unstructured); ok {
		if set.Kind == "" || set.Version == "" {
			return schema.GroupVersionKind{}, fmt.Errorf("%w: unstructured content must set apiVersion and kind", ErrInvalidObject)
		}
		return set, nil
	}
	gvks, _, err := s.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return schema.GroupVersionKind{}, fmt.Errorf("%w: %T is not in the scheme; add it to AppProps.Scheme, or use unstructured content", ErrNotRegistered, obj)
	}
	if set.Empty() {
		return gvks[0], nil
	}
	for _, gvk := range gvks {
		if gvk == set {
			return gvk, nil
		}
	}
	return schema.GroupVersionKind{}, fmt.Errorf("%w: %T sets apiVersion %q and kind %q, but the scheme registers it as %s",
		ErrInvalidObject, obj, set.GroupVersion().String(), set.Kind, gvks[0].GroupVersion().WithKind(gvks[0].Kind))
}

var _ runtime.Unstructured = &unstructured.Unstructured{}

// clusterScoped lists the kinds of k8s.io/api (and the API server's own
// groups) that live outside namespaces. A chart's namespace never goes on
// them: cdk8s stamps it on anyway, and the API server then rejects or
// ignores it.
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:                                                    true,
	{Group: "", Kind: "Node"}:                                                         true,
	{Group: "", Kind: "PersistentVolume"}:                                             true,
	{Group: "", Kind: "ComponentStatus"}:                                              true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                      true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "DeviceTaintRule"}:                               true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               true,
}
