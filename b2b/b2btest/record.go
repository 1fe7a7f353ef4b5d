package b2btest

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

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

// secretSet knows, from the spec, which headers and body fields hold secrets.
type secretSet struct {
	headers map[string]bool             // canonical header names
	bodies  map[string]*openapi3.Schema // request body schema by operationId
}

const extSecret = "x-stytch-secret"

func isSecret(ext map[string]any) bool {
	b, ok := ext[extSecret].(bool)
	return ok && b
}

func newSecretSet(doc *openapi3.T) *secretSet {
	ss := &secretSet{headers: map[string]bool{"Authorization": true}, bodies: map[string]*openapi3.Schema{}}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && isSecret(p.Value.Extensions) {
					ss.headers[http.CanonicalHeaderKey(p.Value.Name)] = true
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					ss.bodies[op.OperationID] = mt.Schema.Value
				}
			}
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

// redactBody decodes body as a JSON object and redacts the secrets the operation's request schema
// marks. It returns nil for a body that is not a JSON object.
func (ss *secretSet) redactBody(opID string, body []byte) map[string]any {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	if s := ss.bodies[opID]; s != nil {
		redactValue(s, m)
	}
	return m
}

// redactValue replaces, in place, every value under a property the schema marks secret.
func redactValue(s *openapi3.Schema, v any) {
	if s == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, sub := range s.AllOf {
			if sub != nil {
				redactValue(sub.Value, v)
			}
		}
		for name, ref := range s.Properties {
			val, ok := v[name]
			if !ok || ref == nil || ref.Value == nil {
				continue
			}
			if isSecret(ref.Value.Extensions) {
				v[name] = redacted(val)
				continue
			}
			redactValue(ref.Value, val)
		}
	case []any:
		if s.Items != nil {
			for _, e := range v {
				redactValue(s.Items.Value, e)
			}
		}
	}
}

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
