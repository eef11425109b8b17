package gitsync

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Temporary reports whether err is a failure worth retrying: the server
// answered 5xx or 429, the connection broke, ended early or timed out.
func Temporary(err error) bool {
	if code := httpStatus(err); code >= 500 || code == http.StatusTooManyRequests {
		return true
	}
	// go-git wraps transport errors in a type without Unwrap.
	var ue *plumbing.UnexpectedError
	if errors.As(err, &ue) {
		err = errors.Join(err, ue.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// RetryAfter returns how long the server asked to wait before the next
// attempt, from the Retry-After header (seconds or an HTTP date) of an HTTP
// answer, or 0.
func RetryAfter(err error) time.Duration {
	resp := httpResponse(err)
	if resp == nil {
		return 0
	}
	return ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

// ParseRetryAfter reads a Retry-After value, seconds or an HTTP date (then
// relative to now); 0 when absent, malformed or in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func httpStatus(err error) int {
	if resp := httpResponse(err); resp != nil {
		return resp.StatusCode
	}
	return 0
}

// httpResponse digs the answer out of go-git's HTTP errors, which it wraps
// in a type without Unwrap.
func httpResponse(err error) *http.Response {
	var ue *plumbing.UnexpectedError
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var he *githttp.Err
	if errors.As(err, &he) {
		return he.Response
	}
	return nil
}

// explain says what to fix for the errors a user can fix, with what the
// server said.
func explain(op, url string, err error) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return fmt.Errorf("%s %s: %w: the token was not accepted%s", op, url, ErrAuth, serverSaid(err, transport.ErrAuthenticationRequired))
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%s %s: %w: the token may not do this%s", op, url, ErrAuth, serverSaid(err, transport.ErrAuthorizationFailed))
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Errorf("%s %s: repository not found (or the token cannot see it)%s", op, url, serverSaid(err, transport.ErrRepositoryNotFound))
	}
	return fmt.Errorf("%s %s: %w", op, url, err)
}

// serverSaid returns the body the server sent with a refusal, which go-git
// appends to its own error, as " (the server said: …)", or "".
func serverSaid(err, sentinel error) string {
	_, body, _ := strings.Cut(err.Error(), sentinel.Error()+": ")
	if body = strings.Join(strings.Fields(body), " "); body == "" {
		return ""
	}
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return " (the server said: " + body + ")"
}
