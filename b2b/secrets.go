package b2b

import (
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
	secrets []string
}

func newScrubber(secrets []string) scrubber {
	out := secrets[:0:0]
	for _, s := range secrets {
		if s != "" {
			out = append(out, s)
		}
	}
	return scrubber{secrets: out}
}

// String returns s with every secret replaced by gen.Redacted.
func (sc scrubber) String(s string) string {
	for _, sec := range sc.secrets {
		switch {
		case s == sec:
			return gen.Redacted
		case len(sec) >= minScrubLen:
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, gen.Redacted)
			}
		default:
			for _, q := range []string{`"`, `'`} {
				if quoted := q + sec + q; strings.Contains(s, quoted) {
					s = strings.ReplaceAll(s, quoted, q+gen.Redacted+q)
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

// err returns err, or, when its message holds a secret, an error with the scrubbed message that
// still unwraps to err (so errors.Is and errors.As see the same chain).
func (sc scrubber) err(err error) error {
	if err == nil || len(sc.secrets) == 0 {
		return err
	}
	msg := err.Error()
	if clean := sc.String(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

// scrubbedError is an error whose message had a secret of the call in it.
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
