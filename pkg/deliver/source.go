package deliver

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// SourceFromGit reads the source commit from the git checkout at dir (or
// above it), for runs outside GitLab CI: HEAD's hash and subject, and the
// web URL of the origin remote when it looks like a GitLab project. The
// time is the committer's, as GitLab's CI_COMMIT_TIMESTAMP.
func SourceFromGit(dir string) (Source, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return Source{}, fmt.Errorf("read the source commit from %s: %w", dir, err)
	}
	head, err := repo.Head()
	if err != nil {
		return Source{}, fmt.Errorf("read the source commit: %w", err)
	}
	c, err := repo.CommitObject(head.Hash())
	if err != nil {
		return Source{}, fmt.Errorf("read the source commit: %w", err)
	}
	s := Source{SHA: c.Hash.String(), ShortSHA: c.Hash.String()[:8], Title: strings.TrimSpace(strings.SplitN(c.Message, "\n", 2)[0]), Time: c.Committer.When}
	if origin, err := repo.Remote("origin"); err == nil && len(origin.Config().URLs) > 0 {
		s.ProjectURL = webURL(origin.Config().URLs[0])
	}
	return s, nil
}

// webURL turns a clone URL into the project's web address: ssh and https
// clone URLs of GitLab map to https://host/group/project.
func webURL(cloneURL string) string {
	ep, err := transport.NewEndpoint(cloneURL)
	if err != nil {
		return ""
	}
	server, project := forgeProject(ep)
	if project == "" {
		return ""
	}
	if server == "" { // ssh: the web is on the same host, over https
		server = "https://" + ep.Host
	}
	return server + "/" + project
}
