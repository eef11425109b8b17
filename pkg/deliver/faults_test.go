package deliver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/deliver"
	"gitlab.com/tsumiki/tsumiki/pkg/gitlab"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// Faults, bad input and races in a sync: each test names what must hold.

const (
	routeMR    = "PUT /api/v4/projects/{id}/merge_requests/{iid}"
	routeMRs   = "POST /api/v4/projects/{id}/merge_requests"
	routeNotes = "POST /api/v4/projects/{id}/merge_requests/{iid}/notes"
)

// newer returns the config of a later source commit, with its own output.
func newer(cfg deliver.Config, n int, value string) deliver.Config {
	sha := strings.Repeat(fmt.Sprint(n%10), 40)
	cfg.Source = deliver.Source{SHA: sha, ShortSHA: sha[:8], Title: "Commit " + sha[:8], ProjectURL: cfg.Source.ProjectURL, Time: sourceTime.Add(time.Duration(n) * time.Hour)}
	cfg.Branch = ""
	return cfg
}

func (w *world) mergeRequest(t *testing.T, iid int) gitlabtest.MergeRequest {
	t.Helper()
	for _, mr := range w.api.MergeRequests(w.project.ID) {
		if mr.IID == iid {
			return mr
		}
	}
	t.Fatalf("no merge request !%d", iid)
	return gitlabtest.MergeRequest{}
}

// userNotes returns the bodies of the notes on a merge request that are
// not system notes.
func (w *world) userNotes(iid int) []string {
	var out []string
	for _, n := range w.api.Notes(w.project.ID, iid) {
		if !n.System {
			out = append(out, n.Body)
		}
	}
	return out
}

func (w *world) openMRs() []int {
	var out []int
	for _, mr := range w.api.MergeRequests(w.project.ID) {
		if mr.State == "opened" {
			out = append(out, mr.IID)
		}
	}
	return out
}

// TestRetriedMergeRequestUpdate: a sync of a commit that already has a
// merge request updates it; a transient failure of that update is retried,
// not a crash, whether or not GitLab made the change before failing.
func TestRetriedMergeRequestUpdate(t *testing.T) {
	for _, tt := range []struct {
		status int
		after  bool
	}{{500, false}, {502, false}, {503, false}, {429, false}, {502, true}} {
		t.Run(fmt.Sprintf("%d after=%v", tt.status, tt.after), func(t *testing.T) {
			w := newWorld(t)
			w.api.AddMergeRequest(gitlabtest.MergeRequest{ProjectID: w.project.ID, Title: "old", Description: "old", SourceBranch: "tsumiki/01234567", TargetBranch: "main"})
			w.api.Inject(gitlabtest.Fault{Route: routeMR, Status: tt.status, AfterHandling: tt.after})
			res, _, err := w.sync(t, w.cfg)
			if err != nil {
				t.Fatal(err)
			}
			mr := w.mergeRequest(t, 1)
			if res.Status != deliver.StatusUpdated || res.MergeRequest.IID != 1 || mr.Title != "Scale the app" || !strings.Contains(mr.Description, "+  k: v2") {
				t.Errorf("result %+v, merge request %+v", res, mr)
			}
			if len(w.waited()) != 1 {
				t.Errorf("waits = %v, want one retry", w.waited())
			}
		})
	}
}

// TestLostCreateIsAdopted: GitLab opened the merge request but the answer
// was lost; the retry meets a 409 and updates the one it made.
func TestLostCreateIsAdopted(t *testing.T) {
	w := newWorld(t)
	w.api.Inject(gitlabtest.Fault{Route: routeMRs, Status: 502, AfterHandling: true})
	w.api.Inject(gitlabtest.Fault{Route: routeMR, Status: 503})
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if mrs := w.api.MergeRequests(w.project.ID); len(mrs) != 1 || res.MergeRequest == nil || res.MergeRequest.IID != mrs[0].IID || res.Status != deliver.StatusUpdated {
		t.Errorf("merge requests %+v, result %+v", mrs, res)
	}
}

