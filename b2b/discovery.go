package b2b

import "context"

// DiscoveryClient groups the discovery operations that follow a discovery login (a discovery
// magic link or OAuth authenticate): exchanging the intermediate session token for a session in
// an organization, and listing or creating organizations.
type DiscoveryClient struct {
	// IntermediateSessions exchanges intermediate session tokens for Member sessions.
	IntermediateSessions *DiscoveryIntermediateSessionsClient
	// Organizations lists the organizations a user can enter, and creates new ones.
	Organizations *DiscoveryOrganizationsClient
}

// DiscoveryIntermediateSessionsClient exchanges intermediate session tokens.
type DiscoveryIntermediateSessionsClient struct{ x *executor }

// DiscoveryOrganizationsClient lists and creates organizations during discovery.
type DiscoveryOrganizationsClient struct{ x *executor }

// Exchange turns the intermediate session token of a discovery flow into a Member session in the
// organization the user picked: it logs an existing member in, accepts an invite, or joins the
// organization by email domain or OAuth tenant. When the organization requires MFA or another
// primary factor, MemberAuthenticated is false and the answer carries an intermediate session
// token (MFARequired and PrimaryRequired say what is missing) instead of a session. The token
// is used up, so a failed call is not sent again once it may have reached Stytch.
//
// API: POST /v1/b2b/discovery/intermediate_sessions/exchange
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/discovery/exchange-intermediate-session
func (c *DiscoveryIntermediateSessionsClient) Exchange(ctx context.Context, params *DiscoveryIntermediateSessionsExchangeParams, opts ...CallOption) (*DiscoveryIntermediateSessionsExchangeResponse, error) {
	return call[DiscoveryIntermediateSessionsExchangeResponse](ctx, c.x, params, opts)
}

// Create makes a new organization with the user of the intermediate session token as its first
// member (with the stytch_admin role) and logs them in. As with Exchange, MemberAuthenticated is
// false when the new organization's MFA policy or an email that was not verified in real time
// asks for more. It creates something, so a failed call is not sent again once it may have
// reached Stytch: check whether the organization exists before retrying.
//
// API: POST /v1/b2b/discovery/organizations/create
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/discovery/create-organization-via-discovery
func (c *DiscoveryOrganizationsClient) Create(ctx context.Context, params *DiscoveryOrganizationsCreateParams, opts ...CallOption) (*DiscoveryOrganizationsCreateResponse, error) {
	return call[DiscoveryOrganizationsCreateResponse](ctx, c.x, params, opts)
}

// List returns the organizations the user can enter, given exactly one credential: an
// intermediate session token (memberships, invites and organizations the user may join), or a
// session token or JWT (memberships and invites only). It uses up nothing, so it is retried like
// a read.
//
// API: POST /v1/b2b/discovery/organizations
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/discovery/list-organizations
func (c *DiscoveryOrganizationsClient) List(ctx context.Context, params *DiscoveryOrganizationsListParams, opts ...CallOption) (*DiscoveryOrganizationsListResponse, error) {
	return call[DiscoveryOrganizationsListResponse](ctx, c.x, params, opts)
}
