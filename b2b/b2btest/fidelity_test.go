package b2btest_test

// Behaviour of the fake that follows a documented rule of the API: token lifetimes, impersonated
// sessions, intermediate session tokens on authenticate, the password reset's 5-minute rule, the
// custom claims limit, joining by email domain. Each test names the rule it checks.

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// clock is a time a test moves forward, for WithClock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// asStytchError is err's *b2b.Error; the test fails if there is none.
func asStytchError(t *testing.T, err error) *b2b.Error {
	t.Helper()
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	return e
}

// A single-use token expires: magic links after their *_expiration_minutes (60 by default),
// invites after a week, impersonation tokens after 5 minutes. An expired token is answered like a
// used one, and a token used before it expires works.
func TestTokensExpire(t *testing.T) {
	t.Parallel()
	const org, email = "org-acme", "ada@acme.example"
	cases := []struct {
		name  string
		ttl   time.Duration
		token func(t *testing.T, srv *b2btest.Server, c *b2b.Client) string
		use   func(c *b2b.Client, tok string) error
		want  gen.ErrorType
	}{
		{"login or signup, default", 60 * time.Minute, func(t *testing.T, srv *b2btest.Server, c *b2b.Client) string {
			_, err := c.MagicLinks.Email.LoginOrSignup(t.Context(), &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: org, EmailAddress: email})
			require.NoError(t, err)
			return lastEmail(t, srv).Token
		}, authenticateLink, b2b.ErrorTypeMagicLinkNotFound},
		{"login or signup, signup_expiration_minutes", 10 * time.Minute, func(t *testing.T, srv *b2btest.Server, c *b2b.Client) string {
			_, err := c.MagicLinks.Email.LoginOrSignup(t.Context(), &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: org, EmailAddress: email, SignupExpirationMinutes: b2b.Ptr(int32(10))})
			require.NoError(t, err)
			return lastEmail(t, srv).Token
		}, authenticateLink, b2b.ErrorTypeMagicLinkNotFound},
		{"invite, default", 7 * 24 * time.Hour, func(t *testing.T, srv *b2btest.Server, c *b2b.Client) string {
			_, err := c.MagicLinks.Email.Invite(t.Context(), &b2b.MagicLinksEmailInviteParams{OrganizationID: org, EmailAddress: email})
			require.NoError(t, err)
			return lastEmail(t, srv).Token
		}, authenticateLink, b2b.ErrorTypeMagicLinkNotFound},
		{"discovery, discovery_expiration_minutes", 30 * time.Minute, func(t *testing.T, srv *b2btest.Server, c *b2b.Client) string {
			_, err := c.MagicLinks.Email.Discovery.Send(t.Context(), &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: email, DiscoveryExpirationMinutes: b2b.Ptr(int32(30))})
			require.NoError(t, err)
			return lastEmail(t, srv).Token
		}, func(c *b2b.Client, tok string) error {
			_, err := c.MagicLinks.Discovery.Authenticate(context.Background(), &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: tok})
			return err
		}, b2b.ErrorTypeMagicLinkNotFound},
		{"Token, magic link", 60 * time.Minute, func(_ *testing.T, srv *b2btest.Server, _ *b2b.Client) string {
			return srv.Token(b2btest.MagicLinksAuthenticate, org, email)
		}, authenticateLink, b2b.ErrorTypeMagicLinkNotFound},
		{"Token, impersonation", 5 * time.Minute, func(_ *testing.T, srv *b2btest.Server, _ *b2b.Client) string {
			return srv.Token(b2btest.ImpersonationAuthenticate, org, email)
		}, func(c *b2b.Client, tok string) error {
			_, err := c.Impersonation.Authenticate(context.Background(), &b2b.ImpersonationAuthenticateParams{ImpersonationToken: tok})
			return err
		}, b2b.ErrorTypeImpersonationTokenNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, late := range []bool{false, true} {
				clk := newClock()
				srv := b2btest.NewServer(t, b2btest.WithClock(clk.now), b2btest.WithOrganization(gen.Organization{OrganizationID: org}))
				c := srv.Client(b2b.WithMaxRetries(0))
				tok := tc.token(t, srv, c)
				if late {
					clk.add(tc.ttl)
					err := tc.use(c, tok)
					assert.Equal(t, tc.want, asStytchError(t, err).ErrorType, "used at its expiry")
				} else {
					clk.add(tc.ttl - time.Second)
					assert.NoError(t, tc.use(c, tok), "used a second before its expiry")
				}
			}
		})
	}
}

func lastEmail(t *testing.T, srv *b2btest.Server) b2btest.Email {
	t.Helper()
	emails := srv.Emails()
	require.NotEmpty(t, emails)
	return emails[len(emails)-1]
}

func authenticateLink(c *b2b.Client, tok string) error {
	_, err := c.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok})
	return err
}

