package contract

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Transport is an http.RoundTripper for tests: it validates every request against the spec before
// passing it to Next, and every 2xx response after. Violations are reported with tb.Errorf, so a
// test fails when the SDK sends (or a fake answers) something the spec does not allow. Error
// answers are not checked: tests send HTML and empty bodies on purpose.
type Transport struct {
	TB        testing.TB
	Validator *Validator
	Next      http.RoundTripper // nil means http.DefaultTransport
}

// NewTransport returns a Transport for requests sent to serverURL.
func NewTransport(tb testing.TB, serverURL string, next http.RoundTripper) *Transport {
	tb.Helper()
	v, err := New(serverURL)
	if err != nil {
		tb.Fatalf("contract: %v", err)
	}
	return &Transport{TB: tb, Validator: v, Next: next}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	// Validate a copy so the request handed to Next keeps its own body.
	clone := req.Clone(req.Context())
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		clone.Body = b
	}
	route, err := t.Validator.Request(clone)
	if err != nil {
		t.TB.Errorf("contract: request %s %s breaks the spec: %v", req.Method, req.URL.EscapedPath(), Violations(err))
	}
	resp, err := next.RoundTrip(req)
	if err != nil || route == nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read to the end (or to the failure, reported by rerr); replaced below
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // let the client see the truncated body and fail on its own
	}
	if verr := t.Validator.Response(route, resp.StatusCode, resp.Header, body); verr != nil {
		t.TB.Errorf("contract: response to %s breaks the spec: %v", route.OperationID(), Violations(verr))
	}
	return resp, nil
}
