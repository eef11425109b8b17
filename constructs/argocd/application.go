package argocd

import (
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// ApplicationProps configures an Application.
type ApplicationProps struct {
	// Meta is the Application's metadata.
	Meta Meta
	// Cascade says whether deleting the Application deletes what it
	// deployed; CascadeNone by default.
	Cascade Cascade
	// Spec is what the Application deploys, where, and how it syncs.
	Spec Spec
}

// Application is an Argo CD Application in the construct tree. Obj is the
// object; change it freely until synthesis, which checks it as it is then.
type Application struct {
	*constructs.Object[*v1alpha1.Application]
}

// NewApplication adds an Application to scope. Bad props are reported at
// synthesis with the construct's path; see the package documentation for
// the defaults.
func NewApplication(scope constructs.Construct, id string, props ApplicationProps) *Application {
	meta, nsErr := objectMeta(scope, props.Meta, "Application")
	finalizers, cascadeErr := props.Cascade.finalizers()
	meta.Finalizers = finalizers
	a := &Application{constructs.NewObject(scope, id, &v1alpha1.Application{
		ObjectMeta: meta,
		Spec:       applicationSpec(props.Spec),
	})}
	a.Node().AddError(nsErr)
	a.Node().AddError(cascadeErr)
	a.Node().AddValidation(constructs.ValidationFunc(func() []error {
		if a.Obj == nil {
			return nil // synthesis reports the nil object
		}
		var c checker
		c.namespace("metadata.namespace", a.Obj.Namespace)
		c.applicationSpec("spec", &a.Obj.Spec)
		return c.errs
	}))
	return a
}
