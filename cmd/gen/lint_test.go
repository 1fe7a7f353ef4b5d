package main

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// lintFile loads a spec of testdata/lint with line numbers and returns what lint and the check of
// extension names report on it, one "file:line locator: message" string a problem.
func lintFile(t *testing.T, path string) []string {
	t.Helper()
	doc, err := loadSpec(context.Background(), path, true)
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, p := range append(lint(path, doc), lintExtensionNames(path, data)...) {
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
// problem is placed at the line of that schema, under the name of the property. X-Off and s_false
// say x-stytch-secret: false, which is allowed (the opt-out of a name that looks like a
// credential); X-Word and s_word say neither true nor false. Everything in the fixture has the
// descriptions, summaries and docs links the rules ask for, so that only the mistakes show; the
// operations the facade cannot call (an inline answer, an inline body, path parameters with a
// body) are reported as such.
func TestLintBrokenSpec(t *testing.T) {
	t.Parallel()
	want := []string{
		`testdata/lint/broken.yaml:15 paths./v1/things/{thing_id}/{part}.get.parameters.thing_id: path parameter "thing_id" must be a string`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.200: success response has no request_id property`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.200: success response has no status_code property`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.202: success response must list request_id as required`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.202: success response must list status_code as required`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.203: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.204: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get.responses.206: success response must have an application/json schema`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get: operation has no operationId`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get: operation has no x-stytch-retry retry class (one of safe, unsent)`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get: operation must have exactly one tag, has 2`,
		`testdata/lint/broken.yaml:21 paths./v1/things/{thing_id}/{part}.get: the 200 response must be application/json with a $ref to a component schema, the type the facade method returns: add a '200' response referencing one`,
		`testdata/lint/broken.yaml:39 paths./v1/things/{thing_id}/{part}.get.parameters.X-Word: x-stytch-secret is yes, want true (a credential) or false (named like one, but not one)`,
		`testdata/lint/broken.yaml:96 paths./v1/untagged.post: operation has no 2xx response`,
		`testdata/lint/broken.yaml:96 paths./v1/untagged.post: operation must have exactly one tag, has 0`,
		`testdata/lint/broken.yaml:96 paths./v1/untagged.post: the 200 response must be application/json with a $ref to a component schema, the type the facade method returns: add a '200' response referencing one`,
		`testdata/lint/broken.yaml:96 paths./v1/untagged.post: the request body must be application/json with a $ref to a component schema, whose type is the facade's params: move the schema under components.schemas and reference it`,
		`testdata/lint/broken.yaml:96 paths./v1/untagged.post: x-stytch-retry is sometimes, want one of safe, unsent`,
		`testdata/lint/broken.yaml:109 paths./v1/untagged.post.requestBody.properties.inline_code: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:116 paths./v1/stranger.put: tag "strangers" is not declared in the top-level tags`,
		`testdata/lint/broken.yaml:116 paths./v1/stranger.put: x-stytch-retry is true, want one of safe, unsent`,
		`testdata/lint/broken.yaml:156 paths./v1/groups/{group_id}.post: an operation with both path parameters and a body is not supported by the facade, whose params are either the body or the path parameters: send the path values as body properties if the API accepts them there, or extend buildModel in cmd/gen/model.go (and the facade) to support it`,
		`testdata/lint/broken.yaml:191 paths./v1/blobs/{blob}.get.parameters.blob: path parameter "blob" must be a string`,
		"testdata/lint/broken.yaml:223 components.schemas.Keywords.properties.k_pattern: pattern \"(x\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(x`",
		`testdata/lint/broken.yaml:227 components.schemas.Keywords.properties.k_max_length: maxLength is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:231 components.schemas.Keywords.properties.k_min_items: request property uses "minItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:237 components.schemas.Keywords.properties.k_max_items: request property uses "maxItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:243 components.schemas.Keywords.properties.k_unique_items: request property uses "uniqueItems", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:249 components.schemas.Keywords.properties.k_exclusive_minimum: request property uses "exclusiveMinimum", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:254 components.schemas.Keywords.properties.k_exclusive_maximum: request property uses "exclusiveMaximum", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:259 components.schemas.Keywords.properties.k_multiple_of: request property uses "multipleOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:263 components.schemas.Keywords.properties.k_one_of: request property uses "oneOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:268 components.schemas.Keywords.properties.k_any_of: request property uses "anyOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:273 components.schemas.Keywords.properties.k_all_of: request property uses "allOf", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:277 components.schemas.Keywords.properties.k_not: request property uses "not", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:281 components.schemas.Keywords.properties.k_min_properties: request property uses "minProperties", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:287 components.schemas.Keywords.properties.k_max_properties: request property uses "maxProperties", which the generated validation does not enforce`,
		`testdata/lint/broken.yaml:293 components.schemas.Keywords.properties.k_properties: request property uses "properties", which the generated validation does not enforce`,
		"testdata/lint/broken.yaml:324 components.schemas.Keywords.properties.k_string_ref: pattern \"(y\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(y`",
		"testdata/lint/broken.yaml:332 components.schemas.Nested.properties.n_pattern: pattern \"(n\" is not a Go regular expression, which the generated validation needs: error parsing regexp: missing closing ): `(n`",
		`testdata/lint/broken.yaml:343 components.schemas.NestedItem.properties.item_code: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:363 components.schemas.Lengths.properties.l_optional_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:367 components.schemas.Lengths.properties.l_required: required string property must declare minLength: 1 (the API rejects an empty value)`,
		`testdata/lint/broken.yaml:374 components.schemas.Lengths.properties.l_enum_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:379 components.schemas.Lengths.properties.l_integer_min: minLength 1 is only supported on required string properties`,
		`testdata/lint/broken.yaml:383 components.schemas.Lengths.properties.l_wide_optional: maxLength 1 is below minLength 2: no value fits`,
		`testdata/lint/broken.yaml:388 components.schemas.Lengths.properties.l_enum_wide: minLength 2 is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:393 components.schemas.Lengths.properties.l_integer_pattern: pattern is only supported on string properties without enum`,
		`testdata/lint/broken.yaml:409 components.schemas.GroupOfOne.x-stytch-exactly-one: x-stytch-exactly-one must list at least two property names`,
		`testdata/lint/broken.yaml:417 components.schemas.GroupScalar.x-stytch-exactly-one: x-stytch-exactly-one must list at least two property names`,
		`testdata/lint/broken.yaml:425 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names 7, which is not a property of the schema`,
		`testdata/lint/broken.yaml:425 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names b, which is required (it would always be set)`,
		`testdata/lint/broken.yaml:425 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names c, which is not a string`,
		`testdata/lint/broken.yaml:425 components.schemas.GroupNames.x-stytch-exactly-one: x-stytch-exactly-one names missing, which is not a property of the schema`,
		`testdata/lint/broken.yaml:441 components.schemas.GroupKinds.x-stytch-at-least-one: x-stytch-at-least-one names a twice`,
		`testdata/lint/broken.yaml:441 components.schemas.GroupKinds.x-stytch-at-least-one: x-stytch-at-least-one names n, which is not a string`,
		`testdata/lint/broken.yaml:441 components.schemas.GroupKinds.x-stytch-at-most-one: x-stytch-at-most-one must list at least two property names`,
		`testdata/lint/broken.yaml:471 components.schemas.Secrets.properties.s_word: x-stytch-secret is yes, want true (a credential) or false (named like one, but not one)`,
		`testdata/lint/broken.yaml:475 components.schemas.Secrets.properties.s_integer: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:479 components.schemas.Secrets.properties.s_integers: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:491 components.schemas.Secrets.properties.s_no_items: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:495 components.schemas.Secrets.properties.s_odd: x-stytch-secret marks a property that is not a string or an array of strings`,
		`testdata/lint/broken.yaml:501 components.schemas.Orphan: schema is not referenced by any operation`,
		`testdata/lint/broken.yaml:507 components.schemas.OrphanChild: schema is not referenced by any operation`,
	}
	assert.ElementsMatch(t, want, lintFile(t, "testdata/lint/broken.yaml"))
}

// TestLintAuditSpec: every problem of testdata/lint/audit.yaml, the mistakes an audit made while
// adding operations, and no other. Its near misses must stay silent: reset_token_expires_at,
// member_password_id, token_type and totp_recovery_code_id mention a credential without being one,
// X-Request-Token says x-stytch-secret: false, tokens and secret are not strings, and the enum of
// Level is reported once, at the schema, though a request and an answer both reach it.
func TestLintAuditSpec(t *testing.T) {
	t.Parallel()
	known := "(nothing reads other x-stytch- names; the project's extensions are " + strings.Join(knownExtensions(), ", ") + ", the constants of package spec)"
	const (
		credential   = "(it is then redacted when printed or logged and scrubbed from errors), or x-stytch-secret: false if it is not one" //nolint:gosec // G101: a message about marking credentials, not one
		enumInAnswer = "enum in a schema a response reaches: use x-stytch-known-values with the same values instead (response schemas leave the set open, so that a value the API adds never breaks decoding; x-stytch-type-name names the generated type)"
		extend       = "or extend buildModel in cmd/gen/model.go (and the facade) to support it"
	)
	want := []string{
		`testdata/lint/audit.yaml:9 info.x-stytch-retries: unknown extension x-stytch-retries: did you mean x-stytch-retry? ` + known,
		`testdata/lint/audit.yaml:14 paths./v1/resets/start.post: operation has no summary: add one line saying what it does (README.md's table of operations and the generated docs show it)`,
		`testdata/lint/audit.yaml:14 paths./v1/resets/start.post: operation has no x-stytch-retry retry class (one of safe, unsent)`,
		`testdata/lint/audit.yaml:18 paths./v1/resets/start.post.x-stytch-retries: unknown extension x-stytch-retries: did you mean x-stytch-retry? ` + known,
		`testdata/lint/audit.yaml:22 paths./v1/resets/start.post.parameters.X-Stytch-Member-SessionJWT: header parameter "X-Stytch-Member-SessionJWT" is named like a credential: mark it x-stytch-secret: true ` + credential,
		`testdata/lint/audit.yaml:47 paths./v1/resets/{reset_id}.post: an operation with both path parameters and a body is not supported by the facade, whose params are either the body or the path parameters: send the path values as body properties if the API accepts them there, ` + extend,
		`testdata/lint/audit.yaml:47 paths./v1/resets/{reset_id}.post: externalDocs.url "https://example.com/docs/resets/finish" is not a page of Stytch's API reference: use the operation's page under https://stytch.com/docs/`,
		`testdata/lint/audit.yaml:47 paths./v1/resets/{reset_id}.post: operation has no description: add one (the generated docs show it)`,
		`testdata/lint/audit.yaml:55 paths./v1/resets/{reset_id}.post.parameters.reset_id: parameter "reset_id" has no description: add one (it becomes the doc comment of its Go field or per-call option)`,
		`testdata/lint/audit.yaml:74 paths./v1/resets.get: an operation without a body or path parameters is not supported by the facade, which has no params type for it: give it a request body (a component schema), ` + extend,
		`testdata/lint/audit.yaml:74 paths./v1/resets.get: operation has no externalDocs: add externalDocs.url, its page of Stytch's API reference (https://stytch.com/docs/...), which the facade method's doc comment links`,
		`testdata/lint/audit.yaml:74 paths./v1/resets.get: query parameter "cursor" would never be sent: the facade sends path and header parameters only; move it into the request body, ` + extend,
		`testdata/lint/audit.yaml:74 paths./v1/resets.get: the 200 response must be application/json with a $ref to a component schema, the type the facade method returns: add a '200' response referencing one`,
		`testdata/lint/audit.yaml:101 paths./v1/resets.get.responses.200.properties.kind: ` + enumInAnswer,
		`testdata/lint/audit.yaml:106 paths./v1/resets/count.get: an operation without a body or path parameters is not supported by the facade, which has no params type for it: give it a request body (a component schema), ` + extend,
		`testdata/lint/audit.yaml:132 components.schemas.ResetStartRequest.properties.password: property "password" is named like a credential: mark it x-stytch-secret: true ` + credential,
		`testdata/lint/audit.yaml:135 components.schemas.ResetStartRequest.properties.password.x-stytch-secrets: unknown extension x-stytch-secrets: did you mean x-stytch-secret? ` + known,
		`testdata/lint/audit.yaml:136 components.schemas.ResetStartRequest.properties.code_verifier: property "code_verifier" is named like a credential: mark it x-stytch-secret: true ` + credential,
		`testdata/lint/audit.yaml:150 components.schemas.ResetStartRequest.properties.hint: property "hint" has no description: add one (it becomes the doc comment of the generated Go field)`,
		`testdata/lint/audit.yaml:152 components.schemas.ResetFinishRequest: schema has no description: add one (it becomes the doc comment of the generated Go type)`,
		`testdata/lint/audit.yaml:169 components.schemas.ResetStartResponse.properties.reset_token: property "reset_token" is named like a credential: mark it x-stytch-secret: true ` + credential,
		`testdata/lint/audit.yaml:172 components.schemas.ResetStartResponse.properties.recovery_codes: property "recovery_codes" is named like a credential: mark it x-stytch-secret: true ` + credential,
		`testdata/lint/audit.yaml:180 components.schemas.ResetStartResponse.properties.status: ` + enumInAnswer,
		`testdata/lint/audit.yaml:184 components.schemas.ResetStartResponse.properties.status.x-Stytch-Known-Value: unknown extension x-Stytch-Known-Value: did you mean x-stytch-known-values? ` + known,
		`testdata/lint/audit.yaml:188 components.schemas.ResetStartResponse.properties.channels.items: ` + enumInAnswer,
		`testdata/lint/audit.yaml:201 components.schemas.Level: ` + enumInAnswer,
	}
	assert.ElementsMatch(t, want, lintFile(t, "testdata/lint/audit.yaml"))
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
// whose own references differ from what the operation's reference holds. The operation, a GET with
// a path parameter and a body, is also one the facade cannot call.
func TestLintInMemory(t *testing.T) {
	t.Parallel()
	pattern := openapi3.NewStringSchema().WithPattern("(x")
	pattern.Description = "b"
	notSecret := openapi3.NewStringSchema()
	notSecret.Extensions = map[string]any{extSecret: "no"}
	// The operation's reference holds a bare object; the component of that name references Child.
	req := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"a": {Ref: "#/components/schemas/Absent"},
		"b": pattern.NewRef(),
	}}
	component := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Description: "req", Properties: openapi3.Schemas{
		"child": {Ref: "#/components/schemas/Child", Value: openapi3.NewStringSchema()},
		"a":     {},
		"b":     notSecret.NewRef(),
	}}
	op := &openapi3.Operation{
		OperationID:  "x",
		Tags:         []string{"t"},
		Summary:      "x",
		Description:  "x",
		ExternalDocs: &openapi3.ExternalDocs{URL: stytchDocs + "x"},
		Extensions:   map[string]any{extRetry: "safe"},
		Parameters: openapi3.Parameters{
			{Ref: "#/components/parameters/Gone"},
			{Value: &openapi3.Parameter{Name: "id", In: openapi3.ParameterInPath, Description: "id", Schema: openapi3.NewStringSchema().NewRef()}},
		},
		RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchemaRef(&openapi3.SchemaRef{Ref: "#/components/schemas/Req", Value: req})},
	}
	doc := &openapi3.T{
		Tags:  openapi3.Tags{{Name: "t"}},
		Paths: openapi3.NewPaths(openapi3.WithPath("/x/{id}", &openapi3.PathItem{Get: op})),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"Req":   {Value: component},
			"Child": {Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Description: "child"}},
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
		`s.yaml components.schemas.Req.properties.b: x-stytch-secret is no, want true (a credential) or false (named like one, but not one)`,
		`s.yaml paths./x/{id}.get: an operation with both path parameters and a body is not supported by the facade, whose params are either the body or the path parameters: send the path values as body properties if the API accepts them there, or extend buildModel in cmd/gen/model.go (and the facade) to support it`,
	}, got)
}

