package constructs

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// crdGroupKind is the kind of a CustomResourceDefinition.
var crdGroupKind = schema.GroupKind{Group: apiextensionsv1.GroupName, Kind: "CustomResourceDefinition"}

// crdIndex holds the CustomResourceDefinitions synthesis knows, by the
// group and kind they define.
type crdIndex map[schema.GroupKind]*knownCRD

// knownCRD is one CustomResourceDefinition and where it comes from.
type knownCRD struct {
	crd *apiextensionsv1.CustomResourceDefinition
	// from is the construct path or file:line of the definition.
	from string
	// versions holds the schemas of the served versions.
	versions map[string]*apiextensionsv1.CustomResourceValidation
	// statusSubresource per served version: status is then not the main
	// resource's to set, and is not checked.
	statusSubresource map[string]bool
}

func (c *knownCRD) clusterScoped() bool { return c.crd.Spec.Scope == apiextensionsv1.ClusterScoped }

// add records crd; the first definition of a kind wins (the app's own come
// before those of files).
func (idx crdIndex) add(crd *apiextensionsv1.CustomResourceDefinition, from string) error {
	gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
	if gk.Kind == "" || gk.Group == "" {
		// Defines nothing to check against. (The definition itself is the
		// API server's to validate, as for any built-in kind.)
		return nil
	}
	if _, ok := idx[gk]; ok {
		return nil
	}
	k := &knownCRD{crd: crd, from: from, versions: map[string]*apiextensionsv1.CustomResourceValidation{}, statusSubresource: map[string]bool{}}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		k.versions[v.Name] = v.Schema
		k.statusSubresource[v.Name] = v.Subresources != nil && v.Subresources.Status != nil
	}
	idx[gk] = k
	return nil
}

// isCRD reports whether obj is a CustomResourceDefinition, typed or not,
// without rendering it.
func isCRD(obj any) bool {
	switch o := obj.(type) {
	case *apiextensionsv1.CustomResourceDefinition:
		return o != nil
	case *unstructured.Unstructured:
		return o != nil && o.GroupVersionKind().GroupKind() == crdGroupKind
	}
	return false
}

// crdFromJSON decodes a rendered CustomResourceDefinition.
func crdFromJSON(j []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	strict, err := sigsjson.UnmarshalStrict(j, crd, sigsjson.DisallowUnknownFields)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	if err != nil {
		return nil, fmt.Errorf("%w: CustomResourceDefinition: %v", ErrInvalidObject, err)
	}
	if crd.APIVersion != apiextensionsv1.SchemeGroupVersion.String() {
		return nil, fmt.Errorf("%w: CustomResourceDefinition: apiVersion %q is not served by Kubernetes; use %s", ErrInvalidObject, crd.APIVersion, apiextensionsv1.SchemeGroupVersion)
	}
	return crd, nil
}

// readCRDFiles adds the CustomResourceDefinitions of the files the app
// names; other objects in them are skipped.
func readCRDFiles(props AppProps, idx crdIndex) []error {
	var errs []error
	for _, path := range props.CRDs {
		var data []byte
		var err error
		if props.CRDFS != nil {
			data, err = fs.ReadFile(props.CRDFS, path)
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: AppProps.CRDs: %v", ErrInvalidManifest, err))
			continue
		}
		for _, doc := range splitYAML(data) {
			at := fmt.Sprintf("%s:%d", path, doc.line)
			j, err := toJSON(doc.data)
			if err != nil {
				line, msg := yamlErrorLine(err)
				errs = append(errs, fmt.Errorf("%w: %s:%d: %s", ErrInvalidManifest, path, doc.line+line-1, msg))
				continue
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if len(j) == 0 || j[0] != '{' || json.Unmarshal(j, &head) != nil || head.Kind != crdGroupKind.Kind ||
				!strings.HasPrefix(head.APIVersion, crdGroupKind.Group+"/") {
				continue
			}
			crd, err := crdFromJSON(j)
			if err == nil {
				err = idx.add(crd, at)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", at, err))
			}
		}
	}
	return errs
}

// check validates a rendered custom resource against the schema of the
// version of c its apiVersion names, as the API server would, and returns
// one message per problem, each naming the field.
func (c *knownCRD) check(gvk schema.GroupVersionKind, doc *document.Value) []string {
	v, served := c.versions[gvk.Version]
	if !served {
		var names []string
		for name := range c.versions {
			names = append(names, name)
		}
		slices.Sort(names)
		return []string{fmt.Sprintf("apiVersion: version %q is not served by CustomResourceDefinition %s (served: %s)",
			gvk.Version, c.crd.Name, strings.Join(names, ", "))}
	}
	if v == nil || v.OpenAPIV3Schema == nil {
		return nil // a version without a schema accepts anything
	}
	sv := &schemaValidator{skipStatus: c.statusSubresource[gvk.Version]}
	sv.object("", doc, v.OpenAPIV3Schema, true)
	return sv.errs
}
