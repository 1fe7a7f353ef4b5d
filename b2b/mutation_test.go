package b2b_test

// Behaviour that mutation testing (make mutation, issue 16) found no test held: the edges of the
// option ranges, the characters a header value may carry, how header parameters are matched, and
// what the executor and the retry policy do at their boundaries. Each test states its expected
// values literally, or counts what a server received.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// The edges of the per-call ranges are accepted: a zero timeout (the context alone bounds the
// call), zero retries and the most retries there are.
func TestCallOptionRangesIncludeTheirEdges(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)

	slow := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		time.Sleep(100 * time.Millisecond)
		okWithRequestID(w, tc.Response)
	})
	c, _ := faultClient(t, slow.URL, b2b.WithTimeout(20*time.Millisecond), b2b.WithMaxRetries(0))
	_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallTimeout(0))
	require.NoError(t, err, "WithCallTimeout(0) lifts the client's 20ms: the answer after 100ms is taken")

	for _, n := range []int{0, 10} {
		failing := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
		})
		c, waits := faultClient(t, failing.URL, b2b.WithMaxRetries(5))
		_, err = testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallMaxRetries(n))
		var e *b2b.Error
		require.ErrorAs(t, err, &e, "WithCallMaxRetries(%d) is accepted", n)
		assert.Len(t, failing.Requests(), n+1, "WithCallMaxRetries(%d)", n)
		assert.Len(t, waits.All(), n)
		assert.Equal(t, n+1, e.Attempts)
	}
}

// The zero CallOption does nothing, wherever it stands among the options: those after it apply.
func TestZeroCallOptionIsSkipped(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	c, _ := faultClient(t, srv.URL)
	var info b2b.ResponseInfo
	_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.CallOption{}, b2b.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, info.StatusCode, "the option after the zero one was applied")
	assert.Equal(t, 1, info.Attempts)
}

// closeIfAny closes the body of an answer Raw should not have returned.
func closeIfAny(resp *http.Response) {
	if resp != nil {
		_ = resp.Body.Close()
	}
}

// onlyHeaders sends p as if its operation declared only the header parameters given (a caller's
// own Params type, or a later spec, may declare any subset).
type onlyHeaders struct {
	b2b.Params
	headers []gen.HeaderParam
}

func (p onlyHeaders) Operation() b2b.Operation {
	op := p.Params.Operation()
	op.Headers = p.headers
	return op
}

func headerParam(t *testing.T, op gen.Operation, name string) gen.HeaderParam {
	t.Helper()
	i := slices.IndexFunc(op.Headers, func(h gen.HeaderParam) bool { return h.Name == name })
	require.GreaterOrEqual(t, i, 0, "%s declares %s", op.ID, name)
	return op.Headers[i]
}

// A header option is checked against the header parameter of the same name, whatever the case the
// spec spells it in, and only against that one: an operation that declares the session header but
// not the JWT header refuses WithMemberSessionJWT.
func TestHeaderOptionsMatchTheirOwnParameter(t *testing.T) {
	t.Parallel()
	tc := one(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 1 })
	session := headerParam(t, tc.Op, "X-Stytch-Member-Session")
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	c, _ := faultClient(t, srv.URL)
	p := onlyHeaders{Params: tc.Minimal.(b2b.Params), headers: []gen.HeaderParam{session}}

	resp, err := c.Raw(t.Context(), p, b2b.WithMemberSession("session-token-value"))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	resp, err = c.Raw(t.Context(), p, b2b.WithMemberSessionJWT("session-jwt-value"))
	closeIfAny(resp)
	var ve *b2b.ValidationError
	require.ErrorAs(t, err, &ve, "the operation does not declare X-Stytch-Member-SessionJWT")
	assert.Contains(t, ve.Error(), "does not apply")

	lower := session
	lower.Name = "x-stytch-member-session"
	p.headers = []gen.HeaderParam{lower}
	resp, err = c.Raw(t.Context(), p, b2b.WithMemberSession("session-token-value"))
	require.NoError(t, err, "header names match without regard to case")
	require.NoError(t, resp.Body.Close())

	hits := srv.Requests()
	require.Len(t, hits, 2)
	assert.Equal(t, "session-token-value", hits[1].Header.Get("X-Stytch-Member-Session"))
}

