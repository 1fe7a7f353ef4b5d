// Package b2btest is a fake Stytch B2B API for testing code that uses package b2b, without a
// network or a Stytch project.
//
//	func TestLogin(t *testing.T) {
//		srv := b2btest.NewServer(t)                // closed when the test ends
//		srv.On(b2btest.MagicLinksAuthenticate).Fail(404, "magic_link_not_found")
//		err := myapp.Login(srv.Client(), "token-from-the-link")
//		var e *b2b.Error
//		require.ErrorAs(t, err, &e)
//		assert.Equal(t, "magic_link_not_found", e.ErrorType)
//	}
//
// # What the fake checks
//
// Every request is validated against the same OpenAPI description the SDK is generated from:
// method and path, HTTP Basic credentials, path parameters (after unescaping), body types, required
// fields, empty strings, ranges, enums and unknown fields. Like the real API it answers
//
//	401 unauthorized_credentials  no or malformed HTTP Basic credentials
//	404 route_not_found           no operation has this method and path
//	400 invalid_request           the request breaks the spec; error_message names every
//	                              offending field, error_details.violations lists them
//
// # What the fake remembers
//
// Valid requests get answers that are valid against the spec's response schemas and consistent with
// the request and with earlier calls:
//
//   - Organizations and members exist on first sight: any organization_id or member_id asked for is
//     answered for, and stays the same afterwards. WithOrganization and WithMember add them up front,
//     with the policies and fields a test needs.
//
//   - LoginOrSignup creates a pending member for a new email address; Invite creates or updates an
//     invited member with the name, roles and metadata given (inviting an active member fails with
//     400 member_already_active). These calls and discovery Send "send" an email: Emails returns them,
//     with the token the link carries.
//
//   - Single-use tokens (magic link, discovery magic link, OAuth, discovery OAuth, impersonation):
//     a token the fake has not seen is valid once, for a member derived from it; a token it minted
//     (in an email, or with Token) is valid once, for the member it was minted for. Using a token
//     again fails the way the API does:
//
//     404 magic_link_not_found           magic link and discovery magic link tokens
//     404 oauth_token_not_found          OAuth and discovery OAuth tokens
//     404 impersonation_token_not_found  impersonation tokens
//
//   - Authenticating makes the member active and starts a session: expires_at is now plus
//     session_duration_minutes (60 if not sent), session_custom_claims become the session's
//     custom_claims (a null value deletes a claim), roles are the member's. Passing a session_token
//     or session_jwt the fake issued extends that session; one it has not seen is adopted.
//
//   - MFA: when the organization's mfa_policy is REQUIRED_FOR_ALL or the member is mfa_enrolled, and
//     no session is passed, authenticate answers member_authenticated false with an
//     intermediate_session_token and mfa_required instead of a session (Script.MFARequired forces
//     this answer for one call).
//
//   - Recovery codes: a member gets a deterministic set of ten codes on first sight (RecoveryCodes.Get
//     shows them). Recover spends one and answers recovery_codes_remaining; an unknown or spent code
//     fails with 404 recovery_code_not_found. Rotate replaces the set; the old codes stop working.
//
//   - Discovery answers list the organizations where the email address has a member, and those
//     whose email_jit_provisioning is RESTRICTED to a domain it belongs to.
//
// Session JWTs look like JWTs but are not signed; the fake is for code that stores or forwards them,
// not for code that verifies them.
//
// # Scripting failures
//
// On scripts the next answers of one operation: a Stytch error (Fail), a rate limit with
// Retry-After (RateLimit), a delay (Delay), an MFA-required answer (MFARequired), a connection
// dropped after the request was processed (DropConnection), or any JSON answer (RespondJSON).
// Times makes a scripted answer repeat. Scripts apply to valid requests only.
//
// # Inspecting requests
//
// Requests and RequestsFor return what the fake received: operation, method, path, headers and
// decoded body, with every secret the spec marks (x-stytch-secret) and the Authorization header
// replaced by gen.Redacted, so recorded requests are safe to print in test output.
package b2btest
