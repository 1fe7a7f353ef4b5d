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
	"strings"
	"unicode"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// ErrOutcomeUnknown is in the chain of an error returned when the request may have been processed
// by Stytch although no usable success answer arrived, for an operation that consumes a
// single-use token or code or sends email (retry class gen.RetryUnsent): a connection lost after
// the request was written, a timeout while waiting for the answer, a 5xx answer, or a 2xx answer
// whose body could not be read or decoded. Such a call is not retried; check the member's state
// before trying again. Test it with errors.Is.
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
		b.WriteString(oneLine(e.ErrorType))
	}
	if e.ErrorMessage != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.ErrorMessage))
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id ")
		b.WriteString(oneLine(e.RequestID))
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
	Sent           bool   // false when no attempt left the machine (each failed to connect: dial, DNS, TLS handshake)
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
// body, a body of the wrong shape, or one larger than the cap (errors.Is(err, ErrResponseTooLarge)).
// No partial response is returned. Stytch did process the call; for an operation of retry class
// gen.RetryUnsent its result is lost, so errors.Is(err, ErrOutcomeUnknown) is true.
type DecodeError struct {
	Operation      string // the spec's operationId of the call
	StatusCode     int    // the 2xx status of the answer
	RequestID      string // the X-Request-Id header of the answer, when present
	OutcomeUnknown bool   // see ErrOutcomeUnknown
	Err            error
}

func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("stytch: %s: cannot decode the %d answer: %v", e.Operation, e.StatusCode, e.Err)
	if e.RequestID != "" {
		msg += " (request_id " + oneLine(e.RequestID) + ")"
	}
	if e.OutcomeUnknown {
		msg += "; " + ErrOutcomeUnknown.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown and this failure left the outcome unknown.
func (e *DecodeError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.OutcomeUnknown
}

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

// ctxError is returned when the context ended between attempts or before the first one. sent
// says whether an earlier attempt left the machine.
func ctxError(op gen.Operation, attempts int, sent bool, ctxErr, last error) error {
	te := &TransportError{Operation: op.ID, Attempts: attempts, Sent: sent, Err: ctxErr}
	if last != nil {
		te.Err = fmt.Errorf("%w (last failure: %v)", ctxErr, last)
		te.OutcomeUnknown = errors.Is(last, ErrOutcomeUnknown)
	}
	return te
}

// scrub replaces in e's text fields and details every secret of the request (see
// transport.secrets) with gen.Redacted, so a server that echoes a token or password back cannot
// make it appear in Error() or in a printed or logged *Error.
func (e *Error) scrub(secrets []string) {
	if len(secrets) == 0 {
		return
	}
	e.RequestID = scrubString(e.RequestID, secrets)
	e.ErrorType = scrubString(e.ErrorType, secrets)
	e.ErrorMessage = scrubString(e.ErrorMessage, secrets)
	e.ErrorURL = scrubString(e.ErrorURL, secrets)
	if e.ErrorDetails != nil {
		e.ErrorDetails, _ = scrubAny(e.ErrorDetails, secrets).(map[string]any)
	}
}

// minScrubLen is the shortest secret that is scrubbed: replacing one- to three-character
// strings would mangle every message while protecting nothing.
const minScrubLen = 4

func scrubString(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= minScrubLen && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, gen.Redacted)
		}
	}
	return s
}

// scrubAny scrubs the strings of a decoded JSON value, keys included.
func scrubAny(v any, secrets []string) any {
	switch v := v.(type) {
	case string:
		return scrubString(v, secrets)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[scrubString(k, secrets)] = scrubAny(x, secrets)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = scrubAny(x, secrets)
		}
		return out
	default:
		return v
	}
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
