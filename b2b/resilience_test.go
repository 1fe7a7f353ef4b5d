package b2b_test

// Fault injection: what the transport does when the server rate-limits, fails, resets the
// connection, never answers, sends too much or sends garbage, and when the caller's context ends.
// Every test checks that no goroutine outlives it (noLeaks) and records the waits between
// attempts instead of spending them (client), so the file runs in well under a second apart
// from the concurrency test.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

func TestRetry429ThenSuccessEveryOperation(t *testing.T) {
	t.Parallel()
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", "1")
					testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
					return
				}
				okWithRequestID(w, tc.Response)
			})
			c, waits := checkedClient(t, srv.URL)
			resp, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
			require.NoError(t, err)
			require.NotNil(t, resp)

			hits := srv.Requests()
			require.Len(t, hits, 2, "a 429 is retried for every retry class")
			assert.Equal(t, hits[0].Body, hits[1].Body, "the retry replays the same body")
			assert.Equal(t, hits[0].Header.Get("Authorization"), hits[1].Header.Get("Authorization"))
			// The backoff for attempt 1 is at most 200ms; the server asked for 1s.
			assert.Equal(t, []time.Duration{time.Second}, waits.All(), "Retry-After is honoured")
		})
	}
}

// A repeatable operation is sent again after any 5xx, a plain 500 as much as a 503.
func TestRetry5xxOnARepeatableOperationIsRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range some(t, "is repeatable", repeatable) {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(fmt.Sprintf("%s/%d", tc.Op.ID, status), func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
					if n == 1 {
						testkit.Error(w, status, "internal_server_error", "try again")
						return
					}
					okWithRequestID(w, tc.Response)
				})
				c, waits := checkedClient(t, srv.URL)
				resp, err := testkit.Call(t.Context(), c, tc.Minimal)
				require.NoError(t, err)
				require.NotNil(t, resp)
				hits := srv.Requests()
				require.Len(t, hits, 2, "a %d is retried for a repeatable operation", status)
				assert.Equal(t, hits[0].EscapedPath, hits[1].EscapedPath)
				assert.Equal(t, hits[0].Body, hits[1].Body, "the retry sends the same request")
				w := waits.All()
				require.Len(t, w, 1)
				// Equal jitter around the 200ms base: between half and all of it.
				assert.GreaterOrEqual(t, w[0], b2b.DefaultBackoff().Base/2)
				assert.LessOrEqual(t, w[0], b2b.DefaultBackoff().Base)
			})
		}
	}
}

func TestRetry5xxOnANonRepeatableOperationIsNotRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range some(t, "is not repeatable", notRepeatable) {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(fmt.Sprintf("%s/%d", tc.Op.ID, status), func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Retry-After", "1")
					testkit.Error(w, status, "internal_server_error", "something broke")
				})
				c, waits := faultClient(t, srv.URL)
				resp, err := testkit.Call(t.Context(), c, tc.Minimal)
				requireNoResponse(t, resp, err)
				assert.Len(t, srv.Requests(), 1, "an operation that is not repeatable is never sent again after a 5xx")
				assert.Empty(t, waits.All())

				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, status, e.StatusCode)
				assert.Equal(t, 1, e.Attempts)
				assert.Equal(t, tc.Op.ID, e.Operation)
				assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown, "a 5xx may come after the work was done")
				assert.Contains(t, err.Error(), "outcome unknown")
			})
		}
	}
}

func TestRetriesAreBoundedAndConfigurable(t *testing.T) {
	t.Parallel()
	maxJitter := func(n int64) int64 { return n - 1 }
	noJitter := func(int64) int64 { return 0 }
	cases := []struct {
		name      string
		opts      []b2b.Option
		jitter    func(int64) int64
		wantHits  int
		wantWaits []time.Duration
	}{
		{"default", nil, maxJitter, 3, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}},
		{"off", []b2b.Option{b2b.WithMaxRetries(0)}, maxJitter, 1, nil},
		{"one", []b2b.Option{b2b.WithMaxRetries(1)}, noJitter, 2, []time.Duration{100 * time.Millisecond}},
		{"five, capped at 2s", []b2b.Option{b2b.WithMaxRetries(5)}, maxJitter, 6,
			[]time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 2 * time.Second}},
		{"five, least jitter", []b2b.Option{b2b.WithMaxRetries(5)}, noJitter, 6,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second}},
	}
	tc := one(t, "is repeatable", repeatable)
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				testkit.Error(w, http.StatusBadGateway, "bad_gateway", "upstream down")
			})
			// The deadline only makes a regression (retrying forever) fail fast: recorded waits
			// take no time, and each is shorter than the deadline.
			c, waits := faultClient(t, srv.URL, append([]b2b.Option{b2b.WithTimeout(5 * time.Second)}, cs.opts...)...)
			b2b.SetJitter(c, cs.jitter)
			resp, err := testkit.Call(t.Context(), c, tc.Minimal)
			requireNoResponse(t, resp, err)
			assert.Len(t, srv.Requests(), cs.wantHits)
			assert.Equal(t, cs.wantWaits, waits.All())
			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, cs.wantHits, e.Attempts)
			assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown, "a read-only call has no outcome to reconcile")
		})
	}
}

