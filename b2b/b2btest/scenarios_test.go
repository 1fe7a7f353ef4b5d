package b2btest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// requireStytchError asserts that err is a *b2b.Error with status, errorType and a request ID.
func requireStytchError(t *testing.T, err error, status int, errorType string) {
	t.Helper()
	_ = stytchError(t, err, status, errorType)
}

// stytchError asserts what requireStytchError does and returns the *b2b.Error, for tests that
// check more of it.
func stytchError(t *testing.T, err error, status int, errorType string) *b2b.Error {
	t.Helper()
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, status, e.StatusCode)
	assert.Equal(t, b2b.ErrorType(errorType), e.ErrorType)
	assert.NotEmpty(t, e.RequestID)
	return e
}

func TestTokensAreSingleUse(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	for _, tc := range []struct {
		op        b2btest.Operation
		errorType string
		call      func(token string) error
	}{
		{b2btest.MagicLinksAuthenticate, "magic_link_not_found", func(tok string) error {
			_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok})
			return err
		}},
		{b2btest.MagicLinksDiscoveryAuthenticate, "magic_link_not_found", func(tok string) error {
			_, err := c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: tok})
			return err
		}},
		{b2btest.OAuthAuthenticate, "oauth_token_not_found", func(tok string) error {
			_, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: tok})
			return err
		}},
		{b2btest.OAuthDiscoveryAuthenticate, "oauth_token_not_found", func(tok string) error {
			_, err := c.OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: tok})
			return err
		}},
		{b2btest.ImpersonationAuthenticate, "impersonation_token_not_found", func(tok string) error {
			_, err := c.Impersonation.Authenticate(ctx, &b2b.ImpersonationAuthenticateParams{ImpersonationToken: tok})
			return err
		}},
	} {
		t.Run(tc.op.ID, func(t *testing.T) {
			for _, token := range []string{"never-seen-" + tc.op.ID, srv.Token(tc.op, "", "ada@example.com")} {
				require.NoError(t, tc.call(token), "first use")
				requireStytchError(t, tc.call(token), http.StatusNotFound, tc.errorType)
			}
		})
	}

	t.Run("token kinds do not mix", func(t *testing.T) {
		_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "shared"})
		require.NoError(t, err)
		_, err = c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: "shared"})
		require.NoError(t, err)
	})
}

func TestMintedTokensAuthenticateTheirMember(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	tok := srv.Token(b2btest.OAuthAuthenticate, "org-1", "ada@example.com")
	resp, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: tok})
	require.NoError(t, err)
	assert.Equal(t, "org-1", resp.OrganizationID)
	assert.Equal(t, "ada@example.com", resp.Member.EmailAddress)

	disc := srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "ada@example.com")
	d, err := c.OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: disc})
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", d.EmailAddress)
	require.Len(t, d.DiscoveredOrganizations, 1)
	assert.Equal(t, "org-1", d.DiscoveredOrganizations[0].Organization.OrganizationID)
	assert.EqualValues(t, "active_member", d.DiscoveredOrganizations[0].Membership.Type)

	assert.Panics(t, func() { srv.Token(b2btest.RecoveryCodesGet, "", "x@example.com") })
}

