package b2b

// Fault injection: what the transport does when the server rate-limits, fails, resets the
// connection, never answers, sends too much or sends garbage, and when the caller's context ends.
// Every test checks that no goroutine outlives it (resNoLeaks) and records the waits between
// attempts instead of spending them (resClient), so the file runs in well under a second apart
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
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// resGET is the one operation of retry class RetrySafe; resPOSTs are the others. Both come from
// the generated operation table, so a new operation is covered without editing this file.
func resGET(t *testing.T) fixtures.Case {
	t.Helper()
	var out []fixtures.Case
	for _, c := range fixtures.Cases() {
		if c.Op.Retry == gen.RetrySafe {
			out = append(out, c)
		}
	}
	require.Len(t, out, 1, "the spec has one safe (read-only) operation")
	return out[0]
}

func resPOSTs(t *testing.T) []fixtures.Case {
	t.Helper()
	var out []fixtures.Case
	for _, c := range fixtures.Cases() {
		if c.Op.Retry == gen.RetryUnsent {
			out = append(out, c)
		}
	}
	require.Len(t, out, 11)
	return out
}

// resPOST is one POST used where one stands for all: it consumes a single-use recovery code.
func resPOST() fixtures.Case { return fixtures.ByID(gen.OpRecoveryCodesRecover.ID) }

// resRequireNoResponse checks the contract "never a response together with an error".
func resRequireNoResponse(t *testing.T, resp reflect.Value, err error) {
	t.Helper()
	require.Error(t, err)
	require.True(t, resp.IsNil(), "a response was returned together with an error")
}

func TestRetry429ThenSuccessEveryOperation(t *testing.T) {
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			resNoLeaks(t)
			srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", "1")
					resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
					return
				}
				resOK(w, tc.Response)
			})
			c, waits := resContractClient(t, srv.Server)
			resp, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)
			require.NoError(t, err)
			require.False(t, resp.IsNil())

			hits := srv.Hits()
			require.Len(t, hits, 2, "a 429 is retried for every retry class")
			assert.Equal(t, hits[0].Body, hits[1].Body, "the retry replays the same body")
			assert.Equal(t, hits[0].Header.Get("Authorization"), hits[1].Header.Get("Authorization"))
			// The backoff for attempt 1 is at most 200ms; the server asked for 1s.
			assert.Equal(t, []time.Duration{time.Second}, waits.all(), "Retry-After is honoured")
		})
	}
}

func TestRetry503OnTheGETIsRetried(t *testing.T) {
	resNoLeaks(t)
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			resStytchError(w, http.StatusServiceUnavailable, "service_unavailable", "try again")
			return
		}
		resOK(w, tc.Response)
	})
	c, waits := resContractClient(t, srv.Server)
	resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	require.False(t, resp.IsNil())
	assert.Len(t, srv.Hits(), 2)
	w := waits.all()
	require.Len(t, w, 1)
	// Equal jitter around the 200ms base: between half and all of it.
	assert.GreaterOrEqual(t, w[0], defaultBackoff.base/2)
	assert.LessOrEqual(t, w[0], defaultBackoff.base)
}

func TestRetry5xxOnAPOSTIsNotRetried(t *testing.T) {
	for _, tc := range resPOSTs(t) {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(fmt.Sprintf("%s/%d", tc.Op.ID, status), func(t *testing.T) {
				resNoLeaks(t)
				srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "1")
					resStytchError(w, status, "internal_server_error", "something broke")
				})
				c, waits := resClient(t, srv.URL)
				resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
				resRequireNoResponse(t, resp, err)
				assert.Len(t, srv.Hits(), 1, "a POST is never sent again after a 5xx")
				assert.Empty(t, waits.all())

				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, status, e.StatusCode)
				assert.Equal(t, 1, e.Attempts)
				assert.Equal(t, tc.Op.ID, e.Operation)
				assert.ErrorIs(t, err, ErrOutcomeUnknown, "a 5xx may come after the work was done")
				assert.Contains(t, err.Error(), "outcome unknown")
			})
		}
	}
}