func TestRetry429OnANonRepeatableOperationIsBoundedAndNotAmbiguous(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, waits := faultClient(t, srv.URL)
	resp, err := testkit.Call(t.Context(), c, one(t, "is not repeatable and sends a body", unsentWithBody).Minimal)
	requireNoResponse(t, resp, err)
	assert.Len(t, srv.Requests(), b2b.DefaultMaxRetries+1)
	assert.Len(t, waits.All(), b2b.DefaultMaxRetries)
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusTooManyRequests, e.StatusCode)
	assert.True(t, e.Retryable())
	assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown, "a 429 means the request was not processed")
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	b := b2b.Backoff{Base: 100 * time.Millisecond, Max: time.Second, RetryAfterCap: 5 * time.Second}
	b.Jitter = func(n int64) int64 { return n - 1 }
	assert.Equal(t, 100*time.Millisecond, b.Delay(1, 0))
	assert.Equal(t, 200*time.Millisecond, b.Delay(2, 0))
	assert.Equal(t, 800*time.Millisecond, b.Delay(4, 0))
	assert.Equal(t, time.Second, b.Delay(5, 0), "capped at max")
	assert.Equal(t, time.Second, b.Delay(60, 0), "no overflow for large attempts")
	assert.Equal(t, 3*time.Second, b.Delay(1, 3*time.Second), "Retry-After longer than the backoff wins")
	assert.Equal(t, 5*time.Second, b.Delay(1, time.Hour), "Retry-After is capped")
	assert.Equal(t, 100*time.Millisecond, b.Delay(1, time.Millisecond), "a shorter Retry-After does not shorten the backoff")

	b.Jitter = func(int64) int64 { return 0 }
	assert.Equal(t, 50*time.Millisecond, b.Delay(1, 0), "equal jitter keeps at least half")

	// The real jitter stays in [half, full].
	b.Jitter = b2b.DefaultBackoff().Jitter
	for range 1000 {
		d := b.Delay(3, 0)
		require.GreaterOrEqual(t, d, 200*time.Millisecond)
		require.LessOrEqual(t, d, 400*time.Millisecond)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"3", 3 * time.Second},
		{"3600", time.Hour},
		{"99999999999999999999", 24 * time.Hour}, // too large for int64: as long as the longest, then capped
		{"9999999999", 24 * time.Hour},
		{"soon", 0},
		{"1.5", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(10 * time.Second).Format(time.RFC850), 10 * time.Second},
	}
	for _, cs := range cases {
		assert.Equal(t, cs.want, b2b.ParseRetryAfter(cs.in, now), "Retry-After %q", cs.in)
	}
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	tc := one(t, "is not repeatable and sends a body", unsentWithBody)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	c, waits := faultClient(t, srv.URL)
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	w := waits.All()
	require.Len(t, w, 1)
	// The date has a resolution of one second.
	assert.Greater(t, w[0], 1500*time.Millisecond)
	assert.LessOrEqual(t, w[0], 3*time.Second)
}

func TestRetryAfterOfAnHourIsCapped(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "3600")
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	c, waits := faultClient(t, srv.URL)
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{b2b.DefaultBackoff().RetryAfterCap}, waits.All())
	assert.Less(t, b2b.DefaultBackoff().RetryAfterCap, b2b.DefaultTimeout, "a capped wait fits in the default deadline")
}