func TestDiscoveryFindsMembershipsAndDomains(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t,
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-acme", OrganizationName: "Acme", EmailJITProvisioning: "RESTRICTED", EmailAllowedDomains: []string{"acme.example"}}),
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-globex", OrganizationName: "Globex", MFAPolicy: "REQUIRED_FOR_ALL"}),
		// Joining Acme by email domain needs a verified member of the domain there.
		b2btest.WithMember(gen.Member{OrganizationID: "org-acme", EmailAddress: "bob@acme.example", EmailAddressVerified: true}),
		b2btest.WithMember(gen.Member{OrganizationID: "org-globex", EmailAddress: "ada@acme.example", Name: "Ada"}),
	)
	ctx := context.Background()
	c := validatingClient(t, srv)
	_, err := c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: "ada@acme.example"})
	require.NoError(t, err)
	emails := srv.Emails()
	require.Len(t, emails, 1)
	assert.Equal(t, "discovery", emails[0].Kind)
	assert.Contains(t, emails[0].URL, "stytch_token_type=discovery")

	resp, err := c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: emails[0].Token})
	require.NoError(t, err)
	assert.Equal(t, "ada@acme.example", resp.EmailAddress)
	assert.NotEmpty(t, resp.IntermediateSessionToken)
	require.Len(t, resp.DiscoveredOrganizations, 2)
	acme, globex := resp.DiscoveredOrganizations[0], resp.DiscoveredOrganizations[1]
	assert.Equal(t, "Acme", acme.Organization.OrganizationName)
	assert.EqualValues(t, "eligible_to_join_by_email_domain", acme.Membership.Type)
	assert.Nil(t, acme.Membership.Member)
	assert.EqualValues(t, "active_member", globex.Membership.Type)
	assert.Equal(t, "Ada", globex.Membership.Member.Name)
	assert.False(t, globex.MemberAuthenticated, "Globex requires MFA")
	assert.NotNil(t, globex.MFARequired)
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	const org, member = "org-rc", "member-rc"

	got, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: org, MemberID: member})
	require.NoError(t, err)
	require.Len(t, got.RecoveryCodes, 10)
	again, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: org, MemberID: member})
	require.NoError(t, err)
	assert.Equal(t, got.RecoveryCodes, again.RecoveryCodes, "codes are stable")
	for _, code := range got.RecoveryCodes {
		assert.Regexp(t, `^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`, code)
	}

	recoverWith := func(code string) (*b2b.RecoveryCodesRecoverResponse, error) {
		return c.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{OrganizationID: org, MemberID: member, RecoveryCode: code})
	}
	rec, err := recoverWith(got.RecoveryCodes[0])
	require.NoError(t, err)
	assert.Equal(t, int32(9), rec.RecoveryCodesRemaining)
	assert.Equal(t, member, rec.MemberID)
	require.NotNil(t, rec.MemberSession)
	assert.EqualValues(t, "recovery_codes", rec.MemberSession.AuthenticationFactors[0].Type)

	_, err = recoverWith(got.RecoveryCodes[0])
	requireStytchError(t, err, http.StatusNotFound, "recovery_code_not_found")
	_, err = recoverWith("aaaa-bbbb-cccc")
	requireStytchError(t, err, http.StatusNotFound, "recovery_code_not_found")

	rec, err = recoverWith(got.RecoveryCodes[1])
	require.NoError(t, err)
	assert.Equal(t, int32(8), rec.RecoveryCodesRemaining)

	left, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: org, MemberID: member})
	require.NoError(t, err)
	assert.Equal(t, got.RecoveryCodes[2:], left.RecoveryCodes)

	rotated, err := c.RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: org, MemberID: member})
	require.NoError(t, err)
	require.Len(t, rotated.RecoveryCodes, 10)
	for _, old := range got.RecoveryCodes {
		assert.NotContains(t, rotated.RecoveryCodes, old)
	}
	_, err = recoverWith(got.RecoveryCodes[5])
	requireStytchError(t, err, http.StatusNotFound, "recovery_code_not_found")
	rec, err = recoverWith(rotated.RecoveryCodes[5])
	require.NoError(t, err)
	assert.Equal(t, int32(9), rec.RecoveryCodesRemaining)

	other, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: org, MemberID: "someone-else"})
	require.NoError(t, err)
	assert.NotEqual(t, got.RecoveryCodes, other.RecoveryCodes, "codes are per member")
}

func TestMFARequiredScript(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	ctx := context.Background()
	srv.On(b2btest.MagicLinksAuthenticate).MFARequired()

	resp, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok-1"})
	require.NoError(t, err)
	assert.False(t, resp.MemberAuthenticated)
	assert.NotEmpty(t, resp.IntermediateSessionToken)
	require.NotNil(t, resp.IntermediateSessionTokenExpiresAt)
	assert.WithinDuration(t, time.Now().Add(10*time.Minute), *resp.IntermediateSessionTokenExpiresAt, time.Minute)
	assert.Nil(t, resp.MemberSession)
	assert.Empty(t, resp.SessionToken)
	assert.Empty(t, resp.SessionJWT)
	require.NotNil(t, resp.MFARequired)
	assert.NotNil(t, resp.MFARequired.MemberOptions)
	assert.Equal(t, 0, srv.Pending(b2btest.MagicLinksAuthenticate))

	// Finish MFA with a recovery code: the session holds both factors.
	codes, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: resp.OrganizationID, MemberID: resp.MemberID})
	require.NoError(t, err)
	rec, err := c.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{
		OrganizationID: resp.OrganizationID, MemberID: resp.MemberID, RecoveryCode: codes.RecoveryCodes[0],
		IntermediateSessionToken: &resp.IntermediateSessionToken,
	})
	require.NoError(t, err)
	var factors []string
	for _, f := range rec.MemberSession.AuthenticationFactors {
		factors = append(factors, string(f.Type))
	}
	assert.Equal(t, []string{"magic_link", "recovery_codes"}, factors)

	// The script was for one call only.
	next, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok-2"})
	require.NoError(t, err)
	assert.True(t, next.MemberAuthenticated)

	for _, op := range []b2btest.Operation{b2btest.OAuthAuthenticate, b2btest.PasswordsSessionsReset} {
		assert.NotPanics(t, func() { srv.On(op).MFARequired() })
	}
	assert.Panics(t, func() { srv.On(b2btest.RecoveryCodesGet).MFARequired() })

	oauth, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: "o"})
	require.NoError(t, err)
	assert.False(t, oauth.MemberAuthenticated)
	reset, err := c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "o", Password: "pw", SessionToken: b2b.Ptr("s")})
	require.NoError(t, err)
	assert.False(t, reset.MemberAuthenticated)
	assert.Nil(t, reset.MemberSession)
}

