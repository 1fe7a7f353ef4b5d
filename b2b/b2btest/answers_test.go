package b2btest_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// TestOperationsWithoutBehaviorGetSpecAnswers: an operation the fake has no behavior for (forced
// here for each one in turn) still gets a 200 that is valid for the spec, with every field set.
func TestOperationsWithoutBehaviorGetSpecAnswers(t *testing.T) {
	t.Parallel()
	v := contract.MustShared()
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			srv := b2btest.NewServer(t, b2btest.WithoutBehavior(tc.Op.ID))
			params, headers, _ := liveSessionsFor(t, srv, tc.Minimal, nil)
			require.Nil(t, headers)
			req, err := params.(interface {
				NewHTTPRequest(string) (*http.Request, error)
			}).NewHTTPRequest(srv.URL)
			require.NoError(t, err)
			req.SetBasicAuth(b2btest.ProjectID, b2btest.Secret)
			route, err := checkRequest(t, req)
			require.NoError(t, err)
			resp := do(t, req)
			require.Equal(t, http.StatusOK, resp.status, "body: %s", resp.body)
			verr := v.Response(route, resp.status, resp.header, resp.body)
			assert.NoError(t, verr, "%v", contract.Violations(verr))
			var got map[string]any
			require.NoError(t, json.Unmarshal(resp.body, &got))
			for _, f := range specwalk.Fields(specwalk.ResponseBody(route.Operation, 200)) {
				if !strings.Contains(f.Pointer[1:], "/") {
					assert.Contains(t, got, f.Name, "a spec answer sets every property")
				}
			}
			assert.True(t, strings.HasPrefix(got["request_id"].(string), "request-id-test-"))
			assert.Empty(t, srv.Emails(), "a spec answer remembers nothing")
		})
	}
}

// TestNullableFieldsAreSentAsNull: what the answer has no value for is null where the spec says
// nullable, as Stytch's examples show, and absent where it does not.
func TestNullableFieldsAreSentAsNull(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-mfa", MFAPolicy: "REQUIRED_FOR_ALL"}))
	tok := srv.Token(b2btest.MagicLinksAuthenticate, "org-mfa", "ada@example.com")
	resp := send(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, `{"magic_links_token":"`+tok+`"}`, true)
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(resp.body, &got))
	for _, name := range []string{"member_session", "primary_required", "member_device"} {
		require.Contains(t, got, name)
		assert.Equal(t, "null", string(got[name]), name)
	}
	assert.NotEqual(t, "null", string(got["mfa_required"]))
	var member map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got["member"], &member))
	for _, name := range []string{"scim_registration", "lock_created_at", "lock_expires_at"} {
		require.Contains(t, member, name)
		assert.Equal(t, "null", string(member[name]), name)
	}
	// Non-nullable optional fields are left out, never null.
	var sent map[string]json.RawMessage
	r := send(t, srv, http.MethodPost, b2btest.MagicLinksEmailDiscoverySend.Path, `{"email_address":"a@example.com"}`, true)
	require.NoError(t, json.Unmarshal(r.body, &sent))
	assert.Len(t, sent, 2, "request_id and status_code only: %s", r.body)

	// Every answer of every operation validates: the mirror types keep the layout of the
	// generated ones.
	v := contract.MustShared()
	route, err := v.Operation(b2btest.MagicLinksAuthenticate.ID)
	require.NoError(t, err)
	assert.NoError(t, v.Response(route, resp.status, resp.header, resp.body))
}

