// Command invite invites a new member to an organization on behalf of a logged-in member:
// MagicLinks.Email.Invite with b2b.WithMemberSession, so Stytch checks that member's permissions
// instead of the project's.
//
// Without credentials it runs against an in-process fake (package b2btest): an admin logs in with a
// magic link first, to get the session the invite runs with.
//
// With STYTCH_PROJECT_ID and STYTCH_SECRET set it talks to Stytch and needs:
//
//	STYTCH_ORGANIZATION_ID  the organization to invite into
//	STYTCH_SESSION_TOKEN    a session token of a member allowed to invite (for example from
//	                        examples/magiclink, or your app's login)
//	STYTCH_INVITE_EMAIL     the email address to invite
//	STYTCH_BASE_URL         optional: another API root (default: chosen from the project ID)
//
//	go run ./examples/invite
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/examples/internal/exampleenv"
)

func main() { exampleenv.Main("invite", run) }

const (
	demoOrganization = "organization-test-acme"
	demoAdmin        = "ada.lovelace@acme.example"
	demoInvitee      = "grace.hopper@acme.example"
)

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	client, err := exampleenv.Stytch("invite", getenv, "STYTCH_ORGANIZATION_ID", "STYTCH_SESSION_TOKEN", "STYTCH_INVITE_EMAIL")
	if err != nil {
		return err
	}
	if client == nil {
		return runFake(ctx, out)
	}
	fmt.Fprintf(out, "invite: running against %s\n", client.BaseURL())
	return invite(ctx, out, client, getenv("STYTCH_ORGANIZATION_ID"), getenv("STYTCH_SESSION_TOKEN"), getenv("STYTCH_INVITE_EMAIL"))
}

// runFake logs the admin in with a magic link, then invites as the admin.
func runFake(ctx context.Context, out io.Writer) error {
	srv := b2btest.NewStandalone(
		b2btest.WithOrganization(b2b.Organization{OrganizationID: demoOrganization, OrganizationName: "Acme"}),
		b2btest.WithMember(b2b.Member{OrganizationID: demoOrganization, EmailAddress: demoAdmin, Name: "Ada Lovelace",
			Roles: []b2b.MemberRole{{RoleID: "stytch_admin", Sources: []b2b.MemberRoleSource{{Type: "direct_assignment"}}}}}),
	)
	defer srv.Close()
	fmt.Fprintln(out, "invite: running against the b2btest fake (set STYTCH_PROJECT_ID and STYTCH_SECRET to use Stytch)")
	client := srv.Client()

	// The admin logs in; the session token is what your app keeps after its own login.
	login, err := client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, demoOrganization, demoAdmin),
	})
	if err != nil {
		return fmt.Errorf("MagicLinks.Authenticate: %w", err)
	}
	fmt.Fprintf(out, "1. MagicLinks.Authenticate: %s logged in with roles %s\n", login.Member.EmailAddress, strings.Join(login.MemberSession.Roles, ", "))

	if err := invite(ctx, out, client, demoOrganization, login.SessionToken, demoInvitee); err != nil {
		return err
	}
	emails := srv.Emails()
	fmt.Fprintf(out, "   (the fake's outbox: %s email to %s)\n", emails[len(emails)-1].Kind, emails[len(emails)-1].To)
	sent := srv.RequestsFor(b2btest.MagicLinksEmailInvite)[0]
	fmt.Fprintf(out, "   (the fake recorded the X-Stytch-Member-Session header as %s)\n", sent.Header.Get("X-Stytch-Member-Session"))
	return nil
}

// invite sends the invite as the member who owns sessionToken.
func invite(ctx context.Context, out io.Writer, client *b2b.Client, orgID, sessionToken, email string) error {
	resp, err := client.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{
		OrganizationID:          orgID,
		EmailAddress:            email,
		Roles:                   []string{"stytch_member"},
		InviteExpirationMinutes: b2b.Ptr(int32(3 * 24 * 60)),
	}, b2b.WithMemberSession(sessionToken))
	var apiErr *b2b.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest {
		// The message starts with a name, so with a capital (staticcheck's ST1005 says otherwise).
		//lint:ignore ST1005 starts with a name
		return fmt.Errorf("Stytch refused the invite (%s: %s)", apiErr.ErrorType, apiErr.ErrorMessage) //nolint:staticcheck // as above
	}
	if err != nil {
		return fmt.Errorf("MagicLinks.Email.Invite: %w", err)
	}
	fmt.Fprintf(out, "2. MagicLinks.Email.Invite: %s invited to %s as member %s (status %s)\n",
		resp.Member.EmailAddress, resp.Organization.OrganizationName, resp.MemberID, resp.Member.Status)
	return nil
}