func TestMFARequiredByOrganizationPolicy(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t,
		b2btest.WithOrganization(gen.Organization{OrganizationID: "org-mfa", MFAPolicy: "REQUIRED_FOR_ALL"}),
		b2btest.WithMember(gen.Member{OrganizationID: "org-mfa", EmailAddress: "ada@example.com", MFAPhoneNumber: "+14155550123", DefaultMFAMethod: "sms_otp"}),
	)
	c := validatingClient(t, srv)
	ctx := context.Background()
	resp, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-mfa", "ada@example.com")})
	require.NoError(t, err)
	assert.False(t, resp.MemberAuthenticated)
	require.NotNil(t, resp.MFARequired)
	assert.Equal(t, "+14155550123", resp.MFARequired.MemberOptions.MFAPhoneNumber)
	require.NotNil(t, resp.MFARequired.SecondaryAuthInitiated)
	assert.EqualValues(t, "sms_otp", *resp.MFARequired.SecondaryAuthInitiated)

	// Unknown tokens belong to the first organization given, which requires MFA too.
	resp, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "unknown"})
	require.NoError(t, err)
	assert.Equal(t, "org-mfa", resp.OrganizationID)
	assert.False(t, resp.MemberAuthenticated)

	// A live session skips MFA.
	resp, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "another", SessionToken: b2b.Ptr("live-session")})
	require.NoError(t, err)
	assert.True(t, resp.MemberAuthenticated)
}

func TestRateLimitThenSuccessThroughTheSDKRetry(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := validatingClient(t, srv)
	srv.On(b2btest.MagicLinksAuthenticate).RateLimit(0)

	start := time.Now()
	resp, err := c.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok"})
	require.NoError(t, err)
	assert.True(t, resp.MemberAuthenticated)
	assert.Less(t, time.Since(start), 2*time.Second)

	reqs := srv.RequestsFor(b2btest.MagicLinksAuthenticate)
	require.Len(t, reqs, 2)
	assert.Equal(t, []int{429, 200}, []int{reqs[0].Status, reqs[1].Status})

	// Without retries the 429 reaches the caller.
	srv.On(b2btest.MagicLinksAuthenticate).RateLimit(0)
	_, err = srv.Client(b2b.WithMaxRetries(0)).MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok-2"})
	e := stytchError(t, err, http.StatusTooManyRequests, "too_many_requests")
	assert.True(t, e.Retryable())
}

func TestRateLimitRetryAfterHeader(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "0"}, {time.Second, "1"}, {1500 * time.Millisecond, "2"}, {-time.Second, "0"}} {
		srv.On(b2btest.RecoveryCodesGet).RateLimit(tc.d)
		resp := send(t, srv, http.MethodGet, "/v1/b2b/recovery_codes/o/m", "", true)
		assert.Equal(t, http.StatusTooManyRequests, resp.status)
		assert.Equal(t, tc.want, resp.header.Get("Retry-After"), "RateLimit(%v)", tc.d)
	}
}

func TestDroppedConnectionLeavesTheOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	srv.On(b2btest.MagicLinksAuthenticate).DropConnection()

	_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok"})
	require.Error(t, err)
	assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown)
	reqs := srv.RequestsFor(b2btest.MagicLinksAuthenticate)
	require.Len(t, reqs, 1, "a POST that consumes a token is not retried")
	assert.Equal(t, 0, reqs[0].Status)

	// The request was processed: the token is spent.
	_, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "tok"})
	requireStytchError(t, err, http.StatusNotFound, "magic_link_not_found")

	// The GET only reads, so the SDK retries it.
	srv.On(b2btest.RecoveryCodesGet).DropConnection()
	got, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "o", MemberID: "m"})
	require.NoError(t, err)
	assert.Len(t, got.RecoveryCodes, 10)
}

