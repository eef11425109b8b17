package command

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestPrintResult: what sync prints for each way a sync ends, against
// testdata/sync-output.golden.
func TestPrintResult(t *testing.T) {
	cm := func(name string) manifest.ID { return manifest.ID{Kind: "ConfigMap", Namespace: "demo", Name: name} }
	changes := []manifest.Change{{Action: manifest.Changed, ID: cm("app")}, {Action: manifest.Added, ID: cm("extra")}}
	files := &gitsync.Plan{Added: []string{"apps/extra.yaml"}, Changed: []string{"apps/app.yaml"}}
	mr := &deliver.MergeRequest{IID: 7, URL: "https://gitlab.example.com/g/m/-/merge_requests/7", SourceBranch: "tsumiki/0123abcd"}
	flux := []deliver.FluxBuild{{Path: "clusters/dev", Kustomization: "flux-system/flux-system", Objects: 2}, {Path: "", Objects: 40}}
	newer := &deliver.MergeRequest{IID: 9, URL: "https://gitlab.example.com/g/m/-/merge_requests/9"}
	results := []struct {
		name string
		res  *deliver.Result
	}{
		{"failed before the plan", &deliver.Result{Status: deliver.StatusFailed}},
		{"dry run", &deliver.Result{Status: deliver.StatusDryRun, Changes: changes, Files: files, Flux: []deliver.FluxBuild{{Path: "apps", Objects: 1}}}},
		{"no changes", &deliver.Result{Status: deliver.StatusNoChanges, Files: &gitsync.Plan{}, Superseded: []deliver.Superseded{
			{MergeRequest: deliver.MergeRequest{IID: 3, SourceBranch: "tsumiki/old"}, BranchDeleted: true}}}},
		{"pushed", &deliver.Result{Status: deliver.StatusPushed, Changes: changes, Files: files, Branch: "main", Commit: "89abcdef0123456789abcdef0123456789abcdef", Pushed: true}},
		{"opened", &deliver.Result{Status: deliver.StatusOpened, Changes: changes, Files: files, Flux: flux, Branch: "tsumiki/0123abcd", Commit: "89abcdef0123456789abcdef0123456789abcdef", Pushed: true, MergeRequest: mr,
			Superseded: []deliver.Superseded{
				{MergeRequest: deliver.MergeRequest{IID: 5, SourceBranch: "tsumiki/5555aaaa"}, BranchDeleted: true},
				{MergeRequest: deliver.MergeRequest{IID: 6, SourceBranch: "tsumiki/6666bbbb"}, BranchKept: errors.New("refused: branch tsumiki/6666bbbb holds a commit sync did not make")},
			}}},
		{"updated, branch up to date", &deliver.Result{Status: deliver.StatusUpdated, Changes: changes, Files: files, Branch: "tsumiki/0123abcd", Commit: "89abcdef0123456789abcdef0123456789abcdef", MergeRequest: mr}},
		{"superseded", &deliver.Result{Status: deliver.StatusSuperseded, Changes: changes, Files: files, Branch: "tsumiki/0123abcd", Commit: "89abcdef0123456789abcdef0123456789abcdef", Pushed: true,
			MergeRequest: mr, SupersededBy: newer, Superseded: []deliver.Superseded{{MergeRequest: *mr, BranchDeleted: true}}}},
	}
	var out bytes.Buffer
	for _, r := range results {
		out.WriteString("## " + r.name + "\n")
		printResult(&out, r.res, deliver.GitLabConventions)
	}
	// GitHub's words for the same outcomes.
	for _, r := range results[4:] {
		out.WriteString("## GitHub: " + r.name + "\n")
		printResult(&out, r.res, deliver.GitHubConventions)
	}
	golden := filepath.Join("testdata", "sync-output.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("output differs from %s (go test -run TestPrintResult -update to rewrite):\n%s", golden, out.String())
	}
}
