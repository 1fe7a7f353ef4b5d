package specwalk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// loadYAML loads a small document written for one test.
func loadYAML(t *testing.T, src string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(src))
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

const cyclic = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Node:
      type: object
      required: [name, children]
      properties:
        name: {type: string}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
        parent:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Node'}]
        self:
          $ref: '#/components/schemas/Node'
    A:
      type: object
      required: [b]
      properties:
        b: {$ref: '#/components/schemas/B'}
        note: {type: string}
    B:
      type: object
      required: [a, name]
      properties:
        a: {$ref: '#/components/schemas/A'}
        name: {type: string}
`

func TestCyclesAreCut(t *testing.T) {
	doc := loadYAML(t, cyclic)
	node := doc.Components.Schemas["Node"].Value
	for _, m := range modes {
		v := decode(t, specwalk.ExampleJSON(node, m, "c"))
		assert.NoError(t, node.VisitJSON(v), "%s: a recursive schema that can end gets a valid example", m)
		obj := v.(map[string]any)
		assert.Equal(t, []any{}, obj["children"], "%s: the array of the repeated schema is empty", m)
		assert.NotContains(t, obj, "parent", "%s: an optional repeat is left out", m)
		assert.NotContains(t, obj, "self", m)
	}
	fs := specwalk.Fields(node)
	var ptrs []string
	for _, f := range fs {
		ptrs = append(ptrs, f.Pointer)
	}
	assert.Equal(t, []string{"/children", "/children/*", "/name", "/parent", "/self"}, ptrs, "a repeat is listed, not descended into")

	// A required cycle no finite value satisfies still ends.
	a := doc.Components.Schemas["A"].Value
	done := make(chan any)
	go func() { done <- specwalk.Example(a, specwalk.Full, "c") }()
	select {
	case v := <-done:
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"b":{"a":`)
		obj := v.(map[string]any)
		assert.Contains(t, obj, "note", "Full sets the optional property where the schema first appears")
		again := obj["b"].(map[string]any)["a"].(map[string]any)
		assert.NotContains(t, again, "note", "a repeat is expanded with its required properties only")
		assert.Contains(t, again, "b")
	case <-time.After(10 * time.Second):
		t.Fatal("Example did not return on a required cycle")
	}
}

const kinds = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Kinds:
      type: object
      additionalProperties: false
      required: [when, opt_obj, nullable_req]
      properties:
        when: {type: string, format: date-time}
        day: {type: string, format: date}
        mail: {type: string, format: email}
        id: {type: string, format: uuid}
        link: {type: string, format: uri}
        short: {type: string, minLength: 40}
        capped: {type: string, maxLength: 3}
        count: {type: integer, format: int32, minimum: 5, maximum: 7}
        open_low: {type: integer, minimum: 10, exclusiveMinimum: true, maximum: 11}
        open_high: {type: integer, minimum: 1, maximum: 3, exclusiveMaximum: true}
        neg: {type: integer, maximum: -100}
        ratio: {type: number, minimum: 0, maximum: 1}
        level: {type: integer, enum: [3, 6, 9]}
        color: {type: string, enum: [red, green]}
        seen: {type: string, x-stytch-known-values: [a, b, c]}
        flag: {type: boolean}
        many: {type: array, minItems: 3, items: {type: string}}
        untyped_list: {items: {type: integer}}
        secret-looking: {type: string}
        token: {type: string, x-stytch-secret: true}
        codes: {type: array, x-stytch-secret: true, items: {type: string}}
        vault:
          type: object
          x-stytch-secret: true
          properties:
            inner: {type: string}
        a/b~c: {type: string}
        typed_map:
          type: object
          additionalProperties: {type: integer, minimum: 2, maximum: 2}
        opt_obj:
          type: object
          properties:
            x: {type: string}
        nullable_req:
          nullable: true
          allOf:
            - type: object
              required: [y]
              properties:
                y: {type: string}
