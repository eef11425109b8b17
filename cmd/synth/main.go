// Command synth turns the apps under apps/ into Kubernetes YAML, one folder
// per environment configured in config/: dist/<environment>/….
//
//	go run ./cmd/synth                       # every app and environment
//	go run ./cmd/synth --env staging         # only staging
//	go run ./cmd/synth --app guestbook       # only the guestbook
//	go run ./cmd/synth --stdout              # print instead of writing
//
// Exit codes: 0 success, 1 synthesis failed (every problem is listed),
// 2 bad flags.
package main

import (
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

func main() {
	os.Exit(run(os.Args[1:], apps.All(), os.Stdout, os.Stderr))
}

// run is the whole command, with the registry as a parameter so tests can
// bring apps that fail.
func run(args []string, registry []apps.App, stdout, stderr io.Writer) int {
	opts := synth.Options{}
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Synthesize the apps under apps/ into Kubernetes YAML, one folder per environment",
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := synth.Run(cmd.Context(), registry, opts, stdout, stderr)
			if errors.Is(err, synth.ErrUsage) {
				return cli.Usage(err)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Outdir, "outdir", "o", "dist", "output `directory`, replaced as a whole")
	f.StringSliceVar(&opts.Apps, "app", nil, "synthesize only this app (repeatable, or comma-separated)")
	f.StringSliceVar(&opts.Envs, "env", nil, "synthesize only this environment (repeatable, or comma-separated)")
	f.StringVar(&opts.ConfigDir, "config-dir", "config", "`directory` with one <environment>.yaml per environment")
	f.BoolVar(&opts.Stdout, "stdout", false, "print the YAML instead of writing the output directory")
	return cli.Run(cmd, args, cli.Process{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}
