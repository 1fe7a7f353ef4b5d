package b2b

import (
	"context"
	"net/http"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// MagicLinksClient groups the email magic link operations.
type MagicLinksClient struct {
	// Email sends login, signup, invite and discovery magic link emails.
	Email *MagicLinksEmailClient
	// Discovery authenticates discovery magic links.
	Discovery *MagicLinksDiscoveryClient

	t *transport
}

// MagicLinksEmailClient sends magic link emails.
type MagicLinksEmailClient struct {
	// Discovery sends discovery magic links.
	Discovery *MagicLinksEmailDiscoveryClient

	t *transport
}

// MagicLinksEmailDiscoveryClient sends discovery magic links.
type MagicLinksEmailDiscoveryClient struct{ t *transport }

// MagicLinksDiscoveryClient authenticates discovery magic links.
type MagicLinksDiscoveryClient struct{ t *transport }

// Authenticate consumes a magic link token and logs the member in. A pending or invited member
// becomes active. When the organization requires MFA, MemberAuthenticated is false and the
// response carries an IntermediateSessionToken for the second factor (for example
// RecoveryCodes.Recover); no session is created then. Passing a live SessionToken or SessionJWT
// skips MFA.
//
// API: POST /v1/b2b/magic_links/authenticate
func (c *MagicLinksClient) Authenticate(ctx context.Context, params *MagicLinksAuthenticateParams) (*MagicLinksAuthenticateResponse, error) {
	return call[MagicLinksAuthenticateResponse](ctx, c.t, params, nil)
}

// LoginOrSignup emails a login link to an active member, or a signup link to an email address
// that has no active member in the organization yet (creating a pending member).
//
// API: POST /v1/b2b/magic_links/email/login_or_signup
func (c *MagicLinksEmailClient) LoginOrSignup(ctx context.Context, params *MagicLinksEmailLoginOrSignupParams) (*MagicLinksEmailLoginOrSignupResponse, error) {
	return call[MagicLinksEmailLoginOrSignupResponse](ctx, c.t, params, nil)
}

// InviteOption adjusts one Invite call. A nil InviteOption is ignored.
type InviteOption func(*gen.MagicLinksEmailInviteParams)

// WithMemberSession runs the invite with the permissions of the member who owns sessionToken (sent
// as the X-Stytch-Member-Session header). An empty sessionToken makes Invite fail with a
// *ValidationError rather than fall back to the project's permissions.
func WithMemberSession(sessionToken string) InviteOption {
	return func(h *gen.MagicLinksEmailInviteParams) { h.XStytchMemberSession = &sessionToken }
}

// WithMemberSessionJWT runs the invite with the permissions of the member who owns sessionJWT (sent
// as the X-Stytch-Member-SessionJWT header). An empty sessionJWT makes Invite fail with a
// *ValidationError rather than fall back to the project's permissions.
func WithMemberSessionJWT(sessionJWT string) InviteOption {
	return func(h *gen.MagicLinksEmailInviteParams) { h.XStytchMemberSessionJWT = &sessionJWT }
}

// Invite emails an invitation to join the organization, creating the member with status invited.
// Inviting an active member fails. By default the call runs with the project's permissions; pass
// WithMemberSession or WithMemberSessionJWT to run it as a member.
//
// API: POST /v1/b2b/magic_links/email/invite
func (c *MagicLinksEmailClient) Invite(ctx context.Context, params *MagicLinksEmailInviteParams, opts ...InviteOption) (*MagicLinksEmailInviteResponse, error) {
	var h gen.MagicLinksEmailInviteParams
	for _, o := range opts {
		if o != nil {
			o(&h)
		}
	}
	// The spec gives both headers minLength 1: an empty one would be ignored and the invite would
	// run with the project's permissions instead of the member's.
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return call[MagicLinksEmailInviteResponse](ctx, c.t, params, func(r *http.Request) { h.ApplyTo(r) })
}

// Send emails a discovery magic link, which lets the person see and choose among the
// organizations they can join.
//
// API: POST /v1/b2b/magic_links/email/discovery/send
func (c *MagicLinksEmailDiscoveryClient) Send(ctx context.Context, params *MagicLinksEmailDiscoverySendParams) (*MagicLinksEmailDiscoverySendResponse, error) {
	return call[MagicLinksEmailDiscoverySendResponse](ctx, c.t, params, nil)
}

// Authenticate consumes a discovery magic link token and returns an intermediate session token
// with the organizations the email address can log in to or join.
//
// API: POST /v1/b2b/magic_links/discovery/authenticate
func (c *MagicLinksDiscoveryClient) Authenticate(ctx context.Context, params *MagicLinksDiscoveryAuthenticateParams) (*MagicLinksDiscoveryAuthenticateResponse, error) {
	return call[MagicLinksDiscoveryAuthenticateResponse](ctx, c.t, params, nil)
}