// TestRetriedCloseAddsOneNote: the note and the close of a superseded
// merge request are separate steps, each done once however often the
// other, or itself, is retried.
func TestRetriedCloseAddsOneNote(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	// The note is stored but its answer lost; the close fails twice.
	w.api.Inject(gitlabtest.Fault{Route: routeNotes, Status: 502, AfterHandling: true})
	w.api.Inject(gitlabtest.Fault{Route: routeMR, Params: map[string]string{"state_event": "close"}, Status: 502, Times: 2})
	next := newer(w.cfg, 1, "v3")
	next.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	res, _, err := w.sync(t, next)
	if err != nil {
		t.Fatal(err)
	}
	notes := w.userNotes(1)
	if len(notes) != 1 || !strings.HasPrefix(notes[0], fmt.Sprintf("Superseded by !%d ", res.MergeRequest.IID)) {
		t.Errorf("notes on !1 = %q, want one", notes)
	}
	if w.mergeRequest(t, 1).State != "closed" {
		t.Error("!1 is open")
	}

	// The close failing for good: a re-run closes it without a second note.
	w2 := newWorld(t)
	if _, _, err := w2.sync(t, w2.cfg); err != nil {
		t.Fatal(err)
	}
	w2.api.Inject(gitlabtest.Fault{Route: routeMR, Params: map[string]string{"state_event": "close"}, Status: 502, Times: 4})
	next2 := newer(w2.cfg, 1, "v3")
	next2.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	if _, _, err := w2.sync(t, next2); !deliver.Temporary(err) {
		t.Fatalf("err = %v, want the close's failure", err)
	}
	if _, _, err := w2.sync(t, next2); err != nil {
		t.Fatal(err)
	}
	if notes := w2.userNotes(1); len(notes) != 1 || w2.mergeRequest(t, 1).State != "closed" {
		t.Errorf("after the re-run: notes %q, state %s", notes, w2.mergeRequest(t, 1).State)
	}
}

// racingNote posts the same note as another sync would, just before this
// sync's own.
type racingNote struct {
	deliver.Forge
	once sync.Once
	note func(ctx context.Context, iid int, body string) error
}

func (r *racingNote) AddNote(ctx context.Context, iid int, body string) (deliver.Note, error) {
	var err error
	r.once.Do(func() { err = r.note(ctx, iid, body) })
	if err != nil {
		return deliver.Note{}, err
	}
	return r.Forge.AddNote(ctx, iid, body)
}

