// Package synth runs synthesis for cmd/synth: it picks apps from the
// registry, builds them into one constructs.App and writes or prints the
// result.
package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Options are cmd/synth's settings.
type Options struct {
	// Outdir is the directory to replace with the output.
	Outdir string
	// Apps names the apps to synthesize; all when empty.
	Apps []string
	// Stdout prints all objects as one YAML stream instead of writing Outdir.
	Stdout bool
}

// ErrUnknownApp is returned when Options.Apps names an app that is not
// registered.
var ErrUnknownApp = errors.New("unknown app")

// Run synthesizes the chosen apps of registry. It writes YAML to stdout in
// Stdout mode, and a one-line summary to stderr otherwise.
func Run(ctx context.Context, registry []apps.App, opts Options, stdout, stderr io.Writer) error {
	start := time.Now()
	chosen, err := choose(registry, opts.Apps)
	if err != nil {
		return err
	}
	app := constructs.NewApp(constructs.AppProps{Outdir: opts.Outdir})
	for _, a := range chosen {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := a.Add(app); err != nil {
			return fmt.Errorf("app %s: %w", a.Name, err)
		}
	}
	if opts.Stdout {
		data, err := app.SynthYAML()
		if err != nil {
			return err
		}
		_, err = stdout.Write(data)
		return err
	}
	out, err := app.Synth()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "synthesized %s into %s: %s, %s in %s\n",
		strings.Join(names(chosen), ", "), opts.Outdir,
		plural(len(out.Files), "file"), plural(out.Objects, "object"), time.Since(start).Round(time.Millisecond))
	return nil
}

func choose(registry []apps.App, want []string) ([]apps.App, error) {
	if len(want) == 0 {
		return registry, nil
	}
	var chosen []apps.App
	for _, a := range registry {
		if slices.Contains(want, a.Name) {
			chosen = append(chosen, a)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(chosen, func(a apps.App) bool { return a.Name == w }) {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownApp, w, strings.Join(names(registry), ", "))
		}
	}
	return chosen, nil
}

func names(as []apps.App) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
