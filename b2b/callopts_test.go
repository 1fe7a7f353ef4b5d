package b2b

// Per-call options (issue 13): timeout, retry limit, response metadata, member sessions where the
// spec declares the headers; fast retries for tests; and the raw escape hatch.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

func TestWithCallTimeout(t *testing.T) {
	tc := resGET(t)
	release := make(chan struct{})
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	c, _ := resClient(t, srv.URL, WithTimeout(time.Hour), WithMaxRetries(0))
	_, err := resInvokeOpts(t.Context(), t, c, tc.Minimal, WithCallTimeout(50*time.Millisecond))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the per-call timeout replaces the client's hour")

	_, err = resInvokeOpts(t.Context(), t, c, tc.Minimal, WithCallTimeout(-time.Second))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Error(), "WithCallTimeout")
	assert.Len(t, srv.Hits(), 1, "a refused option sends nothing")
}

func TestWithCallMaxRetries(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resStytchError(w, http.StatusServiceUnavailable, "internal_server_error", "later")
	})
	c, waits := resClient(t, srv.URL, WithMaxRetries(5))
	_, err := resInvokeOpts(t.Context(), t, c, tc.Minimal, WithCallMaxRetries(1))
	require.Error(t, err)
	assert.Len(t, srv.Hits(), 2, "one try and one retry, instead of the client's five retries")
	assert.Len(t, waits.all(), 1)

	_, err = resInvokeOpts(t.Context(), t, c, tc.Minimal, WithCallMaxRetries(11))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, srv.Hits(), 2)
}

func TestWithResponseInfo(t *testing.T) {
	tc := resGET(t)
	var body map[string]any
	require.NoError(t, json.Unmarshal(tc.Response, &body))
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		w.Header().Set("X-Custom", "yes") // no X-Request-Id: the body's request_id is used
		_, _ = w.Write(tc.Response)
	})
	c, _ := resClient(t, srv.URL)
	var info ResponseInfo
	resp, err := resInvokeOpts(t.Context(), t, c, tc.Minimal, WithResponseInfo(&info))
	require.NoError(t, err)
	require.False(t, resp.IsNil(), "the return values are unchanged")
	assert.Equal(t, http.StatusOK, info.StatusCode)
	assert.Equal(t, "yes", info.Header.Get("X-Custom"))
	assert.Equal(t, body["request_id"], info.RequestID)
	assert.Equal(t, 2, info.Attempts)
	assert.Positive(t, info.Duration)

	// A failed call fills it in as far as it is known.
	fail := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resStytchError(w, http.StatusNotFound, "member_not_found", "no")
	})
	c, _ = resClient(t, fail.URL)
	info = ResponseInfo{}
	_, err = resInvokeOpts(t.Context(), t, c, tc.Minimal, WithResponseInfo(&info))
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, info.StatusCode)
	assert.Equal(t, "request-id-test-404", info.RequestID)
	assert.Equal(t, 1, info.Attempts)

	_, err = resInvokeOpts(t.Context(), t, c, tc.Minimal, WithResponseInfo(nil))
	assert.ErrorIs(t, err, ErrNotSent)
}

func TestMemberSessionOptionsFollowTheSpec(t *testing.T) {
	with := hardCase(t, "takes the member-session headers", hasHeader(memberSessionHeader))
	without := hardCase(t, "takes no header", func(op gen.Operation) bool { return len(op.Headers) == 0 })
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, with.Response) })
	c, _ := resClient(t, srv.URL)

	_, err := resInvokeOpts(t.Context(), t, c, with.Minimal, WithMemberSession("session-token-x"), WithMemberSessionJWT("session-jwt-x"))
	require.NoError(t, err)
	hits := srv.Hits()
	require.Len(t, hits, 1)
	assert.Equal(t, "session-token-x", hits[0].Header.Get(memberSessionHeader))
	assert.Equal(t, "session-jwt-x", hits[0].Header.Get(memberSessionJWTHeader))

	for _, opt := range []CallOption{WithMemberSession("session-token-x"), WithMemberSessionJWT("session-jwt-x")} {
		_, err = resInvokeOpts(t.Context(), t, c, without.Minimal, opt)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%s declares no member-session header", without.Op.ID)
		assert.Contains(t, ve.Error(), "does not apply")
		assert.NotContains(t, ve.Error(), "session-", "the value is not shown")
	}
	for _, opt := range []CallOption{WithMemberSession(""), WithMemberSessionJWT("")} {
		_, err = resInvokeOpts(t.Context(), t, c, with.Minimal, opt)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "an empty session would run the call with the project's permissions")
		assert.Equal(t, "non_empty", ve.Rule)
	}
	assert.Len(t, srv.Hits(), 1, "refused options send nothing")
}