// TestRacingNotesEndAsOne: two syncs that note the same merge request at
// once leave one note: the later removes its own.
func TestRacingNotesEndAsOne(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	other, err := gitlab.New(w.api.URL(), token, "platform/manifests")
	if err != nil {
		t.Fatal(err)
	}
	next := newer(w.cfg, 1, "v3")
	next.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	_, _, err = w.syncWith(t, next, func(f deliver.Forge) deliver.Forge {
		return &racingNote{Forge: f, note: func(ctx context.Context, iid int, body string) error {
			_, err := other.AddNote(ctx, iid, body)
			return err
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	notes := w.api.Notes(w.project.ID, 1)
	var bodies []string
	for _, n := range notes {
		if !n.System {
			bodies = append(bodies, n.Body)
		}
	}
	if len(bodies) != 1 || !strings.HasPrefix(bodies[0], "Superseded by !2 ") {
		t.Errorf("notes = %q, want one", bodies)
	}
}

// TestGitHonoursRetryAfter: git's fetches and pushes wait as long as the
// server asks, as API calls do.
func TestGitHonoursRetryAfter(t *testing.T) {
	w := newWorld(t)
	w.git.Inject(gittest.Fault{Request: "GET /platform/manifests.git/info/refs?service=git-upload-pack", Status: 429, RetryAfter: "3"})
	w.git.Inject(gittest.Fault{Request: "POST /platform/manifests.git/git-receive-pack", Status: 503, RetryAfter: "5"})
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	if got := w.waited(); !slices.Equal(got, []time.Duration{3 * time.Second, 5 * time.Second}) {
		t.Errorf("waits = %v, want 3s and 5s as asked", got)
	}
}

// TestLostPushAnswer: a push the server applied but whose answer was lost
// counts as pushed on the retry, in both modes.
func TestLostPushAnswer(t *testing.T) {
	for _, mode := range []deliver.Mode{deliver.ModeMR, deliver.ModePush} {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			cfg := w.cfg
			cfg.Mode = mode
			w.git.Inject(gittest.Fault{Request: "POST /platform/manifests.git/git-receive-pack", Status: 502, After: true})
			res, _, err := w.sync(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if head, _ := gittest.Git(w.bare, "rev-parse", res.Branch); !res.Pushed || strings.TrimSpace(head) != res.Commit {
				t.Errorf("result %+v, branch at %s", res, head)
			}
		})
	}
}

// TestDeclinedPushShowsTheReason: a push the server refuses (a protected
// branch, a push rule) fails with what the server said.
func TestDeclinedPushShowsTheReason(t *testing.T) {
	const reason = "GitLab: You are not allowed to push code to protected branches on this project."
	for _, mode := range []deliver.Mode{deliver.ModeMR, deliver.ModePush} {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			if err := gittest.SetHook(w.bare, "pre-receive", "echo '"+reason+"' >&2\nexit 1\n"); err != nil {
				t.Fatal(err)
			}
			cfg := w.cfg
			cfg.Mode = mode
			before := w.snapshot(t)
			res, _, err := w.sync(t, cfg)
			var declined *gitsync.DeclinedError
			if !errors.As(err, &declined) || !slices.Contains(declined.Messages, reason) || !strings.Contains(err.Error(), reason) || deliver.Temporary(err) {
				t.Fatalf("err = %v, want the server's reason", err)
			}
			if res.Status != deliver.StatusFailed || res.Pushed || w.snapshot(t) != before {
				t.Errorf("result %+v; or the repository changed", res)
			}
			if len(w.waited()) != 0 {
				t.Errorf("a refusal was retried: %v", w.waited())
			}
		})
	}
}

const secretValue = "c3VwZXItc2VjcmV0LXZhbHVl" // base64 of super-secret-value

func plainSecret(value string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: demo\ndata:\n  password: " + value + "\n"
}

// TestPlainSecretsAreRefused: dist/ must not hold Secrets with data, the
// rule synthesis applies, unless allowed; and allowed or not, no value
// ever reaches the merge request, a note or the log.
func TestPlainSecretsAreRefused(t *testing.T) {
	w := newWorld(t)
	cfg := w.cfg
	cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v2"), "secret.yaml": plainSecret(secretValue)})
	res, _, err := w.sync(t, cfg)
	var plain *deliver.PlainSecretError
	if !errors.As(err, &plain) || !errors.Is(err, deliver.ErrRefused) || res.Status != deliver.StatusRefused ||
		!strings.Contains(err.Error(), "secret.yaml: Secret demo/db has data") || strings.Contains(err.Error(), secretValue) {
		t.Fatalf("err = %v, want a refusal naming the Secret", err)
	}
	if len(w.git.Requests()) != 0 || len(w.api.Requests()) != 0 {
		t.Error("the servers were contacted")
	}

	// Allowed: the first straight to main, the next through a merge
	// request that changes the value.
	cfg.AllowSecrets = true
	first := cfg
	first.Mode = deliver.ModePush
	_, logs, err := w.sync(t, first)
	if err != nil {
		t.Fatal(err)
	}
	next := newer(cfg, 1, "")
	next.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v2"), "secret.yaml": plainSecret("bmV3LXNlY3JldC12YWx1ZQ==")})
	_, logs2, err := w.sync(t, next)
	if err != nil {
		t.Fatal(err)
	}
	everything := logs + logs2
	for _, mr := range w.api.MergeRequests(w.project.ID) {
		everything += mr.Title + mr.Description
		everything += strings.Join(w.userNotes(mr.IID), "\n")
	}
	for _, v := range []string{secretValue, "bmV3LXNlY3JldC12YWx1ZQ=="} {
		if strings.Contains(everything, v) {
			t.Errorf("a Secret's value shows:\n%s", everything)
		}
	}
	second := w.mergeRequest(t, 1).Description
	if !strings.Contains(second, "-  password: <redacted>\n+  password: <redacted, changed>\n") {
		t.Errorf("the description does not show that the password changed:\n%s", second)
	}
	// The values did reach the branch: sync redacts what people read, not
	// what Flux applies.
	if got := w.files(t, "tsumiki/"+next.Source.ShortSHA)["clusters/prod/secret.yaml"]; !strings.Contains(got, "bmV3LXNlY3JldC12YWx1ZQ==") {
		t.Errorf("the branch holds %q", got)
	}
}

// TestBadPathsAreRefused: a --path that leaves the repository or does not
// say plainly which directory it means is refused before anything is
// contacted; a trailing slash is fine.
func TestBadPathsAreRefused(t *testing.T) {
	for _, p := range []string{"..", "../production", "clusters/../production", "./clusters/prod", "clusters//prod", "/clusters/prod", "/", `clusters\prod`, ".git", "clusters/.git/x"} {
		t.Run(p, func(t *testing.T) {
			w := newWorld(t)
			cfg := w.cfg
			cfg.Path = p
			res, _, err := w.sync(t, cfg)
			var ce *deliver.ConfigError
			if !errors.As(err, &ce) || ce.Field != "Path" || ce.Value != p || res.Status != deliver.StatusFailed {
				t.Fatalf("err = %v, want a ConfigError for Path %q", err, p)
			}
			if len(w.git.Requests()) != 0 || len(w.api.Requests()) != 0 {
				t.Error("the servers were contacted")
			}
		})
	}
	w := newWorld(t)
	cfg := w.cfg
	cfg.Path = "clusters/prod/"
	if _, _, err := w.sync(t, cfg); err != nil {
		t.Fatal(err)
	}
	if got := w.files(t, "tsumiki/01234567")["clusters/prod/app.k8s.yaml"]; got != cm("app", "v2") {
		t.Errorf("clusters/prod/ synced to the wrong place: %q", got)
	}
}

// barrier holds every ListOpen until both syncs have made their merge
// request, so that each sees the other's: the worst interleaving.
type barrier struct {
	deliver.Forge
	made *sync.WaitGroup
	once sync.Once
}

func (b *barrier) Create(ctx context.Context, spec deliver.MergeRequestSpec) (*deliver.MergeRequest, error) {
	mr, err := b.Forge.Create(ctx, spec)
	if err == nil {
		b.once.Do(b.made.Done)
	}
	return mr, err
}

func (b *barrier) ListOpen(ctx context.Context, target string) ([]deliver.MergeRequest, error) {
	done := make(chan struct{})
	go func() { b.made.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return nil, errors.New("barrier: the other sync never made its merge request")
	}
	return b.Forge.ListOpen(ctx, target)
}

// TestConcurrentSyncsOfDifferentCommits: two syncs started together, of an
// older and a newer commit, leave the newer commit's merge request open and
// the older one closed, with one note, and no note on the newer one.
func TestConcurrentSyncsOfDifferentCommits(t *testing.T) {
	w := newWorld(t)
	older, newerCfg := w.cfg, newer(w.cfg, 1, "v3")
	newerCfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	var made sync.WaitGroup
	made.Add(2)
	results := make([]*deliver.Result, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, cfg := range []deliver.Config{older, newerCfg} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _, errs[i] = w.syncWith(t, cfg, func(f deliver.Forge) deliver.Forge { return &barrier{Forge: f, made: &made} })
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	old, cur := results[0].MergeRequest.IID, results[1].MergeRequest.IID
	if open := w.openMRs(); !slices.Equal(open, []int{cur}) {
		t.Errorf("open merge requests %v, want only the newer commit's !%d", open, cur)
	}
	if notes := w.userNotes(old); len(notes) != 1 || !strings.HasPrefix(notes[0], fmt.Sprintf("Superseded by !%d ", cur)) {
		t.Errorf("notes on the older !%d: %q", old, notes)
	}
	if notes := w.userNotes(cur); len(notes) != 0 {
		t.Errorf("notes on the newer !%d: %q", cur, notes)
	}
	if results[0].Status != deliver.StatusSuperseded || results[0].SupersededBy.IID != cur || results[1].Status != deliver.StatusOpened {
		t.Errorf("statuses %s, %s", results[0].Status, results[1].Status)
	}
	if branches := w.branches(t); !slices.Equal(branches, []string{"main", "tsumiki/" + newerCfg.Source.ShortSHA}) {
		t.Errorf("branches %v, want the older one deleted", branches)
	}
}

// TestOlderCommitAfterNewer: a sync of an older commit run after the newer
// one (a retried pipeline) closes only its own merge request.
func TestOlderCommitAfterNewer(t *testing.T) {
	w := newWorld(t)
	n := newer(w.cfg, 1, "v3")
	n.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	first, _, err := w.sync(t, n)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if open := w.openMRs(); !slices.Equal(open, []int{first.MergeRequest.IID}) || res.Status != deliver.StatusSuperseded || res.SupersededBy.IID != first.MergeRequest.IID {
		t.Errorf("open %v, result %+v", open, res)
	}
	if notes := w.userNotes(first.MergeRequest.IID); len(notes) != 0 {
		t.Errorf("the newer merge request got notes: %q", notes)
	}
	// A revert to the older state, no changes against main, closes nothing
	// newer either.
	noChange := w.cfg
	noChange.Path = "clusters/staging"
	noChange.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("staging")})
	if _, _, err := w.sync(t, noChange); err != nil {
		t.Fatal(err)
	}
	if open := w.openMRs(); !slices.Equal(open, []int{first.MergeRequest.IID}) {
		t.Errorf("open %v", open)
	}
}

