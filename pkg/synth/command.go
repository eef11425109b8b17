package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// Main is a repository's whole cmd/synth: it runs Command for apps with
// the process's arguments and exits with its code.
//
//	func main() { synth.Main(guestbook.App, worker.App) }
func Main[E any](apps ...Registration[E]) {
	os.Exit(cli.Run(Command(apps...), os.Args[1:], cli.OS()))
}

// Command returns the synth command for apps, for programs that add
// commands or flags of their own. It writes to the command's output
// streams (cmd.SetOut, cmd.SetErr).
//
// Exit codes: 0 success, 1 synthesis or configuration errors (every
// problem is listed), 2 bad flags or unknown apps or environments. With
// --diff, as diff(1): 0 no differences, 1 differences, 2 trouble.
func Command[E any](apps ...Registration[E]) *cobra.Command {
	var (
		opts            Options
		outdir, against string
		stdout, diff    bool
	)
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Synthesize the apps into Kubernetes YAML, one folder per environment",
		Long: `Synthesize every app for every environment configured in --config-dir
(one <environment>.yaml each) into --outdir/<environment>/.

A full run replaces the output directory as a whole; a run of some
environments (--env) or apps (--app) replaces their part and keeps the rest.
The output directory is replaced atomically, never holds a mix of old and
new files, and is never replaced if it holds anything synthesis does not
write. Every problem is listed, with its construct path or its file and
line; then nothing is written.`,
		Example: `  synth                              # every app and environment into dist/
  synth --env staging                # only staging
  synth --stdout --env staging | kubectl apply --dry-run=server -f -
  synth --diff                       # what would change in dist/
  synth --diff --against ../manifests  # against a manifests checkout`,
	}
	f := cmd.Flags()
	f.StringVarP(&outdir, "outdir", "o", "dist", "output `directory`, replaced as a whole")
	f.StringSliceVar(&opts.Apps, "app", nil, "synthesize only this app (repeatable, or comma-separated)")
	f.StringSliceVar(&opts.Envs, "env", nil, "synthesize only this environment (repeatable, or comma-separated)")
	f.StringVar(&opts.ConfigDir, "config-dir", "config", "`directory` with one <environment>.yaml per environment")
	f.BoolVar(&stdout, "stdout", false, "print one environment's YAML instead of writing (several only when chosen with --env)")
	f.BoolVar(&diff, "diff", false, "print what would change in the output directory (or --against), write nothing; exit 1 if anything would")
	f.StringVar(&against, "against", "", "with --diff, compare with this `directory` instead: an output directory, or the managed path of a manifests checkout")

	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		start := time.Now()
		if err := checkFlags(cmd, opts, stdout, diff, against); err != nil {
			return err
		}
		out, err := Synthesize(cmd.Context(), apps, opts)
		if err != nil {
			err = usageIf(err)
			if diff {
				return &cli.ExitError{Code: cli.ExitUsage, Err: err}
			}
			return err
		}
		switch {
		case stdout:
			if len(out.Envs) > 1 && len(opts.Envs) == 0 {
				return cli.Usagef("--stdout prints one environment, and %s has %d (%s); choose with --env", opts.ConfigDir, len(out.Envs), strings.Join(out.Whole, ", "))
			}
			_, err := cmd.OutOrStdout().Write(stream(out))
			return err
		case diff:
			if against == "" {
				against = outdir
			}
			changes, err := out.Diff(against)
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: err}
			}
			printChanges(cmd.OutOrStdout(), against, changes)
			if len(changes) > 0 {
				return &cli.ExitError{Code: 1}
			}
			return nil
		}
		err = out.Write(outdir, WriteOptions{
			ConfigDir: opts.ConfigDir,
			Waiting:   func() { fmt.Fprintf(cmd.ErrOrStderr(), "waiting for another synth writing %s …\n", outdir) },
		})
		if errors.Is(err, ErrOutdirHoldsConfig) {
			return cli.Usagef("--outdir %s holds the configuration in %s", outdir, opts.ConfigDir)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "synthesized %s for %s into %s: %s, %s in %s\n",
			orNone(out.Apps), orNone(envNames(out)), outdir,
			plural(len(out.Files()), "file"), plural(len(out.Documents()), "object"), time.Since(start).Round(time.Millisecond))
		return nil
	}
	return cmd
}

// checkFlags refuses flags that cannot mean anything.
func checkFlags(cmd *cobra.Command, opts Options, stdout, diff bool, against string) error {
	for _, f := range []struct {
		name   string
		values []string
	}{{"env", opts.Envs}, {"app", opts.Apps}} {
		// --env '' gives no values at all: it must not mean "every one".
		empty := cmd.Flags().Changed(f.name) && len(f.values) == 0
		for _, v := range f.values {
			empty = empty || strings.TrimSpace(v) == ""
		}
		if empty {
			return cli.Usagef("--%s: empty name", f.name)
		}
	}
	switch {
	case stdout && diff:
		return cli.Usagef("--stdout and --diff do not go together")
	case against != "" && !diff:
		return cli.Usagef("--against needs --diff")
	case stdout && cmd.Flags().Changed("outdir"):
		return cli.Usagef("--stdout writes no output directory; leave out --outdir")
	}
	return nil
}

// usageIf marks the errors in what was asked for as usage errors.
func usageIf(err error) error {
	if errors.Is(err, ErrUnknownApp) || errors.Is(err, ErrUnknownEnvironment) || errors.Is(err, config.ErrUnknownEnvironment) {
		return cli.Usage(err)
	}
	return err
}

// stream is the YAML of every environment of out, each headed by a
// comment naming it when there are several.
func stream(out *Output) []byte {
	var b bytes.Buffer
	for i, e := range out.Envs {
		if len(out.Envs) > 1 {
			if i > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(&b, "# environment: %s\n", e.Name)
		}
		docs := make([][]byte, len(e.Documents))
		for j, d := range e.Documents {
			docs[j] = d.YAML
		}
		b.Write(bytes.Join(docs, []byte("---\n")))
	}
	return b.Bytes()
}

// printChanges prints the summary of a diff, then each object's diff.
func printChanges(w io.Writer, dir string, changes []manifest.Change) {
	if len(changes) == 0 {
		fmt.Fprintf(w, "no changes against %s\n", dir)
		return
	}
	n := manifest.Count(changes)
	fmt.Fprintf(w, "against %s: %d added, %d changed, %d removed\n", dir, n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	for _, c := range changes {
		fmt.Fprintf(w, "  %-7s %s\n", c.Action, c)
	}
	for _, c := range changes {
		fmt.Fprintf(w, "\n%s", c.UnifiedDiff())
	}
}

func envNames(out *Output) []string {
	names := make([]string, len(out.Envs))
	for i, e := range out.Envs {
		names[i] = e.Name
	}
	return names
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no apps"
	}
	return strings.Join(names, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
