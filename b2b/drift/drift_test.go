package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

func TestCleanFixturesHaveNoFindings(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			findings, err := drift.Check(c.Op.ID, 200, c.Response)
			require.NoError(t, err)
			assert.Empty(t, findings)
		})
	}
}

// edit decodes the fixture response of opID, applies fn and encodes it again.
func edit(t *testing.T, opID string, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(fixtures.ByID(opID).Response, &m))
	fn(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func obj(v any) map[string]any { return v.(map[string]any) }

func TestEachKindOfDrift(t *testing.T) {
	const op = "magicLinksAuthenticate"
	for _, tc := range []struct {
		name   string
		edit   func(m map[string]any)
		path   string
		kind   drift.Kind
		detail string
	}{
		{"unknown top-level field", func(m map[string]any) { m["risk_score"] = 0.3 }, "/risk_score", drift.UnknownField, "number"},
		{"unknown nested field", func(m map[string]any) { obj(m["member"])["passkeys"] = []any{} }, "/member/passkeys", drift.UnknownField, "array"},
		{"unknown field in an array element", func(m map[string]any) {
			obj(obj(m["member_session"])["authentication_factors"].([]any)[0])["passkey_factor"] = map[string]any{}
		}, "/member_session/authentication_factors/0/passkey_factor", drift.UnknownField, "object"},
		{"unknown field behind allOf", func(m map[string]any) { obj(m["mfa_required"])["auth_hint"] = "x" }, "/mfa_required/auth_hint", drift.UnknownField, "string"},
		{"missing top-level field", func(m map[string]any) { delete(m, "member_authenticated") }, "/member_authenticated", drift.MissingField, "required"},
		{"missing nested field", func(m map[string]any) { delete(obj(m["organization"]), "mfa_policy") }, "/organization/mfa_policy", drift.MissingField, "required"},
		{"string for integer", func(m map[string]any) { m["status_code"] = "200" }, "/status_code", drift.WrongType, "string, the spec says integer"},
		{"fraction for integer", func(m map[string]any) { m["status_code"] = 200.5 }, "/status_code", drift.WrongType, "integer"},
		{"integer beyond int32", func(m map[string]any) { m["status_code"] = int64(1) << 40 }, "/status_code", drift.WrongType, "int32"},
		{"string for boolean", func(m map[string]any) { m["member_authenticated"] = "true" }, "/member_authenticated", drift.WrongType, "boolean"},
		{"null for a non-nullable array", func(m map[string]any) { obj(m["member"])["roles"] = nil }, "/member/roles", drift.WrongType, "null"},
		{"object for string", func(m map[string]any) { m["session_token"] = map[string]any{} }, "/session_token", drift.WrongType, "object, the spec says string"},
		{"bad date-time", func(m map[string]any) { obj(m["member_session"])["expires_at"] = "" }, "/member_session/expires_at", drift.WrongType, "RFC 3339"},
		{"unknown member status", func(m map[string]any) { obj(m["member"])["status"] = "suspended" }, "/member/status", drift.UnknownEnumValue, `"suspended"`},
		{"unknown organization policy", func(m map[string]any) { obj(m["organization"])["mfa_policy"] = "REQUIRED_FOR_ADMINS" }, "/organization/mfa_policy", drift.UnknownEnumValue, "REQUIRED_FOR_ALL"},
		{"unknown value in an array of strings", func(m map[string]any) {
			obj(m["organization"])["allowed_auth_methods"] = []any{"sso", "passkey"}
		}, "/organization/allowed_auth_methods/1", drift.UnknownEnumValue, `"passkey"`},
		{"unknown factor type", func(m map[string]any) {
			obj(obj(m["member_session"])["authentication_factors"].([]any)[0])["type"] = "passkey"
		}, "/member_session/authentication_factors/0/type", drift.UnknownEnumValue, "magic_link"},
		{"unknown role source", func(m map[string]any) {
			obj(obj(m["member"])["roles"].([]any)[0].(map[string]any)["sources"].([]any)[0])["type"] = "scim_direct"
		}, "/member/roles/0/sources/0/type", drift.UnknownEnumValue, "direct_assignment"},
		{"unknown secondary auth behind nullable allOf", func(m map[string]any) {
			obj(m["mfa_required"])["secondary_auth_initiated"] = "totp_push"
		}, "/mfa_required/secondary_auth_initiated", drift.UnknownEnumValue, "sms_otp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			findings, err := drift.Check(op, 200, edit(t, op, tc.edit))
			require.NoError(t, err)
			require.Len(t, findings, 1, "%v", findings)
			f := findings[0]
			assert.Equal(t, op, f.Operation)
			assert.Equal(t, tc.path, f.Path)
			assert.Equal(t, tc.kind, f.Kind)
			assert.Contains(t, f.Detail, tc.detail)
		})
	}
}

