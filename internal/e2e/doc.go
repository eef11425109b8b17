// Package e2e holds the end-to-end tests of the delivery loop on the
// cluster side: manifests in a git repository served over smart HTTP,
// applied by the real Flux controllers to a real kube-apiserver (package
// kubetest). They run only with TSUMIKI_E2E=1 (`make e2e`).
package e2e
