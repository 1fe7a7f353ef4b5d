package spec_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// documented is the operation table of DESIGN.md: operationId, method, path and the facade method.
var documented = []struct {
	id, method, path, facade string
	retry                    gen.RetryClass
}{
	{"impersonationAuthenticate", http.MethodPost, "/v1/b2b/impersonation/authenticate", "Impersonation.Authenticate", gen.RetryUnsent},
	{"magicLinksAuthenticate", http.MethodPost, "/v1/b2b/magic_links/authenticate", "MagicLinks.Authenticate", gen.RetryUnsent},
	{"magicLinksEmailLoginOrSignup", http.MethodPost, "/v1/b2b/magic_links/email/login_or_signup", "MagicLinks.Email.LoginOrSignup", gen.RetryUnsent},
	{"magicLinksEmailInvite", http.MethodPost, "/v1/b2b/magic_links/email/invite", "MagicLinks.Email.Invite", gen.RetryUnsent},
	{"magicLinksEmailDiscoverySend", http.MethodPost, "/v1/b2b/magic_links/email/discovery/send", "MagicLinks.Email.Discovery.Send", gen.RetryUnsent},
	{"magicLinksDiscoveryAuthenticate", http.MethodPost, "/v1/b2b/magic_links/discovery/authenticate", "MagicLinks.Discovery.Authenticate", gen.RetryUnsent},
	{"oauthAuthenticate", http.MethodPost, "/v1/b2b/oauth/authenticate", "OAuth.Authenticate", gen.RetryUnsent},
	{"oauthDiscoveryAuthenticate", http.MethodPost, "/v1/b2b/oauth/discovery/authenticate", "OAuth.Discovery.Authenticate", gen.RetryUnsent},
	{"passwordsSessionsReset", http.MethodPost, "/v1/b2b/passwords/session/reset", "Passwords.Sessions.Reset", gen.RetryUnsent},
	{"recoveryCodesGet", http.MethodGet, "/v1/b2b/recovery_codes/{organization_id}/{member_id}", "RecoveryCodes.Get", gen.RetrySafe},
	{"recoveryCodesRecover", http.MethodPost, "/v1/b2b/recovery_codes/recover", "RecoveryCodes.Recover", gen.RetryUnsent},
	{"recoveryCodesRotate", http.MethodPost, "/v1/b2b/recovery_codes/rotate", "RecoveryCodes.Rotate", gen.RetryUnsent},
	{"discoveryIntermediateSessionsExchange", http.MethodPost, "/v1/b2b/discovery/intermediate_sessions/exchange", "Discovery.IntermediateSessions.Exchange", gen.RetryUnsent},
	{"discoveryOrganizationsCreate", http.MethodPost, "/v1/b2b/discovery/organizations/create", "Discovery.Organizations.Create", gen.RetryUnsent},
	{"discoveryOrganizationsList", http.MethodPost, "/v1/b2b/discovery/organizations", "Discovery.Organizations.List", gen.RetrySafe},
	{"sessionsAuthenticate", http.MethodPost, "/v1/b2b/sessions/authenticate", "Sessions.Authenticate", gen.RetrySafe},
	{"sessionsRevoke", http.MethodPost, "/v1/b2b/sessions/revoke", "Sessions.Revoke", gen.RetrySafe},
	{"sessionsGetJWKS", http.MethodGet, "/v1/b2b/sessions/jwks/{project_id}", "Sessions.GetJWKS", gen.RetrySafe},
}

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	return doc
}

// operations returns every operation of the spec by operationId, with its method and path.
type specOp struct {
	method, path string
	op           *openapi3.Operation
}

func operations(t *testing.T, doc *openapi3.T) map[string]specOp {
	t.Helper()
	out := map[string]specOp{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			_, dup := out[op.OperationID]
			require.False(t, dup, "operationId %s is used twice", op.OperationID)
			out[op.OperationID] = specOp{method, path, op}
		}
	}
	return out
}

func TestSpecIsValid(t *testing.T) {
	doc := load(t)
	assert.NoError(t, doc.Validate(context.Background(), openapi3.EnableMultiError()))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
}

func TestDocumentedOperations(t *testing.T) {
	ops := operations(t, load(t))
	require.Len(t, ops, len(documented), "the spec describes exactly the documented operations")
	for _, d := range documented {
		t.Run(d.id, func(t *testing.T) {
			o, ok := ops[d.id]
			require.True(t, ok, "operation %s is missing", d.id)
			assert.Equal(t, d.method, o.method)
			assert.Equal(t, d.path, o.path)
			// The retry class in the spec is the one the table gives (DESIGN.md and the references).
			assert.Equal(t, string(d.retry), o.op.Extensions["x-stytch-retry"])
			if d.method == http.MethodGet {
				assert.Nil(t, o.op.RequestBody, "the GET sends no body")
			} else {
				require.NotNil(t, o.op.RequestBody)
				assert.True(t, o.op.RequestBody.Value.Required, "a POST body is required")
			}
		})
	}
}

