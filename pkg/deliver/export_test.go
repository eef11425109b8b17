package deliver

import "time"

// SetRetryDelays shortens the backoff for tests; the returned func restores it.
func SetRetryDelays(d ...time.Duration) func() {
	old := retryDelays
	retryDelays = d
	return func() { retryDelays = old }
}
