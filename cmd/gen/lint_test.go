package main

import (
	"context"
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lintFile loads a spec of testdata/lint with line numbers and returns what lint reports on it,
// one "file:line locator: message" string a problem.
func lintFile(t *testing.T, path string) []string {
	t.Helper()
	doc, err := loadSpec(context.Background(), path, true)
	require.NoError(t, err)
	var out []string
	for _, p := range lint(path, doc) {
		out = append(out, p.String())
	}
	return out
}

func TestLintCleanSpec(t *testing.T) {
	t.Parallel()
	const path = "testdata/lint/clean.yaml"
	assert.Empty(t, lintFile(t, path))
	doc, err := loadSpec(context.Background(), path, true)
	require.NoError(t, err)
	assert.NoError(t, validateSpec(context.Background(), path, doc))
}

// TestLintBrokenSpec: every problem of testdata/lint/broken.yaml, and no other, each at the line
// of the operation, parameter, property or schema it is about. Some lines of the fixture are there
// for what they must not report: a 2xx answer of the get stands for each kind of bad success
// answer (two without a JSON body, so that a loop stopping at the first one loses the other), the
// four error answers and default are skipped; k_inline_items and k_odd_items hold objects that are
// not request objects (only a $ref to an object, as a property or as the items of an array, is
// one), so their bad properties are not reported. k_string_ref is a $ref to a string schema: its
// problem is placed at the line of that schema, under the name of the property.
func TestLintBrokenSpec(t *testing.T) {
	t.Parallel()
	want := []string{
		`testdata/lint/broken.yaml:12 paths./v1/things/{thing_id}/{part}.get.parameters.thing_id: path parameter "thing_id" must be a string`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.200: success response has no request_id property`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.200: success response has no status_code property`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.202: success response must list request_id as required`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.202: success response must list status_code as required`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.203: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.204: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get.responses.206: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get: operation has no operationId`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get: operation has no x-stytch-retry retry class (one of safe, unsent)`,
		`testdata/lint/broken.yaml:17 paths./v1/things/{thing_id}/{part}.get: operation must have exactly one tag, has 2`,
		`testdata/lint/broken.yaml:25 paths./v1/things/{thing_id}/{part}.get.parameters.X-Off: x-stytch-secret must be true when present`,
		`testdata/lint/broken.yaml:30 paths./v1/things/{thing_id}/{part}.get.parameters.X-Word: x-stytch-secret must be true when present`,
		`testdata/lint/broken.yaml:83 paths./v1/untagged.post: operation has no 2xx response`,
		`testdata/lint/broken.yaml:83 paths./v1/untagged.post: operation must have exactly one tag, has 0`,
		`testdata/lint/broken.yaml:83 paths./v1/untagged.post: x-stytch-retry is sometimes, want one of safe, unsent`,
		`testdata/lint/broken.yaml:93 paths./v1/untagged.post.requestBody.properties.inline_code: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:99 paths./v1/stranger.put: tag "strangers" is not declared in the top-level tags`,
		`testdata/lint/broken.yaml:99 paths./v1/stranger.put: x-stytch-retry is true, want one of safe, unsent`,
		`testdata/lint/broken.yaml:161 paths./v1/blobs/{blob}.get.parameters.blob: path parameter "blob" must be a string`,
		"testdata/lint/broken.yaml:188 components.schemas.Keywords.properties.k_pattern: pattern \"(x\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(x`",
		`testdata/lint/broken.yaml:191 components.schemas.Keywords.properties.k_max_length: maxLength is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:194 components.schemas.Keywords.properties.k_min_items: request property uses "minItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:199 components.schemas.Keywords.properties.k_max_items: request property uses "maxItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:204 components.schemas.Keywords.properties.k_unique_items: request property uses "uniqueItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:209 components.schemas.Keywords.properties.k_exclusive_minimum: request property uses "exclusiveMinimum", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:213 components.schemas.Keywords.properties.k_exclusive_maximum: request property uses "exclusiveMaximum", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:217 components.schemas.Keywords.properties.k_multiple_of: request property uses "multipleOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:220 components.schemas.Keywords.properties.k_one_of: request property uses "oneOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:224 components.schemas.Keywords.properties.k_any_of: request property uses "anyOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:228 components.schemas.Keywords.properties.k_all_of: request property uses "allOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:231 components.schemas.Keywords.properties.k_not: request property uses "not", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:234 components.schemas.Keywords.properties.k_min_properties: request property uses "minProperties", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:239 components.schemas.Keywords.properties.k_max_properties: request property uses "maxProperties", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:244 components.schemas.Keywords.properties.k_properties: request property uses "properties", which the generated validation does not enforce`,
		"testdata/lint/broken.yaml:269 components.schemas.Keywords.properties.k_string_ref: pattern \"(y\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(y`",
		"testdata/lint/broken.yaml:275 components.schemas.Nested.properties.n_pattern: pattern \"(n\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(n`",
		`testdata/lint/broken.yaml:284 components.schemas.NestedItem.properties.item_code: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:299 components.schemas.Lengths.properties.l_optional_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:302 components.schemas.Lengths.properties.l_required: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:307 components.schemas.Lengths.properties.l_enum_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:311 components.schemas.Lengths.properties.l_integer_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:314 components.schemas.Lengths.properties.l_wide_optional: maxLength 1 is below minLength 2: no value fits`,
		`testdata/lint/broken.yaml:318 components.schemas.Lengths.properties.l_enum_wide: minLength 2 is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:322 components.schemas.Lengths.properties.l_integer_pattern: pattern is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:336 components.schemas.GroupOfOne.x-stytch-exactly-one: x-stytch-exactly-one must list at least two property names`,
		`testdata/lint/broken.yaml:342 components.schemas.GroupScalar.x-stytch-exactly-one: x-stytch-exactly-one must list at least two property names`,
		`testdata/lint/broken.yaml:348 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names 7, which is not a property of the schema`,
		`testdata/lint/broken.yaml:348 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names b, which is required (it would always be set)`,
		`testdata/lint/broken.yaml:348 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names c, which is not a string`,
		`testdata/lint/broken.yaml:348 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names missing, which is not a property of the schema`,
		`testdata/lint/broken.yaml:360 components.schemas.GroupKinds.x-stytch-at-most-one: x-stytch-at-most-one must list at least two property names`,
		`testdata/lint/broken.yaml:360 components.schemas.GroupKinds.x-stytch-at-least-one: x-stytch-at-least-one names a twice`,
		`testdata/lint/broken.yaml:360 components.schemas.GroupKinds.x-stytch-at-least-one: x-stytch-at-least-one names n, which is not a string`,
		`testdata/lint/broken.yaml:379 components.schemas.Secrets.properties.s_false: x-stytch-secret must be true when present`,
		`testdata/lint/broken.yaml:382 components.schemas.Secrets.properties.s_word: x-stytch-secret must be true when present`,
		`testdata/lint/broken.yaml:385 components.schemas.Secrets.properties.s_integer: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:388 components.schemas.Secrets.properties.s_integers: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:398 components.schemas.Secrets.properties.s_no_items: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:401 components.schemas.Secrets.properties.s_odd: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:406 components.schemas.Orphan: schema is not referenced by any operation`,
		`testdata/lint/broken.yaml:411 components.schemas.OrphanChild: schema is not referenced by any operation`,
	}
	assert.ElementsMatch(t, want, lintFile(t, "testdata/lint/broken.yaml"))
}

// TestExternalRefIsRefusedAtItsLine: a $ref into another file is refused, at the line that holds
// it, although the other file exists and holds the schema: the spec is one self-contained
// document, and nothing outside it can change the generated code. The loader reads the spec from
// memory, so a relative reference would be read from the working directory: the reference names
// the other file from cmd/gen, where the test runs, and the load would succeed without the rule.
func TestExternalRefIsRefusedAtItsLine(t *testing.T) {
	t.Parallel()
	_, err := loadSpec(context.Background(), "testdata/lint/external.yaml", true)
	var pe *ProblemsError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []Problem{{
		Place:   "testdata/lint/external.yaml:21",
		Message: `unresolvable $ref #/components/schemas/Things: cannot load: encountered disallowed external reference: "testdata/lint/other.yaml#/components/schemas/Things"`,
	}}, pe.Problems)
}

