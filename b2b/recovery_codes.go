package b2b

import "context"

// RecoveryCodesClient groups the MFA recovery code operations.
type RecoveryCodesClient struct{ x *executor }

// Get returns the member's current recovery codes. It only reads, so failures such as a dropped
// connection or a 5xx are retried. Both IDs are escaped into the request path (any value is
// safe); "", "." and ".." are refused with a *ValidationError before anything is sent.
//
// API: GET /v1/b2b/recovery_codes/{organization_id}/{member_id}
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/mfa/recovery-codes/get-recovery-codes
func (c *RecoveryCodesClient) Get(ctx context.Context, params *RecoveryCodesGetParams, opts ...CallOption) (*RecoveryCodesGetResponse, error) {
	return call[RecoveryCodesGetResponse](ctx, c.x, params, opts)
}

// Recover completes MFA with one of the member's recovery codes, which is used up, and returns a
// session. RecoveryCodesRemaining says how many codes are left.
//
// API: POST /v1/b2b/recovery_codes/recover
// Stytch API docs: https://stytch.com/docs/api-reference/b2b/api/mfa/recovery-codes/recover
func (c *RecoveryCodesClient) Recover(ctx context.Context, params *RecoveryCodesRecoverParams, opts ...CallOption) (*RecoveryCodesRecoverResponse, error) {
	return call[RecoveryCodesRecoverResponse](ctx, c.x, params, opts)
}

// Rotate replaces all of the member's recovery codes with a new set; the old ones stop working.
//
// API: POST /v1/b2b/recovery_codes/rotate
// Stytch API docs: https://stytch.com/docs/b2b/api/recovery-codes-rotate
func (c *RecoveryCodesClient) Rotate(ctx context.Context, params *RecoveryCodesRotateParams, opts ...CallOption) (*RecoveryCodesRotateResponse, error) {
	return call[RecoveryCodesRotateResponse](ctx, c.x, params, opts)
}
