package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
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
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

func TestCleanFixturesHaveNoFindings(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			findings, err := drift.Check(c.Op.ID, 200, c.Response)
			require.NoError(t, err)
			assert.Empty(t, findings)
		})
	}
}

// The realistic answer of the oracle file (see TESTING.md) is no drift either.
func TestOracleAnswerHasNoFindings(t *testing.T) {
	t.Parallel()
	const file = "magicLinksAuthenticate.response.json"
	findings, err := drift.Check("magicLinksAuthenticate", 200, fixtures.Oracle(file))
	require.NoError(t, err)
	assert.Empty(t, findings, "internal/fixtures/testdata/oracles/%s drifted from the spec: if the spec change is right, edit the file as Stytch sends the answer now", file)
}

// smallestAnswer returns the case with the smallest complete answer: the stand-in for every
// operation where what is checked does not depend on the operation (its envelope, the
// transport's handling of bodies).
func smallestAnswer(t *testing.T) fixtures.Case {
	t.Helper()
	cs := fixtures.Cases()
	require.NotEmpty(t, cs)
	best := cs[0]
	for _, c := range cs[1:] {
		if len(c.Response) < len(best.Response) {
			best = c
		}
	}
	return best
}

// decodeTree decodes an answer into a tree of plain values.
func decodeTree(t *testing.T, body []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// holderOf returns the object or array holding the value at a concrete pointer, and the key.
func holderOf(t *testing.T, tree any, ptr string) (any, string) {
	t.Helper()
	toks := strings.Split(ptr[1:], "/")
	cur := tree
	for _, tok := range toks[:len(toks)-1] {
		switch n := cur.(type) {
		case map[string]any:
			cur = n[tok]
		case []any:
			require.Equal(t, "0", tok, ptr)
			require.NotEmpty(t, n, ptr)
			cur = n[0]
		default:
			require.FailNowf(t, "bad pointer", "%s: %T at %s", ptr, cur, tok)
		}
	}
	return cur, toks[len(toks)-1]
}

// set replaces (or adds) the value at a concrete pointer.
func set(t *testing.T, tree any, ptr string, v any) {
	t.Helper()
	parent, key := holderOf(t, tree, ptr)
	switch p := parent.(type) {
	case map[string]any:
		p[key] = v
	case []any:
		p[0] = v
	default:
		require.FailNowf(t, "bad pointer", "%s: parent is %T", ptr, parent)
	}
}

// remove deletes the member at a concrete pointer.
func remove(t *testing.T, tree any, ptr string) {
	t.Helper()
	parent, key := holderOf(t, tree, ptr)
	obj, ok := parent.(map[string]any)
	require.True(t, ok, "%s is not a member", ptr)
	delete(obj, key)
}

// found is a field of an operation's answer with a property a test needs.
type found struct {
	c fixtures.Case
	f specwalk.Field
}

// fieldWhere returns the first field (operations in the order of gen.Operations, fields depth first)
// of an answer for which keep is true, failing the test when the spec has none.
func fieldWhere(t *testing.T, what string, keep func(specwalk.Field) bool) found {
	t.Helper()
	for _, c := range fixtures.Cases() {
		if fs := specwalk.Pick(fixtures.ResponseSchema(c.Op.ID), keep); len(fs) > 0 {
			return found{c, fs[0]}
		}
	}
	require.FailNowf(t, "no such field", "no answer of the spec has %s", what)
	return found{}
}

func depth(f specwalk.Field) int { return strings.Count(f.Pointer, "/") }

func inArray(f specwalk.Field) bool { return strings.Contains(f.Pointer, "*") }

// structured: an object with listed properties that is not free-form.
func structured(f specwalk.Field) bool {
	return f.Type == openapi3.TypeObject && !f.FreeForm && f.Schema != nil && len(specwalk.Fields(f.Schema)) > 0
}

// allOfWrapper: the property's schema is an allOf (the spec's way to make a reference nullable).
func allOfWrapper(f specwalk.Field) bool { return f.Schema != nil && len(f.Schema.AllOf) > 0 }

// TestEachKindOfDrift breaks a clean answer in one way and expects exactly that finding. The place
// of each break is found in the spec by the property it needs (a nested object, an array of
// objects, a nullable reference, a boolean, a known-values string, ...).
func TestEachKindOfDrift(t *testing.T) {
	t.Parallel()
	type kase struct {
		name   string
		at     found
		edit   func(t *testing.T, tree any, ptr string)
		path   string // the finding's path; "" means the field's own concrete pointer
		kind   drift.Kind
		detail string
	}
	topObject := fieldWhere(t, "a nested object", func(f specwalk.Field) bool { return depth(f) == 1 && structured(f) && !allOfWrapper(f) })
	arrayElem := fieldWhere(t, "an array of objects", func(f specwalk.Field) bool {
		return f.Name == "*" && structured(f) && !inArray(specwalk.Field{Pointer: strings.TrimSuffix(f.Pointer, "/*")})
	})
	behindAllOf := fieldWhere(t, "a nullable reference", func(f specwalk.Field) bool { return depth(f) == 1 && allOfWrapper(f) && structured(f) })
	requiredTop := fieldWhere(t, "a required field besides the envelope", func(f specwalk.Field) bool {
		return depth(f) == 1 && f.Required && f.Name != "request_id" && f.Name != "status_code"
	})
	requiredNested := fieldWhere(t, "a required nested field", func(f specwalk.Field) bool { return depth(f) == 2 && f.Required && !inArray(f) })
	boolean := fieldWhere(t, "a boolean", func(f specwalk.Field) bool { return depth(f) == 1 && f.Type == openapi3.TypeBoolean })
	nonNullArray := fieldWhere(t, "an array that is not nullable", func(f specwalk.Field) bool {
		return f.Type == openapi3.TypeArray && !f.Nullable && !inArray(f) && depth(f) >= 2
	})
	plainString := fieldWhere(t, "a string", func(f specwalk.Field) bool {
		return depth(f) == 1 && f.Type == openapi3.TypeString && f.Format == "" && len(f.Known) == 0
	})
	dateTime := fieldWhere(t, "a date-time", func(f specwalk.Field) bool { return f.Format == "date-time" && !inArray(f) })

	setTo := func(v any) func(t *testing.T, tree any, ptr string) {
		return func(t *testing.T, tree any, ptr string) { set(t, tree, ptr, v) }
	}
	addIn := func(key string, v any) func(t *testing.T, tree any, ptr string) {
		return func(t *testing.T, tree any, ptr string) { set(t, tree, ptr+"/"+key, v) }
	}
	// The envelope's breaks, in the smallest answer (every answer has the envelope).
	small := smallestAnswer(t)
	status := found{c: small, f: specwalk.Field{Pointer: "/status_code"}}
	cases := []kase{
		{"unknown top-level field", found{c: small}, func(t *testing.T, tree any, _ string) { set(t, tree, "/risk_score", 0.3) }, "/risk_score", drift.UnknownField, "number"},
		{"string for integer", status, setTo("200"), "", drift.WrongType, "string, the spec says integer"},
		{"fraction for integer", status, setTo(200.5), "", drift.WrongType, "integer"},
		{"integer beyond int32", status, setTo(int64(1) << 40), "", drift.WrongType, "int32"},
		{"unknown nested field", topObject, addIn("passkeys", []any{}), concrete(topObject.f.Pointer) + "/passkeys", drift.UnknownField, "array"},
		{"unknown field in an array element", arrayElem, addIn("passkey_factor", map[string]any{}), concrete(arrayElem.f.Pointer) + "/passkey_factor", drift.UnknownField, "object"},
		{"unknown field behind allOf", behindAllOf, addIn("auth_hint", "x"), concrete(behindAllOf.f.Pointer) + "/auth_hint", drift.UnknownField, "string"},
		{"missing top-level field", requiredTop, func(t *testing.T, tree any, ptr string) { remove(t, tree, ptr) }, "", drift.MissingField, "required"},
		{"missing nested field", requiredNested, func(t *testing.T, tree any, ptr string) { remove(t, tree, ptr) }, "", drift.MissingField, "required"},
		{"string for boolean", boolean, setTo("true"), "", drift.WrongType, "boolean"},
		{"null for a non-nullable array", nonNullArray, setTo(nil), "", drift.WrongType, "null"},
		{"object for string", plainString, setTo(map[string]any{}), "", drift.WrongType, "object, the spec says string"},
		{"bad date-time", dateTime, setTo(""), "", drift.WrongType, "RFC 3339"},
	}
	// Every field with known values, wherever it is (in nested objects, arrays of strings, array
	// elements, behind a nullable allOf), reports a value outside them, naming the known ones. A
	// property declared once in the spec (a Member's status) is in many answers: it is checked in
	// the first that has it.
	checked := map[*openapi3.Schema]bool{}
	for _, c := range fixtures.Cases() {
		for _, f := range specwalk.Pick(fixtures.ResponseSchema(c.Op.ID), func(f specwalk.Field) bool { return len(f.Known) > 0 }) {
			if checked[f.Schema] {
				continue
			}
			checked[f.Schema] = true
			cases = append(cases, kase{"unknown value of " + c.Op.ID + f.Pointer, found{c, f}, setTo("not-a-known-value"), "",
				drift.UnknownEnumValue, `"not-a-known-value" is not a known value (known: ` + f.Known[0].(string)})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := tc.at.c.Op.ID
			tree := decodeTree(t, tc.at.c.Response)
			ptr := concrete(tc.at.f.Pointer)
			tc.edit(t, tree, ptr)
			want := tc.path
			if want == "" {
				want = ptr
			}
			findings, err := drift.Check(op, 200, encode(t, tree))
			require.NoError(t, err)
			require.Len(t, findings, 1, "%v", findings)
			f := findings[0]
			assert.Equal(t, op, f.Operation)
			assert.Equal(t, want, f.Path)
			assert.Equal(t, tc.kind, f.Kind)
			assert.Contains(t, f.Detail, tc.detail)
		})
	}
}

