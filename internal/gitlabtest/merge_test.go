package gitlabtest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const maintainerToken = "glpat-maintainer"

// mergeFixture is setup with a real bare repository behind the project:
// main holds app.yaml, and each branch given changes it or adds a file.
type mergeFixture struct {
	fixture
	bare       string
	maintainer gitlabtest.User
}

func setupMerge(t *testing.T) mergeFixture {
	t.Helper()
	f := mergeFixture{fixture: setup(t)}
	git := &gittest.Server{Root: t.TempDir()}
	var err error
	if f.bare, err = git.CreateRepo(f.project.PathWithNamespace, map[string]string{"app.yaml": "replicas: 1\n"}, 1); err != nil {
		t.Fatal(err)
	}
	f.maintainer = f.srv.AddToken(maintainerToken, gitlabtest.User{Username: "lead", Name: "Lea Lead", Email: "lea@example.com"}, gitlabtest.Maintainer)
	f.srv.SetGit(gitlabtest.BareRepositories(func(project string) string { return filepath.Join(git.Root, project+".git") }))
	return f
}

// branch commits files on a new branch off from.
func (f mergeFixture) branch(t *testing.T, name, from string, files map[string]string) string {
	t.Helper()
	work := t.TempDir()
	for _, args := range [][]string{{"clone", "-q", "-b", from, f.bare, "."}, {"checkout", "-q", "-b", name}} {
		if _, err := gittest.Git(work, args...); err != nil {
			t.Fatal(err)
		}
	}
	for p, content := range files {
		if err := os.WriteFile(filepath.Join(work, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "change on " + name}, {"push", "-q", "origin", name}} {
		if _, err := gittest.Git(work, args...); err != nil {
			t.Fatal(err)
		}
	}
	return f.rev(t, name)
}

func (f mergeFixture) rev(t *testing.T, ref string) string {
	t.Helper()
	out, err := gittest.Git(f.bare, "rev-parse", ref)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func (f mergeFixture) mr(t *testing.T, mr gitlabtest.MergeRequest) gitlabtest.MergeRequest {
	t.Helper()
	mr.ProjectID, mr.AuthorID = f.project.ID, f.dev.ID
	if mr.Title == "" {
		mr.Title = "Scale the app"
	}
	if mr.TargetBranch == "" {
		mr.TargetBranch = "main"
	}
	return f.srv.AddMergeRequest(mr)
}

func TestMergeMakesAMergeCommit(t *testing.T) {
	f := setupMerge(t)
	before := f.rev(t, "main")
	head := f.branch(t, "scale", "main", map[string]string{"app.yaml": "replicas: 3\n"})
	yes := true
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "scale", RemoveSourceBranch: &yes})

	c := f.client(t, maintainerToken)
	mr, resp, err := c.MergeRequests.AcceptMergeRequest(f.project.PathWithNamespace, 1, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(head)})
	if err != nil {
		t.Fatal(err)
	}
	main := f.rev(t, "main")
	if resp.StatusCode != 200 || mr.State != "merged" || mr.MergeCommitSHA != main || mr.SHA != head ||
		mr.MergeUser == nil || mr.MergeUser.Username != "lead" || mr.MergedAt == nil {
		t.Errorf("merged: %d %+v", resp.StatusCode, mr.BasicMergeRequest)
	}
	// merged_by, which client-go deprecates, is the same user.
	if r := f.do(t, "GET", "/api/v4/projects/tsumiki%2Fenvs%2Fmanifests/merge_requests/1", "", "PRIVATE-TOKEN", maintainerToken); !strings.Contains(r.body, `"merged_by":{"id":`+fmt.Sprint(f.maintainer.ID)+`,"username":"lead"`) {
		t.Errorf("merged_by: %s", r.body)
	}
	if parents := f.rev(t, "main^1") + " " + f.rev(t, "main^2"); parents != before+" "+head {
		t.Errorf("merge commit parents %s, want %s %s", parents, before, head)
	}
	msg, _ := gittest.Git(f.bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B", "main")
	want := "Lea Lead <lea@example.com>|Lea Lead <lea@example.com>|Merge branch 'scale' into 'main'\n\nScale the app\n\nSee merge request tsumiki/envs/manifests!1\n"
	if strings.TrimSpace(msg) != strings.TrimSpace(want) {
		t.Errorf("merge commit:\n%s\nwant\n%s", msg, want)
	}
	if files, _ := gittest.Files(f.bare, "main"); files["app.yaml"] != "replicas: 3\n" {
		t.Errorf("main holds %v", files)
	}
	// force_remove_source_branch was set, and no parameter overrode it.
	if branches, _ := gittest.Branches(f.bare); strings.Join(branches, " ") != "main" {
		t.Errorf("branches %v: the source branch was not removed", branches)
	}
	if got := f.srv.MergeRequests(f.project.ID)[0]; got.State != "merged" || got.MergedByID != f.maintainer.ID || got.MergeCommitSHA != main {
		t.Errorf("stored: %+v", got)
	}
	// Merged is not open any more.
	_, resp, err = c.MergeRequests.AcceptMergeRequest(f.project.PathWithNamespace, 1, nil)
	if resp == nil || resp.StatusCode != 405 || err == nil || !strings.Contains(err.Error(), "405 Method Not Allowed") {
		t.Errorf("merging again: %v", err)
	}
}

