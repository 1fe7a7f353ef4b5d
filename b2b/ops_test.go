package b2b_test

// The wire format of the twelve operations: method, path, headers and body byte for byte, decoding
// of complete responses, nil-skipping, free-form nulls, the Invite headers and path escaping.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

func TestFacadeWireFormat(t *testing.T) {
	const uaSuffix = "acme-backend/2.3"
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(facadeProjectID+":"+facadeSecret))
	for _, c := range fixtures.Cases() {
		for _, kind := range []string{"minimal", "full"} {
			t.Run(c.Op.ID+"/"+kind, func(t *testing.T) {
				row := facadeRow(t, c.Op.ID)
				params := c.Minimal
				if kind == "full" {
					params = c.Full
				}
				srv := newFacadeServer(t, facadeOK(c.Response))
				client := newFacadeClient(t, srv.URL, b2b.WithUserAgent(uaSuffix))

				resp, err := row.call(context.Background(), client, params)
				require.NoError(t, err)
				require.NotNil(t, resp)

				hits := srv.Hits()
				require.Len(t, hits, 1, "exactly one request must be sent")
				h := hits[0]
				assert.Equal(t, c.Op.Method, h.Method)
				assert.Equal(t, facadeExpectedPath(t, c.Op, params), h.EscapedPath)

				assert.Equal(t, wantAuth, h.Header.Get("Authorization"))
				req := &http.Request{Header: h.Header}
				user, pass, ok := req.BasicAuth()
				assert.True(t, ok, "Authorization is not HTTP Basic")
				assert.Equal(t, facadeProjectID, user)
				assert.Equal(t, facadeSecret, pass)

				ua := h.Header.Get("User-Agent")
				assert.True(t, strings.HasPrefix(ua, "stytch-b2b-go/"+b2b.Version+" "), "User-Agent %q", ua)
				assert.True(t, strings.HasSuffix(ua, " "+uaSuffix), "User-Agent %q lacks the suffix", ua)

				assert.Empty(t, h.Header.Values("X-Stytch-Member-Session"))
				assert.Empty(t, h.Header.Values("X-Stytch-Member-SessionJWT"))

				golden := fixtures.Golden(c.Op.ID, kind)
				if c.Op.Method == http.MethodGet {
					assert.Nil(t, golden)
					assert.Empty(t, h.Body, "a GET sends no body")
					assert.Empty(t, h.Header.Get("Content-Type"), "a GET has no body to describe")
					return
				}
				require.NotEmpty(t, golden)
				assert.Equal(t, "application/json", h.Header.Get("Content-Type"))
				assert.JSONEq(t, string(golden), string(h.Body))
				assert.Equal(t, string(golden), string(h.Body), "the body must match the golden file byte for byte")
			})
		}
	}
}

func TestFacadeUserAgentWithoutSuffix(t *testing.T) {
	c := fixtures.ByID(gen.OpRecoveryCodesRotate.ID)
	srv := newFacadeServer(t, facadeOK(c.Response))
	client := newFacadeClient(t, srv.URL)
	_, err := client.RecoveryCodes.Rotate(context.Background(), c.Minimal.(*b2b.RecoveryCodesRotateParams))
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count())
	ua := srv.Hits()[0].Header.Get("User-Agent")
	assert.Regexp(t, `^stytch-b2b-go/\d+\.\d+\.\d+\S* \(go[^;]+; [a-z0-9]+/[a-z0-9]+\)$`, ua)
	assert.True(t, strings.HasPrefix(ua, "stytch-b2b-go/"+b2b.Version+" "), "User-Agent %q", ua)
}

func TestFacadeResponseDecoding(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			row := facadeRow(t, c.Op.ID)
			srv := newFacadeServer(t, facadeOK(c.Response))
			client := newFacadeClient(t, srv.URL)

			resp, err := row.call(context.Background(), client, c.Minimal)
			require.NoError(t, err)
			require.NotNil(t, resp)
			rv := reflect.ValueOf(resp)
			require.Equal(t, reflect.Pointer, rv.Kind())
			require.False(t, rv.IsNil())
			require.Equal(t, row.respType, rv.Type().Elem())

			// Every field of the fixture landed in the typed response, with its value: re-encoding
			// gives the fixture back.
			again, err := json.Marshal(resp)
			require.NoError(t, err)
			assert.JSONEq(t, string(c.Response), string(again))

			// Pointers, maps and slices are set wherever the fixture has a value, and free-form
			// objects keep their null values as keys.
			facadeAssertLanded(t, c.Op.ID, rv.Elem(), facadeDecodeObject(t, c.Response))
		})
	}
}