// byDepth sorts fields deepest first, so that an edit of a parent does not hide a child's.
func byDepth(fs []specwalk.Field) []specwalk.Field {
	slices.SortStableFunc(fs, func(a, b specwalk.Field) int { return depth(b) - depth(a) })
	return fs
}

func TestWhatIsNotDrift(t *testing.T) {
	t.Parallel()
	outsideArrays := func(keep func(specwalk.Field) bool) func(specwalk.Field) bool {
		return func(f specwalk.Field) bool { return !inArray(f) && keep(f) }
	}
	for name, tc := range map[string]struct {
		keep func(specwalk.Field) bool
		edit func(t *testing.T, tree any, ptr string, f specwalk.Field)
	}{
		"anything in a free-form object": {outsideArrays(func(f specwalk.Field) bool { return f.FreeForm && f.Schema.AdditionalProperties.Schema == nil }),
			func(t *testing.T, tree any, ptr string, _ specwalk.Field) {
				set(t, tree, ptr, map[string]any{"new": map[string]any{"deep": []any{1, "x", nil}}, "n": nil})
			}},
		"null for a nullable field": {outsideArrays(func(f specwalk.Field) bool { return f.Nullable }),
			func(t *testing.T, tree any, ptr string, _ specwalk.Field) { set(t, tree, ptr, nil) }},
		"an absent optional field": {func(f specwalk.Field) bool { return depth(f) == 1 && !f.Required },
			func(t *testing.T, tree any, ptr string, _ specwalk.Field) { remove(t, tree, ptr) }},
		"an empty string for a known-values field": {outsideArrays(func(f specwalk.Field) bool { return len(f.Known) > 0 }),
			func(t *testing.T, tree any, ptr string, _ specwalk.Field) { set(t, tree, ptr, "") }},
		"a value from the known values": {outsideArrays(func(f specwalk.Field) bool { return len(f.Known) > 0 }),
			func(t *testing.T, tree any, ptr string, f specwalk.Field) { set(t, tree, ptr, f.Known[len(f.Known)-1]) }},
		"an empty array": {outsideArrays(func(f specwalk.Field) bool { return f.Type == openapi3.TypeArray }),
			func(t *testing.T, tree any, ptr string, _ specwalk.Field) { set(t, tree, ptr, []any{}) }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			edited := 0
			for _, c := range fixtures.Cases() {
				tree := decodeTree(t, c.Response)
				fs := byDepth(specwalk.Pick(fixtures.ResponseSchema(c.Op.ID), tc.keep))
				for _, f := range fs {
					if _, err := lookupParent(tree, f.Pointer); err != nil {
						continue // its parent was edited away
					}
					tc.edit(t, tree, f.Pointer, f)
					edited++
				}
				findings, err := drift.Check(c.Op.ID, 200, encode(t, tree))
				require.NoError(t, err)
				assert.Empty(t, findings, c.Op.ID)
			}
			assert.NotZero(t, edited, "the spec has such fields")
		})
	}
}

