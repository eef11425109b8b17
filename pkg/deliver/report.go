package deliver

import (
	"fmt"
	"os"
	"strings"

	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// writeReport writes the dotenv report a GitLab CI job publishes with
// `artifacts: reports: dotenv`, so later jobs and environments can use the
// merge request's URL.
func writeReport(cfg Config, res *Result) error {
	if cfg.Report == "" {
		return nil
	}
	n := manifest.Count(res.Changes)
	vars := [][2]string{
		{"TSUMIKI_BRANCH", res.Branch},
		{"TSUMIKI_COMMIT", res.Commit},
		{"TSUMIKI_OBJECTS_ADDED", fmt.Sprint(n[manifest.Added])},
		{"TSUMIKI_OBJECTS_CHANGED", fmt.Sprint(n[manifest.Changed])},
		{"TSUMIKI_OBJECTS_REMOVED", fmt.Sprint(n[manifest.Removed])},
		{"TSUMIKI_MR_IID", ""},
		{"TSUMIKI_MR_URL", ""},
	}
	if mr := res.MergeRequest; mr != nil {
		vars[5][1] = fmt.Sprint(mr.IID)
		vars[6][1] = mr.URL
	}
	var b strings.Builder
	for _, v := range vars {
		// GitLab's dotenv parser takes VALUE verbatim to the end of the line.
		fmt.Fprintf(&b, "%s=%s\n", v[0], strings.ReplaceAll(v[1], "\n", " "))
	}
	if err := os.WriteFile(cfg.Report, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
