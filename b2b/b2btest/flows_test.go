package b2btest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
	"github.com/b2bauth/stytch-b2b-go/b2b/internal/sessionjwt"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// flow sends raw API calls (the facade has no methods for the newest operations yet) through the
// drift transport: every answer is checked against the spec, and a test fails on any finding.
type flow struct {
	t       *testing.T
	srv     *b2btest.Server
	hc      *http.Client
	results *drift.Collector
}

func newFlow(t *testing.T, srv *b2btest.Server) *flow {
	f := &flow{t: t, srv: srv, results: &drift.Collector{}}
	f.hc = &http.Client{Transport: drift.NewTransport(http.DefaultTransport, f.results.Report)}
	t.Cleanup(func() { assert.Empty(t, f.results.Findings(), "drift findings") })
	return f
}

// call sends params (marshalled as the body, or nil for a GET) to op and decodes a 200 into out.
// It returns the status and the Stytch error of any other answer.
func (f *flow) call(op gen.Operation, path string, params, out any, header ...string) (int, gen.Error) {
	f.t.Helper()
	var body io.Reader
	if params != nil {
		b, err := json.Marshal(params)
		require.NoError(f.t, err)
		body = bytes.NewReader(b)
	}
	if path == "" {
		path = op.Path
	}
	req, err := http.NewRequestWithContext(f.t.Context(), op.Method, f.srv.URL+path, body)
	require.NoError(f.t, err)
	req.SetBasicAuth(b2btest.ProjectID, b2btest.Secret)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.hc.Do(req)
	require.NoError(f.t, err)
	defer func() { assert.NoError(f.t, resp.Body.Close()) }()
	data, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	if resp.StatusCode != http.StatusOK {
		var e gen.Error
		require.NoError(f.t, json.Unmarshal(data, &e), "%s", data)
		return resp.StatusCode, e
	}
	if out != nil {
		require.NoError(f.t, json.Unmarshal(data, out), "%s", data)
	}
	return resp.StatusCode, gen.Error{}
}

func (f *flow) ok(op gen.Operation, params, out any, header ...string) {
	f.t.Helper()
	status, e := f.call(op, "", params, out, header...)
	require.Equal(f.t, http.StatusOK, status, "%s: %s %s", op.ID, e.ErrorType, e.ErrorMessage)
}

func (f *flow) fails(op gen.Operation, params any, status int, errorType gen.ErrorType) {
	f.t.Helper()
	got, e := f.call(op, "", params, nil)
	require.Equal(f.t, status, got, "%s: %s %s", op.ID, e.ErrorType, e.ErrorMessage)
	assert.Equal(f.t, errorType, e.ErrorType)
}

// verifier verifies the fake's session JWTs locally with the SDK's verifier (go-jose), fetching
// the key set where the official SDKs do, without credentials.
func verifier(t *testing.T, srv *b2btest.Server, now func() time.Time) *sessionjwt.Verifier {
	t.Helper()
	v, err := sessionjwt.New(sessionjwt.Config{
		ProjectID: b2btest.ProjectID,
		Issuers:   sessionjwt.Issuers(b2btest.ProjectID, srv.URL),
		Now:       now,
		Fetch: func(ctx context.Context) ([]byte, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+b2btest.JWKSPath+b2btest.ProjectID, nil)
			if err != nil {
				return nil, err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			defer func() { _ = resp.Body.Close() }() // a failed read is the error returned
			return io.ReadAll(resp.Body)
		},
	})
	require.NoError(t, err)
	return v
}

