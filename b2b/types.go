package b2b

import "github.com/b2bauth/stytch-b2b-go/gen"

// Params and responses of the twelve operations. They are the models generated from the spec,
// re-exported here so callers import one package. Required fields are values; optional ones are
// pointers (use Ptr) or nil-able maps and slices, and are not sent when nil. Params and responses
// redact their secrets when printed with fmt or logged with log/slog.
type (
	// ImpersonationAuthenticateParams are the params of ImpersonationClient.Authenticate.
	ImpersonationAuthenticateParams = gen.ImpersonationAuthenticateRequest
	// ImpersonationAuthenticateResponse is the answer of ImpersonationClient.Authenticate.
	ImpersonationAuthenticateResponse = gen.ImpersonationAuthenticateResponse

	// MagicLinksAuthenticateParams are the params of MagicLinksClient.Authenticate.
	MagicLinksAuthenticateParams = gen.MagicLinksAuthenticateRequest
	// MagicLinksAuthenticateResponse is the answer of MagicLinksClient.Authenticate.
	MagicLinksAuthenticateResponse = gen.MagicLinksAuthenticateResponse
	// MagicLinksAuthenticateLocale is the language of the MFA passcode message that
	// MagicLinksClient.Authenticate may send ("en", "es", "pt-br", "fr").
	MagicLinksAuthenticateLocale = gen.MagicLinksAuthenticateRequestLocale

	// MagicLinksEmailLoginOrSignupParams are the params of MagicLinksEmailClient.LoginOrSignup.
	MagicLinksEmailLoginOrSignupParams = gen.MagicLinksEmailLoginOrSignupRequest
	// MagicLinksEmailLoginOrSignupResponse is the answer of MagicLinksEmailClient.LoginOrSignup.
	MagicLinksEmailLoginOrSignupResponse = gen.MagicLinksEmailLoginOrSignupResponse
	// MagicLinksEmailLoginOrSignupLocale is the language of the login or signup email.
	MagicLinksEmailLoginOrSignupLocale = gen.MagicLinksEmailLoginOrSignupRequestLocale

	// MagicLinksEmailInviteParams are the params of MagicLinksEmailClient.Invite.
	MagicLinksEmailInviteParams = gen.MagicLinksEmailInviteRequest
	// MagicLinksEmailInviteResponse is the answer of MagicLinksEmailClient.Invite.
	MagicLinksEmailInviteResponse = gen.MagicLinksEmailInviteResponse
	// MagicLinksEmailInviteLocale is the language of the invite email.
	MagicLinksEmailInviteLocale = gen.MagicLinksEmailInviteRequestLocale

	// MagicLinksEmailDiscoverySendParams are the params of MagicLinksEmailDiscoveryClient.Send.
	MagicLinksEmailDiscoverySendParams = gen.MagicLinksEmailDiscoverySendRequest
	// MagicLinksEmailDiscoverySendResponse is the answer of MagicLinksEmailDiscoveryClient.Send.
	MagicLinksEmailDiscoverySendResponse = gen.MagicLinksEmailDiscoverySendResponse
	// MagicLinksEmailDiscoverySendLocale is the language of the discovery email.
	MagicLinksEmailDiscoverySendLocale = gen.MagicLinksEmailDiscoverySendRequestLocale

	// MagicLinksDiscoveryAuthenticateParams are the params of MagicLinksDiscoveryClient.Authenticate.
	MagicLinksDiscoveryAuthenticateParams = gen.MagicLinksDiscoveryAuthenticateRequest
	// MagicLinksDiscoveryAuthenticateResponse is the answer of
	// MagicLinksDiscoveryClient.Authenticate.
	MagicLinksDiscoveryAuthenticateResponse = gen.MagicLinksDiscoveryAuthenticateResponse

	// OAuthAuthenticateParams are the params of OAuthClient.Authenticate.
	OAuthAuthenticateParams = gen.OAuthAuthenticateRequest
	// OAuthAuthenticateResponse is the answer of OAuthClient.Authenticate.
	OAuthAuthenticateResponse = gen.OAuthAuthenticateResponse
	// OAuthAuthenticateLocale is the language of the MFA passcode message that
	// OAuthClient.Authenticate may send.
	OAuthAuthenticateLocale = gen.OAuthAuthenticateRequestLocale

	// OAuthDiscoveryAuthenticateParams are the params of OAuthDiscoveryClient.Authenticate.
	OAuthDiscoveryAuthenticateParams = gen.OAuthDiscoveryAuthenticateRequest
	// OAuthDiscoveryAuthenticateResponse is the answer of OAuthDiscoveryClient.Authenticate.
	OAuthDiscoveryAuthenticateResponse = gen.OAuthDiscoveryAuthenticateResponse

	// PasswordsSessionsResetParams are the params of PasswordsSessionsClient.Reset.
	PasswordsSessionsResetParams = gen.PasswordsSessionsResetRequest
	// PasswordsSessionsResetResponse is the answer of PasswordsSessionsClient.Reset.
	PasswordsSessionsResetResponse = gen.PasswordsSessionsResetResponse
	// PasswordsSessionsResetLocale is the language of the MFA passcode message that
	// PasswordsSessionsClient.Reset may send.
	PasswordsSessionsResetLocale = gen.PasswordsSessionsResetRequestLocale

	// RecoveryCodesGetParams are the params of RecoveryCodesClient.Get: the two path parameters.
	RecoveryCodesGetParams = gen.RecoveryCodesGetRequest
	// RecoveryCodesGetResponse is the answer of RecoveryCodesClient.Get.
	RecoveryCodesGetResponse = gen.RecoveryCodesGetResponse
	// RecoveryCodesRecoverParams are the params of RecoveryCodesClient.Recover.
	RecoveryCodesRecoverParams = gen.RecoveryCodesRecoverRequest
	// RecoveryCodesRecoverResponse is the answer of RecoveryCodesClient.Recover.
	RecoveryCodesRecoverResponse = gen.RecoveryCodesRecoverResponse
	// RecoveryCodesRotateParams are the params of RecoveryCodesClient.Rotate.
	RecoveryCodesRotateParams = gen.RecoveryCodesRotateRequest
	// RecoveryCodesRotateResponse is the answer of RecoveryCodesClient.Rotate.
	RecoveryCodesRotateResponse = gen.RecoveryCodesRotateResponse
)

