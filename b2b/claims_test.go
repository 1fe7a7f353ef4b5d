package b2b_test

import (
	"encoding/json"
	"io"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// oracleClaims matches the custom claims of the realistic answer in
// internal/fixtures/testdata/oracles/magicLinksAuthenticate.response.json.
type oracleClaims struct {
	Plan         string `json:"https://acme-widgets.example/plan"`
	FeatureFlags struct {
		BetaDashboard bool `json:"beta_dashboard"`
	} `json:"feature_flags"`
	RetiredClaim *string `json:"retired_claim"`
}

// specClaims matches the custom claims of the fixtures' answers: the free-form entries specwalk
// puts in every free-form object.
type specClaims struct {
	Object struct {
		String string `json:"example_string"`
	} `json:"example_object"`
	Number float64 `json:"example_number"`
	String string  `json:"example_string"`
	Null   *string `json:"example_null"`
}

// The operation the realistic answer belongs to, by the oracle file's name.
const oracleAnswerOp = "magicLinksAuthenticate"

// memberSession returns the member_session field of a typed answer (any answer type that has
// one), or nil.
func memberSession(t testing.TB, resp any) *b2b.MemberSession {
	t.Helper()
	v := reflect.ValueOf(resp).Elem()
	f, ok := fieldByJSON(v.Type(), "member_session")
	require.True(t, ok, "%T has no member_session", resp)
	switch s := v.FieldByIndex(f.Index).Interface().(type) {
	case *b2b.MemberSession:
		return s
	case b2b.MemberSession:
		return &s
	}
	require.Failf(t, "unexpected type", "%T.member_session is not a MemberSession", resp)
	return nil
}

// withMemberSession: the operation's answer carries a member session with custom claims.
func withMemberSession(op gen.Operation) bool {
	_, ok := specwalk.Lookup(specwalk.Example(fixtures.ResponseSchema(op.ID), specwalk.Full, ""), "/member_session/custom_claims")
	return ok
}

// TestCustomClaimsDecodes is an independent oracle (see TESTING.md): the claims of a realistic,
// hand-written answer decode into the caller's type with the values the file holds.
func TestCustomClaimsDecodes(t *testing.T) {
	t.Parallel()
	const fix = "if the answer's shape changed, update internal/fixtures/testdata/oracles/magicLinksAuthenticate.response.json (member_session.custom_claims) and oracleClaims together"
	c := fixtures.ByID(oracleAnswerOp)
	srv := testkit.NewServer(t, testkit.OK(fixtures.Oracle(oracleAnswerOp+".response.json")))
	resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
	require.NoError(t, err, fix)

	session := memberSession(t, resp)
	require.NotNil(t, session, fix)
	retired, ok := session.CustomClaims["retired_claim"]
	assert.True(t, ok, "a claim that is null stays a key; "+fix)
	assert.Nil(t, retired, fix)

	claims, err := b2b.CustomClaims[oracleClaims](session)
	require.NoError(t, err)
	assert.Equal(t, "enterprise", claims.Plan, fix)
	assert.True(t, claims.FeatureFlags.BetaDashboard, fix)
	assert.Nil(t, claims.RetiredClaim, fix)

	asMap, err := b2b.CustomClaims[map[string]any](session)
	require.NoError(t, err)
	assert.Equal(t, session.CustomClaims, asMap)
	assert.Contains(t, asMap, "retired_claim")

	ptr, err := b2b.CustomClaims[*oracleClaims](session)
	require.NoError(t, err)
	require.NotNil(t, ptr)
	assert.Equal(t, claims, *ptr)
}

// Every answer with a member session decodes its claims the same way, with the values of the
// fixture.
func TestCustomClaimsOfEveryAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range some(t, "answers with a member session", withMemberSession) {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.OK(c.Response))
			resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
			require.NoError(t, err)
			got, err := b2b.CustomClaims[specClaims](memberSession(t, resp))
			require.NoError(t, err)
			ctx := fixtures.ResponseContext(c.Op.ID)
			const at = "/member_session/custom_claims/"
			assert.Equal(t, specwalk.StringValue(at+specwalk.FreeFormString, ctx), got.String)
			assert.Equal(t, specwalk.StringValue(at+specwalk.FreeFormObject+"/"+specwalk.FreeFormString, ctx), got.Object.String)
			assert.Equal(t, 1.25, got.Number)
			assert.Nil(t, got.Null)
		})
	}
}

func TestCustomClaimsWithoutSession(t *testing.T) {
	t.Parallel()
	claims, err := b2b.CustomClaims[oracleClaims](nil)
	require.ErrorIs(t, err, b2b.ErrNoMemberSession)
	assert.Zero(t, claims)

	// The MFA-required answer of an authenticate call has no session: the official SDK's
	// AuthenticateWithClaims panics here.
	c := fixtures.ByID(oracleAnswerOp)
	var body map[string]any
	require.NoError(t, json.Unmarshal(fixtures.Oracle(oracleAnswerOp+".response.json"), &body))
	delete(body, "member_session")
	body["member_authenticated"] = false
	body["session_token"] = ""
	body["session_jwt"] = ""
	raw, err := json.Marshal(body)
	require.NoError(t, err)

	srv := testkit.NewServer(t, testkit.OK(raw))
	resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
	require.NoError(t, err, "internal/fixtures/testdata/oracles/%s.response.json without its member session must still be a valid answer: edit the file as Stytch sends it now", oracleAnswerOp)
	typed := reflect.ValueOf(resp).Elem()
	require.False(t, typed.FieldByName("MemberAuthenticated").Bool())
	assert.NotEmpty(t, typed.FieldByName("IntermediateSessionToken").String())
	require.NotPanics(t, func() {
		_, err = b2b.CustomClaims[oracleClaims](memberSession(t, resp))
	})
	assert.ErrorIs(t, err, b2b.ErrNoMemberSession)
}

func TestCustomClaimsEmpty(t *testing.T) {
	t.Parallel()
	for name, claims := range map[string]map[string]any{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			got, err := b2b.CustomClaims[oracleClaims](&b2b.MemberSession{CustomClaims: claims})
			require.NoError(t, err)
			assert.Zero(t, got)
		})
	}
}

func TestCustomClaimsMismatch(t *testing.T) {
	t.Parallel()
	session := &b2b.MemberSession{CustomClaims: map[string]any{
		"https://acme-widgets.example/plan": 42, // a number where the struct wants a string
	}}
	tests := []struct {
		name     string
		decode   func() error
		typeName string
	}{
		{"struct field of another type", func() error {
			_, err := b2b.CustomClaims[oracleClaims](session)
			return err
		}, "b2b_test.oracleClaims"},
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
			_, err := b2b.CustomClaims[oracleClaims](&b2b.MemberSession{CustomClaims: map[string]any{"ch": make(chan int)}})
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
