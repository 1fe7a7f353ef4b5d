package contract_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

func TestSharedIsLoadedOnce(t *testing.T) {
	t.Parallel()
	a, err := contract.Shared()
	require.NoError(t, err)
	b, err := contract.Shared()
	require.NoError(t, err)
	assert.Same(t, a, b)
	assert.Same(t, a, contract.MustShared())
	assert.Same(t, a.Doc(), a.Routes().Doc())
	v, err := contract.New("http://127.0.0.1:1/prefix")
	require.NoError(t, err)
	assert.Same(t, a.Doc(), v.Doc(), "New shares the loaded spec")
	assert.Same(t, a.Routes(), v.Routes())
}

// Every operation's example request, Full and Minimal, is valid however it reaches the validator:
// exactly (a server), under the prefix of the base URL a client was given (any host), or after
// any prefix.
func TestExampleRequestsAreValid(t *testing.T) {
	t.Parallel()
	v := shared(t)
	newV := func(base string) *contract.Validator {
		nv, err := contract.New(base)
		require.NoError(t, err)
		return nv
	}
	for _, e := range entries(t) {
		for _, m := range []specwalk.Mode{specwalk.Full, specwalk.Minimal} {
			x := newExample(t, e, m)
			for _, tc := range []struct {
				name, base string
				v          *contract.Validator
				prefix     string
			}{
				{"exact", "", v, ""},
				{"exact, any host", "http://b2btest.invalid:8080", v, ""},
				{"New without path", "https://test.stytch.com", newV("https://test.stytch.com"), ""},
				{"New with a trailing slash", "https://test.stytch.com", newV("https://test.stytch.com/"), ""},
				{"New with a prefix, other host", "http://127.0.0.1:9/prefix", newV("http://stytch.test/prefix"), "/prefix"},
				{"New with an escaped prefix", "http://h/a%20b/c", newV("http://h/a b/c"), "/a%20b/c"},
				{"prefix", "http://h/p/q", v.Matching(route.Prefix("/p/q")), "/p/q"},
				{"any prefix", "http://proxy/stytch", v.Matching(route.AnyPrefix()), "/stytch"},
			} {
				t.Run(fmt.Sprintf("%s/%s/%s", e.OperationID(), m, tc.name), func(t *testing.T) {
					r, err := tc.v.Request(x.request(t, tc.base))
					require.NoError(t, err, "%v", contract.Violations(err))
					require.NotNil(t, r)
					assert.Equal(t, e.OperationID(), r.OperationID())
					assert.Same(t, e.Operation, r.Operation)
					assert.Equal(t, x.pathParams, r.PathParams)
					assert.Equal(t, tc.prefix, r.Prefix)
				})
			}
		}
	}
}

func TestRequestsOutsideThePrefixHaveNoRoute(t *testing.T) {
	t.Parallel()
	v, err := contract.New("http://stytch.test/prefix")
	require.NoError(t, err)
	for _, e := range entries(t) {
		x := newExample(t, e, specwalk.Full)
		for _, base := range []string{"http://stytch.test", "http://stytch.test/other", "http://stytch.test/prefix/more", "http://stytch.test/prefixes"} {
			r, err := v.Request(x.request(t, base))
			assert.ErrorIs(t, err, contract.ErrNoRoute, "%s to %s", e.OperationID(), base)
			assert.Nil(t, r)
		}
		r, err := shared(t).Request(x.request(t, "http://stytch.test/prefix"))
		assert.ErrorIs(t, err, contract.ErrNoRoute, "the shared validator matches exactly")
		assert.Nil(t, r)
	}
	_, err = contract.New("http://[::1")
	assert.Error(t, err)
}

// badCase is an example request broken in one way, and the fields the violations must name.
type badCase struct {
	name    string
	entry   *route.Entry
	mutate  func(x *exampleRequest)
	body    []byte // sent instead of x.body when set
	fields  []string
	mention string // a substring of the violations, when fields say too little
}