// "Impersonated sessions cannot be extended": neither Sessions Authenticate nor an authenticate
// call presenting the session moves its expiry; a session that is not impersonated is extended.
func TestImpersonatedSessionsAreNotExtended(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := b2btest.NewServer(t, b2btest.WithClock(clk.now))
	c := srv.Client(b2b.WithMaxRetries(0))
	ctx := t.Context()
	imp, err := c.Impersonation.Authenticate(ctx, &b2b.ImpersonationAuthenticateParams{ImpersonationToken: srv.Token(b2btest.ImpersonationAuthenticate, "org-acme", "ada@acme.example")})
	require.NoError(t, err)
	end := imp.MemberSession.ExpiresAt
	assert.Equal(t, clk.now().Add(time.Hour), end, "an impersonated session lasts 60 minutes")

	clk.add(10 * time.Minute)
	got, err := c.Sessions.Authenticate(ctx, &b2b.SessionsAuthenticateParams{SessionToken: &imp.SessionToken, SessionDurationMinutes: b2b.Ptr(int32(600))})
	require.NoError(t, err)
	assert.Equal(t, end, got.MemberSession.ExpiresAt, "Sessions Authenticate")
	ml, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-acme", "ada@acme.example"),
		SessionToken: &imp.SessionToken, SessionDurationMinutes: b2b.Ptr(int32(600))})
	require.NoError(t, err)
	require.NotNil(t, ml.MemberSession)
	assert.Equal(t, end, ml.MemberSession.ExpiresAt, "an authenticate call presenting the session")

	// The same calls extend a session that is not impersonated.
	ml, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-acme", "bob@acme.example")})
	require.NoError(t, err)
	got, err = c.Sessions.Authenticate(ctx, &b2b.SessionsAuthenticateParams{SessionToken: &ml.SessionToken, SessionDurationMinutes: b2b.Ptr(int32(600))})
	require.NoError(t, err)
	assert.Equal(t, clk.now().Add(600*time.Minute), got.MemberSession.ExpiresAt)
}

// An intermediate_session_token sent to an authenticate call adds its factor: while the
// organization's requirements are unmet the same token comes back; once they are met, the session
// holds both factors and the token is used up.
func TestAuthenticateWithIntermediateSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("MFA still pending: the same token", func(t *testing.T) {
		t.Parallel()
		srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-mfa", MFAPolicy: b2b.OrganizationMFAPolicyRequiredForAll}))
		c := srv.Client(b2b.WithMaxRetries(0))
		first, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: srv.Token(b2btest.OAuthAuthenticate, "org-mfa", "ada@acme.example")})
		require.NoError(t, err)
		require.NotEmpty(t, first.IntermediateSessionToken)
		second, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-mfa", "ada@acme.example"),
			IntermediateSessionToken: &first.IntermediateSessionToken})
		require.NoError(t, err)
		assert.False(t, second.MemberAuthenticated)
		assert.Equal(t, first.IntermediateSessionToken, second.IntermediateSessionToken)
		assert.Equal(t, first.IntermediateSessionTokenExpiresAt, second.IntermediateSessionTokenExpiresAt)
		require.NotNil(t, second.MFARequired)
	})
	t.Run("requirements met: both factors, token used up", func(t *testing.T) {
		t.Parallel()
		srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-r", AuthMethods: "RESTRICTED",
			AllowedAuthMethods: []gen.OrganizationAllowedAuthMethods{"magic_link"}}))
		c := srv.Client(b2b.WithMaxRetries(0))
		oa, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: srv.Token(b2btest.OAuthAuthenticate, "org-r", "ada@acme.example")})
		require.NoError(t, err)
		require.NotNil(t, oa.PrimaryRequired)
		ml, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-r", "ada@acme.example"),
			IntermediateSessionToken: &oa.IntermediateSessionToken})
		require.NoError(t, err)
		require.True(t, ml.MemberAuthenticated)
		var types []string
		for _, f := range ml.MemberSession.AuthenticationFactors {
			types = append(types, string(f.Type))
		}
		assert.ElementsMatch(t, []string{"oauth", "magic_link"}, types)
		_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &b2b.DiscoveryIntermediateSessionsExchangeParams{IntermediateSessionToken: oa.IntermediateSessionToken, OrganizationID: "org-r"})
		assert.Equal(t, b2b.ErrorTypeIntermediateSessionNotFound, asStytchError(t, err).ErrorType, "the token was used up")
	})
	t.Run("Strict: an unknown token is 404", func(t *testing.T) {
		t.Parallel()
		srv := b2btest.NewServer(t, b2btest.Strict())
		c := srv.Client(b2b.WithMaxRetries(0))
		_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-acme", "ada@acme.example"),
			IntermediateSessionToken: b2b.Ptr("ist-the-fake-never-issued")})
		assert.Equal(t, b2b.ErrorTypeIntermediateSessionNotFound, asStytchError(t, err).ErrorType)
	})
}

