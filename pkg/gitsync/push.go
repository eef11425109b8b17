package gitsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// ErrRejected is wrapped by the errors of Push and Delete when the remote
// branch is not where the caller expected it: someone else moved it.
var ErrRejected = errors.New("the remote branch moved")

// ErrDeclined is wrapped by the errors of Push and Delete when the server
// refused the update: a protected branch, a push rule, a hook.
var ErrDeclined = errors.New("the server declined the update")

// MovedError says where a remote branch is, when it is not where a push or
// a deletion expected it.
type MovedError struct {
	Branch string
	// Expected is where the caller expected the branch (zero: absent), At
	// where it is (zero: absent).
	Expected, At plumbing.Hash
}

func (e *MovedError) Error() string {
	show := func(h plumbing.Hash) string {
		if h.IsZero() {
			return "absent"
		}
		return "at " + h.String()
	}
	return fmt.Sprintf("%s: %s is %s, not %s as expected", ErrRejected, e.Branch, show(e.At), show(e.Expected))
}

// Is makes errors.Is(err, ErrRejected) hold.
func (e *MovedError) Is(target error) bool { return target == ErrRejected }

// DeclinedError is the server's refusal of an update, with its reason: the
// status it reported for the ref and the messages it sent (what `git push`
// prints as "remote: …" lines), where GitLab explains a protected branch or
// a push rule.
type DeclinedError struct {
	Op, Branch string
	// Status is the reason in the server's report, e.g. "pre-receive hook
	// declined".
	Status string
	// Messages are the server's messages, one per line.
	Messages []string
}

func (e *DeclinedError) Error() string {
	msg := fmt.Sprintf("%s %s: %s (%s)", e.Op, e.Branch, ErrDeclined, e.Status)
	if len(e.Messages) > 0 {
		msg += ": " + strings.Join(e.Messages, " ")
	}
	return msg
}

// Is makes errors.Is(err, ErrDeclined) hold.
func (e *DeclinedError) Is(target error) bool { return target == ErrDeclined }

// PushOptions says which branch Push sends and what it may replace.
type PushOptions struct {
	// Branch is the local branch (see CommitOptions) and the remote branch
	// of the same name.
	Branch string
	// Expect is the commit the remote branch must be at for the push to go
	// ahead, checked by the server under its ref lock; the zero hash means
	// the branch must not exist yet. A branch that moved fails with
	// ErrRejected, so a push never overwrites what its caller did not see.
	Expect plumbing.Hash
	// Force replaces whatever the remote branch holds; Expect is ignored.
	Force bool
}

// Push sends the local branch to the remote branch of the same name. A
// remote branch that already holds the local commit counts as pushed, so a
// push repeated after its answer was lost succeeds.
func (r *Repo) Push(ctx context.Context, o PushOptions) error {
	name := plumbing.NewBranchReferenceName(o.Branch)
	local, err := r.repo.Reference(name, true)
	if err != nil {
		return fmt.Errorf("push %s: no local branch: %w", o.Branch, err)
	}
	spec := config.RefSpec(name.String() + ":" + name.String())
	var messages serverMessages
	po := &git.PushOptions{RemoteName: "origin", Auth: r.auth, Progress: &messages}
	switch {
	case o.Force:
		spec = "+" + spec
	case !o.Expect.IsZero():
		// The server checks the old value go-git sends under its lock;
		// go-git sends the advertised one after checking it against this.
		po.RequireRemoteRefs = []config.RefSpec{config.RefSpec(o.Expect.String() + ":" + name.String())}
		spec = "+" + spec
	}
	// Without force and an expected commit, a branch that exists is refused
	// by go-git, and one that appears meanwhile by the server.
	po.RefSpecs = []config.RefSpec{spec}
	err = r.repo.PushContext(ctx, po)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if ctx.Err() != nil || Temporary(err) {
		return explain("push to", r.url, err)
	}
	// Where the branch is now tells a lost race or a repeated push from a
	// refusal.
	if at, lerr := r.remoteRef(ctx, name); lerr == nil {
		switch {
		case at == local.Hash():
			return nil
		case !o.Force && at != o.Expect:
			return fmt.Errorf("push %s: %w", o.Branch, &MovedError{Branch: o.Branch, Expected: o.Expect, At: at})
		}
	}
	return r.updateError("push", o.Branch, err, messages.lines())
}

// DeleteOptions says which remote branch Delete removes.
type DeleteOptions struct {
	Branch string
	// Expect is the commit the branch must still be at; the server checks
	// it under its ref lock, so a commit pushed meanwhile is never lost.
	Expect plumbing.Hash
}

