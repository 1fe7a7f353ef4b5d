package b2b

import "context"

// ImpersonationClient groups the impersonation operations.
type ImpersonationClient struct{ x *executor }

// Authenticate exchanges a single-use impersonation token for a session of the member it was
// issued for. The session lasts 60 minutes and cannot be extended. The token is consumed, so a
// failed call is not retried once the request may have reached Stytch.
//
// API: POST /v1/b2b/impersonation/authenticate
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/impersonation/authenticate-token
func (c *ImpersonationClient) Authenticate(ctx context.Context, params *ImpersonationAuthenticateParams, opts ...CallOption) (*ImpersonationAuthenticateResponse, error) {
	return call[ImpersonationAuthenticateResponse](ctx, c.x, params, opts)
}
