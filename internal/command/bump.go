package command

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
)

// Bump is `tsumiki bump` (and `go run ./cmd/bump`): it sets image
// references in an environment's configuration file,
// config/<environment>.yaml, or strings anywhere in any YAML file, and
// changes nothing else in it: comments, formatting and the other values
// stay byte for byte.
func Bump(p cli.Process) *cobra.Command {
	var (
		dir, env, file, report string
		images, sets           []string
		dryRun                 bool
	)
	cmd := &cobra.Command{
		Use:   "bump (--env ENVIRONMENT --image NAME=REFERENCE... | --file FILE --set PATH=VALUE...)",
		Short: "Set image references in an environment's configuration, or values in a YAML file",
		Long: `Set image references in an environment's configuration file,
config/<environment>.yaml (--env, --image), or string values anywhere in a
YAML file (--file, --set), changing nothing else in it: comments, quoting,
order and formatting stay byte for byte.

Each --image NAME=REFERENCE sets images.NAME, checked as an image reference
that pins an image (a tag or a digest). Each --set PATH=VALUE sets the string
at PATH: keys separated by dots, list indexes in brackets, other keys quoted,
as in .front.imageTag, spec.containers[0].image or metadata.labels."app.kubernetes.io/version".

bump prints one line per value, "old → new" or "no change", and writes the
file once, atomically, only if something changed; --report FILE says which
(TSUMIKI_CHANGED=true or false), so a pipeline commits and pushes only when
the file changed, without running git diff. It never adds a key:
a new one goes into the file by hand, in a reviewed commit. --dry-run prints
the change as a diff and writes nothing.

Exit codes: 0 success, changed or not; 1 an error, with the file left as it
was; 2 bad flags.`,
		Example: `  tsumiki bump --env production --image guestbook-frontend=registry.example.com/guestbook/frontend:1f2e3d4
  tsumiki bump --file main/values.yaml --set .front.imageTag=1f2e3d4`,
		RunE: func(*cobra.Command, []string) error {
			edit, err := bumpEdit(dir, env, file, images, sets)
			if err != nil {
				return err
			}
			for _, c := range edit.Changes {
				if c.Old == c.New {
					fmt.Fprintf(p.Stdout, "%s: %s: no change\n", edit.File, c.Path)
				} else {
					fmt.Fprintf(p.Stdout, "%s: %s: %s → %s\n", edit.File, c.Path, c.Old, c.New)
				}
			}
			if dryRun {
				fmt.Fprint(p.Stdout, edit.Diff())
				return writeBumpReport(report, edit)
			}
			if err := edit.Write(); err != nil {
				return err
			}
			return writeBumpReport(report, edit)
		},
	}
	f := cmd.Flags()
	f.StringVar(&env, "env", "", "the `environment` to change, the name of a file in --config-dir")
	f.StringArrayVar(&images, "image", nil, "set images.NAME to REFERENCE, as `NAME=REFERENCE` (repeatable)")
	f.StringVar(&dir, "config-dir", "config", "the `directory` of environment files")
	f.StringVar(&file, "file", "", "the YAML `file` to change with --set")
	f.StringArrayVar(&sets, "set", nil, "set the string at PATH to VALUE, as `PATH=VALUE` (repeatable)")
	f.BoolVar(&dryRun, "dry-run", false, "print the change as a diff; write nothing")
	f.StringVar(&report, "report", "", "write TSUMIKI_CHANGED=true or false and TSUMIKI_FILE to this dotenv `file`, such as \"$GITHUB_OUTPUT\" (a step's outputs) or a GitLab CI dotenv report")
	return cmd
}

// writeBumpReport tells a pipeline whether bump changed the file, so that
// it commits and pushes only then.
func writeBumpReport(path string, edit *config.Edit) error {
	if path == "" {
		return nil
	}
	data := fmt.Sprintf("TSUMIKI_CHANGED=%t\nTSUMIKI_FILE=%s\n", edit.Changed(), edit.File)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}

// bumpEdit makes the edit the flags ask for, in memory.
func bumpEdit(dir, env, file string, images, sets []string) (*config.Edit, error) {
	switch {
	case file != "" && (env != "" || len(images) > 0):
		return nil, cli.Usagef("--file and --set do not go with --env and --image")
	case file != "":
		if len(sets) == 0 {
			return nil, cli.Usagef("--set is required with --file")
		}
		var ss []config.Set
		for _, s := range sets {
			set, err := parseSet(s)
			if err != nil {
				return nil, cli.Usage(err)
			}
			ss = append(ss, set)
		}
		return config.EditFile(file, ss)
	case len(sets) > 0:
		return nil, cli.Usagef("--set needs --file; for an environment's images use --env and --image")
	case env == "":
		return nil, cli.Usagef("--env (with --image) or --file (with --set) is required")
	}
	imgs, err := parseImages(images)
	if err != nil {
		return nil, cli.Usage(err)
	}
	edit, err := config.EditImages(dir, env, imgs)
	if errors.Is(err, config.ErrUnknownEnvironment) {
		return nil, cli.Usage(err)
	}
	return edit, err
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
		if err := config.ValidateImageReference(ref); err != nil {
			return nil, fmt.Errorf("--image %s: %w", name, err)
		}
		seen[name] = true
		images = append(images, config.Image{Name: name, Reference: ref})
	}
	return images, nil
}

// parseSet reads a --set flag, PATH=VALUE: the path ends at the first "="
// outside a quoted key.
func parseSet(flag string) (config.Set, error) {
	quoted := false
	for i := 0; i < len(flag); i++ {
		switch c := flag[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '=' && !quoted:
			path, err := config.ParsePath(flag[:i])
			if err != nil {
				return config.Set{}, fmt.Errorf("--set %q: %w", flag, err)
			}
			return config.Set{Path: path, Value: flag[i+1:]}, nil
		}
	}
	return config.Set{}, fmt.Errorf("--set %q: want PATH=VALUE", flag)
}
