package shop_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"gitlab.com/tsumiki/tsumiki/apps/shop"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

// TestGolden pins the shop's whole output for the fixture environments
// of testdata/config; `go test -run TestGolden -update` rewrites it.
func TestGolden(t *testing.T) {
	synthtest.Golden(t, "testdata/golden", synthtest.Synthesize(t, "testdata/config", shop.App).Files())
}

// TestDatabase checks the database is what the shop needs: a StatefulSet
// whose headless Service it names, a claim per pod, reachable from the
// storefront only.
func TestDatabase(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", shop.App))
	for _, o := range m.OfKind("StatefulSet") {
		var ss appsv1.StatefulSet
		o.Decode(t, &ss)
		svc := m.Get(t, "Service", ss.Namespace+"/"+ss.Spec.ServiceName)
		if svc.Namespace != ss.Namespace || svc.Field("spec.clusterIP") != "None" {
			t.Errorf("%s: the StatefulSet's Service is not headless:\n%s", ss.Namespace, svc.YAML)
		}
		if len(ss.Spec.VolumeClaimTemplates) != 1 || ss.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() == "0" {
			t.Errorf("%s: claims %+v", ss.Namespace, ss.Spec.VolumeClaimTemplates)
		}
	}
	policy := m.Get(t, "NetworkPolicy", "shop-db-connections-from-shop-web-c82d63fc")
	if got := policy.Field(`spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/name"]`); got != "storefront" {
		t.Errorf("the database admits %v", got)
	}
}

// TestPodsAreLockedDown checks every pod the shop runs: not as root,
// without privilege escalation, with requests.
func TestPodsAreLockedDown(t *testing.T) {
	m := synthtest.Parse(t, synthtest.Synthesize(t, "testdata/config", shop.App))
	var templates []corev1.PodTemplateSpec
	for _, o := range m.OfKind("Deployment") {
		var d appsv1.Deployment
		o.Decode(t, &d)
		templates = append(templates, d.Spec.Template)
	}
	for _, o := range m.OfKind("StatefulSet") {
		var s appsv1.StatefulSet
		o.Decode(t, &s)
		templates = append(templates, s.Spec.Template)
	}
	if len(templates) != 4 {
		t.Fatalf("%d pod templates, want 4", len(templates))
	}
	for _, tpl := range templates {
		if sc := tpl.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s: pods may run as root", tpl.Labels["app.kubernetes.io/name"])
		}
		for _, c := range tpl.Spec.Containers {
			if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
				t.Errorf("%s: may escalate privileges", c.Name)
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s: no requests", c.Name)
			}
		}
	}
}
