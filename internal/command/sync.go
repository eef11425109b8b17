package command

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/github"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// Sync is `tsumiki sync` (and `go run ./cmd/sync`): it takes the
// synthesized manifests in dist/ to the manifests repository, on a branch
// named for the source commit, and opens or updates a GitLab merge request
// or a GitHub pull request, which reviewers merge for Flux or Argo CD to
// apply. In GitLab CI and GitHub Actions it needs no arguments beyond
// --repo; flags default to the job's predefined variables.
func Sync(p cli.Process) *cobra.Command {
	var cfg deliver.Config
	var forgeName, gitlabURL, githubURL, githubAPI, author, tokenFile, sshKeyFile, mode, report string
	defaultForge := forgeGitLab
	if p.Env("GITHUB_ACTIONS") == "true" {
		defaultForge = forgeGitHub
	}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Put dist/ on a branch of the manifests repository and open a merge or pull request",
		Long: `Put the synthesized manifests in dist/ on a branch of the manifests
repository, named for the source commit, and open or update a GitLab merge
request (--forge gitlab) or a GitHub pull request (--forge github);
reviewers merge it and Flux or Argo CD applies it. With --mode push the
change goes straight to --base. In GitLab CI and GitHub Actions it needs no
arguments beyond --repo: flags default to the job's predefined variables
(CI_* and GITLAB_*, or GITHUB_*), and --forge to github in GitHub Actions.

It writes the dotenv report (--report) on every outcome, with
TSUMIKI_STATUS saying which.

Exit codes: 0 success (including no changes), 1 failure, 2 bad usage.`,
		Example: `  tsumiki sync --repo https://gitlab.example.com/platform/manifests.git
  tsumiki sync --forge github --repo https://github.com/acme/manifests.git --author github-actions`,
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Repo, "repo", p.Env("TSUMIKI_MANIFESTS_REPO"), "manifests repository: https://…, ssh://…, git@host:group/project.git, file://… or a path (TSUMIKI_MANIFESTS_REPO)")
	f.StringVar(&forgeName, "forge", defaultForge, "where the manifests repository lives: gitlab or github (default github in GitHub Actions)")
	f.StringVar(&gitlabURL, "gitlab-url", "", "GitLab URL (CI_SERVER_URL; else from an https --repo)")
	f.StringVar(&githubURL, "github-url", "", "GitHub web address, https://github.com or a GitHub Enterprise Server (GITHUB_SERVER_URL; else from an https --repo)")
	f.StringVar(&githubAPI, "github-api-url", "", "GitHub REST API URL (GITHUB_API_URL; else https://api.github.com for github.com, <github-url>/api/v3 for GitHub Enterprise Server)")
	f.StringVar(&cfg.Project, "project", "", "the manifests repository on the forge: GitLab project ID or group/project, GitHub owner/repo (default: from --repo)")
	f.StringVar(&cfg.Base, "base", "main", "branch of the manifests repository to change")
	f.StringVar(&cfg.Dist, "dist", "dist", "directory of synthesized manifests")
	f.StringVar(&cfg.Path, "path", "", "directory in the manifests repository that sync manages, relative to its root (default: the root)")
	f.StringVar(&cfg.Branch, "branch", "", "branch for the change (default: tsumiki/<short sha>)")
	f.StringArrayVar(&cfg.Keep, "keep", nil, "glob of files under --path never touched, added to "+strings.Join(deliver.DefaultKeep, ", ")+" (repeatable)")
	f.StringVar(&cfg.Title, "title", "", "merge request title and commit subject (default: the source commit's title)")
	f.StringSliceVar(&cfg.Labels, "labels", nil, "merge request labels (comma-separated)")
	f.StringSliceVar(&cfg.Assignees, "assignee", nil, "merge request assignee: user name, or a GitLab user ID (repeatable)")
	f.StringSliceVar(&cfg.Reviewers, "reviewer", nil, "merge request reviewer: user name, a GitLab user ID, or a GitHub team as org/team (repeatable)")
	f.BoolVar(&cfg.Squash, "squash", false, "squash the merge request's commits on merge (GitLab only: on GitHub the repository's merge settings decide)")
	f.BoolVar(&cfg.Draft, "draft", false, "open the merge request as a draft")
	f.BoolVar(&cfg.RemoveSourceBranch, "remove-source-branch", true, "delete the branch when the merge request is merged (GitLab; on GitHub the repository's \"Automatically delete head branches\" decides)")
	f.BoolVar(&cfg.Supersede, "supersede", true, "close the merge requests of older commits for the same base branch and path, and delete their branches")
	f.StringVar(&mode, "mode", "mr", "mr: open a merge (pull) request; push: commit straight to --base")
	f.StringVar(&author, "author", "", "commits' author, as \"Name <email>\", or github-actions for github-actions[bot] (default: GITLAB_USER_NAME and GITLAB_USER_EMAIL, or GITHUB_ACTOR)")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "clone and print the plan; change nothing anywhere")
	f.BoolVar(&cfg.AllowMassDelete, "allow-mass-delete", false, "allow a change that removes more objects from --path than it leaves, or empties a folder")
	f.BoolVar(&cfg.AllowSecrets, "allow-secrets", false, "allow Secrets that hold data (for output encrypted downstream); their values never show")
	fluxFlags(cmd, &cfg)
	f.StringVar(&report, "report", "sync.env", "dotenv report, written on every outcome: GitLab CI's artifacts:reports:dotenv, or \"$GITHUB_OUTPUT\" for step outputs (empty: none)")
	f.StringVar(&tokenFile, "token-file", "", "file holding the token (default: GITLAB_TOKEN, or GITHUB_TOKEN with --forge github)")
	f.StringVar(&sshKeyFile, "ssh-key", "", "private key file for ssh repositories (default: SSH_PRIVATE_KEY)")

	cmd.RunE = func(cmd *cobra.Command, _ []string) (err error) {
		res := &deliver.Result{Status: deliver.StatusFailed}
		fg, known := forges[forgeName]
		defer func() {
			if rerr := writeReport(report, res, forgeName); rerr != nil && err == nil {
				err = rerr
			}
			err = cli.Masked(err, cfg.Auth.Token)
		}()
		// A report that cannot be written fails before anything is done.
		if err := writeReport(report, res, forgeName); err != nil {
			return cli.Usage(err)
		}
		if !known {
			return cli.Usagef("--forge %q: want gitlab or github", forgeName)
		}
		for _, other := range forges {
			for _, name := range other.flags {
				if other.name != fg.name && cmd.Flags().Changed(name) {
					return cli.Usagef("--%s is for --forge %s", name, other.name)
				}
			}
		}
		if cfg.Squash && fg.name == forgeGitHub {
			return cli.Usage(fmt.Errorf("--squash: %w; allow only squash merging in the repository's settings instead", github.ErrSquash))
		}
		if err := readCredentials(p, &cfg, fg, tokenFile, sshKeyFile); err != nil {
			return err
		}
		cfg.Mode = deliver.Mode(mode)
		if err := fg.env(p, &cfg, forgeURLs{gitlab: gitlabURL, github: githubURL}); err != nil {
			return err
		}
		if author != "" {
			if cfg.Author, err = parseAuthor(author); err != nil {
				return cli.Usage(err)
			}
		}
		cfg = cfg.WithDefaults()
		if err := cfg.Validate(); err != nil {
			return syncError(err, res, fg, p.Env("CI_JOB_TOKEN") != "")
		}
		var forge deliver.Forge
		if cfg.Mode == deliver.ModeMR && !cfg.DryRun {
			if forge, err = fg.client(cfg, githubAPIURL(githubAPI, githubURL, p.Env("GITHUB_API_URL"), cfg.ForgeURL)); err != nil {
				return syncError(err, res, fg, false)
			}
		}
		out := &cli.MaskWriter{W: p.Stdout, Secrets: []string{cfg.Auth.Token}}
		log := slog.New(slog.NewTextHandler(&cli.MaskWriter{W: p.Stderr, Secrets: []string{cfg.Auth.Token}}, nil))
		res, err = deliver.Run(cmd.Context(), cfg, forge, log)
		printResult(out, res, fg.terms)
		return syncError(err, res, fg, false)
	}
	return cmd
}

