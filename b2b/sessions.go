package b2b

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b/internal/sessionjwt"
)

// SessionsClient checks and revokes Member sessions, locally (AuthenticateJWT) or with Stytch.
type SessionsClient struct {
	x         *executor
	projectID string
	jwt       *sessionjwt.Verifier
}

// Authenticate checks a Member session, given exactly one of SessionToken and SessionJWT, and
// returns it with its Member and Organization. With SessionDurationMinutes the session is
// extended; without, it is not. A session JWT whose own expiry passed is still accepted while
// the session lives, and the answer carries a fresh one. With AuthorizationCheck, Stytch also
// checks that the session's roles allow the action on the resource in that organization, and
// answers 403 when they do not (Verdict says which roles allowed it). It changes nothing a
// repeat would undo, so it is retried like a read.
//
// API: POST /v1/b2b/sessions/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/sessions/authenticate-session
func (c *SessionsClient) Authenticate(ctx context.Context, params *SessionsAuthenticateParams, opts ...CallOption) (*SessionsAuthenticateResponse, error) {
	return call[SessionsAuthenticateResponse](ctx, c.x, params, opts)
}

// Revoke ends sessions at once: the one named by MemberSessionID, SessionToken or SessionJWT,
// or every session of the member named by MemberID (exactly one of them). Pass
// WithMemberSession or WithMemberSessionJWT to run it with a member's permissions. Revoking
// again leaves the same state, so it is retried like a read; a repeat may answer that the session
// is not found.
//
// API: POST /v1/b2b/sessions/revoke
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/sessions/revoke-session
func (c *SessionsClient) Revoke(ctx context.Context, params *SessionsRevokeParams, opts ...CallOption) (*SessionsRevokeResponse, error) {
	return call[SessionsRevokeResponse](ctx, c.x, params, opts)
}

// GetJWKS returns the public keys that sign the project's session JWTs. AuthenticateJWT fetches
// and caches them itself; call this to verify JWTs with other code.
//
// API: GET /v1/b2b/sessions/jwks/{project_id}
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/sessions/get-jwks
func (c *SessionsClient) GetJWKS(ctx context.Context, params *SessionsGetJWKSParams, opts ...CallOption) (*SessionsGetJWKSResponse, error) {
	return call[SessionsGetJWKSResponse](ctx, c.x, params, opts)
}

// JWTSession is a session whose JWT AuthenticateJWT accepted.
type JWTSession struct {
	// MemberSession is the session: read from the JWT's claims when it was verified locally
	// (its custom claims are the JWT's, so CustomClaims works on it), or Stytch's answer when it
	// was checked remotely.
	MemberSession MemberSession
	// SessionJWT is the JWT that was verified, or the fresh one Stytch answered with when it was
	// checked remotely. It is a credential: it is redacted when a JWTSession is printed.
	SessionJWT string
	// IssuedAt and ExpiresAt are the JWT's own times (about five minutes apart, whatever the
	// session's lifetime); zero when it was checked remotely.
	IssuedAt, ExpiresAt time.Time
	// Remote is Stytch's answer when the JWT was checked remotely (its Member and Organization
	// included), nil when it was verified locally.
	Remote *SessionsAuthenticateResponse
}

// Format prints s with its session JWT redacted, for every verb and flag.
func (s JWTSession) Format(f fmt.State, verb rune) {
	type plain JWTSession // no methods: no recursion
	c := plain(s)
	if c.SessionJWT != "" {
		c.SessionJWT = Redacted
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), c)
}

// Redacted is the text that replaces a secret when a value is printed or logged.
const Redacted = "[redacted]"

// JWTOption adjusts one AuthenticateJWT call.
type JWTOption struct {
	apply func(*jwtConfig) error
}

type jwtConfig struct {
	maxAge     time.Duration
	remote     bool
	remoteOpts []CallOption
}

// WithMaxTokenAge makes AuthenticateJWT check a JWT issued longer than d ago with Stytch
// (Sessions.Authenticate) instead of locally, whether or not its own expiry has passed too, so
// that a session revoked since the JWT was issued is refused at most d later. Without it a JWT
// is trusted until its own expiry (about five minutes after issue). d must be positive.
func WithMaxTokenAge(d time.Duration) JWTOption {
	return JWTOption{func(c *jwtConfig) error {
		if d <= 0 {
			return fmt.Errorf("WithMaxTokenAge: %v is not a positive duration", d)
		}
		c.maxAge = d
		return nil
	}}
}

// WithRemoteFallback makes AuthenticateJWT ask Stytch (Sessions.Authenticate, with opts) when the
// JWT fails locally for a reason Stytch may still accept: it expired (the session may live on, and
// Stytch answers with a fresh JWT), its key is unknown or the keys cannot be fetched, the clocks
// disagree, or a claim has a form this SDK does not know. Failures that no answer of Stytch can
// change (a bad signature, a malformed token, another project's audience or issuer) are returned
// as they are, without a call. A JWT older than WithMaxTokenAge is checked remotely either way.
func WithRemoteFallback(opts ...CallOption) JWTOption {
	return JWTOption{func(c *jwtConfig) error {
		c.remote = true
		c.remoteOpts = opts
		return nil
	}}
}