// With the cap lifted and real sleeping, a Retry-After of an hour still cannot hold the call past
// its deadline: the wait is skipped when the deadline would pass first.
func TestRetryAfterOfAnHourDeadlineWins(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
		c, _ := faultClient(t, srv.URL, b2b.WithTimeout(300*time.Millisecond))
		b2b.SleepForReal(c) // real, context-aware sleeping
		b2b.SetRetryAfterCap(c, 2*time.Hour)
		start := time.Now()
		resp, err := testkit.Call(t.Context(), c, tc.Minimal)
		requireNoResponse(t, resp, err)
		assert.Less(t, time.Since(start), 2*time.Second, "returned promptly instead of waiting an hour")
		var e *b2b.Error
		require.ErrorAs(t, err, &e, "the 429 itself is returned")
		assert.Equal(t, http.StatusTooManyRequests, e.StatusCode)
	}
	assert.Len(t, srv.Requests(), 2)
}

// A wait between attempts ends as soon as the context does, even with no deadline at all.
func TestRetryWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, _ := faultClient(t, srv.URL, b2b.WithTimeout(0))
	b2b.SleepForReal(c) // real, context-aware sleeping
	b2b.SetRetryAfterCap(c, 2*time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	stop := time.AfterFunc(100*time.Millisecond, cancel)
	defer stop.Stop()
	start := time.Now()
	resp, err := testkit.Call(ctx, c, one(t, "is not repeatable and sends a body", unsentWithBody).Minimal)
	requireNoResponse(t, resp, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	var te *b2b.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts)
	assert.True(t, te.Sent, "the first attempt reached the server")
	assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown, "a 429 is not ambiguous")
	assert.Contains(t, err.Error(), "429", "the last failure is named")
	assert.Len(t, srv.Requests(), 1)
}

func TestConnectionRefusedIsRetriedForBothClasses(t *testing.T) {
	t.Parallel()
	for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
		t.Run(tc.Op.ID, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			c, waits := faultClient(t, closedPortURL(t))
			resp, err := testkit.Call(t.Context(), c, tc.Minimal)
			requireNoResponse(t, resp, err)
			var te *b2b.TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, b2b.DefaultMaxRetries+1, te.Attempts)
			assert.False(t, te.Sent, "a refused connection never carried the request")
			assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
			assert.Len(t, waits.All(), b2b.DefaultMaxRetries)
			var op *net.OpError
			assert.ErrorAs(t, err, &op, "the cause is kept")

			c0, waits0 := faultClient(t, closedPortURL(t), b2b.WithMaxRetries(0))
			_, err = testkit.Call(t.Context(), c0, tc.Minimal)
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 1, te.Attempts)
			assert.Empty(t, waits0.All())
		})
	}
}

// A certificate that does not verify fails before anything is sent, and is not worth retrying.
func TestTLSCertificateFailureIsUnsentAndNotRetried(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = quietLogger() // the handshake error is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, waits := faultClient(t, srv.URL) // the default client does not trust httptest's certificate
	resp, err := testkit.Call(t.Context(), c, one(t, "is not repeatable and sends a body", unsentWithBody).Minimal)
	requireNoResponse(t, resp, err)
	var te *b2b.TransportError
	require.ErrorAs(t, err, &te)
	assert.False(t, te.Sent)
	assert.Equal(t, 1, te.Attempts)
	assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
	assert.Empty(t, waits.All())
	assert.Zero(t, hits.Load())
}

func TestClassify(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://test.stytch.com/v1/b2b/x", Err: err}
	}
	cases := []struct {
		name string
		err  error
		want [2]bool // unsent, permanent
	}{
		{"dial refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), [2]bool{true, false}},
		{"dns", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}), [2]bool{true, false}},
		{"bare dns", wrap(&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}), [2]bool{true, false}},
		{"handshake timeout", wrap(errors.New("net/http: TLS handshake timeout")), [2]bool{true, false}},
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), [2]bool{true, true}},
		{"hostname", wrap(x509.HostnameError{Host: "x"}), [2]bool{true, true}},
		{"read reset", wrap(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}), [2]bool{}},
		{"write broken", wrap(&net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}), [2]bool{}},
		{"eof", wrap(io.EOF), [2]bool{}},
		{"unexpected eof", wrap(io.ErrUnexpectedEOF), [2]bool{}},
		{"timeout", wrap(context.DeadlineExceeded), [2]bool{}},
		{"unknown", wrap(errors.New("something new")), [2]bool{}},
	}
	for _, cs := range cases {
		unsent, permanent := b2b.Classify(cs.err)
		assert.Equal(t, cs.want, [2]bool{unsent, permanent}, cs.name)
	}
}

