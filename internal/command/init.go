package command

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/internal/starter"
)

// Init is `tsumiki init DIR --module MODULE`: it writes a new repository
// of apps on the framework, in which `go run ./cmd/synth` and `make test`
// pass at once.
func Init(p cli.Process) *cobra.Command {
	var opts starter.Options
	var skipGo bool
	cmd := &cobra.Command{
		Use:   "init DIR --module MODULE",
		Short: "Start a repository of apps: an example app, two environments, cmd/synth, a pipeline",
		Long: `Write a new repository of apps into DIR, which must not exist or be empty:
apps/ with an example app and its tests, config/ with two environments,
cmd/synth/main.go, the pipeline (.gitlab-ci.yml, or with --forge github
.github/workflows/manifests.yml), Makefile, README.md and .gitignore. Then
run go mod tidy and write the example app's golden files, so that
go run ./cmd/synth and make test pass at once.`,
		Example: "  tsumiki init shop --module gitlab.example.com/platform/shop",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cli.Usagef("init takes one argument, the directory to write, not %d", len(args))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Module, "module", "", "module path of the new repository (required)")
	f.StringVar(&opts.Version, "tsumiki-version", "", "framework version go.mod requires (default: this tsumiki's)")
	f.StringVar(&opts.Framework, "framework", "", "use the framework checkout in this `directory` instead of a published version (a replace directive)")
	f.StringVar(&opts.Forge, "forge", "gitlab", "where the repository lives, for its pipeline: gitlab (.gitlab-ci.yml) or github (.github/workflows/)")
	f.BoolVar(&skipGo, "skip-go", false, "only write the files; run go mod tidy and write the golden files yourself")

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		dir := args[0]
		if opts.Module == "" {
			return cli.Usagef("--module is required")
		}
		if opts.Version == "" {
			opts.Version = defaultVersion(opts.Framework != "")
			if opts.Version == "" {
				return cli.Usagef("this tsumiki is a development build (%s), so it cannot name a published version of the framework: pass --tsumiki-version, or --framework with a checkout", cli.ReadBuildInfo().Version)
			}
		}
		written, err := starter.Write(dir, opts)
		if err != nil {
			return cli.Usage(err)
		}
		fmt.Fprintf(p.Stdout, "wrote %d files into %s\n", len(written), dir)
		if !skipGo {
			for _, args := range [][]string{{"mod", "tidy"}, {"test", "./apps/...", "-run", "^TestGolden$", "-update"}} {
				fmt.Fprintf(p.Stdout, "go %s\n", strings.Join(args, " "))
				if err := goCommand(cmd.Context(), dir, p.Stderr, args...); err != nil {
					return fmt.Errorf("go %s in %s: %w (the files are written; fix the cause and run it again)", strings.Join(args, " "), dir, err)
				}
			}
		}
		fmt.Fprintf(p.Stdout, "\nNext:\n  cd %s\n  go run ./cmd/synth   # synthesize into dist/\n  make test\n", dir)
		return nil
	}
	return cmd
}

// defaultVersion is the framework version this binary was built from, if
// it is a published one ("" for a development build), or v0.0.0 for a
// repository that replaces the framework with a checkout anyway.
func defaultVersion(replaced bool) string {
	info := cli.ReadBuildInfo()
	v := info.Version
	if info.Path != cli.Module {
		v = info.Framework
	}
	if strings.HasPrefix(v, "v") && !strings.HasSuffix(v, "+dirty") {
		return v
	}
	if replaced {
		return "v0.0.0"
	}
	return ""
}

// goCommand runs the go command in dir, its output going to w.
func goCommand(ctx context.Context, dir string, w io.Writer, args ...string) error {
	c := exec.CommandContext(ctx, "go", args...)
	c.Dir = dir
	c.Stdout, c.Stderr = w, w
	return c.Run()
}