// TestKnownExtensionsAreTheSpecConstants: the names lint accepts are exactly the string constants
// of package spec whose value starts with x-stytch-, read from its source, so that an extension
// added there without being added to knownExtensions fails here and not in a user's spec.
func TestKnownExtensionsAreTheSpecConstants(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(realRoot, "spec", "spec.go"), nil, 0)
	require.NoError(t, err)
	var consts []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, sp := range gd.Specs {
			for _, v := range sp.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, extPrefix) {
						consts = append(consts, s)
					}
				}
			}
		}
	}
	require.NotEmpty(t, consts)
	assert.ElementsMatch(t, consts, knownExtensions())
}

// credentialWord is what the names of credentials contain somewhere; credentialName is stricter
// (the word must end the name). The test below holds the rule to the spec's own choices.
var credentialWord = regexp.MustCompile(`(^|_)(token|jwt|password|secret|recovery_code|code_verifier)s?(_|$)`)

// TestCredentialNamesFollowTheSpec derives the credential rule's cases from the real spec: every
// name the spec marks x-stytch-secret: true that mentions a credential word matches the rule,
// and every string name it leaves unmarked though it mentions one (the expiry of a token, the ID
// of a password or recovery code, the last digits of a token) does not.
func TestCredentialNamesFollowTheSpec(t *testing.T) {
	t.Parallel()
	doc, err := loadSpec(context.Background(), realSpec, false)
	require.NoError(t, err)
	marked, unmarked := map[string]bool{}, map[string]bool{}
	note := func(name string, s *openapi3.Schema, ext map[string]any) {
		if s == nil || !markableAsSecret(s) || !credentialWord.MatchString(snakeCase(name)) {
			return
		}
		if isSecret(ext) {
			marked[name] = true
		} else {
			unmarked[name] = true
		}
	}
	for _, site := range reachedSchemas(doc) {
		if site.prop != "" {
			note(site.prop, site.ref.Value, site.ref.Value.Extensions)
		}
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(p).Operations() {
			for _, pr := range op.Parameters {
				if pr.Value != nil && pr.Value.Schema != nil {
					note(pr.Value.Name, pr.Value.Schema.Value, pr.Value.Extensions)
				}
			}
		}
	}
	require.NotEmpty(t, marked)
	require.NotEmpty(t, unmarked, "the spec has names that mention a credential without being one")
	for name := range marked {
		assert.True(t, looksLikeCredential(name), "%s is marked secret in the spec, but the rule does not match it", name)
	}
	for name := range unmarked {
		assert.False(t, looksLikeCredential(name), "%s is a string the spec leaves unmarked, but the rule asks for a mark", name)
	}
	t.Logf("marked: %v; unmarked: %v", slices.Sorted(mapKeys(marked)), slices.Sorted(mapKeys(unmarked)))
}

func TestSnakeCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"X-Stytch-Member-SessionJWT": "x_stytch_member_session_jwt",
		"pkceCodeVerifier":           "pkce_code_verifier",
		"PKCECodeVerifier":           "pkce_code_verifier",
		"session_token":              "session_token",
		"JWTToken":                   "jwt_token",
		"x5tS256":                    "x5t_s256",
		"--a__b--":                   "a_b",
	} {
		assert.Equal(t, want, snakeCase(in), in)
	}
}

// TestClosestExtension: a misspelt extension is answered with the known name nearest to it.
func TestClosestExtension(t *testing.T) {
	t.Parallel()
	known := knownExtensions()
	for in, want := range map[string]string{
		"x-stytch-secrets":     spec.ExtSecret,
		"x-stytch-retries":     spec.ExtRetry,
		"X-Stytch-Secret":      spec.ExtSecret,
		"x-stytch-known-value": spec.ExtKnownValues,
		"x-stytch-typename":    spec.ExtTypeName,
		"x-stytch-exactly-two": spec.ExtExactlyOne,
		"x-stytch-at-most-two": spec.ExtAtMostOne,
	} {
		assert.Equal(t, want, closest(in, known), in)
	}
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
	assert.Equal(t, 0, editDistance("", ""))
	assert.Equal(t, 2, editDistance("", "ab"))
}