// TestLoadProblemsPickTheRefLines: of the references a load error names, the first one used by a
// $ref line of the spec gives the places; a line that only mentions it, or a $ref line naming
// another schema, is not one of them.
func TestLoadProblemsPickTheRefLines(t *testing.T) {
	data := []byte("a:\n" +
		"  description: see '#/components/schemas/Gone'\n" +
		"  $ref: '#/components/schemas/Other'\n" +
		"b:\n" +
		"  $ref: '#/components/schemas/Gone'\n")
	// The first reference the error names is used by no $ref line: the second one is.
	err := errors.New(`cannot follow "#/components/schemas/Unused" to "#/components/schemas/Gone"`)
	assert.Equal(t, []Problem{{
		Place:   "s.yaml:5",
		Message: `unresolvable $ref #/components/schemas/Gone: cannot load: cannot follow "#/components/schemas/Unused" to "#/components/schemas/Gone"`,
	}}, loadProblems("s.yaml", data, err))

	// A reference no $ref line uses leaves the file as the place.
	err = errors.New(`failed to resolve "#/components/schemas/Unused"`)
	assert.Equal(t, []Problem{{Place: "s.yaml", Message: `cannot load: failed to resolve "#/components/schemas/Unused"`}},
		loadProblems("s.yaml", data, err))
}