func TestRetriesAreBoundedAndConfigurable(t *testing.T) {
	maxJitter := func(n int64) int64 { return n - 1 }
	noJitter := func(int64) int64 { return 0 }
	cases := []struct {
		name      string
		opts      []Option
		jitter    func(int64) int64
		wantHits  int
		wantWaits []time.Duration
	}{
		{"default", nil, maxJitter, 3, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}},
		{"off", []Option{WithMaxRetries(0)}, maxJitter, 1, nil},
		{"one", []Option{WithMaxRetries(1)}, noJitter, 2, []time.Duration{100 * time.Millisecond}},
		{"five, capped at 2s", []Option{WithMaxRetries(5)}, maxJitter, 6,
			[]time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 2 * time.Second}},
		{"five, least jitter", []Option{WithMaxRetries(5)}, noJitter, 6,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second}},
	}
	tc := resGET(t)
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			resNoLeaks(t)
			srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				resStytchError(w, http.StatusBadGateway, "bad_gateway", "upstream down")
			})
			// The deadline only makes a regression (retrying forever) fail fast: recorded waits
			// take no time, and each is shorter than the deadline.
			c, waits := resClient(t, srv.URL, append([]Option{WithTimeout(5 * time.Second)}, cs.opts...)...)
			c.x.backoff.jitter = cs.jitter
			resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
			resRequireNoResponse(t, resp, err)
			assert.Len(t, srv.Hits(), cs.wantHits)
			assert.Equal(t, cs.wantWaits, waits.all())
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, cs.wantHits, e.Attempts)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a read-only call has no outcome to reconcile")
		})
	}
}

func TestRetry429OnAPOSTIsBoundedAndNotAmbiguous(t *testing.T) {
	resNoLeaks(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, waits := resClient(t, srv.URL)
	resp, err := resInvoke(t.Context(), t, c, resPOST().Minimal, nil)
	resRequireNoResponse(t, resp, err)
	assert.Len(t, srv.Hits(), DefaultMaxRetries+1)
	assert.Len(t, waits.all(), DefaultMaxRetries)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusTooManyRequests, e.StatusCode)
	assert.True(t, e.Retryable())
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 means the request was not processed")
}

func TestBackoffDelay(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: time.Second, retryAfterCap: 5 * time.Second}
	b.jitter = func(n int64) int64 { return n - 1 }
	assert.Equal(t, 100*time.Millisecond, b.delay(1, 0))
	assert.Equal(t, 200*time.Millisecond, b.delay(2, 0))
	assert.Equal(t, 800*time.Millisecond, b.delay(4, 0))
	assert.Equal(t, time.Second, b.delay(5, 0), "capped at max")
	assert.Equal(t, time.Second, b.delay(60, 0), "no overflow for large attempts")
	assert.Equal(t, 3*time.Second, b.delay(1, 3*time.Second), "Retry-After longer than the backoff wins")
	assert.Equal(t, 5*time.Second, b.delay(1, time.Hour), "Retry-After is capped")
	assert.Equal(t, 100*time.Millisecond, b.delay(1, time.Millisecond), "a shorter Retry-After does not shorten the backoff")

	b.jitter = func(int64) int64 { return 0 }
	assert.Equal(t, 50*time.Millisecond, b.delay(1, 0), "equal jitter keeps at least half")

	// The real jitter stays in [half, full].
	b.jitter = defaultBackoff.jitter
	for range 1000 {
		d := b.delay(3, 0)
		require.GreaterOrEqual(t, d, 200*time.Millisecond)
		require.LessOrEqual(t, d, 400*time.Millisecond)
	}
}

