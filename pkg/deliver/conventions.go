package deliver

import "strconv"

// Conventions are how a forge names and marks its merge requests, for the
// notes, titles, logs and errors a sync writes. A Forge with a method
// Conventions() Conventions sets its own; one without has GitLab's.
type Conventions struct {
	// Forge names the forge: "GitLab", "GitHub".
	Forge string
	// Noun is what a merge request is called: "merge request", "pull
	// request".
	Noun string
	// RefPrefix comes before a merge request's number where text refers
	// to it, and makes it a link there: "!" on GitLab, "#" on GitHub.
	RefPrefix string
	// DraftPrefix starts a draft's title where the title is what makes it
	// a draft ("Draft: " on GitLab); "" where drafts are a flag of their
	// own (MergeRequestSpec.Draft), as on GitHub.
	DraftPrefix string
}

// GitLabConventions are GitLab's, the default.
var GitLabConventions = Conventions{Forge: "GitLab", Noun: "merge request", RefPrefix: "!", DraftPrefix: "Draft: "}

// GitHubConventions are GitHub's.
var GitHubConventions = Conventions{Forge: "GitHub", Noun: "pull request", RefPrefix: "#"}

// Ref is how text refers to merge request n, such as "!7" or "#7".
func (c Conventions) Ref(n int) string { return c.RefPrefix + strconv.Itoa(n) }

// ConventionsOf returns the conventions of forge: its own, or GitLab's.
func ConventionsOf(forge Forge) Conventions {
	if f, ok := forge.(interface{ Conventions() Conventions }); ok {
		return f.Conventions()
	}
	return GitLabConventions
}