// A header value as short as the spec allows (one byte), and one with a space or a tab in it, is
// sent as given; the characters just below a space (0x1f) and DEL are refused.
func TestHeaderValueEdges(t *testing.T) {
	t.Parallel()
	tc := one(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 0 })
	session := headerParam(t, tc.Op, "X-Stytch-Member-Session")
	require.Equal(t, uint64(1), session.MinLength, "the spec's shortest session token")
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	c, _ := faultClient(t, srv.URL)
	good := []string{"x", "a b", "a\tb", "~"}
	for _, v := range good {
		_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithMemberSession(v))
		require.NoError(t, err, "%q", v)
	}
	hits := srv.Requests()
	require.Len(t, hits, len(good))
	for i, v := range good {
		assert.Equal(t, v, hits[i].Header.Get("X-Stytch-Member-Session"))
	}
	for _, v := range []string{"a\x1fb", "a\x7f"} {
		_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithMemberSession(v))
		var ve *b2b.ValidationError
		require.ErrorAs(t, err, &ve, "%q", v)
	}
	assert.Len(t, srv.Requests(), len(good), "refused values send nothing")
}

// The defaults, as the README states them.
func TestDefaultsAsDocumented(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 10*time.Second, b2b.DefaultTimeout)
	assert.Equal(t, 2, b2b.DefaultMaxRetries)
	assert.Equal(t, int64(4<<20), int64(b2b.DefaultMaxResponseBytes))
}

// A client built without options gives each call a deadline 10s away, and reads a success body of
// up to 4 MiB.
func TestDefaultDeadlineAndCapApply(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	// A success body of exactly n bytes: the fixture's object, padded with spaces inside it.
	sized := func(n int) []byte {
		body := bytes.TrimSpace(tc.Response)
		return append(append(append([]byte{}, body[:len(body)-1]...), bytes.Repeat([]byte(" "), n-len(body))...), '}')
	}
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		size := 4 << 20
		if n == 2 {
			size++
		}
		okWithRequestID(w, sized(size))
	})
	var left []time.Duration
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithBaseURL(srv.URL), b2b.WithMaxRetries(0),
		b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if dl, ok := r.Context().Deadline(); ok {
					left = append(left, time.Until(dl))
				}
				return next.RoundTrip(r)
			})
		}))
	require.NoError(t, err)
	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err, "a body of 4 MiB is read")
	require.Len(t, left, 1, "the call has a deadline")
	assert.InDelta(t, float64(10*time.Second), float64(left[0]), float64(time.Second))

	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	assert.ErrorIs(t, err, b2b.ErrResponseTooLarge, "a byte more than 4 MiB is refused")
}

// The edges of the client's option ranges: the last value in range is accepted, the first out of
// it refused.
func TestClientOptionRangesIncludeTheirEdges(t *testing.T) {
	t.Parallel()
	for _, cs := range []struct {
		opt b2b.Option
		ok  bool
	}{
		{b2b.WithMaxRetries(10), true},
		{b2b.WithMaxRetries(11), false},
		{b2b.WithMaxRetries(0), true},
		{b2b.WithMaxRetries(-1), false},
		{b2b.WithTimeout(0), true},
		{b2b.WithTimeout(-time.Nanosecond), false},
		{b2b.WithMaxRetryWait(0), true},
		{b2b.WithMaxRetryWait(-time.Nanosecond), false},
		{b2b.WithMaxResponseBytes(1024), true},
		{b2b.WithMaxResponseBytes(1023), false},
		{b2b.WithJWTLeeway(0), true},
		{b2b.WithJWTLeeway(time.Second), true},
		{b2b.WithJWTLeeway(5 * time.Minute), true},
		{b2b.WithJWTLeeway(5*time.Minute + time.Nanosecond), false},
		{b2b.WithJWTLeeway(-time.Nanosecond), false},
		{b2b.WithUserAgent("acme app/1"), true},
		{b2b.WithUserAgent("acme\x1f/1"), false},
		{b2b.WithUserAgent("acme\x7f/1"), false},
		{b2b.WithUserAgent("acme\t/1"), false},
	} {
		c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, cs.opt)
		if cs.ok {
			assert.NoError(t, err)
			assert.NotNil(t, c)
		} else {
			assert.Error(t, err)
			assert.Nil(t, c)
		}
	}

	// WithMaxRetries(10) allows ten retries.
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
	})
	c, waits := faultClient(t, srv.URL, b2b.WithMaxRetries(10))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.Error(t, err)
	assert.Len(t, srv.Requests(), 11)
	assert.Len(t, waits.All(), 10)
}