// Objects shared by the responses. Each is described in the spec's components.
type (
	// Member is a user's membership record within one organization.
	Member = gen.Member
	// Organization is a Stytch B2B organization and its authentication policies.
	Organization = gen.Organization
	// MemberSession is an authenticated member session. CustomClaims decodes its custom claims.
	MemberSession = gen.MemberSession
	// AuthenticationFactor is one factor proven in a session; at most one of its *Factor fields is
	// set, matching its type and delivery method.
	AuthenticationFactor = gen.AuthenticationFactor
	// MFARequired says what a member still has to do to finish MFA.
	MFARequired = gen.MFARequired
	// MemberOptions lists the MFA methods a member has registered.
	MemberOptions = gen.MemberOptions
	// PrimaryRequired names the primary authentication a member must still complete.
	PrimaryRequired = gen.PrimaryRequired
	// DeviceInfo holds device fingerprinting results for a request.
	DeviceInfo = gen.DeviceInfo
	// DeviceAttributeDetails says whether a device attribute is new for the member and when it
	// was seen.
	DeviceAttributeDetails = gen.DeviceAttributeDetails
	// DiscoveredOrganization is an organization found during discovery and the user's standing in
	// it.
	DiscoveredOrganization = gen.DiscoveredOrganization
	// Membership is the user's relationship to a discovered organization.
	Membership = gen.Membership
	// ProviderValues holds the credentials and scopes returned by an OAuth provider.
	ProviderValues = gen.ProviderValues
	// RetiredEmail is an email address a member no longer uses.
	RetiredEmail = gen.RetiredEmail
	// SSORegistration links a member to an identity at an SSO connection.
	SSORegistration = gen.SSORegistration
	// OAuthRegistration links a member to an OAuth provider identity.
	OAuthRegistration = gen.OAuthRegistration
	// MemberRole is a role held by a member, with the reasons it was granted.
	MemberRole = gen.MemberRole
	// MemberRoleSource is one reason a member has a role.
	MemberRoleSource = gen.MemberRoleSource
	// SCIMRegistration links a member to a SCIM-provisioned user.
	SCIMRegistration = gen.SCIMRegistration
	// SCIMAttributes holds SCIM 2.0 core and enterprise user attributes.
	SCIMAttributes = gen.SCIMAttributes
	// SCIMGroup is a SCIM group membership.
	SCIMGroup = gen.SCIMGroup
	// SCIMMultiValue is a SCIM multi-valued entry (emails, phone numbers, photos, roles, ...).
	SCIMMultiValue = gen.SCIMMultiValue
	// SCIMAddress is a SCIM postal address.
	SCIMAddress = gen.SCIMAddress
	// SCIMName is a SCIM structured name.
	SCIMName = gen.SCIMName
	// SCIMEnterpriseExtension holds the SCIM enterprise user extension attributes.
	SCIMEnterpriseExtension = gen.SCIMEnterpriseExtension
	// SCIMManager refers to a SCIM user's manager.
	SCIMManager = gen.SCIMManager
	// ActiveSSOConnection summarises an enabled SSO connection.
	ActiveSSOConnection = gen.ActiveSSOConnection
	// ActiveSCIMConnection summarises the enabled SCIM connection.
	ActiveSCIMConnection = gen.ActiveSCIMConnection
	// EmailImplicitRoleAssignment grants a role to every member with a verified email address in
	// a domain.
	EmailImplicitRoleAssignment = gen.EmailImplicitRoleAssignment
	// CustomRole is a role defined for one organization.
	CustomRole = gen.CustomRole
	// CustomRolePermission lists the actions a role may perform on one resource.
	CustomRolePermission = gen.CustomRolePermission
	// EmailFactor describes an email-based authentication factor.
	EmailFactor = gen.EmailFactor
	// PhoneNumberFactor describes a phone-based authentication factor.
	PhoneNumberFactor = gen.PhoneNumberFactor
	// OAuthProviderFactor describes an OAuth factor (the same shape for every provider).
	OAuthProviderFactor = gen.OAuthProviderFactor
	// OAuthExchangeFactor describes an OAuth token exchange factor.
	OAuthExchangeFactor = gen.OAuthExchangeFactor
	// SSOFactor describes a SAML or OIDC SSO factor.
	SSOFactor = gen.SSOFactor
	// AuthenticatorAppFactor describes an authenticator app (TOTP) factor.
	AuthenticatorAppFactor = gen.AuthenticatorAppFactor
	// RecoveryCodeFactor describes a recovery code factor.
	RecoveryCodeFactor = gen.RecoveryCodeFactor
	// WebAuthnFactor describes a WebAuthn factor.
	WebAuthnFactor = gen.WebAuthnFactor
	// CryptoWalletFactor describes a crypto wallet factor.
	CryptoWalletFactor = gen.CryptoWalletFactor
	// EmbeddableMagicLinkFactor describes an embeddable magic link factor.
	EmbeddableMagicLinkFactor = gen.EmbeddableMagicLinkFactor
	// BiometricFactor describes a biometric factor.
	BiometricFactor = gen.BiometricFactor
	// ImpersonatedFactor describes an impersonation factor.
	ImpersonatedFactor = gen.ImpersonatedFactor
	// OAuthAccessTokenExchangeFactor describes an OAuth access token exchange factor.
	OAuthAccessTokenExchangeFactor = gen.OAuthAccessTokenExchangeFactor
	// TrustedAuthTokenFactor describes a trusted auth token factor.
	TrustedAuthTokenFactor = gen.TrustedAuthTokenFactor
)

// ValidationError reports a params field that breaks a rule of the spec (required, range, enum,
// path segment). Nothing is sent when a call returns one. Several violations are joined with
// errors.Join; errors.As finds the first.
type ValidationError = gen.ValidationError

// RetryClass says which failures of an operation are retried; it comes from the spec's
// x-stytch-retry extension.
type RetryClass = gen.RetryClass

// The retry classes of the operations.
const (
	// RetrySafe is the class of operations that only read (RecoveryCodesClient.Get): network
	// errors, 429 and 5xx answers are retried.
	RetrySafe = gen.RetrySafe
	// RetryUnsent is the class of operations that consume a single-use token or code or send
	// email: only 429 answers and failures before the request left the machine are retried.
	RetryUnsent = gen.RetryUnsent
)

// Operation describes one API operation as the spec declares it (ID, method, path, retry class).
// Every params type has an Operation method returning its operation.
type Operation = gen.Operation

// Ptr returns a pointer to a copy of v, for optional params fields: Ptr(int32(60)),
// Ptr("https://..."), Ptr(MagicLinksAuthenticateLocale("es")).
func Ptr[T any](v T) *T { return &v }
