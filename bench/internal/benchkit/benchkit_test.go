package benchkit

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCovers(t *testing.T) {
	body := `{"id":"m-1","n":2,"ok":true,"at":"2024-05-01T10:00:00.000Z","tags":["a","b"],` +
		`"sub":{"x":"y","gone":null},"meta":{"k":null}}`
	cases := []struct {
		name, got string
		diffs     []string
	}{
		{"same", body, nil},
		{"other time format, same instant", strings.Replace(body, "10:00:00.000Z", "12:00:00+02:00", 1), nil},
		{"number written another way", strings.Replace(body, `"n":2`, `"n":2.0`, 1), nil},
		{"null given back as zero value or left out",
			strings.Replace(strings.Replace(body, `"gone":null`, `"gone":""`, 1), `"meta":{"k":null}`, `"meta":{}`, 1), nil},
		{"zero-valued extra fields", strings.Replace(body, `"id":"m-1"`, `"id":"m-1","new":"","obj":{"a":0},"list":[]`, 1), nil},
		{"missing member", strings.Replace(body, `"ok":true,`, ``, 1), []string{"$.ok: missing from the result"}},
		{"other value", strings.Replace(body, `"x":"y"`, `"x":"z"`, 1), []string{`$.sub.x: body has "y", result has "z"`}},
		{"other time", strings.Replace(body, "10:00:00.000Z", "10:00:01Z", 1),
			[]string{`$.at: body has "2024-05-01T10:00:00.000Z", result has "2024-05-01T10:00:01Z"`}},
		{"shorter array", strings.Replace(body, `["a","b"]`, `["a"]`, 1), []string{`$.tags: body has 2 elements, result has ["a"]`}},
		{"non-zero extra field", strings.Replace(body, `"id":"m-1"`, `"id":"m-1","new":"v"`, 1),
			[]string{`$.new: not in the body, result has "v"`}},
		{"null where the body has data", strings.Replace(body, `"x":"y"`, `"x":null`, 1),
			[]string{`$.sub.x: body has "y", result has null`}},
		{"data where the body has null", strings.Replace(body, `"gone":null`, `"gone":"v"`, 1),
			[]string{`$.sub.gone: body has null, result has "v"`}},
		{"not JSON", `{`, []string{"result: unexpected EOF"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.diffs, Covers([]byte(body), []byte(tc.got)))
		})
	}
}

func TestCoversTimesToTheSecond(t *testing.T) {
	body := []byte(`{"at":"2024-05-01T10:00:00.250Z"}`)
	truncated := []byte(`{"at":"2024-05-01T10:00:00Z"}`)
	assert.NotEmpty(t, Covers(body, truncated))
	assert.Empty(t, CoversWith(body, truncated, CoverOptions{TimesToTheSecond: true}))
	assert.NotEmpty(t, CoversWith(body, []byte(`{"at":"2024-05-01T10:00:01Z"}`), CoverOptions{TimesToTheSecond: true}))
}

func TestFixturesAreFound(t *testing.T) {
	for _, name := range []string{FixtureMagicLinksAuthenticate, FixtureDiscoverySend, FixtureRecoveryCodesGet} {
		assert.NotEmpty(t, Fixture(t, name), name)
	}
}

func TestCannedTransport(t *testing.T) {
	rt := NewCannedTransport(t, http.MethodPost, DiscoverySendPath, FixtureDiscoverySend)
	hc := &http.Client{Transport: rt}
	send := func(method, path string, body io.Reader) (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), method, BaseURL+path, body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		return hc.Do(req)
	}
	refused := func(method, path string, body io.Reader, msg string) {
		resp, err := send(method, path, body)
		if err == nil {
			_ = resp.Body.Close()
		}
		require.Error(t, err, msg)
	}

	refused(http.MethodPost, "/v1/b2b/elsewhere", strings.NewReader("{}"), "a wrong path must not pass as a successful call")
	refused(http.MethodGet, DiscoverySendPath, nil, "a wrong method must not pass as a successful call")

	body := &trackingBody{Reader: strings.NewReader(`{"email_address":"x@example.com"}`)}
	resp, err := send(http.MethodPost, DiscoverySendPath, body)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, Fixture(t, FixtureDiscoverySend), got)
	assert.Equal(t, int64(len(got)), resp.ContentLength)
	assert.True(t, body.closed, "the request body is closed")
	assert.Zero(t, body.Len(), "the request body is drained")

	// A fresh body reader each time.
	resp, err = send(http.MethodPost, DiscoverySendPath, nil)
	require.NoError(t, err)
	again, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, got, again)
}

type trackingBody struct {
	*strings.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }
