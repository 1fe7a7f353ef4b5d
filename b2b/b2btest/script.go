package b2btest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Operation identifies one API operation, as the spec declares it. Use the handles of
// operations.gen.go (MagicLinksAuthenticate, ...) with On, RequestsFor and Token.
type Operation = gen.Operation

// OperationByID returns the operation whose spec operationId is id ("magicLinksAuthenticate").
func OperationByID(id string) (Operation, bool) {
	for _, op := range gen.Operations {
		if op.ID == id {
			return op, true
		}
	}
	return Operation{}, false
}

// mfaOperations are the operations whose answer can say that MFA is still required.
var mfaOperations = map[string]bool{
	MagicLinksAuthenticate.ID: true,
	OAuthAuthenticate.ID:      true,
	PasswordsSessionsReset.ID: true,
}

// outcome is one scripted answer.
type outcome struct {
	delay  time.Duration // wait before answering
	answer *cannedAnswer // answer this instead of running the operation
	mfa    bool          // run the operation, but answer that MFA is required
	drop   bool          // run the operation, then close the connection without answering
}

type cannedAnswer struct {
	status int
	err    *apiError // error body, or
	body   []byte    // any other body, encoded when it was scripted
}

// Script scripts the next answers of one operation. Get one from Server.On; it is a small value,
// so each call of On starts a new script. Scripted answers apply only to requests that pass
// validation (an invalid request always gets its 400), in the order they were scripted; when none
// is left, the operation answers normally.
type Script struct {
	s     *Server
	op    Operation
	times int
}

// On starts a script for the next call of op, for example
//
//	srv.On(b2btest.MagicLinksAuthenticate).Fail(404, "magic_link_not_found")
//	srv.On(b2btest.RecoveryCodesGet).Times(2).RateLimit(0)
//
// It panics if op is not an operation of the spec.
func (s *Server) On(op Operation) Script {
	known, ok := OperationByID(op.ID)
	if !ok {
		panic(fmt.Sprintf("b2btest: On: unknown operation %q", op.ID))
	}
	return Script{s: s, op: known, times: 1}
}

// Times makes the scripted answer apply to the next n calls instead of the next one. It panics if
// n is less than 1.
func (sc Script) Times(n int) Script {
	if n < 1 {
		panic(fmt.Sprintf("b2btest: Times(%d): n must be at least 1", n))
	}
	sc.times = n
	return sc
}

func (sc Script) add(o outcome) {
	sc.s.mu.Lock()
	defer sc.s.mu.Unlock()
	for range sc.times {
		oc := o
		sc.s.scripts[sc.op.ID] = append(sc.s.scripts[sc.op.ID], &oc)
	}
}

// Fail makes the call fail with the HTTP status and Stytch error type given, such as
// Fail(404, b2b.ErrorTypeMagicLinkNotFound) or Fail(503, "internal_server_error"), without running the
// operation (nothing is consumed). The body is a Stytch error with a message for the type. It
// panics if status is not a 4xx or 5xx status, or errorType is empty.
func (sc Script) Fail(status int, errorType gen.ErrorType) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("b2btest: On(%s).Fail(%d, %q): status must be 4xx or 5xx", sc.op.Name, status, errorType))
	}
	if errorType == "" {
		panic(fmt.Sprintf("b2btest: On(%s).Fail(%d, \"\"): the error type must not be empty", sc.op.Name, status))
	}
	sc.add(outcome{answer: &cannedAnswer{status: status, err: &apiError{status: status, errorType: string(errorType), message: messageFor(string(errorType))}}})
}

// RateLimit makes the call fail with 429 too_many_requests and a Retry-After header of
// retryAfter, rounded up to whole seconds as HTTP requires (RateLimit(0) sends "Retry-After: 0").
// The operation is not run.
func (sc Script) RateLimit(retryAfter time.Duration) {
	secs := int64(math.Ceil(max(retryAfter, 0).Seconds()))
	e := &apiError{status: http.StatusTooManyRequests, errorType: "too_many_requests", message: messageFor("too_many_requests"),
		header: http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}}
	sc.add(outcome{answer: &cannedAnswer{status: http.StatusTooManyRequests, err: e}})
}

// Delay makes the fake wait d before it runs the operation and answers normally. The wait ends
// early, with no answer, when the client gives up (its context ends) or the server is closed, so
// a test never hangs on it.
func (sc Script) Delay(d time.Duration) {
	sc.add(outcome{delay: d})
}

