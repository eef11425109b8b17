package command

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
)

// Bump is `tsumiki bump` (and `go run ./cmd/bump`): it sets image
// references in an environment's configuration file,
// config/<environment>.yaml, and changes nothing else in it: comments,
// formatting and the other values stay byte for byte.
func Bump(p cli.Process) *cobra.Command {
	var (
		dir, env string
		flags    []string
	)
	cmd := &cobra.Command{
		Use:   "bump --env ENVIRONMENT --image NAME=REFERENCE...",
		Short: "Set image references in an environment's configuration file",
		Long: `Set image references in an environment's configuration file,
config/<environment>.yaml, changing nothing else in it: comments, formatting
and the other values stay byte for byte.

Each --image NAME=REFERENCE sets images.NAME. bump prints one line per image,
"old → new" or "no change", and writes the file once, atomically, only if
something changed. It never adds an image: a new one goes into the file by
hand, in a reviewed commit.

Exit codes: 0 success, changed or not; 1 an error, with the file left as it
was; 2 bad flags.`,
		Example: "  tsumiki bump --env production --image guestbook-frontend=registry.example.com/guestbook/frontend:1f2e3d4",
		RunE: func(*cobra.Command, []string) error {
			if env == "" {
				return cli.Usagef("--env is required")
			}
			images, err := parseImages(flags)
			if err != nil {
				return cli.Usage(err)
			}
			changes, err := config.SetImages(dir, env, images)
			if errors.Is(err, config.ErrUnknownEnvironment) {
				return cli.Usage(err)
			}
			if err != nil {
				return err
			}
			for _, c := range changes {
				if c.Old == c.New {
					fmt.Fprintf(p.Stdout, "%s: images.%s: no change\n", c.File, c.Name)
				} else {
					fmt.Fprintf(p.Stdout, "%s: images.%s: %s → %s\n", c.File, c.Name, c.Old, c.New)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&env, "env", "", "the `environment` to change, the name of a file in --config-dir")
	f.StringArrayVar(&flags, "image", nil, "set images.NAME to REFERENCE, as `NAME=REFERENCE` (repeatable)")
	f.StringVar(&dir, "config-dir", "config", "the `directory` of environment files")
	return cmd
}

// parseImages reads the --image flags.
func parseImages(flags []string) ([]config.Image, error) {
	if len(flags) == 0 {
		return nil, errors.New("--image is required")
	}
	var images []config.Image
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
		images = append(images, config.Image{Name: name, Reference: ref})
	}
	return images, nil
}
