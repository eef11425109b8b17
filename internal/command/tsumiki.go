// Package command holds the commands of the tsumiki CLI, each a
// *cobra.Command built for a cli.Process: `tsumiki` itself, and `sync` and
// `bump`, which cmd/sync and cmd/bump also run on their own.
package command

import (
	"fmt"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
)

// Tsumiki is the tsumiki command: everything that is not specific to a
// repository's apps (synthesis is: each repository has its own
// cmd/synth).
func Tsumiki(p cli.Process) *cobra.Command {
	root := &cobra.Command{
		Use:   "tsumiki",
		Short: "Kubernetes manifests from Go constructs, delivered by merge request",
		Long: `tsumiki delivers Kubernetes manifests synthesized from Go constructs.

A repository's own cmd/synth (go run ./cmd/synth) writes dist/; tsumiki
starts such a repository, updates its configuration and takes dist/ to the
manifests repository that Flux applies.`,
	}
	root.AddCommand(Init(p), Sync(p), Bump(p), Helm(p), Chart(p), Version(p))
	return root
}

// Version is `tsumiki version`: the module version and VCS revision the
// binary was built from.
func Version(p cli.Process) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(p.Stdout, cli.VersionLine(cmd.Root().Name()))
			return nil
		},
	}
}