// TestGenOperations: gen.Operations lists the spec's operations with the spec's method,
// path, tag and x-stytch-retry.
func TestGenOperations(t *testing.T) {
	ops := operations(t, load(t))
	require.Len(t, gen.Operations, len(ops))
	seen := map[string]bool{}
	for i, g := range gen.Operations {
		t.Run(g.ID, func(t *testing.T) {
			seen[g.ID] = true
			o, ok := ops[g.ID]
			require.True(t, ok, "gen lists %s, which is not in the spec", g.ID)
			assert.Equal(t, o.method, g.Method)
			assert.Equal(t, o.path, g.Path)
			require.Len(t, o.op.Tags, 1)
			assert.Equal(t, o.op.Tags[0], g.Tag)
			assert.Equal(t, gen.RetryClass(o.op.Extensions["x-stytch-retry"].(string)), g.Retry)
			if i > 0 {
				assert.Less(t, gen.Operations[i-1].Name, g.Name, "gen.Operations is sorted by Name")
			}
			for _, d := range documented {
				if d.id == g.ID {
					assert.Equal(t, d.retry, g.Retry)
				}
			}
		})
	}
	assert.Len(t, seen, len(documented))
}

func TestGoldenBodies(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			schema := fixtures.RequestSchema(c.Op.ID)
			if c.Op.Method == http.MethodGet {
				require.Nil(t, schema)
				assert.Nil(t, fixtures.Golden(c.Op.ID, "minimal"))
				assert.Nil(t, fixtures.Golden(c.Op.ID, "full"))
				return
			}
			require.NotNil(t, schema)
			for _, tt := range []struct {
				kind   string
				params any
			}{{"minimal", c.Minimal}, {"full", c.Full}} {
				got, err := json.Marshal(tt.params)
				require.NoError(t, err)
				golden := fixtures.Golden(c.Op.ID, tt.kind)
				assert.Equal(t, string(golden), string(got), tt.kind)

				var body map[string]any
				require.NoError(t, json.Unmarshal(got, &body))
				switch tt.kind {
				case "minimal":
					// Nil optional fields are absent: only the required ones are sent.
					assert.ElementsMatch(t, schema.Required, slices.Collect(maps.Keys(body)))
				case "full":
					assert.ElementsMatch(t, slices.Collect(maps.Keys(schema.Properties)), slices.Collect(maps.Keys(body)))
				}
			}
		})
	}
}

// TestFreeFormNullsAreSent: a nil value in session_custom_claims (or the invite's metadata) is sent
// as JSON null, for every operation whose request has such a map.
func TestFreeFormNullsAreSent(t *testing.T) {
	var withClaims []string
	for _, c := range fixtures.Cases() {
		s := fixtures.RequestSchema(c.Op.ID)
		if s == nil {
			continue
		}
		got, err := json.Marshal(c.Full)
		require.NoError(t, err)
		var body map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got, &body))
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[name].Value
			if !p.Type.Is(openapi3.TypeObject) || len(p.Properties) > 0 {
				continue // not a free-form map
			}
			if name == "session_custom_claims" {
				withClaims = append(withClaims, c.Op.ID)
			}
			t.Run(c.Op.ID+"/"+name, func(t *testing.T) {
				raw, ok := body[name]
				require.True(t, ok, "Full must set %s", name)
				var m map[string]any
				require.NoError(t, json.Unmarshal(raw, &m))
				assert.Contains(t, slices.Collect(maps.Values(m)), nil, "%s holds a nil value", name)
				assert.Regexp(t, `"`+name+`":\{.*"[a-z_]+":null[,}]`, string(got), "the nil is sent as null")
			})
		}
	}
	assert.ElementsMatch(t, []string{
		"magicLinksAuthenticate", "oauthAuthenticate", "oauthDiscoveryAuthenticate", "passwordsSessionsReset", "recoveryCodesRecover",
	}, withClaims, "the operations that take session_custom_claims")

	// Spelled out for the claims: the golden body carries the null.
	for _, id := range withClaims {
		assert.Contains(t, string(fixtures.Golden(id, "full")),
			`"session_custom_claims":{"feature_flags":{"beta_dashboard":true},"plan":"enterprise","seats":25,"stale_claim":null}`, id)
	}
}