func TestWithMaxRetryWaitMakesRetriesImmediate(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 3 {
			w.Header().Set("Retry-After", "4")
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		resOK(w, tc.Response)
	})
	c, waits := resClient(t, srv.URL, WithMaxRetryWait(0))
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{0, 0}, waits.all(), "Retry-After and backoff are both capped")

	srv2 := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "4")
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		resOK(w, tc.Response)
	})
	c2, waits2 := resClient(t, srv2.URL, WithMaxRetryWait(300*time.Millisecond))
	_, err = resInvoke(t.Context(), t, c2, tc.Minimal, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{300 * time.Millisecond}, waits2.all(), "the 4 s Retry-After is capped")

	_, err = NewClient(resProjectID, resSecret, WithMaxRetryWait(-1))
	assert.Error(t, err)
}

func TestRaw(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			resStytchError(w, http.StatusServiceUnavailable, "internal_server_error", "later")
		case 2:
			w.Header().Set("X-Request-Id", "request-id-raw")
			resOK(w, tc.Response)
		default:
			resStytchError(w, http.StatusNotFound, "member_not_found", "no")
		}
	})
	c, _ := resClient(t, srv.URL)
	params := tc.Minimal.(Params)
	resp, err := c.Raw(t.Context(), params)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the 503 was retried as the class allows")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.JSONEq(t, string(tc.Response), string(body))
	hits := srv.Hits()
	require.Len(t, hits, 2)
	assert.True(t, strings.HasPrefix(hits[1].Header.Get("Authorization"), "Basic "), "the client's credentials are sent")
	assert.True(t, strings.HasPrefix(hits[1].Header.Get("User-Agent"), "stytch-b2b-go/"))

	resp, err = c.Raw(t.Context(), params)
	require.NoError(t, err, "a non-2xx answer is returned, not an error")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NoError(t, resp.Body.Close())

	bad := reflect0(params)
	_, err = c.Raw(t.Context(), bad)
	assert.ErrorIs(t, err, ErrNotSent, "params are validated")
	_, err = c.Raw(t.Context(), nil)
	assert.ErrorIs(t, err, ErrNotSent)

	// Params that build a request for another host are refused.
	_, err = c.Raw(t.Context(), &elsewhere{tc.Minimal.(*RecoveryCodesGetParams)})
	assert.ErrorIs(t, err, ErrNotSent)
	assert.Len(t, srv.Hits(), 3)
}

// reflect0 returns a new zero value of the params' type.
func reflect0(p Params) Params {
	return p.Operation().NewParams().(Params)
}

// elsewhere builds its request for another host than the client's.
type elsewhere struct{ *RecoveryCodesGetParams }

func (p *elsewhere) NewHTTPRequest(string) (*http.Request, error) {
	return p.RecoveryCodesGetParams.NewHTTPRequest("http://attacker.invalid")
}

func TestRawBodyIsCapped(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
	})
	c, _ := resClient(t, srv.URL, WithMaxResponseBytes(1024))
	resp, err := c.Raw(t.Context(), tc.Minimal.(Params))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Len(t, body, 1024, "the body reads at most the client's cap")
	require.NoError(t, resp.Body.Close())
}

func TestWithTransportWrapper(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, tc.Response) })
	var order []string
	wrap := func(name string) func(http.RoundTripper) http.RoundTripper {
		return func(next http.RoundTripper) http.RoundTripper {
			require.NotNil(t, next, "the wrapper gets the transport in use")
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				order = append(order, name)
				return next.RoundTrip(r)
			})
		}
	}
	c, _ := resClient(t, srv.URL, WithTransportWrapper(wrap("inner")), WithTransportWrapper(wrap("outer")))
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"outer", "inner"}, order, "the first wrapper is innermost")
	assert.NotNil(t, c.x.hc.CheckRedirect, "the redirect policy stays")
	_, isDefault := c.x.hc.Transport.(*http.Transport)
	assert.False(t, isDefault)

	_, err = NewClient(resProjectID, resSecret, WithTransportWrapper(nil))
	assert.Error(t, err)
	_, err = NewClient(resProjectID, resSecret, WithTransportWrapper(func(http.RoundTripper) http.RoundTripper { return nil }))
	assert.Error(t, err)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