// The forges sync knows.
const (
	forgeGitLab = "gitlab"
	forgeGitHub = "github"
)

// forgeURLs are the --gitlab-url and --github-url flags.
type forgeURLs struct{ gitlab, github string }

// syncForge is what differs between GitLab and GitHub for the command:
// its variables, its flags, its client and how errors name them.
type syncForge struct {
	name  string
	terms deliver.Conventions
	// flags are the flags only this forge takes.
	flags []string
	// tokenVar holds the token; tokenHelp says what token it must be.
	tokenVar, tokenHelp string
	// env fills the forge URL, the source commit and the author from the
	// CI system's variables.
	env func(p cli.Process, cfg *deliver.Config, urls forgeURLs) error
	// client makes the Forge; apiURL is GitHub's.
	client func(cfg deliver.Config, apiURL string) (deliver.Forge, error)
	// fields name the flags behind the forge's Config fields.
	fields map[string]string
}

var forges = map[string]syncForge{
	forgeGitLab: {
		name: forgeGitLab, terms: deliver.GitLabConventions, flags: []string{"gitlab-url"},
		tokenVar:  "GITLAB_TOKEN",
		tokenHelp: "a project access token on the manifests project with role Developer or higher and scopes api and write_repository",
		env:       gitlabEnv,
		client: func(cfg deliver.Config, _ string) (deliver.Forge, error) {
			return gitlab.New(cfg.ForgeURL, cfg.Auth.Token, cfg.Project)
		},
		fields: map[string]string{"ForgeURL": "--gitlab-url (or CI_SERVER_URL)"},
	},
	forgeGitHub: {
		name: forgeGitHub, terms: deliver.GitHubConventions, flags: []string{"github-url", "github-api-url"},
		tokenVar: "GITHUB_TOKEN",
		tokenHelp: "a GitHub App installation token (actions/create-github-app-token) or a fine-grained personal access token, " +
			"for the manifests repository with Contents write, and Pull requests write in mr mode; a workflow's own GITHUB_TOKEN " +
			"cannot write to another repository",
		env: githubEnv,
		client: func(cfg deliver.Config, apiURL string) (deliver.Forge, error) {
			return github.New(github.Options{APIURL: apiURL, Token: cfg.Auth.Token, Repository: cfg.Project})
		},
		fields: map[string]string{"ForgeURL": "--github-url (or GITHUB_SERVER_URL)"},
	},
}

