package flux

import (
	"k8s.io/apimachinery/pkg/runtime"

	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/helmv2"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// AddToScheme registers the Flux types of this package in s, so that an
// app given s renders them with their apiVersion and kind:
//
//	scheme := constructs.NewScheme()
//	if err := flux.AddToScheme(scheme); err != nil { … }
//	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{sourcev1.AddToScheme, kustomizev1.AddToScheme, helmv2.AddToScheme} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}