// lookupParent finds the container of the value at ptr, or fails when a step is missing or null.
func lookupParent(tree any, ptr string) (any, error) {
	toks := strings.Split(ptr[1:], "/")
	cur := tree
	for _, tok := range toks[:len(toks)-1] {
		m, ok := cur.(map[string]any)
		if !ok || m[tok] == nil {
			return nil, errors.New("missing")
		}
		cur = m[tok]
	}
	if _, ok := cur.(map[string]any); !ok {
		return nil, errors.New("not an object")
	}
	return cur, nil
}

func TestCheckEdges(t *testing.T) {
	t.Parallel()
	_, err := drift.Check("nope", 200, []byte(`{}`))
	assert.ErrorIs(t, err, drift.ErrUnknownOperation)
	checkEdges(t, smallestAnswer(t))

	f := drift.Finding{Operation: "op", Path: "/x", Kind: drift.UnknownField, Detail: "d"}
	assert.Equal(t, "op /x: unknown_field: d", f.String())
	assert.EqualValues(t, "op (body): wrong_type: d", drift.Finding{Operation: "op", Kind: drift.WrongType, Detail: "d"}.String())
}

// checkEdges checks answers that are not JSON, not an object, an error answer and an escaped
// pointer, for the operation of c.
func checkEdges(t *testing.T, c fixtures.Case) {
	t.Helper()

	findings, err := drift.Check(c.Op.ID, 200, []byte(`<html>`))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, drift.WrongType, findings[0].Kind)
	assert.Contains(t, findings[0].Detail, "not JSON")

	findings, err = drift.Check(c.Op.ID, 200, []byte(`[]`))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "", findings[0].Path)

	// Error answers are checked against the Error schema (the default response).
	findings, err = drift.Check(c.Op.ID, 404, []byte(`{"status_code":404,"request_id":"r","error_type":"member_not_found","error_msg":"x"}`))
	require.NoError(t, err)
	var kinds []string
	for _, f := range findings {
		kinds = append(kinds, string(f.Kind)+" "+f.Path)
	}
	assert.ElementsMatch(t, []string{"missing_field /error_message", "unknown_field /error_msg"}, kinds)

	// JSON pointer escaping.
	tree := decodeTree(t, c.Response)
	tree.(map[string]any)["a/b~c"] = 1
	findings, err = drift.Check(c.Op.ID, 200, encode(t, tree))
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "/a~1b~0c", findings[0].Path)
}

