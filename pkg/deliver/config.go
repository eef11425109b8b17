// Package deliver takes synthesized manifests to the manifests repository:
// it checks dist/, clones the repository, replaces the managed files on a
// branch named for the source commit, pushes it and opens or updates the
// merge request that reviewers merge for Flux to apply.
package deliver

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
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
// touches, whatever --keep adds: Flux's own manifests, the files Flux,
// GitLab and other tools read that are not workload manifests (dotfiles
// such as .sops.yaml, .gitlab-ci.yml and .sourceignore, and dot-folders),
// and kustomizations written by hand.
var DefaultKeep = []string{
	"flux-system/**", "README*", ".sourceignore", ".gitlab-ci.yml",
	"**/.*", "**/.*/**", "**/kustomization.yaml", "**/kustomization.yml", "**/Kustomization",
}

// Config is everything a sync needs. Resolve fills it from flags and the
// environment.
type Config struct {
	Repo      string // manifests repository: https, ssh, scp-like, file:// or a path
	GitLabURL string // e.g. https://gitlab.com
	Project   string // numeric ID or group/project
	Base      string // target branch
	Dist      string // directory of synthesized manifests
	Path      string // directory inside the repository that sync manages
	Branch    string // branch for the change (mr mode)
	Keep      []string

	Title              string
	Labels             []string
	Assignees          []string // user names or numeric IDs
	Reviewers          []string
	Squash             bool
	Draft              bool
	RemoveSourceBranch bool
	Supersede          bool

	Mode            Mode
	DryRun          bool
	AllowMassDelete bool
	Report          string // dotenv report path; "" writes none

	Source Source
	Author gitsync.Identity
	Auth   gitsync.Auth
	// TempDir holds the clone; os.TempDir() if empty.
	TempDir string
}

// Source is the commit of the source repository the manifests came from.
type Source struct {
	SHA, ShortSHA, Title, ProjectURL string
}

// CommitURL links the source commit, or is "" when the project URL is unknown.
func (s Source) CommitURL() string {
	if s.ProjectURL == "" || s.SHA == "" {
		return ""
	}
	return strings.TrimSuffix(s.ProjectURL, "/") + "/-/commit/" + s.SHA
}

// ErrUsage is wrapped by every error about the configuration itself.
var ErrUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// Validate checks the configuration before anything touches the network,
// deriving what can be derived: the GitLab URL and project from an https
// repository URL, the branch from the source commit.
func (c *Config) Validate() error {
	if c.Repo == "" {
		return usagef("--repo (or TSUMIKI_MANIFESTS_REPO) is required")
	}
	switch c.Mode {
	case ModeMR, ModePush:
	default:
		return usagef("--mode must be mr or push, not %q", c.Mode)
	}
	if c.Base == "" {
		return usagef("--base must not be empty")
	}
	c.Path = strings.Trim(path.Clean("/"+c.Path), "/")
	if strings.HasPrefix(c.Path, "..") {
		return usagef("--path %q leaves the repository", c.Path)
	}
	for _, k := range c.Keep {
		if !doublestar.ValidatePattern(k) {
			return usagef("--keep %q is not a valid pattern", k)
		}
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
	if c.Title == "" {
		c.Title = "Update manifests"
		if c.Source.ShortSHA != "" {
			c.Title += " from " + c.Source.ShortSHA
		}
	}
	if c.Mode == ModePush {
		return nil
	}
	if c.Branch == "" {
		if c.Source.ShortSHA == "" {
			return usagef("--branch is needed when the source commit is unknown (no CI_COMMIT_SHORT_SHA and no git checkout)")
		}
		c.Branch = "tsumiki/" + c.Source.ShortSHA
	}
	if c.Branch == c.Base {
		return usagef("--branch and --base are both %q; use --mode push to commit to the base branch", c.Base)
	}
	ep, err := transport.NewEndpoint(c.Repo)
	if err != nil {
		// The parse error quotes the URL, user info and all.
		return usagef("--repo %q is not a URL git understands", redactURL(c.Repo))
	}
	server, project := gitlabProject(ep)
	if c.GitLabURL == "" {
		c.GitLabURL = server
	}
	if c.GitLabURL == "" {
		return usagef("--gitlab-url (or CI_SERVER_URL) is required for a %s repository URL", ep.Protocol)
	}
	if c.Project == "" {
		c.Project = project
	}
	if c.Project == "" {
		return usagef("--project is required for a local repository in mr mode")
	}
	return nil
}

// CheckCredentials explains, before any work, why the credentials at hand
// cannot do the job. jobToken reports whether CI_JOB_TOKEN is set.
func (c *Config) CheckCredentials(jobToken bool) error {
	ep, err := transport.NewEndpoint(c.Repo)
	if err != nil {
		return usagef("--repo %q is not a URL git understands", redactURL(c.Repo))
	}
	needToken := c.Mode == ModeMR || ep.Protocol == "https" || ep.Protocol == "http"
	if !needToken || c.Auth.Token != "" {
		return nil
	}
	if jobToken {
		return usagef("only CI_JOB_TOKEN is set, and a job token can neither push to another project " +
			"nor open merge requests: create a project access token on the manifests project " +
			"(role Developer or higher, scopes api and write_repository), store it as a masked CI/CD " +
			"variable GITLAB_TOKEN, or pass --token-file")
	}
	return usagef("no token: set GITLAB_TOKEN or pass --token-file (a project access token on the manifests project " +
		"with role Developer or higher and scopes api and write_repository)")
}

// keepMatcher reports whether a path relative to the managed path is kept.
func (c *Config) keepMatcher() func(rel string) bool {
	patterns := append(append([]string(nil), DefaultKeep...), c.Keep...)
	return func(rel string) bool {
		for _, p := range patterns {
			if ok, _ := doublestar.Match(p, rel); ok {
				return true
			}
		}
		return false
	}
}

// gitlabProject reads a GitLab clone URL: the instance's address (https
// and http only: an ssh host need not serve the web) and the project path
// (https, http and ssh).
func gitlabProject(ep *transport.Endpoint) (server, project string) {
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