// TestConcurrentSyncsOfTheSameCommit: a sync that loses the race to push
// the same change adopts the winner's branch and merge request.
func TestConcurrentSyncsOfTheSameCommit(t *testing.T) {
	w := newWorld(t)
	winner := w.cfg
	loser := w.cfg
	loser.Author = gitsync.Identity{Name: "Other Job", Email: "other@example.com"} // a different commit of the same tree
	var once sync.Once
	var winnerErr error
	h := w.git.Handler()
	racing := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			// The loser's push is on its way: the winner gets there first.
			once.Do(func() { _, _, winnerErr = w.sync(t, winner) })
		}
		h.ServeHTTP(rw, r)
	}))
	defer racing.Close()
	loser.Repo = racing.URL + "/platform/manifests.git"
	res, logs, err := w.sync(t, loser)
	if winnerErr != nil || err != nil {
		t.Fatalf("winner: %v; loser: %v", winnerErr, err)
	}
	if !strings.Contains(logs, "another sync pushed the same change") {
		t.Errorf("the loser did not meet the winner's push:\n%s", logs)
	}
	tip, _ := gittest.Git(w.bare, "log", "-1", "--format=%H %an", "tsumiki/01234567")
	if mrs := w.api.MergeRequests(w.project.ID); len(mrs) != 1 || res.MergeRequest.IID != mrs[0].IID || res.Pushed ||
		tip != res.Commit+" Sync Bot\n" || res.Status != deliver.StatusUpdated {
		t.Errorf("merge requests %+v, result %+v, branch at %s", mrs, res, tip)
	}
}

