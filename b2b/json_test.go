package b2b_test

// b2b.DecodeJSON against encoding/json: the same realistic bodies decode to the same values, unknown
// members are harmless, nulls stay nulls, and broken or mistyped bodies are errors. The two
// deliberate differences (exact member names, duplicate names rejected) are pinned here too.

import (
	"bytes"
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// fixture reads a response body of the benchmark suite (bench/testdata): realistic, compact
// bodies as the API sends them.
func benchFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "bench", "testdata", name))
	require.NoError(tb, err)
	return bytes.TrimSpace(data)
}

// same decodes body into a new T with encoding/json and with b2b.DecodeJSON and requires both to
// succeed with equal results. It returns b2b.DecodeJSON's result.
func decodeSame[T any](t *testing.T, body []byte) T {
	t.Helper()
	var want, got T
	require.NoError(t, stdjson.Unmarshal(body, &want), "encoding/json")
	require.NoError(t, b2b.DecodeJSON(body, &got), "b2b.DecodeJSON")
	assert.Equal(t, want, got)
	return got
}

// both decodes body into a new T both ways and returns both errors.
func decodeBoth[T any](body []byte) (stdErr, err error) {
	var a, b T
	return stdjson.Unmarshal(body, &a), b2b.DecodeJSON(body, &b)
}

// object decodes a fixture into a generic map, to build other realistic bodies from its parts.
func benchObject(t *testing.T, name string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, stdjson.Unmarshal(benchFixture(t, name), &m))
	return m
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := stdjson.Marshal(v)
	require.NoError(t, err)
	return data
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	mla := benchObject(t, "magic_links_authenticate.json")
	// A discovery answer reuses the organization, member and requirements of the magic link one.
	discovery := mustMarshal(t, map[string]any{ //nolint:gosec // G101: made-up test tokens
		"request_id":                            "request-id-test-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		"status_code":                           200,
		"email_address":                         "ada.lovelace@acme-widgets.example",
		"intermediate_session_token":            "SeiGwdj5lKkrEVgcEY3QNJXt6srxS3IK2Nwkar6mXD4=",
		"intermediate_session_token_expires_at": "2024-06-01T12:10:45.5+01:00",
		"discovered_organizations": []any{
			map[string]any{
				"member_authenticated": true,
				"organization":         mla["organization"],
				"membership": map[string]any{
					"type":    "active_member",
					"details": map[string]any{"invited_by": nil, "via": "email"},
					"member":  mla["member"],
				},
				"primary_required": mla["primary_required"],
				"mfa_required":     mla["mfa_required"],
			},
			map[string]any{
				"member_authenticated": false,
				"organization":         mla["organization"],
				"membership":           map[string]any{"type": "eligible_to_join_by_email_domain", "details": map[string]any{"domain": "acme.example"}, "member": nil},
				"primary_required":     nil,
				"mfa_required":         nil,
			},
		},
	})
	oauth := mustMarshal(t, func() map[string]any {
		m := map[string]any{}
		for k, v := range mla {
			m[k] = v
		}
		delete(m, "method_id")
		m["provider_subject"] = "109876543210987654321"
		m["provider_type"] = "Google"
		m["provider_values"] = map[string]any{ //nolint:gosec // G101: made-up provider tokens
			"access_token": "ya29.a0AfH6SMBx-not-a-real-token", "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
			"refresh_token": "", "scopes": []any{"openid", "email", "profile"}, "expires_at": "2024-06-01T13:00:45Z",
		}
		return m
	}())

	t.Run("magicLinksAuthenticate", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksAuthenticateResponse](t, benchFixture(t, "magic_links_authenticate.json"))
		// Spot checks that the body really went through the decoder (not two empty values).
		assert.Equal(t, "Ada Lovelace", got.Member.Name)
		assert.Equal(t, "acme-widgets", got.Organization.OrganizationSlug)
		require.NotNil(t, got.MemberSession)
		assert.Len(t, got.MemberSession.AuthenticationFactors, 5)
		require.NotNil(t, got.MemberDevice)
		assert.Equal(t, "GB", got.MemberDevice.IPGeoCountry)
	})
	t.Run("magicLinksEmailDiscoverySend", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksEmailDiscoverySendResponse](t, benchFixture(t, "discovery_send.json"))
		assert.Equal(t, int32(200), got.StatusCode)
	})
	t.Run("recoveryCodesGet", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.RecoveryCodesGetResponse](t, benchFixture(t, "recovery_codes_get.json"))
		assert.Len(t, got.RecoveryCodes, 10)
	})
	t.Run("magicLinksDiscoveryAuthenticate", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksDiscoveryAuthenticateResponse](t, discovery)
		require.Len(t, got.DiscoveredOrganizations, 2)
		assert.Nil(t, got.DiscoveredOrganizations[1].Membership.Member)
	})
	t.Run("oauthAuthenticate", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.OAuthAuthenticateResponse](t, oauth)
		require.NotNil(t, got.ProviderValues)
		assert.Equal(t, []string{"openid", "email", "profile"}, got.ProviderValues.Scopes)
	})
	t.Run("error body", func(t *testing.T) {
		t.Parallel()
		decodeSame[gen.Error](t, []byte(`{"status_code":400,"request_id":"request-id-test-x","error_type":"invalid_token",`+
			`"error_message":"The token is invalid.","error_url":"https://stytch.com/docs/api/errors/400",`+
			`"error_details":{"field":"magic_links_token","hint":null,"codes":[1,2.5,"x",null,true]}}`))
	})
	t.Run("pretty-printed", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		require.NoError(t, stdjson.Indent(&buf, benchFixture(t, "magic_links_authenticate.json"), "", "\t"))
		decodeSame[gen.MagicLinksAuthenticateResponse](t, buf.Bytes())
	})
	t.Run("timestamps", func(t *testing.T) {
		t.Parallel()
		for _, ts := range []string{
			"2024-06-01T12:00:45Z", "2024-06-01T12:00:45.123456789Z", "2024-06-01T12:00:45.1Z",
			"2024-06-01T14:00:45+02:00", "2024-06-01T06:30:45-05:30", "2024-06-01T12:00:45.5+00:00",
		} {
			got := decodeSame[gen.MemberSession](t, []byte(`{"started_at":"`+ts+`","expires_at":null}`))
			want, err := time.Parse(time.RFC3339Nano, ts)
			require.NoError(t, err)
			assert.True(t, want.Equal(got.StartedAt), ts)
			assert.True(t, got.ExpiresAt.IsZero(), "a null leaves the timestamp zero")
		}
	})
	t.Run("escapes and non-ASCII", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.Member](t, []byte(`{"name":"Zo\u00eb \"Z\" \u00c5str\u00f6m \ud83d\ude80 \\ \/ \b\f\n\r\t","email_address":"zoë@例え.jp"}`))
		assert.Equal(t, "Zoë \"Z\" Åström 🚀 \\ / \b\f\n\r\t", got.Name)
	})
}

