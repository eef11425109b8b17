package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// maxDiff bounds the diffs in a description: GitLab accepts about a million
// characters, reviewers read far fewer.
const maxDiff = 60_000

// marker tags the merge requests sync opens, so a later sync can find the
// ones it supersedes: same base branch, same managed path.
func marker(cfg Config) string {
	return fmt.Sprintf("<!-- tsumiki: base=%s path=%s -->", cfg.Base, "/"+cfg.Path)
}

func openMergeRequest(ctx context.Context, cfg Config, forge Forge, res *Result, log *slog.Logger) error {
	if forge == nil {
		return errors.New("no GitLab client")
	}
	spec := MergeRequestSpec{
		Source:             cfg.Branch,
		Target:             cfg.Base,
		Title:              cfg.Title,
		Description:        Description(cfg, res.Changes),
		Labels:             cfg.Labels,
		Assignees:          cfg.Assignees,
		Reviewers:          cfg.Reviewers,
		Squash:             cfg.Squash,
		RemoveSourceBranch: cfg.RemoveSourceBranch,
	}
	if cfg.Draft && !strings.HasPrefix(spec.Title, "Draft:") {
		spec.Title = "Draft: " + spec.Title
	}

	var mr *MergeRequest
	err := retry(ctx, log, "find merge request", func() (err error) {
		mr, err = forge.FindOpen(ctx, spec.Source, spec.Target)
		return err
	})
	if err != nil {
		return err
	}
	if mr == nil {
		err = retry(ctx, log, "create merge request", func() (err error) {
			mr, err = forge.Create(ctx, spec)
			return err
		})
		switch {
		case err == nil:
			log.Info("created merge request", "iid", mr.IID)
			res.MergeRequest = mr
			return supersedeIf(ctx, cfg, forge, res, log)
		case !errors.Is(err, ErrExists):
			return err
		}
		// Another run opened it meanwhile (GitLab answers 409): update that one.
		err = retry(ctx, log, "find merge request", func() (err error) {
			mr, err = forge.FindOpen(ctx, spec.Source, spec.Target)
			return err
		})
		if err != nil {
			return err
		}
		if mr == nil {
			return errors.New("GitLab reports an open merge request for the branch, but lists none")
		}
	}
	err = retry(ctx, log, "update merge request", func() (err error) {
		mr, err = forge.Update(ctx, mr.IID, spec)
		return err
	})
	if err != nil {
		return err
	}
	log.Info("updated merge request", "iid", mr.IID)
	res.MergeRequest = mr
	return supersedeIf(ctx, cfg, forge, res, log)
}

func supersedeIf(ctx context.Context, cfg Config, forge Forge, res *Result, log *slog.Logger) error {
	if !cfg.Supersede {
		return nil
	}
	note := fmt.Sprintf("Superseded by !%d (%s), which holds the manifests of a newer commit. Closed by tsumiki.", res.MergeRequest.IID, res.MergeRequest.URL)
	return supersede(ctx, cfg, forge, res, res.MergeRequest.IID, note, log)
}

// supersede closes the open merge requests sync made for the same base
// branch and path, except keep: their content is part of the newer state,
// or reverted by it, and merging one would deploy the past.
func supersede(ctx context.Context, cfg Config, forge Forge, res *Result, keep int, note string, log *slog.Logger) error {
	var open []MergeRequest
	err := retry(ctx, log, "list merge requests", func() (err error) {
		open, err = forge.ListOpen(ctx, cfg.Base)
		return err
	})
	if err != nil {
		return err
	}
	tag := marker(cfg)
	for _, mr := range open {
		if mr.IID == keep || !strings.Contains(mr.Description, tag) {
			continue
		}
		if err := retry(ctx, log, "close merge request", func() error { return forge.Close(ctx, mr.IID, note) }); err != nil {
			return err
		}
		res.Superseded = append(res.Superseded, mr.IID)
	}
	return nil
}

// Description is the merge request text: where the change comes from, a
// table of the objects it adds, changes and removes, and their diffs,
// folded, cut at a size limit.
func Description(cfg Config, changes []manifest.Change) string {
	var b strings.Builder
	src := "an unknown commit"
	if cfg.Source.ShortSHA != "" {
		src = "`" + cfg.Source.ShortSHA + "`"
		if u := cfg.Source.CommitURL(); u != "" {
			src = fmt.Sprintf("[`%s`](%s)", cfg.Source.ShortSHA, u)
		}
	}
	fmt.Fprintf(&b, "Manifests synthesized by tsumiki from %s", src)
	if cfg.Source.Title != "" {
		fmt.Fprintf(&b, ": %s", cfg.Source.Title)
	}
	fmt.Fprintf(&b, ".\n\nManaged path: `%s` · base branch: `%s`\n\n", "/"+cfg.Path, cfg.Base)

	n := manifest.Count(changes)
	fmt.Fprintf(&b, "**%d added, %d changed, %d removed**\n\n", n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	if len(changes) > 0 {
		b.WriteString("| Change | Kind | Namespace | Name |\n|---|---|---|---|\n")
		for _, c := range changes {
			kind := c.ID.Kind
			if c.ID.Group != "" {
				kind += "." + c.ID.Group
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Action, cell(kind), cell(c.ID.Namespace), cell(c.ID.Name))
		}
		b.WriteString("\n")
	}

	used, left := 0, 0
	for _, c := range changes {
		diff := c.UnifiedDiff()
		if used+len(diff) > maxDiff {
			left++
			continue
		}
		used += len(diff)
		fence := "```"
		for strings.Contains(diff, fence) {
			fence += "`"
		}
		fmt.Fprintf(&b, "<details><summary>%s %s</summary>\n\n%sdiff\n%s%s\n\n</details>\n\n", c.Action, cell(c.ID.String()), fence, diff, fence)
	}
	if left > 0 {
		fmt.Fprintf(&b, "_The diffs of %d more objects are left out to keep this description under %d KB; see the branch's changes._\n\n", left, maxDiff/1000)
	}
	b.WriteString(marker(cfg))
	b.WriteString("\n")
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}