func TestParseRetryAfter(t *testing.T) {
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
		assert.Equal(t, cs.want, parseRetryAfter(cs.in, now), "Retry-After %q", cs.in)
	}
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	resNoLeaks(t)
	tc := resPOST()
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		resOK(w, tc.Response)
	})
	c, waits := resClient(t, srv.URL)
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	w := waits.all()
	require.Len(t, w, 1)
	// The date has a resolution of one second.
	assert.Greater(t, w[0], 1500*time.Millisecond)
	assert.LessOrEqual(t, w[0], 3*time.Second)
}

func TestRetryAfterOfAnHourIsCapped(t *testing.T) {
	resNoLeaks(t)
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "3600")
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		resOK(w, tc.Response)
	})
	c, waits := resClient(t, srv.URL)
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{defaultBackoff.retryAfterCap}, waits.all())
	assert.Less(t, defaultBackoff.retryAfterCap, DefaultTimeout, "a capped wait fits in the default deadline")
}

// With the cap lifted and real sleeping, a Retry-After of an hour still cannot hold the call past
// its deadline: the wait is skipped when the deadline would pass first.
func TestRetryAfterOfAnHourDeadlineWins(t *testing.T) {
	resNoLeaks(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
		c, _ := resClient(t, srv.URL, WithTimeout(300*time.Millisecond))
		c.x.sleep = nil // real, context-aware sleeping
		c.x.backoff.retryAfterCap = 2 * time.Hour
		start := time.Now()
		resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
		resRequireNoResponse(t, resp, err)
		assert.Less(t, time.Since(start), 2*time.Second, "returned promptly instead of waiting an hour")
		var e *Error
		require.ErrorAs(t, err, &e, "the 429 itself is returned")
		assert.Equal(t, http.StatusTooManyRequests, e.StatusCode)
	}
	assert.Len(t, srv.Hits(), 2)
}

// A wait between attempts ends as soon as the context does, even with no deadline at all.
func TestRetryWaitEndsWithTheContext(t *testing.T) {
	resNoLeaks(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, _ := resClient(t, srv.URL, WithTimeout(0))
	c.x.sleep = nil
	c.x.backoff.retryAfterCap = 2 * time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	stop := time.AfterFunc(100*time.Millisecond, cancel)
	defer stop.Stop()
	start := time.Now()
	resp, err := resInvoke(ctx, t, c, resPOST().Minimal, nil)
	resRequireNoResponse(t, resp, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts)
	assert.True(t, te.Sent, "the first attempt reached the server")
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 is not ambiguous")
	assert.Contains(t, err.Error(), "429", "the last failure is named")
	assert.Len(t, srv.Hits(), 1)
}

func TestConnectionRefusedIsRetriedForBothClasses(t *testing.T) {
	for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
		t.Run(tc.Op.ID, func(t *testing.T) {
			resNoLeaks(t)
			c, waits := resClient(t, resClosedPortURL(t))
			resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
			resRequireNoResponse(t, resp, err)
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, DefaultMaxRetries+1, te.Attempts)
			assert.False(t, te.Sent, "a refused connection never carried the request")
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.Len(t, waits.all(), DefaultMaxRetries)
			var op *net.OpError
			assert.ErrorAs(t, err, &op, "the cause is kept")

			c0, waits0 := resClient(t, resClosedPortURL(t), WithMaxRetries(0))
			_, err = resInvoke(t.Context(), t, c0, tc.Minimal, nil)
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 1, te.Attempts)
			assert.Empty(t, waits0.all())
		})
	}
}

// A certificate that does not verify fails before anything is sent, and is not worth retrying.
func TestTLSCertificateFailureIsUnsentAndNotRetried(t *testing.T) {
	resNoLeaks(t)
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = quietLogger() // the handshake error is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, waits := resClient(t, srv.URL) // the default client does not trust httptest's certificate
	resp, err := resInvoke(t.Context(), t, c, resPOST().Minimal, nil)
	resRequireNoResponse(t, resp, err)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.False(t, te.Sent)
	assert.Equal(t, 1, te.Attempts)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Empty(t, waits.all())
	assert.Zero(t, hits.Load())
}

