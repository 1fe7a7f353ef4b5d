package b2b

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Every error the SDK returns starts with this prefix.
const errPrefix = "b2b: "

// ErrOutcomeUnknown is in the chain of an error returned when the request may have been processed
// by Stytch although no usable success answer arrived, for an operation whose retry class is not
// repeatable (it consumes a single-use token or code, sends email or creates something): a
// connection lost after the request was written, a timeout while waiting for the answer, a 5xx
// answer, or a 2xx answer whose body could not be read or decoded. Such a call is not retried;
// check the member's state before trying again. Test it with errors.Is.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have been processed")

// ErrNotSent is in the chain of every error returned when nothing of the call left the machine:
// a *ValidationError (bad params or options), and a *TransportError whose every attempt failed to
// connect. Such a call had no effect and may be made again. Test it with errors.Is:
//
//	if errors.Is(err, b2b.ErrNotSent) { ... Stytch never saw the request ... }
var ErrNotSent = gen.ErrNotSent

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
//	if errors.As(err, &e) && e.ErrorType == b2b.ErrorTypeMagicLinkNotFound { ... }
type Error struct {
	StatusCode   int            // the HTTP status of the answer
	RequestID    string         // Stytch's request ID (from the body, else the X-Request-Id header), for support requests
	ErrorType    ErrorType      // Stytch's machine-readable error type, e.g. ErrorTypeUnauthorizedCredentials
	ErrorMessage string         // Stytch's human-readable message
	ErrorURL     string         // a link to Stytch's documentation of the error
	ErrorDetails map[string]any // extra details, when Stytch sends any

	Operation      string        // the spec's operationId of the call
	Attempts       int           // how many times the request was sent
	OutcomeUnknown bool          // see ErrOutcomeUnknown
	RetryAfter     time.Duration // the wait the answer asked for (Retry-After), typically on a 429

	class gen.RetryClass // the operation's retry class, for Retryable
}

// Error returns one line: operation, status, error type, message and request ID. Any secret of the
// call that a server echoed back is replaced by [redacted].
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(errPrefix)
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.ErrorType != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(string(e.ErrorType)))
	}
	if e.ErrorMessage != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.ErrorMessage))
	}
	writeRequestID(&b, e.RequestID)
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.OutcomeUnknown {
		b.WriteString("; ")
		b.WriteString(ErrOutcomeUnknown.Error())
	}
	return b.String()
}

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown.
func (e *Error) Is(target error) bool { return target == ErrOutcomeUnknown && e.OutcomeUnknown }

// Retryable reports whether making the same call again later is both safe and may succeed: a
// rate limit (429: Stytch did nothing), or a server failure (5xx) of an operation whose retry
// class is repeatable. It is false for a 5xx of an operation that consumes a token or sends email
// (the outcome is unknown there: see OutcomeUnknown), and for every other status. RetryAfter says
// how long Stytch asked to wait, when it did. It is the SDK's own retry decision for the answer,
// so it agrees with what the client did before giving up.
func (e *Error) Retryable() bool {
	return decide(e.class, outcome{kind: outcomeStatus, status: e.StatusCode}).retry
}