// humanCommit adds a commit on branch as a person would.
func humanCommit(t *testing.T, bare, branch string) string {
	t.Helper()
	tree, err := gittest.Git(bare, "rev-parse", branch+"^{tree}")
	if err != nil {
		t.Fatal(err)
	}
	c, err := gittest.Git(bare, "commit-tree", strings.TrimSpace(tree), "-p", branch, "-m", "Fix the replica count by hand")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gittest.Git(bare, "update-ref", "refs/heads/"+branch, strings.TrimSpace(c)); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(c)
}

// TestPersonsCommitIsNotOverwritten: sync replaces only its own commits
// on its branch; one pushed by a person stops it.
func TestPersonsCommitIsNotOverwritten(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	human := humanCommit(t, w.bare, "tsumiki/01234567")
	again := w.cfg
	again.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v9")})
	res, _, err := w.sync(t, again)
	var fc *deliver.ForeignCommitError
	if !errors.As(err, &fc) || fc.Branch != "tsumiki/01234567" || fc.Commit != human || fc.Subject != "Fix the replica count by hand" || res.Status != deliver.StatusRefused {
		t.Fatalf("err = %v, want a refusal naming the person's commit", err)
	}
	if tip, _ := gittest.Git(w.bare, "rev-parse", "tsumiki/01234567"); strings.TrimSpace(tip) != human {
		t.Error("the person's commit was overwritten")
	}
}

// TestSupersededBranchesAreDeleted: closing an older merge request deletes
// its branch, unless someone committed to it.
func TestSupersededBranchesAreDeleted(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.sync(t, w.cfg); err != nil {
		t.Fatal(err)
	}
	second := newer(w.cfg, 1, "")
	second.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	res, _, err := w.sync(t, second)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Superseded) != 1 || !res.Superseded[0].BranchDeleted || res.Superseded[0].SourceBranch != "tsumiki/01234567" {
		t.Errorf("superseded = %+v", res.Superseded)
	}
	if b := w.branches(t); !slices.Equal(b, []string{"main", "tsumiki/" + second.Source.ShortSHA}) {
		t.Errorf("branches = %v", b)
	}

	human := humanCommit(t, w.bare, "tsumiki/"+second.Source.ShortSHA)
	third := newer(w.cfg, 2, "")
	third.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v4")})
	res, _, err = w.sync(t, third)
	if err != nil {
		t.Fatal(err)
	}
	var fc *deliver.ForeignCommitError
	if len(res.Superseded) != 1 || res.Superseded[0].BranchDeleted || !errors.As(res.Superseded[0].BranchKept, &fc) {
		t.Errorf("superseded = %+v, want the branch kept for the person's commit", res.Superseded)
	}
	if tip, _ := gittest.Git(w.bare, "rev-parse", "tsumiki/"+second.Source.ShortSHA); strings.TrimSpace(tip) != human {
		t.Error("the branch with the person's commit is gone")
	}
}