func TestWhatIsNotDrift(t *testing.T) {
	const op = "magicLinksAuthenticate"
	for name, fn := range map[string]func(m map[string]any){
		"anything in a free-form object": func(m map[string]any) {
			obj(m["member"])["trusted_metadata"] = map[string]any{"new": map[string]any{"deep": []any{1, "x", nil}}}
			obj(m["member_session"])["custom_claims"] = map[string]any{"n": nil}
		},
		"null for a nullable field":          func(m map[string]any) { m["member_session"] = nil; m["mfa_required"] = nil },
		"an absent optional field":           func(m map[string]any) { delete(m, "member_device"); delete(m, "primary_required") },
		"an empty string for a known-values": func(m map[string]any) { obj(m["member"])["default_mfa_method"] = "" },
		"a value from the known values":      func(m map[string]any) { obj(m["member"])["status"] = "deleted" },
		"an empty array":                     func(m map[string]any) { obj(m["organization"])["allowed_auth_methods"] = []any{} },
	} {
		t.Run(name, func(t *testing.T) {
			findings, err := drift.Check(op, 200, edit(t, op, fn))
			require.NoError(t, err)
			assert.Empty(t, findings)
		})
	}
}

func TestCheckEdges(t *testing.T) {
	_, err := drift.Check("nope", 200, []byte(`{}`))
	assert.ErrorIs(t, err, drift.ErrUnknownOperation)

	findings, err := drift.Check("recoveryCodesGet", 200, []byte(`<html>`))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, drift.WrongType, findings[0].Kind)
	assert.Contains(t, findings[0].Detail, "not JSON")

	findings, err = drift.Check("recoveryCodesGet", 200, []byte(`[]`))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "", findings[0].Path)

	// Error answers are checked against the Error schema (the default response).
	findings, err = drift.Check("recoveryCodesGet", 404, []byte(`{"status_code":404,"request_id":"r","error_type":"member_not_found","error_msg":"x"}`))
	require.NoError(t, err)
	var kinds []string
	for _, f := range findings {
		kinds = append(kinds, string(f.Kind)+" "+f.Path)
	}
	assert.ElementsMatch(t, []string{"missing_field /error_message", "unknown_field /error_msg"}, kinds)

	// JSON pointer escaping.
	findings, err = drift.Check("magicLinksEmailDiscoverySend", 200, []byte(`{"request_id":"r","status_code":200,"a/b~c":1}`))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "/a~1b~0c", findings[0].Path)

	f := drift.Finding{Operation: "op", Path: "/x", Kind: drift.UnknownField, Detail: "d"}
	assert.Equal(t, "op /x: unknown_field: d", f.String())
	assert.EqualValues(t, "op (body): wrong_type: d", drift.Finding{Operation: "op", Kind: drift.WrongType, Detail: "d"}.String())
}

// TestKnownValuesCoverTheDescriptions keeps the extension in step with the spec's prose: every
// response string field whose description names known values carries x-stytch-known-values (on
// itself or, for arrays, on its items), and every list holds strings.
func TestKnownValuesCoverTheDescriptions(t *testing.T) {
	doc := fixtures.Spec()
	checked := 0
	for name, ref := range doc.Components.Schemas {
		if strings.HasSuffix(name, "Request") {
			continue
		}
		for prop, p := range ref.Value.Properties {
			desc := strings.ToLower(p.Value.Description)
			target := p.Value
			if p.Value.Type.Is(openapi3.TypeArray) && p.Value.Items != nil {
				target = p.Value.Items.Value
			}
			known, has := target.Extensions["x-stytch-known-values"]
			if strings.Contains(desc, "known value") {
				assert.True(t, has, "%s.%s describes known values but has no x-stytch-known-values", name, prop)
			}
			if has {
				checked++
				list, ok := known.([]any)
				require.True(t, ok, "%s.%s: x-stytch-known-values must be a list", name, prop)
				require.NotEmpty(t, list)
				for _, v := range list {
					_, isString := v.(string)
					assert.True(t, isString, "%s.%s: %v is not a string", name, prop, v)
				}
			}
		}
	}
	assert.GreaterOrEqual(t, checked, 18)
}

