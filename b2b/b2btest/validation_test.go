package b2btest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

type badRequest struct {
	name  string
	op    gen.Operation
	body  map[string]any // sent as JSON
	field string         // must appear in error_message
}

// badRequests derives, from each request schema of the spec, one broken variant of the operation's
// minimal golden body per rule: each required field missing, each required string empty, each
// range bound crossed, each enum given an unknown value, each field given the wrong type, and an
// unknown field.
func badRequests(t *testing.T) []badRequest {
	t.Helper()
	var out []badRequest
	for _, op := range gen.Operations {
		if op.Method != http.MethodPost {
			continue
		}
		schema := fixtures.RequestSchema(op.ID)
		require.NotNil(t, schema, op.ID)
		base := func() map[string]any {
			var m map[string]any
			require.NoError(t, json.Unmarshal(fixtures.Golden(op.ID, "minimal"), &m))
			return m
		}
		add := func(name, field string, edit func(map[string]any)) {
			b := base()
			edit(b)
			out = append(out, badRequest{name: op.ID + "/" + name, op: op, body: b, field: field})
		}
		names := make([]string, 0, len(schema.Properties))
		for n := range schema.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, name := range names {
			p := schema.Properties[name].Value
			if slices.Contains(schema.Required, name) {
				add(name+" missing", name, func(m map[string]any) { delete(m, name) })
				if p.MinLength == 1 {
					add(name+" empty", name, func(m map[string]any) { m[name] = "" })
				}
			}
			if p.Min != nil {
				add(name+" below minimum", name, func(m map[string]any) { m[name] = *p.Min - 1 })
			}
			if p.Max != nil {
				add(name+" above maximum", name, func(m map[string]any) { m[name] = *p.Max + 1 })
			}
			if len(p.Enum) > 0 {
				add(name+" unknown enum value", name, func(m map[string]any) { m[name] = "xx-not-a-value" })
			}
			var wrong any
			switch {
			case p.Type.Is(openapi3.TypeString):
				wrong = 12345
			case p.Type.Is(openapi3.TypeInteger):
				wrong = "sixty"
			case p.Type.Is(openapi3.TypeObject):
				wrong = "not an object"
			case p.Type.Is(openapi3.TypeArray):
				wrong = "not an array"
			}
			add(name+" wrong type", name, func(m map[string]any) { m[name] = wrong })
		}
		add("unknown field", "not_a_field", func(m map[string]any) { m["not_a_field"] = true })
	}
	return out
}

func TestBadRequestsAreRejectedNamingTheField(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	cases := badRequests(t)
	require.Greater(t, len(cases), 80, "the table should cover every rule of every request schema")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := json.Marshal(tc.body)
			require.NoError(t, err)
			resp := send(t, srv, http.MethodPost, tc.op.Path, string(body), true)
			require.Equal(t, http.StatusBadRequest, resp.status, "body: %s", resp.body)
			e := resp.errorBody(t)
			assert.Equal(t, b2b.ErrorTypeInvalidRequest, e.ErrorType)
			assert.Equal(t, int32(400), e.StatusCode)
			assert.Contains(t, e.ErrorMessage, tc.field)
			assert.NotEmpty(t, e.ErrorDetails["violations"])

			for _, r := range srv.RequestsFor(tc.op) {
				assert.Equal(t, http.StatusBadRequest, r.Status)
			}
		})
	}
}

func TestRequestsWithoutCredentialsGet401(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, op := range gen.Operations {
		if anonymousAllowed(t, op) {
			continue // its spec accepts calls without credentials (the JWKS)
		}
		t.Run(op.ID, func(t *testing.T) {
			body, path := string(fixtures.Golden(op.ID, "minimal")), op.Path
			if op.Method == http.MethodGet {
				path = fmt.Sprintf("/v1/b2b/recovery_codes/%s/%s", fixtures.OrganizationID, fixtures.MemberID)
			}
			resp := send(t, srv, op.Method, path, body, false)
			require.Equal(t, http.StatusUnauthorized, resp.status, "body: %s", resp.body)
			e := resp.errorBody(t)
			assert.Equal(t, b2b.ErrorTypeUnauthorizedCredentials, e.ErrorType)
			assert.Equal(t, int32(401), e.StatusCode)
		})
	}

	t.Run("malformed credentials", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v1/b2b/recovery_codes/o/m", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Basic not-base64!")
		assert.Equal(t, http.StatusUnauthorized, do(t, req).status)
		req.Header.Set("Authorization", "Bearer abc")
		assert.Equal(t, http.StatusUnauthorized, do(t, req).status)
	})
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		errorType, mention       string
	}{
		{"unknown path", "POST", "/v1/b2b/magic_links/nope", `{}`, 404, "route_not_found", "/v1/b2b/magic_links/nope"},
		{"wrong method", "GET", "/v1/b2b/magic_links/authenticate", "", 404, "route_not_found", "GET"},
		{"empty path segment", "GET", "/v1/b2b/recovery_codes//member", "", 404, "route_not_found", "recovery_codes"},
		{"not JSON", "POST", "/v1/b2b/magic_links/authenticate", `{"magic_links_token":`, 400, "invalid_request", "body"},
		{"no body", "POST", "/v1/b2b/recovery_codes/rotate", "", 400, "invalid_request", "body"},
		{"array body", "POST", "/v1/b2b/recovery_codes/rotate", `[]`, 400, "invalid_request", "object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := send(t, srv, tc.method, tc.path, tc.body, true)
			require.Equal(t, tc.status, resp.status, "body: %s", resp.body)
			e := resp.errorBody(t)
			assert.Equal(t, b2b.ErrorType(tc.errorType), e.ErrorType)
			assert.Contains(t, e.ErrorMessage, tc.mention)
		})
	}
}

func TestPathParametersAreUnescapedBeforeValidation(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	resp := send(t, srv, http.MethodGet, "/v1/b2b/recovery_codes/org%2Fa/member%20b", "", true)
	require.Equal(t, http.StatusOK, resp.status, "body: %s", resp.body)
	var got gen.RecoveryCodesGetResponse
	require.NoError(t, json.Unmarshal(resp.body, &got))
	assert.Equal(t, "org/a", got.Organization.OrganizationID)
	assert.Equal(t, "member b", got.MemberID)
	reqs := srv.RequestsFor(b2btest.RecoveryCodesGet)
	require.Len(t, reqs, 1)
	assert.Equal(t, map[string]string{"organization_id": "org/a", "member_id": "member b"}, reqs[0].PathParams)
	assert.Equal(t, "/v1/b2b/recovery_codes/org%2Fa/member%20b", reqs[0].Path)
}

// anonymousAllowed reports whether the spec lets op be called without credentials: one of its
// security alternatives asks for nothing.
func anonymousAllowed(t *testing.T, op gen.Operation) bool {
	t.Helper()
	r, err := contract.MustShared().Operation(op.ID)
	require.NoError(t, err)
	if sec := r.Operation.Security; sec != nil {
		for _, alt := range *sec {
			if len(alt) == 0 {
				return true
			}
		}
	}
	return false
}
