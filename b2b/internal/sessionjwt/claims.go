package sessionjwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The names of Stytch's own claims, and the prefix every claim Stytch reserves starts with.
const (
	SessionClaimName      = "https://stytch.com/session"
	OrganizationClaimName = "https://stytch.com/organization"
	stytchClaimPrefix     = "https://stytch.com/"
)

// Claims is what a verified session JWT says.
type Claims struct {
	// MemberID is "sub", the Member the session belongs to.
	MemberID string
	// Issuer is "iss", one of the accepted issuers.
	Issuer string
	// Audience is "aud" as a list (a single string becomes a list of one).
	Audience []string
	// ExpiresAt is "exp", when the JWT itself stops being valid (about 5 minutes after it was
	// issued, whatever the session's own lifetime).
	ExpiresAt time.Time
	// NotBefore is "nbf"; zero when the token has none.
	NotBefore time.Time
	// IssuedAt is "iat"; zero when the token has none.
	IssuedAt time.Time
	// Session is the session claim (https://stytch.com/session).
	Session Session
	// Organization is the organization claim (https://stytch.com/organization).
	Organization Organization
	// Custom holds the session's custom claims: every top-level claim except the registered ones
	// (iss, sub, aud, exp, nbf, iat, jti) and those whose name starts with https://stytch.com/.
	// Values are decoded as by encoding/json into an any (numbers are float64, null is a nil
	// entry). It is never nil, only empty.
	Custom map[string]any
}

// Session is the session claim of a session JWT.
type Session struct {
	// ID is the member session ID.
	ID string
	// StartedAt is when the session began.
	StartedAt time.Time
	// LastAccessedAt is when the session was last used.
	LastAccessedAt time.Time
	// ExpiresAt is when the session ends unless extended: the claim's expires_at, or the JWT's
	// "exp" when that is empty or absent.
	ExpiresAt time.Time
	// AuthenticationFactors is the claim's authentication_factors array as sent (each element an
	// AuthenticationFactor object of the API); nil when absent or null.
	AuthenticationFactors json.RawMessage
	// Roles are the Member's role IDs in this session.
	Roles []string
	// Attributes are the session's request attributes.
	Attributes SessionAttributes
}

// SessionAttributes are the attributes of the session claim.
type SessionAttributes struct {
	// IPAddress is the client's IP address as Stytch saw it, when known.
	IPAddress string
	// UserAgent is the client's user agent, when known.
	UserAgent string
}

// Organization is the organization claim of a session JWT.
type Organization struct {
	// ID is the organization ID.
	ID string
	// Slug is the organization's slug.
	Slug string
}

// payload is the JSON form of the claims. NumericDates are float64 (RFC 7519 allows fractions);
// aud and jti are raw values, checked by hand.
type payload struct {
	Iss          string             `json:"iss"`
	Sub          string             `json:"sub"`
	Aud          jsontext.Value     `json:"aud"`
	Exp          *float64           `json:"exp"`
	Nbf          *float64           `json:"nbf"`
	Iat          *float64           `json:"iat"`
	Jti          jsontext.Value     `json:"jti"` // reserved: kept out of the custom claims
	Session      *sessionPayload    `json:"https://stytch.com/session"`
	Organization *organizationClaim `json:"https://stytch.com/organization"`
	Other        map[string]any     `json:",embed"`
}