func TestConnectionResetAfterWriteOnANonRepeatableOperationIsNotRetried(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"rst", "fin"} {
		for _, tc := range some(t, "is not repeatable", notRepeatable) {
			t.Run(mode+"/"+tc.Op.ID, func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				var received atomic.Int32
				base := rawServer(t, func(_ int, conn net.Conn) {
					if err := readRequest(conn); err != nil {
						return
					}
					received.Add(1)
					if mode == "rst" {
						reset(conn)
					} // "fin": the deferred Close
				})
				c, waits := faultClient(t, base)
				resp, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
				requireNoResponse(t, resp, err)
				assert.Equal(t, int32(1), received.Load(), "the request was received exactly once")
				assert.Empty(t, waits.All())
				var te *b2b.TransportError
				require.ErrorAs(t, err, &te)
				assert.True(t, te.Sent)
				assert.True(t, te.OutcomeUnknown)
				assert.Equal(t, 1, te.Attempts)
				assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown)
			})
		}
	}
}

func TestConnectionResetAfterWriteOnARepeatableOperationIsRetried(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	t.Run("then success", func(t *testing.T) {
		t.Parallel()
		noLeaks(t)
		var received atomic.Int32
		base := rawServer(t, func(_ int, conn net.Conn) {
			if err := readRequest(conn); err != nil {
				return
			}
			if received.Add(1) == 1 {
				reset(conn)
				return
			}
			writeResponse(conn, http.StatusOK, tc.Response)
		})
		c, waits := faultClient(t, base)
		resp, err := testkit.Call(t.Context(), c, tc.Minimal)
		require.NoError(t, err)
		require.NotNil(t, resp)
		assert.Equal(t, int32(2), received.Load())
		assert.Len(t, waits.All(), 1)
	})
	t.Run("every time", func(t *testing.T) {
		t.Parallel()
		noLeaks(t)
		var received atomic.Int32
		base := rawServer(t, func(_ int, conn net.Conn) {
			if err := readRequest(conn); err == nil {
				received.Add(1)
				reset(conn)
			}
		})
		c, _ := faultClient(t, base)
		resp, err := testkit.Call(t.Context(), c, tc.Minimal)
		requireNoResponse(t, resp, err)
		assert.Equal(t, int32(b2b.DefaultMaxRetries+1), received.Load())
		var te *b2b.TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Sent)
		assert.Equal(t, b2b.DefaultMaxRetries+1, te.Attempts)
		assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
	})
}

func TestServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
		t.Run(tc.Op.ID, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			srv := hangingServer(t)
			c, waits := faultClient(t, srv.URL, b2b.WithTimeout(200*time.Millisecond))
			start := time.Now()
			resp, err := testkit.Call(t.Context(), c, tc.Minimal)
			requireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), 2*time.Second, "returned at the deadline rather than hanging")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var te *b2b.TransportError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Sent)
			assert.Equal(t, 1, te.Attempts)
			assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown),
				"a timeout after sending leaves the outcome of an operation that is not repeatable unknown")
			assert.Empty(t, waits.All())
			assert.Len(t, srv.Requests(), 1)
		})
	}
}

