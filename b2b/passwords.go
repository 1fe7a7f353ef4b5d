package b2b

import "context"

// PasswordsClient groups the password operations this SDK covers.
type PasswordsClient struct {
	// Sessions resets passwords with an existing member session.
	Sessions *PasswordsSessionsClient
}

// PasswordsSessionsClient resets passwords with an existing session.
type PasswordsSessionsClient struct{ x *executor }

// Reset sets a new password for the member who owns the session (SessionToken or SessionJWT).
// The session must hold a factor authenticated in the last five minutes. Every other session of
// the member is revoked.
//
// API: POST /v1/b2b/passwords/session/reset
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/passwords/create-or-reset-options/password-reset-by-session
func (c *PasswordsSessionsClient) Reset(ctx context.Context, params *PasswordsSessionsResetParams, opts ...CallOption) (*PasswordsSessionsResetResponse, error) {
	return call[PasswordsSessionsResetResponse](ctx, c.x, params, opts)
}