// TestMagicLinkDiscoveryListExchange: discovery -> list -> exchange gives a session, whose JWT
// verifies locally; revoking it makes authenticate fail.
func TestMagicLinkDiscoveryListExchange(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t,
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-acme", OrganizationName: "Acme", EmailJITProvisioning: "RESTRICTED", EmailAllowedDomains: []string{"acme.example"}}),
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-globex", OrganizationName: "Globex", MFAPolicy: "REQUIRED_FOR_ALL"}),
		// Joining Acme by email domain needs a verified member of the domain there.
		b2btest.WithMember(gen.Member{OrganizationID: "org-acme", EmailAddress: "bob@acme.example", EmailAddressVerified: true}),
		b2btest.WithMember(gen.Member{OrganizationID: "org-globex", EmailAddress: "ada@acme.example"}))
	f := newFlow(t, srv)
	ctx := context.Background()

	var disc gen.MagicLinksDiscoveryAuthenticateResponse
	f.ok(b2btest.MagicLinksDiscoveryAuthenticate, gen.MagicLinksDiscoveryAuthenticateRequest{
		DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", "ada@acme.example")}, &disc)
	ist := disc.IntermediateSessionToken

	var list gen.DiscoveryOrganizationsListResponse
	f.ok(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{IntermediateSessionToken: &ist}, &list)
	assert.Equal(t, "ada@acme.example", list.EmailAddress)
	assert.Empty(t, list.OrganizationIDHint, "a discovery token is tied to no organization")
	require.Len(t, list.DiscoveredOrganizations, 2)
	assert.EqualValues(t, "eligible_to_join_by_email_domain", list.DiscoveredOrganizations[0].Membership.Type)
	assert.EqualValues(t, "active_member", list.DiscoveredOrganizations[1].Membership.Type)
	f.ok(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{IntermediateSessionToken: &ist}, &list) // not used up

	// Globex requires MFA: the same token comes back, still usable.
	var mfa gen.DiscoveryIntermediateSessionsExchangeResponse
	f.ok(b2btest.DiscoveryIntermediateSessionsExchange, gen.DiscoveryIntermediateSessionsExchangeRequest{IntermediateSessionToken: ist, OrganizationID: "org-globex"}, &mfa)
	assert.False(t, mfa.MemberAuthenticated)
	assert.Equal(t, ist, mfa.IntermediateSessionToken)
	require.NotNil(t, mfa.MFARequired)
	assert.Nil(t, mfa.MemberSession)

	// Acme lets the domain join: a new active member with a session.
	var ex gen.DiscoveryIntermediateSessionsExchangeResponse
	f.ok(b2btest.DiscoveryIntermediateSessionsExchange, gen.DiscoveryIntermediateSessionsExchangeRequest{
		IntermediateSessionToken: ist, OrganizationID: "org-acme", SessionDurationMinutes: b2b.Ptr(int32(30)),
		SessionCustomClaims: map[string]any{"tier": "gold"}, TelemetryID: b2b.Ptr("t-1")}, &ex)
	require.True(t, ex.MemberAuthenticated)
	assert.Empty(t, ex.IntermediateSessionToken)
	assert.EqualValues(t, "active", ex.Member.Status)
	assert.Equal(t, "org-acme", ex.Organization.OrganizationID)
	require.NotNil(t, ex.MemberSession)
	assert.EqualValues(t, "magic_link", ex.MemberSession.AuthenticationFactors[0].Type)
	assert.NotNil(t, ex.MemberDevice)
	f.fails(b2btest.DiscoveryIntermediateSessionsExchange, gen.DiscoveryIntermediateSessionsExchangeRequest{IntermediateSessionToken: ist, OrganizationID: "org-acme"},
		http.StatusNotFound, gen.ErrorTypeIntermediateSessionNotFound)

	// The JWT verifies locally, with the session's claims.
	claims, err := verifier(t, srv, nil).Verify(ctx, ex.SessionJWT, 0)
	require.NoError(t, err)
	assert.Equal(t, ex.MemberID, claims.MemberID)
	assert.Equal(t, "org-acme", claims.Organization.ID)
	assert.Equal(t, ex.MemberSession.MemberSessionID, claims.Session.ID)
	assert.Equal(t, "gold", claims.Custom["tier"])
	assert.WithinDuration(t, ex.MemberSession.ExpiresAt, claims.Session.ExpiresAt, time.Second)

	// A session lists its memberships only.
	f.ok(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{SessionToken: &ex.SessionToken}, &list)
	require.Len(t, list.DiscoveredOrganizations, 2)
	for _, d := range list.DiscoveredOrganizations {
		assert.NotNil(t, d.Membership.Member)
	}
	f.fails(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{SessionToken: &ex.SessionToken, IntermediateSessionToken: &ist}, http.StatusBadRequest, gen.ErrorTypeInvalidRequest)
	f.fails(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{}, http.StatusBadRequest, gen.ErrorTypeInvalidRequest)

	// Sessions authenticate knows the session; revoke ends it everywhere.
	var auth gen.SessionsAuthenticateResponse
	f.ok(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionJWT: &ex.SessionJWT}, &auth)
	assert.Equal(t, ex.SessionToken, auth.SessionToken)
	assert.Equal(t, ex.MemberSession.ExpiresAt, auth.MemberSession.ExpiresAt, "no session_duration_minutes: not extended")
	fresh, err := verifier(t, srv, nil).Verify(ctx, auth.SessionJWT, 0)
	require.NoError(t, err, "the answer's JWT is one the fake signed")
	assert.Equal(t, ex.MemberSession.MemberSessionID, fresh.Session.ID)
	f.ok(b2btest.SessionsRevoke, gen.SessionsRevokeRequest{SessionToken: &ex.SessionToken}, nil)
	for _, cred := range []gen.SessionsAuthenticateRequest{{SessionToken: &ex.SessionToken}, {SessionJWT: &ex.SessionJWT}, {SessionJWT: &auth.SessionJWT}} {
		f.fails(b2btest.SessionsAuthenticate, cred, http.StatusNotFound, gen.ErrorTypeSessionNotFound)
	}
	f.fails(b2btest.SessionsRevoke, gen.SessionsRevokeRequest{SessionToken: &ex.SessionToken}, http.StatusNotFound, gen.ErrorTypeSessionNotFound)
	f.fails(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{SessionToken: &ex.SessionToken}, http.StatusNotFound, gen.ErrorTypeSessionNotFound)
}

