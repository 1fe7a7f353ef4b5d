package bench

import "time"

// The baseline's own types: what a hand-written client declares to call the same three operations.
// They mirror the response types of package gen (same Go types, same JSON names) for every field
// the bodies in testdata/ carry, so both sides of a benchmark decode the same data into the same
// shapes and the comparison measures the client, not a smaller struct.
//
// They are kept by hand on purpose, as an independent oracle (TESTING.md, "Independent oracles"):
// a field the spec gains needs no edit here, as long as the bodies do not carry it (then neither
// side decodes it; TestFixtures/complete logs it as not measured). TestFixtures fails, naming the
// field and this file, when the spec drops, renames or retypes a field these types have, or when
// a body carries a member these types lack; TestBaselineAndSDKDoTheSameWork checks that both
// clients decode every member of the bodies.

type plainActiveSCIMConnection struct {
	BearerTokenExpiresAt *time.Time `json:"bearer_token_expires_at,omitempty"`
	BearerTokenLastFour  string     `json:"bearer_token_last_four"`
	ConnectionID         string     `json:"connection_id"`
	DisplayName          string     `json:"display_name"`
}

type plainActiveSSOConnection struct {
	ConnectionID     string `json:"connection_id"`
	DisplayName      string `json:"display_name"`
	IdentityProvider string `json:"identity_provider"`
}

type plainAuthenticationFactor struct {
	AmazonOAuthFactor              *plainOAuthProviderFactor            `json:"amazon_oauth_factor,omitempty"`
	AppleOAuthFactor               *plainOAuthProviderFactor            `json:"apple_oauth_factor,omitempty"`
	AuthenticatorAppFactor         *plainAuthenticatorAppFactor         `json:"authenticator_app_factor,omitempty"`
	BiometricFactor                *plainBiometricFactor                `json:"biometric_factor,omitempty"`
	BitbucketOAuthFactor           *plainOAuthProviderFactor            `json:"bitbucket_oauth_factor,omitempty"`
	CoinbaseOAuthFactor            *plainOAuthProviderFactor            `json:"coinbase_oauth_factor,omitempty"`
	CreatedAt                      *time.Time                           `json:"created_at,omitempty"`
	CryptoWalletFactor             *plainCryptoWalletFactor             `json:"crypto_wallet_factor,omitempty"`
	DeliveryMethod                 string                               `json:"delivery_method"`
	DiscordOAuthFactor             *plainOAuthProviderFactor            `json:"discord_oauth_factor,omitempty"`
	EmailFactor                    *plainEmailFactor                    `json:"email_factor,omitempty"`
	EmbeddableMagicLinkFactor      *plainEmbeddableMagicLinkFactor      `json:"embeddable_magic_link_factor,omitempty"`
	FacebookOAuthFactor            *plainOAuthProviderFactor            `json:"facebook_oauth_factor,omitempty"`
	FigmaOAuthFactor               *plainOAuthProviderFactor            `json:"figma_oauth_factor,omitempty"`
	GitLabOAuthFactor              *plainOAuthProviderFactor            `json:"git_lab_oauth_factor,omitempty"`
	GithubOAuthExchangeFactor      *plainOAuthExchangeFactor            `json:"github_oauth_exchange_factor,omitempty"`
	GithubOAuthFactor              *plainOAuthProviderFactor            `json:"github_oauth_factor,omitempty"`
	GoogleOAuthExchangeFactor      *plainOAuthExchangeFactor            `json:"google_oauth_exchange_factor,omitempty"`
	GoogleOAuthFactor              *plainOAuthProviderFactor            `json:"google_oauth_factor,omitempty"`
	HubspotOAuthExchangeFactor     *plainOAuthExchangeFactor            `json:"hubspot_oauth_exchange_factor,omitempty"`
	HubspotOAuthFactor             *plainOAuthProviderFactor            `json:"hubspot_oauth_factor,omitempty"`
	ImpersonatedFactor             *plainImpersonatedFactor             `json:"impersonated_factor,omitempty"`
	InstagramOAuthFactor           *plainOAuthProviderFactor            `json:"instagram_oauth_factor,omitempty"`
	LastAuthenticatedAt            *time.Time                           `json:"last_authenticated_at,omitempty"`
	LinkedInOAuthFactor            *plainOAuthProviderFactor            `json:"linked_in_oauth_factor,omitempty"`
	MicrosoftOAuthFactor           *plainOAuthProviderFactor            `json:"microsoft_oauth_factor,omitempty"`
	OAuthAccessTokenExchangeFactor *plainOAuthAccessTokenExchangeFactor `json:"oauth_access_token_exchange_factor,omitempty"`
	OidcSSOFactor                  *plainSSOFactor                      `json:"oidc_sso_factor,omitempty"`
	PhoneNumberFactor              *plainPhoneNumberFactor              `json:"phone_number_factor,omitempty"`
	RecoveryCodeFactor             *plainRecoveryCodeFactor             `json:"recovery_code_factor,omitempty"`
	SalesforceOAuthFactor          *plainOAuthProviderFactor            `json:"salesforce_oauth_factor,omitempty"`
	SamlSSOFactor                  *plainSSOFactor                      `json:"saml_sso_factor,omitempty"`
	ShopifyOAuthFactor             *plainOAuthProviderFactor            `json:"shopify_oauth_factor,omitempty"`
	SlackOAuthExchangeFactor       *plainOAuthExchangeFactor            `json:"slack_oauth_exchange_factor,omitempty"`
	SlackOAuthFactor               *plainOAuthProviderFactor            `json:"slack_oauth_factor,omitempty"`
	SnapchatOAuthFactor            *plainOAuthProviderFactor            `json:"snapchat_oauth_factor,omitempty"`
	SpotifyOAuthFactor             *plainOAuthProviderFactor            `json:"spotify_oauth_factor,omitempty"`
	SteamOAuthFactor               *plainOAuthProviderFactor            `json:"steam_oauth_factor,omitempty"`
	TikTokOAuthFactor              *plainOAuthProviderFactor            `json:"tik_tok_oauth_factor,omitempty"`
	TrustedAuthTokenFactor         *plainTrustedAuthTokenFactor         `json:"trusted_auth_token_factor,omitempty"`
	TwitchOAuthFactor              *plainOAuthProviderFactor            `json:"twitch_oauth_factor,omitempty"`
	TwitterOAuthFactor             *plainOAuthProviderFactor            `json:"twitter_oauth_factor,omitempty"`
	Type                           string                               `json:"type"`
	UpdatedAt                      *time.Time                           `json:"updated_at,omitempty"`
	WebauthnFactor                 *plainWebAuthnFactor                 `json:"webauthn_factor,omitempty"`
	YahooOAuthFactor               *plainOAuthProviderFactor            `json:"yahoo_oauth_factor,omitempty"`
}