func TestMergeSquashes(t *testing.T) {
	f := setupMerge(t)
	base := f.rev(t, "main")
	f.branch(t, "scale", "main", map[string]string{"app.yaml": "replicas: 3\n"})
	f.branch(t, "other", "main", map[string]string{"other.yaml": "x: 1\n"})
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "other", Title: "Other"})
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "scale"})
	c := f.client(t, maintainerToken)
	if _, _, err := c.MergeRequests.AcceptMergeRequest(f.project.PathWithNamespace, 1, nil); err != nil {
		t.Fatal(err)
	}
	mr, _, err := c.MergeRequests.AcceptMergeRequest(f.project.PathWithNamespace, 2, &gitlab.AcceptMergeRequestOptions{
		Squash: gitlab.Ptr(true), SquashCommitMessage: gitlab.Ptr("Scale to three"), ShouldRemoveSourceBranch: gitlab.Ptr(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	squash := f.rev(t, "main^2")
	if !mr.Squash || mr.SquashCommitSHA != squash || f.rev(t, squash+"^") != base {
		t.Errorf("squash commit %s (parent %s), merge request %+v", squash, f.rev(t, squash+"^"), mr.BasicMergeRequest)
	}
	if subject, _ := gittest.Git(f.bare, "log", "-1", "--format=%s", squash); strings.TrimSpace(subject) != "Scale to three" {
		t.Errorf("squash commit subject %q", subject)
	}
	if files, _ := gittest.Files(f.bare, "main"); files["app.yaml"] != "replicas: 3\n" || files["other.yaml"] != "x: 1\n" {
		t.Errorf("main holds %v", files)
	}
	if branches, _ := gittest.Branches(f.bare); strings.Join(branches, " ") != "main other scale" {
		t.Errorf("branches %v: should_remove_source_branch=false keeps it, and other had no flag", branches)
	}
}

// TestMergeRefusals: GitLab's answers when a merge request cannot be
// merged, in the order its endpoint checks.
func TestMergeRefusals(t *testing.T) {
	f := setupMerge(t)
	head := f.branch(t, "scale", "main", map[string]string{"app.yaml": "replicas: 3\n"})
	f.branch(t, "conflict", "main", map[string]string{"app.yaml": "replicas: 5\n"})
	f.branch(t, "into-dev", "main", map[string]string{"b.yaml": "b: 1\n"})
	f.branch(t, "dev", "main", map[string]string{"c.yaml": "c: 1\n"})
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "scale"})                      // !1
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "scale", State: "closed"})     // !2
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "scale", Title: "Draft: wip"}) // !3
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "gone"})                       // !4
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "into-dev", TargetBranch: "dev"})
	// !6 conflicts once !1 is merged.
	f.mr(t, gitlabtest.MergeRequest{SourceBranch: "conflict"})
	merge := func(iid string) string {
		return "/api/v4/projects/tsumiki%2Fenvs%2Fmanifests/merge_requests/" + iid + "/merge"
	}
	const wrongSHA = "0000000000000000000000000000000000000000"

	main := f.rev(t, "main")
	f.do(t, "PUT", merge("1"), "").check(t, 401, `{"message":"401 Unauthorized"}`)
	f.do(t, "PUT", merge("1"), `{"squash":"maybe"}`, "PRIVATE-TOKEN", maintainerToken).check(t, 400, `{"error":"squash is invalid"}`)
	f.do(t, "PUT", merge("1"), `{"auto_merge":true}`, "PRIVATE-TOKEN", maintainerToken).check(t, 400, `{"error":"gitlabtest does not implement the auto_merge parameter"}`)
	f.do(t, "PUT", merge("99"), "", "PRIVATE-TOKEN", maintainerToken).check(t, 404, `{"message":"404 Not found"}`)
	f.do(t, "PUT", merge("1"), "", "PRIVATE-TOKEN", guestToken).check(t, 404, `{"message":"404 Not found"}`)
	f.do(t, "PUT", merge("1"), "", "PRIVATE-TOKEN", outsiderToken).check(t, 404, `{"message":"404 Project Not Found"}`)
	// main is protected: a Developer may not merge into it, a Reporter
	// nowhere; a Developer merges into another branch.
	f.do(t, "PUT", merge("1"), "", "PRIVATE-TOKEN", devToken).check(t, 401, `{"message":"401 Unauthorized"}`)
	f.do(t, "PUT", merge("5"), "", "PRIVATE-TOKEN", reporterToken).check(t, 401, `{"message":"401 Unauthorized"}`)
	if r := f.do(t, "PUT", merge("5"), "", "PRIVATE-TOKEN", devToken); r.status != 200 || !strings.Contains(r.body, `"state":"merged"`) {
		t.Errorf("a Developer merging into dev: %d %s", r.status, r.body)
	}
	f.do(t, "PUT", merge("2"), "", "PRIVATE-TOKEN", maintainerToken).check(t, 405, `{"message":"405 Method Not Allowed"}`)
	f.do(t, "PUT", merge("3"), "", "PRIVATE-TOKEN", maintainerToken).check(t, 405, `{"message":"405 Method Not Allowed"}`)
	f.do(t, "PUT", merge("4"), "", "PRIVATE-TOKEN", maintainerToken).check(t, 405, `{"message":"405 Method Not Allowed"}`)
	f.do(t, "PUT", merge("1"), `{"sha":"`+wrongSHA+`"}`, "PRIVATE-TOKEN", maintainerToken).
		check(t, 409, `{"message":"SHA does not match HEAD of source branch: `+head+`"}`)
	if f.rev(t, "main") != main || !slices.Equal(f.mergedIIDs(), []int{5}) {
		t.Errorf("merged: %v, want only !5, into dev", f.mergedIIDs())
	}
	if r := f.do(t, "PUT", merge("1"), `{"sha":"`+head+`"}`, "PRIVATE-TOKEN", maintainerToken); r.status != 200 {
		t.Errorf("merge !1: %d %s", r.status, r.body)
	}
	main = f.rev(t, "main")
	// A conflict is checked before the sha.
	f.do(t, "PUT", merge("6"), `{"sha":"`+wrongSHA+`"}`, "PRIVATE-TOKEN", maintainerToken).check(t, 422, `{"message":"Branch cannot be merged"}`)
	if f.rev(t, "main") != main {
		t.Error("a refused merge changed main")
	}
}

func (f mergeFixture) mergedIIDs() []int {
	var out []int
	for _, mr := range f.srv.MergeRequests(f.project.ID) {
		if mr.State == "merged" {
			out = append(out, mr.IID)
		}
	}
	return out
}
