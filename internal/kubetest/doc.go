// Package kubetest runs a real Kubernetes control plane for tests: etcd
// and kube-apiserver on loopback, optionally with Flux's source-,
// kustomize- and helm-controller, all built from the Go module proxy at
// pinned versions (Install, `make e2e-tools`) and cached by version.
//
// Tests that need it call Start, which skips the test unless TSUMIKI_E2E=1
// is set: a developer who does not ask for the end-to-end tests never
// builds or starts anything. Everything started is stopped, and every
// directory removed, when the test ends, passed or failed.
package kubetest