// How much of an answer's rest is drained so its connection can be reused, at the edges: an error
// body of exactly the 64 KiB read (sent chunked, so its end is only seen by reading on), an error
// body whose unread rest is 200 KiB, and a declared oversize success body whose rest is exactly
// 256 KiB are read to their end; one byte more than 256 KiB is left unread.
func TestDrainEdges(t *testing.T) {
	t.Parallel()
	get, post := one(t, "is repeatable", repeatable), one(t, "is not repeatable and sends a body", unsentWithBody)
	const kib = 1 << 10
	cases := []struct {
		name    string
		tc      fixtures.Case
		opts    []b2b.Option
		status  int
		size    int
		chunked bool
		drained bool
	}{
		{"error body of exactly 64 KiB, chunked", post, nil, http.StatusBadRequest, 64 * kib, true, true},
		{"error body with 200 KiB unread", post, nil, http.StatusBadRequest, 264 * kib, false, true},
		{"oversize success body of exactly 256 KiB", get, []b2b.Option{b2b.WithMaxResponseBytes(1024)}, http.StatusOK, 256 * kib, false, true},
		{"oversize success body of 256 KiB and a byte", get, []b2b.Option{b2b.WithMaxResponseBytes(1024)}, http.StatusOK, 256*kib + 1, false, false},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				if !cs.chunked {
					w.Header().Set("Content-Length", fmt.Sprint(cs.size))
				}
				w.WriteHeader(cs.status)
				if cs.chunked {
					w.(http.Flusher).Flush()
				}
				_, _ = w.Write(bytes.Repeat([]byte("x"), cs.size))
			})
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			tracker := &bodyTracker{next: tr}
			c, _ := faultClient(t, srv.URL, append([]b2b.Option{b2b.WithHTTPClient(&http.Client{Transport: tracker}), b2b.WithMaxRetries(0)}, cs.opts...)...)
			_, err := testkit.Call(t.Context(), c, cs.tc.Minimal)
			require.Error(t, err)
			assert.Equal(t, int32(1), tracker.opened.Load())
			assert.Equal(t, int32(1), tracker.closed.Load(), "the body is closed")
			if cs.drained {
				assert.Equal(t, int32(1), tracker.drained.Load(), "the body is read to its end")
			} else {
				assert.Zero(t, tracker.drained.Load(), "the body is closed unread")
			}
		})
	}
}