func TestEarlierDeadlineWins(t *testing.T) {
	t.Parallel()
	tc := one(t, "is not repeatable and sends a body", unsentWithBody)
	t.Run("context earlier than WithTimeout", func(t *testing.T) {
		t.Parallel()
		noLeaks(t)
		srv := hangingServer(t)
		c, _ := faultClient(t, srv.URL, b2b.WithTimeout(time.Minute))
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := testkit.Call(ctx, c, tc.Minimal)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("WithTimeout earlier than context", func(t *testing.T) {
		t.Parallel()
		noLeaks(t)
		srv := hangingServer(t)
		c, _ := faultClient(t, srv.URL, b2b.WithTimeout(200*time.Millisecond))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		_, err := testkit.Call(ctx, c, tc.Minimal)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestDefaultAndConfiguredDeadline(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	type seen struct {
		deadline time.Time
		ok       bool
	}
	run := func(ctx context.Context, opts ...b2b.Option) seen {
		var s seen
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			s.deadline, s.ok = r.Context().Deadline()
			return inMemory(r, 200, tc.Response), nil
		})}
		c, _ := faultClient(t, "https://test.stytch.com", append([]b2b.Option{b2b.WithHTTPClient(hc)}, opts...)...)
		_, err := testkit.Call(ctx, c, tc.Minimal)
		require.NoError(t, err)
		return s
	}
	s := run(t.Context())
	require.True(t, s.ok, "a call has a deadline by default")
	assert.WithinDuration(t, time.Now().Add(b2b.DefaultTimeout), s.deadline, time.Second)
	assert.LessOrEqual(t, b2b.DefaultTimeout, 30*time.Second, "the default is seconds, not minutes")

	s = run(t.Context(), b2b.WithTimeout(3*time.Second))
	require.True(t, s.ok)
	assert.WithinDuration(t, time.Now().Add(3*time.Second), s.deadline, time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	want, _ := ctx.Deadline()
	s = run(ctx)
	require.True(t, s.ok)
	assert.Equal(t, want, s.deadline, "the caller's earlier deadline is kept")

	s = run(context.Background(), b2b.WithTimeout(0))
	assert.False(t, s.ok, "WithTimeout(0) leaves the call to its context")
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		noLeaks(t)
		srv := testkit.NewServer(t, func(_ int, _ http.ResponseWriter, _ *http.Request) {})
		c, _ := faultClient(t, srv.URL)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
			start := time.Now()
			resp, err := testkit.Call(ctx, c, tc.Minimal)
			requireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), time.Second)
			assert.ErrorIs(t, err, context.Canceled)
			var te *b2b.TransportError
			require.ErrorAs(t, err, &te)
			assert.False(t, te.Sent)
			assert.Zero(t, te.Attempts)
			assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
		}
		assert.Empty(t, srv.Requests(), "nothing is sent with a cancelled context")
	})
	t.Run("during the call", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
			noLeaks(t)
			srv := hangingServer(t)
			c, _ := faultClient(t, srv.URL)
			ctx, cancel := context.WithCancel(t.Context())
			stop := time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			resp, err := testkit.Call(ctx, c, tc.Minimal)
			stop.Stop()
			requireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), 2*time.Second)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown))
		}
	})
}

func TestResponseBodyLargerThanTheCap(t *testing.T) {
	const size = 64 << 20
	for _, declared := range []bool{false, true} {
		for _, tc := range []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)} {
			// Not parallel: the allocation counts below are process-wide, and parallel tests run
			// only once the serial ones, like this, have ended.
			t.Run(fmt.Sprintf("%s/declared=%v", tc.Op.ID, declared), func(t *testing.T) {
				noLeaks(t)
				srv, written := streamServer(t, http.StatusOK, size, declared)
				c, waits := faultClient(t, srv.URL)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				resp, err := testkit.Call(t.Context(), c, tc.Minimal)
				runtime.ReadMemStats(&after)
				requireNoResponse(t, resp, err)

				assert.ErrorIs(t, err, b2b.ErrResponseTooLarge)
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, http.StatusOK, de.StatusCode)
				assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown),
					"an operation that is not repeatable was processed although its answer is unusable")
				assert.Len(t, srv.Requests(), 1, "an oversize body is not retried")
				assert.Empty(t, waits.All())

				allocated := after.TotalAlloc - before.TotalAlloc
				assert.Less(t, allocated, uint64(40<<20), "memory stays bounded (allocated %d MiB)", allocated>>20)
				if declared {
					assert.Less(t, allocated, uint64(4<<20), "a declared oversize body is refused without reading it")
				}
				assert.Less(t, written(), int64(size/2), "the client stopped reading long before the end")
			})
		}
	}
}

func TestResponseCapIsConfigurable(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	c, _ := faultClient(t, srv.URL, b2b.WithMaxResponseBytes(int64(len(tc.Response))))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err, "a body of exactly the cap is read")

	c, _ = faultClient(t, srv.URL, b2b.WithMaxResponseBytes(int64(len(tc.Response)-1)))
	resp, err := testkit.Call(t.Context(), c, tc.Minimal)
	requireNoResponse(t, resp, err)
	assert.ErrorIs(t, err, b2b.ErrResponseTooLarge)
}

func TestHugeErrorBodyIsReadOnlyUpToItsCap(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	srv, written := streamServer(t, http.StatusBadRequest, 64<<20, false)
	c, _ := faultClient(t, srv.URL)
	resp, err := testkit.Call(t.Context(), c, one(t, "is not repeatable and sends a body", unsentWithBody).Minimal)
	requireNoResponse(t, resp, err)
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusBadRequest, e.StatusCode)
	assert.Less(t, len(err.Error()), 500, "the error is one short line")
	assert.Less(t, written(), int64(32<<20))
}

