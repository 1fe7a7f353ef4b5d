package b2b_test

// Sessions.AuthenticateJWT through the facade: keys fetched through the client's own transport
// once for many callers, claims mapped to the member session, typed failures, and the remote
// check with a maximum age or the fallback.

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

var jwtKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

const jwtKid = "jwk-test-facade"

// signJWT signs claims as Stytch signs session JWTs (RS256, kid jwtKid, typ JWT).
func signJWT(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", jwtKid))
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	obj, err := signer.Sign(payload)
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// sessionClaims are the claims of a session JWT issued at iat, for the project of the kit's clients.
func sessionClaims(iat time.Time) map[string]any {
	return map[string]any{
		"iss": "stytch.com/" + testkit.ProjectID, "aud": []string{testkit.ProjectID}, "sub": "member-test-jwt",
		"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(5 * time.Minute).Unix(),
		"https://stytch.com/session": map[string]any{
			"id": "member-session-test-jwt", "started_at": iat.Add(-time.Hour).Format(time.RFC3339),
			"last_accessed_at": iat.Format(time.RFC3339), "expires_at": iat.Add(time.Hour).Format(time.RFC3339),
			"roles": []string{"stytch_member", "admin"},
			"authentication_factors": []map[string]any{{"type": "magic_link", "delivery_method": "email",
				"email_factor": map[string]any{"email_id": "email-test-1", "email_address": "ada@example.com"}}},
		},
		"https://stytch.com/organization": map[string]any{"organization_id": "organization-test-jwt", "slug": "acme"},
		"plan":                            "enterprise",
	}
}

// jwtServer serves the project's key set and counts the calls of each operation path.
type jwtServer struct {
	*testkit.Server
}

func newJWTServer(t *testing.T, onAuthenticate func(w http.ResponseWriter, r *http.Request)) *jwtServer {
	t.Helper()
	return newKeySetServer(t, jwtKeySet(t, nil), onAuthenticate)
}

// jwtKeySet is the key set answer that publishes jwtKey, with extra members added to its JWK.
func jwtKeySet(t *testing.T, extra map[string]any) string {
	t.Helper()
	key := jwtKey()
	jwk, err := json.Marshal(jose.JSONWebKey{Key: &key.PublicKey, KeyID: jwtKid, Algorithm: "RS256", Use: "sig"})
	require.NoError(t, err)
	if len(extra) > 0 {
		var members map[string]any
		require.NoError(t, json.Unmarshal(jwk, &members))
		maps.Copy(members, extra)
		jwk, err = json.Marshal(members)
		require.NoError(t, err)
	}
	return fmt.Sprintf(`{"keys":[%s],"request_id":"request-id-test-jwks","status_code":200}`, jwk)
}

// newKeySetServer is newJWTServer answering the key set requests with keys.
func newKeySetServer(t *testing.T, keys string, onAuthenticate func(w http.ResponseWriter, r *http.Request)) *jwtServer {
	t.Helper()
	s := &jwtServer{}
	s.Server = testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/b2b/sessions/jwks/"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(keys))
		case r.URL.Path == "/v1/b2b/sessions/authenticate" && onAuthenticate != nil:
			onAuthenticate(w, r)
		default:
			testkit.Error(w, http.StatusNotFound, "route_not_found", "no")
		}
	})
	return s
}

func (s *jwtServer) count(path string) int {
	n := 0
	for _, h := range s.Requests() {
		if strings.HasPrefix(h.Path, path) {
			n++
		}
	}
	return n
}

func TestAuthenticateJWTLocally(t *testing.T) {
	t.Parallel()
	srv := newJWTServer(t, nil)
	c, _ := faultClient(t, srv.URL)
	token := signJWT(t, jwtKey(), sessionClaims(time.Now()))

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			s, err := c.Sessions.AuthenticateJWT(t.Context(), token)
			if assert.NoError(t, err) {
				assert.Equal(t, "member-test-jwt", s.MemberSession.MemberID)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, srv.count("/v1/b2b/sessions/jwks/"), "one key fetch for many callers")
	assert.Equal(t, "/v1/b2b/sessions/jwks/"+testkit.ProjectID, srv.Requests()[0].Path)

	s, err := c.Sessions.AuthenticateJWT(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, 1, len(srv.Requests()), "no network call once the keys are cached")
	ms := s.MemberSession
	assert.Equal(t, "member-session-test-jwt", ms.MemberSessionID)
	assert.Equal(t, "organization-test-jwt", ms.OrganizationID)
	assert.Equal(t, "acme", ms.OrganizationSlug)
	assert.Equal(t, []string{"stytch_member", "admin"}, ms.Roles)
	require.Len(t, ms.AuthenticationFactors, 1)
	assert.Equal(t, b2b.AuthenticationFactorTypeMagicLink, ms.AuthenticationFactors[0].Type)
	assert.Equal(t, token, s.SessionJWT)
	assert.Nil(t, s.Remote)
	type claims struct{ Plan string }
	got, err := b2b.CustomClaims[claims](&ms)
	require.NoError(t, err)
	assert.Equal(t, "enterprise", got.Plan)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, *s), token, "the JWT is redacted (%s)", verb)
	}
}

