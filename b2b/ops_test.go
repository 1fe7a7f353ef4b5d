package b2b_test

// The wire format of every operation: method, path, headers and body byte for byte, decoding of
// complete responses, nil-skipping, free-form nulls, header parameters and path escaping. The
// operations, their fields and their header and path parameters come from the spec (through
// fixtures and gen.Operation), so a new operation or field is covered without editing this file.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
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
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

func TestWireFormat(t *testing.T) {
	t.Parallel()
	const uaSuffix = "acme-backend/2.3"
	// The oracle is computed here from the kit's credentials, not asked of the code under test.
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID+":"+testkit.Secret))
	for _, c := range fixtures.Cases() {
		for _, kind := range fixtures.Kinds() {
			t.Run(c.Op.ID+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				params := c.Params(kind)
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				client := testkit.NewClient(t, srv.URL, b2b.WithUserAgent(uaSuffix))

				resp, err := testkit.Call(t.Context(), client, params)
				require.NoError(t, err)
				require.NotNil(t, resp)

				hits := srv.Requests()
				require.Len(t, hits, 1, "exactly one request must be sent")
				h := hits[0]
				assert.Equal(t, c.Op.Method, h.Method)
				assert.Equal(t, expectedPath(t, c.Op, params), h.EscapedPath)

				assert.Equal(t, wantAuth, h.Header.Get("Authorization"))
				req := &http.Request{Header: h.Header}
				user, pass, ok := req.BasicAuth()
				assert.True(t, ok, "Authorization is not HTTP Basic")
				assert.Equal(t, testkit.ProjectID, user)
				assert.Equal(t, testkit.Secret, pass)

				ua := h.Header.Get("User-Agent")
				assert.True(t, strings.HasPrefix(ua, "stytch-b2b-go/"+b2b.Version+" "), "User-Agent %q", ua)
				assert.True(t, strings.HasSuffix(ua, " "+uaSuffix), "User-Agent %q lacks the suffix", ua)

				for _, op := range gen.Operations { // no header parameter is sent unless asked for
					for _, hp := range op.Headers {
						assert.Empty(t, h.Header.Values(hp.Name))
					}
				}

				golden := fixtures.Golden(c.Op.ID, kind)
				if !c.Op.HasBody {
					assert.Nil(t, golden)
					assert.Empty(t, h.Body, "an operation without a body sends none")
					assert.Empty(t, h.Header.Get("Content-Type"), "no body to describe")
					return
				}
				require.NotEmpty(t, golden)
				assert.Equal(t, "application/json", h.Header.Get("Content-Type"))
				assert.JSONEq(t, string(golden), string(h.Body))
				assert.Equal(t, string(golden), string(h.Body), "the body must match the golden body byte for byte")
			})
		}
	}
}

func TestUserAgentWithoutSuffix(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.OK(c.Response))
			_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
			require.NoError(t, err)
			require.Equal(t, 1, srv.Count())
			ua := srv.Requests()[0].Header.Get("User-Agent")
			assert.Regexp(t, `^stytch-b2b-go/\d+\.\d+\.\d+\S* \(go[^;]+; [a-z0-9]+/[a-z0-9]+\)$`, ua)
			assert.True(t, strings.HasPrefix(ua, "stytch-b2b-go/"+b2b.Version+" "), "User-Agent %q", ua)
		})
	}
}

func TestResponseDecoding(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.OK(c.Response))
			resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal)
			require.NoError(t, err)
			require.NotNil(t, resp)
			rv := reflect.ValueOf(resp)
			require.Equal(t, reflect.Pointer, rv.Kind())
			require.Equal(t, testkit.MethodFor(t, c.Op).Response, rv.Type())
			require.Equal(t, reflect.TypeOf(c.Op.NewResponse()), rv.Type(), "the method returns the operation's answer type")

			// Every field of the fixture landed in the typed response, with its value: re-encoding
			// gives the fixture back.
			again, err := json.Marshal(resp)
			require.NoError(t, err)
			assert.JSONEq(t, string(c.Response), string(again))

			// Pointers, maps and slices are set wherever the fixture has a value, and free-form
			// objects keep their null values as keys.
			assertLanded(t, c.Op.ID, rv.Elem(), decodeObject(t, c.Response))
		})
	}
}