func TestHostileAndBrokenBodies(t *testing.T) {
	t.Parallel()
	get, post := one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		check  func(t *testing.T, tc fixtures.Case, err error, hits int)
	}{
		{
			name: "truncated JSON",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "request-id-truncated")
				_, _ = w.Write([]byte(`{"request_id":"request-id-x","status_code":200,"memb`))
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "request-id-truncated", de.RequestID)
				assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown))
				assert.Equal(t, 1, hits, "a body that arrived whole but is malformed is not retried")
			},
		},
		{
			name: "body cut off before its Content-Length",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "5000")
				_, _ = w.Write([]byte(`{"request_id":"request-`))
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // drop the connection
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				if tc.Op.Retry.Repeatable() {
					assert.Equal(t, b2b.DefaultMaxRetries+1, hits, "a repeatable operation retries a body lost on the wire")
					assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
				} else {
					assert.Equal(t, 1, hits)
					assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown)
				}
			},
		},
		{
			name: "wrong shape",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(`{"status_code":"two hundred","request_id":["x"]}`))
			},
			check: func(t *testing.T, _ fixtures.Case, err error, hits int) {
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, 1, hits)
			},
		},
		{
			name:   "empty 200",
			handle: func(_ http.ResponseWriter, _ *http.Request) {},
			check: func(t *testing.T, _ fixtures.Case, err error, _ int) {
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
			},
		},
		{
			name: "HTML 502 from a proxy",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusBadGateway, e.StatusCode)
				assert.Contains(t, e.ErrorMessage, "text/html")
				assert.NotContains(t, err.Error(), "<html>", "the body is not copied into the error")
				if tc.Op.Retry.Repeatable() {
					assert.Equal(t, b2b.DefaultMaxRetries+1, hits)
				} else {
					assert.Equal(t, 1, hits)
					assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown)
				}
			},
		},
		{
			name: "empty 500",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "request-id-empty-500")
				w.WriteHeader(http.StatusInternalServerError)
			},
			check: func(t *testing.T, _ fixtures.Case, err error, _ int) {
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusInternalServerError, e.StatusCode)
				assert.Equal(t, "empty error body", e.ErrorMessage)
				assert.Equal(t, "request-id-empty-500", e.RequestID, "the request ID falls back to the header")
			},
		},
		{
			name: "empty 400",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
			},
			check: func(t *testing.T, _ fixtures.Case, err error, hits int) {
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusBadRequest, e.StatusCode)
				assert.Equal(t, 1, hits, "a 4xx other than 429 is final")
				assert.NotErrorIs(t, err, b2b.ErrOutcomeUnknown)
			},
		},
		{
			name: "Stytch error with a multi-line message",
			handle: func(w http.ResponseWriter, _ *http.Request) {
				testkit.Error(w, http.StatusNotFound, "member_not_found", "Member\nnot\r\nfound.")
			},
			check: func(t *testing.T, _ fixtures.Case, err error, _ int) {
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, b2b.ErrorTypeMemberNotFound, e.ErrorType)
				assert.Equal(t, "request-id-test-404", e.RequestID)
				assert.NotContains(t, err.Error(), "\n")
				assert.Contains(t, err.Error(), "Member not found.")
			},
		},
	}
	for _, cs := range cases {
		for _, tc := range []fixtures.Case{get, post} {
			t.Run(cs.name+"/"+tc.Op.ID, func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { cs.handle(w, r) })
				c, _ := faultClient(t, srv.URL)
				resp, err := testkit.Call(t.Context(), c, tc.Minimal)
				requireNoResponse(t, resp, err)
				cs.check(t, tc, err, len(srv.Requests()))
			})
		}
	}
}

