package flux_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/internal/kubetest"
)

// TestAPIServerAccepts proves that Flux's own CRDs accept what the
// constructs render, field for field: a server-side dry run with strict
// field validation refuses unknown fields, wrong types, values outside
// the CRDs' enums and patterns, and failed CEL rules. It runs with
// TSUMIKI_E2E=1.
func TestAPIServerAccepts(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{FluxCRDs: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tt := range []struct {
		name string
		add  func(*constructs.App)
	}{
		{"defaults", defaults},
		{"everything", everything},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(t)
			tt.add(app)
			out, err := app.SynthYAML()
			if err != nil {
				t.Fatal(err)
			}
			if err := cluster.DryRun(ctx, out); err != nil {
				t.Errorf("the API server refuses the output: %v", err)
			}
		})
	}
	// The check can fail: a misspelt field is refused.
	app := newApp(t)
	defaults(app)
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	typo := strings.Replace(string(out), "  prune: true", "  prunne: true", 1)
	if err := cluster.DryRun(ctx, []byte(typo)); err == nil || !strings.Contains(err.Error(), "prunne") {
		t.Errorf("a misspelt field passed the dry run: %v", err)
	}
}