// assertLanded walks the typed value v along the decoded JSON j: every JSON key with a non-null
// value has a non-nil Go value, and a free-form map keeps null values as keys with a nil value.
func assertLanded(t *testing.T, path string, v reflect.Value, j any) {
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
			if val, ok := obj[jsonName(v.Type().Field(i))]; ok {
				assertLanded(t, path+"."+jsonName(v.Type().Field(i)), v.Field(i), val)
			}
		}
	case reflect.Map:
		obj, ok := j.(map[string]any)
		if !assert.Truef(t, ok, "%s: the fixture has %T", path, j) {
			return
		}
		assert.Falsef(t, v.IsNil(), "%s is a nil map", path)
		for key, val := range obj {
			got := v.MapIndex(reflect.ValueOf(key).Convert(v.Type().Key()))
			if !assert.Truef(t, got.IsValid(), "%s: key %q is missing", path, key) {
				continue
			}
			if val == nil {
				assert.Truef(t, got.Kind() == reflect.Interface && got.IsNil(), "%s.%s: want a nil value for JSON null, got %v", path, key, got)
				continue
			}
			assertLanded(t, path+"."+key, got, val)
		}
	case reflect.Slice:
		arr, ok := j.([]any)
		if !assert.Truef(t, ok, "%s: the fixture has %T", path, j) {
			return
		}
		assert.Falsef(t, v.IsNil(), "%s is a nil slice", path)
		if assert.Equalf(t, len(arr), v.Len(), "%s: length", path) {
			for i := range arr {
				assertLanded(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i), arr[i])
			}
		}
	}
}

// requestProps returns the names of the required and of all top-level properties of op's request
// (the body schema, or the path parameters), as the spec declares them.
func requestProps(t testing.TB, opID string) (required []string, props map[string]*openapi3.Schema) {
	t.Helper()
	op := fixtures.SpecOperation(opID)
	props = map[string]*openapi3.Schema{}
	if s := fixtures.RequestSchema(opID); s != nil {
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

// requiredOnly returns new params of c's operation holding the required fields of its Minimal
// golden body and nothing else (the properties Minimal sets of a group that must not be left
// unset count as required), and the JSON members that must be sent.
func requiredOnly(t testing.TB, c fixtures.Case) (any, map[string]json.RawMessage) {
	t.Helper()
	required, _ := requestProps(t, c.Op.ID)
	for _, g := range fixtures.Groups(c.Op.ID) {
		required = append(required, g.Minimal()...)
	}
	var minimal map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(fixtures.Golden(c.Op.ID, fixtures.Minimal), &minimal))
	params := c.Op.NewParams()
	want := map[string]json.RawMessage{}
	for _, name := range required {
		f := field(t, params, name)
		require.NoError(t, json.Unmarshal(minimal[name], f.Addr().Interface()), name)
		want[name] = minimal[name]
	}
	return params, want
}

// TestOptionalNilFieldsAreNotSent builds, for each operation with a body, params with only the
// fields the spec requires and checks that exactly those are sent.
func TestOptionalNilFieldsAreNotSent(t *testing.T) {
	t.Parallel()
	for _, c := range some(t, "sends a body", hasBody) {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			params, want := requiredOnly(t, c)
			require.NotEmpty(t, want)
			srv := testkit.NewServer(t, testkit.OK(c.Response))
			_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
			require.NoError(t, err)
			require.Equal(t, 1, srv.Count())
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(srv.Requests()[0].Body), "only the required fields may be sent")
		})
	}
}

// freeFormProps lists the top-level free-form objects of the request of op.
func freeFormProps(t testing.TB, opID string) []string {
	_, props := requestProps(t, opID)
	var out []string
	for _, name := range slices.Sorted(maps.Keys(props)) {
		s := props[name]
		if s.Type.Is(openapi3.TypeObject) && len(s.Properties) == 0 {
			out = append(out, name)
		}
	}
	return out
}

// TestFreeFormNilIsSentAsNull sets every free-form object of every request (as the spec declares
// them) to a map with a nil value and checks that the nil arrives as JSON null, and that the
// body is byte for byte the Minimal body with that member added.
func TestFreeFormNilIsSentAsNull(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, c := range fixtures.Cases() {
		for _, name := range freeFormProps(t, c.Op.ID) {
			seen++
			t.Run(c.Op.ID+"/"+name, func(t *testing.T) {
				t.Parallel()
				for _, value := range []map[string]any{{"remove": nil, "keep": "yes"}, {"remove": nil}} {
					params := cloneParams(c.Minimal)
					setField(t, params, name, value)
					srv := testkit.NewServer(t, testkit.OK(c.Response))
					_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
					require.NoError(t, err)
					require.Equal(t, 1, srv.Count())
					body := decodeObject(t, srv.Requests()[0].Body)
					require.Contains(t, body, name)
					got, err := json.Marshal(body[name])
					require.NoError(t, err)
					want, err := json.Marshal(value)
					require.NoError(t, err)
					assert.JSONEq(t, string(want), string(got))

					var members map[string]any
					require.NoError(t, json.Unmarshal(fixtures.Golden(c.Op.ID, fixtures.Minimal), &members))
					members[name] = value
					exact, err := json.Marshal(members)
					require.NoError(t, err)
					assert.Equal(t, string(exact), string(srv.Requests()[0].Body), "byte for byte")
				}
			})
		}
	}
	assert.NotZero(t, seen, "the spec has free-form request objects, or this test stopped finding them")
}