// gitlabEnv reads GitLab CI's predefined variables.
func gitlabEnv(p cli.Process, cfg *deliver.Config, urls forgeURLs) error {
	cfg.ForgeURL = cmp.Or(urls.gitlab, p.Env("CI_SERVER_URL"))
	cfg.Author.Name, cfg.Author.Email = p.Env("GITLAB_USER_NAME"), p.Env("GITLAB_USER_EMAIL")
	cfg.Source = deliver.Source{SHA: p.Env("CI_COMMIT_SHA"), ShortSHA: p.Env("CI_COMMIT_SHORT_SHA"), Title: p.Env("CI_COMMIT_TITLE"), ProjectURL: p.Env("CI_PROJECT_URL")}
	if ts := p.Env("CI_COMMIT_TIMESTAMP"); ts != "" {
		var err error
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
	return nil
}

// githubEnv reads GitHub Actions' default variables. GitHub has none for
// the commit's title and time: they come from the checkout, which
// actions/checkout leaves at GITHUB_SHA.
func githubEnv(p cli.Process, cfg *deliver.Config, urls forgeURLs) error {
	server := p.Env("GITHUB_SERVER_URL")
	cfg.ForgeURL = cmp.Or(urls.github, server)
	cfg.Auth.Username = "x-access-token"
	if actor := p.Env("GITHUB_ACTOR"); actor != "" {
		cfg.Author = gitsync.Identity{Name: actor, Email: noreplyEmail(server, p.Env("GITHUB_ACTOR_ID"), actor)}
	}
	sha := p.Env("GITHUB_SHA")
	src, gitErr := deliver.SourceFromGit(".")
	switch {
	case sha == "" && gitErr == nil:
		cfg.Source = src
	case sha != "":
		cfg.Source = deliver.Source{SHA: sha}
		if gitErr == nil && src.SHA == sha {
			cfg.Source.Title, cfg.Source.Time = src.Title, src.Time
		}
		if repo := p.Env("GITHUB_REPOSITORY"); server != "" && repo != "" {
			cfg.Source.ProjectURL = strings.TrimSuffix(server, "/") + "/" + repo
		}
	}
	if cfg.Source.ProjectURL != "" && cfg.Source.SHA != "" {
		cfg.Source.URL = cfg.Source.ProjectURL + "/commit/" + cfg.Source.SHA
	}
	cfg.Source.Ref = p.Env("GITHUB_REF_NAME")
	return nil
}

// githubAPIURL picks GitHub's API URL: --github-api-url; GITHUB_API_URL
// unless --github-url names another GitHub; else the one of the web address.
func githubAPIURL(flagAPI, flagWeb, envAPI, webURL string) string {
	switch {
	case flagAPI != "":
		return flagAPI
	case flagWeb == "" && envAPI != "":
		return envAPI
	}
	return github.APIURL(webURL)
}

// githubActions is the identity of GitHub Actions' own bot, which commits
// made in a workflow conventionally carry.
var githubActions = gitsync.Identity{Name: "github-actions[bot]", Email: "41898282+github-actions[bot]@users.noreply.github.com"}

// noreplyEmail is the private address GitHub gives an account: ID+login at
// users.noreply.<host>, or login@ without an ID.
func noreplyEmail(server, id, login string) string {
	host := "github.com"
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Host
	}
	if id != "" {
		login = id + "+" + login
	}
	return login + "@users.noreply." + host
}

