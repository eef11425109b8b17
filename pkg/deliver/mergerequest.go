package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// maxDiff bounds the diffs in a description, and maxRows its table of
// objects: GitLab takes about a million characters, reviewers read far
// fewer.
const (
	maxDiff = 60_000
	maxRows = 1_000
)

// marker tags the merge requests sync opens, on the last line of their
// description, so that a later sync can find the ones it supersedes (same
// base branch, same managed path) and tell which source commit is newer.
type marker struct {
	Base, Path string // Path with a leading slash
	Source     string // the source commit's SHA; "" when unknown
	Time       time.Time
}

func markerOf(cfg Config) marker {
	return marker{Base: cfg.Base, Path: "/" + cfg.Path, Source: cfg.Source.SHA, Time: cfg.Source.Time}
}

func (m marker) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- tsumiki: base=%s path=%s", url.PathEscape(m.Base), pathEscape(m.Path))
	if m.Source != "" {
		fmt.Fprintf(&b, " source=%s", url.PathEscape(m.Source))
	}
	if !m.Time.IsZero() {
		fmt.Fprintf(&b, " time=%s", m.Time.UTC().Format(time.RFC3339))
	}
	b.WriteString(" -->")
	return b.String()
}

// pathEscape escapes a path segment by segment, so that slashes stay.
func pathEscape(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	return strings.Join(parts, "/")
}

var markerLine = regexp.MustCompile(`^<!-- tsumiki: ((?:[a-z]+=\S* ?)+) -->$`)

// parseMarker reads the last marker line of a description. Only a whole
// line counts: in the diffs above it, every line starts with a diff
// prefix, so no manifest can forge one.
func parseMarker(description string) (marker, bool) {
	lines := strings.Split(description, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		m := markerLine.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		var out marker
		for _, field := range strings.Fields(m[1]) {
			k, v, _ := strings.Cut(field, "=")
			v, err := url.PathUnescape(v)
			if err != nil {
				return marker{}, false
			}
			switch k {
			case "base":
				out.Base = v
			case "path":
				out.Path = v
			case "source":
				out.Source = v
			case "time":
				if out.Time, err = time.Parse(time.RFC3339, v); err != nil {
					return marker{}, false
				}
			}
		}
		return out, out.Base != "" && out.Path != ""
	}
	return marker{}, false
}

// sameTarget reports whether two markers are for the same base and path.
func (m marker) sameTarget(o marker) bool { return m.Base == o.Base && m.Path == o.Path }

// olderThan reports whether m's source commit is known to be older than
// o's. A marker without a time (written by an earlier tsumiki, or for a
// source of unknown time) is older than one with a time; two without are
// not ordered, and neither are two of the same second.
func (m marker) olderThan(o marker) bool {
	switch {
	case m.Source != "" && m.Source == o.Source:
		return false
	case !m.Time.IsZero() && !o.Time.IsZero():
		return m.Time.Before(o.Time)
	}
	return m.Time.IsZero() && !o.Time.IsZero()
}

// Trailers of the commits sync makes. tsumikiPath marks a commit as sync's
// own: sync replaces such a commit on its branch, and nothing else.
const (
	trailerSource     = "Tsumiki-Source: "
	trailerSourceTime = "Tsumiki-Source-Time: "
	trailerPath       = "Tsumiki-Path: "
)

func commitMessage(cfg Config) string {
	var b strings.Builder
	b.WriteString(cfg.Title)
	b.WriteString("\n\nManifests synthesized by tsumiki")
	if cfg.Source.ShortSHA != "" {
		fmt.Fprintf(&b, " from %s", cfg.Source.ShortSHA)
	}
	b.WriteString(".\n\n")
	if u := cfg.Source.CommitURL(); u != "" {
		b.WriteString(trailerSource + u + "\n")
	} else if cfg.Source.SHA != "" {
		b.WriteString(trailerSource + cfg.Source.SHA + "\n")
	}
	if !cfg.Source.Time.IsZero() {
		b.WriteString(trailerSourceTime + cfg.Source.Time.UTC().Format(time.RFC3339) + "\n")
	}
	b.WriteString(trailerPath + "/" + cfg.Path + "\n")
	return b.String()
}