// facadeAssertLanded walks the typed value v along the decoded JSON j: every JSON key with a
// non-null value has a non-nil Go value, and a free-form map keeps null values as keys with a nil
// value.
func facadeAssertLanded(t *testing.T, path string, v reflect.Value, j any) {
	t.Helper()
	if j == nil {
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if !assert.Falsef(t, v.IsNil(), "%s is nil, the fixture has %v", path, j) {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		obj, ok := j.(map[string]any)
		if !ok {
			return // a time.Time or another value type that encodes as a string
		}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			if val, ok := obj[name]; ok {
				facadeAssertLanded(t, path+"."+name, v.Field(i), val)
			}
		}
	case reflect.Map:
		obj, ok := j.(map[string]any)
		if !assert.Truef(t, ok, "%s: the fixture has %T", path, j) {
			return
		}
		assert.Falsef(t, v.IsNil(), "%s is a nil map", path)
		for key, val := range obj {
			got := v.MapIndex(reflectKey(v, key))
			if !assert.Truef(t, got.IsValid(), "%s: key %q is missing", path, key) {
				continue
			}
			if val == nil {
				assert.Truef(t, got.Kind() == reflect.Interface && got.IsNil(), "%s.%s: want a nil value for JSON null, got %v", path, key, got)
				continue
			}
			facadeAssertLanded(t, path+"."+key, got, val)
		}
	case reflect.Slice:
		arr, ok := j.([]any)
		if !assert.Truef(t, ok, "%s: the fixture has %T", path, j) {
			return
		}
		assert.Falsef(t, v.IsNil(), "%s is a nil slice", path)
		if assert.Equalf(t, len(arr), v.Len(), "%s: length", path) {
			for i := range arr {
				facadeAssertLanded(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i), arr[i])
			}
		}
	}
}

func reflectKey(m reflect.Value, key string) reflect.Value {
	return reflect.ValueOf(key).Convert(m.Type().Key())
}

// facadeRequiredProps returns the names of the required and of all properties of op's request
// (the body schema, or the path parameters of the GET), as the spec declares them.
func facadeRequestProps(t *testing.T, doc *openapi3.T, opID string) (required []string, props map[string]*openapi3.Schema) {
	t.Helper()
	op := facadeSpecOperation(t, doc, opID)
	props = map[string]*openapi3.Schema{}
	if op.RequestBody != nil {
		mt := op.RequestBody.Value.Content.Get("application/json")
		require.NotNil(t, mt, "%s: no JSON body", opID)
		s := mt.Schema.Value
		for name, p := range s.Properties {
			props[name] = p.Value
		}
		return slices.Sorted(slices.Values(s.Required)), props
	}
	for _, p := range op.Parameters {
		if p.Value.In == openapi3.ParameterInPath {
			props[p.Value.Name] = p.Value.Schema.Value
			if p.Value.Required {
				required = append(required, p.Value.Name)
			}
		}
	}
	slices.Sort(required)
	return required, props
}

func facadeSpecOperation(t *testing.T, doc *openapi3.T, opID string) *openapi3.Operation {
	t.Helper()
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			if op.OperationID == opID {
				return op
			}
		}
	}
	require.FailNowf(t, "unknown operation", "%s is not in the spec", opID)
	return nil
}

// TestFacadeOptionalNilFieldsAreNotSent builds, for each operation with a body, params with only the
// fields the spec requires and checks that exactly those are sent.
func TestFacadeOptionalNilFieldsAreNotSent(t *testing.T) {
	doc := facadeDoc(t)
	for _, c := range fixtures.Cases() {
		if c.Op.Method == http.MethodGet {
			continue
		}
		t.Run(c.Op.ID, func(t *testing.T) {
			row := facadeRow(t, c.Op.ID)
			required, props := facadeRequestProps(t, doc, c.Op.ID)
			require.NotEmpty(t, required)
			params := row.newParams()
			want := map[string]any{}
			for _, name := range required {
				require.Truef(t, props[name].Type.Is(openapi3.TypeString),
					"%s.%s is a required %v: teach this test to fill it", c.Op.ID, name, props[name].Type)
				v := "value-of-" + name
				facadeSet(t, params, name, v)
				want[name] = v
			}
			srv := newFacadeServer(t, facadeOK(c.Response))
			_, err := row.call(context.Background(), newFacadeClient(t, srv.URL), params)
			require.NoError(t, err)
			require.Equal(t, 1, srv.Count())
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(srv.Hits()[0].Body), "only the required fields may be sent")
		})
	}
}

