package drift_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// answer is one JSON answer an operation declares: the status the test sends it with and its
// schema.
type answer struct {
	op     gen.Operation
	status int
	schema *openapi3.Schema
}

func (a answer) name() string { return fmt.Sprintf("%s/%d", a.op.ID, a.status) }

// declaredAnswers lists, for every operation of the SDK, every answer its spec declares: each
// explicit status, and the default response sent with an error status the operation does not
// declare on its own.
func declaredAnswers(t *testing.T) []answer {
	t.Helper()
	var out []answer
	for _, op := range gen.Operations {
		responses := fixtures.SpecOperation(op.ID).Responses
		for _, key := range slices.Sorted(maps.Keys(responses.Map())) {
			status, err := strconv.Atoi(key)
			if err != nil {
				require.Equal(t, "default", key, "%s: a response key that is neither a status nor default", op.ID)
				for _, s := range []int{400, 401, 404, 429, 500} {
					if responses.Status(s) == nil {
						status = s
						break
					}
				}
				require.NotZero(t, status, "%s: every error status is declared explicitly", op.ID)
			}
			s := specwalk.ResponseBody(fixtures.SpecOperation(op.ID), status)
			require.NotNil(t, s, "%s declares a JSON schema for %s", op.ID, key)
			out = append(out, answer{op: op, status: status, schema: s})
		}
	}
	require.NotEmpty(t, out)
	return out
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestDocumentShapedAnswersHaveNoFindings: an answer with every optional property left out (as
// Stytch sends when a member has no metadata, no MFA phone, ...), and one with every property
// set, give no finding, for every answer of every operation.
func TestDocumentShapedAnswersHaveNoFindings(t *testing.T) {
	for _, a := range declaredAnswers(t) {
		for _, m := range []specwalk.Mode{specwalk.OptionalOmitted, specwalk.Minimal, specwalk.Full} {
			t.Run(a.name()+"/"+m.String(), func(t *testing.T) {
				findings, err := drift.Check(a.op.ID, a.status, specwalk.ExampleJSON(a.schema, m, "precision"))
				require.NoError(t, err)
				assert.Empty(t, findings)
			})
		}
	}
}

// TestFixtureAnswersWithOptionalsOmitted: the repository's hand-written 200 answers, with every
// property the spec calls optional removed wherever it appears, give no finding.
func TestFixtureAnswersWithOptionalsOmitted(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			var tree any
			require.NoError(t, json.Unmarshal(c.Response, &tree))
			optional := specwalk.Pick(fixtures.ResponseSchema(c.Op.ID), func(f specwalk.Field) bool { return !f.Required })
			removed := 0
			for _, f := range optional {
				removed += deleteAll(tree, f.Pointer)
			}
			t.Logf("%d optional properties removed", removed)
			findings, err := drift.Check(c.Op.ID, 200, encode(t, tree))
			require.NoError(t, err)
			assert.Empty(t, findings)
		})
	}
}

// deleteAll removes the value at pointer ("*" standing for every element of an array) from tree
// wherever it is present, and says how many were removed.
func deleteAll(tree any, pointer string) int {
	toks := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, tok := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
	}
	var walk func(v any, toks []string) int
	walk = func(v any, toks []string) int {
		switch v := v.(type) {
		case map[string]any:
			if len(toks) == 1 {
				if _, ok := v[toks[0]]; ok {
					delete(v, toks[0])
					return 1
				}
				return 0
			}
			return walk(v[toks[0]], toks[1:])
		case []any:
			if toks[0] != "*" || len(toks) == 1 {
				return 0
			}
			n := 0
			for _, e := range v {
				n += walk(e, toks[1:])
			}
			return n
		}
		return 0
	}
	return walk(tree, toks)
}

// concrete turns a Fields pointer ("/member/roles/*/role_id") into the pointer of the value the
// examples hold ("/member/roles/0/role_id").
func concrete(pointer string) string {
	toks := strings.Split(pointer, "/")
	for i, tok := range toks {
		if tok == "*" {
			toks[i] = "0"
		}
	}
	return strings.Join(toks, "/")
}

