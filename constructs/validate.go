package constructs

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// nameRules holds the API server's name rule for the kinds that differ from
// the default, a DNS subdomain (RFC 1123).
var nameRules = map[schema.GroupKind]func(string) []string{
	{Group: "", Kind: "Service"}:   func(n string) []string { return apivalidation.NameIsDNS1035Label(n, false) },
	{Group: "", Kind: "Namespace"}: func(n string) []string { return apivalidation.ValidateNamespaceName(n, false) },
	{Group: "batch", Kind: "CronJob"}: func(n string) []string {
		errs := apivalidation.NameIsDNSSubdomain(n, false)
		if len(n) > 52 {
			errs = append(errs, "must be no more than 52 characters (the controller appends 11 to name its Jobs)")
		}
		return errs
	},
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:               content.IsPathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:        content.IsPathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:        content.IsPathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: content.IsPathSegmentName,
}

func validateName(gk schema.GroupKind, v *document.Value) []error {
	if v == nil || v.Kind != document.String {
		return []error{fmt.Errorf("%w: metadata.name must be a string", ErrInvalidName)}
	}
	if plainDNSLabel(v.Scalar) && !(gk == schema.GroupKind{Group: "batch", Kind: "CronJob"} && len(v.Scalar) > 52) &&
		(gk != schema.GroupKind{Kind: "Service"} || v.Scalar[0] >= 'a') {
		return nil // valid under every rule below
	}
	rule := nameRules[gk]
	if rule == nil {
		rule = func(n string) []string { return apivalidation.NameIsDNSSubdomain(n, false) }
	}
	if msgs := rule(v.Scalar); len(msgs) > 0 {
		return []error{fmt.Errorf("%w: metadata.name %q of %s: %s", ErrInvalidName, v.Scalar, gk.Kind, strings.Join(msgs, "; "))}
	}
	return nil
}

func validateNamespace(v document.Value) []error {
	if v.Kind != document.String {
		return []error{fmt.Errorf("%w: metadata.namespace must be a string", ErrInvalidName)}
	}
	if plainDNSLabel(v.Scalar) {
		return nil
	}
	if msgs := apivalidation.ValidateNamespaceName(v.Scalar, false); len(msgs) > 0 {
		return []error{fmt.Errorf("%w: metadata.namespace %q: %s", ErrInvalidName, v.Scalar, strings.Join(msgs, "; "))}
	}
	return nil
}

func validateLabels(v document.Value) []error {
	if v.Kind != document.Object {
		return []error{fmt.Errorf("%w: metadata.labels must be a map", ErrInvalidLabel)}
	}
	var errs []error
	for _, m := range v.Members {
		if plainLabelKey(m.Key) && m.Value.Kind == document.String && plainLabelValue(m.Value.Scalar) {
			continue
		}
		if msgs := validation.IsQualifiedName(m.Key); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%w: key %q: %s", ErrInvalidLabel, m.Key, strings.Join(msgs, "; ")))
		}
		if m.Value.Kind != document.String {
			errs = append(errs, fmt.Errorf("%w: %s: value must be a string", ErrInvalidLabel, m.Key))
			continue
		}
		if msgs := validation.IsValidLabelValue(m.Value.Scalar); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%w: %s=%q: %s", ErrInvalidLabel, m.Key, m.Value.Scalar, strings.Join(msgs, "; ")))
		}
	}
	return errs
}

// validateAnnotations applies the API server's rules (apimachinery's
// ValidateAnnotations): every key a qualified name, compared in lower case,
// and keys and values together at most 256 KiB.
func validateAnnotations(v document.Value) []error {
	if v.Kind != document.Object {
		return []error{fmt.Errorf("%w: metadata.annotations must be a map", ErrInvalidAnnotation)}
	}
	var errs []error
	size := 0
	for _, m := range v.Members {
		size += len(m.Key)
		if m.Value.Kind != document.String {
			errs = append(errs, fmt.Errorf("%w: %s: value must be a string", ErrInvalidAnnotation, m.Key))
		} else {
			size += len(m.Value.Scalar)
		}
		if plainLabelKey(m.Key) {
			continue // lower-casing keeps such a key valid
		}
		if msgs := validation.IsQualifiedName(strings.ToLower(m.Key)); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%w: key %q: %s", ErrInvalidAnnotation, m.Key, strings.Join(msgs, "; ")))
		}
	}
	if size > apivalidation.TotalAnnotationSizeLimitB {
		errs = append(errs, fmt.Errorf("%w: metadata.annotations: keys and values hold %d bytes, more than the API server's limit of %d",
			ErrInvalidAnnotation, size, apivalidation.TotalAnnotationSizeLimitB))
	}
	return errs
}