`

func TestFormatsRangesAndExtensions(t *testing.T) {
	s := loadYAML(t, kinds).Components.Schemas["Kinds"].Value
	full := decode(t, specwalk.ExampleJSON(s, specwalk.Full, "c")).(map[string]any)
	require.NoError(t, s.VisitJSON(full, openapi3.EnableFormatValidation()))

	ts, err := time.Parse(time.RFC3339, full["when"].(string))
	require.NoError(t, err)
	assert.Equal(t, time.UTC, ts.Location())
	_, err = time.Parse(time.DateOnly, full["day"].(string))
	assert.NoError(t, err)
	assert.Regexp(t, `^[^@\s]+@example\.com$`, full["mail"])
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`), full["id"])
	assert.True(t, strings.HasPrefix(full["link"].(string), "https://"))
	assert.GreaterOrEqual(t, len(full["short"].(string)), 40)
	assert.LessOrEqual(t, len(full["capped"].(string)), 3)
	assert.Contains(t, []any{5.0, 6.0, 7.0}, full["count"])
	assert.Equal(t, 11.0, full["open_low"])
	assert.Contains(t, []any{1.0, 2.0}, full["open_high"])
	assert.LessOrEqual(t, full["neg"].(float64), -100.0)
	assert.Contains(t, []any{3.0, 6.0, 9.0}, full["level"])
	assert.Contains(t, []any{"red", "green"}, full["color"])
	assert.Contains(t, []any{"a", "b", "c"}, full["seen"])
	assert.Equal(t, true, full["flag"])
	assert.Len(t, full["many"], 3)
	assert.Len(t, full["untyped_list"], 1, "items without a type is an array")
	assert.False(t, strings.HasPrefix(full["secret-looking"].(string), specwalk.SecretPrefix), "a property named secret-... is no secret")
	assert.Equal(t, "secret-token-c", full["token"])
	assert.Equal(t, []any{"secret-codes.0-c"}, full["codes"], "the elements of a secret array are secrets")
	assert.Equal(t, map[string]any{"inner": "secret-vault.inner-c"}, full["vault"], "the strings of a secret object are secrets")
	assert.Equal(t, map[string]any{specwalk.FreeFormObject: 2.0}, full["typed_map"])
	assert.Equal(t, map[string]any{"y": "nullable_req.y-c"}, full["nullable_req"], "a nullable object is set")
	assert.Equal(t, specwalk.StringValue("/a~1b~0c", "c"), full["a/b~c"])

	minimal := decode(t, specwalk.ExampleJSON(s, specwalk.Minimal, "c"))
	assert.Equal(t, map[string]any{"when": full["when"], "opt_obj": map[string]any{}, "nullable_req": full["nullable_req"]}, minimal)
	omitted := decode(t, specwalk.ExampleJSON(s, specwalk.OptionalOmitted, "c"))
	assert.Equal(t, map[string]any{"when": full["when"], "opt_obj": map[string]any{}, "nullable_req": nil}, omitted, "a required nullable field is null when optional data is left out")
	assert.NoError(t, s.VisitJSON(omitted))

	// Values do not depend on the context except for strings.
	other := decode(t, specwalk.ExampleJSON(s, specwalk.Full, "other")).(map[string]any)
	assert.Equal(t, full["count"], other["count"])
	assert.Equal(t, full["when"], other["when"])
	assert.Equal(t, "secret-token-other", other["token"])
}

func TestFieldFacts(t *testing.T) {
	s := loadYAML(t, kinds).Components.Schemas["Kinds"].Value
	byPtr := map[string]specwalk.Field{}
	for _, f := range specwalk.Fields(s) {
		byPtr[f.Pointer] = f
	}
	assert.Contains(t, byPtr, "/a~1b~0c", "names are escaped as in RFC 6901")
	assert.Equal(t, "a/b~c", byPtr["/a~1b~0c"].Name)
	assert.True(t, byPtr["/when"].Required)
	assert.False(t, byPtr["/day"].Required)
	assert.True(t, byPtr["/nullable_req"].Nullable)
	assert.Equal(t, "object", byPtr["/nullable_req"].Type, "allOf members are folded in")
	assert.True(t, byPtr["/nullable_req/y"].Required)
	assert.True(t, byPtr["/codes"].Secret)
	assert.True(t, byPtr["/codes/*"].Secret)
	assert.True(t, byPtr["/codes/*"].Required)
	assert.True(t, byPtr["/vault/inner"].Secret)
	assert.False(t, byPtr["/secret-looking"].Secret)
	assert.True(t, byPtr["/typed_map"].FreeForm)
	assert.False(t, byPtr["/opt_obj"].FreeForm)
	assert.Equal(t, []any{"red", "green"}, byPtr["/color"].Enum)
	assert.Equal(t, []any{"a", "b", "c"}, byPtr["/seen"].Known)
	assert.Equal(t, 5.0, *byPtr["/count"].Min)
	assert.Equal(t, 7.0, *byPtr["/count"].Max)
	assert.Equal(t, uint64(40), byPtr["/short"].MinLength)
	assert.Equal(t, "int32", byPtr["/count"].Format)
	assert.NotContains(t, byPtr, "/typed_map/*", "a free-form object's keys are not fields")

	picked := specwalk.Pick(s, func(f specwalk.Field) bool { return f.Secret })
	var names []string
	for _, f := range picked {
		names = append(names, f.Pointer)
	}
	assert.Equal(t, []string{"/codes", "/codes/*", "/token", "/vault", "/vault/inner"}, names)
}

