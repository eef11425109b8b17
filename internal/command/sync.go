package command

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// Sync is `tsumiki sync` (and `go run ./cmd/sync`): it takes the
// synthesized manifests in dist/ to the manifests repository, on a branch
// named for the source commit, and opens or updates a GitLab merge request,
// which reviewers merge for Flux to apply. In GitLab CI it needs no
// arguments beyond --repo; flags default to the job's predefined variables.
func Sync(p cli.Process) *cobra.Command {
	var cfg deliver.Config
	var tokenFile, sshKeyFile, mode, report string
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Put dist/ on a branch of the manifests repository and open a GitLab merge request",
		Long: `Put the synthesized manifests in dist/ on a branch of the manifests
repository, named for the source commit, and open or update a GitLab merge
request; reviewers merge it and Flux applies it. In GitLab CI it needs no
arguments beyond --repo: flags default to the job's predefined variables.

It writes the dotenv report (--report) on every outcome, with
TSUMIKI_STATUS saying which.

Exit codes: 0 success (including no changes), 1 failure, 2 bad usage.`,
		Example: "  tsumiki sync --repo https://gitlab.example.com/platform/manifests.git",
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Repo, "repo", p.Env("TSUMIKI_MANIFESTS_REPO"), "manifests repository: https://…, ssh://…, git@host:group/project.git, file://… or a path (TSUMIKI_MANIFESTS_REPO)")
	f.StringVar(&cfg.GitLabURL, "gitlab-url", p.Env("CI_SERVER_URL"), "GitLab URL (CI_SERVER_URL; else from an https --repo)")
	f.StringVar(&cfg.Project, "project", "", "project ID or group/project of the manifests repository (default: from --repo)")
	f.StringVar(&cfg.Base, "base", "main", "branch of the manifests repository to change")
	f.StringVar(&cfg.Dist, "dist", "dist", "directory of synthesized manifests")
	f.StringVar(&cfg.Path, "path", "", "directory in the manifests repository that sync manages, relative to its root (default: the root)")
	f.StringVar(&cfg.Branch, "branch", "", "branch for the change (default: tsumiki/<short sha>)")
	f.StringArrayVar(&cfg.Keep, "keep", nil, "glob of files under --path never touched, added to "+strings.Join(deliver.DefaultKeep, ", ")+" (repeatable)")
	f.StringVar(&cfg.Title, "title", "", "merge request title and commit subject (default: the source commit's title)")
	f.StringSliceVar(&cfg.Labels, "labels", nil, "merge request labels (comma-separated)")
	f.StringSliceVar(&cfg.Assignees, "assignee", nil, "merge request assignee, user name or ID (repeatable)")
	f.StringSliceVar(&cfg.Reviewers, "reviewer", nil, "merge request reviewer, user name or ID (repeatable)")
	f.BoolVar(&cfg.Squash, "squash", false, "squash the merge request's commits on merge")
	f.BoolVar(&cfg.Draft, "draft", false, "open the merge request as a draft")
	f.BoolVar(&cfg.RemoveSourceBranch, "remove-source-branch", true, "delete the branch when the merge request is merged")
	f.BoolVar(&cfg.Supersede, "supersede", true, "close the merge requests of older commits for the same base branch and path, and delete their branches")
	f.StringVar(&mode, "mode", "mr", "mr: open a merge request; push: commit straight to --base")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "clone and print the plan; change nothing anywhere")
	f.BoolVar(&cfg.AllowMassDelete, "allow-mass-delete", false, "allow a change that removes more objects from --path than it leaves, or empties a folder")
	f.BoolVar(&cfg.AllowSecrets, "allow-secrets", false, "allow Secrets that hold data (for output encrypted downstream); their values never show")
	fluxFlags(cmd, &cfg)
	f.StringVar(&report, "report", "sync.env", "dotenv report for GitLab CI, written on every outcome (empty: none)")
	f.StringVar(&tokenFile, "token-file", "", "file holding the GitLab token (default: GITLAB_TOKEN)")
	f.StringVar(&sshKeyFile, "ssh-key", "", "private key file for ssh repositories (default: SSH_PRIVATE_KEY)")

	cmd.RunE = func(cmd *cobra.Command, _ []string) (err error) {
		res := &deliver.Result{Status: deliver.StatusFailed}
		defer func() {
			if rerr := writeReport(report, res); rerr != nil && err == nil {
				err = rerr
			}
			err = cli.Masked(err, cfg.Auth.Token)
		}()
		// A report that cannot be written fails before anything is done.
		if err := writeReport(report, res); err != nil {
			return cli.Usage(err)
		}
		if err := readCredentials(p, &cfg, tokenFile, sshKeyFile); err != nil {
			return err
		}
		cfg.Mode = deliver.Mode(mode)
		cfg.Author.Name, cfg.Author.Email = p.Env("GITLAB_USER_NAME"), p.Env("GITLAB_USER_EMAIL")
		cfg.Source = deliver.Source{SHA: p.Env("CI_COMMIT_SHA"), ShortSHA: p.Env("CI_COMMIT_SHORT_SHA"), Title: p.Env("CI_COMMIT_TITLE"), ProjectURL: p.Env("CI_PROJECT_URL")}
		if ts := p.Env("CI_COMMIT_TIMESTAMP"); ts != "" {
			if cfg.Source.Time, err = time.Parse(time.RFC3339, ts); err != nil {
				return cli.Usagef("CI_COMMIT_TIMESTAMP %q is not an ISO 8601 time such as 2022-01-31T16:47:55Z", ts)
			}
		}
		if cfg.Source.SHA == "" {
			// Outside CI, the checkout is the source; without one, the
			// source is unknown and --branch must name the branch.
			if src, err := deliver.SourceFromGit("."); err == nil {
				cfg.Source = src
			}
		}
		cfg = cfg.WithDefaults()
		if err := cfg.Validate(); err != nil {
			return syncError(err, res, p.Env("CI_JOB_TOKEN") != "")
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
		res, err = deliver.Run(cmd.Context(), cfg, forge, log)
		printResult(out, res)
		return syncError(err, res, false)
	}
	return cmd
}

