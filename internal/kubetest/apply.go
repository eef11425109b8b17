package kubetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
)

// ApplyOptions configures Apply.
type ApplyOptions struct {
	// DryRun asks the API server to validate and admit every object
	// without storing it (dryRun=All).
	DryRun bool
	// CreateNamespaces creates, for real, every namespace the objects are
	// in before applying them. A dry run stores no Namespace object, so
	// without it the namespaced objects of a dry run fail unless their
	// namespace exists.
	CreateNamespaces bool
	// FieldManager of the apply; "kubetest" if empty.
	FieldManager string
}

// ApplyError is one object the API server refused.
type ApplyError struct {
	// Index is the object's place in the stream, from 0.
	Index int
	// Kind, Namespace and Name identify the object.
	Kind, Namespace, Name string
	// Err is the API server's answer.
	Err error
}

func (e *ApplyError) Error() string {
	id := e.Name
	if e.Namespace != "" {
		id = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("object %d, %s %s: %v", e.Index, e.Kind, id, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply applies a stream of YAML or JSON documents server-side, with
// strict field validation (an unknown or duplicated field is an error),
// Namespaces and CustomResourceDefinitions first as Flux does. It returns
// every refusal, each an *ApplyError, joined.
func (c *Cluster) Apply(ctx context.Context, manifests []byte, opts ApplyOptions) error {
	if opts.FieldManager == "" {
		opts.FieldManager = "kubetest"
	}
	objs, err := Decode(manifests)
	if err != nil {
		return err
	}
	order := make([]int, len(objs))
	for i := range order {
		order[i] = i
	}
	first := func(o *unstructured.Unstructured) bool {
		return o.GetKind() == "Namespace" || o.GetKind() == "CustomResourceDefinition"
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch fa, fb := first(objs[a]), first(objs[b]); {
		case fa && !fb:
			return -1
		case fb && !fa:
			return 1
		}
		return 0
	})
	if opts.CreateNamespaces {
		for _, o := range objs {
			if ns := o.GetNamespace(); ns != "" {
				if err := c.CreateNamespace(ctx, ns); err != nil {
					return err
				}
			}
		}
	}
	var errs []error
	for _, i := range order {
		o := objs[i]
		if err := c.applyOne(ctx, o, opts); err != nil {
			errs = append(errs, &ApplyError{Index: i, Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName(), Err: err})
		}
	}
	return errors.Join(errs...)
}

// InstallCRDs applies the CustomResourceDefinitions in manifests and waits
// until the API server serves them.
func (c *Cluster) InstallCRDs(ctx context.Context, manifests []byte) error {
	if err := c.Apply(ctx, manifests, ApplyOptions{}); err != nil {
		return err
	}
	return c.waitEstablished(ctx, manifests, time.Minute)
}

// DryRun validates manifests against the API server without storing
// anything but the namespaces they name: Apply with DryRun and
// CreateNamespaces. It is how a test proves the server accepts its output.
func (c *Cluster) DryRun(ctx context.Context, manifests []byte) error {
	return c.Apply(ctx, manifests, ApplyOptions{DryRun: true, CreateNamespaces: true})
}

func (c *Cluster) applyOne(ctx context.Context, o *unstructured.Unstructured, opts ApplyOptions) error {
	ri, err := c.resource(o)
	if err != nil {
		return err
	}
	data, err := json.Marshal(o.Object)
	if err != nil {
		return err
	}
	po := metav1.PatchOptions{FieldManager: opts.FieldManager, Force: ptr(true), FieldValidation: "Strict"}
	if opts.DryRun {
		po.DryRun = []string{metav1.DryRunAll}
	}
	_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, po)
	return err
}

// resource returns the client for o's kind, rediscovering the API once
// when the kind is new (a CRD applied a moment ago).
func (c *Cluster) resource(o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := o.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		return c.dynamic.Resource(m.Resource).Namespace(ns), nil
	}
	return c.dynamic.Resource(m.Resource), nil
}

// Decode reads a stream of YAML or JSON documents into objects, skipping
// empty documents.
func Decode(manifests []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifests), 4096)
	var out []*unstructured.Unstructured
	for i := 0; ; i++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("document %d: no apiVersion and kind", i)
		}
		out = append(out, u)
	}
}

func ptr[T any](v T) *T { return &v }
