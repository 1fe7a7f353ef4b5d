package main

import (
	"context"
	"net/http"
	"strconv"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// The B2B sandbox values Stytch documents for its Test environment
// (https://stytch.com/docs/b2b/guides/testing/sandbox-values). With a Test project's credentials,
// a call that uses them sends no email and consumes nothing: the answer is a fixed sample. They
// cover the email magic link groups only; Stytch documents no B2B sandbox value for OAuth,
// impersonation, password resets or recovery codes.
//
//nolint:gosec // G101: published test values, which only Stytch's test environment accepts
const (
	// sandboxEmail makes login-or-signup, invite and discovery send answer 200 without sending.
	sandboxEmail = "sandbox@stytch.com"
	// sandboxOrganizationID goes with sandboxEmail in login-or-signup and invite.
	sandboxOrganizationID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
	// The magic link tokens, valid for both magic-link authenticate and discovery magic-link
	// authenticate, and the answers they get.
	sandboxTokenSuccess      = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=" // 200
	sandboxTokenUnableToAuth = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=" // 401 unable_to_auth_magic_link
	sandboxTokenNotFound     = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=" // 404 magic_link_not_found
)

// check is one sandbox call and the answer Stytch documents for it.
type check struct {
	// name identifies the check in the output: the operationId, "/", the documented status and,
	// for an error, "-" and the documented error type.
	name string
	op   gen.Operation
	// status and errorType are the documented answer; errorType is empty for a success.
	status    int
	errorType b2b.ErrorType
	// call makes the call with the SDK's typed method, so that the answer goes through the same
	// decoding as in users' code.
	call callFunc
}

// callFunc makes one call with the client, for the project whose credentials it has.
type callFunc func(ctx context.Context, c *b2b.Client, projectID string, opts ...b2b.CallOption) error

func newCheck(op gen.Operation, status int, errorType b2b.ErrorType, call callFunc) check {
	name := op.ID + "/" + strconv.Itoa(status)
	if errorType != "" {
		name += "-" + string(errorType)
	}
	return check{name: name, op: op, status: status, errorType: errorType, call: call}
}

// tokenAnswers are the documented answers of the three sandbox magic link tokens.
var tokenAnswers = []struct {
	token     string
	status    int
	errorType b2b.ErrorType
}{
	{sandboxTokenSuccess, http.StatusOK, ""},
	{sandboxTokenUnableToAuth, http.StatusUnauthorized, b2b.ErrorTypeUnableToAuthMagicLink},
	{sandboxTokenNotFound, http.StatusNotFound, b2b.ErrorTypeMagicLinkNotFound},
}

// probeChecks returns the calls of the probe, in the order it makes them: the one call that needs
// no sandbox value (the project's JWKS, which only reads), then every call the sandbox values make
// free of side effects: the sends, then each token on each authenticate operation.
func probeChecks() []check {
	checks := []check{
		newCheck(gen.OpSessionsGetJWKS, http.StatusOK, "", func(ctx context.Context, c *b2b.Client, projectID string, opts ...b2b.CallOption) error {
			_, err := c.Sessions.GetJWKS(ctx, &b2b.SessionsGetJWKSParams{ProjectID: projectID}, opts...)
			return err
		}),
		newCheck(gen.OpMagicLinksEmailLoginOrSignup, http.StatusOK, "", func(ctx context.Context, c *b2b.Client, _ string, opts ...b2b.CallOption) error {
			_, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{
				EmailAddress: sandboxEmail, OrganizationID: sandboxOrganizationID,
			}, opts...)
			return err
		}),
		newCheck(gen.OpMagicLinksEmailInvite, http.StatusOK, "", func(ctx context.Context, c *b2b.Client, _ string, opts ...b2b.CallOption) error {
			_, err := c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{
				EmailAddress: sandboxEmail, OrganizationID: sandboxOrganizationID,
			}, opts...)
			return err
		}),
		newCheck(gen.OpMagicLinksEmailDiscoverySend, http.StatusOK, "", func(ctx context.Context, c *b2b.Client, _ string, opts ...b2b.CallOption) error {
			_, err := c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: sandboxEmail}, opts...)
			return err
		}),
	}
	for _, a := range tokenAnswers {
		checks = append(checks, newCheck(gen.OpMagicLinksAuthenticate, a.status, a.errorType, func(ctx context.Context, c *b2b.Client, _ string, opts ...b2b.CallOption) error {
			_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: a.token}, opts...)
			return err
		}))
	}
	for _, a := range tokenAnswers {
		checks = append(checks, newCheck(gen.OpMagicLinksDiscoveryAuthenticate, a.status, a.errorType, func(ctx context.Context, c *b2b.Client, _ string, opts ...b2b.CallOption) error {
			_, err := c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: a.token}, opts...)
			return err
		}))
	}
	return checks
}
