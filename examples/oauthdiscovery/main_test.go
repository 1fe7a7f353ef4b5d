package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	assert.Contains(t, got, "1. OAuth.Discovery.Authenticate: Ada Lovelace (ada.lovelace@acme.example) via Google")
	assert.Contains(t, got, "2. 3 organization(s) discovered:")
	assert.Regexp(t, `Acme\s+\(acme\)\s+active_member\s+can log in now`, got)
	assert.Regexp(t, `Initech\s+\(initech\)\s+active_member\s+needs MFA first`, got)
	assert.Regexp(t, `Globex\s+\(globex\)\s+eligible_to_join_by_email_domain\s+can join by email domain`, got)
	assert.Regexp(t, `3\. Discovery\.IntermediateSessions\.Exchange into acme: session member-session-test-\S+ until `, got)
	assert.Regexp(t, `Discovery\.Organizations\.Create: Ada's Workshop \(adas-workshop\) with ada\.lovelace@acme\.example as \[.*stytch_admin.*\]; member authenticated: true`, got)
}

func TestRunWithCredentials(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithMember(gen.Member{OrganizationID: "org-1", EmailAddress: "grace@example.com"}))
	vars := map[string]string{
		"STYTCH_PROJECT_ID": "project-test-123", "STYTCH_SECRET": "secret-test-123", "STYTCH_BASE_URL": srv.URL,
	}
	err := run(context.Background(), &bytes.Buffer{}, env(vars))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STYTCH_DISCOVERY_OAUTH_TOKEN")

	vars["STYTCH_DISCOVERY_OAUTH_TOKEN"] = srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "grace@example.com")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(vars)))
	assert.Contains(t, out.String(), "1 organization(s) discovered")
	assert.Contains(t, out.String(), "can log in now")

	err = run(context.Background(), &bytes.Buffer{}, env(vars))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already used")
}