func TestDelay(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	ctx := context.Background()

	srv.On(b2btest.RecoveryCodesRotate).Delay(50 * time.Millisecond)
	start := time.Now()
	_, err := srv.Client().RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "o", MemberID: "m"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	t.Run("the client's deadline ends the wait", func(t *testing.T) {
		srv.On(b2btest.RecoveryCodesRotate).Delay(time.Hour)
		start := time.Now()
		_, err := srv.Client(b2b.WithTimeout(100*time.Millisecond)).RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "o", MemberID: "m"})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second)
		require.Eventually(t, func() bool {
			reqs := srv.RequestsFor(b2btest.RecoveryCodesRotate)
			return len(reqs) == 2 && reqs[1].Status == 0
		}, 5*time.Second, 10*time.Millisecond, "the handler gives up when the client does")
	})

	t.Run("Close ends the wait", func(t *testing.T) {
		srv := b2btest.NewServer(t)
		srv.On(b2btest.RecoveryCodesRotate).Delay(time.Hour)
		done := make(chan error, 1)
		go func() {
			_, err := srv.Client(b2b.WithTimeout(0)).RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "o", MemberID: "m"})
			done <- err
		}()
		require.Eventually(t, func() bool { return srv.Pending(b2btest.RecoveryCodesRotate) == 0 }, 5*time.Second, 5*time.Millisecond)
		time.Sleep(20 * time.Millisecond) // let the handler start waiting
		closed := make(chan struct{})
		go func() { srv.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("Close hangs on a delayed request")
		}
		select {
		case err := <-done:
			assert.Error(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("the client hangs")
		}
	})
}

func TestFailTimesAndPending(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	srv.On(b2btest.MagicLinksEmailInvite).Times(2).Fail(503, "internal_server_error")
	assert.Equal(t, 2, srv.Pending(b2btest.MagicLinksEmailInvite))

	params := &b2b.MagicLinksEmailInviteParams{OrganizationID: "o", EmailAddress: "a@example.com"}
	_, err := c.MagicLinks.Email.Invite(ctx, params)
	e := stytchError(t, err, 503, "internal_server_error")
	assert.True(t, e.OutcomeUnknown, "a 5xx on an operation that sends email leaves the outcome unknown")
	assert.Equal(t, 1, srv.Pending(b2btest.MagicLinksEmailInvite))
	assert.Empty(t, srv.Emails(), "a scripted failure does not run the operation")

	_, err = c.MagicLinks.Email.Invite(ctx, params)
	requireStytchError(t, err, 503, "internal_server_error")
	_, err = c.MagicLinks.Email.Invite(ctx, params)
	require.NoError(t, err)
	assert.Len(t, srv.Emails(), 1)

	srv.On(b2btest.MagicLinksAuthenticate).Fail(404, "magic_link_not_found")
	_, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "t"})
	e = stytchError(t, err, 404, "magic_link_not_found")
	assert.Contains(t, e.ErrorMessage, "magic link")
	assert.Contains(t, e.ErrorURL, "https://stytch.com/docs/api/errors/404")

	srv.On(b2btest.MagicLinksAuthenticate).Fail(418, "teapot")
	_, err = c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "t"})
	e = stytchError(t, err, 418, "teapot")
	assert.Contains(t, e.ErrorMessage, "teapot")

	// Scripts wait for a valid request: an invalid one gets its 400 and leaves the script.
	srv.On(b2btest.RecoveryCodesRotate).Fail(500, "internal_server_error")
	resp := send(t, srv, http.MethodPost, "/v1/b2b/recovery_codes/rotate", `{"organization_id":"o"}`, true)
	assert.Equal(t, 400, resp.status)
	assert.Equal(t, 1, srv.Pending(b2btest.RecoveryCodesRotate))
}

func TestScriptMisuse(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	assert.Panics(t, func() { srv.On(b2btest.MagicLinksAuthenticate).Fail(200, "ok") })
	assert.Panics(t, func() { srv.On(b2btest.MagicLinksAuthenticate).Times(0) })
	assert.Panics(t, func() { srv.On(b2btest.Operation{ID: "nope"}) })
}

func TestRespondJSON(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	srv.On(b2btest.MagicLinksEmailDiscoverySend).RespondJSON(200, map[string]any{"request_id": "r-1", "status_code": 200, "brand_new_field": true})
	resp := send(t, srv, http.MethodPost, "/v1/b2b/magic_links/email/discovery/send", `{"email_address":"a@example.com"}`, true)
	assert.Equal(t, 200, resp.status)
	assert.JSONEq(t, `{"request_id":"r-1","status_code":200,"brand_new_field":true}`, string(resp.body))
}