// TestFirstSyncReplacingAHandWrittenObject: the guard judges the change as
// a whole; a first sync that adds many objects and removes the one object
// written by hand is no mass delete.
func TestFirstSyncReplacingAHandWrittenObject(t *testing.T) {
	w := newWorld(t)
	bare, err := w.git.CreateRepo("platform/fresh", map[string]string{"README.md": "# manifests\n", "hello.yaml": cm("hello")}, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.cfg
	cfg.Repo = strings.Replace(cfg.Repo, "platform/manifests.git", "platform/fresh.git", 1)
	cfg.Mode, cfg.Path = deliver.ModePush, ""
	files := map[string]string{}
	for i := range 30 {
		files[fmt.Sprintf("apps/app%02d.k8s.yaml", i)] = cm(fmt.Sprintf("app%02d", i))
	}
	cfg.Dist = writeDist(t, files)
	res, _, err := w.sync(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gittest.Files(bare, "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["hello.yaml"]; ok || len(got) != 31 || res.Status != deliver.StatusPushed {
		t.Errorf("main holds %d files, hello.yaml kept: %v", len(got), ok)
	}
}

// TestMarkerInContentIsNotAMarker: a manifest whose text holds another
// path's marker does not make its merge request one sync supersedes there.
func TestMarkerInContentIsNotAMarker(t *testing.T) {
	w := newWorld(t)
	staging := newer(w.cfg, 1, "")
	staging.Path = "clusters/staging"
	staging.Dist = writeDist(t, map[string]string{"app.k8s.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: staging\n  namespace: demo\ndata:\n" +
		"  note: |\n    <!-- tsumiki: base=main path=/clusters/prod -->\n"})
	first, _, err := w.sync(t, staging)
	if err != nil {
		t.Fatal(err)
	}
	prod := newer(w.cfg, 2, "")
	prod.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v3")})
	res, _, err := w.sync(t, prod)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Superseded) != 0 || w.mergeRequest(t, first.MergeRequest.IID).State != "opened" {
		t.Errorf("the staging merge request was closed: %+v", res.Superseded)
	}
}

// TestDroppedConnectionsAreRetried: a connection closed without an answer,
// before or after the server acted, is retried like a 5xx, for git and the
// API alike, and nothing is done twice.
func TestDroppedConnectionsAreRetried(t *testing.T) {
	w := newWorld(t)
	w.git.Inject(gittest.Fault{Request: "POST /platform/manifests.git/git-upload-pack", Drop: true})
	w.git.Inject(gittest.Fault{Request: "POST /platform/manifests.git/git-receive-pack", Drop: true, After: true})
	w.api.Inject(gitlabtest.Fault{Route: routeMRs, Drop: true, AfterHandling: true})
	w.api.Inject(gitlabtest.Fault{Route: "GET /api/v4/projects/{id}/merge_requests", Drop: true})
	res, _, err := w.sync(t, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if mrs := w.api.MergeRequests(w.project.ID); len(mrs) != 1 || res.MergeRequest.IID != mrs[0].IID || !res.Pushed {
		t.Errorf("merge requests %+v, result %+v", mrs, res)
	}
	if n := len(w.waited()); n != 4 {
		t.Errorf("%d retries (%v), want 4", n, w.waited())
	}
}

// TestPathThatIsAFile: a managed path that names a file of the repository,
// or output that needs a kept file to be a directory, is refused; no tree
// with a name that is both a file and a directory is ever pushed.
func TestPathThatIsAFile(t *testing.T) {
	w := newWorld(t)
	before := w.snapshot(t)
	cfg := w.cfg
	cfg.Path = "README.md"
	_, _, err := w.sync(t, cfg)
	var ce *deliver.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Path" {
		t.Errorf("--path of a file: %v", err)
	}
	cfg = w.cfg
	cfg.Dist = writeDist(t, map[string]string{"app.k8s.yaml": cm("app", "v2"), "notes.txt/x.yaml": cm("x")})
	cfg.Keep = []string{"notes.txt"}
	if _, _, err := w.sync(t, cfg); !errors.Is(err, deliver.ErrRefused) || !strings.Contains(err.Error(), "clusters/prod/notes.txt is a file") {
		t.Errorf("output under a kept file: %v", err)
	}
	if w.snapshot(t) != before {
		t.Error("the repository changed")
	}
}
