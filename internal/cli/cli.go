// Package cli runs tsumiki's commands one way: flags through cobra, the
// error on stderr after the command's name, secrets masked, --version on
// every command, and exit code 0 for success, 1 for failure and 2 for usage
// errors.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Process is what a command takes from the process it runs in, besides its
// arguments. Tests pass their own.
type Process struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// OS is the running process.
func OS() Process {
	return Process{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// Env returns the first of the named variables that is set and not empty,
// or "".
func (p Process) Env(keys ...string) string {
	for _, k := range keys {
		if v := p.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// UsageError marks an error in how the command was called; Run exits 2
// for it. It is the one way commands signal a usage error.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage marks err as a usage error.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err}
}

// Usagef is Usage of fmt.Errorf.
func Usagef(format string, args ...any) error { return Usage(fmt.Errorf(format, args...)) }

// ExitError makes Run exit with Code after printing Err (if not nil). A
// command whose exit code carries meaning beyond failure, such as
// `synth --diff` (1: the outputs differ), returns one.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// Main runs the command newCmd builds for the running process and exits
// with its code.
func Main(newCmd func(Process) *cobra.Command) {
	p := OS()
	os.Exit(Run(newCmd(p), os.Args[1:], p))
}

// Run executes cmd with args until done or interrupted, prints its error,
// and returns the exit code. A command without positional arguments of
// its own (cmd.Args nil) refuses them. Every command gets --version.
func Run(cmd *cobra.Command, args []string, p Process) int {
	setUp(cmd, p)
	cmd.SetArgs(args)
	cmd.SetIn(p.Stdin)
	cmd.SetOut(p.Stdout)
	cmd.SetErr(p.Stderr)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ran, err := cmd.ExecuteContextC(ctx)
	if ran == nil {
		ran = cmd
	}
	if errors.Is(err, errVersionPrinted) {
		return ExitOK
	}
	code := ExitFailure
	var exit *ExitError
	var usage *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		code = exit.Code
		if exit.Err == nil {
			return code
		}
	case errors.As(err, &usage):
		code = ExitUsage
	}
	fmt.Fprintf(p.Stderr, "%s: %s\n", ran.CommandPath(), err)
	if code == ExitUsage && exit == nil {
		fmt.Fprintf(p.Stderr, "Run '%s --help' for usage.\n", ran.CommandPath())
	}
	return code
}

var errVersionPrinted = errors.New("version printed")

// setUp applies the rules of Run to cmd and its subcommands.
func setUp(root *cobra.Command, p Process) {
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Usage(err) })
	var version bool
	if root.PersistentFlags().Lookup("version") == nil {
		root.PersistentFlags().BoolVar(&version, "version", false, "print the version and exit")
	}
	prev := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if version {
			fmt.Fprintln(p.Stdout, VersionLine(root.Name()))
			return errVersionPrinted
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args == nil && c.Run == nil && c.RunE != nil {
			c.Args = flagsOnly
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func flagsOnly(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("unexpected argument %q; %s takes flags only", args[0], cmd.CommandPath())
	}
	return nil
}

// Masked returns err with every occurrence of the secrets in its text
// replaced by [MASKED], as GitLab masks variables in job logs, keeping err
// for errors.Is and errors.As. Nothing is meant to print a secret; this is
// the net under that rule.
func Masked(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &maskedError{err: err, secrets: secrets}
}

type maskedError struct {
	err     error
	secrets []string
}

func (e *maskedError) Error() string { return Mask(e.err.Error(), e.secrets...) }
func (e *maskedError) Unwrap() error { return e.err }

// Mask replaces every occurrence of the secrets in s with [MASKED].
// Secrets shorter than four bytes are left alone: they would mask
// innocent text and could not have been meant.
func Mask(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[MASKED]")
		}
	}
	return s
}

// MaskWriter masks the secrets in everything written through it. Writes
// must be whole lines (fmt.Fprintf of a line, one slog record), so a secret
// is never split across two writes.
type MaskWriter struct {
	W       io.Writer
	Secrets []string
}

func (m *MaskWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.W, Mask(string(p), m.Secrets...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
