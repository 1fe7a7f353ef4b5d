package b2b

import (
	"math/rand/v2"
	"time"
)

// backoff computes the wait before a retry: exponential from base, capped at max, with "equal
// jitter" (half fixed, half random) so concurrent callers spread out. A server's Retry-After is
// honoured when it asks for longer, up to retryAfterCap.
type backoff struct {
	base          time.Duration
	max           time.Duration
	retryAfterCap time.Duration
	jitter        func(n int64) int64 // random in [0, n); replaced in tests
}

var defaultBackoff = backoff{
	base:          200 * time.Millisecond,
	max:           2 * time.Second,
	retryAfterCap: 5 * time.Second,
	jitter:        rand.Int64N,
}

// delay returns the wait after the given failed attempt (1 for the first).
func (b backoff) delay(attempt int, retryAfter time.Duration) time.Duration {
	d := b.base
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + b.jitter(half+1))
	}
	if retryAfter > d {
		d = min(retryAfter, b.retryAfterCap)
	}
	return d
}
