package sessionjwt

import (
	"strings"
)

// Reason says why a session JWT was refused. A Reason is itself an error, so that
//
//	errors.Is(err, sessionjwt.ReasonExpired)
//
// reports whether err (or any error it wraps) is an *Error with that reason.
type Reason string

// The reasons a verification can fail for.
const (
	// ReasonMalformed: the token is not a compact JWS of three base64url parts, its header or
	// payload is not a JSON object (or has a member name twice), it is larger than the size cap,
	// or its header lacks "kid" or carries a "typ" other than JWT or a "crit" or "b64" extension.
	ReasonMalformed Reason = "malformed"
	// ReasonUnsupportedAlgorithm: the header's "alg" is not RS256 (for example "none" or HS256),
	// or the key the "kid" names is published for another algorithm.
	ReasonUnsupportedAlgorithm Reason = "unsupported_algorithm"
	// ReasonBadSignature: the RS256 signature does not verify with the key the "kid" names.
	ReasonBadSignature Reason = "bad_signature"
	// ReasonNoKey: the key set, fetched successfully, has no usable key with the token's "kid",
	// and the rate limit on refetches for unknown kids forbids asking again yet.
	ReasonNoKey Reason = "no_key"
	// ReasonJWKSUnreachable: the key set could not be fetched (Err holds the cause: the fetch
	// function's error, a deadline, an unusable document, or the caller's context ending) and no
	// key already cached could be used instead.
	ReasonJWKSUnreachable Reason = "jwks_unreachable"
	// ReasonWrongIssuer: "iss" is none of the accepted issuers.
	ReasonWrongIssuer Reason = "wrong_issuer"
	// ReasonWrongAudience: "aud" does not contain the project ID.
	ReasonWrongAudience Reason = "wrong_audience"
	// ReasonExpired: "exp", plus the leeway, is in the past (and the token is not older than a
	// maximum age asked for: such a token is ReasonTooOld).
	ReasonExpired Reason = "expired"
	// ReasonNotYetValid: "nbf" or "iat", minus the leeway, is in the future.
	ReasonNotYetValid Reason = "not_yet_valid"
	// ReasonTooOld: a maximum token age was asked for and the token was issued longer ago than
	// that (plus the leeway).
	ReasonTooOld Reason = "too_old"
	// ReasonMissingClaim: a claim the verification needs is absent (or null or empty): "iss",
	// "aud", "sub", "exp", "iat" when a maximum age is asked for, the session claim or one of its
	// fields id, started_at, last_accessed_at, the organization claim or its organization_id.
	ReasonMissingClaim Reason = "missing_claim"
	// ReasonInvalidClaim: a claim is present with the wrong JSON type or format (a string "exp",
	// a started_at that is not RFC 3339, a NumericDate out of range, ...).
	ReasonInvalidClaim Reason = "invalid_claim"
)

// Error returns the reason as a short message.
func (r Reason) Error() string { return "session JWT " + r.describe() }

func (r Reason) describe() string {
	switch r {
	case ReasonMalformed:
		return "is malformed"
	case ReasonUnsupportedAlgorithm:
		return "uses an unsupported algorithm"
	case ReasonBadSignature:
		return "has a bad signature"
	case ReasonNoKey:
		return "names a key the key set does not have"
	case ReasonJWKSUnreachable:
		return "cannot be checked: the key set (JWKS) is unreachable"
	case ReasonWrongIssuer:
		return "has the wrong issuer"
	case ReasonWrongAudience:
		return "has the wrong audience"
	case ReasonExpired:
		return "has expired"
	case ReasonNotYetValid:
		return "is not valid yet"
	case ReasonTooOld:
		return "is older than the maximum token age"
	case ReasonMissingClaim:
		return "lacks a required claim"
	case ReasonInvalidClaim:
		return "has an invalid claim"
	}
	return "is refused (" + string(r) + ")"
}

// RemoteMayAccept reports whether asking the API (sessions authenticate) about the token can
// still succeed after a local failure for this reason, that is whether a remote fallback is
// worth its round trip:
//
//   - yes for ReasonExpired (a session JWT lives 5 minutes; the API accepts it as long as the
//     session is alive and answers with a fresh one), ReasonTooOld (the point of a maximum
//     age), ReasonNotYetValid (clock skew between this machine and Stytch), ReasonNoKey and
//     ReasonJWKSUnreachable (a key rotation this cache has not seen yet, or a fetch problem),
//     and ReasonMissingClaim and ReasonInvalidClaim (these are only reported for tokens whose
//     signature verified, so Stytch signed them: a claim format this package does not know);
//   - no for ReasonMalformed, ReasonUnsupportedAlgorithm and ReasonBadSignature (the token is
//     not one Stytch issued; a remote call would only let forged tokens cost a request each),
//     and for ReasonWrongAudience and ReasonWrongIssuer (a token of another project, or an
//     issuer missing from the accepted list: a configuration error that a silent fallback
//     would hide).
func (r Reason) RemoteMayAccept() bool {
	switch r {
	case ReasonExpired, ReasonTooOld, ReasonNotYetValid, ReasonNoKey, ReasonJWKSUnreachable,
		ReasonMissingClaim, ReasonInvalidClaim:
		return true
	}
	return false
}

// Error is the error Verify returns for every refused token. Its message never contains the
// token, nor any part of it: at most the name of the claim or header parameter at fault, and for
// ReasonWrongIssuer the issuer the token names (only after its signature verified).
//
//	var e *sessionjwt.Error
//	if errors.As(err, &e) && e.Reason.RemoteMayAccept() { ... }
type Error struct {
	// Reason says why the token was refused.
	Reason Reason
	// Field names the header parameter ("alg", "kid", "typ") or claim ("exp", "aud",
	// "https://stytch.com/session.started_at") at fault, when there is one.
	Field string
	// Detail is a short explanation in words, when there is more to say than Reason and Field.
	Detail string
	// Err is the underlying cause, when there is one: a key set fetch error (the fetch
	// function's, a timeout, an unusable document) or the caller's context error. It is nil for
	// refusals of the token itself: the JOSE library's messages can quote header values, so they
	// are summarised in Detail instead.
	Err error
}

// Error returns one line: the reason, the field, the detail and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sessionjwt: ")
	b.WriteString(e.Reason.Error())
	if e.Field != "" {
		b.WriteString(" (")
		b.WriteString(e.Field)
		b.WriteString(")")
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, so that errors.Is(err, context.DeadlineExceeded) and the like work.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the Reason of e, which makes errors.Is(err, ReasonExpired) work.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

func newError(r Reason, field, detail string, cause error) *Error {
	return &Error{Reason: r, Field: field, Detail: detail, Err: cause}
}
