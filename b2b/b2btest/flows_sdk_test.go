package b2btest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
)

// driftClient is the fake's client with the drift detector on: the test fails on any finding.
func driftClient(t *testing.T, srv *b2btest.Server) *b2b.Client {
	t.Helper()
	var found drift.Collector
	t.Cleanup(func() { assert.Empty(t, found.Findings(), "the fake's answers drift from the spec") })
	return srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
		return drift.NewTransport(next, found.Report)
	}))
}

// TestDiscoveryAndSessionFlowsThroughTheSDK is issue 11's "done when", through the SDK with the
// drift detector on: discovery, list and exchange give a session; discovery and create give an
// organization, a member and a session; the session JWT verifies locally; an expired, tampered or
// foreign one fails with a typed error; revoking makes authenticate fail.
func TestDiscoveryAndSessionFlowsThroughTheSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := b2btest.NewServer(t, b2btest.WithMember(b2b.Member{OrganizationID: "org-acme", EmailAddress: "ada@acme.example"}))
	c := driftClient(t, srv)

	// Magic-link discovery -> list -> exchange.
	disc, err := c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", "ada@acme.example")})
	require.NoError(t, err)
	list, err := c.Discovery.Organizations.List(ctx, &b2b.DiscoveryOrganizationsListParams{IntermediateSessionToken: &disc.IntermediateSessionToken})
	require.NoError(t, err)
	require.Len(t, list.DiscoveredOrganizations, 1)
	ex, err := c.Discovery.IntermediateSessions.Exchange(ctx, &b2b.DiscoveryIntermediateSessionsExchangeParams{
		IntermediateSessionToken: disc.IntermediateSessionToken, OrganizationID: list.DiscoveredOrganizations[0].Organization.OrganizationID})
	require.NoError(t, err)
	require.True(t, ex.MemberAuthenticated)
	assert.NotEmpty(t, ex.SessionToken)

	// OAuth discovery -> create.
	oauth, err := c.OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{
		DiscoveryOAuthToken: srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "grace@hopper.example")})
	require.NoError(t, err)
	created, err := c.Discovery.Organizations.Create(ctx, &b2b.DiscoveryOrganizationsCreateParams{
		IntermediateSessionToken: oauth.IntermediateSessionToken, OrganizationName: b2b.Ptr("Hopper Labs")})
	require.NoError(t, err)
	assert.Equal(t, "Hopper Labs", created.Organization.OrganizationName)
	assert.Equal(t, "grace@hopper.example", created.Member.EmailAddress)
	require.True(t, created.MemberAuthenticated)
	require.NotNil(t, created.MemberSession)

	// The session JWT verifies locally, with no call to the fake.
	before := len(srv.RequestsFor(b2btest.SessionsAuthenticate))
	s, err := c.Sessions.AuthenticateJWT(ctx, created.SessionJWT)
	require.NoError(t, err)
	assert.Equal(t, created.MemberSession.MemberSessionID, s.MemberSession.MemberSessionID)
	assert.Equal(t, created.Organization.OrganizationID, s.MemberSession.OrganizationID)
	assert.Nil(t, s.Remote)
	assert.Equal(t, before, len(srv.RequestsFor(b2btest.SessionsAuthenticate)))

	// Tampered, foreign and expired JWTs fail with a typed error.
	tampered := created.SessionJWT[:strings.LastIndex(created.SessionJWT, ".")+1] + "AAAA" + created.SessionJWT[strings.LastIndex(created.SessionJWT, ".")+5:]
	_, err = c.Sessions.AuthenticateJWT(ctx, tampered)
	assert.ErrorIs(t, err, b2b.JWTBadSignature)

	other := b2btest.NewServer(t, b2btest.WithMember(b2b.Member{OrganizationID: "org-other", EmailAddress: "eve@other.example"}))
	foreign, err := other.Client().MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: other.Token(b2btest.MagicLinksAuthenticate, "org-other", "eve@other.example")})
	require.NoError(t, err)
	_, err = c.Sessions.AuthenticateJWT(ctx, foreign.SessionJWT)
	var je *b2b.JWTError
	require.ErrorAs(t, err, &je, "a JWT another server signed")
	assert.Contains(t, []b2b.JWTReason{b2b.JWTBadSignature, b2b.JWTNoKey}, je.Reason)

	past := b2btest.NewServer(t, b2btest.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }),
		b2btest.WithMember(b2b.Member{OrganizationID: "org-past", EmailAddress: "old@past.example"}))
	old, err := past.Client().MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: past.Token(b2btest.MagicLinksAuthenticate, "org-past", "old@past.example")})
	require.NoError(t, err)
	_, err = past.Client().Sessions.AuthenticateJWT(ctx, old.SessionJWT)
	assert.ErrorIs(t, err, b2b.JWTExpired, "a JWT issued an hour ago")

	// Revoke makes authenticate fail, remotely and through the fallback.
	_, err = c.Sessions.Revoke(ctx, &b2b.SessionsRevokeParams{SessionJWT: &ex.SessionJWT})
	require.NoError(t, err)
	_, err = c.Sessions.Authenticate(ctx, &b2b.SessionsAuthenticateParams{SessionToken: &ex.SessionToken})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
	_, err = c.Sessions.AuthenticateJWT(ctx, ex.SessionJWT, b2b.WithMaxTokenAge(time.Nanosecond))
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
}
