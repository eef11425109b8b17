// Package deliver takes synthesized manifests to the manifests repository:
// it checks dist/, clones the repository, replaces the managed files,
// builds every path Flux applies from the result as Flux's controllers
// will (refusing what they would refuse), commits on a branch named for
// the source commit, pushes it and opens or updates the merge request that
// reviewers merge for Flux to apply.
//
// Run does one sync and returns what it did as a *Result; it prints
// nothing. Its errors are typed (*ConfigError, *MassDeleteError, …) so that
// a command can word them in terms of its own flags.
package deliver

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// Mode is how the change reaches the base branch.
type Mode string

const (
	// ModeMR pushes a branch and opens a merge request against the base.
	ModeMR Mode = "mr"
	// ModePush commits straight to the base branch, for delivery tools that
	// watch a branch without review.
	ModePush Mode = "push"
)

// DefaultKeep lists the files under the managed path that sync never
// touches, whatever Config.Keep adds; see manifest.DefaultKeep.
var DefaultKeep = manifest.DefaultKeep

// Config is everything a sync needs. WithDefaults fills what can be
// derived; Validate checks the result.
type Config struct {
	// Repo is the manifests repository: https, ssh, scp-like, file:// or a
	// path. It must not carry credentials.
	Repo string
	// ForgeURL is the web address of the forge that hosts Repo: a GitLab
	// instance such as https://gitlab.com, or GitHub (https://github.com
	// or a GitHub Enterprise Server); derived from an http(s) Repo.
	ForgeURL string
	// Project is the manifests repository on the forge: GitLab's numeric
	// ID or group/project, GitHub's owner/repo; derived from Repo.
	Project string
	// Base is the branch to change.
	Base string
	// Dist is the directory of synthesized manifests.
	Dist string
	// Path is the directory inside the repository that sync manages,
	// relative to its root, slash-separated and clean; "" for the root.
	Path string
	// Branch is the branch for the change in ModeMR; tsumiki/<short sha>
	// by default.
	Branch string
	// Keep lists glob patterns of files under Path never touched, besides
	// DefaultKeep.
	Keep []string

	// Title is the merge request's title and the commit's subject; the
	// source commit's title by default. It is kept to one line of at most
	// 255 characters, GitLab's limit (GitHub's is 256).
	Title     string
	Labels    []string
	Assignees []string // user names or numeric IDs
	Reviewers []string
	Squash    bool
	Draft     bool
	// RemoveSourceBranch has GitLab delete the branch on merge. GitHub
	// has no such setting per pull request (the repository's "Automatically
	// delete head branches" does it).
	RemoveSourceBranch bool
	// Supersede closes the merge requests of older source commits for the
	// same base and path, and deletes their branches.
	Supersede bool

	// Mode is ModeMR by default.
	Mode Mode
	// DryRun clones and computes the change, and changes nothing anywhere.
	DryRun bool
	// AllowMassDelete turns off the guard against removing most objects.
	AllowMassDelete bool
	// AllowSecrets lets Secrets that hold data through, for output that is
	// encrypted downstream; their values never show in any case.
	AllowSecrets bool
	// FluxPaths are paths of the repository, relative to its root, that
	// Flux applies and that sync builds before it commits, as Flux will
	// build them, besides those of the Kustomizations under
	// <Path>/clusters/ and the entry point folders there (a leading ./ is
	// dropped). When there is none of all these, the managed path is built.
	FluxPaths []string
	// AllowJSON lets .json manifests into a path Flux builds without a
	// kustomization.yaml, where Flux does not apply them.
	AllowJSON bool

	Source Source
	// Author is the commits' author and committer; "tsumiki" by default.
	Author gitsync.Identity
	Auth   gitsync.Auth
	// TempDir holds the clone; os.TempDir() if empty.
	TempDir string
	// Retry is how failed steps are retried; DefaultBackoff where unset.
	Retry Backoff
}

// Source is the commit of the source repository the manifests came from.
type Source struct {
	SHA, ShortSHA, Title, ProjectURL string
	// URL is the commit's web page; when empty, CommitURL derives GitLab's
	// form from ProjectURL. GitHub's is ProjectURL/commit/SHA.
	URL string
	// Ref is the branch or tag the commit was built from, shown in the
	// description when set.
	Ref string
	// Time is the commit's time. It orders the merge requests of different
	// commits: only those of older commits are superseded.
	Time time.Time
}

