// Package crdcheck checks custom resources against their
// CustomResourceDefinitions with kube-apiserver's own code, in the order a
// create request with strict field validation meets it
// (apiextensions-apiserver's pkg/apiserver/customresource_handler.go
// unstructuredSchemaCoercer.apply, then pkg/registry/customresource's
// strategy Validate, then apiserver's rest.ValidateCreate): unknown fields
// found by pruning against the structural schema, defaulting, then the
// OpenAPI schema, the metadata rules and the list rules. It calls those
// functions itself rather than building the resource's strategy, which
// would bring in the API server's storage; CEL rules are the one step
// left out, and a CRD that has any is refused.
package crdcheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// Validator checks resources of the kinds its CRDs define.
type Validator struct {
	kinds map[schema.GroupVersionKind]*servedKind
}

type servedKind struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	namespaced bool
	status     bool // the status subresource is on: a create drops status
}

// New reads CRDs (YAML) and prepares a check for every served version of
// each. A CRD whose schema is not structural is an error, as the API server
// would refuse it.
func New(crds ...[]byte) (*Validator, error) {
	v := &Validator{kinds: make(map[schema.GroupVersionKind]*servedKind)}
	for _, data := range crds {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			return nil, fmt.Errorf("read CRD: %w", err)
		}
		for _, ver := range crd.Spec.Versions {
			if !ver.Served {
				continue
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
			k, err := newServedKind(&crd, ver, gvk)
			if err != nil {
				return nil, fmt.Errorf("CRD %s, version %s: %w", crd.Name, ver.Name, err)
			}
			v.kinds[gvk] = k
		}
	}
	return v, nil
}

func newServedKind(crd *apiextensionsv1.CustomResourceDefinition, ver apiextensionsv1.CustomResourceDefinitionVersion, gvk schema.GroupVersionKind) (*servedKind, error) {
	validation, err := apihelpers.GetSchemaForVersion(crd, ver.Name)
	if err != nil {
		return nil, err
	}
	if validation == nil || validation.OpenAPIV3Schema == nil {
		return nil, errors.New("no schema")
	}
	var internal apiextensions.CustomResourceValidation
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(validation, &internal, nil); err != nil {
		return nil, err
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("schema is not structural: %w", err)
	}
	if errs := structuralschema.ValidateStructural(nil, structural); len(errs) > 0 {
		return nil, fmt.Errorf("schema is not structural: %w", errs.ToAggregate())
	}
	if hasCEL(structural) {
		return nil, errors.New("the schema has x-kubernetes-validations, which this check does not run")
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	return &servedKind{
		structural: structural,
		validator:  validator,
		namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		status:     ver.Subresources != nil && ver.Subresources.Status != nil,
	}, nil
}

// hasCEL reports whether s or any schema below it has CEL rules.
func hasCEL(s *structuralschema.Structural) bool {
	if s == nil {
		return false
	}
	if len(s.XValidations) > 0 || hasCEL(s.Items) || s.AdditionalProperties != nil && hasCEL(s.AdditionalProperties.Structural) {
		return true
	}
	for _, p := range s.Properties {
		if hasCEL(&p) {
			return true
		}
	}
	return false
}

// Validate checks one resource, given as YAML or JSON, as a create request
// would, and returns an error listing every field the API server would
// refuse.
func (v *Validator) Validate(doc []byte) error {
	data, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return err
	}
	gvk := u.GroupVersionKind()
	k := v.kinds[gvk]
	if k == nil {
		return fmt.Errorf("no CRD serves %s", gvk)
	}
	var problems []string
	unknown, err := k.coerce(u)
	if err != nil {
		return err
	}
	slices.Sort(unknown)
	for _, p := range unknown {
		problems = append(problems, fmt.Sprintf("unknown field %q", p))
	}
	structuraldefaulting.Default(u.Object, k.structural)
	if k.status {
		delete(u.Object, "status") // the strategy's PrepareForCreate
	}
	for _, e := range k.validate(u) {
		problems = append(problems, e.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s %s/%s is invalid:\n  %s", gvk.Kind, u.GetNamespace(), u.GetName(), strings.Join(problems, "\n  "))
	}
	return nil
}

// UnknownFields returns the paths of the fields of a resource, given as
// YAML or JSON, that its CRD's schema does not know: what pruning drops,
// and strict field validation refuses.
func (v *Validator) UnknownFields(doc []byte) ([]string, error) {
	data, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	k := v.kinds[u.GroupVersionKind()]
	if k == nil {
		return nil, fmt.Errorf("no CRD serves %s", u.GroupVersionKind())
	}
	unknown, err := k.coerce(u)
	slices.Sort(unknown)
	return unknown, err
}

// validate is customResourceStrategy.Validate (without CEL), then the
// common metadata check rest.ValidateCreate adds when that passes.
func (k *servedKind) validate(u *unstructured.Unstructured) field.ErrorList {
	ctx := context.Background()
	var errs field.ErrorList
	metadata, ok := u.Object["metadata"].(map[string]any)
	if !ok {
		return field.ErrorList{field.Required(field.NewPath("metadata"), "")}
	}
	meta := &metav1.ObjectMeta{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(metadata, meta); err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), metadata, err.Error())}
	}
	errs = append(errs, validation.ValidateObjectMetaDeclaratively(ctx, operation.Create, meta, nil, k.namespaced, validation.NameIsDNSSubdomain, field.NewPath("metadata"), true)...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), k.validator)...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, u.Object, k.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, k.structural, u.Object)...)
	if len(errs) == 0 {
		errs = append(errs, validation.ValidateObjectMetaAccessor(u, k.namespaced, pathSegment, field.NewPath("metadata"))...)
	}
	return errs
}

// pathSegment is the API server's name rule for every resource: a name
// must be usable in a URL path.
func pathSegment(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}

// coerce prunes u as the API server's decoder does for a resource without
// x-kubernetes-preserve-unknown-fields at its root, and returns the paths
// of the fields it dropped: with fieldValidation=Strict, each is an error.
func (k *servedKind) coerce(u *unstructured.Unstructured) ([]string, error) {
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	objectMeta, foundMeta, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, err
	}
	unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, k.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, k.structural)
	ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, k.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		return nil, ferr
	}
	unknown = append(unknown, paths...)
	u.SetKind(kind)
	u.SetAPIVersion(apiVersion)
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			return nil, err
		}
	}
	return unknown, nil
}