// TestRequestBuilders: the generated request builders send the golden body to the documented path.
func TestRequestBuilders(t *testing.T) {
	const server = "https://test.stytch.com/prefix"
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			b, ok := c.Full.(interface {
				NewHTTPRequest(server string) (*http.Request, error)
			})
			require.True(t, ok)
			req, err := b.NewHTTPRequest(server)
			require.NoError(t, err)
			assert.Equal(t, c.Op.Method, req.Method)
			wantPath := "/prefix" + c.Op.Path
			if c.Op.ID == gen.OpRecoveryCodesGet.ID {
				wantPath = "/prefix/v1/b2b/recovery_codes/" + fixtures.OrganizationID + "/" + fixtures.MemberID
			}
			assert.Equal(t, wantPath, req.URL.Path)
			assert.Empty(t, req.URL.RawQuery)
			if c.Op.Method == http.MethodGet {
				assert.True(t, req.Body == nil || req.Body == http.NoBody)
				return
			}
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			body, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.JSONEq(t, string(fixtures.Golden(c.Op.ID, "full")), string(body))
		})
	}
}

// TestMemberSessionHeaderParameters: the only header parameters of the spec are the member-session
// pair, optional and secret, and an operation that has one has both (the invite, for one).
func TestMemberSessionHeaderParameters(t *testing.T) {
	ops := operations(t, load(t))
	withHeaders := 0
	for id, o := range ops {
		var names []string
		for _, pr := range o.op.Parameters {
			p := pr.Value
			if p.In != openapi3.ParameterInHeader {
				continue
			}
			names = append(names, p.Name)
			assert.False(t, p.Required, "%s: %s is optional", id, p.Name)
			assert.True(t, p.Schema.Value.Type.Is(openapi3.TypeString), "%s: %s", id, p.Name)
			assert.Equal(t, true, p.Extensions["x-stytch-secret"], "%s: %s carries a session credential", id, p.Name)
		}
		if names != nil {
			withHeaders++
			assert.Equal(t, []string{"X-Stytch-Member-Session", "X-Stytch-Member-SessionJWT"}, names, id)
		}
	}
	require.NotZero(t, withHeaders)
	assert.NotNil(t, ops["magicLinksEmailInvite"].op.Parameters, "the invite takes the member-session headers")
}

func TestGetPathParameters(t *testing.T) {
	ops := operations(t, load(t))
	get := ops["recoveryCodesGet"]
	var names []string
	for _, pr := range get.op.Parameters {
		p := pr.Value
		names = append(names, p.Name)
		assert.Equal(t, openapi3.ParameterInPath, p.In, p.Name)
		assert.True(t, p.Required, p.Name)
		assert.True(t, p.Schema.Value.Type.Is(openapi3.TypeString), p.Name)
		assert.Contains(t, get.path, "{"+p.Name+"}")
	}
	assert.Equal(t, []string{"organization_id", "member_id"}, names)
	assert.Less(t, strings.Index(get.path, "{organization_id}"), strings.Index(get.path, "{member_id}"))
}

// TestSecretsAreStrings: every x-stytch-secret in the spec is true and marks a string or an array
// of strings, wherever it is (component properties, inline properties, parameters).
func TestSecretsAreStrings(t *testing.T) {
	doc := load(t)
	var found []string
	check := func(where string, ext map[string]any, s *openapi3.Schema) {
		v, ok := ext["x-stytch-secret"]
		if !ok {
			return
		}
		found = append(found, where)
		assert.Equal(t, true, v, "%s: x-stytch-secret must be true", where)
		require.NotNil(t, s, where)
		if s.Type.Is(openapi3.TypeArray) {
			require.NotNil(t, s.Items, where)
			s = s.Items.Value
		}
		assert.True(t, s.Type.Is(openapi3.TypeString), "%s: a secret must be a string or an array of strings", where)
	}
	// walk visits the properties of s and of its inline sub-schemas; a $ref is not followed, since
	// every referenced schema is a component and is walked under its own name.
	var walk func(where string, s *openapi3.Schema)
	walk = func(where string, s *openapi3.Schema) {
		if s == nil {
			return
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			pr := s.Properties[name]
			check(where+"."+name, pr.Value.Extensions, pr.Value)
			if pr.Ref == "" {
				walk(where+"."+name, pr.Value)
			}
		}
		if s.Items != nil && s.Items.Ref == "" {
			walk(where+"[]", s.Items.Value)
		}
		for _, sub := range s.AllOf {
			if sub.Ref == "" {
				walk(where, sub.Value)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		walk(name, doc.Components.Schemas[name].Value)
	}
	for id, o := range operations(t, doc) {
		for _, pr := range o.op.Parameters {
			check(id+"."+pr.Value.Name, pr.Value.Extensions, pr.Value.Schema.Value)
		}
	}
	// Not vacuous: the spec marks tokens, JWTs, passwords and recovery codes.
	for _, want := range []string{
		"ImpersonationAuthenticateRequest.impersonation_token",
		"PasswordsSessionsResetRequest.password",
		"RecoveryCodesGetResponse.recovery_codes",
		"ProviderValues.access_token",
		"magicLinksEmailInvite.X-Stytch-Member-SessionJWT",
	} {
		assert.Contains(t, found, want)
	}
	t.Logf("%d secret fields", len(found))
}
