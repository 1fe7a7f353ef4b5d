package b2b_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// facadeClaims matches the custom claims of the fixtures' member sessions.
type facadeClaims struct {
	Plan         string `json:"https://acme-widgets.example/plan"`
	FeatureFlags struct {
		BetaDashboard bool `json:"beta_dashboard"`
	} `json:"feature_flags"`
	RetiredClaim *string `json:"retired_claim"`
}

func facadeSession(t *testing.T, opID string) *b2b.MemberSession {
	t.Helper()
	var resp struct {
		MemberSession *b2b.MemberSession `json:"member_session"`
	}
	require.NoError(t, json.Unmarshal(fixtures.ByID(opID).Response, &resp))
	require.NotNil(t, resp.MemberSession)
	return resp.MemberSession
}

func TestFacadeCustomClaimsDecodes(t *testing.T) {
	// Through the facade: the claims of an authenticate answer.
	c := fixtures.ByID(gen.OpMagicLinksAuthenticate.ID)
	srv := newFacadeServer(t, facadeOK(c.Response))
	resp, err := newFacadeClient(t, srv.URL).MagicLinks.Authenticate(context.Background(), c.Minimal.(*b2b.MagicLinksAuthenticateParams))
	require.NoError(t, err)

	require.NotNil(t, resp.MemberSession)
	retired, ok := resp.MemberSession.CustomClaims["retired_claim"]
	assert.True(t, ok, "a claim that is null stays a key")
	assert.Nil(t, retired)

	claims, err := b2b.CustomClaims[facadeClaims](resp.MemberSession)
	require.NoError(t, err)
	assert.Equal(t, "enterprise", claims.Plan)
	assert.True(t, claims.FeatureFlags.BetaDashboard)
	assert.Nil(t, claims.RetiredClaim)

	asMap, err := b2b.CustomClaims[map[string]any](resp.MemberSession)
	require.NoError(t, err)
	assert.Equal(t, resp.MemberSession.CustomClaims, asMap)
	assert.Contains(t, asMap, "retired_claim")

	ptr, err := b2b.CustomClaims[*facadeClaims](resp.MemberSession)
	require.NoError(t, err)
	require.NotNil(t, ptr)
	assert.Equal(t, claims, *ptr)

	// Every fixture with a session decodes the same way.
	for _, op := range []string{gen.OpImpersonationAuthenticate.ID, gen.OpOAuthAuthenticate.ID,
		gen.OpPasswordsSessionsReset.ID, gen.OpRecoveryCodesRecover.ID} {
		got, err := b2b.CustomClaims[facadeClaims](facadeSession(t, op))
		require.NoError(t, err, op)
		assert.Equal(t, "enterprise", got.Plan, op)
	}
}

func TestFacadeCustomClaimsWithoutSession(t *testing.T) {
	claims, err := b2b.CustomClaims[facadeClaims](nil)
	require.ErrorIs(t, err, b2b.ErrNoMemberSession)
	assert.Zero(t, claims)

	// The MFA-required answer of an authenticate call has no session: the official SDK's
	// AuthenticateWithClaims panics here.
	c := fixtures.ByID(gen.OpMagicLinksAuthenticate.ID)
	var body map[string]any
	require.NoError(t, json.Unmarshal(c.Response, &body))
	delete(body, "member_session")
	body["member_authenticated"] = false
	body["session_token"] = ""
	body["session_jwt"] = ""
	raw, err := json.Marshal(body)
	require.NoError(t, err)

	srv := newFacadeServer(t, facadeOK(raw))
	resp, err := newFacadeClient(t, srv.URL).MagicLinks.Authenticate(context.Background(), c.Minimal.(*b2b.MagicLinksAuthenticateParams))
	require.NoError(t, err)
	require.False(t, resp.MemberAuthenticated)
	assert.NotEmpty(t, resp.IntermediateSessionToken)
	require.NotPanics(t, func() {
		_, err = b2b.CustomClaims[facadeClaims](resp.MemberSession)
	})
	assert.ErrorIs(t, err, b2b.ErrNoMemberSession)
}

func TestFacadeCustomClaimsEmpty(t *testing.T) {
	for name, claims := range map[string]map[string]any{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			got, err := b2b.CustomClaims[facadeClaims](&b2b.MemberSession{CustomClaims: claims})
			require.NoError(t, err)
			assert.Zero(t, got)
		})
	}
}

func TestFacadeCustomClaimsMismatch(t *testing.T) {
	session := &b2b.MemberSession{CustomClaims: map[string]any{
		"https://acme-widgets.example/plan": 42, // a number where the struct wants a string
	}}
	tests := []struct {
		name     string
		decode   func() error
		typeName string
	}{
		{"struct field of another type", func() error {
			_, err := b2b.CustomClaims[facadeClaims](session)
			return err
		}, "b2b_test.facadeClaims"},
		{"scalar", func() error {
			_, err := b2b.CustomClaims[int](session)
			return err
		}, "int"},
		{"slice", func() error {
			_, err := b2b.CustomClaims[[]string](session)
			return err
		}, "[]string"},
		{"interface", func() error {
			_, err := b2b.CustomClaims[io.Reader](session)
			return err
		}, "io.Reader"},
		{"claims that cannot be encoded", func() error {
			_, err := b2b.CustomClaims[facadeClaims](&b2b.MemberSession{CustomClaims: map[string]any{"ch": make(chan int)}})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.decode() })
			require.Error(t, err)
			assert.NotErrorIs(t, err, b2b.ErrNoMemberSession)
			assert.Contains(t, err.Error(), tt.typeName, "the error names the type")
		})
	}
}