// TestPlace: the line goes with the file only when the loader recorded one.
func TestPlace(t *testing.T) {
	assert.Equal(t, "s.yaml:7 paths./x.get", place("s.yaml", &openapi3.Origin{Key: &openapi3.Location{Line: 7}}, "paths./x.get"))
	assert.Equal(t, "s.yaml:1 paths./x.get", place("s.yaml", &openapi3.Origin{Key: &openapi3.Location{Line: 1}}, "paths./x.get"))
	assert.Equal(t, "s.yaml paths./x.get", place("s.yaml", &openapi3.Origin{Key: &openapi3.Location{Line: 0}}, "paths./x.get"))
	assert.Equal(t, "s.yaml paths./x.get", place("s.yaml", &openapi3.Origin{}, "paths./x.get"))
	assert.Equal(t, "s.yaml paths./x.get", place("s.yaml", nil, "paths./x.get"))
}

// TestFlattenMulti: nested lists of validation errors come out as one list, in order.
func TestFlattenMulti(t *testing.T) {
	a, b, c, d := errors.New("a"), errors.New("b"), errors.New("c"), errors.New("d")
	got := flattenMulti(openapi3.MultiError{a, openapi3.MultiError{b, openapi3.MultiError{c}}, d})
	assert.Equal(t, []error{a, b, c, d}, got)
}

// TestLintInMemory: what only a document built in memory can hold (the loader resolves every
// reference and every component of a loaded spec is the schema its references point to): an
// unresolved parameter, property or component, an operation without responses, and a component
// whose own references differ from what the operation's reference holds.
func TestLintInMemory(t *testing.T) {
	t.Parallel()
	pattern := openapi3.NewStringSchema().WithPattern("(x")
	notSecret := openapi3.NewStringSchema()
	notSecret.Extensions = map[string]any{extSecret: false}
	// The operation's reference holds a bare object; the component of that name references Child.
	req := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"a": {Ref: "#/components/schemas/Absent"},
		"b": pattern.NewRef(),
	}}
	component := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"child": {Ref: "#/components/schemas/Child", Value: openapi3.NewStringSchema()},
		"a":     {},
		"b":     notSecret.NewRef(),
	}}
	op := &openapi3.Operation{
		OperationID: "x",
		Tags:        []string{"t"},
		Extensions:  map[string]any{extRetry: "safe"},
		Parameters: openapi3.Parameters{
			{Ref: "#/components/parameters/Gone"},
			{Value: &openapi3.Parameter{Name: "id", In: openapi3.ParameterInPath, Schema: openapi3.NewStringSchema().NewRef()}},
		},
		RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchemaRef(&openapi3.SchemaRef{Ref: "#/components/schemas/Req", Value: req})},
	}
	doc := &openapi3.T{
		Tags:  openapi3.Tags{{Name: "t"}},
		Paths: openapi3.NewPaths(openapi3.WithPath("/x/{id}", &openapi3.PathItem{Get: op})),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"Req":   {Value: component},
			"Child": {Value: openapi3.NewStringSchema()},
			"Nil":   {},
		}},
	}
	var got []string
	for _, p := range lint("s.yaml", doc) {
		got = append(got, p.String())
	}
	assert.ElementsMatch(t, []string{
		`s.yaml paths./x/{id}.get.parameters.id: path parameter "id" must be required`,
		`s.yaml paths./x/{id}.get: operation has no responses`,
		"s.yaml components.schemas.Req.properties.b: pattern \"(x\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(x`",
		`s.yaml components.schemas.Nil: schema is not referenced by any operation`,
		`s.yaml components.schemas.Req.properties.b: x-stytch-secret must be true when present`,
	}, got)
}
