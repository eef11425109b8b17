package deliver

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRefused is wrapped by errors that stop a sync to protect the cluster
// or someone's work: output Flux cannot apply, a plain Secret, a change too
// destructive to make unasked, a branch holding commits sync did not make.
var ErrRefused = errors.New("refused")

// ErrExists is returned by Forge.Create when an open merge request exists
// for the same branches.
var ErrExists = errors.New("an open merge request exists for the branches")

// ErrUnknownUser is wrapped by a Forge's errors for an assignee or
// reviewer it does not know.
var ErrUnknownUser = errors.New("unknown user")

// ErrMoved is wrapped when a branch moved while sync worked on it: someone
// merged into the base branch, or another sync pushed the change branch.
// Running again starts from where it is now.
var ErrMoved = errors.New("the branch moved meanwhile")

// MassDeleteError refuses a change that would empty much of the cluster
// by accident (Config.AllowMassDelete lets it through).
type MassDeleteError struct {
	// Path is the managed path, "" for the root.
	Path string
	// Folder, when set, is a folder under Path that the change empties.
	Folder string
	// Before is how many objects the managed path holds; the change removes
	// Removed of them and adds Added.
	Before, Removed, Added int
}

func (e *MassDeleteError) Error() string {
	if e.Folder != "" {
		return fmt.Sprintf("%s: the change removes every object under %s/", ErrRefused, e.Folder)
	}
	return fmt.Sprintf("%s: the change removes %d of the %d objects in %s and adds %d, leaving %d: it removes more than it leaves",
		ErrRefused, e.Removed, e.Before, displayPath(e.Path), e.Added, e.Before-e.Removed+e.Added)
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *MassDeleteError) Is(target error) bool { return target == ErrRefused }

// ForeignFilesError refuses to delete files under the managed path that
// are not Kubernetes manifests (Config.Keep keeps them).
type ForeignFilesError struct {
	Path  string
	Files []string // relative to the repository root
}

func (e *ForeignFilesError) Error() string {
	return fmt.Sprintf("%s: %s under %s %s not Kubernetes manifests, and sync would delete them",
		ErrRefused, strings.Join(e.Files, ", "), displayPath(e.Path), plural(len(e.Files), "is", "are"))
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *ForeignFilesError) Is(target error) bool { return target == ErrRefused }

// PlainSecretError refuses Secrets that hold data in dist/, the rule
// synthesis applies: a GitOps repository must not hold secrets in plain
// text (Config.AllowSecrets lets them through, for output encrypted
// downstream).
type PlainSecretError struct {
	// Secrets lists them as "file: Secret namespace/name has data".
	Secrets []string
}

func (e *PlainSecretError) Error() string {
	return fmt.Sprintf("%s: %s; a GitOps repository must not hold secrets in plain text", ErrRefused, strings.Join(e.Secrets, "; "))
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *PlainSecretError) Is(target error) bool { return target == ErrRefused }

// ForeignCommitError refuses to replace a branch whose tip is a commit
// sync did not make: someone's work on the change branch.
type ForeignCommitError struct {
	Branch, Commit, Subject, Author string
}

func (e *ForeignCommitError) Error() string {
	return fmt.Sprintf("%s: branch %s holds a commit sync did not make (%.12s %q by %s); sync does not overwrite it",
		ErrRefused, e.Branch, e.Commit, e.Subject, e.Author)
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *ForeignCommitError) Is(target error) bool { return target == ErrRefused }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func displayPath(p string) string {
	if p == "" {
		return "the repository root"
	}
	return p
}
