package guestbook_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"gitlab.com/tsumiki/tsumiki/apps/guestbook"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestGolden pins the guestbook's whole output for the fixture
// environments of testdata/config. After an intended change, run
// `go test -run TestGolden -update` here and read the diff as a reviewer of
// the manifests would.
func TestGolden(t *testing.T) {
	out := synthtest.Synthesize(t, "testdata/config", guestbook.App)
	synthtest.Golden(t, "testdata/golden", out.Files())
}

// TestConfigReachesTheOutput checks what differs between the fixture
// environments ends up where it belongs.
func TestConfigReachesTheOutput(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", guestbook.App))
	frontends := map[string]*appsv1.Deployment{}
	for _, o := range m.OfKind("Deployment") {
		if o.Name == "frontend" {
			var d appsv1.Deployment
			o.Decode(t, &d)
			frontends[d.Namespace] = &d
		}
	}
	prod, staging := frontends["guestbook"], frontends["guestbook-staging"]
	if prod == nil || staging == nil {
		t.Fatalf("frontends by namespace: %v", frontends)
	}
	if got := prod.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/guestbook/frontend:1.4.2" {
		t.Errorf("production image %s", got)
	}
	if got := staging.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/guestbook/frontend:1.5.0-rc.2" {
		t.Errorf("staging image %s", got)
	}
	for _, hpa := range m.OfKind("HorizontalPodAutoscaler") {
		min, max := hpa.Field("spec.minReplicas"), hpa.Field("spec.maxReplicas")
		switch hpa.Namespace {
		case "guestbook":
			if min != 3.0 || max != 12.0 {
				t.Errorf("production replicas %v..%v, want 3..12", min, max)
			}
		case "guestbook-staging":
			if min != 1.0 || max != 2.0 {
				t.Errorf("staging replicas %v..%v, want 1..2", min, max)
			}
		}
	}
	// The cluster's ingress namespace, a setting of the environment, opens
	// the way to the frontend.
	policy := m.Get(t, "NetworkPolicy", "frontend-from-ingress")
	if got := policy.Field(`spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]`); got != "ingress-nginx" {
		t.Errorf("the frontend admits traffic from namespace %v", got)
	}
}
