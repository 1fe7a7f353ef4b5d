package sessionjwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyReturnsTypedClaims(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	e.clock.Advance(30 * time.Second)

	c, err := e.verify(sign(t, k, claims(base), signOpts{}))
	require.NoError(t, err)

	assert.Equal(t, "member-test-5f1e8a2b", c.MemberID)
	assert.Equal(t, "stytch.com/"+testProject, c.Issuer)
	assert.Equal(t, []string{testProject}, c.Audience)
	assert.Equal(t, base, c.IssuedAt)
	assert.Equal(t, base, c.NotBefore)
	assert.Equal(t, base.Add(5*time.Minute), c.ExpiresAt)

	s := c.Session
	assert.Equal(t, "member-session-test-0d2c", s.ID)
	assert.Equal(t, time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), s.StartedAt)
	assert.Equal(t, time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC), s.LastAccessedAt)
	assert.Equal(t, time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC), s.ExpiresAt)
	assert.Equal(t, []string{"stytch_member", "editor"}, s.Roles)
	assert.Equal(t, SessionAttributes{IPAddress: "203.0.113.7", UserAgent: "test-agent"}, s.Attributes)
	var factors []map[string]any
	require.NoError(t, json.Unmarshal(s.AuthenticationFactors, &factors))
	require.Len(t, factors, 1)
	assert.Equal(t, "magic_link", factors[0]["type"])
	assert.Equal(t, "ada@example.com", factors[0]["email_factor"].(map[string]any)["email_address"])

	assert.Equal(t, Organization{ID: "organization-test-8b3e", Slug: "acme"}, c.Organization)

	// Registered claims (jti included) and every https://stytch.com/ claim are left out; a null
	// custom claim stays visible as a nil entry.
	assert.Equal(t, map[string]any{"plan": "pro", "seats": float64(12), "flags": []any{"a", nil}, "nothing": nil}, c.Custom)
	assert.Equal(t, 1, e.calls())
}

func TestVerifyCustomClaimsNeverNil(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	c, err := e.verify(sign(t, k, with(claims(base), "plan", nil, "seats", nil, "flags", nil, "nothing", nil), signOpts{}))
	require.NoError(t, err)
	assert.NotNil(t, c.Custom)
	assert.Empty(t, c.Custom)
}

func TestVerifySessionExpiresAtFallsBackToExp(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	for name, c := range map[string]map[string]any{
		"empty":  withSession(claims(base), "expires_at", ""),
		"absent": withSession(claims(base), "expires_at", nil),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := e.verify(sign(t, k, c, signOpts{}))
			require.NoError(t, err)
			assert.Equal(t, base.Add(5*time.Minute), got.Session.ExpiresAt)
		})
	}
}

func TestVerifyAcceptsBothIssuersAndBothAudienceForms(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	cases := map[string]map[string]any{
		"stytch issuer, aud array":       claims(base),
		"base URL issuer, aud array":     with(claims(base), "iss", testBaseURL),
		"aud string":                     with(claims(base), "aud", testProject),
		"aud array with other audiences": with(claims(base), "aud", []string{"other", testProject}),
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := e.verify(sign(t, k, c, signOpts{}))
			require.NoError(t, err)
			assert.Contains(t, got.Audience, testProject)
		})
	}
}

func TestVerifyWithoutTyp(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	_, err := e.verify(sign(t, k, claims(base), signOpts{typ: "-"}))
	require.NoError(t, err, "stytch-go accepts a token without typ, and so does this package")
}