// isSyncCommit reports whether a commit message is one sync wrote: it ends
// with sync's trailers (earlier versions wrote Tsumiki-Source only, or
// nothing but the "Manifests synthesized by tsumiki." line).
func isSyncCommit(message string) bool {
	for _, line := range strings.Split(message, "\n") {
		if strings.HasPrefix(line, trailerPath) || strings.HasPrefix(line, trailerSource) || line == "Manifests synthesized by tsumiki." {
			return true
		}
	}
	return false
}

func (s *syncRun) spec() MergeRequestSpec {
	cfg := s.cfg
	title := cfg.Title
	if p := s.terms.DraftPrefix; cfg.Draft && p != "" && !strings.HasPrefix(title, strings.TrimSpace(p)) {
		title = p + title
	}
	return MergeRequestSpec{
		Source:             cfg.Branch,
		Target:             cfg.Base,
		Title:              truncate(title, maxTitle),
		Description:        Description(cfg, s.res.Changes),
		Labels:             cfg.Labels,
		Assignees:          cfg.Assignees,
		Reviewers:          cfg.Reviewers,
		Squash:             cfg.Squash,
		RemoveSourceBranch: cfg.RemoveSourceBranch,
		Draft:              cfg.Draft,
	}
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// openMergeRequest opens the merge request for the change branch, or
// updates the one that is open, including one another sync opened
// meanwhile (GitLab answers 409 to the second create, GitHub 422).
func (s *syncRun) openMergeRequest(ctx context.Context) error {
	cfg, res, forge, noun := s.cfg, s.res, s.forge, s.terms.Noun
	spec := s.spec()
	find := func() (*MergeRequest, error) {
		return retry(ctx, cfg.Retry, s.log, "find "+noun, func() (*MergeRequest, error) {
			return forge.FindOpen(ctx, spec.Source, spec.Target)
		})
	}
	mr, err := find()
	if err != nil {
		return err
	}
	if mr == nil {
		created, err := retry(ctx, cfg.Retry, s.log, "create "+noun, func() (*MergeRequest, error) {
			return forge.Create(ctx, spec)
		})
		switch {
		case err == nil:
			s.log.Info("created "+noun, "ref", s.terms.Ref(created.IID))
			res.MergeRequest, res.Status = created, StatusOpened
			return nil
		case !errors.Is(err, ErrExists):
			return err
		}
		// Another run opened it meanwhile, or a create whose answer was
		// lost did: update that one.
		if mr, err = find(); err != nil {
			return err
		}
		if mr == nil {
			return fmt.Errorf("%s reports an open %s for the branch, but lists none", s.terms.Forge, noun)
		}
	}
	res.MergeRequest = mr
	iid := mr.IID
	updated, err := retry(ctx, cfg.Retry, s.log, "update "+noun, func() (*MergeRequest, error) {
		return forge.Update(ctx, iid, spec)
	})
	if err != nil {
		return err
	}
	s.log.Info("updated "+noun, "ref", s.terms.Ref(updated.IID))
	res.MergeRequest, res.Status = updated, StatusUpdated
	return nil
}

// candidate is an open merge request of sync for the same base and path.
type candidate struct {
	mr     MergeRequest
	marker marker
}

// supersede closes the open merge requests sync made for the same base
// and path whose source commit is older than the newest one's: their
// content is part of the newer state, or reverted by it, and merging one
// would deploy the past. mine is this run's merge request; without one
// (nothing changed), those older than this run's commit are closed.
// This run's own merge request is closed too when a newer commit's is
// open.
func (s *syncRun) supersede(ctx context.Context, mine *MergeRequest) error {
	cfg, res := s.cfg, s.res
	open, err := retry(ctx, cfg.Retry, s.log, "list "+s.terms.Noun+"s", func() ([]MergeRequest, error) {
		return s.forge.ListOpen(ctx, cfg.Base)
	})
	if err != nil {
		return err
	}
	me := markerOf(cfg)
	newest := candidate{marker: me}
	if mine != nil {
		newest.mr = *mine
	}
	var others []candidate
	for _, mr := range open {
		m, ok := parseMarker(mr.Description)
		if !ok || !m.sameTarget(me) || (mine != nil && mr.IID == mine.IID) {
			continue
		}
		c := candidate{mr: mr, marker: m}
		others = append(others, c)
		if mine != nil && newest.marker.olderThan(m) {
			newest = c
		}
	}

	if mine == nil {
		note := fmt.Sprintf("Out of date: %s already holds the manifests of %s. Closed by tsumiki.", cfg.Base, sourceName(cfg.Source))
		for _, c := range others {
			// The same commit's merge request is out of date as well.
			if c.marker.olderThan(me) || (c.marker.Source != "" && c.marker.Source == me.Source) {
				if err := s.close(ctx, c.mr, note); err != nil {
					return err
				}
			}
		}
		return nil
	}

	newer := "a newer commit"
	if sha := newest.marker.Source; sha != "" {
		newer += " (" + sha[:min(len(sha), 8)] + ")"
	}
	note := fmt.Sprintf("Superseded by %s (%s), which holds the manifests of %s. Closed by tsumiki.", s.terms.Ref(newest.mr.IID), newest.mr.URL, newer)
	for _, c := range others {
		if c.mr.IID != newest.mr.IID && c.marker.olderThan(newest.marker) {
			if err := s.close(ctx, c.mr, note); err != nil {
				return err
			}
		}
	}
	// A newer commit's merge request is open (a sync of an old commit ran
	// again, or two ran at once): this one would deploy the past. Only a
	// known, strictly older time closes it.
	if newest.mr.IID != mine.IID && !me.Time.IsZero() && !newest.marker.Time.IsZero() && me.olderThan(newest.marker) {
		if err := s.close(ctx, *mine, note); err != nil {
			return err
		}
		res.Status, res.SupersededBy = StatusSuperseded, &newest.mr
	}
	return nil
}

// close closes a merge request with a note, once, and deletes its branch
// when it holds nothing but sync's commit. Each step checks what is done
// before doing it, so a step retried, or a sync run again after a
// failure, repeats nothing: no second note, no error for a closed merge
// request or a deleted branch.
func (s *syncRun) close(ctx context.Context, mr MergeRequest, note string) error {
	cfg := s.cfg
	if err := s.noteOnce(ctx, mr.IID, note); err != nil {
		return err
	}
	err := retryErr(ctx, cfg.Retry, s.log, fmt.Sprintf("close %s %s", s.terms.Noun, s.terms.Ref(mr.IID)), func() error {
		return s.forge.Close(ctx, mr.IID)
	})
	if err != nil {
		return err
	}
	s.log.Info("closed "+s.terms.Noun, "ref", s.terms.Ref(mr.IID))
	closed := Superseded{MergeRequest: mr}
	if mr.SourceBranch != "" && mr.SourceBranch != cfg.Base {
		closed.BranchDeleted, closed.BranchKept = s.deleteBranch(ctx, mr.SourceBranch)
	}
	s.res.Superseded = append(s.res.Superseded, closed)
	return nil
}

// noteOnce adds a note unless the merge request has it. Two syncs that
// close the same merge request at once may both add it; the one whose
// note is the later removes its own.
func (s *syncRun) noteOnce(ctx context.Context, iid int, body string) error {
	cfg, forge := s.cfg, s.forge
	find := func(notes []Note) (Note, bool) {
		for _, n := range notes {
			if n.Body == body {
				return n, true
			}
		}
		return Note{}, false
	}
	what := fmt.Sprintf("comment on %s %s", s.terms.Noun, s.terms.Ref(iid))
	posted := false
	mine, err := retry(ctx, cfg.Retry, s.log, what, func() (Note, error) {
		notes, err := forge.Notes(ctx, iid)
		if err != nil {
			return Note{}, err
		}
		// A note posted by an attempt whose answer was lost is found here.
		if n, ok := find(notes); ok {
			return n, nil
		}
		posted = true
		return forge.AddNote(ctx, iid, body)
	})
	if err != nil || !posted {
		return err
	}
	notes, err := retry(ctx, cfg.Retry, s.log, what, func() ([]Note, error) { return forge.Notes(ctx, iid) })
	if err != nil {
		return err
	}
	if first, _ := find(notes); first.ID != mine.ID && first.ID != 0 {
		return retryErr(ctx, cfg.Retry, s.log, what, func() error { return forge.DeleteNote(ctx, iid, mine.ID) })
	}
	return nil
}

// deleteBranch deletes a closed merge request's branch if its tip is a
// commit sync made, and only that commit: a branch someone pushed to
// meanwhile stays. It reports whether it deleted the branch, or why it was
// kept (nil when it was gone already).
func (s *syncRun) deleteBranch(ctx context.Context, branch string) (bool, error) {
	cfg := s.cfg
	tip, err := retry(ctx, cfg.Retry, s.log, "fetch "+branch, func() (*gitsync.Tip, error) { return s.repo.Fetch(ctx, branch) })
	if err != nil || tip == nil {
		return false, err
	}
	if err := checkTip(branch, tip); err != nil {
		return false, err
	}
	err = retryErr(ctx, cfg.Retry, s.log, "delete "+branch, func() error {
		return s.repo.Delete(ctx, gitsync.DeleteOptions{Branch: branch, Expect: tip.Commit})
	})
	if err != nil {
		return false, err
	}
	s.log.Info("deleted branch", "branch", branch)
	return true, nil
}

func sourceName(s Source) string {
	if s.ShortSHA != "" {
		return s.ShortSHA
	}
	return "this commit"
}

// Description is the merge request text: where the change comes from, a
// table of the objects it adds, changes and removes, and their diffs,
// folded, cut at a size limit. The values of Secrets never show.
func Description(cfg Config, changes []manifest.Change) string {
	var b strings.Builder
	src := "an unknown commit"
	if cfg.Source.ShortSHA != "" {
		src = "`" + cfg.Source.ShortSHA + "`"
		if u := cfg.Source.CommitURL(); u != "" {
			src = fmt.Sprintf("[`%s`](%s)", cfg.Source.ShortSHA, u)
		}
	}
	if cfg.Source.Ref != "" {
		src += " on `" + cell(oneLine(cfg.Source.Ref)) + "`"
	}
	fmt.Fprintf(&b, "Manifests synthesized by tsumiki from %s", src)
	if cfg.Source.Title != "" {
		fmt.Fprintf(&b, ": %s", cell(oneLine(cfg.Source.Title)))
	}
	fmt.Fprintf(&b, ".\n\nManaged path: `%s` · base branch: `%s`\n\n", "/"+cfg.Path, cfg.Base)

	n := manifest.Count(changes)
	fmt.Fprintf(&b, "**%d added, %d changed, %d removed**\n\n", n[manifest.Added], n[manifest.Changed], n[manifest.Removed])
	if len(changes) > 0 {
		b.WriteString("| Change | Folder | Kind | Namespace | Name |\n|---|---|---|---|---|\n")
		for _, c := range changes[:min(len(changes), maxRows)] {
			kind := c.ID.Kind
			if c.ID.Group != "" {
				kind += "." + c.ID.Group
			}
			folder := c.Folder
			if folder == "." {
				folder = ""
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Action, cell(folder), cell(kind), cell(c.ID.Namespace), cell(c.ID.Name))
		}
		if len(changes) > maxRows {
			fmt.Fprintf(&b, "\n_%d more objects are left out of this table; see the branch's changes._\n", len(changes)-maxRows)
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
		fmt.Fprintf(&b, "<details><summary>%s %s</summary>\n\n%sdiff\n%s%s\n\n</details>\n\n", c.Action, cell(c.String()), fence, diff, fence)
	}
	if left > 0 {
		fmt.Fprintf(&b, "_The diffs of %d more objects are left out to keep this description under %d KB; see the branch's changes._\n\n", left, maxDiff/1000)
	}
	b.WriteString(markerOf(cfg).String())
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
