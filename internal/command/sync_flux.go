package command

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
)

// fluxFlags adds the flags of the check that builds, before anything is
// committed, every path Flux applies from the new tree.
func fluxFlags(cmd *cobra.Command, cfg *deliver.Config) {
	f := cmd.Flags()
	f.StringArrayVar(&cfg.FluxPaths, "flux-path", nil, "a path of the repository Flux applies, built before the commit as Flux will build it, besides those of the Kustomizations under <path>/clusters/ (repeatable; default when there are none: --path)")
	f.BoolVar(&cfg.AllowJSON, "allow-json", false, "allow .json manifests in a path Flux builds without a kustomization.yaml, where Flux does not apply them")
}

// fluxError words the Flux check's refusals in terms of the flags and
// what to change, or returns nil for any other error.
func fluxError(err error) error {
	var build *deliver.FluxBuildError
	var json *deliver.UnappliedJSONError
	switch {
	case errors.As(err, &json):
		return fmt.Errorf("%w; rename them to .yaml, list them in a kustomization.yaml, or pass --allow-json", err)
	case errors.As(err, &build) && build.Reason == deliver.ReasonArtifactFailed:
		return fmt.Errorf("%w; Flux would apply nothing from it: fix the Kustomization's spec.path, or --flux-path", err)
	case errors.As(err, &build) && build.File != "":
		return fmt.Errorf("%w; Flux would apply nothing from %s until %s builds: %s", err, fluxPath(build.Path), build.File, fluxFileAdvice(build.File))
	case errors.As(err, &build):
		return fmt.Errorf("%w; Flux would apply nothing from %s until it builds", err, fluxPath(build.Path))
	}
	return nil
}

// fluxFileAdvice says how to keep a file out of Flux's way.
func fluxFileAdvice(file string) string {
	if !strings.HasPrefix(path.Base(file), ".") {
		return "fix it, or move it out of the path"
	}
	return "move it out of the path, or leave it out of Flux's artifact with a .sourceignore pattern or the GitRepository's spec.ignore " +
		"(a .sourceignore anywhere in the repository switches off source-controller's default exclusions, such as .gitlab-ci.yml and .sops.yaml, " +
		"unless the GitRepository's spec.ignore lists them, as constructs/flux writes it)"
}

func fluxPath(p string) string {
	if p == "" {
		return "the repository root"
	}
	return p
}

// printFlux tells which paths were built as Flux builds them.
func printFlux(out io.Writer, res *deliver.Result) {
	if len(res.Flux) == 0 {
		return
	}
	parts := make([]string, len(res.Flux))
	for i, b := range res.Flux {
		parts[i] = fmt.Sprintf("%s (%d %s)", fluxPath(b.Path), b.Objects, map[bool]string{true: "object", false: "objects"}[b.Objects == 1])
	}
	fmt.Fprintf(out, "flux: builds %s\n", strings.Join(parts, ", "))
}