// TestValidationProblemPlaces: a validation error is placed at the operations its message names
// (in its order, by method and path or by operationId), else at the innermost place the error
// chain carries, else at the file alone.
func TestValidationProblemPlaces(t *testing.T) {
	t.Parallel()
	at := func(line int) *openapi3.Origin { return &openapi3.Origin{Key: &openapi3.Location{Line: line}} }
	doc := &openapi3.T{Paths: openapi3.NewPaths(
		openapi3.WithPath("/a", &openapi3.PathItem{Post: &openapi3.Operation{OperationID: "a", Origin: at(3)}}),
		openapi3.WithPath("/b/{id}", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "b", Origin: at(9)}}),
	)}
	tests := []struct {
		err  error
		want Problem
	}{
		{errors.New(`GET /b/{id} clashes with operationId "a"`),
			Problem{Place: "s.yaml:9 paths./b/{id}.get", Message: `invalid OpenAPI: GET /b/{id} clashes with operationId "a" (also at s.yaml:3 paths./a.post)`}},
		{&openapi3.DuplicateOperationIDError{OperationID: "a", Endpoint1: "GET /b/{id}", Endpoint2: "POST /a"},
			Problem{Place: "s.yaml:9 paths./b/{id}.get", Message: `invalid OpenAPI: operations "GET /b/{id}" and "POST /a" have the same operation id "a": ` +
				`operationIds must be unique (the facade's method and types are named after them): rename one (also at s.yaml:3 paths./a.post)`}},
		{fmt.Errorf("wrapped: %w", &openapi3.SchemaTypeError{Type: "bool", Origin: at(7)}),
			Problem{Place: "s.yaml:7", Message: `invalid OpenAPI: wrapped: unsupported 'type' value "bool"`}},
		{errors.New("PUT /nowhere is unknown"), Problem{Place: "s.yaml", Message: "invalid OpenAPI: PUT /nowhere is unknown"}},
		{errors.New("something"), Problem{Place: "s.yaml", Message: "invalid OpenAPI: something"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, validationProblem("s.yaml", doc, tt.err), "%v", tt.err)
	}
}
