// Command oauthdiscovery runs an OAuth discovery flow to its end: it authenticates the discovery
// OAuth token (OAuth.Discovery.Authenticate), lists the organizations the person can log in to or
// join with what each still requires, exchanges the intermediate session token for a session in
// the first organization they can enter now (Discovery.IntermediateSessions.Exchange), and, as the
// other way out, creates a new organization with them as its admin (Discovery.Organizations.Create).
//
// Without credentials it runs against an in-process fake (package b2btest) that knows three
// organizations, and mints the token the OAuth redirect would carry.
//
// With STYTCH_PROJECT_ID and STYTCH_SECRET set it talks to Stytch and needs:
//
//	STYTCH_DISCOVERY_OAUTH_TOKEN  the token parameter of the discovery redirect URL, from a browser
//	                              run of the discovery OAuth flow (for example
//	                              https://test.stytch.com/v1/b2b/public/oauth/google/discovery/start?public_token=...)
//	STYTCH_BASE_URL               optional: another API root (default: chosen from the project ID)
//
//	go run ./examples/oauthdiscovery
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/examples/internal/exampleenv"
)

func main() { exampleenv.Main("oauthdiscovery", run) }

const demoEmail = "ada.lovelace@acme.example"

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	client, err := exampleenv.Stytch("oauthdiscovery", getenv)
	if err != nil {
		return err
	}
	if client == nil {
		return runFake(ctx, out)
	}
	token := getenv("STYTCH_DISCOVERY_OAUTH_TOKEN")
	if token == "" {
		return errors.New("running against Stytch needs STYTCH_DISCOVERY_OAUTH_TOKEN: run the discovery OAuth flow in a browser " +
			"and copy the token parameter of the URL it redirects to (see go doc ./examples/oauthdiscovery)")
	}
	fmt.Fprintf(out, "oauthdiscovery: running against %s\n", client.BaseURL())
	return discover(ctx, out, client, token)
}

// runFake sets up three organizations for ada: one she belongs to, one that requires MFA, and one
// she may join because of her email domain (which takes a colleague there with a verified address
// of that domain).
func runFake(ctx context.Context, out io.Writer) error {
	srv := b2btest.NewStandalone(
		b2btest.WithOrganization(b2b.Organization{OrganizationID: "organization-test-acme", OrganizationName: "Acme", OrganizationSlug: "acme"}),
		b2btest.WithOrganization(b2b.Organization{OrganizationID: "organization-test-initech", OrganizationName: "Initech", OrganizationSlug: "initech", MFAPolicy: "REQUIRED_FOR_ALL"}),
		b2btest.WithOrganization(b2b.Organization{OrganizationID: "organization-test-globex", OrganizationName: "Globex", OrganizationSlug: "globex",
			EmailJITProvisioning: "RESTRICTED", EmailAllowedDomains: []string{"acme.example"}}),
		b2btest.WithMember(b2b.Member{OrganizationID: "organization-test-acme", EmailAddress: demoEmail}),
		b2btest.WithMember(b2b.Member{OrganizationID: "organization-test-initech", EmailAddress: demoEmail}),
		b2btest.WithMember(b2b.Member{OrganizationID: "organization-test-globex", EmailAddress: "grace.hopper@acme.example", EmailAddressVerified: true}),
	)
	defer srv.Close()
	fmt.Fprintln(out, "oauthdiscovery: running against the b2btest fake (set STYTCH_PROJECT_ID and STYTCH_SECRET to use Stytch)")
	fmt.Fprintf(out, "   (%s signs in with Google; the redirect carries a discovery token)\n", demoEmail)
	token := srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", demoEmail)
	if err := discover(ctx, out, srv.Client(), token); err != nil {
		return err
	}
	// Another day, ada signs in again and starts an organization of her own instead.
	fmt.Fprintf(out, "4. a second discovery login; this time %s creates an organization:\n", demoEmail)
	again, err := srv.Client().OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{
		DiscoveryOAuthToken: srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", demoEmail),
	})
	if err != nil {
		return fmt.Errorf("OAuth.Discovery.Authenticate: %w", err)
	}
	return createOrganization(ctx, out, srv.Client(), again.IntermediateSessionToken)
}