func TestPtr(t *testing.T) {
	t.Parallel()
	n := int32(60)
	p := b2b.Ptr(n)
	require.NotNil(t, p)
	assert.Equal(t, int32(60), *p)
	*p = 61
	assert.Equal(t, int32(60), n, "Ptr must point to a copy")
	assert.NotSame(t, b2b.Ptr("x"), b2b.Ptr("x"), "each call returns a new pointer")
	type named string
	assert.Equal(t, named("es"), *b2b.Ptr(named("es")), "Ptr works for named types such as the enums")

	// Optional fields set through Ptr are sent, an empty string included: a pointer that is not
	// nil is sent.
	var c fixtures.Case
	var intField, strField string
	var intType reflect.Type
	for _, fc := range some(t, "sends a body", hasBody) {
		required, props := requestProps(t, fc.Op.ID)
		intField, strField = "", ""
		inGroup := func(name string) bool {
			return slices.ContainsFunc(fixtures.Groups(fc.Op.ID), func(g fixtures.Group) bool { return slices.Contains(g.Names, name) })
		}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if slices.Contains(required, name) || inGroup(name) {
				continue
			}
			f := field(t, fc.Op.NewParams(), name).Type()
			switch {
			case f.Kind() == reflect.Pointer && f.Elem().Kind() == reflect.Int32 && props[name].Min != nil && intField == "":
				intField, intType = name, f
			case f == reflect.TypeFor[*string]() && len(props[name].Enum) == 0 && strField == "":
				strField = name
			}
		}
		if intField != "" && strField != "" {
			c = fc
			break
		}
	}
	require.NotEmpty(t, c.Op.ID, "the spec has an operation with an optional bounded integer and an optional string")
	require.Equal(t, reflect.TypeFor[*int32](), intType)
	_, props := requestProps(t, c.Op.ID)
	lowest := int32(*props[intField].Min)
	params, want := requiredOnly(t, c)
	field(t, params, intField).Set(reflect.ValueOf(b2b.Ptr(lowest)))
	field(t, params, strField).Set(reflect.ValueOf(b2b.Ptr("")))
	want[intField] = json.RawMessage(fmt.Sprint(lowest))
	want[strField] = json.RawMessage(`""`)

	srv := testkit.NewServer(t, testkit.OK(c.Response))
	_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count())
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, string(wantJSON), string(srv.Requests()[0].Body))
}

// Every operation with header parameters sends each through its per-call option, exactly as
// given, and only when given; options never change the body.
func TestHeaderParameters(t *testing.T) {
	t.Parallel()
	for _, c := range some(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 0 }) {
		var names []string
		for _, h := range c.Op.Headers {
			names = append(names, h.Name)
		}
		opt := func(name, value string) b2b.CallOption {
			o, ok := testkit.HeaderOption(name, value)
			require.True(t, ok, "no option for %s", name)
			return o
		}
		first := names[0]
		tests := []struct {
			name string
			opts []b2b.CallOption
			want map[string][]string
		}{
			{name: "none"},
			{name: "zero option", opts: []b2b.CallOption{{}}},
			{name: "all", opts: testkit.HeaderOptionsFor(t, c.Header), want: func() map[string][]string {
				m := map[string][]string{}
				for n, v := range c.Header {
					m[n] = []string{v}
				}
				return m
			}()},
			{name: "last one wins", opts: []b2b.CallOption{opt(first, "secret-stale-value"), opt(first, c.Header[first])},
				want: map[string][]string{first: {c.Header[first]}}},
		}
		for _, n := range names {
			tests = append(tests, struct {
				name string
				opts []b2b.CallOption
				want map[string][]string
			}{name: "only " + n, opts: []b2b.CallOption{opt(n, c.Header[n])}, want: map[string][]string{n: {c.Header[n]}}})
		}
		for _, tt := range tests {
			t.Run(c.Op.ID+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Full, tt.opts...)
				require.NoError(t, err)
				require.NotNil(t, resp)
				require.Equal(t, 1, srv.Count())
				h := srv.Requests()[0].Header
				for _, n := range names {
					assert.Equal(t, tt.want[n], h.Values(n), n)
				}
				if c.Op.HasBody {
					assert.JSONEq(t, string(fixtures.Golden(c.Op.ID, fixtures.Full)), string(srv.Requests()[0].Body), "options must not change the body")
				}
			})
		}
	}
}

