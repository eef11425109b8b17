// Package workload is tsumiki's library of higher-level constructs: web
// services, workers, stateful sets, daemon sets, scheduled and one-off
// jobs; the Services, Ingresses, volume claims and disruption budgets
// around them; ConfigMaps, service accounts with their RBAC, and network
// policies, with Connections between workloads. It plays the part
// cdk8s-plus plays for cdk8s, built only on the public API of package
// constructs and the k8s.io/api types.
//
// Every construct takes (scope, id, props), is a constructs.Construct, and
// exposes the objects it makes as typed fields (WebService.Deployment,
// StatefulSet.Service, …), so any field the props do not cover can be set
// on the object directly. Constructors never return errors: bad props are
// recorded with Node.AddError and reported by synthesis with the
// construct's path.
//
// Every props type embeds an Identity: the Kubernetes recommended labels,
// which go on every object, and the name of the construct's objects. A
// workload's pods are selected by its name and instance labels only, which
// never change for the life of the workload; synthesis refuses a selector
// that also selects another object's pods. Generated names are the chart's
// (constructs.Chart.GenerateObjectName), so ChartProps.DisableResourceNameHashes
// applies to them.
//
// The pods are secure by default and each default is relaxed explicitly:
// Security relaxes the pod's (runAsNonRoot, the RuntimeDefault seccomp
// profile, no service account token) and ContainerSecurity one container's
// (read-only root file system, no privilege escalation, all capabilities
// dropped). Every container must request CPU and memory, through
// Container.Resources or Pod.DefaultResources; synthesis fails otherwise.
// Only a DaemonSet can reach into its node, through HostAccess.
//
// The package never creates a Secret. Containers read existing Secrets
// through SecretRef.
//
// A web service:
//
//	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
//	workload.NewWebService(chart, "web", workload.WebServiceProps{
//		Identity: workload.Identity{Name: "storefront", Instance: "shop-web", PartOf: "shop"},
//		Pod: workload.Pod{Containers: []workload.Container{{
//			Image:     "ghcr.io/example/shop:1.4.2",
//			Ports:     []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
//			Resources: workload.Resources{CPU: "250m", Memory: "256Mi"},
//		}}},
//		Ingress: &workload.Ingress{Host: "shop.example.com", TLSSecret: "shop-tls"},
//	})
//
// Example (Postgres) shows a database as a StatefulSet that only a web
// service may reach.
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
	// ErrSelectorConflict wraps a selector that also selects the pods of
	// another object in its namespace.
	ErrSelectorConflict = errors.New("selector conflict")
	// ErrHostAccess wraps host access (hostNetwork, hostPID, hostPath)
	// that the namespace's Pod Security Standard forbids.
	ErrHostAccess = errors.New("host access refused")
)