type plainAuthenticatorAppFactor struct {
	TOTPID string `json:"totp_id"`
}

type plainBiometricFactor struct {
	BiometricRegistrationID string `json:"biometric_registration_id"`
}

type plainCryptoWalletFactor struct {
	CryptoWalletAddress string `json:"crypto_wallet_address"`
	CryptoWalletID      string `json:"crypto_wallet_id"`
	CryptoWalletType    string `json:"crypto_wallet_type"`
}

type plainCustomRole struct {
	Description string                      `json:"description"`
	Permissions []plainCustomRolePermission `json:"permissions"`
	RoleID      string                      `json:"role_id"`
}

type plainCustomRolePermission struct {
	Actions    []string `json:"actions"`
	ResourceID string   `json:"resource_id"`
}

type plainDeviceAttributeDetails struct {
	FirstSeenAt *time.Time `json:"first_seen_at,omitempty"`
	IsNew       bool       `json:"is_new"`
	LastSeenAt  *time.Time `json:"last_seen_at,omitempty"`
}

type plainDeviceInfo struct {
	IPAddress           string                       `json:"ip_address"`
	IPAddressDetails    *plainDeviceAttributeDetails `json:"ip_address_details,omitempty"`
	IPGeoCity           string                       `json:"ip_geo_city"`
	IPGeoCountry        string                       `json:"ip_geo_country"`
	IPGeoCountryDetails *plainDeviceAttributeDetails `json:"ip_geo_country_details,omitempty"`
	IPGeoRegion         string                       `json:"ip_geo_region"`
	VisitorID           string                       `json:"visitor_id"`
	VisitorIDDetails    *plainDeviceAttributeDetails `json:"visitor_id_details,omitempty"`
}

type plainEmailFactor struct {
	EmailAddress string `json:"email_address"`
	EmailID      string `json:"email_id"`
}

type plainEmailImplicitRoleAssignment struct {
	Domain string `json:"domain"`
	RoleID string `json:"role_id"`
}

type plainEmbeddableMagicLinkFactor struct {
	EmbeddedID string `json:"embedded_id"`
}

type plainImpersonatedFactor struct {
	ImpersonatorEmailAddress string `json:"impersonator_email_address"`
	ImpersonatorID           string `json:"impersonator_id"`
}

type plainMFARequired struct {
	MemberOptions          *plainMemberOptions `json:"member_options,omitempty"`
	SecondaryAuthInitiated *string             `json:"secondary_auth_initiated,omitempty"`
}