func TestRequestsAreRecordedWithSecretsRedacted(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:     "super-secret-token",
		SessionToken:        b2b.Ptr("super-secret-session"),
		SessionCustomClaims: map[string]any{"plan": "pro"},
		TelemetryID:         b2b.Ptr("telemetry-1"),
	})
	require.NoError(t, err)
	admin, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "o", "admin@example.com")})
	require.NoError(t, err)
	_, err = c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: "o", EmailAddress: "grace@example.com"},
		b2b.WithMemberSession(admin.SessionToken))
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	auth := reqs[0]
	assert.Equal(t, b2btest.MagicLinksAuthenticate.ID, auth.Operation)
	assert.Equal(t, http.MethodPost, auth.Method)
	assert.Equal(t, "/v1/b2b/magic_links/authenticate", auth.Path)
	assert.Equal(t, gen.Redacted, auth.Body["magic_links_token"])
	assert.Equal(t, gen.Redacted, auth.Body["session_token"])
	assert.Equal(t, "telemetry-1", auth.Body["telemetry_id"])
	assert.Equal(t, map[string]any{"plan": "pro"}, auth.Body["session_custom_claims"])
	assert.Equal(t, gen.Redacted, auth.Header.Get("Authorization"))
	assert.Contains(t, auth.Header.Get("User-Agent"), "stytch-b2b-go")

	invite := srv.RequestsFor(b2btest.MagicLinksEmailInvite)
	require.Len(t, invite, 1)
	assert.Equal(t, gen.Redacted, invite[0].Header.Get("X-Stytch-Member-Session"))
	assert.Equal(t, "grace@example.com", invite[0].Body["email_address"])

	dump := fmt.Sprintf("%+v", reqs)
	basic := base64.StdEncoding.EncodeToString([]byte(b2btest.ProjectID + ":" + b2btest.Secret))
	for _, secret := range []string{"super-secret", basic, b2btest.Secret, admin.SessionToken, admin.SessionJWT} {
		assert.NotContains(t, dump, secret)
	}

	// The result is a copy.
	reqs[0].Body["magic_links_token"] = "changed"
	reqs[0].Header.Set("Authorization", "changed")
	assert.Equal(t, gen.Redacted, srv.Requests()[0].Body["magic_links_token"])
	assert.Equal(t, gen.Redacted, srv.Requests()[0].Header.Get("Authorization"))
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	// Retries do not wait on the fake's client, so one caller may meet every scripted 429.
	c := srv.Client(b2b.WithMaxRetries(5))
	ctx := context.Background()
	srv.On(b2btest.RecoveryCodesGet).Times(5).RateLimit(0)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "o", MemberID: "m"}); err != nil {
				errs <- err
			}
			tok := srv.Token(b2btest.MagicLinksAuthenticate, "o", "ada@example.com")
			if _, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok}); err != nil {
				errs <- err
			}
			if i%4 == 0 {
				if _, err := c.RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "o", MemberID: "m"}); err != nil {
					errs <- err
				}
			}
			_ = srv.Requests()
			_ = srv.Emails()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, srv.RequestsFor(b2btest.MagicLinksAuthenticate), 16)
	assert.Len(t, srv.RequestsFor(b2btest.RecoveryCodesGet), 16+5)
}

func TestCloseIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	srv.Close()
	srv.Close()
	_, err := srv.Client(b2b.WithMaxRetries(0)).RecoveryCodes.Get(context.Background(), &b2b.RecoveryCodesGetParams{OrganizationID: "o", MemberID: "m"})
	require.Error(t, err)
	var te *b2b.TransportError
	assert.True(t, errors.As(err, &te))
}

func TestWithMemberAndOrganizationDefaults(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t,
		b2btest.WithMember(gen.Member{OrganizationID: "org-x", EmailAddress: "ada@example.com", MFAEnrolled: true}),
	)
	resp, err := validatingClient(t, srv).MagicLinks.Email.LoginOrSignup(context.Background(),
		&b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-x", EmailAddress: "ada@example.com"})
	require.NoError(t, err)
	assert.False(t, resp.MemberCreated)
	assert.EqualValues(t, "active", resp.Member.Status)
	assert.Equal(t, "Ada", resp.Member.Name)
	assert.True(t, resp.Member.MFAEnrolled)
	assert.EqualValues(t, "OPTIONAL", resp.Organization.MFAPolicy)
	assert.Equal(t, "login", srv.Emails()[0].Kind)

	assert.Panics(t, func() { b2btest.NewStandalone(b2btest.WithMember(gen.Member{EmailAddress: "no-org@example.com"})) })
	assert.Panics(t, func() { b2btest.NewStandalone(b2btest.WithOrganization(gen.Organization{})) })
}