// TestFacadeFreeFormNilIsSentAsNull sets every free-form object of every request (as the spec
// declares them) to a map with a nil value and checks that the nil arrives as JSON null.
func TestFacadeFreeFormNilIsSentAsNull(t *testing.T) {
	doc := facadeDoc(t)
	seen := 0
	for _, c := range fixtures.Cases() {
		_, props := facadeRequestProps(t, doc, c.Op.ID)
		for name, s := range props {
			if !s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
				continue
			}
			seen++
			t.Run(c.Op.ID+"/"+name, func(t *testing.T) {
				row := facadeRow(t, c.Op.ID)
				params := facadeClone(c.Minimal)
				facadeSet(t, params, name, map[string]any{"remove": nil, "keep": "yes"})
				srv := newFacadeServer(t, facadeOK(c.Response))
				_, err := row.call(context.Background(), newFacadeClient(t, srv.URL), params)
				require.NoError(t, err)
				require.Equal(t, 1, srv.Count())
				body := facadeDecodeObject(t, srv.Hits()[0].Body)
				require.Contains(t, body, name)
				got, err := json.Marshal(body[name])
				require.NoError(t, err)
				assert.JSONEq(t, `{"keep":"yes","remove":null}`, string(got))
			})
		}
	}
	// session_custom_claims (5 operations), trusted_metadata and untrusted_metadata (invite).
	assert.GreaterOrEqual(t, seen, 7, "the spec lost free-form objects, or this test stopped finding them")
}

func TestFacadeSessionCustomClaimsRemoveIsSentAsNull(t *testing.T) {
	c := fixtures.ByID(gen.OpMagicLinksAuthenticate.ID)
	srv := newFacadeServer(t, facadeOK(c.Response))
	client := newFacadeClient(t, srv.URL)
	_, err := client.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:     "secret-magic-links-token-claims-test",
		SessionCustomClaims: map[string]any{"remove": nil},
	})
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count())
	assert.Equal(t,
		`{"magic_links_token":"secret-magic-links-token-claims-test","session_custom_claims":{"remove":null}}`,
		string(srv.Hits()[0].Body))
}

func TestFacadePtr(t *testing.T) {
	n := int32(60)
	p := b2b.Ptr(n)
	require.NotNil(t, p)
	assert.Equal(t, int32(60), *p)
	n = 61
	assert.Equal(t, int32(60), *p, "Ptr must point to a copy")
	assert.NotSame(t, b2b.Ptr("x"), b2b.Ptr("x"), "each call returns a new pointer")

	c := fixtures.ByID(gen.OpMagicLinksAuthenticate.ID)
	srv := newFacadeServer(t, facadeOK(c.Response))
	client := newFacadeClient(t, srv.URL)
	_, err := client.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken:        "secret-magic-links-token-ptr-test",
		SessionDurationMinutes: b2b.Ptr(int32(60)),
		Locale:                 b2b.Ptr(b2b.MagicLinksAuthenticateLocale("es")),
		TelemetryID:            b2b.Ptr(""), // set, though empty: optional pointers are sent when not nil
	})
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count())
	assert.JSONEq(t,
		`{"magic_links_token":"secret-magic-links-token-ptr-test","session_duration_minutes":60,"locale":"es","telemetry_id":""}`,
		string(srv.Hits()[0].Body))
}

func TestFacadeInviteMemberSessionHeaders(t *testing.T) {
	c := fixtures.ByID(gen.OpMagicLinksEmailInvite.ID)
	headers, ok := c.Headers.(*gen.MagicLinksEmailInviteParams)
	require.True(t, ok, "the invite fixture has no header params")
	require.NotNil(t, headers.XStytchMemberSession)
	require.NotNil(t, headers.XStytchMemberSessionJWT)
	token, jwt := *headers.XStytchMemberSession, *headers.XStytchMemberSessionJWT

	tests := []struct {
		name             string
		opts             []b2b.CallOption
		wantSess, wantJW []string
	}{
		{name: "none"},
		{name: "zero option", opts: []b2b.CallOption{{}}},
		{name: "session", opts: []b2b.CallOption{b2b.WithMemberSession(token)}, wantSess: []string{token}},
		{name: "jwt", opts: []b2b.CallOption{b2b.WithMemberSessionJWT(jwt)}, wantJW: []string{jwt}},
		{
			name:     "both",
			opts:     []b2b.CallOption{b2b.WithMemberSession(token), b2b.WithMemberSessionJWT(jwt)},
			wantSess: []string{token}, wantJW: []string{jwt},
		},
		{
			name:     "last one wins",
			opts:     []b2b.CallOption{b2b.WithMemberSession("secret-stale-session"), b2b.WithMemberSession(token)},
			wantSess: []string{token},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFacadeServer(t, facadeOK(c.Response))
			client := newFacadeClient(t, srv.URL)
			resp, err := client.MagicLinks.Email.Invite(context.Background(), c.Full.(*b2b.MagicLinksEmailInviteParams), tt.opts...)
			require.NoError(t, err)
			require.NotNil(t, resp)
			require.Equal(t, 1, srv.Count())
			h := srv.Hits()[0].Header
			assert.Equal(t, tt.wantSess, h.Values("X-Stytch-Member-Session"))
			assert.Equal(t, tt.wantJW, h.Values("X-Stytch-Member-SessionJWT"))
			assert.JSONEq(t, string(fixtures.Golden(c.Op.ID, "full")), string(srv.Hits()[0].Body), "options must not change the body")
		})
	}
}

