package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// Credentials and endpoints shared by both sides of every benchmark. Nothing leaves the process:
// bench.invalid is never resolved, the canned transport answers instead.
const (
	benchBaseURL   = "http://bench.invalid"
	benchProjectID = "project-test-6c1f8a2e-4b3d-4e5f-9a0b-1c2d3e4f5a6b"
	benchSecret    = "secret-test-bench-0123456789abcdefghijklmnopqrstuv"
	// baselineUA is what the hand-written client sends; the SDK sends its own User-Agent.
	baselineUA = "handwritten-stytch-client/1.0"

	magicLinksAuthenticatePath = "/v1/b2b/magic_links/authenticate"
	discoverySendPath          = "/v1/b2b/magic_links/email/discovery/send"
	recoveryCodesGetPath       = "/v1/b2b/recovery_codes/" + benchOrgID + "/" + benchMemberID

	benchOrgID    = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
	benchMemberID = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
	benchToken    = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
	benchEmail    = "ada.lovelace@acme-widgets.example"
)

// The three response bodies, as the API sends them (compact JSON). See TestFixtures.
const (
	fixtureMagicLinksAuthenticate = "magic_links_authenticate.json" // ~11 KB
	fixtureDiscoverySend          = "discovery_send.json"           // tiny
	fixtureRecoveryCodesGet       = "recovery_codes_get.json"       // ~7 KB
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

// cannedTransport is an in-memory http.RoundTripper: it reads and discards the request body and
// answers every request for path with a 200 carrying body, through a fresh reader each time. Any
// other path gets an error, so a benchmark cannot pass while calling the wrong endpoint. It is safe
// for concurrent use; the response header map is shared and must not be modified by callers
// (neither client does).
type cannedTransport struct {
	method string
	path   string
	body   []byte
	header http.Header
}

func newCannedTransport(tb testing.TB, method, path, fixture string) *cannedTransport {
	body := readFixture(tb, fixture)
	return &cannedTransport{
		method: method,
		path:   path,
		body:   body,
		header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"},
			"X-Request-Id": {"request-id-test-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"},
		},
	}
}

func (rt *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	if req.Method != rt.method || req.URL.Path != rt.path {
		return nil, fmt.Errorf("canned transport: unexpected %s %s", req.Method, req.URL.Path)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rt.header,
		Body:          io.NopCloser(bytes.NewReader(rt.body)),
		ContentLength: int64(len(rt.body)),
		Request:       req,
	}, nil
}

// newSDKClient returns the SDK client as a user would build it for these benchmarks: default
// options, except the base URL and an http.Client on the given transport.
func newSDKClient(tb testing.TB, rt http.RoundTripper) *b2b.Client {
	tb.Helper()
	c, err := b2b.NewClient(benchProjectID, benchSecret,
		b2b.WithBaseURL(benchBaseURL),
		b2b.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The calls both sides make, with the same inputs.

func sdkMagicLinksAuthenticate(ctx context.Context, c *b2b.Client) (*b2b.MagicLinksAuthenticateResponse, error) {
	return c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:        benchToken,
		SessionDurationMinutes: b2b.Ptr(int32(60)),
	})
}

func sdkDiscoverySend(ctx context.Context, c *b2b.Client) (*b2b.MagicLinksEmailDiscoverySendResponse, error) {
	return c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{
		EmailAddress: benchEmail,
	})
}

func sdkRecoveryCodesGet(ctx context.Context, c *b2b.Client) (*b2b.RecoveryCodesGetResponse, error) {
	return c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{
		OrganizationID: benchOrgID,
		MemberID:       benchMemberID,
	})
}

func baseMagicLinksAuthenticate(ctx context.Context, c *baselineClient) (*plainMagicLinksAuthenticateResponse, error) {
	d := int32(60)
	return c.magicLinksAuthenticate(ctx, &plainMagicLinksAuthenticateRequest{
		MagicLinksToken:        benchToken,
		SessionDurationMinutes: &d,
	})
}

func baseDiscoverySend(ctx context.Context, c *baselineClient) (*plainMagicLinksEmailDiscoverySendResponse, error) {
	return c.discoverySend(ctx, &plainMagicLinksEmailDiscoverySendRequest{EmailAddress: benchEmail})
}

func baseRecoveryCodesGet(ctx context.Context, c *baselineClient) (*plainRecoveryCodesGetResponse, error) {
	return c.recoveryCodesGet(ctx, benchOrgID, benchMemberID)
}