func TestClassify(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://test.stytch.com/v1/b2b/x", Err: err}
	}
	cases := []struct {
		name string
		err  error
		want failure
	}{
		{"dial refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), failure{unsent: true}},
		{"dns", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}), failure{unsent: true}},
		{"bare dns", wrap(&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}), failure{unsent: true}},
		{"handshake timeout", wrap(errors.New("net/http: TLS handshake timeout")), failure{unsent: true}},
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), failure{unsent: true, permanent: true}},
		{"hostname", wrap(x509.HostnameError{Host: "x"}), failure{unsent: true, permanent: true}},
		{"read reset", wrap(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}), failure{}},
		{"write broken", wrap(&net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}), failure{}},
		{"eof", wrap(io.EOF), failure{}},
		{"unexpected eof", wrap(io.ErrUnexpectedEOF), failure{}},
		{"timeout", wrap(context.DeadlineExceeded), failure{}},
		{"unknown", wrap(errors.New("something new")), failure{}},
	}
	for _, cs := range cases {
		assert.Equal(t, cs.want, classify(cs.err), cs.name)
	}
}

// resWriteResponse writes a complete HTTP/1.1 answer on a raw connection.
func resWriteResponse(conn net.Conn, status int, body []byte) {
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), len(body))
	_, _ = conn.Write(body)
}

func TestConnectionResetAfterWriteOnAPOSTIsNotRetried(t *testing.T) {
	for _, mode := range []string{"rst", "fin"} {
		for _, tc := range resPOSTs(t) {
			t.Run(mode+"/"+tc.Op.ID, func(t *testing.T) {
				resNoLeaks(t)
				var received atomic.Int32
				base := resRawServer(t, func(n int, conn net.Conn) {
					if _, _, err := resReadRequest(conn); err != nil {
						return
					}
					received.Add(1)
					if mode == "rst" {
						resReset(conn)
					} // "fin": the deferred Close
				})
				c, waits := resClient(t, base)
				resp, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)
				resRequireNoResponse(t, resp, err)
				assert.Equal(t, int32(1), received.Load(), "the request was received exactly once")
				assert.Empty(t, waits.all())
				var te *TransportError
				require.ErrorAs(t, err, &te)
				assert.True(t, te.Sent)
				assert.True(t, te.OutcomeUnknown)
				assert.Equal(t, 1, te.Attempts)
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
			})
		}
	}
}

func TestConnectionResetAfterWriteOnTheGETIsRetried(t *testing.T) {
	tc := resGET(t)
	t.Run("then success", func(t *testing.T) {
		resNoLeaks(t)
		var received atomic.Int32
		base := resRawServer(t, func(n int, conn net.Conn) {
			if _, _, err := resReadRequest(conn); err != nil {
				return
			}
			if received.Add(1) == 1 {
				resReset(conn)
				return
			}
			resWriteResponse(conn, http.StatusOK, tc.Response)
		})
		c, waits := resClient(t, base)
		resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
		require.NoError(t, err)
		require.False(t, resp.IsNil())
		assert.Equal(t, int32(2), received.Load())
		assert.Len(t, waits.all(), 1)
	})
	t.Run("every time", func(t *testing.T) {
		resNoLeaks(t)
		var received atomic.Int32
		base := resRawServer(t, func(n int, conn net.Conn) {
			if _, _, err := resReadRequest(conn); err == nil {
				received.Add(1)
				resReset(conn)
			}
		})
		c, _ := resClient(t, base)
		resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
		resRequireNoResponse(t, resp, err)
		assert.Equal(t, int32(DefaultMaxRetries+1), received.Load())
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Sent)
		assert.Equal(t, DefaultMaxRetries+1, te.Attempts)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
}

// resHangingServer accepts requests and never answers them until the client goes away or the
// test ends.
func resHangingServer(t *testing.T) *resServer {
	t.Helper()
	stop := make(chan struct{})
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv
}

func TestServerThatNeverAnswers(t *testing.T) {
	for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
		t.Run(tc.Op.ID, func(t *testing.T) {
			resNoLeaks(t)
			srv := resHangingServer(t)
			c, waits := resClient(t, srv.URL, WithTimeout(200*time.Millisecond))
			start := time.Now()
			resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
			resRequireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), 2*time.Second, "returned at the deadline rather than hanging")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Sent)
			assert.Equal(t, 1, te.Attempts)
			assert.Equal(t, tc.Op.Retry == gen.RetryUnsent, errors.Is(err, ErrOutcomeUnknown),
				"a timeout after sending leaves a POST's outcome unknown")
			assert.Empty(t, waits.all())
			assert.Len(t, srv.Hits(), 1)
		})
	}
}