// A password reset by session needs a factor authenticated in the last 5 minutes.
func TestPasswordResetNeedsARecentFactor(t *testing.T) {
	t.Parallel()
	for _, age := range []time.Duration{5 * time.Minute, 5*time.Minute + time.Second} {
		clk := newClock()
		srv := b2btest.NewServer(t, b2btest.WithClock(clk.now))
		c := srv.Client(b2b.WithMaxRetries(0))
		ml, err := c.MagicLinks.Authenticate(t.Context(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-acme", "ada@acme.example")})
		require.NoError(t, err)
		clk.add(age)
		_, err = c.Passwords.Sessions.Reset(t.Context(), &b2b.PasswordsSessionsResetParams{OrganizationID: "org-acme",
			Password: "correct-horse-battery-staple", SessionToken: &ml.SessionToken})
		if age <= 5*time.Minute {
			assert.NoError(t, err, "factor %v old", age)
			continue
		}
		e := asStytchError(t, err)
		assert.Equal(t, 400, e.StatusCode)
		assert.Equal(t, b2b.ErrorType("session_too_old_to_reset_password"), e.ErrorType, "factor %v old", age)
	}
}

// Sessions Revoke by member_id takes the member's ID or external ID; in Strict mode an unknown
// member is 404 member_not_found, as the Strict table says.
func TestRevokeByMember(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.Strict(), b2btest.WithMember(gen.Member{OrganizationID: "org-acme", EmailAddress: "ada@acme.example", ExternalID: "ext-ada"}))
	c := srv.Client(b2b.WithMaxRetries(0))
	_, err := c.Sessions.Revoke(t.Context(), &b2b.SessionsRevokeParams{MemberID: b2b.Ptr("member-test-nobody")})
	assert.Equal(t, b2b.ErrorTypeMemberNotFound, asStytchError(t, err).ErrorType)

	ml, err := c.MagicLinks.Authenticate(t.Context(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-acme", "ada@acme.example")})
	require.NoError(t, err)
	_, err = c.Sessions.Revoke(t.Context(), &b2b.SessionsRevokeParams{MemberID: b2b.Ptr("ext-ada")})
	require.NoError(t, err)
	_, err = c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &ml.SessionToken})
	assert.Equal(t, b2b.ErrorTypeSessionNotFound, asStytchError(t, err).ErrorType, "revoked by external ID")
}

// The fake has no deleted members: WithMember refuses one, naming the status.
func TestWithMemberRefusesDeleted(t *testing.T) {
	t.Parallel()
	msg := panicMessage(func() {
		b2btest.NewStandalone(b2btest.WithMember(gen.Member{OrganizationID: "org-acme", EmailAddress: "ada@acme.example", Status: "deleted"}))
	})
	assert.Contains(t, msg, `"deleted"`)
}

// "Total custom claims size cannot exceed four kilobytes."
func TestCustomClaimsLimit(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := srv.Client(b2b.WithMaxRetries(0))
	claims := func(n int) map[string]any {
		// {"big":"xxx..."} is n bytes of JSON.
		return map[string]any{"big": strings.Repeat("x", n-len(`{"big":""}`))}
	}
	_, err := c.MagicLinks.Authenticate(t.Context(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "", "ada@acme.example"),
		SessionCustomClaims: claims(4096)})
	require.NoError(t, err, "4096 bytes")
	_, err = c.MagicLinks.Authenticate(t.Context(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "", "ada@acme.example"),
		SessionCustomClaims: claims(4097)})
	e := asStytchError(t, err)
	assert.Equal(t, b2b.ErrorTypeInvalidRequest, e.ErrorType)
	assert.Contains(t, e.ErrorMessage, "session_custom_claims")
}

// Discovery offers joining by email domain only when a member of the organization has a verified
// address of that domain.
func TestJoinByDomainNeedsAVerifiedMember(t *testing.T) {
	t.Parallel()
	org := gen.Organization{OrganizationID: "org-jit", EmailJITProvisioning: "RESTRICTED", EmailAllowedDomains: []string{"acme.example"}}
	discover := func(t *testing.T, srv *b2btest.Server) []gen.DiscoveredOrganization {
		t.Helper()
		c := srv.Client(b2b.WithMaxRetries(0))
		disc, err := c.MagicLinks.Discovery.Authenticate(t.Context(), &b2b.MagicLinksDiscoveryAuthenticateParams{
			DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", "ada@acme.example")})
		require.NoError(t, err)
		return disc.DiscoveredOrganizations
	}
	assert.Empty(t, discover(t, b2btest.NewServer(t, b2btest.WithOrganization(org))), "no member")
	assert.Empty(t, discover(t, b2btest.NewServer(t, b2btest.WithOrganization(org),
		b2btest.WithMember(gen.Member{OrganizationID: "org-jit", EmailAddress: "bob@acme.example"}))), "a member whose address is not verified")
	got := discover(t, b2btest.NewServer(t, b2btest.WithOrganization(org),
		b2btest.WithMember(gen.Member{OrganizationID: "org-jit", EmailAddress: "bob@ACME.example", EmailAddressVerified: true})))
	require.Len(t, got, 1)
	assert.Equal(t, gen.MembershipType("eligible_to_join_by_email_domain"), got[0].Membership.Type)
}
