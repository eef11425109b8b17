package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"synth": func() { os.Exit(run(os.Args[1:], apps.All(), os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command end to end: each testdata/script/*.txtar is
// a shell-like script that runs synth and checks its output and exit code.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

func TestExitCodes(t *testing.T) {
	broken := []apps.App{{Name: "broken", Add: func(app *constructs.App, _ *apps.Environment) error {
		chart := constructs.NewChart(app, "broken", constructs.ChartProps{})
		constructs.NewObject(chart, "a", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name"}})
		constructs.NewObject(chart, "b", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k": "bad value!"}}})
		return nil
	}}}
	tests := []struct {
		name     string
		args     []string
		registry []apps.App
		code     int
		stderr   []string
	}{
		{"ok", nil, apps.All(), 0, []string{"synthesized guestbook, worker for production, staging"}},
		{"bad flag", []string{"--nope"}, apps.All(), 2, []string{"unknown flag"}},
		{"unknown app", []string{"--app", "x"}, apps.All(), 2, []string{`unknown app "x"`}},
		// Each environment reports its problems.
		{"synthesis errors", nil, broken, 1, []string{"environment staging: synthesis failed: 2 problems", "environment production: synthesis failed", "broken/a: invalid name", "broken/b: invalid label"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dist")
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"--outdir", dir, "--config-dir", "../../config"}, tt.args...), tt.registry, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if _, err := os.Stat(dir); (err == nil) != (tt.code == 0) {
				t.Errorf("output directory exists = %v after exit %d", err == nil, code)
			}
		})
	}
}