func TestDecodeJSONUnknownFieldsAreHarmless(t *testing.T) {
	t.Parallel()
	body := []byte(`{
		"request_id": "request-id-test-1",
		"brand_new_field": {"nested": [1, {"deep": null}], "flag": true},
		"status_code": 200,
		"member": {
			"member_id": "member-test-1",
			"future_flag": false,
			"roles": [{"role_id": "stytch_member", "sources": [], "priority": 7}],
			"name": "Ada"
		},
		"organization": {"organization_id": "organization-test-1", "tier": "platinum"},
		"member_session": {"member_session_id": "member-session-test-1", "device_fingerprint": "abc",
			"authentication_factors": [{"type": "passkey", "delivery_method": "webauthn_v2",
				"passkey_factor": {"id": "passkey-1"}}]},
		"recovery_codes_preview": ["x"]
	}`)
	got := decodeSame[gen.MagicLinksAuthenticateResponse](t, body)
	assert.Equal(t, "request-id-test-1", got.RequestID)
	assert.Equal(t, int32(200), got.StatusCode)
	assert.Equal(t, "member-test-1", got.Member.MemberID)
	assert.Equal(t, "Ada", got.Member.Name)
	require.Len(t, got.Member.Roles, 1)
	assert.Equal(t, "stytch_member", got.Member.Roles[0].RoleID)
	assert.Equal(t, "organization-test-1", got.Organization.OrganizationID)
	require.NotNil(t, got.MemberSession)
	require.Len(t, got.MemberSession.AuthenticationFactors, 1)
	// An unknown enum value and an unknown factor kind decode as they are.
	assert.Equal(t, b2b.AuthenticationFactorType("passkey"), got.MemberSession.AuthenticationFactors[0].Type)
	assert.Equal(t, b2b.AuthenticationFactorDeliveryMethod("webauthn_v2"), got.MemberSession.AuthenticationFactors[0].DeliveryMethod)
}