// CommitURL links the source commit: URL, or GitLab's commit page of
// ProjectURL, or "" when neither is known.
func (s Source) CommitURL() string {
	if s.URL != "" {
		return s.URL
	}
	if s.ProjectURL == "" || s.SHA == "" {
		return ""
	}
	return strings.TrimSuffix(s.ProjectURL, "/") + "/-/commit/" + s.SHA
}

// ConfigError is a Config that cannot work, naming the field at fault.
type ConfigError struct {
	// Field is the Config field, such as "Repo", "Path" or "Auth.Token".
	Field string
	// Value is the field's value as it may be shown (a URL without its
	// user info); "" when the field is empty.
	Value string
	// Reason says what is wrong. It names other fields as Config.<Field>.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("Config.%s %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("Config.%s %q %s", e.Field, e.Value, e.Reason)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// maxTitle is GitLab's limit on a merge request title, in characters.
const maxTitle = 255

// WithDefaults returns the configuration with everything that can be
// derived filled in: the mode, author, short SHA, title and branch from the
// source commit, the forge URL and project from an http(s) or ssh Repo,
// the retry backoff; a trailing slash of Path and a Path of "." are
// normalised. It checks nothing: that is Validate's job.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeMR
	}
	if c.Path == "." {
		c.Path = ""
	}
	if trimmed := strings.TrimRight(c.Path, "/"); trimmed != "" {
		c.Path = trimmed
	}
	if c.Author.Name == "" {
		c.Author.Name = "tsumiki"
	}
	if c.Author.Email == "" {
		c.Author.Email = "tsumiki@localhost"
	}
	if c.Source.ShortSHA == "" && len(c.Source.SHA) >= 8 {
		c.Source.ShortSHA = c.Source.SHA[:8]
	}
	if c.Title == "" {
		c.Title = c.Source.Title
	}
	if c.Title = oneLine(c.Title); c.Title == "" {
		c.Title = "Update manifests"
		if c.Source.ShortSHA != "" {
			c.Title += " from " + c.Source.ShortSHA
		}
	}
	if c.Mode == ModeMR && c.Branch == "" && c.Source.ShortSHA != "" {
		c.Branch = "tsumiki/" + c.Source.ShortSHA
	}
	if ep, err := transport.NewEndpoint(c.Repo); err == nil && c.Repo != "" {
		server, project := forgeProject(ep)
		if c.ForgeURL == "" {
			c.ForgeURL = server
		}
		if c.Project == "" {
			c.Project = project
		}
	}
	if len(c.FluxPaths) > 0 {
		paths := make([]string, len(c.FluxPaths))
		for i, p := range c.FluxPaths {
			if p = strings.TrimPrefix(p, "./"); p == "." || p == "" {
				p = ""
			} else {
				p = strings.TrimRight(p, "/")
			}
			paths[i] = p
		}
		c.FluxPaths = paths
	}
	c.Retry = c.Retry.withDefaults()
	return c
}