// badRequests derives, from the spec, one broken request per property of every request field and
// header parameter: each is the Full example with exactly one thing wrong.
func badRequests(t *testing.T) []badCase {
	var out []badCase
	for _, e := range entries(t) {
		id := e.OperationID()
		add := func(name string, mutate func(x *exampleRequest), fields ...string) {
			out = append(out, badCase{name: id + "/" + name, entry: e, mutate: mutate, fields: fields})
		}
		body := specwalk.RequestBody(e.Operation)
		if body != nil {
			if body.AdditionalProperties.Has != nil && !*body.AdditionalProperties.Has {
				add("unknown field", func(x *exampleRequest) { setAt(x.body, "/unexpected_field", "x", false) }, "/unexpected_field")
			}
			if specwalk.RequestBodyRequired(e.Operation) {
				out = append(out, badCase{name: id + "/no body", entry: e, mutate: func(x *exampleRequest) { x.body = nil }, fields: []string{""}, mention: "required"})
			}
			out = append(out,
				badCase{name: id + "/not JSON", entry: e, body: []byte(`{"a":`), fields: []string{""}},
				badCase{name: id + "/array body", entry: e, body: []byte(`[]`), fields: []string{""}, mention: "object"},
			)
			for _, f := range specwalk.Fields(body) {
				ptr := concrete(f.Pointer)
				set := func(val any) func(x *exampleRequest) {
					return func(x *exampleRequest) { require.True(t, setAt(x.body, ptr, val, false), ptr) }
				}
				if f.Required && f.Name != "*" {
					add(f.Pointer+"/missing", func(x *exampleRequest) { require.True(t, setAt(x.body, ptr, nil, true)) }, ptr)
				}
				wrong := map[string]any{"string": 42, "integer": "7", "number": "7.5", "boolean": "true", "object": "x", "array": "x"}[f.Type]
				if wrong != nil {
					add(f.Pointer+"/wrong type", set(wrong), ptr)
				}
				if !f.Nullable && f.Type != "" {
					add(f.Pointer+"/null", set(nil), ptr)
				}
				if f.Type == "string" && f.MinLength > 0 {
					add(f.Pointer+"/empty", set(""), ptr)
				}
				if f.Min != nil {
					add(f.Pointer+"/below minimum", set(*f.Min-1), ptr)
				}
				if f.Max != nil {
					add(f.Pointer+"/above maximum", set(*f.Max+1), ptr)
				}
				if f.Type == "integer" {
					add(f.Pointer+"/fraction", set(5.5), ptr)
				}
				if f.Format == "int32" && f.Max == nil {
					add(f.Pointer+"/beyond int32", set(float64(math.MaxInt32)+1), ptr)
				}
				if len(f.Enum) > 0 {
					add(f.Pointer+"/not in enum", set("not-a-listed-value"), ptr)
				}
			}
		}
		for _, p := range specwalk.Params(e.PathItem, e.Operation, specwalk.Full, "req") {
			if p.In != "header" {
				continue
			}
			if p.Schema != nil && p.Schema.MinLength > 0 {
				add("header "+p.Name+"/empty", func(x *exampleRequest) { x.header[http.CanonicalHeaderKey(p.Name)] = []string{""} }, p.Name)
			}
			if p.Required {
				add("header "+p.Name+"/missing", func(x *exampleRequest) { x.header.Del(p.Name) }, p.Name)
			}
		}
	}
	return out
}

func TestBadRequestsAreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	cases := badRequests(t)
	kinds := map[string]bool{}
	for _, c := range cases {
		kinds[c.name[strings.LastIndex(c.name, "/")+1:]] = true
	}
	// The spec has each kind of constraint somewhere; if one disappears, this test must be told.
	for _, k := range []string{"missing", "wrong type", "null", "empty", "below minimum", "above maximum", "not in enum", "unknown field", "no body", "fraction"} {
		assert.True(t, kinds[k], "no request field of the spec gives a %q case", k)
	}
	v := shared(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := newExample(t, c.entry, specwalk.Full)
			x.body = deepCopy(x.body)
			if c.mutate != nil {
				c.mutate(x)
			}
			req := x.request(t, "")
			if c.body != nil {
				req = x.requestWithBody(t, "", c.body)
			}
			r, err := v.Request(req)
			require.Error(t, err)
			require.NotNil(t, r, "the route is returned with the violations")
			assert.Equal(t, c.entry.OperationID(), r.OperationID())
			vs := contract.Violations(err)
			assert.Equal(t, c.fields, fields(vs), "%v", vs)
			for _, viol := range vs {
				assert.NotEmpty(t, viol.Reason)
			}
			if c.mention != "" {
				assert.Contains(t, fmt.Sprint(vs), c.mention)
			}
		})
	}
}