type plainMagicLinksAuthenticateRequest struct {
	IntermediateSessionToken *string                `json:"intermediate_session_token,omitempty"`
	Locale                   *string                `json:"locale,omitempty"`
	MagicLinksToken          string                 `json:"magic_links_token"`
	PKCECodeVerifier         *string                `json:"pkce_code_verifier,omitempty"`
	SessionCustomClaims      map[string]interface{} `json:"session_custom_claims,omitempty"`
	SessionDurationMinutes   *int32                 `json:"session_duration_minutes,omitempty"`
	SessionJWT               *string                `json:"session_jwt,omitempty"`
	SessionToken             *string                `json:"session_token,omitempty"`
	TelemetryID              *string                `json:"telemetry_id,omitempty"`
}

type plainMagicLinksAuthenticateResponse struct {
	IntermediateSessionToken          string                `json:"intermediate_session_token"`
	IntermediateSessionTokenExpiresAt *time.Time            `json:"intermediate_session_token_expires_at,omitempty"`
	Member                            plainMember           `json:"member"`
	MemberAuthenticated               bool                  `json:"member_authenticated"`
	MemberDevice                      *plainDeviceInfo      `json:"member_device,omitempty"`
	MemberID                          string                `json:"member_id"`
	MemberSession                     *plainMemberSession   `json:"member_session,omitempty"`
	MethodID                          string                `json:"method_id"`
	MFARequired                       *plainMFARequired     `json:"mfa_required,omitempty"`
	Organization                      plainOrganization     `json:"organization"`
	OrganizationID                    string                `json:"organization_id"`
	PrimaryRequired                   *plainPrimaryRequired `json:"primary_required,omitempty"`
	RequestID                         string                `json:"request_id"`
	ResetSessions                     bool                  `json:"reset_sessions"`
	SessionJWT                        string                `json:"session_jwt"`
	SessionToken                      string                `json:"session_token"`
	StatusCode                        int32                 `json:"status_code"`
}

type plainMagicLinksEmailDiscoverySendRequest struct {
	DiscoveryExpirationMinutes *int32  `json:"discovery_expiration_minutes,omitempty"`
	DiscoveryRedirectURL       *string `json:"discovery_redirect_url,omitempty"`
	EmailAddress               string  `json:"email_address"`
	Locale                     *string `json:"locale,omitempty"`
	LoginTemplateID            *string `json:"login_template_id,omitempty"`
	PKCECodeChallenge          *string `json:"pkce_code_challenge,omitempty"`
}

type plainMagicLinksEmailDiscoverySendResponse struct {
	RequestID  string `json:"request_id"`
	StatusCode int32  `json:"status_code"`
}

type plainMember struct {
	CreatedAt              *time.Time               `json:"created_at,omitempty"`
	DefaultMFAMethod       string                   `json:"default_mfa_method"`
	EmailAddress           string                   `json:"email_address"`
	EmailAddressVerified   bool                     `json:"email_address_verified"`
	ExternalID             string                   `json:"external_id"`
	IsAdmin                bool                     `json:"is_admin"`
	IsBreakglass           bool                     `json:"is_breakglass"`
	IsLocked               bool                     `json:"is_locked"`
	LockCreatedAt          *time.Time               `json:"lock_created_at,omitempty"`
	LockExpiresAt          *time.Time               `json:"lock_expires_at,omitempty"`
	MemberID               string                   `json:"member_id"`
	MemberPasswordID       string                   `json:"member_password_id"`
	MFAEnrolled            bool                     `json:"mfa_enrolled"`
	MFAPhoneNumber         string                   `json:"mfa_phone_number"`
	MFAPhoneNumberVerified bool                     `json:"mfa_phone_number_verified"`
	Name                   string                   `json:"name"`
	OAuthRegistrations     []plainOAuthRegistration `json:"oauth_registrations"`
	OrganizationID         string                   `json:"organization_id"`
	RetiredEmailAddresses  []plainRetiredEmail      `json:"retired_email_addresses"`
	Roles                  []plainMemberRole        `json:"roles"`
	SCIMRegistration       *plainSCIMRegistration   `json:"scim_registration,omitempty"`
	SSORegistrations       []plainSSORegistration   `json:"sso_registrations"`
	Status                 string                   `json:"status"`
	TOTPRegistrationID     string                   `json:"totp_registration_id"`
	TrustedMetadata        map[string]interface{}   `json:"trusted_metadata"`
	UntrustedMetadata      map[string]interface{}   `json:"untrusted_metadata"`
	UpdatedAt              *time.Time               `json:"updated_at,omitempty"`
}