// TestOAuthDiscoveryCreate: discovery -> create gives an organization, an admin member and a
// session; an MFA policy in the request keeps the token for the MFA step.
func TestOAuthDiscoveryCreate(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	f := newFlow(t, srv)
	var disc gen.OAuthDiscoveryAuthenticateResponse
	f.ok(b2btest.OAuthDiscoveryAuthenticate, gen.OAuthDiscoveryAuthenticateRequest{DiscoveryOAuthToken: srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "grace@initech.example")}, &disc)
	assert.Equal(t, []string{"initech.example"}, disc.ProviderTenantIds)

	var created gen.DiscoveryOrganizationsCreateResponse
	f.ok(b2btest.DiscoveryOrganizationsCreate, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: disc.IntermediateSessionToken}, &created)
	require.True(t, created.MemberAuthenticated)
	assert.Equal(t, "Initech", created.Organization.OrganizationName)
	assert.Equal(t, "initech", created.Organization.OrganizationSlug)
	assert.EqualValues(t, "active", created.Member.Status)
	var roles []string
	for _, r := range created.Member.Roles {
		roles = append(roles, r.RoleID)
	}
	assert.Contains(t, roles, "stytch_admin")
	require.NotNil(t, created.MemberSession)
	assert.EqualValues(t, "oauth", created.MemberSession.AuthenticationFactors[0].Type)
	f.fails(b2btest.DiscoveryOrganizationsCreate, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: disc.IntermediateSessionToken}, http.StatusNotFound, gen.ErrorTypeIntermediateSessionNotFound)

	// The organization exists from now on: the member's session authenticates, with an
	// authorization check stytch_admin passes.
	var auth gen.SessionsAuthenticateResponse
	f.ok(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionToken: &created.SessionToken, SessionDurationMinutes: b2b.Ptr(int32(600)),
		AuthorizationCheck: &gen.AuthorizationCheck{OrganizationID: created.Organization.OrganizationID, ResourceID: "stytch.member", Action: "create"}}, &auth)
	require.NotNil(t, auth.Verdict)
	assert.True(t, auth.Verdict.Authorized)
	assert.Equal(t, []string{"stytch_admin"}, auth.Verdict.GrantingRoles)
	assert.True(t, auth.MemberSession.ExpiresAt.After(created.MemberSession.ExpiresAt), "extended")

	// A second discovery of the same address finds the new organization; a second create with the
	// same slug is refused.
	f.ok(b2btest.OAuthDiscoveryAuthenticate, gen.OAuthDiscoveryAuthenticateRequest{DiscoveryOAuthToken: srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "grace@initech.example")}, &disc)
	require.Len(t, disc.DiscoveredOrganizations, 1)
	assert.Equal(t, created.Organization.OrganizationID, disc.DiscoveredOrganizations[0].Organization.OrganizationID)
	f.fails(b2btest.DiscoveryOrganizationsCreate, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: disc.IntermediateSessionToken}, http.StatusBadRequest, gen.ErrorTypeInvalidRequest)

	// With mfa_policy REQUIRED_FOR_ALL the member must complete MFA: the token stays usable.
	var mfa gen.DiscoveryOrganizationsCreateResponse
	f.ok(b2btest.DiscoveryOrganizationsCreate, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: disc.IntermediateSessionToken,
		OrganizationSlug: b2b.Ptr("initech-secure"), MFAPolicy: b2b.Ptr(gen.OrganizationMFAPolicyRequiredForAll)}, &mfa)
	assert.False(t, mfa.MemberAuthenticated)
	require.NotNil(t, mfa.MFARequired)
	assert.Equal(t, disc.IntermediateSessionToken, mfa.IntermediateSessionToken)
	var list gen.DiscoveryOrganizationsListResponse
	f.ok(b2btest.DiscoveryOrganizationsList, gen.DiscoveryOrganizationsListRequest{IntermediateSessionToken: &mfa.IntermediateSessionToken}, &list)
	assert.Equal(t, mfa.Organization.OrganizationID, list.OrganizationIDHint, "the token is now tied to the new organization")
}