// The limits of every range and every value of every enum are accepted.
func TestRequestBoundariesAreAccepted(t *testing.T) {
	t.Parallel()
	v := shared(t)
	n := 0
	for _, e := range entries(t) {
		body := specwalk.RequestBody(e.Operation)
		if body == nil {
			continue
		}
		for _, f := range specwalk.Fields(body) {
			var vals []any
			if f.Min != nil {
				vals = append(vals, *f.Min)
			}
			if f.Max != nil {
				vals = append(vals, *f.Max)
			}
			vals = append(vals, f.Enum...)
			for _, val := range vals {
				n++
				x := newExample(t, e, specwalk.Minimal)
				require.True(t, setAt(x.body, concrete(f.Pointer), val, false))
				_, err := v.Request(x.request(t, ""))
				assert.NoError(t, err, "%s %s = %v: %v", e.OperationID(), f.Pointer, val, contract.Violations(err))
			}
		}
	}
	assert.NotZero(t, n, "the spec has ranges and enums")
}

func TestBasicCredentials(t *testing.T) {
	t.Parallel()
	v := shared(t)
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		name, header, reason string // header "-" means absent
	}{
		{"absent", "-", "missing HTTP Basic credentials"},
		{"empty", "", "missing HTTP Basic credentials"},
		{"bearer", "Bearer abc", "missing HTTP Basic credentials"},
		{"not base64", "Basic not-base64!", "malformed HTTP Basic credentials (not base64)"},
		{"no colon", "Basic " + b64([]byte("project-only")), "HTTP Basic credentials need a project ID and a secret"},
		{"no secret", "Basic " + b64([]byte("project:")), "HTTP Basic credentials need a project ID and a secret"},
		{"no project", "Basic " + b64([]byte(":secret")), "HTTP Basic credentials need a project ID and a secret"},
	} {
		for _, e := range entries(t) {
			if credentialsOptional(e.Operation) {
				continue // an operation that needs no credentials
			}
			t.Run(tc.name+"/"+e.OperationID(), func(t *testing.T) {
				x := newExample(t, e, specwalk.Full)
				if tc.header == "-" {
					x.header.Del("Authorization")
				} else {
					x.header.Set("Authorization", tc.header)
				}
				r, err := v.Request(x.request(t, ""))
				require.Error(t, err)
				require.NotNil(t, r)
				assert.Equal(t, []contract.Violation{{Field: "Authorization", Reason: tc.reason}}, contract.Violations(err))
			})
		}
	}
}

// The scheme name is case-insensitive (RFC 7235 section 2.1), as net/http's BasicAuth reads it.
func TestBasicSchemeIgnoresCase(t *testing.T) {
	t.Parallel()
	v := shared(t)
	for _, scheme := range []string{"Basic", "basic", "BASIC"} {
		for _, e := range entries(t) {
			if credentialsOptional(e.Operation) {
				continue
			}
			x := newExample(t, e, specwalk.Full)
			x.header.Set("Authorization", scheme+" "+base64.StdEncoding.EncodeToString([]byte(testAuth)))
			_, err := v.Request(x.request(t, ""))
			assert.NoError(t, err, "%s %s", scheme, e.OperationID())
		}
	}
}

func TestRequestKeepsItsBody(t *testing.T) {
	t.Parallel()
	v := shared(t)
	for _, e := range entries(t) {
		if specwalk.RequestBody(e.Operation) == nil {
			continue
		}
		x := newExample(t, e, specwalk.Full)
		req := x.request(t, "")
		want := must(req.GetBody())
		_, err := v.Request(req)
		require.NoError(t, err)
		assert.Equal(t, readAll(t, want), readAll(t, req.Body), "%s: the body can still be sent", e.OperationID())
	}
}