// readCredentials reads the token and the ssh key from their files or the
// environment.
func readCredentials(p cli.Process, cfg *deliver.Config, tokenFile, sshKeyFile string) error {
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
	return nil
}

// syncFlags names the flag or variable behind each field of deliver.Config
// that its errors name.
var syncFlags = map[string]string{
	"Repo":            "--repo (or TSUMIKI_MANIFESTS_REPO)",
	"GitLabURL":       "--gitlab-url (or CI_SERVER_URL)",
	"Project":         "--project",
	"Base":            "--base",
	"Dist":            "--dist",
	"Path":            "--path",
	"Branch":          "--branch",
	"Keep":            "--keep",
	"FluxPaths":       "--flux-path",
	"Mode":            "--mode",
	"Title":           "--title",
	"Auth.Token":      "GITLAB_TOKEN (or --token-file)",
	"Auth.SSHKey":     "--ssh-key (or SSH_PRIVATE_KEY)",
	"Auth.KnownHosts": "SSH_KNOWN_HOSTS",
}

// flagWords rewrites the Config.<Field> names in a library message as
// flags.
var flagWords = func() *strings.Replacer {
	var pairs []string
	for field, flag := range syncFlags {
		name, _, _ := strings.Cut(flag, " (")
		pairs = append(pairs, "Config."+field, name)
	}
	return strings.NewReplacer(pairs...)
}()

// syncError words the engine's errors in terms of the command's flags and
// variables, marks the configuration errors as usage errors, and says
// whether running again can finish the job.
func syncError(err error, res *deliver.Result, jobToken bool) error {
	if err == nil {
		return nil
	}
	var (
		ce       *deliver.ConfigError
		mass     *deliver.MassDeleteError
		foreign  *deliver.ForeignFilesError
		secrets  *deliver.PlainSecretError
		commit   *deliver.ForeignCommitError
		api      *gitlab.APIError
		declined *gitsync.DeclinedError
	)
	if ferr := fluxError(err); ferr != nil {
		return ferr
	}
	switch {
	case errors.As(err, &ce):
		return cli.Usage(configError(ce, jobToken))
	case errors.As(err, &mass):
		return fmt.Errorf("%w; pass --allow-mass-delete if that is intended", err)
	case errors.As(err, &foreign):
		return fmt.Errorf("%w; keep them with --keep, or remove them yourself", err)
	case errors.As(err, &secrets):
		return fmt.Errorf("%w. Reference an existing Secret instead, or pass --allow-secrets if the output is encrypted downstream (SOPS)", err)
	case errors.As(err, &commit):
		return fmt.Errorf("%w; merge or delete that branch, or sync to another with --branch", err)
	case errors.Is(err, gitsync.ErrNoBranch):
		return fmt.Errorf("%w (check --base)", err)
	case errors.Is(err, deliver.ErrUnknownUser):
		return fmt.Errorf("%w (check --assignee and --reviewer)", err)
	case errors.As(err, &api) && api.Status == http.StatusUnauthorized,
		errors.Is(err, gitsync.ErrAuth):
		return fmt.Errorf("%w (the token comes from GITLAB_TOKEN or --token-file)", err)
	case errors.As(err, &api) && api.ProjectNotFound():
		return fmt.Errorf("%w (check --project)", err)
	case errors.As(err, &declined):
		return err
	case deliver.Temporary(err) && res.Branch != "" && res.Commit != "":
		return fmt.Errorf("%w (the branch %s holds the change; run again to finish)", err, res.Branch)
	case deliver.Temporary(err):
		return fmt.Errorf("%w (this may pass; run again)", err)
	}
	return err
}

