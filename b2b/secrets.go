package b2b

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// A call's secrets are what must never appear in an error or a log line of the call: the secret
// params fields (the generated AppendSecrets methods list them, from the spec's x-stytch-secret
// marks), the values of secret header parameters, and the client's credentials. They are gathered
// only when an error needs scrubbing.

// scrubber returns the scrubber of the call's secrets, gathering them on first use.
func (ex *exchange) scrubber() scrubber {
	if ex.scrub == nil {
		secrets := ex.params.AppendSecrets(nil)
		for _, h := range ex.cfg.headers {
			for _, p := range ex.op.Headers {
				if p.Secret && equalFoldASCII(p.Name, h.name) {
					secrets = append(secrets, h.value)
				}
			}
		}
		secrets = append(secrets, ex.x.secret()...)
		sc := newScrubber(secrets)
		ex.scrub = &sc
	}
	return *ex.scrub
}

// minScrubLen is the length from which a secret is replaced wherever it occurs in a text. A
// shorter secret is replaced only where it stands alone: as a whole value, or quoted ("…" or '…')
// inside a text, which is how servers and libraries echo values. Replacing every occurrence of a
// three- or four-letter string would mangle unrelated words of Stytch's messages ("already used")
// while protecting little: Stytch's tokens are dozens of characters long.
const minScrubLen = 8

// scrubber replaces a call's secrets in text that came from a server or a library.
type scrubber struct {
	secrets []secret
}

// secret is one secret in every form it can take in a text: a server or a library rarely echoes a
// value as it was sent, but as an encoder wrote it (the request body is JSON, and net/http quotes
// the bytes it could not parse with %q), sometimes twice over.
type secret struct {
	forms []string // the distinct forms, longest first, so a longer one is replaced whole
	short bool     // shorter than minScrubLen: replaced only where it stands alone
}

func newScrubber(secrets []string) scrubber {
	var out []secret
	for _, s := range secrets {
		if s != "" {
			out = append(out, secret{forms: encodedForms(s), short: len(s) < minScrubLen})
		}
	}
	return scrubber{secrets: out}
}

// encodedForms returns s as sent, as encoding/json writes it in a string (with its HTML escaping of
// <, > and &, and its escapes of quotes, backslashes, control characters and U+2028/U+2029), and
// each of those as strconv.Quote and strconv.QuoteToASCII write them, without the outer quotes.
func encodedForms(s string) []string {
	forms := []string{s}
	if j, err := json.Marshal(s); err == nil { // a string always marshals
		forms = append(forms, string(j[1:len(j)-1]))
	}
	for _, f := range forms { // the two forms above: range reads the slice once
		q, a := strconv.Quote(f), strconv.QuoteToASCII(f)
		forms = append(forms, q[1:len(q)-1], a[1:len(a)-1])
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(forms)
}

// String returns s with every secret, in each of its forms, replaced by gen.Redacted.
func (sc scrubber) String(s string) string {
	for _, sec := range sc.secrets {
		for _, form := range sec.forms {
			switch {
			case s == form:
				return gen.Redacted
			case !sec.short:
				if strings.Contains(s, form) {
					s = strings.ReplaceAll(s, form, gen.Redacted)
				}
			default:
				for _, q := range []string{`\"`, `"`, `'`} {
					if quoted := q + form + q; strings.Contains(s, quoted) {
						s = strings.ReplaceAll(s, quoted, q+gen.Redacted+q)
					}
				}
			}
		}
	}
	return s
}

// any scrubs the strings of a decoded JSON value, keys included.
func (sc scrubber) any(v any) any {
	switch v := v.(type) {
	case string:
		return sc.String(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[sc.String(k)] = sc.any(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = sc.any(x)
		}
		return out
	default:
		return v
	}
}

// err returns err, or, when its message holds a secret or bytes a server sent that net/http
// could not parse, an error with the cleaned message that still unwraps to err (so errors.Is and
// errors.As see the same chain).
func (sc scrubber) err(err error) error {
	if err == nil {
		return err
	}
	msg := err.Error()
	clean := dropUnparsed(msg)
	if len(sc.secrets) > 0 {
		clean = sc.String(clean)
	}
	if clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

// unparsed matches what net/http and net/textproto quote of an answer they could not parse:
// `malformed HTTP response "…"`, `malformed HTTP status code "…"`, `malformed HTTP version "…"`,
// `malformed MIME header line: "…"` and the like, the quoted part written by %q (an unterminated
// one runs to the end of the text).
var unparsed = regexp.MustCompile(`(malformed (?:HTTP|MIME)\b[^"]*?) ?"(?:[^"\\]|\\.)*(?:"|$)`)

// dropUnparsed replaces the server's bytes in net/http's "malformed …" errors with a note, and
// keeps the kind of error. Those bytes are whatever the server sent where an answer belonged: a
// server that echoes the request there would put the request's secrets in the error, and not
// always whole (a status line is cut at its first space, so one word of a passphrase can come out
// alone, which no match of the whole secret can catch).
func dropUnparsed(msg string) string {
	if !strings.Contains(msg, "malformed ") {
		return msg
	}
	return unparsed.ReplaceAllString(msg, "${1} (the server's bytes are not shown)")
}

// scrubbedError is an error whose message had a secret of the call, or a server's unparsed bytes,
// in it.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// apply replaces, in e's text fields and details, every secret with gen.Redacted, so a
// server that echoes a token or password back cannot make it appear in Error() or in a printed or
// logged *Error.
func (sc scrubber) apply(e *Error) {
	if len(sc.secrets) == 0 {
		return
	}
	e.RequestID = sc.String(e.RequestID)
	e.ErrorType = ErrorType(sc.String(string(e.ErrorType)))
	e.ErrorMessage = sc.String(e.ErrorMessage)
	e.ErrorURL = sc.String(e.ErrorURL)
	if e.ErrorDetails != nil {
		e.ErrorDetails, _ = sc.any(e.ErrorDetails).(map[string]any)
	}
}