// stub answers every request with a fixed answer.
type stub struct {
	status int
	header http.Header
	body   io.Reader
	calls  int
}

func (s *stub) RoundTrip(*http.Request) (*http.Response, error) {
	s.calls++
	h := s.header
	if h == nil {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return &http.Response{StatusCode: s.status, Header: h, Body: io.NopCloser(s.body)}, nil
}

func roundTrip(t *testing.T, rt http.RoundTripper, method, url string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	b, rerr := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp, b, rerr
}

func TestTransportPassesTheBodyThroughUnchanged(t *testing.T) {
	var col drift.Collector
	body := `{"request_id":"r", "status_code":200 ,"new":true}` // odd spacing on purpose
	tr := drift.NewTransport(&stub{status: 200, body: strings.NewReader(body)}, col.Report)
	_, got, err := roundTrip(t, tr, http.MethodPost, "https://test.stytch.com/v1/b2b/magic_links/email/discovery/send")
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
	findings := col.Findings()
	require.Len(t, findings, 1)
	assert.Equal(t, drift.Finding{Operation: "magicLinksEmailDiscoverySend", Path: "/new", Kind: drift.UnknownField, Detail: "not in the spec (a boolean)"}, findings[0])

	col.Reset()
	assert.Empty(t, col.Findings())
}

func TestTransportMatchesOperations(t *testing.T) {
	var col drift.Collector
	ans := `{"request_id":"r","status_code":200,"x":1}`
	for _, tc := range []struct {
		method, url string
		op          string
	}{
		{"GET", "https://test.stytch.com/v1/b2b/recovery_codes/org%2F1/member-1", "recoveryCodesGet"},
		{"POST", "http://127.0.0.1:1/prefix/v1/b2b/recovery_codes/recover", "recoveryCodesRecover"},
		{"POST", "https://test.stytch.com/v1/b2b/recovery_codes/rotate", "recoveryCodesRotate"},
		{"GET", "https://test.stytch.com/v1/b2b/recovery_codes/rotate/extra/segment", ""},
		{"GET", "https://test.stytch.com/v1/b2b/organizations", ""},
		{"DELETE", "https://test.stytch.com/v1/b2b/recovery_codes/rotate", ""},
	} {
		col.Reset()
		tr := drift.NewTransport(&stub{status: 200, body: strings.NewReader(ans)}, col.Report)
		_, got, err := roundTrip(t, tr, tc.method, tc.url)
		require.NoError(t, err)
		assert.Equal(t, ans, string(got))
		var ops []string
		for _, f := range col.Findings() {
			if f.Path == "/x" {
				ops = append(ops, f.Operation)
			}
		}
		if tc.op == "" {
			assert.Empty(t, col.Findings(), "%s %s", tc.method, tc.url)
		} else {
			assert.Equal(t, []string{tc.op}, ops, "%s %s", tc.method, tc.url)
		}
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestTransportEdges(t *testing.T) {
	const url = "https://test.stytch.com/v1/b2b/magic_links/email/discovery/send"

	t.Run("a read error reaches the client after the same bytes", func(t *testing.T) {
		var col drift.Collector
		boom := errors.New("connection reset")
		tr := drift.NewTransport(&stub{status: 200, body: &failingReader{data: []byte(`{"request_id":`), err: boom}}, col.Report)
		_, got, err := roundTrip(t, tr, http.MethodPost, url)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, `{"request_id":`, string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("an HTML error page is not checked", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 502, header: http.Header{"Content-Type": {"text/html"}}, body: strings.NewReader("<html>bad gateway</html>")}, col.Report)
		resp, got, err := roundTrip(t, tr, http.MethodPost, url)
		require.NoError(t, err)
		assert.Equal(t, 502, resp.StatusCode)
		assert.Equal(t, "<html>bad gateway</html>", string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("a JSON error answer is checked against the Error schema", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 400, body: strings.NewReader(`{"status_code":400,"request_id":"r","error_type":"x","error_message":"m","error_hint":"h"}`)}, col.Report)
		_, _, err := roundTrip(t, tr, http.MethodPost, url)
		require.NoError(t, err)
		require.Len(t, col.Findings(), 1)
		assert.Equal(t, "/error_hint", col.Findings()[0].Path)
	})

	t.Run("a compressed body is passed through unchecked", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 200, header: http.Header{"Content-Encoding": {"gzip"}}, body: strings.NewReader("\x1f\x8b...")}, col.Report)
		_, got, err := roundTrip(t, tr, http.MethodPost, url)
		require.NoError(t, err)
		assert.Equal(t, "\x1f\x8b...", string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("a body over the cap is passed through unchecked", func(t *testing.T) {
		var col drift.Collector
		big := append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), drift.MaxBodyBytes)...)
		big = append(big, `"}`...)
		tr := drift.NewTransport(&stub{status: 200, body: bytes.NewReader(big)}, col.Report)
		_, got, err := roundTrip(t, tr, http.MethodPost, url)
		require.NoError(t, err)
		assert.Equal(t, big, got)
		assert.Empty(t, col.Findings())
	})

	t.Run("transport errors are returned as they are", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial failed") }), col.Report)
		req, _ := http.NewRequest(http.MethodPost, url, nil)
		_, err := tr.RoundTrip(req)
		assert.EqualError(t, err, "dial failed")
	})

	assert.Panics(t, func() { drift.NewTransport(nil, nil) })
	assert.NotNil(t, drift.NewTransport(nil, func(drift.Finding) {}), "nil next means http.DefaultTransport")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestWithTheSDKAndTheFake runs every operation through the SDK with the detector on, against the