// TransportError is returned when no HTTP answer arrived: the connection could not be made, was
// lost, or the context ended. Err holds the cause; a context's end is in its chain
// (errors.Is(err, context.DeadlineExceeded)). When no attempt left the machine, Sent is false and
// errors.Is(err, ErrNotSent) holds.
type TransportError struct {
	Operation      string // the spec's operationId of the call
	Attempts       int    // how many times the request was sent or tried
	Sent           bool   // false when no attempt left the machine (each failed to connect: dial, DNS, TLS handshake)
	OutcomeUnknown bool   // see ErrOutcomeUnknown
	Err            error  // the cause; its message is scrubbed of the call's secrets
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("%s%s: no answer after %d attempt(s): %v", errPrefix, e.Operation, e.Attempts, e.Err)
	if !e.Sent {
		msg += " (" + ErrNotSent.Error() + ")"
	}
	if e.OutcomeUnknown {
		msg += "; " + ErrOutcomeUnknown.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown, or
// target is ErrNotSent and no attempt left the machine.
func (e *TransportError) Is(target error) bool {
	return (target == ErrOutcomeUnknown && e.OutcomeUnknown) || (target == ErrNotSent && !e.Sent)
}

// DecodeError is returned when a 2xx answer could not be used: a truncated or malformed body, a
// body of the wrong shape, a body that is not a success answer at all (no request_id, or a
// status_code that is not 2xx, as in an error object sent with 200), or one larger than the cap
// (errors.Is(err, ErrResponseTooLarge)). No partial response is returned. For an operation whose
// retry class is not repeatable the call's result is lost, so errors.Is(err, ErrOutcomeUnknown)
// is true.
type DecodeError struct {
	Operation      string // the spec's operationId of the call
	StatusCode     int    // the 2xx status of the answer
	RequestID      string // Stytch's request ID: the body's request_id when it could be read, else the X-Request-Id header
	OutcomeUnknown bool   // see ErrOutcomeUnknown
	Err            error  // the cause; its message is scrubbed of the call's secrets
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s: cannot use the %d answer: %v", errPrefix, e.Operation, e.StatusCode, e.Err)
	writeRequestID(&b, e.RequestID)
	if e.OutcomeUnknown {
		b.WriteString("; ")
		b.WriteString(ErrOutcomeUnknown.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown.
func (e *DecodeError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.OutcomeUnknown
}

func writeRequestID(b *strings.Builder, id string) {
	if id != "" {
		b.WriteString(" (request_id ")
		b.WriteString(oneLine(id))
		b.WriteString(")")
	}
}

// newError builds the *Error for a non-2xx answer from its (capped) body. readErr is the error
// that ended the reading of the body early, if one did: what was read is still decoded.
func newError(op gen.Operation, resp *http.Response, body []byte, readErr error, attempts int) *Error {
	e := &Error{StatusCode: resp.StatusCode, Operation: op.ID, Attempts: attempts, class: op.Retry}
	trimmed := bytes.TrimSpace(body)
	se, ok := decodeStytchError(trimmed)
	switch {
	case resp.StatusCode < 200:
		e.ErrorMessage = "an informational (1xx) status is not a final answer; the body was not read"
	case ok:
		e.RequestID = se.RequestID
		e.ErrorType = se.ErrorType
		e.ErrorMessage = se.ErrorMessage
		if se.ErrorURL != nil {
			e.ErrorURL = *se.ErrorURL
		}
		if len(se.ErrorDetails) > 0 {
			e.ErrorDetails = se.ErrorDetails
		}
	case readErr != nil:
		e.ErrorMessage = fmt.Sprintf("error body could not be read after %d bytes: %v", len(body), readErr)
	case len(trimmed) == 0:
		e.ErrorMessage = "empty error body"
	default:
		what := fmt.Sprintf("%d bytes", len(body))
		if ct := contentType(resp.Header); ct != "" {
			what = ct + ", " + what
		}
		e.ErrorMessage = "error body is not a Stytch error (" + what + ")"
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Request-Id")
	}
	return e
}

// decodeStytchError decodes an error body. A body that decodes whole is a Stytch error, whatever
// fields it has. Otherwise, when the body is a JSON object, each field of a Stytch error is decoded
// on its own and kept when it has the right type: one field of an unexpected shape (an empty array
// where error_details should be an object) must not cost the caller the error type and the
// request ID. Such a body counts as a Stytch error when at least one field was kept. Fields match
// by name as encoding/json matches them.
func decodeStytchError(body []byte) (gen.Error, bool) {
	var se gen.Error
	if len(body) == 0 || body[0] != '{' {
		return se, false
	}
	if json.Unmarshal(body, &se) == nil {
		return se, true
	}
	se = gen.Error{}
	var (
		rid struct {
			V *string `json:"request_id"`
		}
		typ struct {
			V *ErrorType `json:"error_type"`
		}
		msg struct {
			V *string `json:"error_message"`
		}
		link struct {
			V *string `json:"error_url"`
		}
		det struct {
			V map[string]any `json:"error_details"`
		}
	)
	// Each Unmarshal fails only on its own field: the others are skipped, unchecked.
	decoded := func(v any) bool { return json.Unmarshal(body, v) == nil }
	kept := false
	if decoded(&rid) && rid.V != nil {
		se.RequestID, kept = *rid.V, true
	}
	if decoded(&typ) && typ.V != nil {
		se.ErrorType, kept = *typ.V, true
	}
	if decoded(&msg) && msg.V != nil {
		se.ErrorMessage, kept = *msg.V, true
	}
	if decoded(&link) && link.V != nil {
		se.ErrorURL, kept = link.V, true
	}
	if decoded(&det) && det.V != nil {
		se.ErrorDetails, kept = det.V, true
	}
	return se, kept
}

// knownContentTypes are the media types an error message names. Any other Content-Type is not
// reported: it is text of the server's choosing, which mime.ParseMediaType lower-cases, so a
// secret echoed there would come out in a form no scrubbing of the secret as sent would find.
var knownContentTypes = []string{
	"application/json", "application/problem+json", "application/xml", "application/problem+xml",
	"application/octet-stream", "application/javascript", "application/x-www-form-urlencoded",
	"text/html", "text/plain", "text/xml", "text/css", "text/javascript", "multipart/form-data",
}

// contentType returns the media type of h's Content-Type, its parameters left out, when it is a
// well-formed one of knownContentTypes, and "" otherwise.
func contentType(h http.Header) string {
	if ct, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && slices.Contains(knownContentTypes, ct) {
		return ct
	}
	return ""
}

// failure says what a failed attempt (an error from http.Client.Do) means for retrying.
type failure struct {
	unsent    bool // the request provably never left the machine
	permanent bool // trying again cannot help
}

// classify reads an error from http.Client.Do. A request provably never left the machine when the
// connection could not be made (the dial or the name lookup failed) or its TLS handshake failed:
// no byte of it was written. Everything else is treated as sent, including errors whose type is
// unknown, so an operation that must not run twice is never repeated on a guess.
func classify(err error) failure {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return failure{unsent: true}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return failure{unsent: true}
	}
	// Certificates are verified only during the handshake, before anything is sent; a certificate
	// that does not verify will not verify on the next attempt either.
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return failure{unsent: true, permanent: true}
	}
	// net/http reports a handshake that did not finish in time with this error, whose type is
	// not exported.
	if strings.HasSuffix(err.Error(), "net/http: TLS handshake timeout") {
		return failure{unsent: true}
	}
	return failure{}
}

// oneLine makes text from a server safe to print on one line: runs of white space and control
// characters (line breaks, terminal escapes) become one space.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
