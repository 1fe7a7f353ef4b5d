package b2b

import "context"

// OAuthClient groups the OAuth operations.
type OAuthClient struct {
	// Discovery authenticates discovery OAuth tokens.
	Discovery *OAuthDiscoveryClient

	x *executor
}

// OAuthDiscoveryClient authenticates discovery OAuth tokens.
type OAuthDiscoveryClient struct{ x *executor }

// Authenticate consumes the token Stytch issued at the end of an OAuth flow and logs the member
// in. As with magic links, MemberAuthenticated is false when MFA is still required, and also when
// the provider did not verify the email address (PrimaryRequired then says what to do).
//
// API: POST /v1/b2b/oauth/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/oauth/organization/authenticate
func (c *OAuthClient) Authenticate(ctx context.Context, params *OAuthAuthenticateParams, opts ...CallOption) (*OAuthAuthenticateResponse, error) {
	return call[OAuthAuthenticateResponse](ctx, c.x, params, opts)
}

// Authenticate consumes a discovery OAuth token and returns an intermediate session token with
// the organizations the person can log in to or join.
//
// API: POST /v1/b2b/oauth/discovery/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/oauth/discovery/authenticate
func (c *OAuthDiscoveryClient) Authenticate(ctx context.Context, params *OAuthDiscoveryAuthenticateParams, opts ...CallOption) (*OAuthDiscoveryAuthenticateResponse, error) {
	return call[OAuthDiscoveryAuthenticateResponse](ctx, c.x, params, opts)
}