// oneLine makes a title one line: whitespace runs become one space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Validate checks a configuration, as WithDefaults returns it, before
// anything touches the network. It returns the first problem as a
// *ConfigError.
func (c Config) Validate() error {
	if c.Repo == "" {
		return &ConfigError{Field: "Repo", Reason: "is required"}
	}
	if _, err := transport.NewEndpoint(c.Repo); err != nil {
		// The parse error quotes the URL, user info and all.
		return &ConfigError{Field: "Repo", Value: redactURL(c.Repo), Reason: "is not a URL git understands"}
	}
	switch c.Mode {
	case ModeMR, ModePush:
	default:
		return &ConfigError{Field: "Mode", Value: string(c.Mode), Reason: "must be mr or push"}
	}
	if err := checkBranch("Base", c.Base); err != nil {
		return err
	}
	if c.Dist == "" {
		return &ConfigError{Field: "Dist", Reason: "is required"}
	}
	if reason := checkPath(c.Path); reason != "" {
		return &ConfigError{Field: "Path", Value: c.Path, Reason: reason}
	}
	for _, p := range c.FluxPaths {
		if reason := checkPath(p); reason != "" {
			return &ConfigError{Field: "FluxPaths", Value: p, Reason: reason}
		}
	}
	for _, k := range c.Keep {
		if !doublestar.ValidatePattern(k) {
			return &ConfigError{Field: "Keep", Value: k, Reason: "is not a valid pattern"}
		}
	}
	if c.Mode == ModeMR {
		if c.Branch == "" {
			return &ConfigError{Field: "Branch", Reason: "is required when the source commit is unknown"}
		}
		if err := checkBranch("Branch", c.Branch); err != nil {
			return err
		}
		if c.Branch == c.Base {
			return &ConfigError{Field: "Branch", Value: c.Branch, Reason: "is also Config.Base; set Config.Mode to push to commit to the base branch"}
		}
		if c.ForgeURL == "" {
			return &ConfigError{Field: "ForgeURL", Reason: "is required for a repository URL that does not name the forge's web address (ssh, scp-like or local)"}
		}
		if u, err := url.Parse(c.ForgeURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return &ConfigError{Field: "ForgeURL", Value: redactURL(c.ForgeURL), Reason: "must be an http(s) URL without user info, such as https://gitlab.com or https://github.com"}
		}
		if c.Project == "" {
			return &ConfigError{Field: "Project", Reason: "is required for a local repository in mr mode"}
		}
	}
	if err := c.Auth.Check(c.Repo); err != nil {
		var ae *gitsync.AuthError
		if errors.As(err, &ae) && ae.Field != "URL" {
			return &ConfigError{Field: "Auth." + ae.Field, Reason: ae.Reason, Err: err}
		}
		return &ConfigError{Field: "Repo", Value: redactURL(c.Repo), Reason: "holds a user name or password; give the token as Config.Auth.Token instead", Err: err}
	}
	if !c.DryRun && c.Auth.Token == "" && c.NeedsToken() {
		return &ConfigError{Field: "Auth.Token", Reason: "is required: an access token that may push to the manifests repository and, in mr mode, open merge requests there"}
	}
	return nil
}

// NeedsToken reports whether the sync needs Auth.Token: for the forge's API
// in ModeMR, and for git over http(s).
func (c Config) NeedsToken() bool {
	if c.Mode != ModePush {
		return true
	}
	ep, err := transport.NewEndpoint(c.Repo)
	return err == nil && (ep.Protocol == "https" || ep.Protocol == "http")
}

func checkBranch(field, name string) error {
	if name == "" {
		return &ConfigError{Field: field, Reason: "is required"}
	}
	if plumbing.NewBranchReferenceName(name).Validate() != nil {
		return &ConfigError{Field: field, Value: name, Reason: "is not a valid branch name"}
	}
	return nil
}

// checkPath says what is wrong with a managed path, or "". The path must
// say plainly which directory it means: relative, clean, inside the
// repository.
func checkPath(p string) string {
	switch {
	case p == "":
		return ""
	case strings.HasPrefix(p, "/"):
		return "must be relative to the repository root"
	case strings.Contains(p, `\`):
		return "must use forward slashes"
	case p == ".." || strings.HasPrefix(p, "../") || path.Clean(p) == ".." || strings.HasPrefix(path.Clean(p), "../"):
		return "leaves the repository"
	case path.Clean(p) != p:
		return fmt.Sprintf("is not a clean path (did you mean %q?)", path.Clean(p))
	}
	for _, part := range strings.Split(p, "/") {
		if strings.EqualFold(part, ".git") {
			return "is inside .git"
		}
	}
	return ""
}

// keepMatcher reports whether a path relative to the managed path is kept.
func (c *Config) keepMatcher() func(rel string) bool { return manifest.KeepMatcher(c.Keep...) }

// forgeProject reads a clone URL of GitLab or GitHub: the forge's web
// address (https and http only: an ssh host need not serve the web) and
// the project path, group/project or owner/repo (https, http and ssh).
func forgeProject(ep *transport.Endpoint) (server, project string) {
	switch ep.Protocol {
	case "https", "http":
		host := ep.Host
		if ep.Port != 0 && ep.Port != 443 && ep.Port != 80 {
			host += ":" + strconv.Itoa(ep.Port)
		}
		server = ep.Protocol + "://" + host
	case "ssh":
	default:
		return "", ""
	}
	return server, strings.TrimSuffix(strings.Trim(ep.Path, "/"), ".git")
}

// redactURL removes any user info from a URL for display. It works on the
// text, so that a URL that does not parse cannot carry a token into a
// message either.
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw // a path or scp-like git@host:path, which holds no secret
	}
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host = rest[:i]
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}