// TestKnownValuesCoverTheDescriptions keeps the extension in step with the spec's prose: every
// response string field whose description names known values carries x-stytch-known-values (on
// itself or, for arrays, on its items), and every list holds strings.
func TestKnownValuesCoverTheDescriptions(t *testing.T) {
	t.Parallel()
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
			known, has := target.Extensions[spec.ExtKnownValues]
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
	assert.NotZero(t, checked, "the spec lists known values")
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

// roundTrip sends a body-less request through rt and returns the answer's status and body (the
// body is read and closed) and the error of reading it.
func roundTrip(t *testing.T, rt http.RoundTripper, method, url string) (int, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	b, rerr := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode, b, rerr
}

// opURL is the URL of op under base, with every path parameter set to an escaped value.
func opURL(base string, op gen.Operation) string {
	p := op.Path
	for _, name := range op.PathParams {
		p = strings.Replace(p, "{"+name+"}", url.PathEscape(name+"/1"), 1)
	}
	return base + p
}

func TestTransportPassesTheBodyThroughUnchanged(t *testing.T) {
	t.Parallel()
	passesTheBodyThrough(t, smallestAnswer(t))
}

func passesTheBodyThrough(t *testing.T, c fixtures.Case) {
	t.Helper()
	var col drift.Collector
	body := `{ "new":true ,` + string(c.Response[1:]) // odd spacing on purpose
	tr := drift.NewTransport(&stub{status: 200, body: strings.NewReader(body)}, col.Report)
	_, got, err := roundTrip(t, tr, c.Op.Method, opURL("https://test.stytch.com", c.Op))
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
	findings := col.Findings()
	require.Len(t, findings, 1)
	assert.Equal(t, drift.Finding{Operation: c.Op.ID, Path: "/new", Kind: drift.UnknownField, Detail: "not in the spec (a boolean)"}, findings[0])

	col.Reset()
	assert.Empty(t, col.Findings())
}

func TestTransportMatchesOperations(t *testing.T) {
	t.Parallel()
	var col drift.Collector
	ans := `{"request_id":"r","status_code":200,"x":1}`
	type probe struct{ method, url, op string }
	var probes []probe
	for _, op := range gen.Operations {
		probes = append(probes,
			probe{op.Method, opURL("https://test.stytch.com", op), op.ID},
			probe{op.Method, opURL("http://127.0.0.1:1/prefix", op), op.ID},
			probe{op.Method, opURL("https://test.stytch.com", op) + "/extra/segment", ""},
			probe{http.MethodDelete, opURL("https://test.stytch.com", op), ""}, // no operation of the spec uses DELETE
		)
	}
	probes = append(probes, probe{http.MethodGet, "https://test.stytch.com/v1/b2b/no-such-endpoint", ""})
	for _, op := range gen.Operations {
		require.NotEqual(t, http.MethodDelete, op.Method, "the probes above assume no DELETE operation")
	}
	for _, tc := range probes {
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
	t.Parallel()
	transportEdges(t, smallestAnswer(t).Op)
	assert.Panics(t, func() { drift.NewTransport(nil, nil) })
	assert.NotNil(t, drift.NewTransport(nil, func(drift.Finding) {}), "nil next means http.DefaultTransport")
}

// transportEdges checks the transport's edge cases on requests to op.
func transportEdges(t *testing.T, op gen.Operation) {
	url := opURL("https://test.stytch.com", op)

	t.Run("a read error reaches the client after the same bytes", func(t *testing.T) {
		var col drift.Collector
		boom := errors.New("connection reset")
		tr := drift.NewTransport(&stub{status: 200, body: &failingReader{data: []byte(`{"request_id":`), err: boom}}, col.Report)
		_, got, err := roundTrip(t, tr, op.Method, url)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, `{"request_id":`, string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("an HTML error page is not checked", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 502, header: http.Header{"Content-Type": {"text/html"}}, body: strings.NewReader("<html>bad gateway</html>")}, col.Report)
		status, got, err := roundTrip(t, tr, op.Method, url)
		require.NoError(t, err)
		assert.Equal(t, 502, status)
		assert.Equal(t, "<html>bad gateway</html>", string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("a JSON error answer is checked against the Error schema", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 400, body: strings.NewReader(`{"status_code":400,"request_id":"r","error_type":"x","error_message":"m","error_hint":"h"}`)}, col.Report)
		_, _, err := roundTrip(t, tr, op.Method, url)
		require.NoError(t, err)
		require.Len(t, col.Findings(), 1)
		assert.Equal(t, "/error_hint", col.Findings()[0].Path)
	})

	t.Run("a compressed body is passed through unchecked", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(&stub{status: 200, header: http.Header{"Content-Encoding": {"gzip"}}, body: strings.NewReader("\x1f\x8b...")}, col.Report)
		_, got, err := roundTrip(t, tr, op.Method, url)
		require.NoError(t, err)
		assert.Equal(t, "\x1f\x8b...", string(got))
		assert.Empty(t, col.Findings())
	})

	t.Run("a body over the cap is passed through unchecked", func(t *testing.T) {
		var col drift.Collector
		big := append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), drift.MaxBodyBytes)...)
		big = append(big, `"}`...)
		tr := drift.NewTransport(&stub{status: 200, body: bytes.NewReader(big)}, col.Report)
		_, got, err := roundTrip(t, tr, op.Method, url)
		require.NoError(t, err)
		assert.Equal(t, big, got)
		assert.Empty(t, col.Findings())
	})

	t.Run("transport errors are returned as they are", func(t *testing.T) {
		var col drift.Collector
		tr := drift.NewTransport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial failed") }), col.Report)
		req, _ := http.NewRequestWithContext(t.Context(), op.Method, url, nil)
		resp, err := tr.RoundTrip(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		assert.Nil(t, resp)
		assert.EqualError(t, err, "dial failed")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestWithTheSDKAndTheFake runs every operation through the SDK with the detector on, against the
// fake server: its answers match the spec, so there is nothing to report. Then the fake is made to
// answer with drift, which the SDK decodes without error and the detector reports.
func TestWithTheSDKAndTheFake(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	var col drift.Collector
	client := srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { return drift.NewTransport(next, col.Report) }))
	ctx := context.Background()

	var wg sync.WaitGroup
	for _, c := range fixtures.Cases() {
		wg.Go(func() {
			_, _ = testkit.Call(ctx, client, c.Minimal) // the outcomes are checked below through the recorded statuses
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range fixtures.Cases() {
		reqs := srv.RequestsFor(c.Op)
		require.NotEmpty(t, reqs, "%s reached the fake", c.Op.ID)
		for _, r := range reqs {
			// The fake refuses what it cannot honour (a code it never issued, a reset without a
			// session) with a Stytch error, which the detector checks against the Error schema.
			if r.Status == http.StatusOK {
				ok++
			} else {
				assert.True(t, r.Status >= 400 && r.Status < 500, "%s: %d", c.Op.ID, r.Status)
				t.Logf("%s: the fake answered %d to the minimal params", c.Op.ID, r.Status)
			}
		}
	}
	assert.NotZero(t, ok, "the fake answers the minimal params of most operations")
	assert.Empty(t, col.Findings())

	// Drift in the answer of an operation whose answer has a known-values field.
	at := fieldWhere(t, "a known-values field", func(f specwalk.Field) bool { return len(f.Known) > 0 && !inArray(f) })
	tree := decodeTree(t, at.c.Response)
	set(t, tree, at.f.Pointer, "suspended")
	tree.(map[string]any)["risk_score"] = 0.9
	srv.On(at.c.Op).RespondJSON(200, tree)
	col.Reset()
	resp, err := testkit.Call(ctx, client, at.c.Minimal)
	require.NoError(t, err, "drift never fails a call")
	again := decodeTree(t, encode(t, resp))
	got, _ := specwalk.Lookup(again, at.f.Pointer)
	assert.Equal(t, "suspended", got, "the value is decoded as sent")
	var lines []string
	for _, f := range col.Findings() {
		lines = append(lines, f.String())
	}
	require.Len(t, lines, 2, "%v", lines)
	all := strings.Join(lines, "\n")
	assert.Contains(t, all, at.c.Op.ID+" "+at.f.Pointer+": unknown_enum_value")
	assert.Contains(t, all, at.c.Op.ID+" /risk_score: unknown_field")
}
