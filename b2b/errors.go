package b2b

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// ErrOutcomeUnknown is in the chain of an error returned when the request may have been processed
// by Stytch although no success answer arrived: a connection lost after the request was written, a
// timeout while waiting for the answer, or a 5xx answer, for an operation that consumes a
// single-use token or code or sends email (retry class gen.RetryUnsent). Such a call is not
// retried; check the member's state before trying again. Test it with errors.Is.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have been processed")

// ErrResponseTooLarge is in the chain of the error returned when a success body is larger than
// the client's cap (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("response body exceeds the size cap")

// Error is the error returned for every answer whose HTTP status is not 2xx. When the body is a
// Stytch error object its fields are filled in; otherwise (an HTML page from a proxy, an empty
// body) StatusCode is still set and ErrorMessage says what the body was.
//
// Use errors.As with a *Error target:
//
//	var e *b2b.Error
//	if errors.As(err, &e) && e.ErrorType == "magic_link_not_found" { ... }
type Error struct {
	StatusCode   int            // the HTTP status of the answer
	RequestID    string         // Stytch's request ID, for support requests
	ErrorType    string         // Stytch's machine-readable error type, e.g. "unauthorized_credentials"
	ErrorMessage string         // Stytch's human-readable message
	ErrorURL     string         // a link to Stytch's documentation of the error
	ErrorDetails map[string]any // extra details, when Stytch sends any

	Operation      string // the spec's operationId of the call
	Attempts       int    // how many times the request was sent
	OutcomeUnknown bool   // see ErrOutcomeUnknown
}

// Error returns one line: operation, status, error type, message and request ID. It never contains
// request data, so no secret that was sent can appear in it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("stytch: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.ErrorType != "" {
		b.WriteString(": ")
		b.WriteString(e.ErrorType)
	}
	if e.ErrorMessage != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.ErrorMessage))
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	if e.OutcomeUnknown {
		b.WriteString("; ")
		b.WriteString(ErrOutcomeUnknown.Error())
	}
	return b.String()
}

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown.
func (e *Error) Is(target error) bool { return target == ErrOutcomeUnknown && e.OutcomeUnknown }

// Retryable reports whether the failure is one that is worth retrying later: a rate limit (429) or
// a server-side failure (5xx). It says nothing about whether the call is safe to repeat; see
// OutcomeUnknown.
func (e *Error) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// TransportError is returned when no HTTP answer arrived: the connection could not be made, was
// lost, or the context ended. Err holds the cause; a context's end is in its chain
// (errors.Is(err, context.DeadlineExceeded)).
type TransportError struct {
	Operation      string // the spec's operationId of the call
	Attempts       int    // how many times the request was sent or tried
	Sent           bool   // false when the request provably never left the machine
	OutcomeUnknown bool   // see ErrOutcomeUnknown
	Err            error
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("stytch: %s: no answer after %d attempt(s): %v", e.Operation, e.Attempts, e.Err)
	if e.OutcomeUnknown {
		msg += "; " + ErrOutcomeUnknown.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown.
func (e *TransportError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.OutcomeUnknown
}

// DecodeError is returned when a 2xx answer could not be read or decoded: a truncated or malformed
// body, a body of the wrong shape, or one larger than the cap. No partial response is returned.
type DecodeError struct {
	Operation  string
	StatusCode int
	RequestID  string
	Err        error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("stytch: %s: cannot decode the %d answer: %v", e.Operation, e.StatusCode, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// newError builds the *Error for a non-2xx answer from its (capped) body.
func newError(op gen.Operation, resp *http.Response, body []byte, attempts int) *Error {
	e := &Error{StatusCode: resp.StatusCode, Operation: op.ID, Attempts: attempts}
	var se gen.Error
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &se) == nil {
		e.RequestID = se.RequestID
		e.ErrorType = se.ErrorType
		e.ErrorMessage = se.ErrorMessage
		if se.ErrorURL != nil {
			e.ErrorURL = *se.ErrorURL
		}
		if len(se.ErrorDetails) > 0 {
			e.ErrorDetails = se.ErrorDetails
		}
	} else {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		switch {
		case len(trimmed) == 0:
			e.ErrorMessage = "empty error body"
		case ct != "":
			e.ErrorMessage = fmt.Sprintf("error body is not a Stytch error (%s, %d bytes)", ct, len(body))
		default:
			e.ErrorMessage = fmt.Sprintf("error body is not a Stytch error (%d bytes)", len(body))
		}
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Request-Id")
	}
	return e
}

// notSent reports whether err shows that the request never left the machine: the connection could
// not be made (dial or name resolution failed), so nothing was written.
func notSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// ctxError is returned when the context ended between attempts or before the first one.
func ctxError(op gen.Operation, attempts int, ctxErr, last error) error {
	te := &TransportError{Operation: op.ID, Attempts: attempts, Err: ctxErr}
	if last != nil {
		te.Err = fmt.Errorf("%w (last failure: %v)", ctxErr, last)
		var prev interface{ Is(error) bool }
		if errors.As(last, &prev) && prev.Is(ErrOutcomeUnknown) {
			te.OutcomeUnknown, te.Sent = true, true
		}
	}
	return te
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