func TestLookup(t *testing.T) {
	tree := map[string]any{"a": []any{map[string]any{"b": 1}, map[string]any{"b": 2}}, "x/y": "z"}
	for _, tc := range []struct {
		ptr  string
		want any
		ok   bool
	}{
		{"", tree, true},
		{"/a/*/b", 1, true},
		{"/a/0/b", 1, true},
		{"/a/1/b", 2, true},
		{"/a/2/b", nil, false},
		{"/a/-1/b", nil, false},
		{"/a/x", nil, false},
		{"/x~1y", "z", true},
		{"/nope", nil, false},
		{"/x~1y/deeper", nil, false},
	} {
		got, ok := specwalk.Lookup(tree, tc.ptr)
		assert.Equal(t, tc.ok, ok, tc.ptr)
		assert.Equal(t, tc.want, got, tc.ptr)
	}
}

const params = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{thing_id}:
    parameters:
      - {name: thing_id, in: path, required: true, schema: {type: string}}
      - {name: X-Shared, in: header, schema: {type: string}}
    get:
      operationId: getThing
      parameters:
        - {name: X-Token, in: header, x-stytch-secret: true, schema: {type: string}}
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1, maximum: 1}}
        - {name: x-shared, in: header, required: true, schema: {type: string, minLength: 30}}
      responses:
        '200': {description: ok}
`

func TestParams(t *testing.T) {
	doc := loadYAML(t, params)
	item := doc.Paths.Value("/things/{thing_id}")
	op := item.Get
	full := specwalk.Params(item, op, specwalk.Full, "c")
	type got struct{ in, name, value string }
	var fs []got
	for _, p := range full {
		fs = append(fs, got{p.In, p.Name, p.Value})
	}
	require.Len(t, fs, 4, "the operation's own parameter replaces the path item's of the same name")
	assert.Equal(t, got{"header", "X-Token", "secret-X-Token-c"}, fs[0])
	assert.Equal(t, "header", fs[1].in)
	assert.Equal(t, "x-shared", fs[1].name)
	assert.GreaterOrEqual(t, len(fs[1].value), 30)
	assert.Equal(t, got{"path", "thing_id", "thing_id-c"}, fs[2])
	assert.Equal(t, got{"query", "limit", "1"}, fs[3])
	assert.True(t, full[0].Secret)

	var req []string
	for _, p := range specwalk.Params(item, op, specwalk.Minimal, "c") {
		req = append(req, p.Name)
	}
	assert.Equal(t, []string{"x-shared", "thing_id", "limit"}, req, "Minimal: required parameters only")
}

func TestModeNames(t *testing.T) {
	assert.Equal(t, "full", specwalk.Full.String())
	assert.Equal(t, "minimal", specwalk.Minimal.String())
	assert.Equal(t, "optional-omitted", specwalk.OptionalOmitted.String())
	assert.Equal(t, "mode(0)", specwalk.Mode(0).String())
}

// Bounds are respected whatever value the path picks: many fields whose range holds one value.
func TestBoundsHoldForEveryPath(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    S:\n      type: object\n      properties:\n")
	for i := range 24 {
		fmt.Fprintf(&b, "        lo%d: {type: integer, minimum: 1, maximum: 2, exclusiveMinimum: true}\n", i)
		fmt.Fprintf(&b, "        hi%d: {type: integer, minimum: 1, maximum: 2, exclusiveMaximum: true}\n", i)
		fmt.Fprintf(&b, "        num%d: {type: number, minimum: 1, maximum: 1.2}\n", i)
		fmt.Fprintf(&b, "        known%d: {type: string, x-stytch-known-values: [a, b, c]}\n", i)
	}
	s := loadYAML(t, b.String()).Components.Schemas["S"].Value
	full := decode(t, specwalk.ExampleJSON(s, specwalk.Full, "c")).(map[string]any)
	require.NoError(t, s.VisitJSON(full))
	picked := map[any]bool{}
	for i := range 24 {
		assert.Equal(t, 2.0, full[fmt.Sprintf("lo%d", i)])
		assert.Equal(t, 1.0, full[fmt.Sprintf("hi%d", i)])
		picked[full[fmt.Sprintf("known%d", i)]] = true
	}
	assert.Greater(t, len(picked), 1, "fields with the same list do not all get the same value")
}