func TestAuthenticateJWTFailures(t *testing.T) {
	t.Parallel()
	srv := newJWTServer(t, func(w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusNotFound, "session_not_found", "no such session")
	})
	c, _ := faultClient(t, srv.URL)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	now := time.Now()
	foreign := sessionClaims(now)
	foreign["aud"] = []string{"project-test-someone-else"}
	good := signJWT(t, jwtKey(), sessionClaims(now))
	tampered := good[:len(good)-4] + strings.Repeat("A", 4)
	if tampered == good {
		tampered = good[:len(good)-4] + "BBBB"
	}
	cases := []struct {
		name   string
		token  string
		reason b2b.JWTReason
	}{
		{"expired", signJWT(t, jwtKey(), sessionClaims(now.Add(-time.Hour))), b2b.JWTExpired},
		{"tampered", tampered, b2b.JWTBadSignature},
		{"signed by another key", signJWT(t, other, sessionClaims(now)), b2b.JWTBadSignature},
		{"another project", signJWT(t, jwtKey(), foreign), b2b.JWTWrongAudience},
		{"not a JWT", "not.a.jwt", b2b.JWTMalformed},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			before := srv.count("/v1/b2b/sessions/authenticate")
			_, err := c.Sessions.AuthenticateJWT(t.Context(), cs.token)
			var je *b2b.JWTError
			require.ErrorAs(t, err, &je)
			assert.Equal(t, cs.reason, je.Reason)
			assert.ErrorIs(t, err, cs.reason)
			assert.NotContains(t, err.Error(), cs.token)

			_, err = c.Sessions.AuthenticateJWT(t.Context(), cs.token, b2b.WithRemoteFallback())
			if cs.reason == b2b.JWTExpired {
				var e *b2b.Error
				require.ErrorAs(t, err, &e, "an expired JWT is checked with Stytch")
				assert.Equal(t, b2b.ErrorTypeSessionNotFound, e.ErrorType)
				assert.Equal(t, before+1, srv.count("/v1/b2b/sessions/authenticate"))
				return
			}
			require.ErrorIs(t, err, cs.reason, "no answer of Stytch can change this")
			assert.Equal(t, before, srv.count("/v1/b2b/sessions/authenticate"), "no remote call for a forged or foreign JWT")
		})
	}

	_, err = c.Sessions.AuthenticateJWT(t.Context(), "")
	assert.ErrorIs(t, err, b2b.ErrNotSent)
	_, err = c.Sessions.AuthenticateJWT(t.Context(), good, b2b.WithMaxTokenAge(0))
	assert.ErrorIs(t, err, b2b.ErrNotSent)
}

func TestAuthenticateJWTOlderThanMaxAgeIsCheckedRemotely(t *testing.T) {
	t.Parallel()
	// The fallback is sessionsAuthenticate: its complete answer, built from the spec.
	tc := fixtures.ByID(gen.OpSessionsAuthenticate.ID).Response
	var sent map[string]any
	srv := newJWTServer(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&sent)
		okWithRequestID(w, tc)
	})
	c, _ := faultClient(t, srv.URL)
	token := signJWT(t, jwtKey(), sessionClaims(time.Now().Add(-2*time.Minute)))

	s, err := c.Sessions.AuthenticateJWT(t.Context(), token, b2b.WithMaxTokenAge(time.Minute))
	require.NoError(t, err)
	require.NotNil(t, s.Remote, "checked with Stytch")
	assert.Equal(t, map[string]any{"session_jwt": token}, sent)
	assert.Equal(t, s.Remote.MemberSession, s.MemberSession)
	assert.Equal(t, s.Remote.SessionJWT, s.SessionJWT)

	s, err = c.Sessions.AuthenticateJWT(t.Context(), token, b2b.WithMaxTokenAge(time.Hour))
	require.NoError(t, err)
	assert.Nil(t, s.Remote, "young enough: verified locally")
}

// A JWT older than WithMaxTokenAge is checked with Stytch even when its own exp has passed too
// (session JWTs live five minutes): the session may have been revoked, or may live on.
func TestAuthenticateJWTExpiredAndOlderThanMaxAgeIsCheckedRemotely(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		answer  func(w http.ResponseWriter)
		revoked bool
	}{
		{"the session lives on", func(w http.ResponseWriter) {
			okWithRequestID(w, fixtures.ByID(gen.OpSessionsAuthenticate.ID).Response)
		}, false},
		{"the session was revoked", func(w http.ResponseWriter) {
			testkit.Error(w, http.StatusNotFound, "session_not_found", "no such session")
		}, true},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			srv := newJWTServer(t, func(w http.ResponseWriter, _ *http.Request) { cs.answer(w) })
			c, _ := faultClient(t, srv.URL)
			token := signJWT(t, jwtKey(), sessionClaims(time.Now().Add(-10*time.Minute)))

			s, err := c.Sessions.AuthenticateJWT(t.Context(), token, b2b.WithMaxTokenAge(time.Minute))
			assert.Equal(t, 1, srv.count("/v1/b2b/sessions/authenticate"), "checked with Stytch, once")
			if cs.revoked {
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, b2b.ErrorTypeSessionNotFound, e.ErrorType)
				assert.Nil(t, s)
			} else {
				require.NoError(t, err)
				require.NotNil(t, s.Remote)
				assert.Equal(t, s.Remote.MemberSession, s.MemberSession)
				assert.Equal(t, s.Remote.SessionJWT, s.SessionJWT)
			}

			// Without a maximum age the JWT is only expired, and stays local.
			_, err = c.Sessions.AuthenticateJWT(t.Context(), token)
			require.ErrorIs(t, err, b2b.JWTExpired)
			assert.Equal(t, 1, srv.count("/v1/b2b/sessions/authenticate"))
		})
	}
}

