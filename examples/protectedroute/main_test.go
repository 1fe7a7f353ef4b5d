package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunAgainstTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	got := out.String()
	t.Log("\n" + got)
	assert.Regexp(t, `2\. GET /dashboard: 200 dashboard of member-test-\S+ in acme \(verified locally\)`, got)
	assert.Regexp(t, `4\. GET /settings: 200 settings of .* \(checked with Stytch\)`, got)
	assert.Contains(t, got, "5. GET /dashboard: 401 invalid session (bad_signature)")
	assert.Contains(t, got, "6. POST /logout: 200 logged out")
	assert.Contains(t, got, "7. GET /settings: 401 session ended (session_not_found)")
	assert.Regexp(t, `8\. GET /dashboard: 200 .*\(verified locally\)`, got)
	assert.Contains(t, got, "Stytch was asked 3 time(s) about a session")
}

func TestRunWithCredentials(t *testing.T) {
	srv := b2btest.NewServer(t, b2btest.WithMember(b2b.Member{OrganizationID: "org-1", EmailAddress: "grace@example.com"}))
	vars := map[string]string{"STYTCH_PROJECT_ID": b2btest.ProjectID, "STYTCH_SECRET": "secret-test-123", "STYTCH_BASE_URL": srv.URL}
	err := run(context.Background(), &bytes.Buffer{}, env(vars))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STYTCH_SESSION_JWT")

	login, err := srv.Client().MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-1", "grace@example.com")})
	require.NoError(t, err)
	vars["STYTCH_SESSION_JWT"] = login.SessionJWT
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(vars)))
	assert.Contains(t, out.String(), "GET /dashboard: 200")
	assert.Contains(t, out.String(), "GET /settings: 200")
}
