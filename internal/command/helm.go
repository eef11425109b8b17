package command

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/constructs/helm"
	"gitlab.com/tsumiki/tsumiki/internal/cli"
)

// Helm is `tsumiki helm`: the Helm charts that synthesis renders
// (constructs/helm).
func Helm(p cli.Process) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "helm",
		Short: "Manage the Helm charts synthesis renders",
	}
	cmd.AddCommand(helmLock(p))
	return cmd
}

// helmLock is `tsumiki helm lock`: record one remote chart version's
// digest in the lock file, as a synthesis with TSUMIKI_HELM_LOCK=update
// does for every chart it renders.
func helmLock(p cli.Process) *cobra.Command {
	var repo, version, lockFile string
	cmd := &cobra.Command{
		Use:   "lock CHART --version VERSION [--repo URL]",
		Short: "Record a chart version's digest in helm.lock",
		Long: `Download a chart version from an HTTP(S) chart repository or an OCI
registry into the chart cache and record the digest of its archive in the
lock file (helm.lock at the root of the Go module of the working
directory), which synthesis checks every download against. A chart already
in the lock file is checked, never replaced.

CHART is a chart name with --repo, or a full oci://host/path/name reference.
Credentials come from TSUMIKI_HELM_USERNAME_<HOST>/TSUMIKI_HELM_PASSWORD_<HOST>
or the file TSUMIKI_HELM_CREDENTIALS names; TSUMIKI_HELM_CACHE moves the cache.

Synthesizing with TSUMIKI_HELM_LOCK=update records every chart the apps
render at once.`,
		Example: `  tsumiki helm lock podinfo --repo https://stefanprodan.github.io/podinfo --version 6.5.0
  tsumiki helm lock oci://ghcr.io/stefanprodan/charts/podinfo --version 6.5.0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version == "" {
				return cli.Usagef("--version is required: the chart's exact version, such as 1.2.3")
			}
			if lockFile == "" {
				lockFile = p.Getenv(helm.EnvLockFile)
			}
			client, err := helm.NewClient(helm.ClientOptions{
				LockFile:        lockFile,
				CacheDir:        p.Getenv(helm.EnvCache),
				CredentialsFile: p.Getenv(helm.EnvCredentials),
				Getenv:          p.Getenv,
			})
			if err != nil {
				return err
			}
			props := helm.Props{Chart: args[0], Repo: repo, Version: version}
			digest, err := client.Lock(context.Background(), props)
			if err != nil {
				return err
			}
			fmt.Fprintf(p.Stdout, "%s: %s %s %s\n", client.LockFile(), args[0], version, digest)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&repo, "repo", "", "the chart repository (`URL`, https:// or oci://) CHART is in")
	f.StringVar(&version, "version", "", "the chart's exact `version`")
	f.StringVar(&lockFile, "lock-file", "", "the lock `file`; helm.lock at the module root by default")
	return cmd
}