// TestSandboxValues: Stytch's documented B2B sandbox values give the documented statuses and
// error types, and send no email.
func TestSandboxValues(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts []b2btest.Option
	}{{"default", nil}, {"strict", []b2btest.Option{b2btest.Strict()}}} {
		t.Run(mode.name, func(t *testing.T) {
			srv := b2btest.NewServer(t, mode.opts...)
			c := validatingClient(t, srv, b2b.WithMaxRetries(0))
			ctx := context.Background()

			signup, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: b2btest.SandboxOrganizationID, EmailAddress: b2btest.SandboxEmail})
			require.NoError(t, err)
			assert.Equal(t, b2btest.SandboxOrganizationID, signup.Organization.OrganizationID)
			_, err = c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: b2btest.SandboxOrganizationID, EmailAddress: b2btest.SandboxEmail})
			require.NoError(t, err)
			_, err = c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: b2btest.SandboxEmail})
			require.NoError(t, err)
			assert.Empty(t, srv.Emails(), "sandbox values send nothing")

			for range 2 { // the success token is not single-use
				auth, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: b2btest.SandboxTokenSuccess})
				require.NoError(t, err)
				assert.Equal(t, b2btest.SandboxEmail, auth.Member.EmailAddress)
				assert.Equal(t, b2btest.SandboxOrganizationID, auth.OrganizationID)
				disc, err := c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: b2btest.SandboxTokenSuccess})
				require.NoError(t, err)
				assert.Equal(t, b2btest.SandboxEmail, disc.EmailAddress)
				require.NotEmpty(t, disc.DiscoveredOrganizations)
				assert.Equal(t, b2btest.SandboxOrganizationID, disc.DiscoveredOrganizations[0].Organization.OrganizationID)
			}
			for _, tc := range []struct {
				token, errorType string
				status           int
			}{
				{b2btest.SandboxTokenUnauthorized, "unable_to_auth_magic_link", http.StatusUnauthorized},
				{b2btest.SandboxTokenNotFound, "magic_link_not_found", http.StatusNotFound},
			} {
				_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tc.token})
				requireStytchError(t, err, tc.status, tc.errorType)
				_, err = c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: tc.token})
				requireStytchError(t, err, tc.status, tc.errorType)
			}
		})
	}
}

// jwtParts decodes a compact JWS without checking it.
func jwtParts(t *testing.T, jwt string) (header, claims map[string]any, input string, sig []byte) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, dst))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	return header, claims, parts[0] + "." + parts[1], sig
}

// keyFromJWKS fetches the key set the way the official SDKs do (no credentials) and returns the
// RSA key with kid.
func keyFromJWKS(t *testing.T, srv *b2btest.Server, projectID, kid string) *rsa.PublicKey {
	t.Helper()
	resp := send(t, srv, http.MethodGet, b2btest.JWKSPath+projectID, "", false)
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &set))
	for _, k := range set.Keys {
		if k["kid"] != kid {
			continue
		}
		assert.Equal(t, "RSA", k["kty"])
		assert.Equal(t, "RS256", k["alg"])
		assert.Equal(t, "sig", k["use"])
		n, err := base64.RawURLEncoding.DecodeString(k["n"].(string))
		require.NoError(t, err)
		e, err := base64.RawURLEncoding.DecodeString(k["e"].(string))
		require.NoError(t, err)
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		// The certificate in x5c holds the same key.
		der, err := base64.StdEncoding.DecodeString(k["x5c"].([]any)[0].(string))
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		assert.True(t, key.Equal(cert.PublicKey))
		return key
	}
	t.Fatalf("no key %q in the key set %s", kid, resp.body)
	return nil
}

