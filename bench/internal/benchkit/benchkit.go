// Package benchkit is what every benchmark of the SDK shares, whichever module it lives in: the
// inputs of the calls, the response bodies, the in-memory transport that answers them, the
// loopback server, the CPU-time metric and the check that a client decoded a whole body. The
// suite in package bench (SDK against hand-written code) and the one in the nested module
// bench/ogenpeer (SDK against an ogen client) both build on it, so both compare clients on the
// very same transport, bodies and inputs. It is internal to bench/ and has no use outside it.
package benchkit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// Credentials, inputs and endpoints shared by every client of every benchmark. Nothing leaves the
// process: bench.invalid is never resolved, the canned transport answers instead.
const (
	BaseURL   = "http://bench.invalid"
	ProjectID = "project-test-6c1f8a2e-4b3d-4e5f-9a0b-1c2d3e4f5a6b"
	Secret    = "secret-test-bench-0123456789abcdefghijklmnopqrstuv"

	OrgID    = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
	MemberID = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
	Token    = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=" //nolint:gosec // G101: Stytch's published sandbox magic link token
	Email    = "ada.lovelace@acme-widgets.example"
	// SessionDurationMinutes is the one optional field the magic link calls set.
	SessionDurationMinutes = 60

	MagicLinksAuthenticatePath = "/v1/b2b/magic_links/authenticate"
	DiscoverySendPath          = "/v1/b2b/magic_links/email/discovery/send"
	RecoveryCodesGetPath       = "/v1/b2b/recovery_codes/" + OrgID + "/" + MemberID
)

// The response bodies, as the API sends them (compact JSON), in bench/testdata.
const (
	FixtureMagicLinksAuthenticate = "magic_links_authenticate.json" // ~11 KB
	FixtureDiscoverySend          = "discovery_send.json"           // tiny
	FixtureRecoveryCodesGet       = "recovery_codes_get.json"       // ~7 KB
)

// TestdataDir is bench/testdata, found from this file's location so that test binaries of any
// package (bench, bench/ogenpeer) read the same bodies whatever their working directory.
func TestdataDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "testdata")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Fixture returns one response body of bench/testdata, without surrounding white space.
func Fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(TestdataDir(), name)) //nolint:gosec // G304: a file of bench/testdata the benchmark names
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

// CannedTransport is an in-memory http.RoundTripper: it reads and discards the request body and
// answers every request for Method and Path with a 200 carrying Body, through a fresh reader each
// time. Any other request gets an error, so a benchmark cannot pass while calling the wrong
// endpoint. It is safe for concurrent use; the response header map is shared and must not be
// modified by callers (no client measured here does).
type CannedTransport struct {
	Method string
	Path   string
	Body   []byte
	header http.Header
}

// NewCannedTransport answers method and path with the fixture of that name.
func NewCannedTransport(tb testing.TB, method, path, fixture string) *CannedTransport {
	return &CannedTransport{
		Method: method,
		Path:   path,
		Body:   Fixture(tb, fixture),
		header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"},
			"X-Request-Id": {"request-id-test-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"},
		},
	}
}

// RoundTrip implements http.RoundTripper.
func (rt *CannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	if req.Method != rt.Method || req.URL.Path != rt.Path {
		return nil, fmt.Errorf("canned transport: unexpected %s %s", req.Method, req.URL.Path)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rt.header,
		Body:          io.NopCloser(bytes.NewReader(rt.Body)),
		ContentLength: int64(len(rt.Body)),
		Request:       req,
	}, nil
}

// NewSDKClient returns the SDK client as a user would build it for these benchmarks: default
// options, except the base URL and an http.Client on the given transport.
func NewSDKClient(tb testing.TB, rt http.RoundTripper) *b2b.Client {
	tb.Helper()
	c, err := b2b.NewClient(ProjectID, Secret,
		b2b.WithBaseURL(BaseURL),
		b2b.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The SDK's side of each measured call; every peer makes the same call with the same inputs.

// SDKMagicLinksAuthenticate authenticates Token for SessionDurationMinutes.
func SDKMagicLinksAuthenticate(ctx context.Context, c *b2b.Client) (*b2b.MagicLinksAuthenticateResponse, error) {
	return c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:        Token,
		SessionDurationMinutes: b2b.Ptr(int32(SessionDurationMinutes)),
	})
}

// SDKDiscoverySend sends a discovery magic link to Email.
func SDKDiscoverySend(ctx context.Context, c *b2b.Client) (*b2b.MagicLinksEmailDiscoverySendResponse, error) {
	return c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{
		EmailAddress: Email,
	})
}

// SDKRecoveryCodesGet lists the recovery codes of MemberID in OrgID.
func SDKRecoveryCodesGet(ctx context.Context, c *b2b.Client) (*b2b.RecoveryCodesGetResponse, error) {
	return c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{
		OrganizationID: OrgID,
		MemberID:       MemberID,
	})
}
