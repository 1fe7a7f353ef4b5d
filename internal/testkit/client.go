package testkit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
)

// The credentials of the kit's clients. Tests compute what the client must send (the
// Authorization header) from these, not from the code under test.
const (
	ProjectID = "project-test-5d0f1c6e-7a42-4c1b-9e38-b2b0testkit1"
	Secret    = "testkit-project-secret-7f3a9c1e"
)

// Reporter receives the spec violations a client's traffic shows; *testing.T and *Recorder are
// Reporters.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Recorder is a Reporter that keeps the violations reported to it, for tests that break the spec
// on purpose and check that the break is seen.
type Recorder struct {
	mu   sync.Mutex
	errs []string
}

// Errorf records one violation.
func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// Errors returns the violations recorded so far.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// NewClient returns a client of the kit's project for baseURL. Every request it sends, and every
// 2xx answer it gets, is validated against the spec; a violation fails t. The client keeps the
// SDK's own transport (or the one of a b2b.WithHTTPClient in opts), whose idle connections are
// closed when the test ends. A 2xx body is read in full by the check before the SDK reads it:
// tests of truncated, endless or slow bodies use NewFaultClient.
func NewClient(t testing.TB, baseURL string, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	return newClient(t, t, baseURL, true, opts)
}

// NewLenientClient is NewClient with the violations recorded in the returned Recorder instead of
// failing the test: for answers that break the spec on purpose.
func NewLenientClient(t testing.TB, baseURL string, opts ...b2b.Option) (*b2b.Client, *Recorder) {
	t.Helper()
	rec := &Recorder{}
	return newClient(t, rec, baseURL, true, opts), rec
}

// NewFaultClient is NewClient that validates only the requests: answers reach the SDK exactly as
// the server sent them (cut off, oversized, slow or malformed), for fault-injection tests.
func NewFaultClient(t testing.TB, baseURL string, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	return newClient(t, t, baseURL, false, opts)
}

// Checked returns the option that makes a client whose base URL is baseURL check its traffic as
// NewClient's does (every request and every 2xx answer against the spec; a violation fails t), for
// a client built elsewhere, such as the b2btest fake's Server.Client, with its own credentials.
func Checked(t testing.TB, baseURL string) b2b.Option {
	t.Helper()
	return checking(t, t, baseURL, true)
}

// checking is the transport wrapper of the kit's clients: it validates the traffic with the
// shared validator, matched on paths under baseURL's path, and closes the wrapped transport's
// idle connections when the test ends.
func checking(t testing.TB, report Reporter, baseURL string, answers bool) b2b.Option {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("testkit: base URL %q: %v", baseURL, err)
	}
	v := contract.MustShared().Matching(route.Prefix(u.EscapedPath()))
	return b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
		if ci, ok := next.(interface{ CloseIdleConnections() }); ok {
			t.Cleanup(ci.CloseIdleConnections)
		}
		return &checker{v: v, report: report, next: next, answers: answers}
	})
}

func newClient(t testing.TB, report Reporter, baseURL string, answers bool, opts []b2b.Option) *b2b.Client {
	t.Helper()
	all := append([]b2b.Option{b2b.WithBaseURL(baseURL), checking(t, report, baseURL, answers)}, opts...)
	c, err := b2b.NewClient(ProjectID, Secret, all...)
	if err != nil {
		t.Fatalf("testkit: NewClient: %v", err)
	}
	return c
}

// checker validates the requests passing through it (and, with answers, the 2xx answers).
type checker struct {
	v       *contract.Validator
	report  Reporter
	next    http.RoundTripper
	answers bool
}

func (c *checker) RoundTrip(req *http.Request) (*http.Response, error) {
	// Validate a copy; the request handed on keeps a body of its own.
	clone := req.Clone(req.Context())
	send := req
	switch {
	case req.GetBody != nil:
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		clone.Body = b
	case req.Body != nil && req.Body != http.NoBody:
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		clone.Body = io.NopCloser(bytes.NewReader(data))
		send = req.Clone(req.Context())
		send.Body = io.NopCloser(bytes.NewReader(data))
	}
	r, err := c.v.Request(clone)
	if err != nil {
		c.report.Errorf("testkit: request %s %s breaks the spec: %v", req.Method, req.URL.EscapedPath(), contract.Violations(err))
	}
	resp, err := c.next.RoundTrip(send)
	if !c.answers || err != nil || r == nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil // the SDK sees the same bytes and then the same failure
	}
	if verr := c.v.Response(r, resp.StatusCode, resp.Header, body); verr != nil {
		c.report.Errorf("testkit: answer of %s breaks the spec: %v", r.OperationID(), contract.Violations(verr))
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