// TestVerifyRefusals covers every reason a token built by Stytch's key (or a forger) is refused
// for, and checks the error's reason, field, and that it quotes no part of the token.
func TestVerifyRefusals(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	other := newTestKey(t, 1, "jwk-test-1") // same kid, another key: a forger's
	e := newEnv(t, jwks(t, k))
	good := sign(t, k, claims(base), signOpts{})
	goodParts := strings.Split(good, ".")

	pubDER, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	signed := func(c map[string]any) string { return sign(t, k, c, signOpts{}) }
	raw := func(payload string) string { return signRaw(t, k, []byte(payload), signOpts{}) }
	tooBig := with(claims(base), "big", strings.Repeat("x", maxTokenBytes))

	cases := []struct {
		name   string
		token  string
		maxAge time.Duration
		reason Reason
		field  string
	}{
		// Malformed structure and header.
		{"empty", "", 0, ReasonMalformed, ""},
		{"one part", "abcdefgh", 0, ReasonMalformed, ""},
		{"two parts", goodParts[0] + "." + goodParts[1], 0, ReasonMalformed, ""},
		{"four parts", good + ".AAAA", 0, ReasonMalformed, ""},
		{"bad base64", goodParts[0] + ".%%%." + goodParts[2], 0, ReasonMalformed, ""},
		{"header not JSON", unsigned("{not json", "{}", "AAAA"), 0, ReasonMalformed, ""},
		{"too large", sign(t, k, tooBig, signOpts{}), 0, ReasonMalformed, ""},
		{"no kid", sign(t, k, claims(base), signOpts{noKid: true}), 0, ReasonMalformed, "kid"},
		{"typ at+jwt", sign(t, k, claims(base), signOpts{typ: "at+jwt"}), 0, ReasonMalformed, "typ"},
		{"crit header", sign(t, k, claims(base), signOpts{header: map[jose.HeaderKey]any{"crit": []string{"exp"}, "exp": 1}}), 0, ReasonMalformed, "crit"},
		{"payload not JSON", raw("not json"), 0, ReasonMalformed, ""},
		{"payload an array", raw(`[1,2]`), 0, ReasonMalformed, ""},
		{"duplicate claim", raw(`{"sub":"member-a","sub":"member-b"}`), 0, ReasonMalformed, ""},

		// Algorithms: only RS256, whatever the kid says.
		{"alg none", unsigned(`{"alg":"none","kid":"jwk-test-1","typ":"JWT"}`, `{"sub":"x"}`, ""), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"alg missing", unsigned(`{"kid":"jwk-test-1","typ":"JWT"}`, `{"sub":"x"}`, "AAAA"), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"HS256 keyed with the RSA public key", sign(t, k, claims(base), signOpts{alg: jose.HS256, key: pubPEM}), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"HS256 keyed with the modulus", sign(t, k, claims(base), signOpts{alg: jose.HS256, key: k.priv.N.Bytes()}), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"PS256 by the right key", sign(t, k, claims(base), signOpts{alg: jose.PS256}), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"RS512 by the right key", sign(t, k, claims(base), signOpts{alg: jose.RS512}), 0, ReasonUnsupportedAlgorithm, "alg"},
		{"ES256 with the RSA kid", sign(t, k, claims(base), signOpts{alg: jose.ES256, key: ecKey}), 0, ReasonUnsupportedAlgorithm, "alg"},

		// Signatures.
		{"signed by another key", sign(t, other, claims(base), signOpts{}), 0, ReasonBadSignature, ""},
		{"payload swapped", goodParts[0] + "." + strings.Split(signed(with(claims(base), "sub", "member-evil")), ".")[1] + "." + goodParts[2], 0, ReasonBadSignature, ""},
		{"signature truncated", good[:len(good)-8], 0, ReasonBadSignature, ""},
		{"signature empty", goodParts[0] + "." + goodParts[1] + ".", 0, ReasonBadSignature, ""},

		// Keys.
		{"unknown kid", sign(t, newTestKey(t, 2, "jwk-test-unknown"), claims(base), signOpts{}), 0, ReasonNoKey, "kid"},

		// Issuer and audience.
		{"wrong issuer", signed(with(claims(base), "iss", "stytch.com/project-other")), 0, ReasonWrongIssuer, "iss"},
		{"issuer with trailing slash", signed(with(claims(base), "iss", testBaseURL+"/")), 0, ReasonWrongIssuer, "iss"},
		{"wrong audience string", signed(with(claims(base), "aud", "project-other")), 0, ReasonWrongAudience, "aud"},
		{"wrong audience array", signed(with(claims(base), "aud", []string{"project-other", "x"})), 0, ReasonWrongAudience, "aud"},
		{"empty audience array", signed(with(claims(base), "aud", []string{})), 0, ReasonWrongAudience, "aud"},

		// Times (the clock stands at base, the default leeway is zero).
		{"expired", signed(with(claims(base), "exp", base.Add(-time.Second).Unix())), 0, ReasonExpired, "exp"},
		{"expires now", signed(with(claims(base), "exp", base.Unix())), 0, ReasonExpired, "exp"},
		{"nbf in the future", signed(with(claims(base), "nbf", base.Add(time.Second).Unix())), 0, ReasonNotYetValid, "nbf"},
		{"iat in the future", signed(with(claims(base), "iat", base.Add(time.Second).Unix(), "nbf", nil)), 0, ReasonNotYetValid, "iat"},
		{"too old", signed(with(claims(base.Add(-2 * time.Minute)))), time.Minute, ReasonTooOld, "iat"},
		// A token past its exp and older than the max age is too old: the caller asked for
		// such tokens to be checked with Stytch, which may still accept the session.
		{"too old and expired", signed(claims(base.Add(-10 * time.Minute))), time.Minute, ReasonTooOld, "iat"},
		{"expired, no max age", signed(claims(base.Add(-10 * time.Minute))), 0, ReasonExpired, "exp"},
		{"expired, younger than the max age", signed(claims(base.Add(-10 * time.Minute))), time.Hour, ReasonExpired, "exp"},
		{"expired, no iat with a max age", signed(with(claims(base.Add(-10*time.Minute)), "iat", nil)), time.Minute, ReasonExpired, "exp"},

		// Missing claims.
		{"no iss", signed(with(claims(base), "iss", nil)), 0, ReasonMissingClaim, "iss"},
		{"no aud", signed(with(claims(base), "aud", nil)), 0, ReasonMissingClaim, "aud"},
		{"no exp", signed(with(claims(base), "exp", nil)), 0, ReasonMissingClaim, "exp"},
		{"no iat with a max age", signed(with(claims(base), "iat", nil)), time.Minute, ReasonMissingClaim, "iat"},
		{"no sub", signed(with(claims(base), "sub", nil)), 0, ReasonMissingClaim, "sub"},
		{"no session claim", signed(with(claims(base), SessionClaimName, nil)), 0, ReasonMissingClaim, SessionClaimName},
		{"session claim null", raw(`{"iss":"stytch.com/` + testProject + `","aud":"` + testProject + `","sub":"m","exp":9999999999,"https://stytch.com/session":null}`), 0, ReasonMissingClaim, SessionClaimName},
		{"no session id", signed(withSession(claims(base), "id", nil)), 0, ReasonMissingClaim, SessionClaimName + ".id"},
		{"no started_at", signed(withSession(claims(base), "started_at", nil)), 0, ReasonMissingClaim, SessionClaimName + ".started_at"},
		{"empty last_accessed_at", signed(withSession(claims(base), "last_accessed_at", "")), 0, ReasonMissingClaim, SessionClaimName + ".last_accessed_at"},
		{"no organization claim", signed(with(claims(base), OrganizationClaimName, nil)), 0, ReasonMissingClaim, OrganizationClaimName},
		{"no organization id", signed(with(claims(base), OrganizationClaimName, map[string]any{"slug": "acme"})), 0, ReasonMissingClaim, OrganizationClaimName + ".organization_id"},

		// Claims of the wrong type or format.
		{"exp a string", signed(with(claims(base), "exp", "tomorrow")), 0, ReasonInvalidClaim, "exp"},
		{"exp out of range", signed(with(claims(base), "exp", 1e300)), 0, ReasonInvalidClaim, "exp"},
		{"nbf negative", signed(with(claims(base), "nbf", -1)), 0, ReasonInvalidClaim, "nbf"},
		{"iss a number", signed(with(claims(base), "iss", 7)), 0, ReasonInvalidClaim, "iss"},
		{"aud a number", signed(with(claims(base), "aud", 7)), 0, ReasonInvalidClaim, "aud"},
		{"aud array with a number", signed(with(claims(base), "aud", []any{testProject, 7})), 0, ReasonInvalidClaim, "aud"},
		{"session claim a string", signed(with(claims(base), SessionClaimName, "s")), 0, ReasonInvalidClaim, SessionClaimName},
		{"started_at not RFC 3339", signed(withSession(claims(base), "started_at", "yesterday")), 0, ReasonInvalidClaim, SessionClaimName + ".started_at"},
		{"expires_at not RFC 3339", signed(withSession(claims(base), "expires_at", "2026-03-02")), 0, ReasonInvalidClaim, SessionClaimName + ".expires_at"},
		{"started_at a number", signed(withSession(claims(base), "started_at", 5)), 0, ReasonInvalidClaim, SessionClaimName + ".started_at"},
		{"roles not an array", signed(withSession(claims(base), "roles", "admin")), 0, ReasonInvalidClaim, SessionClaimName + ".roles"},
		{"authentication_factors an object", signed(withSession(claims(base), "authentication_factors", map[string]any{})), 0, ReasonInvalidClaim, SessionClaimName + ".authentication_factors"},
		{"organization claim an array", signed(with(claims(base), OrganizationClaimName, []any{})), 0, ReasonInvalidClaim, OrganizationClaimName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.v.Verify(context.Background(), tc.token, tc.maxAge)
			assert.Nil(t, c)
			requireReason(t, err, tc.token, tc.reason, tc.field)
		})
	}
	// The good token still verifies (the table did not break the verifier or its cache), and
	// the key set was fetched once: the unknown kid came within the refresh interval.
	_, err = e.verify(good)
	require.NoError(t, err)
	assert.Equal(t, 1, e.calls())
}

