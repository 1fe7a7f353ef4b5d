package b2b

import "github.com/b2bauth/stytch-b2b-go/gen"

// Params and responses of the twelve operations. They are the models generated from the spec,
// re-exported here so callers import one package. Required fields are values; optional ones are
// pointers (use Ptr) or nil-able maps and slices, and are not sent when nil.
type (
	ImpersonationAuthenticateParams   = gen.ImpersonationAuthenticateRequest
	ImpersonationAuthenticateResponse = gen.ImpersonationAuthenticateResponse

	MagicLinksAuthenticateParams   = gen.MagicLinksAuthenticateRequest
	MagicLinksAuthenticateResponse = gen.MagicLinksAuthenticateResponse
	MagicLinksAuthenticateLocale   = gen.MagicLinksAuthenticateRequestLocale

	MagicLinksEmailLoginOrSignupParams   = gen.MagicLinksEmailLoginOrSignupRequest
	MagicLinksEmailLoginOrSignupResponse = gen.MagicLinksEmailLoginOrSignupResponse
	MagicLinksEmailLoginOrSignupLocale   = gen.MagicLinksEmailLoginOrSignupRequestLocale

	MagicLinksEmailInviteParams   = gen.MagicLinksEmailInviteRequest
	MagicLinksEmailInviteResponse = gen.MagicLinksEmailInviteResponse
	MagicLinksEmailInviteLocale   = gen.MagicLinksEmailInviteRequestLocale

	MagicLinksEmailDiscoverySendParams   = gen.MagicLinksEmailDiscoverySendRequest
	MagicLinksEmailDiscoverySendResponse = gen.MagicLinksEmailDiscoverySendResponse
	MagicLinksEmailDiscoverySendLocale   = gen.MagicLinksEmailDiscoverySendRequestLocale

	MagicLinksDiscoveryAuthenticateParams   = gen.MagicLinksDiscoveryAuthenticateRequest
	MagicLinksDiscoveryAuthenticateResponse = gen.MagicLinksDiscoveryAuthenticateResponse

	OAuthAuthenticateParams   = gen.OAuthAuthenticateRequest
	OAuthAuthenticateResponse = gen.OAuthAuthenticateResponse
	OAuthAuthenticateLocale   = gen.OAuthAuthenticateRequestLocale

	OAuthDiscoveryAuthenticateParams   = gen.OAuthDiscoveryAuthenticateRequest
	OAuthDiscoveryAuthenticateResponse = gen.OAuthDiscoveryAuthenticateResponse

	PasswordsSessionsResetParams   = gen.PasswordsSessionsResetRequest
	PasswordsSessionsResetResponse = gen.PasswordsSessionsResetResponse
	PasswordsSessionsResetLocale   = gen.PasswordsSessionsResetRequestLocale

	RecoveryCodesGetParams       = gen.RecoveryCodesGetRequest
	RecoveryCodesGetResponse     = gen.RecoveryCodesGetResponse
	RecoveryCodesRecoverParams   = gen.RecoveryCodesRecoverRequest
	RecoveryCodesRecoverResponse = gen.RecoveryCodesRecoverResponse
	RecoveryCodesRotateParams    = gen.RecoveryCodesRotateRequest
	RecoveryCodesRotateResponse  = gen.RecoveryCodesRotateResponse
)

// Objects shared by the responses.
type (
	Member                         = gen.Member
	Organization                   = gen.Organization
	MemberSession                  = gen.MemberSession
	AuthenticationFactor           = gen.AuthenticationFactor
	MFARequired                    = gen.MFARequired
	MemberOptions                  = gen.MemberOptions
	PrimaryRequired                = gen.PrimaryRequired
	DeviceInfo                     = gen.DeviceInfo
	DeviceAttributeDetails         = gen.DeviceAttributeDetails
	DiscoveredOrganization         = gen.DiscoveredOrganization
	Membership                     = gen.Membership
	ProviderValues                 = gen.ProviderValues
	RetiredEmail                   = gen.RetiredEmail
	SSORegistration                = gen.SSORegistration
	OAuthRegistration              = gen.OAuthRegistration
	MemberRole                     = gen.MemberRole
	MemberRoleSource               = gen.MemberRoleSource
	SCIMRegistration               = gen.SCIMRegistration
	SCIMAttributes                 = gen.SCIMAttributes
	SCIMGroup                      = gen.SCIMGroup
	SCIMMultiValue                 = gen.SCIMMultiValue
	SCIMAddress                    = gen.SCIMAddress
	SCIMName                       = gen.SCIMName
	SCIMEnterpriseExtension        = gen.SCIMEnterpriseExtension
	SCIMManager                    = gen.SCIMManager
	ActiveSSOConnection            = gen.ActiveSSOConnection
	ActiveSCIMConnection           = gen.ActiveSCIMConnection
	EmailImplicitRoleAssignment    = gen.EmailImplicitRoleAssignment
	CustomRole                     = gen.CustomRole
	CustomRolePermission           = gen.CustomRolePermission
	EmailFactor                    = gen.EmailFactor
	PhoneNumberFactor              = gen.PhoneNumberFactor
	OAuthProviderFactor            = gen.OAuthProviderFactor
	OAuthExchangeFactor            = gen.OAuthExchangeFactor
	SSOFactor                      = gen.SSOFactor
	AuthenticatorAppFactor         = gen.AuthenticatorAppFactor
	RecoveryCodeFactor             = gen.RecoveryCodeFactor
	WebAuthnFactor                 = gen.WebAuthnFactor
	CryptoWalletFactor             = gen.CryptoWalletFactor
	EmbeddableMagicLinkFactor      = gen.EmbeddableMagicLinkFactor
	BiometricFactor                = gen.BiometricFactor
	ImpersonatedFactor             = gen.ImpersonatedFactor
	OAuthAccessTokenExchangeFactor = gen.OAuthAccessTokenExchangeFactor
	TrustedAuthTokenFactor         = gen.TrustedAuthTokenFactor
)

// ValidationError reports a params field that breaks a rule of the spec (required, range, enum,
// path segment). Nothing is sent when a call returns one. Several violations are joined with
// errors.Join; errors.As finds the first.
type ValidationError = gen.ValidationError

// RetryClass says which failures of an operation are retried; it comes from the spec.
type RetryClass = gen.RetryClass

// Operation describes one API operation as the spec declares it (ID, method, path, retry class).
type Operation = gen.Operation

// Ptr returns a pointer to v, for optional params fields: Ptr(int32(60)), Ptr("https://...").
func Ptr[T any](v T) *T { return &v }