// parentAndKey returns the container holding the value at pointer in tree and the value's key.
func parentAndKey(tree any, pointer string) (map[string]any, string, bool) {
	i := strings.LastIndex(pointer, "/")
	parent, ok := specwalk.Lookup(tree, pointer[:i])
	if !ok {
		return nil, "", false
	}
	m, ok := parent.(map[string]any)
	key := strings.ReplaceAll(strings.ReplaceAll(pointer[i+1:], "~1", "/"), "~0", "~")
	return m, key, ok
}

// fieldKey identifies what a check of one field depends on: the field's schema, its name and
// whether its parent requires it. A property declared once in the spec (a Member's status, say)
// appears in many answers; it is checked in the first one that has it.
type fieldKey struct {
	schema   *openapi3.Schema
	name     string
	required bool
}

func keyOf(f specwalk.Field) fieldKey { return fieldKey{f.Schema, f.Name, f.Required} }

// TestEachRequiredPropertyMissing: removing any one required property from a complete answer
// gives exactly one finding, missing_field at its pointer, for every answer of every operation.
func TestEachRequiredPropertyMissing(t *testing.T) {
	checked := 0
	seen := map[fieldKey]bool{}
	for _, a := range declaredAnswers(t) {
		full := specwalk.ExampleJSON(a.schema, specwalk.Full, "precision")
		for _, f := range specwalk.Pick(a.schema, func(f specwalk.Field) bool { return f.Required && f.Name != "*" }) {
			if seen[keyOf(f)] {
				continue
			}
			ptr := concrete(f.Pointer)
			tree := decode(t, full)
			parent, key, ok := parentAndKey(tree, ptr)
			if !ok {
				continue // under a property the example leaves out to cut a cycle
			}
			if _, present := parent[key]; !present {
				continue
			}
			seen[keyOf(f)] = true
			checked++
			t.Run(a.name()+ptr, func(t *testing.T) {
				delete(parent, key)
				findings, err := drift.Check(a.op.ID, a.status, encode(t, tree))
				require.NoError(t, err)
				require.Len(t, findings, 1, "%v", findings)
				assert.Equal(t, drift.Finding{Operation: a.op.ID, Path: ptr, Kind: drift.MissingField, Detail: "required by the spec, absent from the answer"}, findings[0])
			})
		}
	}
	assert.Positive(t, checked)
}

// TestEachPropertyOfTheWrongType: giving any one typed property a value of another JSON type
// gives exactly one finding, wrong_type at its pointer.
func TestEachPropertyOfTheWrongType(t *testing.T) {
	checked := 0
	seen := map[fieldKey]bool{}
	for _, a := range declaredAnswers(t) {
		full := specwalk.ExampleJSON(a.schema, specwalk.Full, "precision")
		for _, f := range specwalk.Pick(a.schema, func(f specwalk.Field) bool { return f.Type != "" }) {
			if seen[keyOf(f)] {
				continue
			}
			ptr := concrete(f.Pointer)
			tree := decode(t, full)
			if _, ok := specwalk.Lookup(tree, ptr); !ok {
				continue // an array the example leaves empty, or a property cut from a cycle
			}
			seen[keyOf(f)] = true
			checked++
			t.Run(a.name()+ptr, func(t *testing.T) {
				var wrong any = "not-a-" + f.Type
				if f.Type == openapi3.TypeString {
					wrong = true
				}
				tree = replace(t, tree, ptr, wrong)
				findings, err := drift.Check(a.op.ID, a.status, encode(t, tree))
				require.NoError(t, err)
				require.Len(t, findings, 1, "%v", findings)
				assert.Equal(t, ptr, findings[0].Path)
				assert.Equal(t, drift.WrongType, findings[0].Kind)
			})
		}
	}
	assert.Positive(t, checked)
}

// replace sets the value at pointer (objects and array indexes) in tree.
func replace(t *testing.T, tree any, pointer string, v any) any {
	t.Helper()
	i := strings.LastIndex(pointer, "/")
	parent, ok := specwalk.Lookup(tree, pointer[:i])
	require.True(t, ok, pointer)
	key := strings.ReplaceAll(strings.ReplaceAll(pointer[i+1:], "~1", "/"), "~0", "~")
	switch p := parent.(type) {
	case map[string]any:
		p[key] = v
	case []any:
		n, err := strconv.Atoi(key)
		require.NoError(t, err)
		p[n] = v
	default:
		t.Fatalf("%s: the parent is a %T", pointer, parent)
	}
	return tree
}
