package b2btest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// call is one validated request, ready to run.
type call struct {
	op         Operation
	body       []byte
	header     http.Header
	pathParams map[string]string
	mfa        bool         // scripted: answer that MFA is required
	projectID  string       // the project ID of the request's credentials
	pending    []pendingJWT // session JWTs to sign after the lock is released
}

// behavior is what the fake does for one operation: decode turns the request into the
// operation's params (outside the server's lock), run changes the state and builds the answer
// (under the lock). The answer is encoded after the lock is released, so run must not return
// memory that a later call writes into (see orgState).
type behavior struct {
	decode func(c *call) (any, *apiError)
	run    func(s *Server, c *call, params any) (any, *apiError)
}

// stateful makes the behavior of an operation whose params type is P.
func stateful[P any](fn func(*Server, *call, *P) (any, *apiError)) behavior {
	return behavior{
		decode: func(c *call) (any, *apiError) {
			p := new(P)
			if err := decodeParams(c, p); err != nil {
				return nil, err
			}
			return p, nil
		},
		run: func(s *Server, c *call, p any) (any, *apiError) { return fn(s, c, p.(*P)) },
	}
}

// behaviors holds the operations with stateful behavior, by operationId. Every other operation
// of the spec is answered with a valid example built from the spec (see fallbacks). The package
// documentation lists these operations; a test keeps the two in step.
var behaviors = map[string]behavior{
	ImpersonationAuthenticate.ID:       stateful((*Server).impersonationAuthenticate),
	MagicLinksAuthenticate.ID:          stateful((*Server).magicLinksAuthenticate),
	MagicLinksEmailLoginOrSignup.ID:    stateful((*Server).magicLinksEmailLoginOrSignup),
	MagicLinksEmailInvite.ID:           stateful((*Server).magicLinksEmailInvite),
	MagicLinksEmailDiscoverySend.ID:    stateful((*Server).magicLinksEmailDiscoverySend),
	MagicLinksDiscoveryAuthenticate.ID: stateful((*Server).magicLinksDiscoveryAuthenticate),
	OAuthAuthenticate.ID:               stateful((*Server).oauthAuthenticate),
	OAuthDiscoveryAuthenticate.ID:      stateful((*Server).oauthDiscoveryAuthenticate),
	PasswordsSessionsReset.ID:          stateful((*Server).passwordsSessionsReset),
	RecoveryCodesGet.ID:                stateful((*Server).recoveryCodesGet),
	RecoveryCodesRecover.ID:            stateful((*Server).recoveryCodesRecover),
	RecoveryCodesRotate.ID:             stateful((*Server).recoveryCodesRotate),
}

