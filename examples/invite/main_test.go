package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunAgainstTheFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	got := out.String()
	t.Log("\n" + got)
	assert.Contains(t, got, "running against the b2btest fake")
	assert.Contains(t, got, "1. MagicLinks.Authenticate: ada.lovelace@acme.example logged in with roles stytch_admin")
	assert.Contains(t, got, "2. MagicLinks.Email.Invite: grace.hopper@acme.example invited to Acme")
	assert.Contains(t, got, "(status invited)")
	assert.Contains(t, got, "invite email to grace.hopper@acme.example")
	assert.Contains(t, got, "X-Stytch-Member-Session header as [redacted]")
}

func TestRunWithCredentials(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithMember(gen.Member{OrganizationID: "org-1", EmailAddress: "active@example.com"}))
	vars := map[string]string{
		"STYTCH_PROJECT_ID": "project-test-123", "STYTCH_SECRET": "secret-test-123", "STYTCH_BASE_URL": srv.URL,
		"STYTCH_ORGANIZATION_ID": "org-1",
	}
	err := run(context.Background(), &bytes.Buffer{}, env(vars))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STYTCH_SESSION_TOKEN, STYTCH_INVITE_EMAIL")

	// The session must be one Stytch (here the fake) issued for a member of the organization.
	login, err := srv.Client().MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-1", "active@example.com")})
	require.NoError(t, err)
	vars["STYTCH_SESSION_TOKEN"] = login.SessionToken
	vars["STYTCH_INVITE_EMAIL"] = "new@example.com"
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(vars)))
	assert.Contains(t, out.String(), "new@example.com invited")
	reqs := srv.RequestsFor(b2btest.MagicLinksEmailInvite)
	require.Len(t, reqs, 1)
	assert.Equal(t, "[redacted]", reqs[0].Header.Get("X-Stytch-Member-Session"))

	vars["STYTCH_INVITE_EMAIL"] = "active@example.com"
	err = run(context.Background(), &bytes.Buffer{}, env(vars))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "member_already_active")
}
