package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
)

// The kinds of finding the probe adds to those of package drift.
const (
	// kindUnexpectedStatus: the answer's HTTP status is not the one Stytch documents for the
	// sandbox value.
	kindUnexpectedStatus = "unexpected_status"
	// kindUnexpectedErrorType: the status is the documented one but the error type is not.
	kindUnexpectedErrorType = "unexpected_error_type"
	// kindDecodeFailed: the SDK could not use a 2xx answer (b2b.DecodeError).
	kindDecodeFailed = "decode_failed"
)

// Severities of a finding.
const (
	// severityBreaking: the answer breaks decoding or validation, or the documented behaviour of
	// the sandbox value changed. Code relying on it may fail.
	severityBreaking = "breaking"
	// severityAdditive: the answer has something the spec does not list (a field, a value). The
	// SDK decodes it; code that branches on values may need a look.
	severityAdditive = "additive"
)

// severity classifies a kind; a kind this probe does not know is taken to be breaking.
func severity(kind string) string {
	switch drift.Kind(kind) {
	case drift.UnknownField, drift.UnknownEnumValue:
		return severityAdditive
	}
	return severityBreaking
}

// finding is one difference between an answer and the spec, or between an answer and Stytch's
// documentation of the sandbox value.
type finding struct {
	Check     string
	Operation string
	Status    int // the status of the answer, 0 when none arrived
	Path      string
	Kind      string
	Severity  string
	Detail    string
	RequestID string
}

// outcome is what one check found.
type outcome struct {
	check     check
	status    int // 0 when no answer arrived
	errorType b2b.ErrorType
	requestID string
	findings  []finding
	stopped   bool // the run stopped at this check (see notRun)
}

// notRun is an error that stops the run: the probe could not reach a verdict (credentials
// refused, no answer, Stytch unavailable).
type notRun struct{ msg string }

func (e *notRun) Error() string { return e.msg }

// requestLog is a transport that remembers the request ID of the last answer, read from the body
// (or the X-Request-Id header), so that an answer the SDK cannot decode still names its request.
// The client reads exactly the bytes it would have read without it.
type requestLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	last string
}

func (l *requestLog) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	id := resp.Header.Get("X-Request-Id")
	orig := resp.Body
	buf, rerr := io.ReadAll(io.LimitReader(orig, drift.MaxBodyBytes+1))
	var rest io.Reader = orig
	if rerr != nil {
		rest = errReader{rerr}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), rest), orig}
	var env struct {
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(buf, &env) == nil && env.RequestID != "" {
		id = env.RequestID
	}
	l.mu.Lock()
	l.last = id
	l.mu.Unlock()
	return resp, nil
}

// take returns the request ID of the last answer and forgets it.
func (l *requestLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.last
	l.last = ""
	return id
}

// driftLog is a transport that checks each answer with package drift and keeps the findings of
// the last attempt only. The SDK may retry a call (a safe call after a 5xx, any call after a
// 429): what the probe judges is the answer the SDK ended with, so the findings of an answer it
// retried past are dropped, and an attempt that got no answer leaves none.
type driftLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	last []drift.Finding
}

func (l *driftLog) RoundTrip(req *http.Request) (*http.Response, error) {
	var found []drift.Finding // reported synchronously, before RoundTrip returns
	resp, err := drift.NewTransport(l.next, func(f drift.Finding) { found = append(found, f) }).RoundTrip(req)
	l.mu.Lock()
	l.last = found
	l.mu.Unlock()
	return resp, err
}

