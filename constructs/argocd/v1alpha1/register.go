package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

//go:generate go run k8s.io/code-generator/cmd/deepcopy-gen@v0.37.2 --output-file zz_generated.deepcopy.go --go-header-file /dev/null .

// GroupVersion is Argo CD's API group and version.
var GroupVersion = schema.GroupVersion{Group: "argoproj.io", Version: "v1alpha1"}

// The kinds this package registers.
const (
	ApplicationKind    = "Application"
	ApplicationSetKind = "ApplicationSet"
	AppProjectKind     = "AppProject"
)

// AddToScheme registers Application, ApplicationSet and AppProject (and
// their lists) under argoproj.io/v1alpha1. Pass the scheme in
// constructs.AppProps.Scheme:
//
//	scheme := constructs.NewScheme()
//	if err := argocd.AddToScheme(scheme); err != nil { … }
//	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&Application{}, &ApplicationList{},
		&ApplicationSet{}, &ApplicationSetList{},
		&AppProject{}, &AppProjectList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
