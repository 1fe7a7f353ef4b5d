package b2b_test

// Per-call options (issue 13): timeout, retry limit, response metadata, member sessions where the
// spec declares the headers; fast retries for tests; and the raw escape hatch.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

func TestWithCallTimeout(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	release := make(chan struct{})
	srv := testkit.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	c, _ := faultClient(t, srv.URL, b2b.WithTimeout(time.Hour), b2b.WithMaxRetries(0))
	_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallTimeout(50*time.Millisecond))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the per-call timeout replaces the client's hour")

	_, err = testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallTimeout(-time.Second))
	var ve *b2b.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Error(), "WithCallTimeout")
	assert.Len(t, srv.Requests(), 1, "a refused option sends nothing")
}

func TestWithCallMaxRetries(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
	})
	c, waits := faultClient(t, srv.URL, b2b.WithMaxRetries(5))
	_, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallMaxRetries(1))
	require.Error(t, err)
	assert.Len(t, srv.Requests(), 2, "one try and one retry, instead of the client's five retries")
	assert.Len(t, waits.All(), 1)

	_, err = testkit.Call(t.Context(), c, tc.Minimal, b2b.WithCallMaxRetries(11))
	var ve *b2b.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, srv.Requests(), 2)
}

func TestWithResponseInfo(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	var body map[string]any
	require.NoError(t, json.Unmarshal(tc.Response, &body))
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		w.Header().Set("X-Custom", "yes") // no X-Request-Id: the body's request_id is used
		_, _ = w.Write(tc.Response)
	})
	c, _ := faultClient(t, srv.URL)
	var info b2b.ResponseInfo
	resp, err := testkit.Call(t.Context(), c, tc.Minimal, b2b.WithResponseInfo(&info))
	require.NoError(t, err)
	require.NotNil(t, resp, "the return values are unchanged")
	assert.Equal(t, http.StatusOK, info.StatusCode)
	assert.Equal(t, "yes", info.Header.Get("X-Custom"))
	assert.Equal(t, body["request_id"], info.RequestID)
	assert.Equal(t, 2, info.Attempts)
	assert.Positive(t, info.Duration)

	// A failed call fills it in as far as it is known.
	fail := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusNotFound, "member_not_found", "no")
	})
	c, _ = faultClient(t, fail.URL)
	info = b2b.ResponseInfo{}
	_, err = testkit.Call(t.Context(), c, tc.Minimal, b2b.WithResponseInfo(&info))
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, info.StatusCode)
	assert.Equal(t, "request-id-test-404", info.RequestID)
	assert.Equal(t, 1, info.Attempts)

	_, err = testkit.Call(t.Context(), c, tc.Minimal, b2b.WithResponseInfo(nil))
	assert.ErrorIs(t, err, b2b.ErrNotSent)
}

func TestHeaderOptionsFollowTheSpec(t *testing.T) {
	t.Parallel()
	with := one(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 0 })
	without := one(t, "takes no header", noHeaders)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, with.Response) })
	c, _ := faultClient(t, srv.URL)

	var opts, empty []b2b.CallOption
	want := map[string]string{}
	for i, h := range with.Op.Headers {
		v := fmt.Sprintf("header-value-%d-x", i)
		o, ok := testkit.HeaderOption(h.Name, v)
		require.True(t, ok, h.Name)
		opts = append(opts, o)
		want[h.Name] = v
		if h.MinLength > 0 {
			e, _ := testkit.HeaderOption(h.Name, "")
			empty = append(empty, e)
		}
	}
	_, err := testkit.Call(t.Context(), c, with.Minimal, opts...)
	require.NoError(t, err)
	hits := srv.Requests()
	require.Len(t, hits, 1)
	for name, v := range want {
		assert.Equal(t, v, hits[0].Header.Get(name))
	}

	for _, opt := range opts {
		_, err = testkit.Call(t.Context(), c, without.Minimal, opt)
		var ve *b2b.ValidationError
		require.ErrorAs(t, err, &ve, "%s declares no header parameter", without.Op.ID)
		assert.Contains(t, ve.Error(), "does not apply")
		assert.NotContains(t, ve.Error(), "header-value-", "the value is not shown")
	}
	require.NotEmpty(t, empty, "%s has a header that must not be empty", with.Op.ID)
	for _, opt := range empty {
		_, err = testkit.Call(t.Context(), c, with.Minimal, opt)
		var ve *b2b.ValidationError
		require.ErrorAs(t, err, &ve, "an empty session would run the call with the project's permissions")
		assert.Equal(t, "non_empty", ve.Rule)
	}
	assert.Len(t, srv.Requests(), 1, "refused options send nothing")
}