func TestEarlierDeadlineWins(t *testing.T) {
	tc := resPOST()
	t.Run("context earlier than WithTimeout", func(t *testing.T) {
		resNoLeaks(t)
		srv := resHangingServer(t)
		c, _ := resClient(t, srv.URL, WithTimeout(time.Minute))
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := resInvoke(ctx, t, c, tc.Minimal, nil)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("WithTimeout earlier than context", func(t *testing.T) {
		resNoLeaks(t)
		srv := resHangingServer(t)
		c, _ := resClient(t, srv.URL, WithTimeout(200*time.Millisecond))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		_, err := resInvoke(ctx, t, c, tc.Minimal, nil)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// resRoundTripper answers every request in memory, without a network.
type resRoundTripper func(*http.Request) (*http.Response, error)

func (f resRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func resResponse(r *http.Request, status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

func TestDefaultAndConfiguredDeadline(t *testing.T) {
	tc := resGET(t)
	type seen struct {
		deadline time.Time
		ok       bool
	}
	run := func(ctx context.Context, opts ...Option) seen {
		var s seen
		hc := &http.Client{Transport: resRoundTripper(func(r *http.Request) (*http.Response, error) {
			s.deadline, s.ok = r.Context().Deadline()
			return resResponse(r, 200, tc.Response), nil
		})}
		c, _ := resClient(t, "https://test.stytch.com", append([]Option{WithHTTPClient(hc)}, opts...)...)
		_, err := resInvoke(ctx, t, c, tc.Minimal, nil)
		require.NoError(t, err)
		return s
	}
	s := run(t.Context())
	require.True(t, s.ok, "a call has a deadline by default")
	assert.WithinDuration(t, time.Now().Add(DefaultTimeout), s.deadline, time.Second)
	assert.LessOrEqual(t, DefaultTimeout, 30*time.Second, "the default is seconds, not minutes")

	s = run(t.Context(), WithTimeout(3*time.Second))
	require.True(t, s.ok)
	assert.WithinDuration(t, time.Now().Add(3*time.Second), s.deadline, time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	want, _ := ctx.Deadline()
	s = run(ctx)
	require.True(t, s.ok)
	assert.Equal(t, want, s.deadline, "the caller's earlier deadline is kept")

	s = run(context.Background(), WithTimeout(0))
	assert.False(t, s.ok, "WithTimeout(0) leaves the call to its context")
}

func TestCancelledContext(t *testing.T) {
	t.Run("before the call", func(t *testing.T) {
		resNoLeaks(t)
		srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {})
		c, _ := resClient(t, srv.URL)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
			start := time.Now()
			resp, err := resInvoke(ctx, t, c, tc.Minimal, nil)
			resRequireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), time.Second)
			assert.ErrorIs(t, err, context.Canceled)
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.False(t, te.Sent)
			assert.Zero(t, te.Attempts)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		}
		assert.Empty(t, srv.Hits(), "nothing is sent with a cancelled context")
	})
	t.Run("during the call", func(t *testing.T) {
		for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
			resNoLeaks(t)
			srv := resHangingServer(t)
			c, _ := resClient(t, srv.URL)
			ctx, cancel := context.WithCancel(t.Context())
			stop := time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			resp, err := resInvoke(ctx, t, c, tc.Minimal, nil)
			stop.Stop()
			resRequireNoResponse(t, resp, err)
			assert.Less(t, time.Since(start), 2*time.Second)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, tc.Op.Retry == gen.RetryUnsent, errors.Is(err, ErrOutcomeUnknown))
		}
	})
}

// resStreamServer answers with size bytes of a JSON string, streamed in 32 KiB writes, with a
// Content-Length when declared is true (chunked otherwise). It reports how much it managed to
// write before the client went away.
func resStreamServer(t *testing.T, status int, size int64, declared bool) (*resServer, func() int64) {
	t.Helper()
	var written atomic.Int64
	done := make(chan struct{})
	var once sync.Once
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		defer once.Do(func() { close(done) })
		w.Header().Set("Content-Type", "application/json")
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		w.WriteHeader(status)
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		copy(chunk, `{"request_id":"`)
		for written.Load() < size {
			n, err := w.Write(chunk[:min(int64(len(chunk)), size-written.Load())])
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	return srv, func() int64 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the server is still writing 5s after the client gave up")
		}
		return written.Load()
	}
}

func TestResponseBodyLargerThanTheCap(t *testing.T) {
	const size = 64 << 20
	for _, declared := range []bool{false, true} {
		for _, tc := range []fixtures.Case{resGET(t), resPOST()} {
			t.Run(fmt.Sprintf("%s/declared=%v", tc.Op.ID, declared), func(t *testing.T) {
				resNoLeaks(t)
				srv, written := resStreamServer(t, http.StatusOK, size, declared)
				c, waits := resClient(t, srv.URL)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
				runtime.ReadMemStats(&after)
				resRequireNoResponse(t, resp, err)

				assert.ErrorIs(t, err, ErrResponseTooLarge)
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, http.StatusOK, de.StatusCode)
				assert.Equal(t, tc.Op.Retry == gen.RetryUnsent, errors.Is(err, ErrOutcomeUnknown),
					"a POST was processed although its answer is unusable")
				assert.Len(t, srv.Hits(), 1, "an oversize body is not retried")
				assert.Empty(t, waits.all())

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
	resNoLeaks(t)
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, tc.Response) })
	c, _ := resClient(t, srv.URL, WithMaxResponseBytes(int64(len(tc.Response))))
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err, "a body of exactly the cap is read")

	c, _ = resClient(t, srv.URL, WithMaxResponseBytes(int64(len(tc.Response)-1)))
	resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	resRequireNoResponse(t, resp, err)
	assert.ErrorIs(t, err, ErrResponseTooLarge)
}

