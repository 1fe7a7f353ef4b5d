package b2b

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// outcomeKind is how one attempt ended.
type outcomeKind int

const (
	// outcomeOK: a 2xx answer whose body was read and decoded.
	outcomeOK outcomeKind = iota
	// outcomeNotSent: the attempt failed before any byte of the request left the machine (the
	// dial, the name lookup or the TLS handshake failed).
	outcomeNotSent
	// outcomeLost: the request may have been sent, and no answer arrived (the connection broke, a
	// timeout while waiting, an unknown transport error).
	outcomeLost
	// outcomeStatus: an answer whose status is not 2xx.
	outcomeStatus
	// outcomeBrokenBody: a 2xx answer whose body could not be used: it broke off, was too large,
	// was not JSON of the documented shape, or was not a success body at all.
	outcomeBrokenBody
)

// outcome is what one attempt yields: everything the retry decision and the error need.
type outcome struct {
	kind       outcomeKind
	status     int           // the HTTP status, when an answer arrived
	requestID  string        // Stytch's request ID, when known
	retryAfter time.Duration // the answer's Retry-After, when it sent one
	permanent  bool          // outcomeNotSent: trying again cannot help (a certificate that does not verify)
	truncated  bool          // outcomeBrokenBody: the body broke off (a network failure after the answer began)
}

// decision is what the retry policy makes of an outcome.
type decision struct {
	retry          bool // the call may be sent again (attempts and deadline permitting)
	outcomeUnknown bool // Stytch may have processed the request, and its answer is lost
}

// decide is the retry policy: a pure function of the operation's retry class and how the attempt
// ended. Every class retries a rate limit (429: nothing was done) and a failure before the request
// left the machine. A repeatable class (gen.RetryClass.Repeatable) also retries a lost answer, a
// 5xx and a success body that broke off; for a class that is not, those leave the outcome unknown
// and are not retried.
func decide(class gen.RetryClass, o outcome) decision {
	repeatable := class.Repeatable()
	switch o.kind {
	case outcomeNotSent:
		return decision{retry: !o.permanent}
	case outcomeLost:
		return decision{retry: repeatable, outcomeUnknown: !repeatable}
	case outcomeStatus:
		switch {
		case o.status == http.StatusTooManyRequests:
			return decision{retry: true}
		case o.status >= 500:
			return decision{retry: repeatable, outcomeUnknown: !repeatable}
		}
	case outcomeBrokenBody:
		return decision{retry: repeatable && o.truncated, outcomeUnknown: !repeatable}
	}
	return decision{}
}

// backoff computes the wait before a retry: exponential from base, capped at max, with "equal
// jitter" (half fixed, half random) so concurrent callers spread out. A server's Retry-After is
// honoured when it asks for longer, up to retryAfterCap. No wait is longer than limit when limit
// is set (WithMaxRetryWait).
type backoff struct {
	base          time.Duration
	max           time.Duration
	retryAfterCap time.Duration
	limit         time.Duration // with limited: the longest wait of all
	limited       bool
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
	if b.limited {
		d = min(d, b.limit)
	}
	return d
}

// maxRetryAfter stands for a Retry-After too large to represent: far beyond any cap.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date. It returns 0 when the
// header is absent, unreadable or in the past; a number of seconds too large to represent counts
// as very long (the caps then apply), not as absent.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter // only a range error is possible here
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// sleepCtx waits for d or until ctx is done, whichever comes first, without leaking a timer.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