// parseAuthor reads --author: "Name <email>", or github-actions.
func parseAuthor(s string) (gitsync.Identity, error) {
	if s == "github-actions" || s == githubActions.Name {
		return githubActions, nil
	}
	name, rest, ok := strings.Cut(s, "<")
	email, tail, closed := strings.Cut(rest, ">")
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if !ok || !closed || strings.TrimSpace(tail) != "" || name == "" || !strings.Contains(email, "@") || strings.ContainsAny(name+email, "<>\n") {
		return gitsync.Identity{}, fmt.Errorf("--author %q: want \"Name <email>\", or github-actions", s)
	}
	return gitsync.Identity{Name: name, Email: email}, nil
}

// readCredentials reads the token and the ssh key from their files or the
// environment.
func readCredentials(p cli.Process, cfg *deliver.Config, fg syncForge, tokenFile, sshKeyFile string) error {
	cfg.Auth.Token = p.Env(fg.tokenVar)
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
// that its errors name, besides the forge's own.
var syncFlags = map[string]string{
	"Repo":            "--repo (or TSUMIKI_MANIFESTS_REPO)",
	"Project":         "--project",
	"Base":            "--base",
	"Dist":            "--dist",
	"Path":            "--path",
	"Branch":          "--branch",
	"Keep":            "--keep",
	"FluxPaths":       "--flux-path",
	"Mode":            "--mode",
	"Title":           "--title",
	"Auth.SSHKey":     "--ssh-key (or SSH_PRIVATE_KEY)",
	"Auth.KnownHosts": "SSH_KNOWN_HOSTS",
}

// flag names the flag behind a Config field, or "".
func (fg syncForge) flag(field string) string {
	if f, ok := fg.fields[field]; ok {
		return f
	}
	if field == "Auth.Token" {
		return fg.tokenVar + " (or --token-file)"
	}
	return syncFlags[field]
}

// flagWords rewrites the Config.<Field> names in a library message as
// flags.
func (fg syncForge) flagWords() *strings.Replacer {
	var pairs []string
	for _, fields := range []map[string]string{syncFlags, fg.fields, {"Auth.Token": fg.flag("Auth.Token")}} {
		for field, flag := range fields {
			name, _, _ := strings.Cut(flag, " (")
			pairs = append(pairs, "Config."+field, name)
		}
	}
	return strings.NewReplacer(pairs...)
}

// syncError words the engine's errors in terms of the command's flags and
// variables, marks the configuration errors as usage errors, and says
// whether running again can finish the job.
func syncError(err error, res *deliver.Result, fg syncForge, jobToken bool) error {
	if err == nil {
		return nil
	}
	var (
		ce       *deliver.ConfigError
		mass     *deliver.MassDeleteError
		foreign  *deliver.ForeignFilesError
		secrets  *deliver.PlainSecretError
		commit   *deliver.ForeignCommitError
		glAPI    *gitlab.APIError
		ghAPI    *github.APIError
		declined *gitsync.DeclinedError
	)
	if ferr := fluxError(err); ferr != nil {
		return ferr
	}
	unauthorized := errors.As(err, &glAPI) && glAPI.Status == http.StatusUnauthorized || errors.As(err, &ghAPI) && ghAPI.Status == http.StatusUnauthorized
	switch {
	case errors.As(err, &ce):
		return cli.Usage(configError(ce, fg, jobToken))
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
	case unauthorized:
		return fmt.Errorf("%w (the token comes from %s or --token-file)", err, fg.tokenVar)
	case errors.Is(err, gitsync.ErrAuth):
		return fmt.Errorf("%w (the token comes from %s or --token-file: %s)", err, fg.tokenVar, fg.tokenHelp)
	case errors.As(err, &glAPI) && glAPI.ProjectNotFound(),
		errors.As(err, &ghAPI) && ghAPI.RepositoryNotFound():
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
func configError(ce *deliver.ConfigError, fg syncForge, jobToken bool) error {
	if ce.Field == "Auth.Token" {
		if jobToken && fg.name == forgeGitLab {
			return errors.New("only CI_JOB_TOKEN is set, and a job token can neither push to another project " +
				"nor open merge requests: create a project access token on the manifests project " +
				"(role Developer or higher, scopes api and write_repository), store it as a masked CI/CD " +
				"variable GITLAB_TOKEN, or pass --token-file")
		}
		return fmt.Errorf("no token: set %s or pass --token-file (%s)", fg.tokenVar, fg.tokenHelp)
	}
	flag := fg.flag(ce.Field)
	if flag == "" {
		return ce
	}
	reason := fg.flagWords().Replace(ce.Reason)
	if ce.Field == "Branch" && ce.Value == "" {
		reason += " (the default, tsumiki/<short sha>, needs " + map[string]string{forgeGitLab: "CI_COMMIT_SHA", forgeGitHub: "GITHUB_SHA"}[fg.name] + " or a git checkout)"
	}
	if ce.Value == "" {
		return fmt.Errorf("%s %s", flag, reason)
	}
	return fmt.Errorf("%s %q %s", flag, ce.Value, reason)
}

// printResult tells what the sync did, in the forge's words.
func printResult(out io.Writer, res *deliver.Result, terms deliver.Conventions) {
	if res.Files == nil {
		return // it stopped before it knew the change
	}
	n := manifest.Count(res.Changes)
	fmt.Fprintf(out, "objects: %d added, %d changed, %d removed\n", n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	for _, c := range res.Changes {
		fmt.Fprintf(out, "  %-7s %s\n", c.Action, c)
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
		fmt.Fprintf(out, "%s %s: %s", terms.Noun, terms.Ref(mr.IID), mr.URL)
		if what, ok := map[deliver.Status]string{deliver.StatusOpened: "opened", deliver.StatusUpdated: "updated"}[res.Status]; ok {
			fmt.Fprintf(out, " (%s)", what)
		}
		fmt.Fprintln(out)
	}
	for _, s := range res.Superseded {
		if res.MergeRequest != nil && s.IID == res.MergeRequest.IID && res.SupersededBy != nil {
			fmt.Fprintf(out, "closed %s %s: a newer commit's, %s, is open: %s", terms.Noun, terms.Ref(s.IID), terms.Ref(res.SupersededBy.IID), res.SupersededBy.URL)
		} else {
			fmt.Fprintf(out, "closed superseded %s %s", terms.Noun, terms.Ref(s.IID))
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
// merge request's URL; in GitHub Actions, written to $GITHUB_OUTPUT, its
// lines are the step's outputs. It is written whatever the outcome.
// TSUMIKI_PR_NUMBER and TSUMIKI_PR_URL repeat TSUMIKI_MR_IID and
// TSUMIKI_MR_URL under GitHub's name.
func writeReport(path string, res *deliver.Result, forge string) error {
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
		{"TSUMIKI_FORGE", forge},
		{"TSUMIKI_PR_NUMBER", ""},
		{"TSUMIKI_PR_URL", ""},
	}
	if mr := res.MergeRequest; mr != nil {
		vars[7][1], vars[10][1] = fmt.Sprint(mr.IID), fmt.Sprint(mr.IID)
		vars[8][1], vars[11][1] = mr.URL, mr.URL
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