func TestHugeErrorBodyIsReadOnlyUpToItsCap(t *testing.T) {
	resNoLeaks(t)
	srv, written := resStreamServer(t, http.StatusBadRequest, 64<<20, false)
	c, _ := resClient(t, srv.URL)
	resp, err := resInvoke(t.Context(), t, c, resPOST().Minimal, nil)
	resRequireNoResponse(t, resp, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusBadRequest, e.StatusCode)
	assert.Less(t, len(err.Error()), 500, "the error is one short line")
	assert.Less(t, written(), int64(32<<20))
}

func TestHostileAndBrokenBodies(t *testing.T) {
	get, post := resGET(t), resPOST()
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		check  func(t *testing.T, tc fixtures.Case, err error, hits int)
	}{
		{
			name: "truncated JSON",
			handle: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "request-id-truncated")
				_, _ = w.Write([]byte(`{"request_id":"request-id-x","status_code":200,"memb`))
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "request-id-truncated", de.RequestID)
				assert.Equal(t, tc.Op.Retry == gen.RetryUnsent, errors.Is(err, ErrOutcomeUnknown))
				assert.Equal(t, 1, hits, "a body that arrived whole but is malformed is not retried")
			},
		},
		{
			name: "body cut off before its Content-Length",
			handle: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "5000")
				_, _ = w.Write([]byte(`{"request_id":"request-`))
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // drop the connection
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				if tc.Op.Retry == gen.RetrySafe {
					assert.Equal(t, DefaultMaxRetries+1, hits, "the GET retries a body lost on the wire")
					assert.NotErrorIs(t, err, ErrOutcomeUnknown)
				} else {
					assert.Equal(t, 1, hits)
					assert.ErrorIs(t, err, ErrOutcomeUnknown)
				}
			},
		},
		{
			name: "wrong shape",
			handle: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`{"status_code":"two hundred","request_id":["x"]}`))
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, 1, hits)
			},
		},
		{
			name:   "empty 200",
			handle: func(w http.ResponseWriter, r *http.Request) {},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
			},
		},
		{
			name: "HTML 502 from a proxy",
			handle: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusBadGateway, e.StatusCode)
				assert.Contains(t, e.ErrorMessage, "text/html")
				assert.NotContains(t, err.Error(), "<html>", "the body is not copied into the error")
				if tc.Op.Retry == gen.RetrySafe {
					assert.Equal(t, DefaultMaxRetries+1, hits)
				} else {
					assert.Equal(t, 1, hits)
					assert.ErrorIs(t, err, ErrOutcomeUnknown)
				}
			},
		},
		{
			name: "empty 500",
			handle: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "request-id-empty-500")
				w.WriteHeader(http.StatusInternalServerError)
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusInternalServerError, e.StatusCode)
				assert.Equal(t, "empty error body", e.ErrorMessage)
				assert.Equal(t, "request-id-empty-500", e.RequestID, "the request ID falls back to the header")
			},
		},
		{
			name: "empty 400",
			handle: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, http.StatusBadRequest, e.StatusCode)
				assert.Equal(t, 1, hits, "a 4xx other than 429 is final")
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			},
		},
		{
			name: "Stytch error with a multi-line message",
			handle: func(w http.ResponseWriter, r *http.Request) {
				resStytchError(w, http.StatusNotFound, "member_not_found", "Member\nnot\r\nfound.")
			},
			check: func(t *testing.T, tc fixtures.Case, err error, hits int) {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, ErrorTypeMemberNotFound, e.ErrorType)
				assert.Equal(t, "request-id-test-404", e.RequestID)
				assert.NotContains(t, err.Error(), "\n")
				assert.Contains(t, err.Error(), "Member not found.")
			},
		},
	}
	for _, cs := range cases {
		for _, tc := range []fixtures.Case{get, post} {
			t.Run(cs.name+"/"+tc.Op.ID, func(t *testing.T) {
				resNoLeaks(t)
				srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { cs.handle(w, r) })
				c, _ := resClient(t, srv.URL)
				resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
				resRequireNoResponse(t, resp, err)
				cs.check(t, tc, err, len(srv.Hits()))
			})
		}
	}
}

