package ogenpeer

// Checks that keep the comparison honest: both clients send the same request and decode every
// member of the body. They run before every timed run of make bench, and with go test in this
// module.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
	"github.com/b2bauth/stytch-b2b-go/bench/ogenpeer/stytchogen"
)

type recordingTransport struct {
	*benchkit.CannedTransport
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, recorded{req.Method, req.URL.Path, req.Header.Clone(), body})
	rt.mu.Unlock()
	return rt.CannedTransport.RoundTrip(req)
}

func TestSDKAndOgenDoTheSameWork(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, method, path, fixture string
		sdk                         func(*b2b.Client) (any, error)
		peer                        func(*stytchogen.Client) (any, error)
	}{
		{"MagicLinksAuthenticate", http.MethodPost, benchkit.MagicLinksAuthenticatePath, benchkit.FixtureMagicLinksAuthenticate,
			func(c *b2b.Client) (any, error) { return benchkit.SDKMagicLinksAuthenticate(ctx, c) },
			func(c *stytchogen.Client) (any, error) { return ogenMagicLinksAuthenticate(ctx, c) }},
		{"DiscoverySend", http.MethodPost, benchkit.DiscoverySendPath, benchkit.FixtureDiscoverySend,
			func(c *b2b.Client) (any, error) { return benchkit.SDKDiscoverySend(ctx, c) },
			func(c *stytchogen.Client) (any, error) { return ogenDiscoverySend(ctx, c) }},
		{"RecoveryCodesGet", http.MethodGet, benchkit.RecoveryCodesGetPath, benchkit.FixtureRecoveryCodesGet,
			func(c *b2b.Client) (any, error) { return benchkit.SDKRecoveryCodesGet(ctx, c) },
			func(c *stytchogen.Client) (any, error) { return ogenRecoveryCodesGet(ctx, c) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &recordingTransport{CannedTransport: benchkit.NewCannedTransport(t, tc.method, tc.path, tc.fixture)}
			got, err := tc.sdk(benchkit.NewSDKClient(t, rt))
			require.NoError(t, err)
			peer, err := tc.peer(newOgenClient(t, benchkit.BaseURL, &http.Client{Transport: rt}))
			require.NoError(t, err)

			body := benchkit.Fixture(t, tc.fixture)
			sdkJSON, err := json.Marshal(got)
			require.NoError(t, err)
			peerJSON, err := json.Marshal(peer) // ogen's types marshal themselves (jx)
			require.NoError(t, err)
			assert.Empty(t, benchkit.Covers(body, sdkJSON), "the SDK's result against the body")
			assert.Empty(t, benchkit.CoversWith(body, peerJSON, benchkit.CoverOptions{TimesToTheSecond: true}),
				"the ogen client's result against the body")

			require.Len(t, rt.reqs, 2)
			sdkReq, peerReq := rt.reqs[0], rt.reqs[1]
			assert.Equal(t, sdkReq.method, peerReq.method)
			assert.Equal(t, sdkReq.path, peerReq.path)
			if len(sdkReq.body) > 0 || len(peerReq.body) > 0 {
				assert.JSONEq(t, string(sdkReq.body), string(peerReq.body))
			}
			assert.NotEmpty(t, sdkReq.header.Get("Authorization"))
			assert.Equal(t, sdkReq.header.Get("Authorization"), peerReq.header.Get("Authorization"))
			assert.Equal(t, sdkReq.header.Get("Content-Type"), peerReq.header.Get("Content-Type"))
		})
	}
}

// ogen's encoder writes times to the second (so the check above allows that), but its decoder
// keeps their fraction, as the SDK's does.
func TestOgenDecodesTimeFractions(t *testing.T) {
	rt := benchkit.NewCannedTransport(t, http.MethodPost, benchkit.MagicLinksAuthenticatePath, benchkit.FixtureMagicLinksAuthenticate)
	peer, err := ogenMagicLinksAuthenticate(t.Context(), newOgenClient(t, benchkit.BaseURL, &http.Client{Transport: rt}))
	require.NoError(t, err)
	sdk, err := benchkit.SDKMagicLinksAuthenticate(t.Context(), benchkit.NewSDKClient(t, rt))
	require.NoError(t, err)
	require.NotNil(t, sdk.Member.UpdatedAt)
	require.NotZero(t, sdk.Member.UpdatedAt.Nanosecond(), "the body has a time with a fraction")
	got, ok := peer.Member.UpdatedAt.Get()
	require.True(t, ok)
	assert.True(t, sdk.Member.UpdatedAt.Equal(got), "ogen decoded %v, the SDK %v", got, sdk.Member.UpdatedAt)
}

// The ogen client works on loopback with the transport the benchmark gives it.
func TestOgenLoopback(t *testing.T) {
	srv, conns := benchkit.NewLoopbackServer(t, benchkit.Fixture(t, benchkit.FixtureMagicLinksAuthenticate))
	defer srv.Close()
	hc := benchkit.DefaultTransportClient()
	defer hc.CloseIdleConnections()
	c := newOgenClient(t, srv.URL, hc)
	for range 3 {
		resp, err := ogenMagicLinksAuthenticate(t.Context(), c)
		require.NoError(t, err)
		assert.Equal(t, benchkit.MemberID, resp.MemberID)
	}
	assert.Equal(t, int64(1), conns.Load(), "sequential calls reuse one connection")
}