// The one-line messages of the SDK's errors, word for word, and what errors.Is finds in them.
func TestErrorMessagesAsPrinted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want string
	}{
		{&b2b.Error{StatusCode: 500}, "b2b: 500 Internal Server Error"},
		{&b2b.Error{StatusCode: 429, Operation: "sessionsAuthenticate", ErrorType: "too_many_requests", ErrorMessage: "slow\ndown",
			RequestID: "request-id-1", RetryAfter: 2 * time.Second},
			"b2b: sessionsAuthenticate: 429 Too Many Requests: too_many_requests: slow down (request_id request-id-1) (retry after 2s)"},
		{&b2b.Error{StatusCode: 503, Operation: "magicLinksAuthenticate", OutcomeUnknown: true},
			"b2b: magicLinksAuthenticate: 503 Service Unavailable; outcome unknown: the request may have been processed"},
		{&b2b.TransportError{Operation: "sessionsGet", Attempts: 3, Err: errors.New("dial tcp: refused")},
			"b2b: sessionsGet: no answer after 3 attempt(s): dial tcp: refused (the request was not sent)"},
		{&b2b.TransportError{Operation: "sessionsGet", Attempts: 1, Sent: true, Err: errors.New("EOF")},
			"b2b: sessionsGet: no answer after 1 attempt(s): EOF"},
		{&b2b.TransportError{Operation: "oauthAuthenticate", Attempts: 1, Sent: true, OutcomeUnknown: true, Err: errors.New("EOF")},
			"b2b: oauthAuthenticate: no answer after 1 attempt(s): EOF; outcome unknown: the request may have been processed"},
		{&b2b.DecodeError{Operation: "sessionsGet", StatusCode: 200, Err: errors.New("unexpected EOF")},
			"b2b: sessionsGet: cannot use the 200 answer: unexpected EOF"},
		{&b2b.DecodeError{Operation: "oauthAuthenticate", StatusCode: 201, RequestID: "request-id-2", OutcomeUnknown: true, Err: errors.New("bad")},
			"b2b: oauthAuthenticate: cannot use the 201 answer: bad (request_id request-id-2); outcome unknown: the request may have been processed"},
	}
	for _, cs := range cases {
		assert.Equal(t, cs.want, cs.err.Error())
	}

	other := errors.New("some other error")
	for _, cs := range []struct {
		err                  error
		unknown, notSent, is bool
	}{
		{&b2b.Error{StatusCode: 500}, false, false, false},
		{&b2b.Error{StatusCode: 500, OutcomeUnknown: true}, true, false, false},
		{&b2b.DecodeError{StatusCode: 200}, false, false, false},
		{&b2b.DecodeError{StatusCode: 200, OutcomeUnknown: true}, true, false, false},
		{&b2b.TransportError{}, false, true, false},
		{&b2b.TransportError{Sent: true}, false, false, false},
		{&b2b.TransportError{Sent: true, OutcomeUnknown: true}, true, false, false},
		{&b2b.TransportError{OutcomeUnknown: true}, true, true, false},
	} {
		assert.Equal(t, cs.unknown, errors.Is(cs.err, b2b.ErrOutcomeUnknown), "%#v", cs.err)
		assert.Equal(t, cs.notSent, errors.Is(cs.err, b2b.ErrNotSent), "%#v", cs.err)
		assert.Equal(t, cs.is, errors.Is(cs.err, other), "%#v", cs.err)
	}
}

