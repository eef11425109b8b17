// Package synth runs synthesis for cmd/synth: for every environment it
// reads config/<environment>.yaml, builds the chosen apps into one
// constructs.App, and writes all environments as dist/<environment>/…, in
// one step.
package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gitlab.com/tsumiki/tsumiki/apps"
	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
)

// Options are cmd/synth's settings.
type Options struct {
	// Outdir is the directory to replace with the output.
	Outdir string
	// ConfigDir holds one <environment>.yaml per environment.
	ConfigDir string
	// Envs names the environments to synthesize; all when empty.
	Envs []string
	// Apps names the apps to synthesize; all when empty.
	Apps []string
	// Stdout prints all objects as YAML instead of writing Outdir.
	Stdout bool
}

// ErrUsage is wrapped by errors in what was asked for: an unknown app or
// environment.
var ErrUsage = errors.New("usage")

// Run synthesizes the chosen apps of registry for the chosen environments.
// It writes YAML to stdout in Stdout mode, and a one-line summary to stderr
// otherwise. Problems in any environment are reported together, and then
// nothing is written.
func Run(ctx context.Context, registry []apps.App, opts Options, stdout, stderr io.Writer) error {
	start := time.Now()
	chosen, err := choose(registry, opts.Apps)
	if err != nil {
		return err
	}
	envs, err := environments(opts)
	if err != nil {
		return err
	}

	var files []constructs.File
	var streams []byte
	var errs []error
	objects := 0
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return err
		}
		app, err := build(env, opts.ConfigDir, chosen)
		if err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
			continue
		}
		if opts.Stdout {
			data, err := app.SynthYAML()
			if err != nil {
				errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
				continue
			}
			if len(streams) > 0 {
				streams = append(streams, "---\n"...)
			}
			streams = append(streams, "# environment: "+env+"\n"...)
			streams = append(streams, data...)
			continue
		}
		out, err := app.Render()
		if err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
			continue
		}
		for _, f := range out.Files {
			f.Name = path.Join(env, f.Name)
			files = append(files, f)
		}
		objects += len(out.Documents)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if opts.Stdout {
		_, err := stdout.Write(streams)
		return err
	}
	if err := checkOutdir(opts); err != nil {
		return err
	}
	if len(opts.Envs) > 0 || len(opts.Apps) > 0 {
		// A partial run updates part of the output and keeps the rest:
		// `synth --env staging` must not delete production's manifests.
		kept, err := readOutput(opts.Outdir, files)
		if err != nil {
			return err
		}
		files = append(files, kept...)
	}
	if err := constructs.WriteDir(opts.Outdir, files); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "synthesized %s for %s into %s: %s, %s in %s\n",
		strings.Join(names(chosen), ", "), strings.Join(envs, ", "), opts.Outdir,
		plural(len(files), "file"), plural(objects, "object"), time.Since(start).Round(time.Millisecond))
	return nil
}

// build reads an environment's configuration and adds the chosen apps to a
// new constructs.App.
func build(env, configDir string, chosen []apps.App) (*constructs.App, error) {
	file, err := config.File(configDir, env)
	if err != nil {
		return nil, err
	}
	e := &apps.Environment{Name: env, File: file}
	if err := config.Load(file, e); err != nil {
		return nil, err
	}
	app := constructs.NewApp(constructs.AppProps{})
	for _, a := range chosen {
		if err := a.Add(app, e); err != nil {
			return nil, fmt.Errorf("app %s: %w", a.Name, err)
		}
	}
	return app, nil
}

// checkOutdir refuses an output directory that holds the configuration:
// it is YAML too, and replacing the output would delete it.
func checkOutdir(opts Options) error {
	out, err := filepath.Abs(opts.Outdir)
	if err != nil {
		return err
	}
	cfg, err := filepath.Abs(opts.ConfigDir)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(out, cfg); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("%w: --outdir %s holds the configuration in %s", ErrUsage, opts.Outdir, opts.ConfigDir)
	}
	return nil
}

// readOutput reads the files in outdir that the run does not write anew.
func readOutput(outdir string, written []constructs.File) ([]constructs.File, error) {
	renewed := make(map[string]bool, len(written))
	for _, f := range written {
		renewed[f.Name] = true
	}
	var kept []constructs.File
	err := filepath.WalkDir(outdir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == outdir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(outdir, p)
		if err != nil || renewed[filepath.ToSlash(rel)] {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		kept = append(kept, constructs.File{Name: filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keep the rest of %s: %w", outdir, err)
	}
	return kept, nil
}

func environments(opts Options) ([]string, error) {
	known, err := config.Environments(opts.ConfigDir)
	if err != nil {
		return nil, fmt.Errorf("read environments: %w", err)
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("no environments: add a file %s/<environment>.yaml", opts.ConfigDir)
	}
	if len(opts.Envs) == 0 {
		return known, nil
	}
	for _, e := range opts.Envs {
		if !slices.Contains(known, e) {
			return nil, fmt.Errorf("%w: unknown environment %q (known: %s)", ErrUsage, e, strings.Join(known, ", "))
		}
	}
	// In the order of config/, each once.
	var chosen []string
	for _, e := range known {
		if slices.Contains(opts.Envs, e) {
			chosen = append(chosen, e)
		}
	}
	return chosen, nil
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
			return nil, fmt.Errorf("%w: unknown app %q (known: %s)", ErrUsage, w, strings.Join(names(registry), ", "))
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