func TestDecodeJSONNulls(t *testing.T) {
	t.Parallel()
	t.Run("null map values stay as nil entries", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksAuthenticateResponse](t, []byte(`{
			"member": {"trusted_metadata": {"cost_center": null, "seats": 3, "tags": [null, "a"], "nested": {"x": null}},
				"untrusted_metadata": {"theme": null}},
			"member_session": {"custom_claims": {"impersonated_by": null, "tier": 3}}}`))
		require.Contains(t, got.Member.TrustedMetadata, "cost_center")
		assert.Nil(t, got.Member.TrustedMetadata["cost_center"])
		assert.Equal(t, float64(3), got.Member.TrustedMetadata["seats"])
		assert.Equal(t, []any{nil, "a"}, got.Member.TrustedMetadata["tags"])
		assert.Equal(t, map[string]any{"x": nil}, got.Member.TrustedMetadata["nested"])
		require.Contains(t, got.Member.UntrustedMetadata, "theme")
		assert.Nil(t, got.Member.UntrustedMetadata["theme"])
		require.NotNil(t, got.MemberSession)
		require.Contains(t, got.MemberSession.CustomClaims, "impersonated_by")
		assert.Nil(t, got.MemberSession.CustomClaims["impersonated_by"])
	})
	t.Run("null for non-pointer fields is the zero value", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksAuthenticateResponse](t, []byte(`{
			"request_id": null, "status_code": null, "member_authenticated": null, "member": null,
			"organization": {"organization_id": null, "allowed_auth_methods": null, "trusted_metadata": null,
				"custom_roles": null, "created_at": null},
			"member_session": null, "mfa_required": null}`))
		assert.Equal(t, "", got.RequestID)
		assert.Equal(t, int32(0), got.StatusCode)
		assert.False(t, got.MemberAuthenticated)
		assert.Equal(t, gen.Member{}, got.Member)
		assert.Nil(t, got.Organization.AllowedAuthMethods)
		assert.Nil(t, got.Organization.TrustedMetadata)
		assert.Nil(t, got.Organization.CreatedAt)
		assert.Nil(t, got.MemberSession)
		assert.Nil(t, got.MFARequired)
	})
	t.Run("top-level null", func(t *testing.T) {
		t.Parallel()
		got := decodeSame[gen.MagicLinksEmailDiscoverySendResponse](t, []byte(`null`))
		assert.Equal(t, gen.MagicLinksEmailDiscoverySendResponse{}, got)
	})
}

func TestDecodeJSONRejectsTruncatedInput(t *testing.T) {
	t.Parallel()
	body := benchFixture(t, "magic_links_authenticate.json")
	// Every proper prefix of a JSON object is invalid; check a spread of cut points, including
	// cuts inside strings, numbers, literals, escapes and nested containers.
	cuts := []int{0, 1, 2, 10, len(body) / 3, len(body) / 2, len(body) - 2, len(body) - 1}
	for i := 3; i < len(body); i += 97 {
		cuts = append(cuts, i)
	}
	for _, n := range cuts {
		stdErr, err := decodeBoth[gen.MagicLinksAuthenticateResponse](body[:n])
		require.Error(t, stdErr, "encoding/json at %d bytes", n)
		assert.Error(t, err, "b2b.DecodeJSON accepted a body cut at %d of %d bytes", n, len(body))
	}
	for _, s := range []string{"", " \n", `{"request_id":"abc`, `{"status_code":20`, `{"member_authenticated":tr`, `{"member":{"roles":[`, `{"request_id":"\u00`} {
		_, err := decodeBoth[gen.MagicLinksAuthenticateResponse]([]byte(s))
		assert.Error(t, err, "%q", s)
	}
}

