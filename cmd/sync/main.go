// Command sync takes the synthesized manifests in dist/ to the manifests
// repository: it puts them on a branch named for the source commit and opens
// or updates a GitLab merge request, which reviewers merge for Flux to apply.
// In GitLab CI it needs no arguments beyond --repo; flags default to the
// job's predefined variables.
//
//	go run ./cmd/sync --repo https://gitlab.example.com/platform/manifests.git
//
// Exit codes: 0 success (including no changes), 1 failure, 2 bad usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole command; getenv is the environment, so tests can set it.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var cfg deliver.Config
	var tokenFile, sshKeyFile, mode string
	env := func(keys ...string) string {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				return v
			}
		}
		return ""
	}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Put dist/ on a branch of the manifests repository and open a GitLab merge request",
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Repo, "repo", env("TSUMIKI_MANIFESTS_REPO"), "manifests repository: https://…, ssh://…, git@host:group/project.git, file://… or a path (TSUMIKI_MANIFESTS_REPO)")
	f.StringVar(&cfg.GitLabURL, "gitlab-url", env("CI_SERVER_URL"), "GitLab URL (CI_SERVER_URL; else from an https --repo)")
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

	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg.Mode = deliver.Mode(mode)
		cfg.Auth.Token = env("GITLAB_TOKEN")
		if tokenFile != "" {
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				return cli.Usage(fmt.Errorf("--token-file: %w", err))
			}
			cfg.Auth.Token = strings.TrimSpace(string(data))
		}
		cfg.Auth.SSHKey = []byte(env("SSH_PRIVATE_KEY"))
		if sshKeyFile != "" {
			data, err := os.ReadFile(sshKeyFile)
			if err != nil {
				return cli.Usage(fmt.Errorf("--ssh-key: %w", err))
			}
			cfg.Auth.SSHKey = data
		}
		cfg.Auth.KnownHosts = []byte(env("SSH_KNOWN_HOSTS"))
		cfg.Author.Name, cfg.Author.Email = env("GITLAB_USER_NAME"), env("GITLAB_USER_EMAIL")
		cfg.Source = deliver.Source{SHA: env("CI_COMMIT_SHA"), ShortSHA: env("CI_COMMIT_SHORT_SHA"), Title: env("CI_COMMIT_TITLE"), ProjectURL: env("CI_PROJECT_URL")}
		if cfg.Source.SHA == "" {
			src, err := deliver.SourceFromGit(".")
			if err != nil {
				return err
			}
			cfg.Source = src
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		if !cfg.DryRun {
			if err := cfg.CheckCredentials(env("CI_JOB_TOKEN") != ""); err != nil {
				return err
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
		out := &maskWriter{w: stdout, secret: cfg.Auth.Token}
		log := slog.New(slog.NewTextHandler(&maskWriter{w: stderr, secret: cfg.Auth.Token}, nil))
		_, err := deliver.Run(cmd.Context(), cfg, forge, out, log)
		return err
	}

	return cli.Run(cmd, args, stdout, stderr, cli.Options{
		IsUsage: func(err error) bool { return errors.Is(err, deliver.ErrUsage) },
		Mask:    func(msg string) string { return mask(msg, cfg.Auth.Token) },
	})
}

// mask hides the token should any text carry it, as GitLab masks
// variables in job logs. Nothing is meant to print it; this is the net
// under that rule.
func mask(s, token string) string {
	if len(token) < 4 {
		return s
	}
	return strings.ReplaceAll(s, token, "[MASKED]")
}

// maskWriter masks the secret in everything written through it. Writes are
// whole lines (fmt.Fprintf of a line, one slog record), so a secret is never
// split across two writes.
type maskWriter struct {
	w      io.Writer
	secret string
}

func (m *maskWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, mask(string(p), m.secret)); err != nil {
		return 0, err
	}
	return len(p), nil
}
