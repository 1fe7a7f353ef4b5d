package b2b

// The internals the tests of package b2b_test need, exported for them only (this file is compiled
// with the tests of the package and is not part of the API). Every test of the facade is in
// package b2b_test, so that one dispatcher (internal/testkit) serves them all.

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// ErrorBodyCap is how much of an error body is read.
const ErrorBodyCap = errorBodyCap

// DecodeJSON is the decoder of success bodies.
var DecodeJSON = decodeJSON

// NewHTTPClient returns the http.Client a Client uses when WithHTTPClient is not given.
var NewHTTPClient = newHTTPClient

// HTTPClient returns the http.Client c sends its requests with.
func HTTPClient(c *Client) *http.Client { return c.x.hc }

// Waits records the waits between attempts a client computed, without spending them.
type Waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *Waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// All returns the waits recorded so far, in order.
func (w *Waits) All() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.d)
}

// RecordWaits makes c record its waits between attempts in the returned Waits instead of sleeping:
// retry tests run in no time and can assert the exact backoff.
func RecordWaits(c *Client) *Waits {
	w := &Waits{}
	c.x.sleep = w.sleep
	return w
}

// SleepForReal makes c wait between attempts with the real, context-aware sleep.
func SleepForReal(c *Client) { c.x.sleep = nil }

// SetJitter replaces the random part of c's backoff: jitter(n) must return a value in [0, n).
func SetJitter(c *Client, jitter func(n int64) int64) { c.x.backoff.jitter = jitter }

// SetRetryAfterCap changes the longest Retry-After c honours.
func SetRetryAfterCap(c *Client, d time.Duration) { c.x.backoff.retryAfterCap = d }

// Backoff is the backoff of a client, with its fields exported.
type Backoff struct {
	Base, Max, RetryAfterCap time.Duration
	Limit                    time.Duration // with Limited: the longest wait of all
	Limited                  bool
	Jitter                   func(n int64) int64
}

// DefaultBackoff returns the backoff NewClient starts from.
func DefaultBackoff() Backoff {
	b := defaultBackoff
	return Backoff{Base: b.base, Max: b.max, RetryAfterCap: b.retryAfterCap, Limit: b.limit, Limited: b.limited, Jitter: b.jitter}
}

// Delay is backoff.delay.
func (b Backoff) Delay(attempt int, retryAfter time.Duration) time.Duration {
	return backoff{base: b.Base, max: b.Max, retryAfterCap: b.RetryAfterCap, limit: b.Limit, limited: b.Limited, jitter: b.Jitter}.delay(attempt, retryAfter)
}

// ParseRetryAfter is parseRetryAfter.
var ParseRetryAfter = parseRetryAfter

// Classify is classify: whether a failed attempt provably never left the machine, and whether
// trying again cannot help.
func Classify(err error) (unsent, permanent bool) {
	f := classify(err)
	return f.unsent, f.permanent
}

// OutcomeKind is how one attempt ended.
type OutcomeKind = outcomeKind

// The kinds of outcome.
const (
	OutcomeOK         = outcomeOK
	OutcomeNotSent    = outcomeNotSent
	OutcomeLost       = outcomeLost
	OutcomeStatus     = outcomeStatus
	OutcomeBrokenBody = outcomeBrokenBody
)

// Outcome is the outcome of one attempt, with its fields exported.
type Outcome struct {
	Kind       OutcomeKind
	Status     int
	RetryAfter time.Duration
	Permanent  bool
	Truncated  bool
}

// Decision is what the retry policy makes of an outcome.
type Decision struct {
	Retry, OutcomeUnknown bool
}

// Decide is decide.
func Decide(class gen.RetryClass, o Outcome) Decision {
	d := decide(class, outcome{kind: o.Kind, status: o.Status, retryAfter: o.RetryAfter, permanent: o.Permanent, truncated: o.Truncated})
	return Decision{Retry: d.retry, OutcomeUnknown: d.outcomeUnknown}
}

// Scrub replaces the secrets in s as the errors of a call with those secrets do.
func Scrub(secrets []string, s string) string { return newScrubber(secrets).String(s) }

// NewDialer returns the dialer of the transport NewHTTPClient builds.
var NewDialer = newDialer
