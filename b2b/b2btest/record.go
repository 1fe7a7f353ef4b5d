package b2btest

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Request is one request the fake received, as recorded for a test to inspect. Secrets are
// redacted (replaced by gen.Redacted): the Authorization header, every header and body field the
// spec marks x-stytch-secret (tokens, passwords, recovery codes, session tokens and JWTs).
type Request struct {
	Operation  string            // the spec's operationId, or "" when no operation matched
	Method     string            // HTTP method
	Path       string            // the path as sent (still escaped)
	PathParams map[string]string // unescaped path parameters (only recoveryCodesGet has them)
	Header     http.Header       // request headers, secrets redacted
	Body       map[string]any    // the decoded JSON body, secrets redacted; nil when there is no JSON object
	Status     int               // the status the fake answered; 0 when it did not answer (DropConnection, client gone)
}

// Email is a message the fake "sent": the magic link, invite and discovery operations record one
// instead of sending it. Token is what the link carries; pass it to the matching authenticate call
// to play the user who clicked.
type Email struct {
	Operation      string // the spec's operationId of the call that sent it
	Kind           string // "login", "signup", "invite" or "discovery"
	To             string // the email address
	OrganizationID string // empty for discovery
	MemberID       string // empty for discovery
	Token          string // the single-use token in the link (not redacted)
	URL            string // the link: the redirect URL with stytch_token_type and token added
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// Requests returns every request received so far, in the order they finished. The result is a
// copy: changing it does not change what the server recorded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.clone()
	}
	return out
}

// RequestsFor returns the requests received for op, in the order they finished.
func (s *Server) RequestsFor(op Operation) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Operation == op.ID {
			out = append(out, r.clone())
		}
	}
	return out
}

// Emails returns the emails the fake has sent so far, oldest first.
func (s *Server) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.emails)
}

func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.PathParams = maps.Clone(r.PathParams)
	if r.Body != nil {
		r.Body = deepCopy(r.Body).(map[string]any)
	}
	return r
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

// secretSet knows which headers and body fields hold secrets: the generated operation table
// lists them (Operation.Headers, Operation.SecretFields) from the spec's x-stytch-secret marks.
type secretSet struct {
	headers map[string]bool       // canonical header names
	fields  map[string][][]string // secret JSON pointers of the request body, by operationId, as unescaped tokens
	any     map[string]bool       // property names (lower-cased) that are secret in some operation
}

func newSecretSet() *secretSet {
	ss := &secretSet{headers: map[string]bool{"Authorization": true}, fields: map[string][][]string{}, any: map[string]bool{}}
	for _, op := range gen.Operations {
		for _, h := range op.Headers {
			if h.Secret {
				ss.headers[http.CanonicalHeaderKey(h.Name)] = true
			}
		}
		for _, f := range op.SecretFields {
			tokens := strings.Split(f, "/")[1:]
			if len(tokens) == 0 {
				continue // the whole body: not a field the table lists
			}
			for i, t := range tokens {
				tokens[i] = pointerUnescaper.Replace(t)
			}
			ss.fields[op.ID] = append(ss.fields[op.ID], tokens)
			ss.any[strings.ToLower(tokens[len(tokens)-1])] = true
		}
	}
	return ss
}

func (ss *secretSet) redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for k, vs := range out {
		if ss.headers[http.CanonicalHeaderKey(k)] {
			for i := range vs {
				vs[i] = gen.Redacted
			}
		}
	}
	return out
}

// redactBody decodes body as a JSON object and redacts the secrets of the operation's request (opID
// "" for a body sent to no known route), and every property, at any depth, whose name is secret
// in some operation, compared without regard to case. It returns nil for a body that is not a
// JSON object.
func (ss *secretSet) redactBody(opID string, body []byte) map[string]any {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	for _, tokens := range ss.fields[opID] {
		redactPointer(m, tokens)
	}
	// A body may carry more than its operation declares: a secret of another operation, or one
	// under a name that differs in case (the validator refuses the request, but it is recorded).
	// Whatever name is secret anywhere is redacted wherever it appears.
	ss.redactNames(m)
	return m
}

// redactPointer replaces, in place, the value at the JSON pointer given as its unescaped tokens;
// "*" matches every element of an array.
func redactPointer(v any, tokens []string) {
	if len(tokens) == 0 {
		return
	}
	tok := tokens[0]
	switch v := v.(type) {
	case map[string]any:
		val, ok := v[tok]
		if !ok {
			return
		}
		if len(tokens) == 1 {
			v[tok] = redacted(val)
			return
		}
		redactPointer(val, tokens[1:])
	case []any:
		if tok != "*" {
			return
		}
		for i, e := range v {
			if len(tokens) == 1 {
				v[i] = redacted(e)
				continue
			}
			redactPointer(e, tokens[1:])
		}
	}
}

func (ss *secretSet) redactNames(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if ss.any[strings.ToLower(k)] {
				v[k] = redacted(e)
				continue
			}
			ss.redactNames(e)
		}
	case []any:
		for _, e := range v {
			ss.redactNames(e)
		}
	}
}

// pointerUnescaper turns a JSON pointer token back into the property name it stands for.
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// redacted returns what a secret value is recorded as: strings (and strings in arrays) become
// gen.Redacted; empty strings stay empty, as in the SDK's own redaction.
func redacted(v any) any {
	switch v := v.(type) {
	case string:
		if v == "" {
			return v
		}
		return gen.Redacted
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = redacted(e)
		}
		return out
	case nil:
		return nil
	default:
		return gen.Redacted
	}
}