// AuthenticateJWT verifies a session JWT locally, without calling Stytch: its RS256 signature
// with the project's keys (fetched on first use, then cached and refreshed when a JWT names an
// unknown key, at most once every 30 s), its issuer (stytch.com/<project ID> or the client's base
// URL), its audience (the project ID), its expiry and not-before times (within the leeway of
// WithJWTLeeway). It returns the session the JWT describes. Verifying takes no network call once
// the keys are cached.
//
// A local failure is a *JWTError whose Reason says why (test it with errors.Is, for example
// errors.Is(err, JWTExpired)). With WithMaxTokenAge, an older JWT is checked with Stytch
// instead; with WithRemoteFallback, so is one that failed locally for a reason Stytch may still
// accept. A remote check returns what Sessions.Authenticate returns: a *Error such as 404
// session_not_found for a revoked session.
func (c *SessionsClient) AuthenticateJWT(ctx context.Context, sessionJWT string, opts ...JWTOption) (*JWTSession, error) {
	const op = "sessionsAuthenticateJWT"
	if ctx == nil {
		return nil, &ValidationError{Operation: op, Field: "ctx", Rule: "non_nil", Message: "must not be nil (use context.Background())"}
	}
	if sessionJWT == "" {
		return nil, &ValidationError{Operation: op, Field: "session_jwt", Rule: "required", Message: "is required and must not be empty"}
	}
	var cfg jwtConfig
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&cfg); err != nil {
			return nil, &ValidationError{Operation: op, Field: "options", Rule: "option", Message: err.Error()}
		}
	}
	claims, err := c.jwt.Verify(ctx, sessionJWT, cfg.maxAge)
	if err == nil {
		s, serr := sessionFromClaims(claims)
		if serr == nil {
			return &JWTSession{MemberSession: s, SessionJWT: sessionJWT, IssuedAt: claims.IssuedAt, ExpiresAt: claims.ExpiresAt}, nil
		}
		err = serr // a claim this SDK cannot type: the same decision as any other local failure
	}
	var le *sessionjwt.Error
	if !errors.As(err, &le) {
		return nil, fmt.Errorf("%s%s: %w", errPrefix, op, err)
	}
	jerr := newJWTError(le)
	remote := le.Reason == sessionjwt.ReasonTooOld || (cfg.remote && le.Reason.RemoteMayAccept())
	if !remote || ctx.Err() != nil {
		return nil, jerr
	}
	resp, rerr := c.Authenticate(ctx, &SessionsAuthenticateParams{SessionJWT: &sessionJWT}, cfg.remoteOpts...)
	if rerr != nil {
		return nil, rerr
	}
	return &JWTSession{MemberSession: resp.MemberSession, SessionJWT: resp.SessionJWT, Remote: resp}, nil
}

// sessionFromClaims builds the MemberSession a verified JWT describes. Its error is a
// *sessionjwt.Error with ReasonInvalidClaim, for AuthenticateJWT to treat like Verify's.
func sessionFromClaims(c *sessionjwt.Claims) (MemberSession, error) {
	s := MemberSession{
		MemberSessionID:  c.Session.ID,
		MemberID:         c.MemberID,
		StartedAt:        c.Session.StartedAt,
		LastAccessedAt:   c.Session.LastAccessedAt,
		ExpiresAt:        c.Session.ExpiresAt,
		OrganizationID:   c.Organization.ID,
		OrganizationSlug: c.Organization.Slug,
		Roles:            c.Session.Roles,
		CustomClaims:     c.Custom,
	}
	if s.Roles == nil {
		s.Roles = []string{}
	}
	s.AuthenticationFactors = []AuthenticationFactor{}
	if len(c.Session.AuthenticationFactors) > 0 {
		if err := decodeJSON(c.Session.AuthenticationFactors, &s.AuthenticationFactors); err != nil {
			return MemberSession{}, &sessionjwt.Error{Reason: sessionjwt.ReasonInvalidClaim, Field: sessionjwt.SessionClaimName + ".authentication_factors", Detail: "not a list of authentication factors"}
		}
	}
	return s, nil
}

// JWTReason says why a session JWT was refused locally. A JWTReason is itself an error, so that
// errors.Is(err, JWTExpired) reports whether err is a *JWTError with that reason.
type JWTReason string

