// Package workload is tsumiki's library of higher-level constructs: a web
// service, a background worker, scheduled and one-off jobs, ConfigMaps,
// service accounts with their RBAC, and network policies. It plays the part
// cdk8s-plus plays for cdk8s, built only on the public API of package
// constructs and the k8s.io/api types.
//
// Every construct takes (scope, id, props), is a constructs.Construct, and
// exposes the objects it makes as typed fields (WebService.Deployment,
// WebService.Service, …), so any field the props do not cover can be set
// on the object directly. Constructors never return errors: bad props are
// recorded with Node.AddError and reported by synthesis with the
// construct's path.
//
// The pods are secure by default and each default is relaxed explicitly:
// Security relaxes the pod's (runAsNonRoot, the RuntimeDefault seccomp
// profile, no service account token) and ContainerSecurity one container's
// (read-only root file system, no privilege escalation, all capabilities
// dropped). Every container must request CPU and memory, through
// Container.Resources or Pod.DefaultResources; synthesis fails otherwise.
//
// The package never creates a Secret. Containers read existing Secrets
// through SecretRef.
//
// A web service:
//
//	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
//	workload.NewWebService(chart, "web", workload.WebServiceProps{
//		Pod: workload.Pod{Containers: []workload.Container{{
//			Image:     "ghcr.io/example/shop:1.4.2",
//			Ports:     []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
//			Resources: workload.Resources{CPU: "250m", Memory: "256Mi"},
//		}}},
//		Ingress: &workload.Ingress{Host: "shop.example.com", TLSSecret: "shop-tls"},
//	})
package workload

import "errors"

// Errors that the package's problems wrap, so callers can tell them apart
// with errors.Is.
var (
	// ErrInvalidProps wraps a problem with a construct's props: a missing
	// image, a port without a name, a file that cannot be read.
	ErrInvalidProps = errors.New("invalid props")
	// ErrMissingRequests wraps a container that requests no CPU or no
	// memory. The scheduler places such pods blindly and evicts them first.
	ErrMissingRequests = errors.New("missing resource requests")
	// ErrInconsistent wraps objects of one construct that no longer agree
	// after an edit through their fields: a selector that does not match
	// the pod labels, an autoscaler or Ingress naming a renamed object.
	ErrInconsistent = errors.New("inconsistent objects")
)