// The default http.Client keeps connections for reuse under concurrency: 32 goroutines making
// 4,000 calls, one in five answered with an error, open at most 64 connections.
func TestConnectionsAreReusedUnderConcurrency(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	tc := one(t, "is repeatable", repeatable)
	// A small body, the envelope every success answer has: this test is about connections, and
	// decoding the full fixture 4,000 times under the race detector would take most of a minute.
	small := []byte(`{"request_id":"request-id-small","status_code":200}`)
	var conns, served atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if served.Add(1)%5 == 0 {
			testkit.Error(w, http.StatusNotFound, "member_not_found", "Member not found.")
			return
		}
		okWithRequestID(w, small)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := faultClient(t, srv.URL)

	const workers, calls = 32, 4000
	var next, ok, notFound atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= calls {
				resp, err := testkit.Call(t.Context(), c, tc.Minimal)
				var e *b2b.Error
				switch {
				case err == nil && resp != nil:
					ok.Add(1)
				case errors.As(err, &e) && e.StatusCode == http.StatusNotFound:
					notFound.Add(1)
				default:
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected failure: %v", err)
	}
	assert.Equal(t, int32(calls), ok.Load()+notFound.Load())
	assert.Equal(t, int32(calls/5), notFound.Load())
	assert.LessOrEqual(t, conns.Load(), int32(64), "connections are reused, not churned")
	t.Logf("%d calls over %d connections", calls, conns.Load())
}

// bodyTracker wraps every response body to see that it is read to the end (so the connection
// can be reused) and closed.
type bodyTracker struct {
	next           http.RoundTripper
	opened, closed atomic.Int32
	drained        atomic.Int32
}

func (b *bodyTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if resp != nil {
		b.opened.Add(1)
		resp.Body = &trackedBody{ReadCloser: resp.Body, t: b}
	}
	return resp, err
}

type trackedBody struct {
	io.ReadCloser
	t         *bodyTracker
	eof, shut bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.eof {
		b.eof = true
		b.t.drained.Add(1)
	}
	return n, err
}

func (b *trackedBody) Close() error {
	if !b.shut {
		b.shut = true
		b.t.closed.Add(1)
	}
	return b.ReadCloser.Close()
}

func TestEveryBodyIsDrainedAndClosed(t *testing.T) {
	t.Parallel()
	get, post := one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)
	cases := []struct {
		name        string
		tc          fixtures.Case
		opts        []b2b.Option
		handle      func(n int, w http.ResponseWriter, r *http.Request)
		wantBodies  int
		wantDrained bool
		wantErr     bool
	}{
		{"success", get, nil, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, get.Response) }, 1, true, false},
		{"stytch error", post, nil, func(_ int, w http.ResponseWriter, _ *http.Request) {
			testkit.Error(w, http.StatusUnauthorized, "unauthorized_credentials", "no")
		}, 1, true, true},
		{"retried 503 then success", get, nil, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 3 {
				testkit.Error(w, http.StatusServiceUnavailable, "unavailable", "later")
				return
			}
			okWithRequestID(w, get.Response)
		}, 3, true, false},
		{"retried 429 on an operation that is not repeatable", post, nil, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "later")
				return
			}
			okWithRequestID(w, post.Response)
		}, 2, true, false},
		{"decode error", post, nil, func(_ int, w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"status_code": "x"}`)
		}, 1, true, true},
		{"oversize, drained when small enough", get, []b2b.Option{b2b.WithMaxResponseBytes(1024)}, func(_ int, w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte(" "), 8<<10))
		}, 1, true, true},
		{"large error body", post, nil, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(bytes.Repeat([]byte("x"), 100<<10)) // more than errorBodyCap
		}, 1, true, true},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			srv := testkit.NewServer(t, cs.handle)
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			tracker := &bodyTracker{next: tr}
			c, _ := faultClient(t, srv.URL, append([]b2b.Option{b2b.WithHTTPClient(&http.Client{Transport: tracker})}, cs.opts...)...)
			_, err := testkit.Call(t.Context(), c, cs.tc.Minimal)
			assert.Equal(t, cs.wantErr, err != nil, "error: %v", err)
			assert.Equal(t, cs.wantBodies, int(tracker.opened.Load()))
			assert.Equal(t, tracker.opened.Load(), tracker.closed.Load(), "every body is closed")
			if cs.wantDrained {
				assert.Equal(t, tracker.opened.Load(), tracker.drained.Load(), "every body is read to the end")
			}
		})
	}
}

// Replaying a body needs GetBody; a request without it is sent once, even when a retry is allowed.
// The last answer (the 429) is what the caller gets.
func TestRequestWithoutGetBodyIsNotReplayed(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, waits := faultClient(t, srv.URL)
	tc := one(t, "sends a body", hasBody)
	noGetBody := editedRequest{tc.Minimal.(b2b.Params), func(r *http.Request) {
		r.GetBody = nil
		r.Body = io.NopCloser(r.Body)
	}}
	resp, err := c.Raw(t.Context(), noGetBody)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NoError(t, resp.Body.Close())
	assert.Len(t, srv.Requests(), 1)
	assert.Empty(t, waits.All())
}

// A success answer whose body is still arriving when the caller's deadline passes: the call ends
// at the deadline with a *DecodeError for the 2xx that names the deadline, is not sent again (no
// time is left), and leaves the outcome unknown exactly for an operation that is not repeatable.
func TestSuccessBodyCutOffByTheDeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range bothClasses(t) {
		for _, how := range []string{"context deadline", "WithTimeout"} {
			t.Run(tc.Op.ID+"/"+how, func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				stop := make(chan struct{})
				srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("Content-Length", strconv.Itoa(len(tc.Response)))
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write(tc.Response[:len(tc.Response)/2])
					w.(http.Flusher).Flush()
					select { // the rest never comes
					case <-r.Context().Done():
					case <-stop:
					}
				})
				t.Cleanup(func() { close(stop) })
				ctx := t.Context()
				var opts []b2b.Option
				if how == "WithTimeout" {
					opts = append(opts, b2b.WithTimeout(200*time.Millisecond))
				} else {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
					defer cancel()
				}
				c, waits := faultClient(t, srv.URL, opts...)
				start := time.Now()
				resp, err := testkit.Call(ctx, c, tc.Minimal)
				requireNoResponse(t, resp, err)
				assert.Less(t, time.Since(start), 2*time.Second, "the call ends at the deadline")
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de, "a 2xx answer whose body broke off")
				assert.Equal(t, http.StatusOK, de.StatusCode)
				assert.ErrorIs(t, err, context.DeadlineExceeded, "the deadline is named")
				assert.Len(t, srv.Requests(), 1, "no time is left for another attempt")
				assert.Empty(t, waits.All())
				assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown),
					"the answer of an operation that is not repeatable is lost: its outcome is unknown")
			})
		}
		// A custom transport whose body fails with an error of its own once the deadline passed:
		// the deadline is still named.
		t.Run(tc.Op.ID+"/custom transport", func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			errStalled := errors.New("custom body stalled")
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp := inMemory(r, http.StatusOK, nil)
				resp.ContentLength = int64(len(tc.Response))
				resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(tc.Response[:len(tc.Response)/2]), ctxReader{r.Context(), errStalled}))
				return resp, nil
			})
			c, waits := faultClient(t, "https://test.stytch.com", b2b.WithHTTPClient(&http.Client{Transport: rt}), b2b.WithTimeout(100*time.Millisecond))
			resp, err := testkit.Call(t.Context(), c, tc.Minimal)
			requireNoResponse(t, resp, err)
			var de *b2b.DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "the deadline is named")
			assert.ErrorIs(t, err, errStalled, "the transport's error is kept")
			assert.Empty(t, waits.All())
			assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown))
		})
	}
}

// ctxReader blocks until ctx is done, then fails with err.
type ctxReader struct {
	ctx context.Context
	err error
}

func (r ctxReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, r.err
}

// A custom RoundTripper that, once the call is cancelled, fails with an error of its own (one that
// does not wrap the context's): the caller still sees the cancellation, keeps the transport's
// error in the chain, and the request is not sent again.
func TestCustomRoundTripperErrorAfterCancel(t *testing.T) {
	t.Parallel()
	errGaveUp := errors.New("custom transport gave up")
	for _, tc := range bothClasses(t) {
		for _, end := range []struct {
			name string
			err  error
			ctx  func(context.Context) (context.Context, context.CancelFunc)
		}{
			{"cancel", context.Canceled, func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(50*time.Millisecond, cancel)
				return ctx, cancel
			}},
			{"deadline", context.DeadlineExceeded, func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 50*time.Millisecond)
			}},
		} {
			t.Run(tc.Op.ID+"/"+end.name, func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				var calls atomic.Int32
				rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					calls.Add(1)
					<-r.Context().Done()
					return nil, errGaveUp
				})
				c, waits := faultClient(t, "https://test.stytch.com", b2b.WithHTTPClient(&http.Client{Transport: rt}))
				ctx, cancel := end.ctx(t.Context())
				defer cancel()
				resp, err := testkit.Call(ctx, c, tc.Minimal)
				requireNoResponse(t, resp, err)
				var te *b2b.TransportError
				require.ErrorAs(t, err, &te)
				assert.ErrorIs(t, err, end.err, "the caller's cancellation is in the chain")
				assert.ErrorIs(t, err, errGaveUp, "the transport's own error is kept")
				assert.Equal(t, int32(1), calls.Load(), "a cancelled call is not sent again")
				assert.Equal(t, 1, te.Attempts)
				assert.Empty(t, waits.All())
				assert.True(t, te.Sent, "an error of an unknown kind counts as sent")
				assert.Equal(t, !tc.Op.Retry.Repeatable(), errors.Is(err, b2b.ErrOutcomeUnknown))
				assert.Contains(t, err.Error(), errGaveUp.Error())
			})
		}
	}
}