// A failure to fetch the session JWT keys is logged as a warning through the client's logger; a
// client without a logger fails the same way, silently.
func TestKeyFetchFailureIsLogged(t *testing.T) {
	t.Parallel()
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "keys unavailable")
	})
	token := signJWT(t, jwtKey(), sessionClaims(time.Now()))

	var logged bytes.Buffer
	c, _ := faultClient(t, srv.URL, b2b.WithMaxRetries(0),
		b2b.WithLogger(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	_, err := c.Sessions.AuthenticateJWT(t.Context(), token)
	require.Error(t, err)
	assert.Contains(t, logged.String(), "level=WARN")
	assert.Contains(t, logged.String(), "fetching the session JWT keys failed")

	quiet, _ := faultClient(t, srv.URL, b2b.WithMaxRetries(0))
	_, err = quiet.Sessions.AuthenticateJWT(t.Context(), token)
	require.Error(t, err)
}

// The default backoff, as WithMaxRetryWait documents it: waits grow from 200ms to 2s, and a
// Retry-After is honoured up to 5s.
func TestDefaultBackoffAsDocumented(t *testing.T) {
	t.Parallel()
	b := b2b.DefaultBackoff()
	assert.Equal(t, 200*time.Millisecond, b.Base)
	assert.Equal(t, 2*time.Second, b.Max)
	assert.Equal(t, 5*time.Second, b.RetryAfterCap)
	assert.False(t, b.Limited, "no limit unless WithMaxRetryWait is given")
	b.Jitter = func(n int64) int64 { return n - 1 } // the longest wait of each attempt
	assert.Equal(t, 200*time.Millisecond, b.Delay(1, 0))
	assert.Equal(t, 2*time.Second, b.Delay(10, 0))
	assert.Equal(t, 5*time.Second, b.Delay(1, time.Minute))
}

// What ErrorMessage says of an error body that is not a Stytch error, word for word, and that an
// empty error_details object is no details at all.
func TestErrorBodiesAsDescribed(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	for _, cs := range []struct {
		contentType, body, want string
	}{
		{"", "", "empty error body"},
		{"application/json", " \n", "empty error body"},
		{"text/html; charset=utf-8", "<html>bad gateway</html>", "error body is not a Stytch error (text/html, 24 bytes)"},
		{"", "unauthorized", "error body is not a Stytch error (12 bytes)"},
		{"application/json", `["x"]`, "error body is not a Stytch error (application/json, 5 bytes)"},
	} {
		srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = nil // no type sniffed for a body sent without one
			if cs.contentType != "" {
				w.Header().Set("Content-Type", cs.contentType)
			}
			w.Header().Set("X-Request-Id", "request-id-header")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, cs.body)
		})
		c, _ := faultClient(t, srv.URL, b2b.WithMaxRetries(0))
		_, err := testkit.Call(t.Context(), c, tc.Minimal)
		var e *b2b.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, cs.want, e.ErrorMessage, "body %q", cs.body)
		assert.Equal(t, "request-id-header", e.RequestID, "the header's request ID when the body has none")
	}

	body := `{"status_code":400,"request_id":"request-id-details","error_type":"invalid_argument","error_message":"no","error_details":{}}`
	srv := testkit.NewServer(t, testkit.Reply(http.StatusBadRequest, "application/json", []byte(body)))
	c, _ := faultClient(t, srv.URL)
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "request-id-details", e.RequestID)
	assert.Nil(t, e.ErrorDetails, "an empty error_details object is no details")
}

// A certificate that does not verify, for whatever reason x509 gives, fails before anything was
// sent and is not tried again.
func TestEveryCertificateVerificationErrorIsPermanent(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{errors.New("a reason of its own"), x509.SystemRootsError{}, x509.HostnameError{Host: "x"}, x509.CertificateInvalidError{Reason: x509.Expired}} {
		err := &url.Error{Op: "Post", URL: "https://test.stytch.com/v1/b2b/x", Err: &tls.CertificateVerificationError{Err: cause}}
		unsent, permanent := b2b.Classify(err)
		assert.True(t, unsent, "%v", cause)
		assert.True(t, permanent, "%v", cause)
	}
	for _, err := range []error{x509.UnknownAuthorityError{}, x509.CertificateInvalidError{Reason: x509.Expired}} {
		unsent, permanent := b2b.Classify(&url.Error{Op: "Post", URL: "https://test.stytch.com/v1/b2b/x", Err: err})
		assert.True(t, unsent && permanent, "%T alone", err)
	}
}

// Only the values of secret header parameters are scrubbed from errors: the value of a header the
// operation declares as not secret is shown as it came back (here in a transport's error).
func TestOnlySecretHeadersAreScrubbed(t *testing.T) {
	t.Parallel()
	tc := one(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 1 })
	const value = "member-session-value-1"
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("the proxy refused session %s", r.Header.Get("X-Stytch-Member-Session"))
	})
	c, _ := faultClient(t, "https://test.stytch.com", b2b.WithHTTPClient(&http.Client{Transport: rt}), b2b.WithMaxRetries(0))
	for _, secret := range []bool{true, false} {
		h := headerParam(t, tc.Op, "X-Stytch-Member-Session")
		h.Secret = secret
		p := onlyHeaders{Params: tc.Minimal.(b2b.Params), headers: []gen.HeaderParam{h}}
		resp, err := c.Raw(t.Context(), p, b2b.WithMemberSession(value))
		closeIfAny(resp)
		require.Nil(t, resp)
		var te *b2b.TransportError
		require.ErrorAs(t, err, &te)
		if secret {
			assert.NotContains(t, err.Error(), value)
			assert.Contains(t, err.Error(), "the proxy refused session "+gen.Redacted)
		} else {
			assert.Contains(t, err.Error(), "the proxy refused session "+value, "a value that is not secret is kept")
		}
	}
}

