// Command magiclink logs a member in with an email magic link and completes MFA with a recovery
// code: MagicLinks.Email.LoginOrSignup, MagicLinks.Authenticate (which answers that MFA is
// required), then RecoveryCodes.Recover with the intermediate session token.
//
// Without credentials it runs against an in-process fake (package b2btest) whose organization
// requires MFA, and plays the member: it reads the link from the fake's outbox and a recovery code
// from RecoveryCodes.Get.
//
// With STYTCH_PROJECT_ID and STYTCH_SECRET set it talks to Stytch and needs:
//
//	STYTCH_ORGANIZATION_ID   the organization to log in to
//	STYTCH_EMAIL             the member's email address
//	STYTCH_MAGIC_LINK_TOKEN  the token of the emailed link; run once without it to send the email
//	STYTCH_RECOVERY_CODE     optional: one of the member's recovery codes (otherwise the first
//	                         one RecoveryCodes.Get returns is spent)
//	STYTCH_BASE_URL          optional: another API root (default: chosen from the project ID)
//
//	go run ./examples/magiclink
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/examples/internal/exampleenv"
)

func main() { exampleenv.Main("magiclink", run) }

// Who the fake knows: an organization that requires MFA, and one of its members.
const (
	demoOrganization = "organization-test-acme"
	demoEmail        = "ada.lovelace@acme.example"
)

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	client, err := exampleenv.Stytch("magiclink", getenv, "STYTCH_ORGANIZATION_ID", "STYTCH_EMAIL")
	if err != nil {
		return err
	}
	if client == nil {
		return runFake(ctx, out)
	}
	fmt.Fprintf(out, "magiclink: running against %s\n", client.BaseURL())
	f := flow{client: client, out: out, orgID: getenv("STYTCH_ORGANIZATION_ID"), email: getenv("STYTCH_EMAIL")}
	token := getenv("STYTCH_MAGIC_LINK_TOKEN")
	if token == "" {
		if err := f.sendLink(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "Open the email sent to %s, copy the token parameter of its link, and run again with STYTCH_MAGIC_LINK_TOKEN set to it.\n", f.email)
		return nil
	}
	return f.login(ctx, token, func(orgID, memberID string) (string, error) {
		if code := getenv("STYTCH_RECOVERY_CODE"); code != "" {
			return code, nil
		}
		return f.firstRecoveryCode(ctx, orgID, memberID)
	})
}

// runFake plays the whole flow against the fake, acting as the member where a person would act.
func runFake(ctx context.Context, out io.Writer) error {
	srv := b2btest.NewStandalone(
		b2btest.WithOrganization(b2b.Organization{OrganizationID: demoOrganization, OrganizationName: "Acme", MFAPolicy: "REQUIRED_FOR_ALL"}),
		b2btest.WithMember(b2b.Member{OrganizationID: demoOrganization, EmailAddress: demoEmail, Name: "Ada Lovelace"}),
	)
	defer srv.Close()
	fmt.Fprintln(out, "magiclink: running against the b2btest fake (set STYTCH_PROJECT_ID and STYTCH_SECRET to use Stytch)")
	f := flow{client: srv.Client(), out: out, orgID: demoOrganization, email: demoEmail}
	if err := f.sendLink(ctx); err != nil {
		return err
	}
	emails := srv.Emails()
	if len(emails) == 0 {
		return errors.New("the fake sent no email")
	}
	fmt.Fprintf(out, "   (the member opens the %s email and clicks its link)\n", emails[len(emails)-1].Kind)
	return f.login(ctx, emails[len(emails)-1].Token, func(orgID, memberID string) (string, error) {
		return f.firstRecoveryCode(ctx, orgID, memberID) // the codes the member saved when enrolling
	})
}

// flow is the login flow, the same against the fake and against Stytch.
type flow struct {
	client       *b2b.Client
	out          io.Writer
	orgID, email string
}

func (f flow) sendLink(ctx context.Context) error {
	resp, err := f.client.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{
		OrganizationID: f.orgID,
		EmailAddress:   f.email,
	})
	if err != nil {
		return fmt.Errorf("LoginOrSignup: %w", err)
	}
	fmt.Fprintf(f.out, "1. LoginOrSignup: link emailed to %s (member %s, status %s, new member: %t)\n",
		f.email, resp.MemberID, resp.Member.Status, resp.MemberCreated)
	return nil
}

// login authenticates the link token and, when MFA is required, spends a recovery code obtained
// from recoveryCode.
func (f flow) login(ctx context.Context, token string, recoveryCode func(orgID, memberID string) (string, error)) error {
	auth, err := f.client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:        token,
		SessionDurationMinutes: b2b.Ptr(int32(120)),
	})
	var apiErr *b2b.Error
	if errors.As(err, &apiErr) && apiErr.ErrorType == "magic_link_not_found" {
		return fmt.Errorf("the link was already used or has expired; send a new one: %w", err)
	}
	if err != nil {
		return fmt.Errorf("MagicLinks.Authenticate: %w", err)
	}
	if auth.MemberAuthenticated {
		fmt.Fprintf(f.out, "2. MagicLinks.Authenticate: logged in without MFA, session until %s\n", stamp(&auth.MemberSession.ExpiresAt))
		return nil
	}
	fmt.Fprintf(f.out, "2. MagicLinks.Authenticate: MFA required for %s (intermediate session until %s)\n",
		auth.Member.EmailAddress, stamp(auth.IntermediateSessionTokenExpiresAt))

	code, err := recoveryCode(auth.OrganizationID, auth.MemberID)
	if err != nil {
		return err
	}
	rec, err := f.client.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{
		OrganizationID:           auth.OrganizationID,
		MemberID:                 auth.MemberID,
		RecoveryCode:             code,
		IntermediateSessionToken: &auth.IntermediateSessionToken,
		SessionDurationMinutes:   b2b.Ptr(int32(120)),
	})
	if err != nil {
		return fmt.Errorf("RecoveryCodes.Recover: %w", err)
	}
	var factors []string
	for _, fa := range rec.MemberSession.AuthenticationFactors {
		factors = append(factors, string(fa.Type))
	}
	fmt.Fprintf(f.out, "3. RecoveryCodes.Recover with %s: logged in until %s, factors %s, %d recovery codes left\n",
		mask(code), stamp(&rec.MemberSession.ExpiresAt), strings.Join(factors, " + "), rec.RecoveryCodesRemaining)
	return nil
}

func (f flow) firstRecoveryCode(ctx context.Context, orgID, memberID string) (string, error) {
	got, err := f.client.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: orgID, MemberID: memberID})
	if err != nil {
		return "", fmt.Errorf("RecoveryCodes.Get: %w", err)
	}
	if len(got.RecoveryCodes) == 0 {
		return "", errors.New("the member has no recovery codes left; set STYTCH_RECOVERY_CODE or rotate them")
	}
	return got.RecoveryCodes[0], nil
}

// mask shows the first group of a recovery code only: it is a secret.
func mask(code string) string {
	first, _, _ := strings.Cut(code, "-")
	if len(first) > 4 {
		first = first[:4]
	}
	return first + "-****-****"
}

func stamp(t *time.Time) string {
	if t == nil {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}
