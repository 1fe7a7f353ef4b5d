package bench

// Checks that keep the benchmarks honest: the fixtures are what they claim to be, both clients
// send the same request and decode the same data, and the loopback setup reuses connections.
// They are ordinary tests (no timing) and run with go test ./...

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

func TestFixtures(t *testing.T) {
	t.Run("sizes", func(t *testing.T) {
		mla := readFixture(t, fixtureMagicLinksAuthenticate)
		assert.InDelta(t, 11*1024, len(mla), 1024, "the large response is ~11 KB, as a real one with a full member, organization and session")
		assert.Less(t, len(readFixture(t, fixtureDiscoverySend)), 128, "the small response is tiny")
		assert.InDelta(t, 7*1024, len(readFixture(t, fixtureRecoveryCodesGet)), 1024)
	})
	// Every member of every fixture is a field of the generated type: no typo makes a benchmark
	// skip work.
	t.Run("no unknown fields", func(t *testing.T) {
		strict(t, fixtureMagicLinksAuthenticate, &gen.MagicLinksAuthenticateResponse{})
		strict(t, fixtureDiscoverySend, &gen.MagicLinksEmailDiscoverySendResponse{})
		strict(t, fixtureRecoveryCodesGet, &gen.RecoveryCodesGetResponse{})
	})
	// The large response carries every field of the objects it is made of (factors carry the
	// fields of their own kind only: one of the ~40 factor objects each).
	t.Run("complete", func(t *testing.T) {
		var m map[string]any
		require.NoError(t, stdjson.Unmarshal(readFixture(t, fixtureMagicLinksAuthenticate), &m))
		requireAllFields(t, "response", m, reflect.TypeFor[gen.MagicLinksAuthenticateResponse]())
		member := m["member"].(map[string]any)
		requireAllFields(t, "member", member, reflect.TypeFor[gen.Member]())
		scim := member["scim_registration"].(map[string]any)
		requireAllFields(t, "scim_registration", scim, reflect.TypeFor[gen.SCIMRegistration]())
		requireAllFields(t, "scim_attributes", scim["scim_attributes"].(map[string]any), reflect.TypeFor[gen.SCIMAttributes]())
		requireAllFields(t, "organization", m["organization"].(map[string]any), reflect.TypeFor[gen.Organization]())
		session := m["member_session"].(map[string]any)
		requireAllFields(t, "member_session", session, reflect.TypeFor[gen.MemberSession]())
		assert.Len(t, session["authentication_factors"], 5)
		requireAllFields(t, "mfa_required", m["mfa_required"].(map[string]any), reflect.TypeFor[gen.MFARequired]())
		requireAllFields(t, "primary_required", m["primary_required"].(map[string]any), reflect.TypeFor[gen.PrimaryRequired]())
		requireAllFields(t, "member_device", m["member_device"].(map[string]any), reflect.TypeFor[gen.DeviceInfo]())
		assert.GreaterOrEqual(t, len(member["oauth_registrations"].([]any)), 3)
		assert.GreaterOrEqual(t, len(member["sso_registrations"].([]any)), 2)
		assert.GreaterOrEqual(t, len(member["roles"].([]any)), 3)
	})
}

func strict(t *testing.T, fixture string, v any) {
	t.Helper()
	dec := stdjson.NewDecoder(bytes.NewReader(readFixture(t, fixture)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), fixture)
}

func requireAllFields(t *testing.T, what string, m map[string]any, typ reflect.Type) {
	t.Helper()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		assert.Contains(t, m, name, "%s has no %q", what, name)
	}
}

// recordingTransport answers like cannedTransport and keeps the requests it saw, with bodies.
type recordingTransport struct {
	*cannedTransport
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
	return rt.cannedTransport.RoundTrip(req)
}

