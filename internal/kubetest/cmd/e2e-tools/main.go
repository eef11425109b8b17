// Command e2e-tools builds the programs of the end-to-end test cluster
// (etcd, kube-apiserver and the Flux controllers) from the Go module proxy
// into the cache the tests read, $TSUMIKI_E2E_CACHE or ~/.cache/tsumiki-e2e.
// A component already there is not built again, so a second run returns at
// once; the first takes about twenty minutes on two cores.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := kubetest.Install(ctx, kubetest.InstallOptions{Log: os.Stderr}); err != nil {
		fmt.Fprintln(os.Stderr, "e2e-tools:", err)
		os.Exit(1)
	}
}