type plainMemberOptions struct {
	MFAPhoneNumber     string `json:"mfa_phone_number"`
	TOTPRegistrationID string `json:"totp_registration_id"`
}

type plainMemberRole struct {
	RoleID  string                  `json:"role_id"`
	Sources []plainMemberRoleSource `json:"sources"`
}

type plainMemberRoleSource struct {
	Details map[string]interface{} `json:"details"`
	Type    string                 `json:"type"`
}

type plainMemberSession struct {
	AuthenticationFactors []plainAuthenticationFactor `json:"authentication_factors"`
	CustomClaims          map[string]interface{}      `json:"custom_claims"`
	ExpiresAt             *time.Time                  `json:"expires_at,omitempty"`
	LastAccessedAt        *time.Time                  `json:"last_accessed_at,omitempty"`
	MemberID              string                      `json:"member_id"`
	MemberSessionID       string                      `json:"member_session_id"`
	OrganizationID        string                      `json:"organization_id"`
	OrganizationSlug      string                      `json:"organization_slug"`
	Roles                 []string                    `json:"roles"`
	StartedAt             *time.Time                  `json:"started_at,omitempty"`
}

type plainOAuthAccessTokenExchangeFactor struct {
	ClientID string `json:"client_id"`
}

type plainOAuthExchangeFactor struct {
	EmailID string `json:"email_id"`
}

type plainOAuthProviderFactor struct {
	EmailID         string `json:"email_id"`
	ID              string `json:"id"`
	ProviderSubject string `json:"provider_subject"`
}

type plainOAuthRegistration struct {
	Locale                    string `json:"locale"`
	MemberOAuthRegistrationID string `json:"member_oauth_registration_id"`
	ProfilePictureURL         string `json:"profile_picture_url"`
	ProviderSubject           string `json:"provider_subject"`
	ProviderType              string `json:"provider_type"`
}

type plainOrganization struct {
	AllowedAuthMethods                   []string                           `json:"allowed_auth_methods"`
	AllowedFirstPartyConnectedApps       []string                           `json:"allowed_first_party_connected_apps"`
	AllowedMFAMethods                    []string                           `json:"allowed_mfa_methods"`
	AllowedOAuthTenants                  map[string]interface{}             `json:"allowed_oauth_tenants"`
	AllowedThirdPartyConnectedApps       []string                           `json:"allowed_third_party_connected_apps"`
	AuthMethods                          string                             `json:"auth_methods"`
	ClaimedEmailDomains                  []string                           `json:"claimed_email_domains"`
	CreatedAt                            *time.Time                         `json:"created_at,omitempty"`
	CustomRoles                          []plainCustomRole                  `json:"custom_roles"`
	EmailAllowedDomains                  []string                           `json:"email_allowed_domains"`
	EmailInvites                         string                             `json:"email_invites"`
	EmailJITProvisioning                 string                             `json:"email_jit_provisioning"`
	FirstPartyConnectedAppsAllowedType   string                             `json:"first_party_connected_apps_allowed_type"`
	MFAMethods                           string                             `json:"mfa_methods"`
	MFAPolicy                            string                             `json:"mfa_policy"`
	OAuthTenantJITProvisioning           string                             `json:"oauth_tenant_jit_provisioning"`
	OrganizationExternalID               string                             `json:"organization_external_id"`
	OrganizationID                       string                             `json:"organization_id"`
	OrganizationLogoURL                  string                             `json:"organization_logo_url"`
	OrganizationName                     string                             `json:"organization_name"`
	OrganizationSlug                     string                             `json:"organization_slug"`
	RBACEmailImplicitRoleAssignments     []plainEmailImplicitRoleAssignment `json:"rbac_email_implicit_role_assignments"`
	SCIMActiveConnection                 *plainActiveSCIMConnection         `json:"scim_active_connection,omitempty"`
	SSOActiveConnections                 []plainActiveSSOConnection         `json:"sso_active_connections"`
	SSODefaultConnectionID               string                             `json:"sso_default_connection_id"`
	SSOJITProvisioning                   string                             `json:"sso_jit_provisioning"`
	SSOJITProvisioningAllowedConnections []string                           `json:"sso_jit_provisioning_allowed_connections"`
	ThirdPartyConnectedAppsAllowedType   string                             `json:"third_party_connected_apps_allowed_type"`
	TrustedMetadata                      map[string]interface{}             `json:"trusted_metadata"`
	UpdatedAt                            *time.Time                         `json:"updated_at,omitempty"`
}

type plainPhoneNumberFactor struct {
	PhoneID     string `json:"phone_id"`
	PhoneNumber string `json:"phone_number"`
}