// The two sides of each benchmark send equivalent requests and decode the same data.
func TestBaselineAndSDKDoTheSameWork(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, method, path, fixture string
		sdk                         func(*b2b.Client) (any, error)
		base                        func(*baselineClient) (any, error)
	}{
		{"MagicLinksAuthenticate", http.MethodPost, magicLinksAuthenticatePath, fixtureMagicLinksAuthenticate,
			func(c *b2b.Client) (any, error) { return sdkMagicLinksAuthenticate(ctx, c) },
			func(c *baselineClient) (any, error) { return baseMagicLinksAuthenticate(ctx, c) }},
		{"DiscoverySend", http.MethodPost, discoverySendPath, fixtureDiscoverySend,
			func(c *b2b.Client) (any, error) { return sdkDiscoverySend(ctx, c) },
			func(c *baselineClient) (any, error) { return baseDiscoverySend(ctx, c) }},
		{"RecoveryCodesGet", http.MethodGet, recoveryCodesGetPath, fixtureRecoveryCodesGet,
			func(c *b2b.Client) (any, error) { return sdkRecoveryCodesGet(ctx, c) },
			func(c *baselineClient) (any, error) { return baseRecoveryCodesGet(ctx, c) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &recordingTransport{cannedTransport: newCannedTransport(t, tc.method, tc.path, tc.fixture)}
			got, err := tc.sdk(newSDKClient(t, rt))
			require.NoError(t, err)
			want, err := tc.base(newBaselineClient(&http.Client{Transport: rt}, benchBaseURL))
			require.NoError(t, err)

			// Same data decoded: both results written back out are the same JSON, and it is
			// not a near-empty value.
			gotJSON, err := stdjson.Marshal(got)
			require.NoError(t, err)
			wantJSON, err := stdjson.Marshal(want)
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(gotJSON))
			assert.Greater(t, len(gotJSON), len(readFixture(t, tc.fixture))*9/10)

			// Same request: method, path, body, credentials; both name a content type on
			// bodies and a user agent.
			require.Len(t, rt.reqs, 2)
			sdkReq, baseReq := rt.reqs[0], rt.reqs[1]
			assert.Equal(t, baseReq.method, sdkReq.method)
			assert.Equal(t, baseReq.path, sdkReq.path)
			if len(baseReq.body) > 0 || len(sdkReq.body) > 0 {
				assert.JSONEq(t, string(baseReq.body), string(sdkReq.body))
			}
			assert.Equal(t, baseReq.header.Get("Authorization"), sdkReq.header.Get("Authorization"))
			assert.NotEmpty(t, sdkReq.header.Get("Authorization"))
			assert.Equal(t, baseReq.header.Get("Content-Type"), sdkReq.header.Get("Content-Type"))
			assert.NotEmpty(t, sdkReq.header.Get("User-Agent"))
			assert.Equal(t, baselineUA, baseReq.header.Get("User-Agent"))
		})
	}
}

func TestCannedTransport(t *testing.T) {
	rt := newCannedTransport(t, http.MethodPost, discoverySendPath, fixtureDiscoverySend)
	hc := &http.Client{Transport: rt}

	_, err := hc.Post(benchBaseURL+"/v1/b2b/elsewhere", "application/json", strings.NewReader("{}"))
	require.Error(t, err, "a wrong path must not pass as a successful call")

	body := &trackingBody{Reader: strings.NewReader(`{"email_address":"x@example.com"}`)}
	resp, err := hc.Post(benchBaseURL+discoverySendPath, "application/json", body)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, readFixture(t, fixtureDiscoverySend), got)
	assert.True(t, body.closed, "the request body is closed")
	assert.Zero(t, body.Len(), "the request body is drained")

	// A fresh body reader each time.
	resp, err = hc.Post(benchBaseURL+discoverySendPath, "application/json", nil)
	require.NoError(t, err)
	again, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, got, again)
}

type trackingBody struct {
	*strings.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

// The loopback setup works for both clients, and the SDK's default client keeps its connections
// under concurrency (the baseline's default transport is free to churn).
func TestLoopbackClients(t *testing.T) {
	body := readFixture(t, fixtureMagicLinksAuthenticate)
	srv, conns := newLoopbackServer(t, body)
	defer srv.Close()
	c, err := b2b.NewClient(benchProjectID, benchSecret, b2b.WithBaseURL(srv.URL))
	require.NoError(t, err)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	base := newBaselineClient(hc, srv.URL)

	const callers, calls = loopbackCallers, 4
	var wg sync.WaitGroup
	errs := make(chan error, 2*callers*calls)
	for range callers {
		wg.Go(func() {
			for range calls {
				_, err := sdkMagicLinksAuthenticate(t.Context(), c)
				errs <- err
			}
		})
	}
	wg.Wait()
	// A connection can be dialled just before another one comes free, so allow some slack; the
	// point is that the count stays near the number of callers instead of growing with calls.
	assert.LessOrEqual(t, conns.Load(), int64(2*callers), "the SDK reuses its connections")
	for range callers {
		wg.Go(func() {
			for range calls {
				_, err := baseMagicLinksAuthenticate(t.Context(), base)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
