package cli

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		runErr error
		code   int
		stdout string
		stderr string
	}{
		{"success", nil, nil, 0, "", ""},
		{"failure", nil, Masked(errors.New("it broke: secret-value"), "secret-value"), 1, "", "demo: it broke: [MASKED]\n"},
		{"usage", nil, Usagef("--x is required"), 2, "", "demo: --x is required\nRun 'demo --help' for usage.\n"},
		{"masked usage", nil, Masked(Usagef("bad --token secret-value"), "secret-value"), 2, "", "demo: bad --token [MASKED]\nRun 'demo --help' for usage.\n"},
		{"wrapped usage", nil, fmt.Errorf("context: %w", Usagef("--x is required")), 2, "", "demo: context: --x is required\nRun 'demo --help' for usage.\n"},
		{"exit code", nil, &ExitError{Code: 1}, 1, "", ""},
		{"exit code with message", nil, &ExitError{Code: 2, Err: errors.New("trouble")}, 2, "", "demo: trouble\n"},
		{"bad flag", []string{"--nope"}, nil, 2, "", "demo: unknown flag: --nope\nRun 'demo --help' for usage.\n"},
		{"argument", []string{"extra"}, nil, 2, "", "demo: unexpected argument \"extra\"; demo takes flags only\nRun 'demo --help' for usage.\n"},
		{"version", []string{"--version"}, errors.New("must not run"), 0, "demo ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := &cobra.Command{Use: "demo", RunE: func(*cobra.Command, []string) error { return tt.runErr }}
			var stdout, stderr bytes.Buffer
			code := Run(cmd, tt.args, Process{Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
			if code != tt.code || stderr.String() != tt.stderr || !strings.HasPrefix(stdout.String(), tt.stdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q…, %q", code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestSubcommands(t *testing.T) {
	root := &cobra.Command{Use: "tool"}
	root.AddCommand(&cobra.Command{Use: "do", RunE: func(*cobra.Command, []string) error { return Usagef("--what is required") }})
	var stdout, stderr bytes.Buffer
	p := Process{Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
	if code := Run(root, []string{"do"}, p); code != 2 || stderr.String() != "tool do: --what is required\nRun 'tool do --help' for usage.\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := Run(root, []string{"do", "--version"}, p); code != 0 || !strings.HasPrefix(stdout.String(), "tool ") {
		t.Errorf("do --version: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"installed", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.3.0"}}, "gitlab.com/tsumiki/tsumiki v0.3.0"},
		{"checkout", debug.BuildInfo{
			Main: debug.Module{Path: Module, Version: "v0.3.1-0.20261201090000-0123456789ab+dirty"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				{Key: "vcs.time", Value: "2026-12-01T09:00:00Z"},
				{Key: "vcs.modified", Value: "true"},
			}},
			"gitlab.com/tsumiki/tsumiki v0.3.1-0.20261201090000-0123456789ab+dirty, revision 0123456789ab, 2026-12-01T09:00:00Z, modified"},
		{"team repository", debug.BuildInfo{
			Main: debug.Module{Path: "example.com/platform", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "k8s.io/api", Version: "v0.37.2"}, {Path: Module, Version: "v0.3.0", Replace: &debug.Module{Path: "../tsumiki"}}},
		}, "example.com/platform (devel); tsumiki v0.3.0 => ../tsumiki"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildInfo(&tt.bi).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