// take returns the findings of the last answer and forgets them.
func (l *driftLog) take() []drift.Finding {
	l.mu.Lock()
	defer l.mu.Unlock()
	found := l.last
	l.last = nil
	return found
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// probe runs the checks with the client of the project, whose transport keeps the drift findings
// of the last answer in found and its request ID in ids. It returns the outcome of each check
// made, in order, and a *notRun error when it had to stop. emit is called with each outcome as
// soon as it is known. An answer judged to say nothing about drift (a 429 or 5xx, refused
// credentials) stops the run without drift findings: its body is not one the spec describes.
func probe(ctx context.Context, c *b2b.Client, projectID string, found *driftLog, ids *requestLog, checks []check, emit func(outcome)) ([]outcome, error) {
	var out []outcome
	for _, ch := range checks {
		found.take()
		ids.take()
		var info b2b.ResponseInfo
		err := ch.call(ctx, c, projectID, b2b.WithResponseInfo(&info))
		o := outcome{check: ch, status: info.StatusCode, requestID: info.RequestID}
		if o.requestID == "" {
			o.requestID = ids.take()
		}
		stop := o.judge(err, c.BaseURL())
		o.stopped = stop != nil
		findings := found.take()
		if stop != nil {
			findings = nil
		}
		for _, f := range findings {
			o.add(f.Path, string(f.Kind), f.Detail)
		}
		out = append(out, o)
		emit(o)
		if stop != nil {
			return out, stop // a call after the run's deadline fails at once, and stops it here
		}
	}
	return out, nil
}

func (o *outcome) add(path, kind, detail string) {
	o.findings = append(o.findings, finding{
		Check: o.check.name, Operation: o.check.op.ID, Status: o.status, Path: path,
		Kind: kind, Severity: severity(kind), Detail: detail, RequestID: o.requestID,
	})
}

// documented describes the answer Stytch documents for the check.
func (ch check) documented() string {
	if ch.errorType == "" {
		return fmt.Sprintf("%d", ch.status)
	}
	return fmt.Sprintf("%d %s", ch.status, ch.errorType)
}

// judge compares the call's result with the documented answer, adding findings, and returns a
// *notRun when the result says nothing about drift (no answer, credentials refused, rate limit,
// server failure).
func (o *outcome) judge(err error, baseURL string) error {
	var (
		apiErr *b2b.Error
		decErr *b2b.DecodeError
		trErr  *b2b.TransportError
	)
	switch {
	case err == nil:
		if o.status != o.check.status {
			o.add("", kindUnexpectedStatus, fmt.Sprintf("Stytch documents %s for this call, the answer was %d", o.check.documented(), o.status))
		}
		return nil
	case errors.As(err, &decErr):
		o.status = decErr.StatusCode
		if o.requestID == "" {
			o.requestID = decErr.RequestID
		}
		o.add("", kindDecodeFailed, fmt.Sprintf("the SDK cannot use the %d answer: %v", decErr.StatusCode, decErr.Err))
		if o.status != o.check.status {
			o.add("", kindUnexpectedStatus, fmt.Sprintf("Stytch documents %s for this call, the answer was %d", o.check.documented(), o.status))
		}
		return nil
	case errors.As(err, &apiErr):
		o.status, o.errorType = apiErr.StatusCode, apiErr.ErrorType
		if apiErr.RequestID != "" {
			o.requestID = apiErr.RequestID
		}
		switch {
		case apiErr.ErrorType == b2b.ErrorTypeUnauthorizedCredentials:
			return &notRun{fmt.Sprintf("%s refused the credentials (%d %s): check STYTCH_PROJECT_ID and STYTCH_SECRET, and that they belong to the same Test project", baseURL, apiErr.StatusCode, apiErr.ErrorType)}
		case apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500:
			return &notRun{fmt.Sprintf("%s is not answering normally (%s); try again later", baseURL, oneLine(err))}
		case apiErr.StatusCode != o.check.status:
			o.add("", kindUnexpectedStatus, fmt.Sprintf("Stytch documents %s for this call, the answer was %d %s: %s", o.check.documented(), apiErr.StatusCode, apiErr.ErrorType, apiErr.ErrorMessage))
		case apiErr.ErrorType != o.check.errorType:
			o.add("/error_type", kindUnexpectedErrorType, fmt.Sprintf("Stytch documents %s for this call, the answer was %d %q", o.check.documented(), apiErr.StatusCode, apiErr.ErrorType))
		}
		return nil
	case errors.As(err, &trErr):
		if errors.Is(err, context.DeadlineExceeded) {
			return &notRun{fmt.Sprintf("%s did not answer %s in time (-timeout, -run-timeout): %s", baseURL, o.check.name, oneLine(err))}
		}
		return &notRun{fmt.Sprintf("no answer from %s: %s", baseURL, oneLine(err))}
	}
	return &notRun{fmt.Sprintf("%s: %s", o.check.name, oneLine(err))}
}

// oneLine returns err's message on one line.
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