// statefulOperations returns the operationIds with stateful behavior, sorted.
func statefulOperations() []string {
	out := make([]string, 0, len(behaviors))
	for id := range behaviors {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// handle runs the operation and returns its encoded 200 body, or an error answer.
func (s *Server) handle(c *call) ([]byte, *apiError) {
	b, ok := behaviors[c.op.ID]
	if !ok || s.cfg.noBehavior[c.op.ID] {
		return s.spec.fallback.answer(c.op.ID)
	}
	if s.cfg.legacy {
		return s.handleLegacy(b, c)
	}
	p, err := b.decode(c)
	if err != nil {
		return nil, err
	}
	if err := s.checkMemberHeaders(c, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	resp, err := b.run(s, c, p)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	resp = withSignedJWTs(resp, s.completeJWTs(c))
	out, merr := s.spec.enc.encode(resp)
	if merr != nil {
		return nil, newAPIError(http.StatusInternalServerError, gen.ErrorTypeInternalServerError, "b2btest: cannot encode the answer: "+merr.Error())
	}
	return out, nil
}

// withSignedJWTs returns resp (an answer struct) with every top-level string field that holds a
// placeholder of pairs (placeholder, signed JWT, ...) set to its signed JWT. Session JWTs are
// top-level fields (session_jwt) of every answer that carries one.
func withSignedJWTs(resp any, pairs []string) any {
	if len(pairs) == 0 {
		return resp
	}
	rv := reflect.ValueOf(resp)
	if rv.Kind() != reflect.Struct {
		return resp
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	for i := range cp.NumField() {
		f := cp.Field(i)
		if f.Kind() != reflect.String || !strings.HasSuffix(f.String(), jwtPlaceholder) {
			continue
		}
		for j := 0; j+1 < len(pairs); j += 2 {
			if f.String() == pairs[j] {
				f.SetString(pairs[j+1])
			}
		}
	}
	return cp.Interface()
}

// handleLegacy is how the fake answered before answers were encoded once, outside the lock:
// decoding, running and encoding under the lock, then encoding the result a second time. It is
// kept only as the baseline of BenchmarkFakeThroughput.
func (s *Server) handleLegacy(b behavior, c *call) ([]byte, *apiError) {
	s.mu.Lock()
	p, err := b.decode(c)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Unlock()
	if err := s.checkMemberHeaders(c, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	resp, err := b.run(s, c, p)
	s.mu.Unlock()
	resp = withSignedJWTs(resp, s.completeJWTs(c))
	s.mu.Lock()
	var raw json.RawMessage
	if err == nil {
		raw, _ = json.Marshal(resp)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out, _ := json.Marshal(raw)
	return out, nil
}

// decodeParams decodes the body (or, for an operation with path parameters, those parameters)
// into the operation's params type. The request was validated against the spec already; what
// still fails here is answered like a violation, naming the field.
func decodeParams(c *call, p any) *apiError {
	data := c.body
	if len(c.pathParams) > 0 {
		// An operation with path parameters has no body in the spec (a body sent anyway is not
		// part of the request): its params are the path's, by the spec's parameter names, which
		// are the generated path type's JSON names.
		for _, name := range slices.Sorted(maps.Keys(c.pathParams)) {
			if !utf8.ValidString(c.pathParams[name]) {
				return invalidField(name, "is not valid UTF-8 text once unescaped")
			}
		}
		var err error
		if data, err = json.Marshal(c.pathParams); err != nil {
			return invalidField("path", "cannot be read: "+err.Error())
		}
	}
	if len(data) == 0 {
		data = []byte("{}")
	}
	if err := json.Unmarshal(data, p); err != nil {
		// JSON Schema counts 60.0 and 6e1 as integers, as the validator did; Go's decoder does
		// not. Whole numbers are rewritten as integers and the body decoded again.
		norm, ok := integralNumbers(data)
		if !ok || json.Unmarshal(norm, p) != nil {
			return decodeFailure(err)
		}
		data = norm
	}
	return checkClaimsSize(data)
}

// invalidField is the 400 invalid_request a violation of field gets, with the violation listed in
// error_details as the validator's are.
func invalidField(field, reason string) *apiError {
	return &apiError{status: http.StatusBadRequest, errorType: "invalid_request",
		message: "The request does not match the API: " + field + " " + reason,
		details: map[string]any{"violations": []any{map[string]any{"field": field, "reason": reason}}}}
}

// decodeFailure names what encoding/json could not decode: the field of a type error, else the
// body (a second JSON value after the first, for one).
func decodeFailure(err error) *apiError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return invalidField(te.Field, "has a value of the wrong type ("+te.Value+")")
	}
	return invalidField("body", "cannot be read as one JSON object: "+err.Error())
}

// integralNumbers returns data with every number that is a whole number written as an integer
// (60.0 and 6e1 become 60), and whether data was a JSON value to rewrite.
func integralNumbers(data []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		case json.Number:
			if f, ok := new(big.Float).SetString(v.String()); ok && f.IsInt() {
				if i, acc := f.Int(nil); acc == big.Exact {
					return json.Number(i.String())
				}
			}
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	return out, err == nil
}

// maxClaimsBytes is the most JSON a session's custom claims may take, as the API documents.
const maxClaimsBytes = 4096

// checkClaimsSize refuses session_custom_claims whose JSON (compacted) is over maxClaimsBytes:
// 400 invalid_request. It checks the claims a request sends, not their merge with a session's.
func checkClaimsSize(body []byte) *apiError {
	if !bytes.Contains(body, []byte(`"session_custom_claims"`)) {
		return nil
	}
	var p struct {
		Claims json.RawMessage `json:"session_custom_claims"`
	}
	var compact bytes.Buffer
	if json.Unmarshal(body, &p) != nil || json.Compact(&compact, p.Claims) != nil || compact.Len() <= maxClaimsBytes {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, errorType: "invalid_request",
		message: fmt.Sprintf("session_custom_claims take %d bytes of JSON; the API allows at most %d.", compact.Len(), maxClaimsBytes)}
}

// fallbacks answers the operations the fake has no behavior for: a Full example of the spec's 200
// response (every property set, see package specwalk) with a fresh request_id. Such an answer is
// valid for the spec but remembers nothing.
type fallbacks struct {
	v    *contract.Validator
	mu   sync.Mutex
	tree map[string]map[string]any
}

func newFallbacks(v *contract.Validator) *fallbacks {
	return &fallbacks{v: v, tree: map[string]map[string]any{}}
}

func (f *fallbacks) answer(opID string) ([]byte, *apiError) {
	f.mu.Lock()
	tree, ok := f.tree[opID]
	if !ok {
		e, found := f.v.Routes().ByID(opID)
		if found {
			if schema := specwalk.ResponseBody(e.Operation, http.StatusOK); schema != nil {
				tree, _ = specwalk.Example(schema, specwalk.Full, "b2btest").(map[string]any)
			}
		}
		f.tree[opID] = tree
	}
	f.mu.Unlock()
	if tree == nil {
		return []byte(`{}`), nil
	}
	top := make(map[string]any, len(tree))
	for k, v := range tree {
		top[k] = v
	}
	if _, has := top["request_id"]; has {
		top["request_id"] = newRequestID()
	}
	if _, has := top["status_code"]; has {
		top["status_code"] = http.StatusOK
	}
	b, err := json.Marshal(top)
	if err != nil {
		return nil, newAPIError(http.StatusInternalServerError, gen.ErrorTypeInternalServerError, "b2btest: "+err.Error())
	}
	return b, nil
}

// The header parameters that carry a member session: a call sent with one runs with that
// member's permissions.
var memberSessionHeaders = []string{http.CanonicalHeaderKey("X-Stytch-Member-Session"), http.CanonicalHeaderKey("X-Stytch-Member-SessionJWT")}

// checkMemberHeaders refuses member-session headers that do not name a live session the fake
// issued for a member of the organization the request is about (its organization_id, when the
// params have one): 404 session_not_found for a session the fake does not know (or that was
// revoked or expired), 403 session_authorization_tenancy_error for a session of another
// organization.
func (s *Server) checkMemberHeaders(c *call, params any) *apiError {
	var creds []string
	for _, h := range c.op.Headers {
		name := http.CanonicalHeaderKey(h.Name)
		if !slices.Contains(memberSessionHeaders, name) {
			continue
		}
		if v := c.header.Get(name); v != "" {
			creds = append(creds, v)
		}
	}
	if len(creds) == 0 {
		return nil
	}
	orgID := ""
	if v := reflect.ValueOf(params); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("OrganizationID"); f.IsValid() && f.Kind() == reflect.String {
			orgID = f.String()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cred := range creds {
		sess, _ := s.st.liveSession(cred)
		if sess == nil {
			return newAPIError(http.StatusNotFound, gen.ErrorTypeSessionNotFound,
				"The member session in the X-Stytch-Member-Session header could not be found: it was never issued, was revoked or has expired.")
		}
		if orgID != "" {
			o, err := s.st.org(orgID)
			if err != nil {
				return err
			}
			if o.org.OrganizationID != sess.orgID {
				return newAPIError(http.StatusForbidden, gen.ErrorTypeSessionAuthorizationTenancyError,
					"The member session in the X-Stytch-Member-Session header belongs to another organization than organization_id.")
			}
		}
	}
	return nil
}