type plainPrimaryRequired struct {
	AllowedAuthMethods []string `json:"allowed_auth_methods"`
}

type plainRecoveryCodeFactor struct {
	TOTPRecoveryCodeID string `json:"totp_recovery_code_id"`
}

type plainRecoveryCodesGetResponse struct {
	Member        plainMember       `json:"member"`
	MemberID      string            `json:"member_id"`
	Organization  plainOrganization `json:"organization"`
	RecoveryCodes []string          `json:"recovery_codes"`
	RequestID     string            `json:"request_id"`
	StatusCode    int32             `json:"status_code"`
}

type plainRetiredEmail struct {
	EmailAddress string `json:"email_address"`
	EmailID      string `json:"email_id"`
}

type plainSCIMAddress struct {
	Country       string `json:"country"`
	Formatted     string `json:"formatted"`
	Locality      string `json:"locality"`
	PostalCode    string `json:"postal_code"`
	Primary       bool   `json:"primary"`
	Region        string `json:"region"`
	StreetAddress string `json:"street_address"`
	Type          string `json:"type"`
}

type plainSCIMAttributes struct {
	Active              bool                          `json:"active"`
	Addresses           []plainSCIMAddress            `json:"addresses"`
	DisplayName         string                        `json:"display_name"`
	Emails              []plainSCIMMultiValue         `json:"emails"`
	EnterpriseExtension *plainSCIMEnterpriseExtension `json:"enterprise_extension,omitempty"`
	Entitlements        []plainSCIMMultiValue         `json:"entitlements"`
	ExternalID          string                        `json:"external_id"`
	Groups              []plainSCIMGroup              `json:"groups"`
	ID                  string                        `json:"id"`
	Ims                 []plainSCIMMultiValue         `json:"ims"`
	Locale              string                        `json:"locale"`
	Name                *plainSCIMName                `json:"name,omitempty"`
	NickName            string                        `json:"nick_name"`
	PhoneNumbers        []plainSCIMMultiValue         `json:"phone_numbers"`
	Photos              []plainSCIMMultiValue         `json:"photos"`
	PreferredLanguage   string                        `json:"preferred_language"`
	ProfileURL          string                        `json:"profile_url"`
	Roles               []plainSCIMMultiValue         `json:"roles"`
	Timezone            string                        `json:"timezone"`
	Title               string                        `json:"title"`
	UserName            string                        `json:"user_name"`
	UserType            string                        `json:"user_type"`
	X509Certificates    []plainSCIMMultiValue         `json:"x509certificates"`
}

type plainSCIMEnterpriseExtension struct {
	CostCenter     string            `json:"cost_center"`
	Department     string            `json:"department"`
	Division       string            `json:"division"`
	EmployeeNumber string            `json:"employee_number"`
	Manager        *plainSCIMManager `json:"manager,omitempty"`
	Organization   string            `json:"organization"`
}

type plainSCIMGroup struct {
	Display string `json:"display"`
	Value   string `json:"value"`
}

type plainSCIMManager struct {
	DisplayName string `json:"display_name"`
	Ref         string `json:"ref"`
	Value       string `json:"value"`
}

type plainSCIMMultiValue struct {
	Primary bool   `json:"primary"`
	Type    string `json:"type"`
	Value   string `json:"value"`
}

type plainSCIMName struct {
	FamilyName      string `json:"family_name"`
	Formatted       string `json:"formatted"`
	GivenName       string `json:"given_name"`
	HonorificPrefix string `json:"honorific_prefix"`
	HonorificSuffix string `json:"honorific_suffix"`
	MiddleName      string `json:"middle_name"`
}

type plainSCIMRegistration struct {
	ConnectionID   string               `json:"connection_id"`
	ExternalID     string               `json:"external_id"`
	RegistrationID string               `json:"registration_id"`
	SCIMAttributes *plainSCIMAttributes `json:"scim_attributes,omitempty"`
}

type plainSSOFactor struct {
	ExternalID string `json:"external_id"`
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
}

type plainSSORegistration struct {
	ConnectionID   string                 `json:"connection_id"`
	ExternalID     string                 `json:"external_id"`
	RegistrationID string                 `json:"registration_id"`
	SSOAttributes  map[string]interface{} `json:"sso_attributes"`
}

type plainTrustedAuthTokenFactor struct {
	TokenID string `json:"token_id"`
}

type plainWebAuthnFactor struct {
	Domain                 string `json:"domain"`
	UserAgent              string `json:"user_agent"`
	WebauthnRegistrationID string `json:"webauthn_registration_id"`
}
