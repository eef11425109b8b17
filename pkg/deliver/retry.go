package deliver

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// Transient marks an error worth retrying: a 5xx or 429 answer, a timeout,
// a reset connection. RetryAfter, when set, is how long the server asked to
// wait.
type Transient struct {
	Err        error
	RetryAfter time.Duration
}

func (e *Transient) Error() string { return e.Err.Error() }
func (e *Transient) Unwrap() error { return e.Err }

// retryDelays bound the backoff: four more attempts within about 15 s, or
// longer only as a server's Retry-After demands (capped at a minute).
var retryDelays = []time.Duration{500 * time.Millisecond, 1 * time.Second, 4 * time.Second, 8 * time.Second}

const maxRetryAfter = time.Minute

// retry runs op until it succeeds, fails for good, or the attempts run out.
func retry(ctx context.Context, log *slog.Logger, what string, op func() error) error {
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil || !isTransient(err) || attempt == len(retryDelays) {
			return err
		}
		wait := retryDelays[attempt]
		var t *Transient
		if errors.As(err, &t) && t.RetryAfter > 0 {
			wait = min(t.RetryAfter, maxRetryAfter)
		}
		log.Warn("transient failure, retrying", "op", what, "attempt", attempt+1, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func isTransient(err error) bool {
	var t *Transient
	return errors.As(err, &t) || gitsync.Temporary(err)
}
