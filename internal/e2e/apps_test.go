package e2e_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/apps/echo"
	"gitlab.com/tsumiki/tsumiki/apps/guestbook"
	shopapp "gitlab.com/tsumiki/tsumiki/apps/shop"
	"gitlab.com/tsumiki/tsumiki/apps/worker"
	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
	synthpkg "gitlab.com/tsumiki/tsumiki/pkg/synth"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// podMonitorCRD serves monitoring.coreos.com/v1 PodMonitors without a
// schema: the test cluster runs no prometheus-operator, whose CRDs are not
// in its Go module, so the worker's PodMonitor is checked for its group,
// version, kind and metadata only.
const podMonitorCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: podmonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: {kind: PodMonitor, listKind: PodMonitorList, plural: podmonitors, singular: podmonitor}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`

// TestExampleAppsAccepted dry-runs the whole output of every example app,
// for every fixture environment, against a real kube-apiserver with
// strict field validation: every object must be one the API server takes
// as it is, the shop's StatefulSet, claims and budget among them.
func TestExampleAppsAccepted(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cluster.InstallCRDs(ctx, []byte(podMonitorCRD)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		app  synthpkg.Registration[apps.Environment]
	}{
		{"guestbook", guestbook.App},
		{"worker", worker.App},
		{"shop", shopapp.App},
		{"echo", echo.App},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := synthtest.Synthesize(t, "../../apps/"+c.name+"/testdata/config", c.app)
			var docs [][]byte
			for _, d := range out.Documents() {
				docs = append(docs, d.YAML)
			}
			if len(docs) == 0 {
				t.Fatal("no objects")
			}
			if err := cluster.DryRun(ctx, bytes.Join(docs, []byte("---\n"))); err != nil {
				t.Errorf("the API server refuses %s's output:\n%v", c.name, err)
			}
		})
	}
}