// ResponseInfo.Duration is the time the call took: at least the server's delay, and not more than
// the call could have lasted.
func TestResponseInfoDurationIsTheCalls(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		time.Sleep(30 * time.Millisecond)
		okWithRequestID(w, tc.Response)
	})
	c, _ := faultClient(t, srv.URL)
	var info b2b.ResponseInfo
	start := time.Now()
	_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithResponseInfo(&info))
	took := time.Since(start)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, info.Duration, 30*time.Millisecond)
	assert.LessOrEqual(t, info.Duration, took)
}

// A request is sent only when its URL is under the client's base URL: same scheme, same host, no
// user info, and a path under the base path. Each of these alone refuses it, before anything is
// sent (no round trip at all).
func TestRequestsStayUnderTheBaseURL(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	var trips int
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		trips++
		return inMemory(r, http.StatusOK, tc.Response), nil
	})
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithBaseURL("https://test.stytch.com/api"),
		b2b.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	params := tc.Minimal.(b2b.Params)

	resp, err := c.Raw(t.Context(), params)
	require.NoError(t, err, "the request as built is under the base URL")
	require.NoError(t, resp.Body.Close())
	require.Equal(t, 1, trips)

	for name, move := range map[string]func(u *url.URL){
		"another host":        func(u *url.URL) { u.Host = "attacker.example" },
		"another port":        func(u *url.URL) { u.Host = "test.stytch.com:8443" },
		"another scheme":      func(u *url.URL) { u.Scheme = "http" },
		"user info":           func(u *url.URL) { u.User = url.User("someone") },
		"outside the prefix":  func(u *url.URL) { u.Path = strings.TrimPrefix(u.Path, "/api") },
		"a sibling of prefix": func(u *url.URL) { u.Path = "/apix" + strings.TrimPrefix(u.Path, "/api") },
	} {
		resp, err := c.Raw(t.Context(), editedRequest{params, func(r *http.Request) { move(r.URL) }})
		closeIfAny(resp)
		assert.Nil(t, resp, name)
		assert.ErrorIs(t, err, b2b.ErrNotSent, name)
		assert.ErrorContains(t, err, "not under the client's base URL", name)
		var te *b2b.TransportError
		assert.False(t, errors.As(err, &te), "%s: refused, not tried", name)
	}
	assert.Equal(t, 1, trips, "nothing was sent")
}

// Attempts counts the attempts made, in the error and in ResponseInfo alike: none when the context
// had ended before the call.
func TestAttemptsOfACallThatNeverStarted(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, testkit.Unreachable(t))
	c, _ := faultClient(t, srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var info b2b.ResponseInfo
	_, err := testkit.Call(ctx, c, tc.Minimal, b2b.WithResponseInfo(&info))
	var te *b2b.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 0, te.Attempts)
	assert.Equal(t, 0, info.Attempts)
	assert.Zero(t, info.StatusCode)
	assert.Nil(t, info.Header)
}

// When the body of a retry cannot be produced, the call ends with that failure after the one
// attempt that was made.
func TestReplayFailureEndsTheCall(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable and sends a body", func(op gen.Operation) bool { return repeatable(op) && op.HasBody })
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
	})
	// A client of its own: the kit's clients read request bodies to check them against the spec.
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithBaseURL(srv.URL))
	require.NoError(t, err)
	b2b.RecordWaits(c)
	var info b2b.ResponseInfo
	failingReplay := editedRequest{tc.Minimal.(b2b.Params), func(r *http.Request) {
		r.GetBody = func() (io.ReadCloser, error) { return nil, errors.New("the body is gone") }
	}}
	resp, err := c.Raw(t.Context(), failingReplay, b2b.WithResponseInfo(&info))
	closeIfAny(resp)
	assert.Nil(t, resp)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "replaying the request body: the body is gone")
	assert.Len(t, srv.Requests(), 1)
	assert.Equal(t, 1, info.Attempts)
	assert.Equal(t, http.StatusServiceUnavailable, info.StatusCode)
}

