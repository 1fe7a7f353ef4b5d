package b2b_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// exampleStytch stands in for Stytch in the examples: it answers every request with 200 OK and a
// JSON body. In production, leave WithBaseURL out: the project ID picks test or live Stytch.
func exampleStytch(body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
}

func ExampleImpersonationClient_Authenticate() {
	stytch := exampleStytch(`{
		"request_id": "request-id-test-6b1f", "status_code": 200,
		"member_id": "member-test-42", "organization_id": "organization-test-7",
		"member_authenticated": true, "session_token": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q",
		"member_session": {"member_session_id": "member-session-test-1", "member_id": "member-test-42",
			"organization_id": "organization-test-7", "organization_slug": "acme",
			"custom_claims": {"plan": "enterprise"}}
	}`)
	defer stytch.Close()

	client, err := b2b.NewClient("project-test-00000000", "secret-test-key", b2b.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	resp, err := client.Impersonation.Authenticate(context.Background(), &b2b.ImpersonationAuthenticateParams{ //nolint:gosec // G101: a placeholder token
		ImpersonationToken: "token-minted-in-the-dashboard",
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	claims, err := b2b.CustomClaims[struct {
		Plan string `json:"plan"`
	}](resp.MemberSession)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("acting as", resp.MemberID, "in", resp.OrganizationID, "on the", claims.Plan, "plan")
	// Output: acting as member-test-42 in organization-test-7 on the enterprise plan
}

func ExampleMagicLinksClient_Authenticate() {
	// This stand-in accepts "fresh-token" for an organization that requires MFA, and rejects
	// anything else as Stytch rejects a link that was already used.
	stytch := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"fresh-token"`) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"status_code": 404, "request_id": "request-id-test-404",
				"error_type": "magic_link_not_found", "error_message": "The magic link could not be authenticated."}`)
			return
		}
		_, _ = io.WriteString(w, `{"status_code": 200, "request_id": "request-id-test-200",
			"member_id": "member-test-42", "organization_id": "organization-test-7",
			"member_authenticated": false, "intermediate_session_token": "SeiGwdj5lKkrEVgcEY3QNJXt6srxS3IK2Nwkar6mXD4=",
			"mfa_required": {"member_options": {"mfa_phone_number": "+15555550123"}, "secondary_auth_initiated": "sms_otp"}}`)
	}))
	defer stytch.Close()

	client, err := b2b.NewClient("project-test-00000000", "secret-test-key", b2b.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, token := range []string{"fresh-token", "used-token"} {
		resp, err := client.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
			MagicLinksToken:        token,
			SessionDurationMinutes: b2b.Ptr(int32(60)),
		})
		var stytchErr *b2b.Error
		switch {
		case errors.As(err, &stytchErr):
			// Stytch answered, and said no: show the user a fresh login link.
			fmt.Println("rejected:", stytchErr.StatusCode, stytchErr.ErrorType, stytchErr.RequestID)
		case err != nil:
			// No answer, or a body that could not be read.
			fmt.Println("failed:", err)
		case !resp.MemberAuthenticated:
			// A second factor is needed: keep resp.IntermediateSessionToken for it.
			fmt.Println("MFA required; passcode sent:", *resp.MFARequired.SecondaryAuthInitiated)
		default:
			fmt.Println("logged in as", resp.MemberID)
		}
	}
	// Output:
	// MFA required; passcode sent: sms_otp
	// rejected: 404 magic_link_not_found request-id-test-404
}

func ExampleOAuthClient_Authenticate() {
	stytch := exampleStytch(`{
		"request_id": "request-id-test-0a7c", "status_code": 200,
		"member_id": "member-test-42", "organization_id": "organization-test-7",
		"member_authenticated": true, "provider_type": "Google", "provider_subject": "109876543210",
		"session_token": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q",
		"provider_values": {"access_token": "ya29.a0AfH6SM", "scopes": ["openid", "email"]}
	}`)
	defer stytch.Close()

	client, err := b2b.NewClient("project-test-00000000", "secret-test-key", b2b.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	resp, err := client.OAuth.Authenticate(context.Background(), &b2b.OAuthAuthenticateParams{
		OAuthToken:       "token-from-the-redirect-url",
		PKCECodeVerifier: b2b.Ptr("verifier-kept-since-the-flow-started"),
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("logged in with", resp.ProviderType, "as", resp.MemberID)
	// Provider tokens are secrets: printing them shows a placeholder.
	fmt.Printf("%+v\n", *resp.ProviderValues)
	// Output:
	// logged in with Google as member-test-42
	// {AccessToken:[redacted] ExpiresAt:<nil> IDToken: RefreshToken: Scopes:[openid email]}
}

func ExamplePasswordsSessionsClient_Reset() {
	stytch := exampleStytch(`{
		"request_id": "request-id-test-9d2e", "status_code": 200,
		"member_id": "member-test-42", "member_authenticated": true,
		"session_token": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q"
	}`)
	defer stytch.Close()

	client, err := b2b.NewClient("project-test-00000000", "secret-test-key", b2b.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	params := &b2b.PasswordsSessionsResetParams{
		OrganizationID: "organization-test-7",
		Password:       "a-new-long-passphrase",
		SessionToken:   b2b.Ptr("session-token-of-the-member"),
	}
	resp, err := client.Passwords.Sessions.Reset(context.Background(), params)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("password changed for", resp.MemberID)
	// Params print and log without their secrets (fmt and log/slog show this redacted copy).
	safe := params.Redacted()
	fmt.Println(safe.OrganizationID, safe.Password, *safe.SessionToken)
	// Output:
	// password changed for member-test-42
	// organization-test-7 [redacted] [redacted]
}

func ExampleRecoveryCodesClient_Get() {
	stytch := exampleStytch(`{
		"request_id": "request-id-test-3c4d", "status_code": 200, "member_id": "member-test-42",
		"recovery_codes": ["ckss-2skx-ebow", "spbc-424h-usy0", "hi08-n5tk-lns5"]
	}`)
	defer stytch.Close()

	client, err := b2b.NewClient("project-test-00000000", "secret-test-key", b2b.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	// Path parameters are escaped, so any ID is safe to pass; "", "." and ".." are refused.
	resp, err := client.RecoveryCodes.Get(context.Background(), &b2b.RecoveryCodesGetParams{
		OrganizationID: "acme", // the organization's slug works too
		MemberID:       "member-test-42",
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(len(resp.RecoveryCodes), "unused recovery codes for", resp.MemberID)

	_, err = client.RecoveryCodes.Get(context.Background(), &b2b.RecoveryCodesGetParams{OrganizationID: "acme", MemberID: ".."})
	var invalid *b2b.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println("refused before sending:", invalid.Field, invalid.Rule)
	}
	// Output:
	// 3 unused recovery codes for member-test-42
	// refused before sending: member_id path_segment
}
