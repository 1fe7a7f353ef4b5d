package spec_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// documented is the operation table of the project's design document (DESIGN.md, outside this
// repository; this table is its copy here): operationId, method, path, retry class and the
// facade method. It is an independent oracle (see TESTING.md): these operations are public API that
// must be kept. The spec may describe more operations; each of these must stay as it is.
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

// load returns the spec as the shared contract validator parsed it (read-only). TestSpecIsValid
// loads and validates the file on its own.
func load(t *testing.T) *openapi3.T {
	t.Helper()
	v, err := contract.Shared()
	require.NoError(t, err)
	return v.Doc()
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
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	assert.NoError(t, doc.Validate(context.Background(), openapi3.EnableMultiError()))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
}

func TestDocumentedOperations(t *testing.T) {
	t.Parallel()
	const fix = "the operation table `documented` in spec/spec_test.go (the design's public API) lists it: keep the operation as documented, or change the design and that table together"
	ops := operations(t, load(t))
	methods, err := testkit.Methods()
	require.NoError(t, err)
	for _, d := range documented {
		t.Run(d.id, func(t *testing.T) {
			o, ok := ops[d.id]
			require.True(t, ok, "operation %s is missing; %s", d.id, fix)
			assert.Equal(t, d.method, o.method, fix)
			assert.Equal(t, d.path, o.path, fix)
			// The retry class in the spec is the one the design gives.
			assert.Equal(t, string(d.retry), o.op.Extensions[spec.ExtRetry], fix)
			if m, ok := methods[d.id]; assert.True(t, ok, "no facade method sends %s; %s", d.id, fix) {
				assert.Equal(t, d.facade, m.Name, fix)
			}
		})
	}
}

// Every operation sends its params one way: a required JSON body, or path parameters and no body.
func TestRequestBodies(t *testing.T) {
	t.Parallel()
	for id, o := range operations(t, load(t)) {
		var pathParams int
		for _, p := range o.op.Parameters {
			if p.Value.In == openapi3.ParameterInPath {
				pathParams++
			}
		}
		if o.op.RequestBody == nil {
			assert.NotZero(t, pathParams, "%s sends neither a body nor path parameters", id)
			continue
		}
		assert.True(t, o.op.RequestBody.Value.Required, "%s: a request body is required", id)
		assert.Zero(t, pathParams, "%s: the facade supports a body or path parameters, not both", id)
		assert.NotEqual(t, http.MethodGet, o.method, "%s: a GET sends no body", id)
	}
}

// TestGenOperations: gen.Operations lists the spec's operations with the spec's method, path,
// tag, x-stytch-retry, body, path parameters and header parameters.
func TestGenOperations(t *testing.T) {
	t.Parallel()
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
			assert.Equal(t, gen.RetryClass(o.op.Extensions[spec.ExtRetry].(string)), g.Retry)
			assert.Equal(t, o.op.RequestBody != nil, g.HasBody)
			var path, header []string
			for _, pr := range o.op.Parameters {
				switch pr.Value.In {
				case openapi3.ParameterInPath:
					path = append(path, pr.Value.Name)
				case openapi3.ParameterInHeader:
					header = append(header, pr.Value.Name)
				}
			}
			assert.ElementsMatch(t, path, g.PathParams)
			var gh []string
			for _, h := range g.Headers {
				gh = append(gh, h.Name)
			}
			assert.ElementsMatch(t, header, gh)
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
	assert.Len(t, seen, len(ops), "gen.Operations lists every operation of the spec")
}

func TestGoldenBodies(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			schema := fixtures.RequestSchema(c.Op.ID)
			if !c.Op.HasBody {
				require.Nil(t, schema)
				assert.Nil(t, fixtures.Golden(c.Op.ID, fixtures.Minimal))
				assert.Nil(t, fixtures.Golden(c.Op.ID, fixtures.Full))
				return
			}
			require.NotNil(t, schema)
			for _, kind := range fixtures.Kinds() {
				got, err := json.Marshal(c.Params(kind))
				require.NoError(t, err)
				golden := fixtures.Golden(c.Op.ID, kind)
				assert.Equal(t, string(golden), string(got), kind)

				var body map[string]any
				require.NoError(t, json.Unmarshal(got, &body))
				// Of a group (spec.Groups) that must not be left unset, the first property counts as
				// required; of one of which several may not be set, only the first is sent in full.
				required := slices.Clone(schema.Required)
				all := slices.Collect(maps.Keys(schema.Properties))
				for _, kind := range spec.Groups() {
					raw, ok := schema.Extensions[kind.Ext].([]any)
					if !ok {
						continue
					}
					if !kind.NoneOK {
						required = append(required, raw[0].(string))
					}
					if !kind.SeveralOK {
						for _, other := range raw[1:] {
							all = slices.DeleteFunc(all, func(n string) bool { return n == other })
						}
					}
				}
				switch kind {
				case fixtures.Minimal:
					// Nil optional fields are absent: only the required ones are sent.
					assert.ElementsMatch(t, required, slices.Collect(maps.Keys(body)))
				case fixtures.Full:
					assert.ElementsMatch(t, all, slices.Collect(maps.Keys(body)))
				}
			}
		})
	}
}