// The default http.Client keeps connections for reuse under concurrency: 32 goroutines making
// 4,000 calls, one in five answered with an error, open at most 64 connections.
func TestConnectionsAreReusedUnderConcurrency(t *testing.T) {
	resNoLeaks(t)
	tc := resGET(t)
	// A small body: this test is about connections, and decoding the full fixture 4,000 times
	// under the race detector would take most of a minute.
	small := []byte(`{"request_id":"request-id-small","status_code":200,"member_id":"m","recovery_codes":["x"]}`)
	var conns, served atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1)%5 == 0 {
			resStytchError(w, http.StatusNotFound, "member_not_found", "Member not found.")
			return
		}
		resOK(w, small)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := resClient(t, srv.URL)

	const workers, calls = 32, 4000
	var next, ok, notFound atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= calls {
				resp, err := c.RecoveryCodes.Get(t.Context(), tc.Minimal.(*RecoveryCodesGetParams))
				var e *Error
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

// resBodyTracker wraps every response body to see that it is read to the end (so the connection
// can be reused) and closed.
type resBodyTracker struct {
	next           http.RoundTripper
	opened, closed atomic.Int32
	drained        atomic.Int32
}

func (b *resBodyTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if resp != nil {
		b.opened.Add(1)
		resp.Body = &resTrackedBody{ReadCloser: resp.Body, t: b}
	}
	return resp, err
}

type resTrackedBody struct {
	io.ReadCloser
	t          *resBodyTracker
	eof, shut  bool
	closeCount int
}

func (b *resTrackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.eof {
		b.eof = true
		b.t.drained.Add(1)
	}
	return n, err
}

func (b *resTrackedBody) Close() error {
	if !b.shut {
		b.shut = true
		b.t.closed.Add(1)
	}
	return b.ReadCloser.Close()
}

func TestEveryBodyIsDrainedAndClosed(t *testing.T) {
	get, post := resGET(t), resPOST()
	cases := []struct {
		name        string
		tc          fixtures.Case
		opts        []Option
		handle      func(n int, w http.ResponseWriter, r *http.Request)
		wantBodies  int
		wantDrained bool
		wantErr     bool
	}{
		{"success", get, nil, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, get.Response) }, 1, true, false},
		{"stytch error", post, nil, func(n int, w http.ResponseWriter, r *http.Request) {
			resStytchError(w, http.StatusUnauthorized, "unauthorized_credentials", "no")
		}, 1, true, true},
		{"retried 503 then success", get, nil, func(n int, w http.ResponseWriter, r *http.Request) {
			if n < 3 {
				resStytchError(w, http.StatusServiceUnavailable, "unavailable", "later")
				return
			}
			resOK(w, get.Response)
		}, 3, true, false},
		{"retried 429 on a POST", post, nil, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "later")
				return
			}
			resOK(w, post.Response)
		}, 2, true, false},
		{"decode error", post, nil, func(n int, w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"status_code": "x"}`)
		}, 1, true, true},
		{"oversize, drained when small enough", get, []Option{WithMaxResponseBytes(1024)}, func(n int, w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte(" "), 8<<10))
		}, 1, true, true},
		{"large error body", post, nil, func(n int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(bytes.Repeat([]byte("x"), 100<<10)) // more than errorBodyCap
		}, 1, true, true},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			resNoLeaks(t)
			srv := resNewServer(t, cs.handle)
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			tracker := &resBodyTracker{next: tr}
			c, _ := resClient(t, srv.URL, append([]Option{WithHTTPClient(&http.Client{Transport: tracker})}, cs.opts...)...)
			_, err := resInvoke(t.Context(), t, c, cs.tc.Minimal, nil)
			assert.Equal(t, cs.wantErr, err != nil, "error: %v", err)
			assert.Equal(t, int32(cs.wantBodies), tracker.opened.Load())
			assert.Equal(t, tracker.opened.Load(), tracker.closed.Load(), "every body is closed")
			if cs.wantDrained {
				assert.Equal(t, tracker.opened.Load(), tracker.drained.Load(), "every body is read to the end")
			}
		})
	}
}

// Replaying a body needs GetBody; a request without it is sent once, even when a retry is allowed.
func TestRequestWithoutGetBodyIsNotReplayed(t *testing.T) {
	resNoLeaks(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
	})
	c, waits := resClient(t, srv.URL)
	p := &noGetBody{resCase(gen.OpRecoveryCodesRecover.ID).Minimal.(*RecoveryCodesRecoverParams)}
	_, err := call[RecoveryCodesRecoverResponse](t.Context(), c.x, p, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Len(t, srv.Hits(), 1)
	assert.Empty(t, waits.all())
}

// noGetBody is a params type whose requests cannot replay their body.
type noGetBody struct{ *RecoveryCodesRecoverParams }

func (p *noGetBody) NewHTTPRequest(server string) (*http.Request, error) {
	req, err := p.RecoveryCodesRecoverParams.NewHTTPRequest(server)
	if err == nil {
		req.GetBody = nil
		req.Body = io.NopCloser(req.Body)
	}
	return req, err
}