// TestSessionJWTsVerifyAgainstTheJWKS: the JWT of a session is an RS256 JWS by the key the key set
// serves, with Stytch's claims.
func TestSessionJWTsVerifyAgainstTheJWKS(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second).UTC()
	srv := b2btest.NewServer(t, b2btest.WithClock(func() time.Time { return now }))
	c := validatingClient(t, srv)
	resp := login(t, srv, c, "org-jwt", "ada@example.com", func(p *b2b.MagicLinksAuthenticateParams) {
		p.SessionCustomClaims = map[string]any{"plan": "pro", "iss": "ignored"}
		p.SessionDurationMinutes = b2b.Ptr(int32(120))
	})
	header, claims, input, sig := jwtParts(t, resp.SessionJWT)
	assert.Equal(t, "RS256", header["alg"])
	assert.Equal(t, "JWT", header["typ"])
	kid := header["kid"].(string)
	_, wantKid := srv.SigningKey()
	assert.Equal(t, wantKid, kid)

	key := keyFromJWKS(t, srv, b2btest.ProjectID, kid)
	digest := sha256.Sum256([]byte(input))
	require.NoError(t, rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig))
	tampered := []byte(input)
	tampered[len(tampered)-1] ^= 1
	other := sha256.Sum256(tampered)
	assert.Error(t, rsa.VerifyPKCS1v15(key, crypto.SHA256, other[:], sig))

	assert.Equal(t, "stytch.com/"+b2btest.ProjectID, claims["iss"])
	assert.Equal(t, []any{b2btest.ProjectID}, claims["aud"])
	assert.Equal(t, resp.MemberID, claims["sub"])
	assert.EqualValues(t, now.Unix(), claims["iat"])
	assert.EqualValues(t, now.Unix(), claims["nbf"])
	assert.EqualValues(t, now.Add(5*time.Minute).Unix(), claims["exp"])
	assert.Equal(t, "pro", claims["plan"])
	sess := claims["https://stytch.com/session"].(map[string]any)
	assert.Equal(t, resp.MemberSession.MemberSessionID, sess["id"])
	assert.Equal(t, now.Format(time.RFC3339), sess["started_at"])
	assert.Equal(t, now.Format(time.RFC3339), sess["last_accessed_at"])
	assert.Equal(t, now.Add(120*time.Minute).Format(time.RFC3339), sess["expires_at"])
	assert.Equal(t, []any{"stytch_member"}, sess["roles"])
	assert.Len(t, sess["authentication_factors"], 1)
	assert.Equal(t, map[string]any{"ip_address": "", "user_agent": ""}, sess["attributes"])
	org := claims["https://stytch.com/organization"].(map[string]any)
	assert.Equal(t, "org-jwt", org["organization_id"])
	assert.Equal(t, resp.Organization.OrganizationSlug, org["slug"])

	t.Run("the issuer and audience are the caller's project", func(t *testing.T) {
		c := srv.Client()
		other, err := b2b.NewClient("project-test-other", "secret", b2b.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_ = c
		r, err := other.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-jwt", "bob@example.com")})
		require.NoError(t, err)
		_, claims, _, _ := jwtParts(t, r.SessionJWT)
		assert.Equal(t, "stytch.com/project-test-other", claims["iss"])
		assert.Equal(t, []any{"project-test-other"}, claims["aud"])
	})

	t.Run("another server's JWT does not verify with this key", func(t *testing.T) {
		srv2 := b2btest.NewServer(t)
		r := login(t, srv2, srv2.Client(), "org-jwt", "ada@example.com")
		h2, _, input2, sig2 := jwtParts(t, r.SessionJWT)
		assert.NotEqual(t, kid, h2["kid"])
		d := sha256.Sum256([]byte(input2))
		assert.Error(t, rsa.VerifyPKCS1v15(key, crypto.SHA256, d[:], sig2))
	})

	t.Run("a shared key signs for every server given it", func(t *testing.T) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		a := b2btest.NewServer(t, b2btest.WithSigningKey(k))
		b := b2btest.NewServer(t, b2btest.WithSigningKey(k))
		for _, s := range []*b2btest.Server{a, b} {
			r := login(t, s, s.Client(), "o", "ada@example.com")
			_, _, in, sg := jwtParts(t, r.SessionJWT)
			d := sha256.Sum256([]byte(in))
			assert.NoError(t, rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d[:], sg))
		}
		small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // G403: too small on purpose: the fake must refuse it
		require.NoError(t, err)
		assert.Contains(t, panicMessage(func() { b2btest.NewStandalone(b2btest.WithSigningKey(small)) }), "2048")
	})
}