// TestSessionsAuthorizationAndRevoke covers the authorization check and every way to revoke.
func TestSessionsAuthorizationAndRevoke(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-1",
		CustomRoles: []gen.CustomRole{{RoleID: "billing", Permissions: []gen.CustomRolePermission{{ResourceID: "invoices", Actions: []string{"read"}}}}}}),
		b2btest.WithMember(gen.Member{OrganizationID: "org-1", EmailAddress: "ada@example.com",
			Roles: []gen.MemberRole{{RoleID: "stytch_member"}, {RoleID: "billing"}}}))
	f := newFlow(t, srv)
	c := srv.Client()
	a := login(t, srv, c, "org-1", "ada@example.com")
	check := func(org, resource, action string) gen.SessionsAuthenticateRequest {
		return gen.SessionsAuthenticateRequest{SessionToken: &a.SessionToken, AuthorizationCheck: &gen.AuthorizationCheck{OrganizationID: org, ResourceID: resource, Action: action}}
	}
	var auth gen.SessionsAuthenticateResponse
	f.ok(b2btest.SessionsAuthenticate, check("org-1", "invoices", "read"), &auth)
	assert.Equal(t, []string{"billing"}, auth.Verdict.GrantingRoles)
	f.fails(b2btest.SessionsAuthenticate, check("org-1", "invoices", "delete"), http.StatusForbidden, gen.ErrorTypeSessionAuthorizationError)
	f.fails(b2btest.SessionsAuthenticate, check("org-2", "invoices", "read"), http.StatusForbidden, gen.ErrorTypeSessionAuthorizationTenancyError)
	f.fails(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionToken: &a.SessionToken, SessionJWT: &a.SessionJWT}, http.StatusBadRequest, gen.ErrorTypeInvalidRequest)
	f.fails(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionToken: b2b.Ptr("never-issued")}, http.StatusNotFound, gen.ErrorTypeSessionNotFound)

	// By member_session_id, and every session of a member at once (with a member-session header).
	b := login(t, srv, c, "org-1", "ada@example.com")
	f.ok(b2btest.SessionsRevoke, gen.SessionsRevokeRequest{MemberSessionID: &b.MemberSession.MemberSessionID}, nil)
	f.fails(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionToken: &b.SessionToken}, http.StatusNotFound, gen.ErrorTypeSessionNotFound)
	d := login(t, srv, c, "org-1", "ada@example.com")
	status, e := f.call(b2btest.SessionsRevoke, "", gen.SessionsRevokeRequest{MemberID: &a.MemberID}, nil, "X-Stytch-Member-Session", "forged")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, gen.ErrorTypeSessionNotFound, e.ErrorType)
	f.ok(b2btest.SessionsRevoke, gen.SessionsRevokeRequest{MemberID: &a.MemberID}, nil, "X-Stytch-Member-Session", d.SessionToken)
	for _, tok := range []string{a.SessionToken, d.SessionToken} {
		f.fails(b2btest.SessionsAuthenticate, gen.SessionsAuthenticateRequest{SessionToken: &tok}, http.StatusNotFound, gen.ErrorTypeSessionNotFound)
	}
	f.fails(b2btest.SessionsRevoke, gen.SessionsRevokeRequest{}, http.StatusBadRequest, gen.ErrorTypeInvalidRequest)
}