// A Stytch-signed JWT whose authentication factors have a form the typed session cannot hold is
// an invalid claim, which WithRemoteFallback hands to Stytch like any other.
func TestAuthenticateJWTUndecodableFactorsFallBack(t *testing.T) {
	t.Parallel()
	srv := newJWTServer(t, func(w http.ResponseWriter, _ *http.Request) {
		okWithRequestID(w, fixtures.ByID(gen.OpSessionsAuthenticate.ID).Response)
	})
	c, _ := faultClient(t, srv.URL)
	claims := sessionClaims(time.Now())
	claims["https://stytch.com/session"].(map[string]any)["authentication_factors"] = []map[string]any{
		{"type": "magic_link", "delivery_method": "email", "created_at": "yesterday"},
	}
	token := signJWT(t, jwtKey(), claims)

	_, err := c.Sessions.AuthenticateJWT(t.Context(), token)
	var je *b2b.JWTError
	require.ErrorAs(t, err, &je)
	assert.Equal(t, b2b.JWTInvalidClaim, je.Reason)
	assert.Equal(t, "https://stytch.com/session.authentication_factors", je.Field)
	assert.Equal(t, 0, srv.count("/v1/b2b/sessions/authenticate"), "no remote call without the fallback")

	s, err := c.Sessions.AuthenticateJWT(t.Context(), token, b2b.WithRemoteFallback())
	require.NoError(t, err)
	require.NotNil(t, s.Remote, "checked with Stytch")
	assert.Equal(t, s.Remote.MemberSession, s.MemberSession)
	assert.Equal(t, 1, srv.count("/v1/b2b/sessions/authenticate"))
}

// The key set has its own size cap: WithMaxResponseBytes, meant for the typed answers, does not
// cut it short, and a key set over its own cap fails as too large.
func TestAuthenticateJWTKeySetIgnoresTheResponseCap(t *testing.T) {
	t.Parallel()
	// A certificate chain makes the key set larger than the client's cap (the keys' own
	// members are what verification uses).
	keys := jwtKeySet(t, map[string]any{"x5c": []string{strings.Repeat("MIIC", 1024)}})
	require.Greater(t, len(keys), 2048)
	srv := newKeySetServer(t, keys, nil)
	c, _ := faultClient(t, srv.URL, b2b.WithMaxResponseBytes(2048))
	s, err := c.Sessions.AuthenticateJWT(t.Context(), signJWT(t, jwtKey(), sessionClaims(time.Now())))
	require.NoError(t, err)
	assert.Equal(t, "member-test-jwt", s.MemberSession.MemberID)

	huge := jwtKeySet(t, map[string]any{"x5c": []string{strings.Repeat("A", 1<<20)}})
	srv = newKeySetServer(t, huge, nil)
	c, _ = faultClient(t, srv.URL, b2b.WithMaxResponseBytes(2048))
	_, err = c.Sessions.AuthenticateJWT(t.Context(), signJWT(t, jwtKey(), sessionClaims(time.Now())))
	require.ErrorIs(t, err, b2b.JWTKeysUnavailable)
	assert.ErrorIs(t, err, b2b.ErrResponseTooLarge)
	assert.Contains(t, err.Error(), "the key set is larger than")
}

// A key set request Stytch refuses keeps its answer: the *Error a typed call would return, with
// the status, error type and request ID, under JWTKeysUnavailable; the credentials stay out of it.
func TestAuthenticateJWTKeySetRefusalKeepsTheStatus(t *testing.T) {
	t.Parallel()
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		_, secret, _ := r.BasicAuth()
		testkit.Error(w, http.StatusUnauthorized, "unauthorized_credentials", "the secret "+secret+" is not this project's")
	})
	c, _ := faultClient(t, srv.URL)
	_, err := c.Sessions.AuthenticateJWT(t.Context(), signJWT(t, jwtKey(), sessionClaims(time.Now())))
	require.ErrorIs(t, err, b2b.JWTKeysUnavailable)
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusUnauthorized, e.StatusCode)
	assert.Equal(t, b2b.ErrorTypeUnauthorizedCredentials, e.ErrorType)
	assert.NotEmpty(t, e.RequestID)
	assert.Equal(t, "sessionsGetJWKS", e.Operation)
	assert.NotContains(t, err.Error(), testkit.Secret)
}