// TestControlAPI drives the fake over HTTP as a test in another language would.
func TestControlAPI(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-seed"}))
	c := srv.Client(b2b.WithMaxRetries(0))
	ctx := context.Background()
	control := func(method, path, body string) map[string]any {
		t.Helper()
		resp := send(t, srv, method, strings.TrimSuffix(b2btest.ControlPath, "/")+path, body, false)
		var out map[string]any
		require.NoError(t, json.Unmarshal(resp.body, &out), "%s", resp.body)
		out["_status"] = float64(resp.status)
		return out
	}

	tok := control("POST", "/tokens", `{"operation":"magicLinksAuthenticate","organization_id":"org-seed","email_address":"ada@example.com"}`)
	require.EqualValues(t, 200, tok["_status"])
	auth, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok["token"].(string)})
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", auth.Member.EmailAddress)

	_, err = c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-seed", EmailAddress: "grace@example.com"})
	require.NoError(t, err)
	emails := control("GET", "/emails", "")["emails"].([]any)
	require.Len(t, emails, 1)
	assert.Equal(t, "grace@example.com", emails[0].(map[string]any)["to"])
	assert.NotEmpty(t, emails[0].(map[string]any)["token"])

	reqs := control("GET", "/requests", "")["requests"].([]any)
	require.Len(t, reqs, 2, "control calls are not recorded")
	assert.Equal(t, "[redacted]", reqs[0].(map[string]any)["body"].(map[string]any)["magic_links_token"])

	for body, want := range map[string]string{
		`{"operation":"recoveryCodesGet","fail":{"status":503,"error_type":"internal_server_error"}}`: "internal_server_error",
		`{"operation":"recoveryCodesGet","rate_limit":{"retry_after_seconds":0}}`:                     "too_many_requests",
	} {
		got := control("POST", "/scripts", body)
		require.EqualValues(t, 200, got["_status"], "%v", got)
		assert.EqualValues(t, 1, got["pending"])
		_, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-seed", MemberID: "m"})
		var e *b2b.Error
		require.ErrorAs(t, err, &e)
		assert.EqualValues(t, want, e.ErrorType)
	}
	got := control("POST", "/scripts", `{"operation":"magicLinksEmailDiscoverySend","respond":{"status":200,"body":{"request_id":"r","status_code":200}}}`)
	require.EqualValues(t, 200, got["_status"])
	for _, bad := range []string{
		`{"operation":"nope","mfa_required":true}`,
		`{"operation":"recoveryCodesGet"}`,
		`{"operation":"recoveryCodesGet","mfa_required":true}`,
		`{"operation":"recoveryCodesGet","fail":{"status":200,"error_type":"x"}}`,
		`{"operation":"recoveryCodesGet","delay_ms":600000}`,
		`not json`,
	} {
		got := control("POST", "/scripts", bad)
		assert.EqualValues(t, 400, got["_status"], bad)
		assert.NotEmpty(t, got["error"], bad)
	}
	assert.EqualValues(t, 404, control("GET", "/nope", "")["_status"])
	assert.EqualValues(t, 400, control("POST", "/tokens", `{"operation":"recoveryCodesGet","email_address":"a@example.com"}`)["_status"])

	// Reset forgets everything but the seed.
	assert.EqualValues(t, 200, control("POST", "/reset", "")["_status"])
	assert.Empty(t, srv.Emails())
	assert.Empty(t, srv.Requests())
	assert.Equal(t, 0, srv.Pending(b2btest.MagicLinksEmailDiscoverySend))
	_, err = c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-seed", Password: "pw-1234567890", SessionToken: &auth.SessionToken})
	require.NoError(t, err, "in the default mode a forgotten session is adopted again")
	strict := b2btest.NewServer(t, b2btest.Strict(), b2btest.WithOrganization(gen.Organization{OrganizationID: "org-seed"}))
	sc := strict.Client()
	a2, err := sc.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: strict.Token(b2btest.MagicLinksAuthenticate, "org-seed", "ada@example.com")})
	require.NoError(t, err)
	strict.Reset()
	_, err = sc.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-seed", Password: "pw-1234567890", SessionToken: &a2.SessionToken})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
	_, err = sc.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-seed", MemberID: a2.MemberID})
	requireStytchError(t, err, http.StatusNotFound, "member_not_found")
}