// TestFreeFormNullsAreSent: a nil value in a free-form map of the params (session_custom_claims,
// the invite's metadata, ...) is sent as JSON null, for every operation whose request has such a
// map.
func TestFreeFormNullsAreSent(t *testing.T) {
	t.Parallel()
	seen := 0
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
			seen++
			t.Run(c.Op.ID+"/"+name, func(t *testing.T) {
				raw, ok := body[name]
				require.True(t, ok, "Full must set %s", name)
				var m map[string]any
				require.NoError(t, json.Unmarshal(raw, &m))
				assert.Contains(t, slices.Collect(maps.Values(m)), nil, "%s holds a nil value", name)
				assert.Regexp(t, `"`+name+`":\{.*"[a-z_]+":null[,}]`, string(got), "the nil is sent as null")
				// Spelled out: the golden body carries the null.
				assert.Contains(t, string(fixtures.Golden(c.Op.ID, fixtures.Full)), `"`+specwalk.FreeFormNull+`":null`)
			})
		}
	}
	assert.NotZero(t, seen, "the spec's requests have free-form maps")
}

// TestRequestBuilders: the generated request builders send the golden body to the documented path,
// with the path parameters escaped into it.
func TestRequestBuilders(t *testing.T) {
	t.Parallel()
	const server = "https://test.stytch.com/prefix"
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			req, err := c.Full.(interface {
				NewHTTPRequest(server string) (*http.Request, error)
			}).NewHTTPRequest(server)
			require.NoError(t, err)
			assert.Equal(t, c.Op.Method, req.Method)
			var fields map[string]any
			b, err := json.Marshal(c.Full)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &fields))
			wantPath := "/prefix" + c.Op.Path
			for _, name := range c.Op.PathParams {
				wantPath = strings.Replace(wantPath, "{"+name+"}", fields[name].(string), 1)
			}
			assert.Equal(t, wantPath, req.URL.Path)
			assert.Empty(t, req.URL.RawQuery)
			if !c.Op.HasBody {
				assert.True(t, req.Body == nil || req.Body == http.NoBody)
				return
			}
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			body, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.JSONEq(t, string(fixtures.Golden(c.Op.ID, fixtures.Full)), string(body))
		})
	}
}

// TestHeaderParameters: every header parameter of the spec is an optional string credential
// (a member session the facade sends through a per-call option), and the facade has an option for
// it.
func TestHeaderParameters(t *testing.T) {
	t.Parallel()
	seen := 0
	for id, o := range operations(t, load(t)) {
		for _, pr := range o.op.Parameters {
			p := pr.Value
			if p.In != openapi3.ParameterInHeader {
				continue
			}
			seen++
			assert.False(t, p.Required, "%s %s is optional", id, p.Name)
			assert.True(t, p.Schema.Value.Type.Is(openapi3.TypeString), "%s %s", id, p.Name)
			assert.Equal(t, true, p.Extensions[spec.ExtSecret], "%s %s carries a session credential", id, p.Name)
			_, ok := testkit.HeaderOption(p.Name, "x")
			assert.True(t, ok, "%s %s: the facade has no per-call option for it", id, p.Name)
		}
	}
	assert.NotZero(t, seen, "the spec has header parameters")
}

// TestPathParameters: every path parameter is a required string that appears in its template, in
// the order gen.Operation.PathParams gives.
func TestPathParameters(t *testing.T) {
	t.Parallel()
	ops := operations(t, load(t))
	seen := 0
	for _, g := range gen.Operations {
		o := ops[g.ID]
		var names []string
		for _, pr := range o.op.Parameters {
			p := pr.Value
			if p.In != openapi3.ParameterInPath {
				continue
			}
			seen++
			names = append(names, p.Name)
			assert.True(t, p.Required, "%s %s", g.ID, p.Name)
			assert.True(t, p.Schema.Value.Type.Is(openapi3.TypeString), "%s %s", g.ID, p.Name)
			assert.Contains(t, o.path, "{"+p.Name+"}")
		}
		assert.ElementsMatch(t, names, g.PathParams, g.ID)
		for i := 1; i < len(g.PathParams); i++ {
			assert.Less(t, strings.Index(o.path, "{"+g.PathParams[i-1]+"}"), strings.Index(o.path, "{"+g.PathParams[i]+"}"), "%s: PathParams is in path order", g.ID)
		}
	}
	assert.NotZero(t, seen, "the spec has path parameters")
}