// The duration a debug line gives is the attempt's: never more than the whole call took.
func TestLoggedDurationIsTheAttempts(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		time.Sleep(20 * time.Millisecond)
		okWithRequestID(w, tc.Response)
	})
	var logged bytes.Buffer
	c, _ := faultClient(t, srv.URL, b2b.WithLogger(slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	start := time.Now()
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	took := time.Since(start)
	require.NoError(t, err)
	var line struct {
		Duration time.Duration `json:"duration"`
	}
	require.NoError(t, json.Unmarshal(logged.Bytes(), &line), "one JSON line: %s", logged.String())
	assert.GreaterOrEqual(t, line.Duration, 20*time.Millisecond)
	assert.LessOrEqual(t, line.Duration, took)
}

// Every 2xx is a success, up to 299; a body declared exactly as long as the cap is read.
func TestSuccessStatusAndCapEdges(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(tc.Response)))
		if n == 1 {
			w.WriteHeader(299)
		}
		_, _ = w.Write(tc.Response)
	})
	c, _ := faultClient(t, srv.URL, b2b.WithMaxResponseBytes(int64(len(tc.Response))))
	var info b2b.ResponseInfo
	resp, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithResponseInfo(&info))
	require.NoError(t, err, "a 299 is a success")
	require.NotNil(t, resp)
	assert.Equal(t, 299, info.StatusCode)

	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err, "a declared length equal to the cap is read")
}

// A success body that breaks off says so, and nothing else: no context is named when none ended.
func TestCutOffBodyError(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	url := rawServer(t, func(_ int, conn net.Conn) {
		if err := readRequest(conn); err == nil {
			_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(tc.Response))
			_, _ = conn.Write(tc.Response[:len(tc.Response)/2])
		}
	})
	c, _ := faultClient(t, url, b2b.WithMaxRetries(0))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	var de *b2b.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "reading the body: unexpected EOF", de.Err.Error())
}

// In raw mode, the body of an answer that is retried is read to its end before the next attempt,
// so its connection can be reused.
func TestRawRetryDrainsTheDroppedBody(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	tracker := &bodyTracker{next: tr}
	c, _ := faultClient(t, srv.URL, b2b.WithHTTPClient(&http.Client{Transport: tracker}))
	resp, err := c.Raw(t.Context(), tc.Minimal.(b2b.Params))
	require.NoError(t, err)
	require.Equal(t, int32(2), tracker.opened.Load())
	assert.Equal(t, int32(1), tracker.closed.Load(), "the 503's body was closed")
	assert.Equal(t, int32(1), tracker.drained.Load(), "the 503's body was read to its end")
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
}

// A success body whose status_code is any 2xx is a success, 299 included.
func TestSuccessBodyStatusUpTo299(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	var body map[string]any
	require.NoError(t, json.Unmarshal(tc.Response, &body))
	body["status_code"] = 299
	answer, err := json.Marshal(body)
	require.NoError(t, err)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, answer) })
	c, _ := faultClient(t, srv.URL)
	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
}

// A secret of 8 bytes or more is replaced wherever it occurs; a shorter one only where it stands
// alone or quoted.
func TestScrubLengthEdge(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "token=[redacted]; next", b2b.Scrub([]string{"abcdefgh"}, "token=abcdefgh; next"))
	assert.Equal(t, "token=abcdefg; next", b2b.Scrub([]string{"abcdefg"}, "token=abcdefg; next"))
	assert.Equal(t, `token "[redacted]" next`, b2b.Scrub([]string{"abcdefg"}, `token "abcdefg" next`))
	assert.Equal(t, "[redacted]", b2b.Scrub([]string{"abc"}, "abc"))
}
