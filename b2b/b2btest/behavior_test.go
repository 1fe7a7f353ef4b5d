package b2btest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

func login(t *testing.T, srv *b2btest.Server, c *b2b.Client, org, email string, extra ...func(*b2b.MagicLinksAuthenticateParams)) *b2b.MagicLinksAuthenticateResponse {
	t.Helper()
	p := &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, org, email)}
	for _, f := range extra {
		f(p)
	}
	resp, err := c.MagicLinks.Authenticate(context.Background(), p)
	require.NoError(t, err)
	return resp
}

// TestSessionsBelongToTheirMember: a session presented with another member's login is ignored, as
// the API documents for the authenticate endpoints, and never changes hands.
func TestSessionsBelongToTheirMember(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	const org = "org-acme"
	alice := login(t, srv, c, org, "alice@example.com")
	require.True(t, alice.MemberAuthenticated)

	bob := login(t, srv, c, org, "bob@example.com", func(p *b2b.MagicLinksAuthenticateParams) { p.SessionToken = &alice.SessionToken })
	require.True(t, bob.MemberAuthenticated)
	assert.NotEqual(t, alice.SessionToken, bob.SessionToken, "Bob gets a session of his own")
	assert.NotEqual(t, alice.MemberSession.MemberSessionID, bob.MemberSession.MemberSessionID)
	assert.Equal(t, bob.MemberID, bob.MemberSession.MemberID)
	require.Len(t, bob.MemberSession.AuthenticationFactors, 1, "Alice's factors are not Bob's")

	// Alice's token still names Alice: a password reset with it resets Alice's password.
	reset, err := c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: org, Password: "pw-1234567890", SessionToken: &alice.SessionToken})
	require.NoError(t, err)
	assert.Equal(t, alice.MemberID, reset.MemberID)
	assert.Equal(t, alice.SessionToken, reset.SessionToken)

	// The same person in another organization is another member.
	other := login(t, srv, c, "org-other", "alice@example.com", func(p *b2b.MagicLinksAuthenticateParams) { p.SessionJWT = &alice.SessionJWT })
	assert.NotEqual(t, alice.MemberSession.MemberSessionID, other.MemberSession.MemberSessionID)

	t.Run("another member's session does not skip MFA", func(t *testing.T) {
		srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-mfa", MFAPolicy: "REQUIRED_FOR_ALL"}))
		c := validatingClient(t, srv)
		first := login(t, srv, c, "org-mfa", "carol@example.com")
		require.False(t, first.MemberAuthenticated)
		// Carol completes MFA with a recovery code and has a session.
		codes, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-mfa", MemberID: first.MemberID})
		require.NoError(t, err)
		rec, err := c.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{OrganizationID: "org-mfa", MemberID: first.MemberID,
			RecoveryCode: codes.RecoveryCodes[0], IntermediateSessionToken: &first.IntermediateSessionToken})
		require.NoError(t, err)
		// Her own session skips MFA; Dave presenting it does not.
		again := login(t, srv, c, "org-mfa", "carol@example.com", func(p *b2b.MagicLinksAuthenticateParams) { p.SessionToken = &rec.SessionToken })
		assert.True(t, again.MemberAuthenticated)
		dave := login(t, srv, c, "org-mfa", "dave@example.com", func(p *b2b.MagicLinksAuthenticateParams) { p.SessionToken = &rec.SessionToken })
		assert.False(t, dave.MemberAuthenticated)
		assert.NotNil(t, dave.MFARequired)
	})

	t.Run("a session of another organization is refused by password reset", func(t *testing.T) {
		_, err := c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-other", Password: "pw-1234567890", SessionToken: &alice.SessionToken})
		requireStytchError(t, err, http.StatusForbidden, "session_authorization_tenancy_error")
	})

	t.Run("both session_token and session_jwt are refused", func(t *testing.T) {
		// The SDK refuses them before sending (the spec's x-stytch-at-most-one); a client that
		// sends them anyway gets the API's 400.
		tok := srv.Token(b2btest.MagicLinksAuthenticate, org, "alice@example.com")
		_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok,
			SessionToken: &alice.SessionToken, SessionJWT: &alice.SessionJWT})
		require.ErrorIs(t, err, b2b.ErrNotSent)
		body, err := json.Marshal(map[string]string{"magic_links_token": tok, "session_token": alice.SessionToken, "session_jwt": alice.SessionJWT})
		require.NoError(t, err)
		status, got := rawRequest(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, string(body))
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, got, "invalid_request")
		assert.Contains(t, got, "not both")
	})
}