// An empty member session would make the invite run with the project's own permissions instead of
// the member's: it is refused before anything is sent.
func TestFacadeInviteEmptyMemberSessionIsRefused(t *testing.T) {
	c := fixtures.ByID(gen.OpMagicLinksEmailInvite.ID)
	for name, opt := range map[string]b2b.CallOption{
		"X-Stytch-Member-Session":    b2b.WithMemberSession(""),
		"X-Stytch-Member-SessionJWT": b2b.WithMemberSessionJWT(""),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFacadeServer(t, facadeUnreachable(t))
			client := newFacadeClient(t, srv.URL)
			resp, err := client.MagicLinks.Email.Invite(context.Background(), c.Minimal.(*b2b.MagicLinksEmailInviteParams), opt)
			require.Error(t, err)
			assert.Nil(t, resp)
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, name, ve.Field)
			assert.Equal(t, "non_empty", ve.Rule)
			assert.Equal(t, c.Op.ID, ve.Operation)
			assert.Contains(t, err.Error(), name)
			assert.Zero(t, srv.Count())
		})
	}
}

func TestFacadeRecoveryCodesGetPathEscaping(t *testing.T) {
	c := fixtures.ByID(gen.OpRecoveryCodesGet.ID)
	const odd = "a/b?c#d%e f"
	const unicode = "ünï"
	tests := []struct{ org, member string }{
		{odd, unicode},
		{unicode, odd},
		{odd, odd},
		{"org with spaces", "member+plus;semi:colon@at"},
		{"...", ".hidden"}, // dots are fine when they are not the whole segment
	}
	for _, tt := range tests {
		t.Run(tt.org+"|"+tt.member, func(t *testing.T) {
			srv := newFacadeServer(t, facadeOK(c.Response))
			client := newFacadeClient(t, srv.URL)
			params := &b2b.RecoveryCodesGetParams{OrganizationID: tt.org, MemberID: tt.member}
			resp, err := client.RecoveryCodes.Get(context.Background(), params)
			require.NoError(t, err)
			require.NotNil(t, resp)
			require.Equal(t, 1, srv.Count())
			h := srv.Hits()[0]
			assert.Equal(t, "/v1/b2b/recovery_codes/"+tt.org+"/"+tt.member, h.Path, "the server must see the values unescaped")
			assert.Equal(t, facadeExpectedPath(t, c.Op, params), h.EscapedPath)
			assert.NotContains(t, h.EscapedPath, "?")
			assert.NotContains(t, h.EscapedPath, "#")
			assert.Equal(t, 5, strings.Count(h.EscapedPath, "/"), "a value must stay one path segment")
		})
	}
}

func TestFacadeRecoveryCodesGetRejectsBadSegments(t *testing.T) {
	for _, field := range []string{"organization_id", "member_id"} {
		for _, bad := range []string{"", ".", ".."} {
			t.Run(field+"="+bad, func(t *testing.T) {
				srv := newFacadeServer(t, facadeUnreachable(t))
				client := newFacadeClient(t, srv.URL)
				params := facadeClone(fixtures.ByID(gen.OpRecoveryCodesGet.ID).Minimal)
				facadeSet(t, params, field, bad)
				resp, err := client.RecoveryCodes.Get(context.Background(), params.(*b2b.RecoveryCodesGetParams))
				require.Error(t, err)
				assert.Nil(t, resp)
				var ve *b2b.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, field, ve.Field)
				wantRule := "path_segment"
				if bad == "" {
					wantRule = "required"
				}
				assert.Equal(t, wantRule, ve.Rule)
				assert.Contains(t, err.Error(), field)
				assert.Zero(t, srv.Count(), "nothing may be sent")
			})
		}
	}
}

// A path prefix in the base URL is kept for every operation.
func TestFacadeBaseURLPrefixIsKept(t *testing.T) {
	for _, base := range []string{"/prefix", "/prefix/", "/two/levels"} {
		for _, c := range fixtures.Cases() {
			t.Run(base+"/"+c.Op.ID, func(t *testing.T) {
				row := facadeRow(t, c.Op.ID)
				srv := newFacadeServer(t, facadeOK(c.Response))
				client := newFacadeClient(t, srv.URL+base)
				_, err := row.call(context.Background(), client, c.Minimal)
				require.NoError(t, err)
				require.Equal(t, 1, srv.Count())
				want := strings.TrimSuffix(base, "/") + facadeExpectedPath(t, c.Op, c.Minimal)
				assert.Equal(t, want, srv.Hits()[0].EscapedPath)
			})
		}
	}
}
