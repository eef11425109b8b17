package deliver

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// Backoff is how a sync retries a step that failed for a reason that
// passes: a 5xx or 429 answer, a broken or timed-out connection, from git
// or from the forge alike.
type Backoff struct {
	// Delays are the waits before each retry, so len(Delays) retries at
	// most. Nil means DefaultBackoff's; an empty, non-nil slice, no retries.
	Delays []time.Duration
	// MaxRetryAfter is the longest wait a server may ask for (with
	// Retry-After, or GitHub's rate-limit reset), which replaces the delay;
	// a step whose server asks for longer fails at once, with its error,
	// rather than retry early into the same refusal. 0 means
	// DefaultBackoff's.
	MaxRetryAfter time.Duration
	// Sleep waits d, or until ctx is done and then returns its error; nil
	// uses a timer. Tests record the waits instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultBackoff retries four times within about 15 s, or longer only as a
// server's Retry-After demands, up to a minute per wait; a server that asks
// for longer is not retried.
var DefaultBackoff = Backoff{
	Delays:        []time.Duration{500 * time.Millisecond, 1 * time.Second, 4 * time.Second, 8 * time.Second},
	MaxRetryAfter: time.Minute,
}

func (b Backoff) withDefaults() Backoff {
	if b.Delays == nil {
		b.Delays = DefaultBackoff.Delays
	}
	if b.MaxRetryAfter == 0 {
		b.MaxRetryAfter = DefaultBackoff.MaxRetryAfter
	}
	if b.Sleep == nil {
		b.Sleep = sleep
	}
	return b
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Transient marks an error worth retrying: a 5xx or 429 answer, a rate
// limit, a timeout, a reset connection. RetryAfter, when set, is how long
// the server asked to wait. Forges return it for such failures.
type Transient struct {
	Err        error
	RetryAfter time.Duration
}

func (e *Transient) Error() string { return e.Err.Error() }
func (e *Transient) Unwrap() error { return e.Err }

// Temporary reports whether err is a failure that may pass: running the
// sync again may succeed.
func Temporary(err error) bool {
	var t *Transient
	return errors.As(err, &t) || gitsync.Temporary(err) || errors.Is(err, ErrMoved)
}

// retryAfter is the wait the server asked for, from the forge or git.
func retryAfter(err error) time.Duration {
	var t *Transient
	if errors.As(err, &t) && t.RetryAfter > 0 {
		return t.RetryAfter
	}
	return gitsync.RetryAfter(err)
}

// retry runs op until it succeeds, fails for good, or the retries run out.
// Only the result of a successful attempt is returned, so a failed attempt
// can never leave half a value behind for the next.
func retry[T any](ctx context.Context, b Backoff, log *slog.Logger, what string, op func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := op()
		if err == nil {
			return v, nil
		}
		var t *Transient
		retryable := errors.As(err, &t) || gitsync.Temporary(err)
		if !retryable || attempt >= len(b.Delays) || ctx.Err() != nil {
			return zero[T](), err
		}
		wait := b.Delays[attempt]
		if ra := retryAfter(err); ra > b.MaxRetryAfter {
			return zero[T](), err
		} else if ra > 0 {
			wait = ra
		}
		log.Warn("transient failure, retrying", "op", what, "attempt", attempt+1, "wait", wait, "error", err)
		if serr := b.Sleep(ctx, wait); serr != nil {
			return zero[T](), errors.Join(err, serr)
		}
	}
}

func zero[T any]() (z T) { return z }

// retryErr is retry for a step without a result.
func retryErr(ctx context.Context, b Backoff, log *slog.Logger, what string, op func() error) error {
	_, err := retry(ctx, b, log, what, func() (struct{}, error) { return struct{}{}, op() })
	return err
}
