// Package b2btest is a fake Stytch B2B API for testing code that uses package b2b, without a
// network or a Stytch project.
//
//	func TestLogin(t *testing.T) {
//		srv := b2btest.NewServer(t)                // closed when the test ends
//		srv.On(b2btest.MagicLinksAuthenticate).Fail(404, b2b.ErrorTypeMagicLinkNotFound)
//		err := myapp.Login(srv.Client(), "token-from-the-link")
//		var e *b2b.Error
//		require.ErrorAs(t, err, &e)
//		assert.Equal(t, b2b.ErrorTypeMagicLinkNotFound, e.ErrorType)
//	}
//
// The same fake runs as a standalone server for other languages and end-to-end suites: see
// cmd/stytch-fake, and the control API at ControlPath.
//
// # What the fake checks
//
// Every request is validated against the same OpenAPI description the SDK is generated from:
// method and path (after cleaning dot segments and doubled slashes, as a router does), HTTP Basic
// credentials, path parameters (after unescaping), body types, required fields, empty strings,
// ranges, enums and unknown fields. Like the real API it answers
//
//	401 unauthorized_credentials  no or malformed HTTP Basic credentials
//	404 route_not_found           no operation has this method and path
//	400 invalid_request           the request breaks the spec; error_message names every
//	                              offending field, error_details.violations lists them
//	413 invalid_request           the body is longer than MaxBodyBytes (1 MiB)
//
// # Operations with behavior
//
// These operations have stateful behavior, described below:
//
//	DiscoveryIntermediateSessionsExchange
//	DiscoveryOrganizationsCreate
//	DiscoveryOrganizationsList
//	ImpersonationAuthenticate
//	MagicLinksAuthenticate
//	MagicLinksDiscoveryAuthenticate
//	MagicLinksEmailDiscoverySend
//	MagicLinksEmailInvite
//	MagicLinksEmailLoginOrSignup
//	OAuthAuthenticate
//	OAuthDiscoveryAuthenticate
//	PasswordsSessionsReset
//	RecoveryCodesGet
//	RecoveryCodesRecover
//	RecoveryCodesRotate
//	SessionsAuthenticate
//	SessionsGetJWKS
//	SessionsRevoke
//
// Any other operation of the spec is validated like these and answered with a valid example of
// its 200 response built from the spec (every field set, package internal/specwalk), which
// remembers nothing. A test keeps this list in step with the code.
//
// # What the fake remembers
//
// Valid requests get answers that are valid against the spec's response schemas and consistent with
// the request and with earlier calls:
//
//   - Organizations and members exist on first sight: any organization_id or member_id asked for is
//     answered for, and stays the same afterwards. WithOrganization and WithMember add them up front,
//     with the policies and fields a test needs; organization_id may also be the slug or the
//     external ID, member_id the member's external ID. With Strict, unknown organizations,
//     members, tokens and sessions are the API's 404s instead (see Strict for the table).
//
//   - LoginOrSignup creates a pending member for a new email address; Invite creates or updates an
//     invited member with the name, roles and metadata given (inviting an active member fails with
//     400 member_already_active). These calls and discovery Send "send" an email: Emails returns them,
//     with the token the link carries.
//
//   - Single-use tokens (magic link, discovery magic link, OAuth, discovery OAuth, impersonation):
//     a token the fake has not seen is valid once, for a member derived from it; a token it minted
//     (in an email, or with Token) is valid once, for the member it was minted for, and expires as
//     the API's do: magic links after login_expiration_minutes, signup_expiration_minutes or
//     discovery_expiration_minutes (60 if not sent), invites after invite_expiration_minutes (a
//     week), impersonation tokens after 5 minutes; OAuth tokens last until used. Using a token
//     again, or after it expired, fails the way the API does:
//
//     404 magic_link_not_found           magic link and discovery magic link tokens
//     404 oauth_token_not_found          OAuth and discovery OAuth tokens
//     404 impersonation_token_not_found  impersonation tokens
//
//   - Authenticating makes the member active and starts a session: expires_at is now plus
//     session_duration_minutes (60 if not sent), session_custom_claims become the session's
//     custom_claims (a null value deletes a claim; reserved JWT claim names are ignored; claims
//     over 4 KB of JSON are 400 invalid_request, as the API limits them), roles are
//     the member's. Passing the member's own session_token or session_jwt extends that session
//     (an impersonated session is never extended: it ends 60 minutes after it started, as in the
//     API). An intermediate_session_token the fake issued adds its factor: the session gets both
//     once the organization's requirements are met, and the token is used up; while they are
//     not, the same token comes back.
//
//   - Sessions belong to the member and organization they were issued for. A session of another
//     member (or of the same person in another organization) passed to an authenticate call is
//     ignored, as the API documents: the member gets a session of their own and still meets MFA.
//     A session token the fake has not seen is adopted for the authenticating member (in Strict
//     mode it is 404 session_not_found); a revoked or expired session is 404 session_not_found.
//     Sending both session_token and session_jwt is 400 invalid_request, as in the API. A
//     password reset with a session of another organization than organization_id is 403
//     session_authorization_tenancy_error (the fake's choice: no source documents this case); one
//     whose newest factor is more than 5 minutes old is 400 session_too_old_to_reset_password, and,
//     as in the API, a reset revokes the member's other sessions.
//
//   - Member-session headers (X-Stytch-Member-Session, X-Stytch-Member-SessionJWT) must carry a
//     live session the fake issued, else 404 session_not_found; one of another organization than
//     the request's organization_id is 403 session_authorization_tenancy_error.
//
//   - MFA: when the organization's mfa_policy is REQUIRED_FOR_ALL or the member is mfa_enrolled, and
//     the member presents no session of their own, authenticate answers member_authenticated false
//     with an intermediate_session_token and mfa_required instead of a session (Script.MFARequired
//     forces this answer for one call). With the member's mfa_phone_number and default_mfa_method
//     sms_otp, mfa_required says an SMS code was sent.
//
//   - Primary authentication: an organization with auth_methods RESTRICTED whose
//     allowed_auth_methods leave out the method used (magic_link, google_oauth, password) answers
//     with primary_required and an intermediate session token, in authenticate and in discovery.
//
//   - Devices: a telemetry_id yields member_device, with visitor, IP and country details that are
//     new the first time the fake sees the ID.
//
//   - Recovery codes: a member gets a deterministic set of ten codes on first sight (RecoveryCodes.Get
//     shows them). Recover spends one and answers recovery_codes_remaining; an unknown or spent code
//     fails with 404 recovery_code_not_found. Rotate replaces the set; the old codes stop working.
//
//   - Discovery answers (discovery authenticate, and Discovery Organizations List with the
//     intermediate session token they issue) list the organizations where the email address has a
//     member, and those whose email_jit_provisioning is RESTRICTED to a domain it belongs to and
//     that already have a member with a verified address of that domain, as the API requires; List
//     with a session lists the member's memberships only. organization_id_hint names the
//     organization an intermediate session from an organization's login is tied to.
//
//   - Intermediate sessions: Exchange and Create take only intermediate session tokens the fake
//     issued and that have not expired (10 minutes) or been used, else 404
//     intermediate_session_not_found. Exchange joins an organization where the address has a
//     member, or whose email domain rules let it join (a new active member); any other is 404
//     member_not_found (the fake's choice). Create makes the organization (name and slug derived
//     from the address when not given; a slug or external ID already used is 400
//     invalid_request) and an active stytch_admin member. Both honour the organization's MFA
//     policy and auth methods: while they are unmet the answer is mfa_required or
//     primary_required with the same intermediate session token, which stays usable; otherwise the
//     token is used up and a session starts.
//
//   - Sessions Authenticate knows only sessions the fake issued (revoked or expired ones are 404
//     session_not_found, in every mode): session_duration_minutes extends the session (without it,
//     or for an impersonated session, the session is not extended), custom claims are merged, a fresh JWT is issued. With
//     authorization_check, stytch_admin grants every action, and a custom role of the organization
//     (Organization.CustomRoles) grants what its permissions list; else 403
//     session_authorization_error (403 session_authorization_tenancy_error for another
//     organization). Sessions Revoke ends one session (by member_session_id, token or JWT) or all
//     of a member's (member_id); revoked sessions stop working everywhere at once.
//
//   - Stytch's documented sandbox values (SandboxEmail, SandboxOrganizationID, SandboxTokenSuccess,
//     ...) give the answers the sandbox gives, and send no email.
//
// Answers are encoded as the API sends them: a nullable field the answer has no value for
// (member_session, mfa_required, primary_required, member_device, ...) is sent as null.
//
// # Session JWTs
//
// Session JWTs are signed with RS256 by a key of the server (made on first use, or given with
// WithSigningKey), with the header's kid and typ JWT, and carry the claims Stytch's do: iss
// stytch.com/<project ID of the request>, aud [<project ID>], sub (the member ID), iat, nbf, exp
// (five minutes), https://stytch.com/session (id, started_at, last_accessed_at, expires_at,
// attributes, authentication_factors, roles), https://stytch.com/organization (organization_id,
// slug) and the session's custom claims. The key set is served, without credentials, at
// JWKSPath+<project ID>, where the official SDKs fetch it, so standard JWT libraries and the
// SDKs' local verification accept the fake's JWTs. SigningKey returns the public key.
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
// replaced by gen.Redacted, so recorded requests are safe to print in test output. A request to no
// known route is recorded too, with every property that is secret in some operation redacted.
package b2btest