// TestJWKSOperation: the key set is served through the spec's operation, with or without
// credentials, and an expired or foreign JWT fails local verification.
func TestJWKSOperation(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	f := newFlow(t, srv)
	var set gen.SessionsGetJWKSResponse
	status, _ := f.call(b2btest.SessionsGetJWKS, b2btest.JWKSPath+"project-test-any", nil, &set)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, set.Keys, 1)
	_, kid := srv.SigningKey()
	assert.Equal(t, kid, set.Keys[0].Kid)
	assert.NotEmpty(t, set.Keys[0].X5TS256)
	assert.Equal(t, set.Keys[0].X5TS256, set.Keys[0].X5TS256SnakeCase)
	resp := send(t, srv, http.MethodGet, b2btest.JWKSPath+b2btest.ProjectID, "", false)
	assert.Equal(t, http.StatusOK, resp.status, "no credentials needed")
	reqs := srv.RequestsFor(b2btest.SessionsGetJWKS)
	require.Len(t, reqs, 2)

	a := login(t, srv, srv.Client(), "o", "ada@example.com")
	later := func() time.Time { return time.Now().Add(6 * time.Minute) }
	_, err := verifier(t, srv, later).Verify(context.Background(), a.SessionJWT, 0)
	var jerr *sessionjwt.Error
	require.ErrorAs(t, err, &jerr, "a JWT past its five minutes is refused")
	other := b2btest.NewServer(t)
	o := login(t, other, other.Client(), "o", "ada@example.com")
	_, err = verifier(t, srv, nil).Verify(context.Background(), o.SessionJWT, 0)
	require.ErrorAs(t, err, &jerr, "another server's JWT is refused")
	parts := strings.Split(a.SessionJWT, ".")
	_, err = verifier(t, srv, nil).Verify(context.Background(), parts[0]+"."+parts[1]+"."+strings.Repeat("A", len(parts[2])), 0)
	require.ErrorAs(t, err, &jerr, "a tampered JWT is refused")
}

// TestFacadeFlowsAgainstTheFake runs the facade's discovery and session methods against the fake:
// magic-link discovery, exchange, local JWT verification (the JWKS is fetched from the fake),
// revoke, and remote authenticate failing after it.
func TestFacadeFlowsAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithMember(gen.Member{OrganizationID: "org-acme", EmailAddress: "ada@acme.example"}))
	c := validatingClient(t, srv)
	ctx := context.Background()
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
	local, err := c.Sessions.AuthenticateJWT(ctx, ex.SessionJWT)
	require.NoError(t, err)
	require.NotNil(t, local)
	_, err = c.Sessions.Revoke(ctx, &b2b.SessionsRevokeParams{SessionJWT: &ex.SessionJWT})
	require.NoError(t, err)
	_, err = c.Sessions.Authenticate(ctx, &b2b.SessionsAuthenticateParams{SessionToken: &ex.SessionToken})
	requireStytchError(t, err, http.StatusNotFound, "session_not_found")
}