// discover authenticates the token and prints the organizations found.
func discover(ctx context.Context, out io.Writer, client *b2b.Client, token string) error {
	resp, err := client.OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: token})
	var apiErr *b2b.Error
	if errors.As(err, &apiErr) && apiErr.ErrorType == "oauth_token_not_found" {
		return fmt.Errorf("the token was already used or has expired; run the OAuth flow again: %w", err)
	}
	if err != nil {
		return fmt.Errorf("OAuth.Discovery.Authenticate: %w", err)
	}
	expires := "(unknown)"
	if resp.IntermediateSessionTokenExpiresAt != nil {
		expires = resp.IntermediateSessionTokenExpiresAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(out, "1. OAuth.Discovery.Authenticate: %s (%s) via %s; intermediate session until %s\n",
		resp.FullName, resp.EmailAddress, resp.ProviderType, expires)
	fmt.Fprintf(out, "2. %d organization(s) discovered:\n", len(resp.DiscoveredOrganizations))
	for _, d := range resp.DiscoveredOrganizations {
		name, slug := "(unnamed)", ""
		if d.Organization != nil {
			name, slug = d.Organization.OrganizationName, d.Organization.OrganizationSlug
		}
		relation := "(no membership)"
		if d.Membership != nil {
			relation = string(d.Membership.Type)
		}
		fmt.Fprintf(out, "   - %-8s %-10s %-34s %s\n", name, "("+slug+")", relation, next(d))
	}
	pick := ""
	for _, d := range resp.DiscoveredOrganizations {
		if d.MemberAuthenticated && d.Organization != nil {
			pick = d.Organization.OrganizationID
			break
		}
	}
	if pick == "" {
		// Nothing to enter yet: the other way out is an organization of their own.
		fmt.Fprintln(out, "3. no organization can be entered without another factor")
		return createOrganization(ctx, out, client, resp.IntermediateSessionToken)
	}
	sess, err := client.Discovery.IntermediateSessions.Exchange(ctx, &b2b.DiscoveryIntermediateSessionsExchangeParams{
		IntermediateSessionToken: resp.IntermediateSessionToken, OrganizationID: pick,
	})
	if err != nil {
		return fmt.Errorf("Discovery.IntermediateSessions.Exchange: %w", err)
	}
	fmt.Fprintf(out, "3. Discovery.IntermediateSessions.Exchange into %s: session %s until %s\n",
		sess.Organization.OrganizationSlug, sess.MemberSession.MemberSessionID, sess.MemberSession.ExpiresAt.UTC().Format(time.RFC3339))
	return nil
}

// createOrganization is the other way out of discovery: a new organization, with the person as
// its first member and admin.
func createOrganization(ctx context.Context, out io.Writer, client *b2b.Client, ist string) error {
	created, err := client.Discovery.Organizations.Create(ctx, &b2b.DiscoveryOrganizationsCreateParams{
		IntermediateSessionToken: ist,
		OrganizationName:         b2b.Ptr("Ada's Workshop"),
		OrganizationSlug:         b2b.Ptr("adas-workshop"),
	})
	if err != nil {
		return fmt.Errorf("Discovery.Organizations.Create: %w", err)
	}
	roles := []string{}
	for _, r := range created.Member.Roles {
		roles = append(roles, r.RoleID)
	}
	fmt.Fprintf(out, "   Discovery.Organizations.Create: %s (%s) with %s as %v; member authenticated: %t\n",
		created.Organization.OrganizationName, created.Organization.OrganizationSlug, created.Member.EmailAddress, roles, created.MemberAuthenticated)
	return nil
}

// next says what the user still has to do to get a session in the organization.
func next(d b2b.DiscoveredOrganization) string {
	switch {
	case d.MemberAuthenticated:
		return "can log in now"
	case d.MFARequired != nil:
		return "needs MFA first"
	case d.PrimaryRequired != nil:
		return fmt.Sprintf("needs one of %v first", d.PrimaryRequired.AllowedAuthMethods)
	case d.Membership != nil && d.Membership.Type == "eligible_to_join_by_email_domain":
		return "can join by email domain"
	default:
		return "cannot log in yet"
	}
}