// Delete removes a remote branch if it is still at the expected commit. A
// branch that is already gone counts as deleted.
func (r *Repo) Delete(ctx context.Context, o DeleteOptions) error {
	name := plumbing.NewBranchReferenceName(o.Branch)
	ep, err := transport.NewEndpoint(r.url)
	if err != nil {
		return fmt.Errorf("delete %s: %w", o.Branch, err)
	}
	cl, err := client.NewClient(ep)
	if err != nil {
		return fmt.Errorf("delete %s: %w", o.Branch, err)
	}
	sess, err := cl.NewReceivePackSession(ep, r.auth)
	if err != nil {
		return explain("delete "+o.Branch+" in", r.url, err)
	}
	defer sess.Close()
	adv, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		return explain("delete "+o.Branch+" in", r.url, err)
	}
	refs, err := adv.AllReferences()
	if err != nil {
		return fmt.Errorf("delete %s: %w", o.Branch, err)
	}
	at := plumbing.ZeroHash
	if ref, err := refs.Reference(name); err == nil {
		at = ref.Hash()
	}
	switch {
	case at.IsZero():
		return nil
	case at != o.Expect:
		return fmt.Errorf("delete %s: %w", o.Branch, &MovedError{Branch: o.Branch, Expected: o.Expect, At: at})
	case !adv.Capabilities.Supports(capability.DeleteRefs):
		return fmt.Errorf("delete %s: %w (the server does not take deletions)", o.Branch, git.ErrDeleteRefNotSupported)
	}
	var messages serverMessages
	req := packp.NewReferenceUpdateRequestFromCapabilities(adv.Capabilities)
	req.Commands = []*packp.Command{{Name: name, Old: o.Expect, New: plumbing.ZeroHash}}
	if adv.Capabilities.Supports(capability.Sideband64k) {
		_ = req.Capabilities.Set(capability.Sideband64k)
		req.Progress = &messages
	}
	report, err := sess.ReceivePack(ctx, req)
	if err == nil && report != nil {
		err = report.Error()
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil || Temporary(err) {
		return explain("delete "+o.Branch+" in", r.url, err)
	}
	if now, lerr := r.remoteRef(ctx, name); lerr == nil {
		switch {
		case now.IsZero():
			return nil
		case now != o.Expect:
			return fmt.Errorf("delete %s: %w", o.Branch, &MovedError{Branch: o.Branch, Expected: o.Expect, At: now})
		}
	}
	return r.updateError("delete", o.Branch, err, messages.lines())
}

// remoteRef returns where a remote branch is, the zero hash if absent.
func (r *Repo) remoteRef(ctx context.Context, name plumbing.ReferenceName) (plumbing.Hash, error) {
	remote, err := r.repo.Remote("origin")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: r.auth})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, ref := range refs {
		if ref.Name() == name {
			return ref.Hash(), nil
		}
	}
	return plumbing.ZeroHash, nil
}

// commandStatus reads go-git's error for a ref the server refused, "command
// error on <ref>: <status>", and "unpack error: <status>".
var commandStatus = regexp.MustCompile(`^(?:command error on \S+|unpack error): (.*)$`)

// updateError words a refused push or deletion, with the server's reason.
func (r *Repo) updateError(op, branch string, err error, messages []string) error {
	if m := commandStatus.FindStringSubmatch(err.Error()); m != nil {
		return &DeclinedError{Op: op, Branch: branch, Status: m[1], Messages: messages}
	}
	err = explain(op+" "+branch+" to", r.url, err)
	if len(messages) > 0 {
		return fmt.Errorf("%w (the server said: %s)", err, strings.Join(messages, " "))
	}
	return err
}

// serverMessages collects what the server sends on the progress channel
// while it takes a push: its hooks' output (where GitLab explains a
// refusal) and progress meters.
type serverMessages struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// maxMessages bounds what is kept of the server's messages.
const maxMessages = 4096

func (m *serverMessages) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if room := maxMessages - m.buf.Len(); room > 0 {
		m.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// progressLine matches git's progress meters, such as "Resolving deltas:
// 100% (3/3), done.".
var progressLine = regexp.MustCompile(`^[A-Za-z][A-Za-z ]*: +\d+% \(\d+/\d+\)|^[A-Za-z][A-Za-z ]*: +\d+(, done)?\.?$`)

// lines returns the messages, one per line, without progress meters, empty
// lines, the "remote: " prefix some servers add, or repetitions.
func (m *serverMessages) lines() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, line := range strings.FieldsFunc(m.buf.String(), func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "remote:"))
		if line == "" || progressLine.MatchString(line) || (len(out) > 0 && out[len(out)-1] == line) {
			continue
		}
		out = append(out, line)
	}
	return out
}