func TestExampleResponsesAreValid(t *testing.T) {
	t.Parallel()
	v := shared(t)
	for _, e := range entries(t) {
		for _, status := range []int{200, 400, 404, 429, 500} {
			s := specwalk.ResponseBody(e.Operation, status)
			require.NotNil(t, s, "%s declares a JSON answer for %d", e.OperationID(), status)
			for _, m := range []specwalk.Mode{specwalk.Full, specwalk.Minimal, specwalk.OptionalOmitted} {
				t.Run(fmt.Sprintf("%s/%d/%s", e.OperationID(), status, m), func(t *testing.T) {
					body := specwalk.ExampleJSON(s, m, "resp")
					r, err := v.Operation(e.OperationID())
					require.NoError(t, err)
					err = v.Response(r, status, jsonHeader(), body)
					assert.NoError(t, err, "%v", contract.Violations(err))
					// The same through the route of a validated request.
					rr, err := v.Request(newExample(t, e, specwalk.Full).request(t, ""))
					require.NoError(t, err)
					err = v.Response(rr, status, jsonHeader(), body)
					assert.NoError(t, err, "%v", contract.Violations(err))
				})
			}
		}
	}
	_, err := v.Operation("noSuchOperation")
	assert.Error(t, err)
}

// Broken answers are refused naming the field: each required property of a 200 answer removed,
// each string given a number, each date-time given another text, one at a time. A nested property
// declared once in the spec (a Member's field, say) is checked in the first answer that has it.
func TestBadResponsesAreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	v := shared(t)
	checked := 0
	seen := map[string]bool{}
	for _, e := range entries(t) {
		s := specwalk.ResponseBody(e.Operation, 200)
		r, err := v.Operation(e.OperationID())
		require.NoError(t, err)
		full := decode(t, specwalk.ExampleJSON(s, specwalk.Full, "resp"))
		try := func(name, ptr string, val any, del bool) {
			checked++
			t.Run(e.OperationID()+ptr+"/"+name, func(t *testing.T) {
				body := deepCopy(full)
				require.True(t, setAt(body, ptr, val, del))
				err := v.Response(r, 200, jsonHeader(), encode(t, body))
				require.Error(t, err)
				assert.Equal(t, []string{ptr}, fields(contract.Violations(err)))
			})
		}
		for _, f := range specwalk.Fields(s) {
			ptr := concrete(f.Pointer)
			if key := fmt.Sprintf("%p %s", f.Schema, f.Name); strings.Count(f.Pointer, "/") > 1 {
				if seen[key] {
					continue
				}
				seen[key] = true
			}
			if f.Required && f.Name != "*" {
				try("missing", ptr, nil, true)
			}
			if f.Type == "string" {
				try("wrong type", ptr, 42, false)
			}
			if f.Format == "date-time" {
				try("not a date-time", ptr, "yesterday", false)
			}
		}
	}
	require.NotZero(t, checked)

	r, err := v.Operation(pick(t, "with a 200 answer", func(e *route.Entry) bool { return specwalk.ResponseBody(e.Operation, 200) != nil }).OperationID())
	require.NoError(t, err)
	ok := specwalk.ExampleJSON(specwalk.ResponseBody(r.Operation, 200), specwalk.Full, "resp")
	assert.Error(t, v.Response(r, 200, http.Header{"Content-Type": {"text/html"}}, ok), "a content type the spec does not declare")
	assert.Error(t, v.Response(r, 200, jsonHeader(), []byte("<html>")), "not JSON")
	assert.Error(t, v.Response(r, 200, jsonHeader(), nil), "no body")
}