// An empty value for a header parameter the spec requires to be non-empty (a member session, which
// would make the call run with the project's own permissions instead of the member's) is refused
// before anything is sent.
func TestEmptyHeaderParameterIsRefused(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, c := range fixtures.Cases() {
		for _, h := range c.Op.Headers {
			if h.MinLength == 0 {
				continue
			}
			seen++
			t.Run(c.Op.ID+"/"+h.Name, func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, testkit.Unreachable(t))
				opt, ok := testkit.HeaderOption(h.Name, "")
				require.True(t, ok)
				resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), c.Minimal, opt)
				require.Error(t, err)
				assert.Nil(t, resp)
				var ve *b2b.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, h.Name, ve.Field)
				assert.Equal(t, "non_empty", ve.Rule)
				assert.Equal(t, c.Op.ID, ve.Operation)
				assert.Contains(t, err.Error(), h.Name)
				assert.Zero(t, srv.Count())
			})
		}
	}
	assert.NotZero(t, seen, "the spec has a header parameter with minLength")
}

// Path parameters are escaped into one segment each; the server sees them unescaped.
func TestPathEscaping(t *testing.T) {
	t.Parallel()
	const odd = "a/b?c#d%e f"
	const unicode = "ünï"
	rows := [][]string{
		{odd, unicode},
		{unicode, odd},
		{odd, odd},
		{"org with spaces", "member+plus;semi:colon@at"},
		{"...", ".hidden"}, // dots are fine when they are not the whole segment
	}
	for _, c := range some(t, "has path parameters", hasPathParams) {
		for _, row := range rows {
			t.Run(c.Op.ID+"/"+strings.Join(row, "|"), func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				params := cloneParams(c.Minimal)
				want := c.Op.Path
				for i, name := range c.Op.PathParams {
					v := row[i%len(row)]
					setField(t, params, name, v)
					want = strings.Replace(want, "{"+name+"}", v, 1)
				}
				resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
				require.NoError(t, err)
				require.NotNil(t, resp)
				require.Equal(t, 1, srv.Count())
				h := srv.Requests()[0]
				assert.Equal(t, want, h.Path, "the server must see the values unescaped")
				assert.Equal(t, expectedPath(t, c.Op, params), h.EscapedPath)
				assert.NotContains(t, h.EscapedPath, "?")
				assert.NotContains(t, h.EscapedPath, "#")
				assert.Equal(t, strings.Count(c.Op.Path, "/"), strings.Count(h.EscapedPath, "/"), "a value must stay one path segment")
			})
		}
	}
}

func TestPathParametersRejectBadSegments(t *testing.T) {
	t.Parallel()
	for _, c := range some(t, "has path parameters", hasPathParams) {
		for _, name := range c.Op.PathParams {
			for _, bad := range []string{"", ".", ".."} {
				t.Run(c.Op.ID+"/"+name+"="+bad, func(t *testing.T) {
					t.Parallel()
					srv := testkit.NewServer(t, testkit.Unreachable(t))
					params := cloneParams(c.Minimal)
					setField(t, params, name, bad)
					resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
					require.Error(t, err)
					assert.Nil(t, resp)
					var ve *b2b.ValidationError
					require.ErrorAs(t, err, &ve)
					assert.Equal(t, name, ve.Field)
					wantRule := "path_segment"
					if bad == "" {
						wantRule = "required"
					}
					assert.Equal(t, wantRule, ve.Rule)
					assert.Contains(t, err.Error(), name)
					assert.Zero(t, srv.Count(), "nothing may be sent")
				})
			}
		}
	}
}

// A path prefix in the base URL is kept for every operation.
func TestBaseURLPrefixIsKept(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"/prefix", "/prefix/", "/two/levels"} {
		for _, c := range fixtures.Cases() {
			t.Run(base+"/"+c.Op.ID, func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				_, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL+base), c.Minimal)
				require.NoError(t, err)
				require.Equal(t, 1, srv.Count())
				want := strings.TrimSuffix(base, "/") + expectedPath(t, c.Op, c.Minimal)
				assert.Equal(t, want, srv.Requests()[0].EscapedPath)
			})
		}
	}
}
