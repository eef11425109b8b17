package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var errOwnUsage = errors.New("own usage problem")

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		runErr error
		code   int
		stderr string
	}{
		{"success", nil, nil, 0, ""},
		{"failure", nil, errors.New("it broke: secret-value"), 1, "demo: it broke: [MASKED]\n"},
		{"marked usage", nil, Usage(errors.New("--x is required")), 2, "demo: --x is required\nRun 'demo --help' for usage.\n"},
		{"own usage", nil, errOwnUsage, 2, "demo: own usage problem\nRun 'demo --help' for usage.\n"},
		{"bad flag", []string{"--nope"}, nil, 2, "demo: unknown flag: --nope\nRun 'demo --help' for usage.\n"},
		{"argument", []string{"extra"}, nil, 2, "demo: unexpected argument \"extra\"; demo takes flags only\nRun 'demo --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := &cobra.Command{Use: "demo", RunE: func(*cobra.Command, []string) error { return tt.runErr }}
			var stdout, stderr bytes.Buffer
			code := Run(cmd, tt.args, &stdout, &stderr, Options{
				IsUsage: func(err error) bool { return errors.Is(err, errOwnUsage) },
				Mask:    func(s string) string { return strings.ReplaceAll(s, "secret-value", "[MASKED]") },
			})
			if code != tt.code || stderr.String() != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}