// TestSecretsAreStrings: every x-stytch-secret in the spec is true and marks a string or an array
// of strings, wherever it is (component properties, inline properties, parameters).
func TestSecretsAreStrings(t *testing.T) {
	t.Parallel()
	doc := load(t)
	var found []string
	kinds := map[string]int{}
	check := func(where string, ext map[string]any, s *openapi3.Schema) {
		v, ok := ext[spec.ExtSecret]
		if !ok {
			return
		}
		found = append(found, where)
		assert.Equal(t, true, v, "%s: x-stytch-secret must be true", where)
		require.NotNil(t, s, where)
		if s.Type.Is(openapi3.TypeArray) {
			kinds["array"]++
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
			if _, ok := pr.Value.Extensions[spec.ExtSecret]; ok {
				kinds["parameter"]++
			}
			check(id+"."+pr.Value.Name, pr.Value.Extensions, pr.Value.Schema.Value)
		}
	}
	// Not vacuous: the walk saw every mark of the spec's text, of each kind.
	marks := regexp.MustCompile(`(?m)^\s+`+regexp.QuoteMeta(spec.ExtSecret)+`:`).FindAll(spec.YAML, -1)
	assert.Len(t, found, len(marks), "every x-stytch-secret of the spec was checked")
	assert.Greater(t, len(found), kinds["array"], "the spec marks a string")
	assert.NotZero(t, kinds["array"], "the spec marks an array of strings")
	assert.NotZero(t, kinds["parameter"], "the spec marks a parameter")
	t.Logf("%d secret fields", len(found))
}

// TestJSONIsTheYAML: the embedded JSON, which the fake and the drift checker load, is the same
// document as the YAML: both load through kin-openapi to the same description. When it fails,
// stytch-b2b.gen.json is stale: run make generate.
func TestJSONIsTheYAML(t *testing.T) {
	t.Parallel()
	load := func(data []byte) []byte {
		t.Helper()
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = false
		doc, err := l.LoadFromData(data)
		require.NoError(t, err)
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		return b
	}
	require.True(t, json.Valid(spec.JSON), "spec.JSON is JSON, so kin-openapi never takes its YAML path for it")
	assert.JSONEq(t, string(load(spec.YAML)), string(load(spec.JSON)), "stytch-b2b.gen.json is stale: run make generate")
}

// TestGroupExtensions: every extension of the group family is explained in the spec's info
// description and used on a request body schema of the spec (so the tests that read the groups
// exercise each kind), and every group names optional string properties of its schema.
func TestGroupExtensions(t *testing.T) {
	t.Parallel()
	doc := load(t)
	used := map[string]int{}
	for id, o := range operations(t, doc) {
		if o.op.RequestBody == nil {
			continue
		}
		s := o.op.RequestBody.Value.Content.Get("application/json").Schema.Value
		for _, kind := range spec.Groups() {
			raw, ok := s.Extensions[kind.Ext].([]any)
			if !ok {
				continue
			}
			used[kind.Ext]++
			assert.GreaterOrEqual(t, len(raw), 2, "%s: %s lists two properties or more", id, kind.Ext)
			for _, n := range raw {
				name, _ := n.(string)
				p := s.Properties[name]
				if assert.NotNil(t, p, "%s: %s names %v, not a property", id, kind.Ext, n) {
					assert.True(t, p.Value.Type.Is(openapi3.TypeString), "%s: %s names %s, not a string", id, kind.Ext, name)
					assert.NotContains(t, s.Required, name, "%s: %s names %s, which is required", id, kind.Ext, name)
				}
			}
		}
	}
	for _, kind := range spec.Groups() {
		assert.Contains(t, doc.Info.Description, "`"+kind.Ext+"`", "the info description explains %s", kind.Ext)
		assert.NotZero(t, used[kind.Ext], "no request body of the spec uses %s", kind.Ext)
		assert.False(t, kind.NoneOK && kind.SeveralOK, "%s bounds nothing", kind.Ext)
	}
}
