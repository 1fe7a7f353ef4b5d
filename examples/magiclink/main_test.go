package main

import (
	"bytes"
	"context"
	"strings"
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
	assert.Contains(t, got, "1. LoginOrSignup: link emailed to ada.lovelace@acme.example")
	assert.Contains(t, got, "2. MagicLinks.Authenticate: MFA required")
	assert.Contains(t, got, "3. RecoveryCodes.Recover")
	assert.Contains(t, got, "factors magic_link + recovery_codes, 9 recovery codes left")
	assert.Len(t, strings.Split(strings.TrimSpace(got), "\n"), 5)
}

// TestRunWithCredentials drives the credentials path against a fake standing in for Stytch.
func TestRunWithCredentials(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: "org-1", MFAPolicy: "REQUIRED_FOR_ALL"}))
	vars := map[string]string{
		"STYTCH_PROJECT_ID": "project-test-123", "STYTCH_SECRET": "secret-test-123", "STYTCH_BASE_URL": srv.URL,
		"STYTCH_ORGANIZATION_ID": "org-1", "STYTCH_EMAIL": "grace@example.com",
	}
	ctx := context.Background()

	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, env(vars)))
	assert.Contains(t, out.String(), "run again with STYTCH_MAGIC_LINK_TOKEN")
	require.Len(t, srv.Emails(), 1)

	vars["STYTCH_MAGIC_LINK_TOKEN"] = srv.Emails()[0].Token
	out.Reset()
	require.NoError(t, run(ctx, &out, env(vars)))
	assert.Contains(t, out.String(), "3. RecoveryCodes.Recover")

	out.Reset()
	err := run(ctx, &out, env(vars))
	require.Error(t, err, "the link is single-use")
	assert.Contains(t, err.Error(), "already used")

	// With a recovery code given, that one is spent.
	codes, err := srv.Client().RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-1", MemberID: srv.Emails()[0].MemberID})
	require.NoError(t, err)
	vars["STYTCH_MAGIC_LINK_TOKEN"] = srv.Token(b2btest.MagicLinksAuthenticate, "org-1", "grace@example.com")
	vars["STYTCH_RECOVERY_CODE"] = codes.RecoveryCodes[3]
	out.Reset()
	require.NoError(t, run(ctx, &out, env(vars)))
	recovers := srv.RequestsFor(b2btest.RecoveryCodesRecover)
	assert.Len(t, recovers, 2)
	after, err := srv.Client().RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-1", MemberID: srv.Emails()[0].MemberID})
	require.NoError(t, err)
	assert.NotContains(t, after.RecoveryCodes, codes.RecoveryCodes[3])
	assert.NotContains(t, out.String(), codes.RecoveryCodes[3], "the code is masked")
}

func TestRunExplainsMissingSettings(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), &bytes.Buffer{}, env(map[string]string{"STYTCH_PROJECT_ID": "p"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STYTCH_SECRET")

	err = run(context.Background(), &bytes.Buffer{}, env(map[string]string{"STYTCH_PROJECT_ID": "p", "STYTCH_SECRET": "s"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STYTCH_ORGANIZATION_ID, STYTCH_EMAIL")
}
