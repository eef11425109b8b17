package command

import (
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
)

// Sync is `tsumiki sync` (and `go run ./cmd/sync`): it takes the
// synthesized manifests in dist/ to the manifests repository, on a branch
// named for the source commit, and opens or updates a GitLab merge request,
// which reviewers merge for Flux to apply. In GitLab CI it needs no
// arguments beyond --repo; flags default to the job's predefined variables.
func Sync(p cli.Process) *cobra.Command {
	var cfg deliver.Config
	var tokenFile, sshKeyFile, mode string
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Put dist/ on a branch of the manifests repository and open a GitLab merge request",
		Long: `Put the synthesized manifests in dist/ on a branch of the manifests
repository, named for the source commit, and open or update a GitLab merge
request; reviewers merge it and Flux applies it. In GitLab CI it needs no
arguments beyond --repo: flags default to the job's predefined variables.

Exit codes: 0 success (including no changes), 1 failure, 2 bad usage.`,
		Example: "  tsumiki sync --repo https://gitlab.example.com/platform/manifests.git",
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Repo, "repo", p.Env("TSUMIKI_MANIFESTS_REPO"), "manifests repository: https://…, ssh://…, git@host:group/project.git, file://… or a path (TSUMIKI_MANIFESTS_REPO)")
	f.StringVar(&cfg.GitLabURL, "gitlab-url", p.Env("CI_SERVER_URL"), "GitLab URL (CI_SERVER_URL; else from an https --repo)")
	f.StringVar(&cfg.Project, "project", "", "project ID or group/project of the manifests repository (default: from --repo)")
	f.StringVar(&cfg.Base, "base", "main", "branch of the manifests repository to change")
	f.StringVar(&cfg.Dist, "dist", "dist", "directory of synthesized manifests")
	f.StringVar(&cfg.Path, "path", "", "directory in the manifests repository that sync manages (default: the root)")
	f.StringVar(&cfg.Branch, "branch", "", "branch for the change (default: tsumiki/<short sha>)")
	f.StringArrayVar(&cfg.Keep, "keep", nil, "glob of files under --path never touched, added to "+strings.Join(deliver.DefaultKeep, ", ")+" (repeatable)")
	f.StringVar(&cfg.Title, "title", "", "merge request title and commit subject (default: the source commit's title)")
	f.StringSliceVar(&cfg.Labels, "labels", nil, "merge request labels (comma-separated)")
	f.StringSliceVar(&cfg.Assignees, "assignee", nil, "merge request assignee, user name or ID (repeatable)")
	f.StringSliceVar(&cfg.Reviewers, "reviewer", nil, "merge request reviewer, user name or ID (repeatable)")
	f.BoolVar(&cfg.Squash, "squash", false, "squash the merge request's commits on merge")
	f.BoolVar(&cfg.Draft, "draft", false, "open the merge request as a draft")
	f.BoolVar(&cfg.RemoveSourceBranch, "remove-source-branch", true, "delete the branch when the merge request is merged")
	f.BoolVar(&cfg.Supersede, "supersede", true, "close older open merge requests of tsumiki for the same base branch and path")
	f.StringVar(&mode, "mode", "mr", "mr: open a merge request; push: commit straight to --base")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "clone and print the plan; change nothing anywhere")
	f.BoolVar(&cfg.AllowMassDelete, "allow-mass-delete", false, "allow removing more than half of the objects in --path")
	f.StringVar(&cfg.Report, "report", "sync.env", "dotenv report for GitLab CI (empty: none)")
	f.StringVar(&tokenFile, "token-file", "", "file holding the GitLab token (default: GITLAB_TOKEN)")
	f.StringVar(&sshKeyFile, "ssh-key", "", "private key file for ssh repositories (default: SSH_PRIVATE_KEY)")

	cmd.RunE = func(cmd *cobra.Command, _ []string) (err error) {
		defer func() { err = cli.Masked(err, cfg.Auth.Token) }()
		cfg.Mode = deliver.Mode(mode)
		cfg.Auth.Token = p.Env("GITLAB_TOKEN")
		if tokenFile != "" {
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				return cli.Usagef("--token-file: %w", err)
			}
			cfg.Auth.Token = strings.TrimSpace(string(data))
		}
		cfg.Auth.SSHKey = []byte(p.Env("SSH_PRIVATE_KEY"))
		if sshKeyFile != "" {
			data, err := os.ReadFile(sshKeyFile)
			if err != nil {
				return cli.Usagef("--ssh-key: %w", err)
			}
			cfg.Auth.SSHKey = data
		}
		cfg.Auth.KnownHosts = []byte(p.Env("SSH_KNOWN_HOSTS"))
		cfg.Author.Name, cfg.Author.Email = p.Env("GITLAB_USER_NAME"), p.Env("GITLAB_USER_EMAIL")
		cfg.Source = deliver.Source{SHA: p.Env("CI_COMMIT_SHA"), ShortSHA: p.Env("CI_COMMIT_SHORT_SHA"), Title: p.Env("CI_COMMIT_TITLE"), ProjectURL: p.Env("CI_PROJECT_URL")}
		if cfg.Source.SHA == "" {
			src, err := deliver.SourceFromGit(".")
			if err != nil {
				return err
			}
			cfg.Source = src
		}
		if err := cfg.Validate(); err != nil {
			return usageIf(err)
		}
		if !cfg.DryRun {
			if err := cfg.CheckCredentials(p.Env("CI_JOB_TOKEN") != ""); err != nil {
				return usageIf(err)
			}
		}
		var forge deliver.Forge
		if cfg.Mode == deliver.ModeMR && !cfg.DryRun {
			c, err := gitlab.New(cfg.GitLabURL, cfg.Auth.Token, cfg.Project)
			if err != nil {
				return err
			}
			forge = c
		}
		out := &cli.MaskWriter{W: p.Stdout, Secrets: []string{cfg.Auth.Token}}
		log := slog.New(slog.NewTextHandler(&cli.MaskWriter{W: p.Stderr, Secrets: []string{cfg.Auth.Token}}, nil))
		_, err = deliver.Run(cmd.Context(), cfg, forge, out, log)
		return usageIf(err)
	}
	return cmd
}

// usageIf marks the engine's configuration errors as usage errors.
func usageIf(err error) error {
	if errors.Is(err, deliver.ErrUsage) {
		return cli.Usage(err)
	}
	return err
}
