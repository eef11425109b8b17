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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/internal/synth"
)

func main() {
	os.Exit(run(os.Args[1:], apps.All(), os.Stdout, os.Stderr))
}

type usageError struct{ error }

// run is the whole command, with the registry as a parameter so tests can
// bring apps that fail.
func run(args []string, registry []apps.App, stdout, stderr io.Writer) int {
	opts := synth.Options{}
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Synthesize the apps under apps/ into Kubernetes YAML",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected argument %q; choose apps with --app", args[0])}
			}
			return nil
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := synth.Run(cmd.Context(), registry, opts, stdout, stderr)
			if errors.Is(err, synth.ErrUsage) {
				return usageError{err}
			}
			return err
		},
	}
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := cmd.Flags()
	f.StringVarP(&opts.Outdir, "outdir", "o", "dist", "output `directory`, replaced as a whole")
	f.StringSliceVar(&opts.Apps, "app", nil, "synthesize only this app (repeatable, or comma-separated)")
	f.StringSliceVar(&opts.Envs, "env", nil, "synthesize only this environment (repeatable, or comma-separated)")
	f.StringVar(&opts.ConfigDir, "config", "config", "`directory` with one <environment>.yaml per environment")
	f.BoolVar(&opts.Stdout, "stdout", false, "print the YAML instead of writing the output directory")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "synth:", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'synth --help' for usage.")
		return 2
	}
	return 1
}