// The reasons a local JWT verification fails for.
const (
	// JWTMalformed: not a compact JWS, a header or payload that is not a JSON object, a header
	// without "kid", or a token over the size cap.
	JWTMalformed = JWTReason(sessionjwt.ReasonMalformed)
	// JWTUnsupportedAlgorithm: "alg" is not RS256 ("none", HS256, ...), or the key is published
	// for another algorithm.
	JWTUnsupportedAlgorithm = JWTReason(sessionjwt.ReasonUnsupportedAlgorithm)
	// JWTBadSignature: the signature does not verify with the key the "kid" names.
	JWTBadSignature = JWTReason(sessionjwt.ReasonBadSignature)
	// JWTNoKey: the project's keys have none with the token's "kid" (refetching is rate limited).
	JWTNoKey = JWTReason(sessionjwt.ReasonNoKey)
	// JWTKeysUnavailable: the project's keys could not be fetched (Err says why) and none were
	// cached.
	JWTKeysUnavailable = JWTReason(sessionjwt.ReasonJWKSUnreachable)
	// JWTWrongIssuer: "iss" is neither stytch.com/<project ID> nor the client's base URL.
	JWTWrongIssuer = JWTReason(sessionjwt.ReasonWrongIssuer)
	// JWTWrongAudience: "aud" does not name the client's project.
	JWTWrongAudience = JWTReason(sessionjwt.ReasonWrongAudience)
	// JWTExpired: the JWT's "exp" passed (beyond the leeway), and it is not older than
	// WithMaxTokenAge.
	JWTExpired = JWTReason(sessionjwt.ReasonExpired)
	// JWTNotYetValid: "nbf" or "iat" is in the future (beyond the leeway).
	JWTNotYetValid = JWTReason(sessionjwt.ReasonNotYetValid)
	// JWTTooOld: older than WithMaxTokenAge, expired or not (AuthenticateJWT then checks it
	// remotely).
	JWTTooOld = JWTReason(sessionjwt.ReasonTooOld)
	// JWTMissingClaim: a claim the verification needs is absent.
	JWTMissingClaim = JWTReason(sessionjwt.ReasonMissingClaim)
	// JWTInvalidClaim: a claim has the wrong type or format.
	JWTInvalidClaim = JWTReason(sessionjwt.ReasonInvalidClaim)
)

// Error returns the reason as a short message.
func (r JWTReason) Error() string { return "session JWT " + string(r) }

// JWTError is returned by AuthenticateJWT when a session JWT fails local verification. Its message
// never contains the token.
type JWTError struct {
	Reason JWTReason // why the JWT was refused
	Field  string    // the header parameter or claim at fault, when there is one
	Detail string    // more explanation, when there is some
	Err    error     // the cause, such as the key fetch's error
}

func newJWTError(e *sessionjwt.Error) *JWTError {
	return &JWTError{Reason: JWTReason(e.Reason), Field: e.Field, Detail: e.Detail, Err: e.Err}
}

// Error returns one line: the reason, the field, the detail and the cause.
func (e *JWTError) Error() string {
	msg := errPrefix + "sessionsAuthenticateJWT: " + e.Reason.Error()
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is e's Reason.
func (e *JWTError) Is(target error) bool {
	r, ok := target.(JWTReason)
	return ok && r == e.Reason
}

// Unwrap returns the cause.
func (e *JWTError) Unwrap() error { return e.Err }

// maxJWKSBytes caps the key set document.
const maxJWKSBytes = 1 << 20

// jwksFetcher fetches the project's key set through the client's own executor: its transport,
// deadline and retries (the operation only reads). The body is held to maxJWKSBytes, not to the
// client's WithMaxResponseBytes: that cap is for the typed answers, and a key set cut short by it
// would only fail as a broken document.
func jwksFetcher(x *executor, projectID string) sessionjwt.FetchFunc {
	const op = "sessionsGetJWKS"
	return func(ctx context.Context) ([]byte, error) {
		var resp *http.Response
		if err := x.run(ctx, &SessionsGetJWKSParams{ProjectID: projectID}, nil, nil, &resp); err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }() // the body is read (or given up on) before this runs
		// A raw answer's body reads through the client's cap; the key set is read past it, from
		// the body underneath (closing resp.Body still closes both and ends the deadline).
		body := io.Reader(resp.Body)
		if rb, ok := resp.Body.(*rawBody); ok {
			body = rb.ReadCloser
		}
		if resp.StatusCode != http.StatusOK {
			// The same *Error a typed call returns: status, error type and request ID, scrubbed
			// of the credentials (the key set call carries no other secret).
			buf := getBuffer()
			n, rerr := buf.readFrom(body, errorBodyCap, resp.ContentLength)
			finishBody(resp, n, rerr != nil || n < errorBodyCap)
			e := newError((&SessionsGetJWKSParams{}).Operation(), resp, buf.b, rerr, 1)
			putBuffer(buf)
			newScrubber(x.secret()).apply(e)
			e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			return nil, e
		}
		data, err := io.ReadAll(io.LimitReader(body, maxJWKSBytes+1))
		if err != nil {
			return nil, fmt.Errorf("%s%s: reading the key set: %w", errPrefix, op, err)
		}
		if len(data) > maxJWKSBytes {
			return nil, fmt.Errorf("%s%s: %w: the key set is larger than %d bytes", errPrefix, op, ErrResponseTooLarge, maxJWKSBytes)
		}
		return data, nil
	}
}