type sessionPayload struct {
	ID                    string         `json:"id"`
	StartedAt             string         `json:"started_at"`
	LastAccessedAt        string         `json:"last_accessed_at"`
	ExpiresAt             string         `json:"expires_at"`
	AuthenticationFactors jsontext.Value `json:"authentication_factors"`
	Roles                 []string       `json:"roles"`
	Attributes            *struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"attributes"`
}

type organizationClaim struct {
	OrganizationID string `json:"organization_id"`
	Slug           string `json:"slug"`
}

// decodePayload decodes the verified payload once. A member name that appears twice is refused
// (two readers that disagree on which one counts is how claim smuggling starts), and a claim of
// the wrong JSON type is reported by name.
func decodePayload(data []byte) (*payload, error) {
	var p payload
	err := jsonv2.Unmarshal(data, &p)
	if err == nil {
		return &p, nil
	}
	var se *jsonv2.SemanticError
	if errors.As(err, &se) && se.JSONPointer != "" {
		return nil, newError(ReasonInvalidClaim, claimName(se.JSONPointer), "wrong JSON type", nil)
	}
	return nil, newError(ReasonMalformed, "", "the payload is not a JSON object with unique member names", nil)
}

// claimName turns a JSON pointer into the claim it points into: "exp", or for Stytch's claims
// "https://stytch.com/session.started_at".
func claimName(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
		if len(parts) == 2 || !strings.HasPrefix(parts[0], stytchClaimPrefix) {
			break
		}
	}
	return strings.Join(parts, ".")
}

// maxNumericDate is 9999-12-31T23:59:59Z: later dates, like negative ones, are not real.
const maxNumericDate = 253402300799

func numericDate(name string, v *float64) (time.Time, error) {
	if v == nil {
		return time.Time{}, nil
	}
	f := *v
	if math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, newError(ReasonInvalidClaim, name, "NumericDate out of range", nil)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// checkClaims applies the claim rules Verify documents and builds the Claims.
func (v *Verifier) checkClaims(p *payload, maxAge time.Duration) (*Claims, error) {
	c := &Claims{Issuer: p.Iss, MemberID: p.Sub}

	if p.Iss == "" {
		return nil, newError(ReasonMissingClaim, "iss", "", nil)
	}
	if !slices.Contains(v.issuers, p.Iss) {
		iss := p.Iss
		if len(iss) > 128 {
			iss = iss[:128] + "..."
		}
		return nil, newError(ReasonWrongIssuer, "iss", fmt.Sprintf("%q is not an accepted issuer", iss), nil)
	}

	aud, err := audience(p.Aud)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(aud, v.projectID) {
		return nil, newError(ReasonWrongAudience, "aud", "it does not contain the project ID", nil)
	}
	c.Audience = aud

	if p.Exp == nil {
		return nil, newError(ReasonMissingClaim, "exp", "", nil)
	}
	if c.ExpiresAt, err = numericDate("exp", p.Exp); err != nil {
		return nil, err
	}
	if c.NotBefore, err = numericDate("nbf", p.Nbf); err != nil {
		return nil, err
	}
	if c.IssuedAt, err = numericDate("iat", p.Iat); err != nil {
		return nil, err
	}
	if err := v.checkTimes(c, p.Iat != nil, maxAge); err != nil {
		return nil, err
	}

	if p.Sub == "" {
		return nil, newError(ReasonMissingClaim, "sub", "", nil)
	}
	if c.Session, err = session(p.Session, c.ExpiresAt); err != nil {
		return nil, err
	}
	if p.Organization == nil {
		return nil, newError(ReasonMissingClaim, OrganizationClaimName, "", nil)
	}
	if p.Organization.OrganizationID == "" {
		return nil, newError(ReasonMissingClaim, OrganizationClaimName+".organization_id", "", nil)
	}
	c.Organization = Organization{ID: p.Organization.OrganizationID, Slug: p.Organization.Slug}

	c.Custom = make(map[string]any, len(p.Other))
	for name, value := range p.Other {
		if !strings.HasPrefix(name, stytchClaimPrefix) {
			c.Custom[name] = value
		}
	}
	return c, nil
}

// checkTimes checks exp, nbf, iat and the maximum age against the clock, with the leeway.
// A token is expired from the instant exp on (RFC 7519 section 4.1.4: the current time must be
// before it), and not yet valid before nbf. An expired token that is also older than the maximum
// age is reported as too old: whoever set the age wants such tokens checked with the API, and an
// expired JWT says nothing about whether its session still lives.
func (v *Verifier) checkTimes(c *Claims, hasIat bool, maxAge time.Duration) error {
	now := v.now()
	tooOld := maxAge > 0 && hasIat && now.Sub(c.IssuedAt) > maxAge+v.leeway
	if !now.Before(c.ExpiresAt.Add(v.leeway)) {
		if tooOld {
			return tooOldError(maxAge)
		}
		return newError(ReasonExpired, "exp", "", nil)
	}
	if !c.NotBefore.IsZero() && now.Add(v.leeway).Before(c.NotBefore) {
		return newError(ReasonNotYetValid, "nbf", "", nil)
	}
	if hasIat && now.Add(v.leeway).Before(c.IssuedAt) {
		return newError(ReasonNotYetValid, "iat", "issued in the future", nil)
	}
	if maxAge > 0 {
		if !hasIat {
			return newError(ReasonMissingClaim, "iat", "a maximum token age needs it", nil)
		}
		if tooOld {
			return tooOldError(maxAge)
		}
	}
	return nil
}

func tooOldError(maxAge time.Duration) error {
	return newError(ReasonTooOld, "iat", fmt.Sprintf("issued more than %s ago", maxAge), nil)
}

// audience reads "aud", a string or an array of strings.
func audience(raw jsontext.Value) ([]string, error) {
	switch raw.Kind() {
	case 0, 'n':
		return nil, newError(ReasonMissingClaim, "aud", "", nil)
	case '"':
		var s string
		if err := jsonv2.Unmarshal(raw, &s); err != nil {
			return nil, newError(ReasonInvalidClaim, "aud", "not a string", nil)
		}
		return []string{s}, nil
	case '[':
		var list []string
		if err := jsonv2.Unmarshal(raw, &list); err != nil {
			return nil, newError(ReasonInvalidClaim, "aud", "not an array of strings", nil)
		}
		return list, nil
	}
	return nil, newError(ReasonInvalidClaim, "aud", "neither a string nor an array of strings", nil)
}

// session checks the session claim and converts it; exp stands in for an empty expires_at.
func session(p *sessionPayload, exp time.Time) (Session, error) {
	if p == nil {
		return Session{}, newError(ReasonMissingClaim, SessionClaimName, "", nil)
	}
	field := func(name string) string { return SessionClaimName + "." + name }
	if p.ID == "" {
		return Session{}, newError(ReasonMissingClaim, field("id"), "", nil)
	}
	s := Session{ID: p.ID, Roles: p.Roles, ExpiresAt: exp}
	for _, t := range []struct {
		name     string
		value    string
		out      *time.Time
		optional bool
	}{
		{"started_at", p.StartedAt, &s.StartedAt, false},
		{"last_accessed_at", p.LastAccessedAt, &s.LastAccessedAt, false},
		{"expires_at", p.ExpiresAt, &s.ExpiresAt, true},
	} {
		if t.value == "" {
			if t.optional {
				continue
			}
			return Session{}, newError(ReasonMissingClaim, field(t.name), "", nil)
		}
		parsed, err := time.Parse(time.RFC3339, t.value)
		if err != nil {
			return Session{}, newError(ReasonInvalidClaim, field(t.name), "not an RFC 3339 time", nil)
		}
		*t.out = parsed
	}
	switch p.AuthenticationFactors.Kind() {
	case 0, 'n':
	case '[':
		s.AuthenticationFactors = json.RawMessage(p.AuthenticationFactors)
	default:
		return Session{}, newError(ReasonInvalidClaim, field("authentication_factors"), "not an array", nil)
	}
	if p.Attributes != nil {
		s.Attributes = SessionAttributes{IPAddress: p.Attributes.IPAddress, UserAgent: p.Attributes.UserAgent}
	}
	return s, nil
}