// TestPasswordResetRevokesTheMembersOtherSessions, as the API documents.
func TestPasswordResetRevokesTheMembersOtherSessions(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	laptop := login(t, srv, c, "org-1", "ada@example.com")
	phone := login(t, srv, c, "org-1", "ada@example.com")
	require.NotEqual(t, laptop.SessionToken, phone.SessionToken)
	_, err := c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-1", Password: "pw-1234567890", SessionToken: &laptop.SessionToken})
	require.NoError(t, err)
	_, err = c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-1", Password: "pw-1234567890", SessionToken: &phone.SessionToken})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
	_, err = c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-1", Password: "pw-1234567890", SessionToken: &laptop.SessionToken})
	require.NoError(t, err, "the session used for the reset stays")
}

// TestPathsAreCleanedBeforeRouting: dot segments and doubled slashes are resolved as a real
// router does, so ".." is never an ID.
func TestPathsAreCleanedBeforeRouting(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/v1/b2b/recovery_codes/../m", http.StatusNotFound},
		{"/v1/b2b/recovery_codes/o/..", http.StatusNotFound},
		{"/v1/b2b/recovery_codes/%2e%2e/m", http.StatusNotFound},
		{"/v1/b2b/recovery_codes/o/%2E", http.StatusNotFound},
		{"/v1/b2b/x/../recovery_codes/o/m", http.StatusOK},
		{"/v1//b2b/recovery_codes/o/./m", http.StatusOK},
	} {
		t.Run(tc.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			req.URL.Opaque = tc.path // sent as written, as the official Go SDK does
			req.SetBasicAuth("p", "s")
			resp := do(t, req)
			require.Equal(t, tc.status, resp.status, "body: %s", resp.body)
			if tc.status == http.StatusNotFound {
				assert.Equal(t, b2b.ErrorTypeRouteNotFound, resp.errorBody(t).ErrorType)
				return
			}
			var got gen.RecoveryCodesGetResponse
			require.NoError(t, json.Unmarshal(resp.body, &got))
			assert.Equal(t, "o", got.Organization.OrganizationID)
			assert.Equal(t, "m", got.MemberID)
		})
	}
}

// TestMemberSessionHeadersMustBeLiveSessionsOfTheOrganization: invite runs with the permissions of
// the member whose session the header carries, so the fake refuses a session it did not issue, a
// revoked or expired one, and one of another organization.
func TestMemberSessionHeadersMustBeLiveSessionsOfTheOrganization(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	admin := login(t, srv, c, "org-acme", "admin@acme.example")
	outsider := login(t, srv, c, "org-globex", "admin@globex.example")
	invite := func(opt b2b.CallOption) error {
		_, err := c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: "org-acme", EmailAddress: "new@acme.example"}, opt)
		return err
	}
	requireStytchError(t, invite(b2b.WithMemberSession("made-up-session-token")), http.StatusNotFound, "session_not_found")
	requireStytchError(t, invite(b2b.WithMemberSessionJWT("made.up.jwt")), http.StatusNotFound, "session_not_found")
	requireStytchError(t, invite(b2b.WithMemberSession(outsider.SessionToken)), http.StatusForbidden, "session_authorization_tenancy_error")
	assert.Empty(t, srv.Emails(), "no refused invite sends an email")
	require.NoError(t, invite(b2b.WithMemberSessionJWT(admin.SessionJWT)))
	require.NoError(t, invite(b2b.WithMemberSession(admin.SessionToken)))
	require.Len(t, srv.Emails(), 2)
}