func TestVerifyWrongIssuerNamesTheIssuer(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	_, err := e.verify(sign(t, k, with(claims(base), "iss", "https://login.example.org"), signOpts{}))
	requireReason(t, err, "", ReasonWrongIssuer, "iss")
	assert.Contains(t, err.Error(), `"https://login.example.org"`, "a custom-domain misconfiguration is diagnosable")
}

func TestVerifyJWKAlgMustMatch(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	k.alg = "RS512"
	e := newEnv(t, jwks(t, k))
	token := sign(t, k, claims(base), signOpts{})
	_, err := e.verify(token)
	requireReason(t, err, token, ReasonUnsupportedAlgorithm, "alg")

	k.alg = "" // a JWK without alg accepts RS256
	e = newEnv(t, jwks(t, k))
	_, err = e.verify(token)
	require.NoError(t, err)
}

func TestVerifyLeeway(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	cases := []struct {
		name   string
		claims map[string]any
		maxAge time.Duration
		reason Reason
	}{
		{"exp 1 s ago", with(claims(base), "exp", base.Add(-time.Second).Unix()), 0, ReasonExpired},
		{"exp 5 s ago", with(claims(base), "exp", base.Add(-5*time.Second).Unix()), 0, ReasonExpired},
		{"nbf 3 s ahead (issuer's clock fast)", with(claims(base), "nbf", base.Add(3*time.Second).Unix(), "iat", base.Add(3*time.Second).Unix()), 0, ReasonNotYetValid},
		{"age 62 s, max 60 s", claims(base.Add(-62 * time.Second)), time.Minute, ReasonTooOld},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := sign(t, k, tc.claims, signOpts{})

			strict := newEnv(t, jwks(t, k))
			_, err := strict.v.Verify(context.Background(), token, tc.maxAge)
			requireReason(t, err, token, tc.reason, "-")

			tolerant := newEnv(t, jwks(t, k), func(c *Config) { c.Leeway = 5 * time.Second })
			_, err = tolerant.v.Verify(context.Background(), token, tc.maxAge)
			if tc.name == "exp 5 s ago" {
				// The leeway's end is exclusive, as exp's is.
				requireReason(t, err, token, ReasonExpired, "exp")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestVerifyMaxAgeBoundaries(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	token := sign(t, k, claims(base), signOpts{})

	e.clock.Advance(time.Minute)
	_, err := e.v.Verify(context.Background(), token, time.Minute)
	require.NoError(t, err, "a token exactly max age old passes")

	_, err = e.v.Verify(context.Background(), token, 0)
	require.NoError(t, err, "zero means no age limit")

	e.clock.Advance(time.Second)
	_, err = e.v.Verify(context.Background(), token, time.Minute)
	requireReason(t, err, token, ReasonTooOld, "iat")

	_, err = e.v.Verify(context.Background(), token, -time.Second)
	require.Error(t, err)
	assert.NotErrorAs(t, err, new(*Error), "a negative age is a programming error, not a refused token")

	noIat := sign(t, k, with(claims(base), "iat", nil), signOpts{})
	_, err = e.v.Verify(context.Background(), noIat, 0)
	require.NoError(t, err, "iat is only required with a max age")
}

func TestErrorMatching(t *testing.T) {
	err := error(newError(ReasonExpired, "exp", "", nil))
	assert.ErrorIs(t, err, ReasonExpired)
	assert.NotErrorIs(t, err, ReasonTooOld)

	cause := errors.New("connection refused")
	wrapped := errors.Join(errors.New("facade"), newError(ReasonJWKSUnreachable, "", "", cause))
	assert.ErrorIs(t, wrapped, ReasonJWKSUnreachable)
	assert.ErrorIs(t, wrapped, cause)
	var e *Error
	require.ErrorAs(t, wrapped, &e)
	assert.Equal(t, ReasonJWKSUnreachable, e.Reason)

	assert.Equal(t, "sessionjwt: session JWT has expired (exp)", err.Error())
	assert.Equal(t, "sessionjwt: session JWT cannot be checked: the key set (JWKS) is unreachable: connection refused",
		newError(ReasonJWKSUnreachable, "", "", cause).Error())
}

func TestRemoteMayAccept(t *testing.T) {
	want := map[Reason]bool{
		ReasonMalformed:            false,
		ReasonUnsupportedAlgorithm: false,
		ReasonBadSignature:         false,
		ReasonWrongIssuer:          false,
		ReasonWrongAudience:        false,
		ReasonNoKey:                true,
		ReasonJWKSUnreachable:      true,
		ReasonExpired:              true,
		ReasonNotYetValid:          true,
		ReasonTooOld:               true,
		ReasonMissingClaim:         true,
		ReasonInvalidClaim:         true,
	}
	for r, w := range want {
		assert.Equal(t, w, r.RemoteMayAccept(), string(r))
		assert.NotContains(t, r.Error(), "refused (", "every reason has its own message: %s", r)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	fetch := func(context.Context) ([]byte, error) { return nil, nil }
	good := Config{ProjectID: testProject, Issuers: Issuers(testProject, ""), Fetch: fetch}
	_, err := New(good)
	require.NoError(t, err)

	cases := map[string]func(*Config){
		"ProjectID":       func(c *Config) { c.ProjectID = "" },
		"Issuers":         func(c *Config) { c.Issuers = nil },
		"Issuers[1]":      func(c *Config) { c.Issuers = []string{"a", ""} },
		"Fetch":           func(c *Config) { c.Fetch = nil },
		"Leeway":          func(c *Config) { c.Leeway = -time.Second },
		"CacheMaxAge":     func(c *Config) { c.CacheMaxAge = -time.Second },
		"RefreshInterval": func(c *Config) { c.RefreshInterval = -time.Second },
		"FetchTimeout":    func(c *Config) { c.FetchTimeout = -time.Second },
	}
	for field, mutate := range cases {
		t.Run(field, func(t *testing.T) {
			cfg := good
			mutate(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Config."+field)
		})
	}
}

func TestIssuers(t *testing.T) {
	assert.Equal(t, []string{"stytch.com/p", "https://api.example.com"}, Issuers("p", "https://api.example.com//"))
	assert.Equal(t, []string{"stytch.com/p"}, Issuers("p", ""))
}