func TestDecodeJSONRejectsWrongTypes(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"member_authenticated":"yes"}`,
		`{"status_code":"200"}`,
		`{"status_code":2147483648}`, // out of int32 range
		`{"status_code":1.5}`,
		`{"request_id":42}`,
		`{"request_id":["x"]}`,
		`{"member":[]}`,
		`{"member":"member-test-1"}`,
		`{"member_session":{"roles":"stytch_admin"}}`,
		`{"member_session":{"roles":[1,2]}}`,
		`{"member_session":{"expires_at":"tomorrow"}}`,
		`{"member_session":{"expires_at":1717243245}}`,
		`{"member":{"trusted_metadata":["not","an","object"]}}`,
		`{"organization":{"custom_roles":{"role_id":"x"}}}`,
		`[]`,
		`"ok"`,
		`{"request_id":"x"} {"request_id":"y"}`, // trailing data
		`{"request_id":"x",}`,
		`{'request_id':'x'}`,
	} {
		stdErr, err := decodeBoth[gen.MagicLinksAuthenticateResponse]([]byte(body))
		require.Error(t, stdErr, "encoding/json accepted %s", body)
		assert.Error(t, err, "b2b.DecodeJSON accepted %s", body)
	}
}

func TestDecodeJSONInvalidUTF8IsReplacedLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	got := decodeSame[gen.Member](t, []byte("{\"name\":\"Ada \xff Lovelace\",\"status\":\"act\xc3\x28ive\"}"))
	assert.Equal(t, "Ada \uFFFD Lovelace", got.Name)
}

func TestDecodeJSONMemberNamesMatchExactly(t *testing.T) {
	t.Parallel()
	// encoding/json would fill MemberID from "MEMBER_ID" when no exact match is present; b2b.DecodeJSON
	// treats a differently cased name as an unknown member: ignored, no error.
	var got gen.Member
	require.NoError(t, b2b.DecodeJSON([]byte(`{"MEMBER_ID":"member-test-upper","Name":"Ada","status":"active"}`), &got))
	assert.Equal(t, "", got.MemberID)
	assert.Equal(t, "", got.Name)
	assert.Equal(t, b2b.MemberStatusActive, got.Status)

	require.NoError(t, b2b.DecodeJSON([]byte(`{"Member_ID":"member-test-upper","member_id":"member-test-exact"}`), &got))
	assert.Equal(t, "member-test-exact", got.MemberID)
}

func TestDecodeJSONRejectsDuplicateNames(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"member_id":"member-test-a","member_id":"member-test-b"}`,
		`{"trusted_metadata":{"role":"viewer","role":"admin"}}`,
		`{"roles":[{"role_id":"a","role_id":"b"}]}`,
	} {
		var std gen.Member
		require.NoError(t, stdjson.Unmarshal([]byte(body), &std), "encoding/json keeps the last value")
		var got gen.Member
		err := b2b.DecodeJSON([]byte(body), &got)
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), "duplicate", body)
	}
}

func TestDecodeJSONErrorNamesTheProblem(t *testing.T) {
	t.Parallel()
	var got gen.MagicLinksAuthenticateResponse
	err := b2b.DecodeJSON([]byte(`{"member":{"roles":[{"role_id":7}]}}`), &got)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/member/roles/0/role_id", "the error points at the field")
	assert.NotContains(t, strings.ToLower(err.Error()), "panic")
}

// FuzzDecodeJSON: b2b.DecodeJSON never panics, and whatever it accepts, once written back out by
// encoding/json, decodes to exactly the same value with encoding/json and with b2b.DecodeJSON. (The
// raw input itself can legitimately decode differently: encoding/json matches "memBer_ID" to
// member_id and keeps the last of duplicate names, b2b.DecodeJSON does neither.)
func FuzzDecodeJSON(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, which takes minutes on an 11 KB body.
	f.Add(benchFixture(f, "discovery_send.json"))
	f.Add([]byte(`{"member":{"member_id":"m","roles":[{"role_id":"r","sources":[{"type":"t","details":{}}]}]},"organization":{"organization_id":"o","allowed_auth_methods":["sso"]}}`))
	f.Add([]byte(`{"member":{"trusted_metadata":{"a":null}},"member_session":{"expires_at":"2024-06-01T12:00:45Z"}}`))
	f.Add([]byte(`{"status_code":200,"unknown":[1,{"x":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var got gen.MagicLinksAuthenticateResponse
		if b2b.DecodeJSON(body, &got) != nil {
			return
		}
		canonical, err := stdjson.Marshal(got) //nolint:gosec // G117: re-encodes the fuzzer's input to compare the decoders; no real secret
		if err != nil {
			t.Fatalf("encoding/json cannot write back what b2b.DecodeJSON accepted: %v\n%q", err, body)
		}
		var std, again gen.MagicLinksAuthenticateResponse
		if err := stdjson.Unmarshal(canonical, &std); err != nil {
			t.Fatalf("encoding/json: %v\n%s", err, canonical)
		}
		if err := b2b.DecodeJSON(canonical, &again); err != nil {
			t.Fatalf("b2b.DecodeJSON: %v\n%s", err, canonical)
		}
		if !assert.Equal(t, std, again) {
			t.Fatalf("input %q", body)
		}
	})
}

// BenchmarkDecodeJSON isolates the decoder on the ~11 KB magic link response: encoding/json (what
// b2b.DecodeJSON used before) against b2b.DecodeJSON. The end-to-end numbers are in package bench.
func BenchmarkDecodeJSON(b *testing.B) {
	body := benchFixture(b, "magic_links_authenticate.json")
	for _, d := range []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"encoding_json", stdjson.Unmarshal},
		{"decodeJSON", b2b.DecodeJSON},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var out gen.MagicLinksAuthenticateResponse
				if err := d.decode(body, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
