package kubetest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestDryRun proves the API server checks what it is given: a valid
// object passes, an unknown field and a bad name fail with the object
// named, and a dry run leaves nothing behind.
func TestDryRun(t *testing.T) {
	c := kubetest.Start(t, kubetest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	good := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  a: b\n"
	if err := c.DryRun(ctx, []byte(good)); err != nil {
		t.Fatalf("valid ConfigMap refused: %v", err)
	}
	if _, err := c.Client().CoreV1().ConfigMaps("shop").Get(ctx, "settings", metav1.GetOptions{}); err == nil {
		t.Error("a dry run stored the ConfigMap")
	}

	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: shop\ndatta:\n  a: b\n", "datta: field not declared in schema"},
		{"bad name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n  namespace: shop\n", "Not_A_Name"},
		{"unknown kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", "Widget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.DryRun(ctx, []byte(good+"---\n"+tt.doc))
			var ae *kubetest.ApplyError
			if !errors.As(err, &ae) || ae.Index != 1 {
				t.Fatalf("DryRun = %v, want an *ApplyError for object 1", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DryRun error %q does not mention %q", err, tt.want)
			}
		})
	}
}
