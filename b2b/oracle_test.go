package b2b_test

// Independent oracles (TESTING.md lists them): hand-written, Stytch-shaped bodies that are not
// derived from the spec, checked value by value against expectations written here. They catch
// what a spec-derived fixture cannot: a spec and a generator that agree with each other but not
// with the API.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// TestOracleAnswerDecodes: a realistic magic link answer, decoded by the facade, holds each value
// of the file in the field the API means it for (read back through the typed value).
func TestOracleAnswerDecodes(t *testing.T) {
	t.Parallel()
	const file = oracleAnswerOp + ".response.json"
	const fix = "internal/fixtures/testdata/oracles/" + file + ": if Stytch's answer changed, edit the file as Stytch sends it now and the expected value here (TestOracleAnswerDecodes)"
	c := fixtures.ByID(oracleAnswerOp)
	srv := testkit.NewServer(t, testkit.OK(fixtures.Oracle(file)))
	resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
	require.NoError(t, err, fix)

	again, err := json.Marshal(resp)
	require.NoError(t, err)
	var tree any
	require.NoError(t, json.Unmarshal(again, &tree))
	for ptr, want := range map[string]any{
		"/request_id":                                              "request-id-test-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		"/status_code":                                             float64(http.StatusOK),
		"/member_authenticated":                                    true,
		"/member/email_address":                                    "ada.lovelace@acme-widgets.example",
		"/member/status":                                           "active",
		"/member/name":                                             "Ada Lovelace",
		"/member/created_at":                                       "2023-02-14T08:15:30Z",
		"/member/roles/1/role_id":                                  "billing-admin",
		"/member/roles/1/sources/1/type":                           "sso_connection_group",
		"/member/trusted_metadata/seat_count":                      float64(42),
		"/organization/organization_name":                          "Acme Widgets",
		"/organization/mfa_policy":                                 "REQUIRED_FOR_ALL",
		"/organization/allowed_auth_methods/1":                     "magic_link",
		"/member_session/expires_at":                               "2024-06-04T08:00:00Z",
		"/member_session/authentication_factors/0/type":            "magic_link",
		"/member_session/authentication_factors/0/delivery_method": "email",
		"/member_session/authentication_factors/0/email_factor/email_address": "ada.lovelace@acme-widgets.example",
		"/mfa_required/secondary_auth_initiated":                              "sms_otp",
		"/mfa_required/member_options/mfa_phone_number":                       "+14155550123",
	} {
		got, ok := specwalk.Lookup(tree, ptr)
		if assert.True(t, ok, "%s is missing from the decoded answer; %s", ptr, fix) {
			assert.Equal(t, want, got, "%s; %s", ptr, fix)
		}
	}
	// Nothing is lost on the way: every value of the file is in the typed answer.
	assert.JSONEq(t, string(fixtures.Oracle(file)), string(again), fix)
}

// TestOracleRequestIsSentAsWritten: params decoded from a hand-written request body (a password
// with non-ASCII letters, custom claims with a nested object, a number and a null) are sent as
// exactly those bytes.
func TestOracleRequestIsSentAsWritten(t *testing.T) {
	t.Parallel()
	const opID = "passwordsSessionsReset"
	const file = opID + ".request.json"
	const fix = "internal/fixtures/testdata/oracles/" + file + ": write it as the API expects the body (compact, keys sorted, UTF-8 as is) (TestOracleRequestIsSentAsWritten)"
	body := fixtures.Oracle(file)
	c := fixtures.ByID(opID)
	params := c.Op.NewParams()
	require.NoError(t, json.Unmarshal(body, params), fix)

	srv := testkit.NewServer(t, testkit.OK(c.Response))
	_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
	require.NoError(t, err, fix)
	require.Equal(t, 1, srv.Count())
	assert.Equal(t, string(body), string(srv.Requests()[0].Body), fix)
	assert.Contains(t, string(srv.Requests()[0].Body), "Pä55wörd", "non-ASCII text is sent as UTF-8, not escaped; "+fix)
	assert.Contains(t, string(srv.Requests()[0].Body), `"stale_claim":null`, "a nil claim is sent as null; "+fix)
}