func TestViolations(t *testing.T) {
	t.Parallel()
	assert.Nil(t, contract.Violations(nil))
	plain := errors.New("something else")
	assert.Equal(t, []contract.Violation{{Field: "", Reason: "something else"}}, contract.Violations(plain))
	assert.Equal(t, []contract.Violation{{Field: "", Reason: "wrapped: something else"}}, contract.Violations(fmt.Errorf("wrapped: %w", plain)))
	assert.Equal(t, "/a: bad", contract.Violation{Field: "/a", Reason: "bad"}.String())
	assert.Equal(t, "bad", contract.Violation{Reason: "bad"}.String())

	// Several problems in one body: one violation each, sorted by field, nested fields by
	// pointer; an error wrapped by the caller is taken apart the same way.
	v := shared(t)
	for _, e := range entries(t) {
		s := specwalk.ResponseBody(e.Operation, 200)
		var nested []specwalk.Field
		for _, f := range specwalk.Fields(s) {
			if f.Type == "string" && len(f.Known) == 0 && f.Format == "" && strings.Count(f.Pointer, "/") >= 2 {
				nested = append(nested, f)
			}
		}
		if len(nested) < 2 {
			continue
		}
		t.Run(e.OperationID(), func(t *testing.T) {
			body := decode(t, specwalk.ExampleJSON(s, specwalk.Full, "resp"))
			var want []string
			for _, f := range []specwalk.Field{nested[len(nested)-1], nested[0]} {
				require.True(t, setAt(body, concrete(f.Pointer), true, false))
				want = append(want, concrete(f.Pointer))
			}
			slices.Sort(want)
			r, err := v.Operation(e.OperationID())
			require.NoError(t, err)
			verr := v.Response(r, 200, jsonHeader(), encode(t, body))
			require.Error(t, verr)
			assert.Equal(t, want, fields(contract.Violations(verr)))
			assert.Equal(t, want, fields(contract.Violations(fmt.Errorf("checking: %w", verr))))
		})
	}
}

// A field whose name needs escaping in a JSON pointer is named with RFC 6901 escapes.
func TestViolationPointersAreEscaped(t *testing.T) {
	t.Parallel()
	doc := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "t", Version: "1"}, Paths: openapi3.NewPaths()}
	obj := openapi3.NewObjectSchema().WithProperty("a/b~c", openapi3.NewStringSchema())
	obj.AdditionalProperties = openapi3.AdditionalProperties{Has: openapi3.Ptr(false)}
	op := openapi3.NewOperation()
	op.OperationID = "op"
	op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchema(obj)}
	op.Responses = openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("ok").WithJSONSchema(obj)}))
	item := &openapi3.PathItem{}
	item.SetOperation(http.MethodPost, op)
	doc.Paths.Set("/x", item)
	v, err := contract.NewFor(doc)
	require.NoError(t, err)
	r, err := v.Operation("op")
	require.NoError(t, err)
	verr := v.Response(r, 200, jsonHeader(), []byte(`{"a/b~c":1,"x/y":2}`))
	assert.Equal(t, []string{"/a~1b~0c", "/x~1y"}, fields(contract.Violations(verr)))
}

func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, jsonUnmarshal(b, &v))
	return v
}

// Validation never changes what was sent: a property with a default stays absent.
func TestRequestDefaultsAreNotFilledIn(t *testing.T) {
	t.Parallel()
	doc := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "t", Version: "1"}, Paths: openapi3.NewPaths()}
	obj := openapi3.NewObjectSchema().WithProperty("n", openapi3.NewIntegerSchema().WithDefault(60))
	op := openapi3.NewOperation()
	op.OperationID = "op"
	op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchema(obj)}
	op.Responses = openapi3.NewResponses()
	item := &openapi3.PathItem{}
	item.SetOperation(http.MethodPost, op)
	doc.Paths.Set("/x", item)
	v, err := contract.NewFor(doc)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://h/x", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	_, err = v.Request(req)
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(readAll(t, req.Body)))
}

// credentialsOptional reports whether op can be called without credentials: its security is
// empty, or one of its alternatives asks for nothing ({}).
func credentialsOptional(op *openapi3.Operation) bool {
	if op.Security == nil {
		return false
	}
	if len(*op.Security) == 0 {
		return true
	}
	for _, alt := range *op.Security {
		if len(alt) == 0 {
			return true
		}
	}
	return false
}