// TestStrictMode: unknown organizations, members, tokens and sessions are the API's 404s.
func TestStrictMode(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.Strict(),
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-known", OrganizationSlug: "known", OrganizationExternalID: "ext-known"}),
		b2btest.WithMember(gen.Member{OrganizationID: "org-known", EmailAddress: "ada@example.com", MemberID: "member-ada", ExternalID: "ext-ada"}))
	c := validatingClient(t, srv)
	ctx := context.Background()

	_, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-unknown", EmailAddress: "x@example.com"})
	requireStytchError(t, err, http.StatusNotFound, "organization_not_found")
	_, err = c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: "org-unknown", EmailAddress: "x@example.com"})
	requireStytchError(t, err, http.StatusNotFound, "organization_not_found")
	_, err = c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-unknown", MemberID: "member-ada"})
	requireStytchError(t, err, http.StatusNotFound, "organization_not_found")
	_, err = c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-known", MemberID: "member-unknown"})
	requireStytchError(t, err, http.StatusNotFound, "member_not_found")
	_, err = c.RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "org-known", MemberID: "member-unknown"})
	requireStytchError(t, err, http.StatusNotFound, "member_not_found")
	_, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "never-issued"})
	requireStytchError(t, err, http.StatusNotFound, "magic_link_not_found")
	_, err = c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: "never-issued"})
	requireStytchError(t, err, http.StatusNotFound, "oauth_token_not_found")
	_, err = c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-known", Password: "pw-1234567890", SessionToken: b2b.Ptr("never-issued")})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
	_, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-known", "ada@example.com"), SessionToken: b2b.Ptr("never-issued")})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")

	// Known objects, by ID, slug or external ID, are answered for; calls that create members in
	// the API still do.
	for _, ids := range [][2]string{{"org-known", "member-ada"}, {"known", "member-ada"}, {"ext-known", "ext-ada"}} {
		got, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: ids[0], MemberID: ids[1]})
		require.NoError(t, err, "%v", ids)
		assert.Equal(t, "member-ada", got.MemberID)
	}
	signup, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-known", EmailAddress: "new@example.com"})
	require.NoError(t, err)
	assert.True(t, signup.MemberCreated)
	auth, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Emails()[0].Token})
	require.NoError(t, err)
	assert.Equal(t, signup.MemberID, auth.MemberID)

	t.Run("the default mode creates them on first sight", func(t *testing.T) {
		srv := b2btest.NewServer(t)
		got, err := srv.Client().RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-unknown", MemberID: "member-unknown"})
		require.NoError(t, err)
		assert.Equal(t, "member-unknown", got.MemberID)
	})
}

// TestOptionsRefuseUnknownValues: every field with known values is checked, by reflection over
// the generated Known methods.
func TestOptionsRefuseUnknownValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  b2btest.Option
		want []string
	}{
		{"mfa policy", b2btest.WithOrganization(gen.Organization{OrganizationID: "o", MFAPolicy: "REQUIRED"}),
			[]string{"WithOrganization #1", "Organization.MFAPolicy", `"REQUIRED"`, "REQUIRED_FOR_ALL", "OPTIONAL"}},
		{"list of auth methods", b2btest.WithOrganization(gen.Organization{OrganizationID: "o", AllowedAuthMethods: []gen.OrganizationAllowedAuthMethods{"magic_link", "carrier_pigeon"}}),
			[]string{"Organization.AllowedAuthMethods[1]", "carrier_pigeon"}},
		{"member status", b2btest.WithMember(gen.Member{OrganizationID: "o", EmailAddress: "a@example.com", Status: "enabled"}),
			[]string{"WithMember #1", "Member.Status", `"enabled"`, "active"}},
		{"nested role source", b2btest.WithMember(gen.Member{OrganizationID: "o", EmailAddress: "a@example.com",
			Roles: []gen.MemberRole{{RoleID: "r", Sources: []gen.MemberRoleSource{{Type: "by_magic"}}}}}),
			[]string{"Member.Roles[0].Sources[0].Type", "by_magic"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var msg string
			func() {
				defer func() { msg = fmt.Sprint(recover()) }()
				b2btest.NewStandalone(tc.opt)
			}()
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
	assert.NotPanics(t, func() {
		b2btest.NewStandalone(b2btest.WithOrganization(gen.Organization{OrganizationID: "o", MFAPolicy: gen.OrganizationMFAPolicyRequiredForAll})).Close()
	})
}