// configError words a configuration error with flags.
func configError(ce *deliver.ConfigError, jobToken bool) error {
	if ce.Field == "Auth.Token" {
		if jobToken {
			return errors.New("only CI_JOB_TOKEN is set, and a job token can neither push to another project " +
				"nor open merge requests: create a project access token on the manifests project " +
				"(role Developer or higher, scopes api and write_repository), store it as a masked CI/CD " +
				"variable GITLAB_TOKEN, or pass --token-file")
		}
		return errors.New("no token: set GITLAB_TOKEN or pass --token-file (a project access token on the manifests project " +
			"with role Developer or higher and scopes api and write_repository)")
	}
	flag, ok := syncFlags[ce.Field]
	if !ok {
		return ce
	}
	reason := flagWords.Replace(ce.Reason)
	if ce.Field == "Branch" && ce.Value == "" {
		reason += " (the default, tsumiki/<short sha>, needs CI_COMMIT_SHA or a git checkout)"
	}
	if ce.Value == "" {
		return fmt.Errorf("%s %s", flag, reason)
	}
	return fmt.Errorf("%s %q %s", flag, ce.Value, reason)
}

// printResult tells what the sync did.
func printResult(out io.Writer, res *deliver.Result) {
	if res.Files == nil {
		return // it stopped before it knew the change
	}
	n := manifest.Count(res.Changes)
	fmt.Fprintf(out, "objects: %d added, %d changed, %d removed\n", n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	for _, c := range res.Changes {
		fmt.Fprintf(out, "  %-7s %s\n", c.Action, c.ID)
	}
	fmt.Fprintf(out, "files: %d added, %d changed, %d removed\n", len(res.Files.Added), len(res.Files.Changed), len(res.Files.Removed))
	for _, group := range []struct {
		action string
		files  []string
	}{{"added", res.Files.Added}, {"changed", res.Files.Changed}, {"removed", res.Files.Removed}} {
		for _, f := range group.files {
			fmt.Fprintf(out, "  %-7s %s\n", group.action, f)
		}
	}
	printFlux(out, res)
	switch {
	case res.Status == deliver.StatusDryRun:
		fmt.Fprintln(out, "dry run: nothing written")
	case res.Status == deliver.StatusNoChanges:
		fmt.Fprintln(out, "no changes")
	case res.Pushed:
		fmt.Fprintf(out, "pushed %.12s to %s\n", res.Commit, res.Branch)
	case res.Branch != "" && res.Commit != "":
		fmt.Fprintf(out, "branch %s already holds this change\n", res.Branch)
	}
	if mr := res.MergeRequest; mr != nil {
		fmt.Fprintf(out, "merge request !%d: %s", mr.IID, mr.URL)
		if what, ok := map[deliver.Status]string{deliver.StatusOpened: "opened", deliver.StatusUpdated: "updated"}[res.Status]; ok {
			fmt.Fprintf(out, " (%s)", what)
		}
		fmt.Fprintln(out)
	}
	for _, s := range res.Superseded {
		if res.MergeRequest != nil && s.IID == res.MergeRequest.IID && res.SupersededBy != nil {
			fmt.Fprintf(out, "closed merge request !%d: a newer commit's, !%d, is open: %s", s.IID, res.SupersededBy.IID, res.SupersededBy.URL)
		} else {
			fmt.Fprintf(out, "closed superseded merge request !%d", s.IID)
		}
		switch {
		case s.BranchDeleted:
			fmt.Fprintf(out, "; deleted its branch %s", s.SourceBranch)
		case s.BranchKept != nil:
			fmt.Fprintf(out, "; kept its branch %s: %v", s.SourceBranch, s.BranchKept)
		}
		fmt.Fprintln(out)
	}
}

// writeReport writes the dotenv report a GitLab CI job publishes with
// `artifacts: reports: dotenv`, so later jobs and environments can use the
// merge request's URL. It is written whatever the outcome.
func writeReport(path string, res *deliver.Result) error {
	if path == "" {
		return nil
	}
	n := manifest.Count(res.Changes)
	vars := [][2]string{
		{"TSUMIKI_STATUS", string(res.Status)},
		{"TSUMIKI_BRANCH", res.Branch},
		{"TSUMIKI_COMMIT", res.Commit},
		{"TSUMIKI_BASE_COMMIT", res.BaseCommit},
		{"TSUMIKI_OBJECTS_ADDED", fmt.Sprint(n[manifest.Added])},
		{"TSUMIKI_OBJECTS_CHANGED", fmt.Sprint(n[manifest.Changed])},
		{"TSUMIKI_OBJECTS_REMOVED", fmt.Sprint(n[manifest.Removed])},
		{"TSUMIKI_MR_IID", ""},
		{"TSUMIKI_MR_URL", ""},
	}
	if mr := res.MergeRequest; mr != nil {
		vars[7][1] = fmt.Sprint(mr.IID)
		vars[8][1] = mr.URL
	}
	var b strings.Builder
	for _, v := range vars {
		// GitLab's dotenv parser takes VALUE verbatim to the end of the line.
		fmt.Fprintf(&b, "%s=%s\n", v[0], strings.NewReplacer("\n", " ", "\r", " ").Replace(v[1]))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
