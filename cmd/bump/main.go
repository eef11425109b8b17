// Command bump sets image references in an environment's configuration file,
// config/<environment>.yaml, and changes nothing else in it: comments,
// formatting and the other values stay byte for byte.
//
//	go run ./cmd/bump --env production --image guestbook-frontend=registry.example.com/guestbook/frontend:1f2e3d4
//
// Each --image NAME=REFERENCE sets images.NAME. bump prints one line per
// image, "old → new" or "no change", and writes the file once, atomically,
// only if something changed. It never adds an image: a new one goes into the
// file by hand, in a reviewed commit.
//
// Exit codes: 0 success, changed or not; 1 an error, with the file left as
// it was; 2 bad flags.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type usageError struct{ error }

// run is the whole command, testable without a process.
func run(args []string, stdout, stderr io.Writer) int {
	var (
		dir, env string
		images   []string
	)
	cmd := &cobra.Command{
		Use:   "bump --env ENVIRONMENT --image NAME=REFERENCE...",
		Short: "Set image references in an environment's configuration file",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected argument %q; set images with --image NAME=REFERENCE", args[0])}
			}
			return nil
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(*cobra.Command, []string) error {
			if env == "" {
				return usageError{errors.New("--env is required")}
			}
			edits, err := parseImages(images)
			if err != nil {
				return usageError{err}
			}
			return bump(dir, env, edits, stdout)
		},
	}
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := cmd.Flags()
	f.StringVar(&env, "env", "", "the `environment` to change, the name of a file in --config-dir")
	f.StringArrayVar(&images, "image", nil, "set images.NAME to REFERENCE, as `NAME=REFERENCE` (repeatable)")
	f.StringVar(&dir, "config-dir", "config", "the `directory` of environment files")

	err := cmd.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "bump:", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'bump --help' for usage.")
		return 2
	}
	return 1
}

// edit is one --image flag.
type edit struct {
	name, ref string
}

func parseImages(flags []string) ([]edit, error) {
	if len(flags) == 0 {
		return nil, errors.New("--image is required")
	}
	var edits []edit
	seen := map[string]bool{}
	for _, flag := range flags {
		name, ref, ok := strings.Cut(flag, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--image %q: want NAME=REFERENCE", flag)
		}
		if seen[name] {
			return nil, fmt.Errorf("--image %s given twice", name)
		}
		seen[name] = true
		edits = append(edits, edit{name, ref})
	}
	return edits, nil
}

// bump applies edits to environment env's file in dir, all or nothing, and
// reports each on w.
func bump(dir, env string, edits []edit, w io.Writer) error {
	for _, e := range edits {
		if err := config.ValidateImageReference(e.ref); err != nil {
			return fmt.Errorf("--image %s: %w", e.name, err)
		}
	}
	file, err := config.File(dir, env)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out := data
	var report []string
	for _, e := range edits {
		var old string
		out, old, err = config.SetString(out, []string{"images", e.name}, e.ref)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if old == e.ref {
			report = append(report, fmt.Sprintf("%s: images.%s: no change", file, e.name))
		} else {
			report = append(report, fmt.Sprintf("%s: images.%s: %s → %s", file, e.name, old, e.ref))
		}
	}
	if !bytes.Equal(out, data) {
		if err := config.WriteFile(file, out); err != nil {
			return err
		}
	}
	for _, line := range report {
		fmt.Fprintln(w, line)
	}
	return nil
}