func TestWithMaxRetryWaitMakesRetriesImmediate(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.Header().Set("Retry-After", "4")
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	c, waits := faultClient(t, srv.URL, b2b.WithMaxRetryWait(0))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{0, 0}, waits.All(), "Retry-After and backoff are both capped")

	srv2 := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "4")
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "later")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	c2, waits2 := faultClient(t, srv2.URL, b2b.WithMaxRetryWait(300*time.Millisecond))
	_, err = testkit.Call(t.Context(), c2, tc.Minimal)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{300 * time.Millisecond}, waits2.All(), "the 4 s Retry-After is capped")

	_, err = b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithMaxRetryWait(-1))
	assert.Error(t, err)
}

func TestRaw(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		switch n {
		case 1:
			testkit.Error(w, http.StatusServiceUnavailable, "internal_server_error", "later")
		case 2:
			w.Header().Set("X-Request-Id", "request-id-raw")
			okWithRequestID(w, tc.Response)
		default:
			testkit.Error(w, http.StatusNotFound, "member_not_found", "no")
		}
	})
	c, _ := faultClient(t, srv.URL)
	params := tc.Minimal.(b2b.Params)
	resp, err := c.Raw(t.Context(), params)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the 503 was retried as the class allows")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.JSONEq(t, string(tc.Response), string(body))
	hits := srv.Requests()
	require.Len(t, hits, 2)
	assert.True(t, strings.HasPrefix(hits[1].Header.Get("Authorization"), "Basic "), "the client's credentials are sent")
	assert.True(t, strings.HasPrefix(hits[1].Header.Get("User-Agent"), "stytch-b2b-go/"))

	resp, err = c.Raw(t.Context(), params)
	require.NoError(t, err, "a non-2xx answer is returned, not an error")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NoError(t, resp.Body.Close())

	// refused is the error of a call Raw must refuse before sending (it closes any answer).
	refused := func(p b2b.Params) error {
		resp, err := c.Raw(t.Context(), p)
		if resp != nil {
			_ = resp.Body.Close()
		}
		assert.Nil(t, resp, "no answer with an error")
		return err
	}
	bad := params.Operation().NewParams().(b2b.Params) // a new zero value: required fields empty
	assert.ErrorIs(t, refused(bad), b2b.ErrNotSent, "params are validated")
	assert.ErrorIs(t, refused(nil), b2b.ErrNotSent)

	// Params that build a request for another host are refused.
	assert.ErrorIs(t, refused(elsewhere{tc.Minimal.(b2b.Params)}), b2b.ErrNotSent)
	assert.Len(t, srv.Requests(), 3)
}

// elsewhere builds its request for another host than the client's.
type elsewhere struct{ b2b.Params }

func (p elsewhere) NewHTTPRequest(string) (*http.Request, error) {
	return p.Params.NewHTTPRequest("http://attacker.invalid")
}

func TestRawBodyIsCapped(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
	})
	c, _ := faultClient(t, srv.URL, b2b.WithMaxResponseBytes(1024))
	resp, err := c.Raw(t.Context(), tc.Minimal.(b2b.Params))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Len(t, body, 1024, "the body reads at most the client's cap")
	require.NoError(t, resp.Body.Close())
}

func TestWithTransportWrapper(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
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
	c, _ := faultClient(t, srv.URL, b2b.WithTransportWrapper(wrap("inner")), b2b.WithTransportWrapper(wrap("outer")))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	assert.Equal(t, []string{"outer", "inner"}, order, "the first wrapper is innermost")
	assert.NotNil(t, b2b.HTTPClient(c).CheckRedirect, "the redirect policy stays")
	_, isDefault := b2b.HTTPClient(c).Transport.(*http.Transport)
	assert.False(t, isDefault)

	_, err = b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithTransportWrapper(nil))
	assert.Error(t, err)
	_, err = b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithTransportWrapper(func(http.RoundTripper) http.RoundTripper { return nil }))
	assert.Error(t, err)
}
