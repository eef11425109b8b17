package command

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/synthchart"
)

func chartPackage(p cli.Process) *cobra.Command {
	var opts archive.Options
	var mtime string
	cmd := &cobra.Command{
		Use:   "package CHART_DIR...",
		Short: "Package chart directories into reproducible .tgz files",
		Long: `Package chart directories into <name>-<version>.tgz files in --destination.

Every file in a package carries one time: --mtime, else SOURCE_DATE_EPOCH,
else the committer time of the last commit that changed the chart directory
(git log --first-parent -1 -- DIR). So the same chart gives the same bytes
and digest from any clone on any machine, and a chart that did not change
gives the package that is already published. Files that differ from the
commit are named in a warning: such a package is not reproducible.`,
		Example: "  tsumiki chart package charts/* --destination .packages",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if mtime != "" || p.Env("SOURCE_DATE_EPOCH") != "" {
				t, err := sourceTime(p, "mtime", mtime, "")
				if err != nil {
					return err
				}
				opts.ModTime = t
			}
			for _, dir := range args {
				o := opts
				o.Dir = dir
				res, err := archive.Package(cmd.Context(), o)
				if errors.Is(err, archive.ErrNoHistory) {
					return fmt.Errorf("%w; or pass --mtime", err)
				}
				if err != nil {
					return err
				}
				if len(res.Uncommitted) > 0 {
					fmt.Fprintf(p.Stderr, "warning: %s: not as committed, so not reproducible: %s\n", dir, strings.Join(res.Uncommitted, ", "))
				}
				fmt.Fprintf(p.Stdout, "%s sha256:%s %s\n", res.Path, res.Digest, res.ModTime.Format(time.RFC3339))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.OutDir, "destination", "d", ".", "`directory` for the packages")
	f.StringVar(&opts.Version, "version", "", "set the chart's version (SemVer 2)")
	f.StringVar(&opts.AppVersion, "app-version", "", "set the chart's appVersion")
	f.StringVar(&mtime, "mtime", "", "`time` for every file: RFC 3339 or Unix seconds (default: SOURCE_DATE_EPOCH, else the chart's last commit)")
	return cmd
}

func chartFromDist(p cli.Process) *cobra.Command {
	var opts synthchart.Options
	var pkgDir, mtime string
	cmd := &cobra.Command{
		Use:   "from-dist --dist DIR --name NAME --version VERSION --out CHART_DIR",
		Short: "Make a Helm chart from synthesized manifests",
		Long: `Make a Helm chart from synthesized manifests, as cdk8s's synth --format helm
does: every *.yaml file under --dist becomes a template (documents kept as
written), CustomResourceDefinitions go to crds/. Template text in the
manifests, such as a Prometheus rule's {{ $labels.instance }}, is escaped,
so helm install and helm template give back exactly what was synthesized.

With --package DIR the chart is also packaged into DIR, stamped with
--mtime, else SOURCE_DATE_EPOCH, else CI_COMMIT_TIMESTAMP, else the time of
the last commit of the current directory.`,
		Example: "  tsumiki chart from-dist --dist dist/production --name guestbook --version 1.4.0 --app-version $CI_COMMIT_SHORT_SHA --out .charts/guestbook --package .packages",
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, req := range []struct{ flag, value string }{{"dist", opts.Dist}, {"name", opts.Name}, {"version", opts.Version}, {"out", opts.Out}} {
				if req.value == "" {
					return cli.Usagef("--%s is required", req.flag)
				}
			}
			res, err := synthchart.Write(opts)
			if errors.Is(err, synthchart.ErrOptions) {
				return cli.Usage(err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(p.Stdout, "%s: %d objects in %d templates and %d CRD files\n", opts.Out, res.Objects, len(res.Templates), len(res.CRDs))
			if pkgDir == "" {
				return nil
			}
			t, err := sourceTime(p, "mtime", mtime, ".")
			if err != nil {
				return err
			}
			pkg, err := archive.Package(cmd.Context(), archive.Options{Dir: opts.Out, OutDir: pkgDir, ModTime: t})
			if err != nil {
				return err
			}
			fmt.Fprintf(p.Stdout, "%s sha256:%s %s\n", filepath.Clean(pkg.Path), pkg.Digest, pkg.ModTime.Format(time.RFC3339))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dist, "dist", "", "`directory` of synthesized manifests, e.g. dist/production")
	f.StringVar(&opts.Name, "name", "", "chart name: lowercase letters, digits and dashes")
	f.StringVar(&opts.Version, "version", "", "chart version (SemVer 2)")
	f.StringVar(&opts.AppVersion, "app-version", "", "chart appVersion, e.g. the commit")
	f.StringVar(&opts.Description, "description", "", "chart description")
	f.StringVar(&opts.Out, "out", "", "chart `directory` to write (replaced if it is one written by from-dist)")
	f.StringVar(&pkgDir, "package", "", "also package the chart into this `directory`")
	f.StringVar(&mtime, "mtime", "", "with --package: `time` for every file, RFC 3339 or Unix seconds")
	return cmd
}
