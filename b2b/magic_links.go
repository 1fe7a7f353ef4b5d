package b2b

import "context"

// MagicLinksClient groups the email magic link operations.
type MagicLinksClient struct {
	// Email sends login, signup, invite and discovery magic link emails.
	Email *MagicLinksEmailClient
	// Discovery authenticates discovery magic links.
	Discovery *MagicLinksDiscoveryClient

	x *executor
}

// MagicLinksEmailClient sends magic link emails.
type MagicLinksEmailClient struct {
	// Discovery sends discovery magic links.
	Discovery *MagicLinksEmailDiscoveryClient

	x *executor
}

// MagicLinksEmailDiscoveryClient sends discovery magic links.
type MagicLinksEmailDiscoveryClient struct{ x *executor }

// MagicLinksDiscoveryClient authenticates discovery magic links.
type MagicLinksDiscoveryClient struct{ x *executor }

// Authenticate consumes a magic link token and logs the member in. A pending or invited member
// becomes active. When the organization requires MFA, MemberAuthenticated is false and the
// response carries an IntermediateSessionToken for the second factor (for example
// RecoveryCodes.Recover); no session is created then. Passing a live SessionToken or SessionJWT
// skips MFA.
//
// API: POST /v1/b2b/magic_links/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/organization/authenticate-magic-link
func (c *MagicLinksClient) Authenticate(ctx context.Context, params *MagicLinksAuthenticateParams, opts ...CallOption) (*MagicLinksAuthenticateResponse, error) {
	return call[MagicLinksAuthenticateResponse](ctx, c.x, params, opts)
}

// LoginOrSignup emails a login link to an active member, or a signup link to an email address
// that has no active member in the organization yet (creating a pending member).
//
// API: POST /v1/b2b/magic_links/email/login_or_signup
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/organization/send-login-or-signup-email
func (c *MagicLinksEmailClient) LoginOrSignup(ctx context.Context, params *MagicLinksEmailLoginOrSignupParams, opts ...CallOption) (*MagicLinksEmailLoginOrSignupResponse, error) {
	return call[MagicLinksEmailLoginOrSignupResponse](ctx, c.x, params, opts)
}

// Invite emails an invitation to join the organization, creating the member with status invited.
// Inviting an active member fails. By default the call runs with the project's permissions; pass
// WithMemberSession or WithMemberSessionJWT to run it as a member (its RBAC permissions apply).
//
// API: POST /v1/b2b/magic_links/email/invite
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/organization/send-invite-email
func (c *MagicLinksEmailClient) Invite(ctx context.Context, params *MagicLinksEmailInviteParams, opts ...CallOption) (*MagicLinksEmailInviteResponse, error) {
	return call[MagicLinksEmailInviteResponse](ctx, c.x, params, opts)
}

// Send emails a discovery magic link, which lets the person see and choose among the
// organizations they can join.
//
// API: POST /v1/b2b/magic_links/email/discovery/send
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/discovery/send-discovery-email
func (c *MagicLinksEmailDiscoveryClient) Send(ctx context.Context, params *MagicLinksEmailDiscoverySendParams, opts ...CallOption) (*MagicLinksEmailDiscoverySendResponse, error) {
	return call[MagicLinksEmailDiscoverySendResponse](ctx, c.x, params, opts)
}

// Authenticate consumes a discovery magic link token and returns an intermediate session token
// with the organizations the email address can log in to or join.
//
// API: POST /v1/b2b/magic_links/discovery/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/discovery/authenticate-discovery-magic-link
func (c *MagicLinksDiscoveryClient) Authenticate(ctx context.Context, params *MagicLinksDiscoveryAuthenticateParams, opts ...CallOption) (*MagicLinksDiscoveryAuthenticateResponse, error) {
	return call[MagicLinksDiscoveryAuthenticateResponse](ctx, c.x, params, opts)
}
