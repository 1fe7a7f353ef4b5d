package b2btest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// A downstream test, from nothing to asserting on a failed magic-link login. In a test function,
// use b2btest.NewServer(t), which closes the server when the test ends; an Example has no
// *testing.T, so it uses NewStandalone and Close.
func Example() {
	srv := b2btest.NewStandalone() // in a test: srv := b2btest.NewServer(t)
	defer srv.Close()
	srv.On(b2btest.MagicLinksAuthenticate).Fail(404, "magic_link_not_found")

	_, err := srv.Client().MagicLinks.Authenticate(context.Background(),
		&b2b.MagicLinksAuthenticateParams{MagicLinksToken: "token-from-an-old-email"}) //nolint:gosec // G101: a made-up token the fake refuses

	var e *b2b.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.ErrorType)
	}
	fmt.Println(srv.RequestsFor(b2btest.MagicLinksAuthenticate)[0].Body["magic_links_token"])
	// Output:
	// 404 magic_link_not_found
	// [redacted]
}

// Tokens are single-use: the fake remembers which ones were authenticated.
func ExampleServer_Token() {
	srv := b2btest.NewStandalone()
	defer srv.Close()
	client := srv.Client()
	token := srv.Token(b2btest.MagicLinksAuthenticate, "organization-test-acme", "ada@example.com")

	for range 2 {
		resp, err := client.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: token})
		var e *b2b.Error
		if errors.As(err, &e) {
			fmt.Println("error:", e.ErrorType)
			continue
		}
		fmt.Println("logged in:", resp.Member.EmailAddress, resp.MemberSession.OrganizationID)
	}
	// Output:
	// logged in: ada@example.com organization-test-acme
	// error: magic_link_not_found
}

// An organization that requires MFA: the login stops at an intermediate session, which a recovery
// code completes.
func ExampleWithOrganization() {
	srv := b2btest.NewStandalone(b2btest.WithOrganization(gen.Organization{
		OrganizationID: "organization-test-acme",
		MFAPolicy:      "REQUIRED_FOR_ALL",
	}))
	defer srv.Close()
	client, ctx := srv.Client(), context.Background()

	login, _ := client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "any-new-token"})
	fmt.Println("member authenticated:", login.MemberAuthenticated)

	codes, _ := client.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: login.OrganizationID, MemberID: login.MemberID})
	rec, _ := client.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{
		OrganizationID:           login.OrganizationID,
		MemberID:                 login.MemberID,
		RecoveryCode:             codes.RecoveryCodes[0],
		IntermediateSessionToken: &login.IntermediateSessionToken,
	})
	fmt.Println("codes left:", rec.RecoveryCodesRemaining, "factors:", len(rec.MemberSession.AuthenticationFactors))
	// Output:
	// member authenticated: false
	// codes left: 9 factors: 2
}
