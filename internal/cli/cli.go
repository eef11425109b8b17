// Package cli runs tsumiki's commands one way: flags through cobra, no
// positional arguments, the error on stderr after the command's name, and
// exit code 0 for success, 1 for failure and 2 for usage errors.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// UsageError marks an error in how the command was called; Run exits 2 for
// it.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usage marks err as a usage error.
func Usage(err error) error { return UsageError{err} }

// Options tunes Run.
type Options struct {
	// IsUsage reports errors of the command's own that are usage errors,
	// beyond those marked with Usage.
	IsUsage func(error) bool
	// Mask rewrites the error's text before it is printed, to hide secrets.
	Mask func(string) string
}

// Run executes cmd with args until done or interrupted, prints its error,
// and returns the exit code.
func Run(cmd *cobra.Command, args []string, stdout, stderr io.Writer, opts Options) int {
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if cmd.Args == nil {
		cmd.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return Usage(fmt.Errorf("unexpected argument %q; %s takes flags only", args[0], cmd.Name()))
			}
			return nil
		}
	}
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Usage(err) })

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	msg := err.Error()
	if opts.Mask != nil {
		msg = opts.Mask(msg)
	}
	fmt.Fprintf(stderr, "%s: %s\n", cmd.Name(), msg)
	var ue UsageError
	if errors.As(err, &ue) || (opts.IsUsage != nil && opts.IsUsage(err)) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.Name())
		return 2
	}
	return 1
}