// fake server: its answers match the spec, so there is nothing to report. Then the fake is made to
// answer with drift, which the SDK decodes without error and the detector reports.
func TestWithTheSDKAndTheFake(t *testing.T) {
	srv := b2btest.NewServer(t)
	var col drift.Collector
	client := srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { return drift.NewTransport(next, col.Report) }))
	ctx := context.Background()

	var wg sync.WaitGroup
	for _, c := range fixtures.Cases() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = callAll(ctx, client, c) // errors are checked below through the recorded statuses
		}()
	}
	wg.Wait()
	for _, r := range srv.Requests() {
		if r.Operation == gen.OpPasswordsSessionsReset.ID || r.Operation == gen.OpRecoveryCodesRecover.ID {
			continue // minimal reset has no session; the fixture code is not a code the fake issued
		}
		assert.Equal(t, 200, r.Status, r.Operation)
	}
	assert.Empty(t, col.Findings())

	drifted := edit(t, "magicLinksAuthenticate", func(m map[string]any) {
		obj(m["member"])["status"] = "suspended"
		m["risk_score"] = 0.9
	})
	var raw map[string]any
	require.NoError(t, json.Unmarshal(drifted, &raw))
	srv.On(b2btest.MagicLinksAuthenticate).RespondJSON(200, raw)
	resp, err := client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: "t"})
	require.NoError(t, err, "drift never fails a call")
	assert.Equal(t, b2b.MemberStatus("suspended"), resp.Member.Status)
	var got []string
	for _, f := range col.Findings() {
		got = append(got, f.String())
	}
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "magicLinksAuthenticate /member/status: unknown_enum_value")
	assert.Contains(t, got[1], "magicLinksAuthenticate /risk_score: unknown_field")
}

func callAll(ctx context.Context, c *b2b.Client, tc fixtures.Case) (any, error) {
	switch p := tc.Minimal.(type) {
	case *gen.ImpersonationAuthenticateRequest:
		return c.Impersonation.Authenticate(ctx, p)
	case *gen.MagicLinksAuthenticateRequest:
		return c.MagicLinks.Authenticate(ctx, p)
	case *gen.MagicLinksEmailLoginOrSignupRequest:
		return c.MagicLinks.Email.LoginOrSignup(ctx, p)
	case *gen.MagicLinksEmailInviteRequest:
		return c.MagicLinks.Email.Invite(ctx, p)
	case *gen.MagicLinksEmailDiscoverySendRequest:
		return c.MagicLinks.Email.Discovery.Send(ctx, p)
	case *gen.MagicLinksDiscoveryAuthenticateRequest:
		return c.MagicLinks.Discovery.Authenticate(ctx, p)
	case *gen.OAuthAuthenticateRequest:
		return c.OAuth.Authenticate(ctx, p)
	case *gen.OAuthDiscoveryAuthenticateRequest:
		return c.OAuth.Discovery.Authenticate(ctx, p)
	case *gen.PasswordsSessionsResetRequest:
		return c.Passwords.Sessions.Reset(ctx, p)
	case *gen.RecoveryCodesGetRequest:
		return c.RecoveryCodes.Get(ctx, p)
	case *gen.RecoveryCodesRecoverRequest:
		return c.RecoveryCodes.Recover(ctx, p)
	case *gen.RecoveryCodesRotateRequest:
		return c.RecoveryCodes.Rotate(ctx, p)
	}
	return nil, errors.New("unexpected params")
}
