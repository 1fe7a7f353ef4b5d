package b2b

import (
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// CallOption adjusts one call. Every method takes any number of them after its params:
//
//	var info b2b.ResponseInfo
//	resp, err := client.MagicLinks.Email.Invite(ctx, params,
//		b2b.WithMemberSession(sessionToken), b2b.WithCallTimeout(3*time.Second), b2b.WithResponseInfo(&info))
//
// An option given bad input, or one the operation does not take, makes the call fail with a
// *ValidationError before anything is sent. The zero CallOption does nothing.
type CallOption struct {
	apply func(*callConfig) error
}

// callConfig is what the options of one call set, on top of the client's settings.
type callConfig struct {
	timeout    time.Duration
	hasTimeout bool
	maxRetries int
	hasRetries bool
	info       *ResponseInfo
	headers    []headerValue // in the order the options were given
}

type headerValue struct {
	name, value string
	option      string // the option that set it, for error messages
}

// ResponseInfo is what WithResponseInfo captures about a call: the metadata of the last answer
// and how the call went. It is filled in whatever the outcome, as far as it is known: a call that
// got no answer leaves StatusCode 0 and Header nil.
type ResponseInfo struct {
	StatusCode int           // the HTTP status of the last answer
	Header     http.Header   // the headers of the last answer
	RequestID  string        // Stytch's request ID: from the body, or the X-Request-Id header
	Attempts   int           // how many times the request was sent or tried
	Duration   time.Duration // from the first attempt to the end of the call, waits included
}

// WithCallTimeout bounds this call, retries and waits included, instead of the client's timeout
// (WithTimeout). Zero leaves the call bounded by its context alone; a negative value is refused.
func WithCallTimeout(d time.Duration) CallOption {
	return CallOption{func(c *callConfig) error {
		if d < 0 {
			return fmt.Errorf("WithCallTimeout: negative duration %v", d)
		}
		c.timeout, c.hasTimeout = d, true
		return nil
	}}
}

// WithCallMaxRetries sets how many times this call may be sent again, instead of the client's
// setting (WithMaxRetries); 0 turns retries off. A value outside 0..10 is refused. The
// operation's retry class still decides which failures are retried.
func WithCallMaxRetries(n int) CallOption {
	return CallOption{func(c *callConfig) error {
		if n < 0 || n > maxRetriesLimit {
			return fmt.Errorf("WithCallMaxRetries: %d is outside 0..%d", n, maxRetriesLimit)
		}
		c.maxRetries, c.hasRetries = n, true
		return nil
	}}
}

// WithResponseInfo makes the call fill in *dst with the metadata of its answer (status, headers,
// request ID, attempts, duration). The return values of the call do not change. A nil dst is
// refused.
func WithResponseInfo(dst *ResponseInfo) CallOption {
	return CallOption{func(c *callConfig) error {
		if dst == nil {
			return fmt.Errorf("WithResponseInfo: nil *ResponseInfo")
		}
		c.info = dst
		return nil
	}}
}

// The header parameters the member-session options set. An operation takes them when its spec
// declares them (see Operation.Headers): magic link invites and session revocation, for example.
const (
	memberSessionHeader    = "X-Stytch-Member-Session"
	memberSessionJWTHeader = "X-Stytch-Member-SessionJWT"
)

// WithMemberSession runs the call with the permissions of the member who owns sessionToken, sent
// as the X-Stytch-Member-Session header, instead of the project's. Only operations whose spec
// declares that header take it; elsewhere, and for an empty token, the call fails with a
// *ValidationError rather than run with the project's permissions.
func WithMemberSession(sessionToken string) CallOption {
	return headerOption("WithMemberSession", memberSessionHeader, sessionToken)
}

// WithMemberSessionJWT runs the call with the permissions of the member who owns sessionJWT, sent
// as the X-Stytch-Member-SessionJWT header. It is accepted and refused like WithMemberSession.
func WithMemberSessionJWT(sessionJWT string) CallOption {
	return headerOption("WithMemberSessionJWT", memberSessionJWTHeader, sessionJWT)
}

func headerOption(option, name, value string) CallOption {
	return CallOption{func(c *callConfig) error {
		c.headers = append(c.headers, headerValue{name: name, value: value, option: option})
		return nil
	}}
}

// newCallConfig applies opts for an operation, checking every header value against what the spec
// says of the operation's header parameters.
func newCallConfig(op gen.Operation, opts []CallOption) (callConfig, error) {
	if len(opts) == 0 {
		// Most calls take no options. Returning here keeps c below off the heap for them:
		// o.apply(&c) makes it escape, and it is allocated where it is declared.
		return callConfig{}, nil
	}
	var c callConfig
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&c); err != nil {
			return c, &ValidationError{Operation: op.ID, Field: "options", Rule: "option", Message: err.Error()}
		}
	}
	for _, h := range c.headers {
		if err := checkHeader(op, h); err != nil {
			return c, err
		}
	}
	return c, nil
}

// checkHeader refuses a header the operation does not declare, a value shorter than the spec
// allows, and a value that is not a single line of text (a CR, LF or NUL would split or end the
// header on the wire, and the request would go out with another member's permissions or none).
func checkHeader(op gen.Operation, h headerValue) error {
	verr := func(rule, msg string) error {
		return &ValidationError{Operation: op.ID, Field: h.name, Rule: rule, Message: msg}
	}
	for _, p := range op.Headers {
		if !equalFoldASCII(p.Name, h.name) {
			continue
		}
		if uint64(len(h.value)) < p.MinLength {
			if h.value == "" {
				return verr("non_empty", "is set but empty ("+h.option+"); give it a value or leave the option out")
			}
			return verr("header", fmt.Sprintf("must be at least %d bytes long", p.MinLength))
		}
		if !utf8.ValidString(h.value) {
			return verr("utf8", "is not valid UTF-8 text")
		}
		for i := 0; i < len(h.value); i++ {
			if b := h.value[i]; b < 0x20 && b != '\t' || b == 0x7f {
				// The value is not shown: it is a credential.
				return verr("header", "contains a control character (CR, LF, NUL, ...), which cannot be sent in a header")
			}
		}
		return nil
	}
	return verr("header", fmt.Sprintf("is not a header parameter of %s: %s does not apply to this call", op.ID, h.option))
}

func equalFoldASCII(a, b string) bool {
	return http.CanonicalHeaderKey(a) == http.CanonicalHeaderKey(b)
}