// MFARequired makes the call run (a token is consumed, the member becomes active) but answer as
// for an organization that requires MFA: member_authenticated false, an intermediate_session_token
// (valid 10 minutes), no member session, empty session_token and session_jwt, and mfa_required
// listing the member's MFA options. It panics for an operation whose answer cannot say that
// (MagicLinksAuthenticate, OAuthAuthenticate and PasswordsSessionsReset can).
func (sc Script) MFARequired() {
	if !mfaOperations[sc.op.ID] {
		panic(fmt.Sprintf("b2btest: MFARequired: %s never answers that MFA is required", sc.op.ID))
	}
	sc.add(outcome{mfa: true})
}

// DropConnection makes the fake read the request, run the operation (a token is consumed, a code
// is spent) and then close the connection without answering: the client cannot know whether the
// call took effect. This is the case b2b.ErrOutcomeUnknown reports.
func (sc Script) DropConnection() {
	sc.add(outcome{drop: true})
}

// RespondJSON makes the call answer status with body encoded as JSON, without running the
// operation. Use it for answers the fake would never give, such as a body with a field the spec
// does not know (to test drift detection) or a Stytch error with details. A json.RawMessage or
// []byte body is sent as it is.
//
// It panics, naming the call, when the answer cannot be sent: a status outside 200-599, a status
// that cannot carry a body (204, 205, 304), or a body encoding/json cannot encode. body is encoded
// at once, so later changes to it do not change the answer.
func (sc Script) RespondJSON(status int, body any) {
	call := fmt.Sprintf("b2btest: On(%s).RespondJSON(%d, %T)", sc.op.Name, status, body)
	switch {
	case status < 200 || status > 599:
		panic(fmt.Sprintf("%s: status must be 200-599 (a final HTTP answer)", call))
	case status == http.StatusNoContent || status == http.StatusResetContent || status == http.StatusNotModified:
		panic(fmt.Sprintf("%s: a %d answer cannot carry a body", call, status))
	}
	var b []byte
	switch v := body.(type) {
	case json.RawMessage:
		b = slices.Clone(v)
	case []byte:
		b = slices.Clone(v)
	default:
		var err error
		if b, err = json.Marshal(body); err != nil {
			panic(fmt.Sprintf("%s: the body cannot be encoded: %v", call, err))
		}
	}
	sc.add(outcome{answer: &cannedAnswer{status: status, body: b}})
}

// nextOutcome pops the next scripted outcome of the operation, or returns nil.
func (s *Server) nextOutcome(opID string) *outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.scripts[opID]
	if len(q) == 0 {
		return nil
	}
	s.scripts[opID] = q[1:]
	return q[0]
}

// Pending returns how many scripted answers of op have not been used yet.
func (s *Server) Pending(op Operation) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.scripts[op.ID])
}

// messages are the error messages of the error types the fake knows; others get a generic one.
//
//nolint:gosec // G101: keys are error types such as "oauth_token_not_found", values their messages
var messages = map[string]string{
	"magic_link_not_found":                "The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user.",
	"oauth_token_not_found":               "The OAuth token could not be found: it was already used or has expired. Start the OAuth flow again.",
	"impersonation_token_not_found":       "The impersonation token could not be found: it was already used or has expired. Create a new one in the Dashboard.",
	"recovery_code_not_found":             "The recovery code is not valid for this member, or it was already used.",
	"session_not_found":                   "Session could not be found.",
	"member_not_found":                    "Member could not be found.",
	"organization_not_found":              "Organization could not be found.",
	"unauthorized_credentials":            "Unauthorized credentials.",
	"too_many_requests":                   "Too many requests have been made. Wait before trying again.",
	"internal_server_error":               "Oops, something seems to have gone wrong. Try again later.",
	"member_already_active":               "The member is already active in this organization, so they cannot be invited.",
	"intermediate_session_not_found":      "The intermediate session token could not be found: it was already used or has expired.",
	"unable_to_auth_magic_link":           "The magic link could not be authenticated.",
	"session_authorization_tenancy_error": "The session belongs to another organization.",
}

func messageFor(errorType string) string {
	if m, ok := messages[errorType]; ok {
		return m
	}
	return errorType + " (answer scripted with b2btest)"
}
