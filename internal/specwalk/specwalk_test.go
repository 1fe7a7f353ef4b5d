package specwalk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

var modes = []specwalk.Mode{specwalk.Full, specwalk.Minimal, specwalk.OptionalOmitted}

// loadDoc loads a fresh copy of the embedded spec (not the validator's), so that determinism is
// checked across documents.
func loadDoc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	return doc
}

var sharedDoc = sync.OnceValue(func() *openapi3.T { return contract.MustShared().Doc() })

// namedSchema is a schema of the spec with a name for subtests.
type namedSchema struct {
	name   string
	schema *openapi3.Schema
}

// allSchemas lists every component schema and every request and answer body of every operation.
func allSchemas(t testing.TB, doc *openapi3.T) []namedSchema {
	t.Helper()
	var out []namedSchema
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, namedSchema{"components/" + n, doc.Components.Schemas[n].Value})
	}
	for _, e := range contract.MustShared().Routes().Entries() {
		if s := specwalk.RequestBody(e.Operation); s != nil {
			out = append(out, namedSchema{e.OperationID() + "/request", s})
		}
		for _, status := range []int{200, 500} {
			if s := specwalk.ResponseBody(e.Operation, status); s != nil {
				out = append(out, namedSchema{fmt.Sprintf("%s/%d", e.OperationID(), status), s})
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// leaves lists the scalar values of a decoded tree by concrete pointer.
func leaves(v any, ptr string, out map[string]any) {
	switch n := v.(type) {
	case map[string]any:
		for k, x := range n {
			leaves(x, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		for i, x := range n {
			leaves(x, fmt.Sprintf("%s/%d", ptr, i), out)
		}
	default:
		out[ptr] = v
	}
}

// abstract turns a concrete pointer into the Fields form ("*" for indexes).
func abstract(ptr string) string {
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		if t != "" && strings.Trim(t, "0123456789") == "" {
			toks[i] = "*"
		}
	}
	return strings.Join(toks, "/")
}

func TestExamplesValidateAgainstTheirSchema(t *testing.T) {
	for _, ns := range allSchemas(t, sharedDoc()) {
		for _, m := range modes {
			t.Run(ns.name+"/"+m.String(), func(t *testing.T) {
				v := decode(t, specwalk.ExampleJSON(ns.schema, m, "ctx"))
				opt := openapi3.VisitAsResponse()
				if strings.HasSuffix(ns.name, "/request") {
					opt = openapi3.VisitAsRequest()
				}
				assert.NoError(t, ns.schema.VisitJSON(v, openapi3.MultiErrors(), opt))
			})
		}
	}
}

// The examples are also what the contract validator accepts, as a request body and as an answer.
func TestExamplesPassTheValidator(t *testing.T) {
	v := contract.MustShared()
	for _, e := range v.Routes().Entries() {
		for _, m := range modes {
			t.Run(e.OperationID()+"/"+m.String(), func(t *testing.T) {
				path := e.Template
				req, err := http.NewRequestWithContext(t.Context(), e.Method, "http://h", nil)
				require.NoError(t, err)
				for _, p := range specwalk.Params(e.PathItem, e.Operation, m, "ctx") {
					switch p.In {
					case "path":
						path = strings.Replace(path, "{"+p.Name+"}", p.Value, 1)
					case "header":
						req.Header.Set(p.Name, p.Value)
					}
				}
				req.URL.Path = path
				req.SetBasicAuth("project", "secret")
				if s := specwalk.RequestBody(e.Operation); s != nil {
					b := specwalk.ExampleJSON(s, m, "ctx")
					req.Body, req.ContentLength = ioNopCloser(b), int64(len(b))
					req.Header.Set("Content-Type", "application/json")
				}
				r, err := v.Request(req)
				require.NoError(t, err, "%v", contract.Violations(err))
				for _, status := range []int{200, 400} {
					body := specwalk.ExampleJSON(specwalk.ResponseBody(e.Operation, status), m, "ctx")
					err = v.Response(r, status, http.Header{"Content-Type": {"application/json"}}, body)
					assert.NoError(t, err, "%d: %v", status, contract.Violations(err))
				}
			})
		}
	}
}

// requiredChain says every step from the root to f is required (array elements count as
// required), that is, f is present in a Minimal example.
func requiredChain(fs []specwalk.Field, f specwalk.Field) bool {
	for _, g := range fs {
		if (g.Pointer == f.Pointer || strings.HasPrefix(f.Pointer, g.Pointer+"/")) && !g.Required {
			return false
		}
	}
	return true
}

func TestFullHasEveryPropertyAndMinimalOnlyRequiredOnes(t *testing.T) {
	for _, ns := range allSchemas(t, sharedDoc()) {
		t.Run(ns.name, func(t *testing.T) {
			fs := specwalk.Fields(ns.schema)
			full := decode(t, specwalk.ExampleJSON(ns.schema, specwalk.Full, "ctx"))
			minimal := decode(t, specwalk.ExampleJSON(ns.schema, specwalk.Minimal, "ctx"))
			omitted := decode(t, specwalk.ExampleJSON(ns.schema, specwalk.OptionalOmitted, "ctx"))
			for _, f := range fs {
				got, ok := specwalk.Lookup(full, f.Pointer)
				if assert.True(t, ok, "Full lacks %s", f.Pointer) {
					assert.NotNil(t, got, "Full has %s null", f.Pointer)
				}
				_, inMinimal := specwalk.Lookup(minimal, f.Pointer)
				assert.Equal(t, requiredChain(fs, f), inMinimal, "Minimal and %s (required chain %v)", f.Pointer, requiredChain(fs, f))
				_, inOmitted := specwalk.Lookup(omitted, f.Pointer)
				assert.Equal(t, inMinimal, inOmitted, "OptionalOmitted and %s", f.Pointer)
				if f.FreeForm {
					obj, _ := got.(map[string]any)
					assert.Contains(t, obj, specwalk.FreeFormObject)
					assert.IsType(t, map[string]any{}, obj[specwalk.FreeFormObject])
					assert.IsType(t, float64(0), obj[specwalk.FreeFormNumber])
					assert.IsType(t, "", obj[specwalk.FreeFormString])
					if assert.Contains(t, obj, specwalk.FreeFormNull) {
						assert.Nil(t, obj[specwalk.FreeFormNull], "a free-form object holds an explicit null")
					}
				}
				if f.Type == "array" {
					assert.NotEmpty(t, got, "Full has an element in %s", f.Pointer)
				}
			}
			// Nothing else: every leaf of Full is a field (or inside a free-form object).
			all := map[string]any{}
			leaves(full, "", all)
			for ptr := range all {
				ab := abstract(ptr)
				ok := slices.ContainsFunc(fs, func(f specwalk.Field) bool {
					return f.Pointer == ab || (f.FreeForm && strings.HasPrefix(ab, f.Pointer+"/"))
				})
				assert.True(t, ok, "Full has %s, which is no field of the schema", ptr)
			}
			// The same path has the same value in every mode.
			ml := map[string]any{}
			leaves(minimal, "", ml)
			for ptr, val := range ml {
				if val == nil {
					continue // an empty free-form object has no leaves; a null is only in OptionalOmitted
				}
				assert.Equal(t, all[ptr], val, "Minimal and Full differ at %s", ptr)
			}
		})
	}
}

func TestSecretsAreRecognisableAndNothingElseLooksLikeOne(t *testing.T) {
	secrets := 0
	for _, ns := range allSchemas(t, sharedDoc()) {
		t.Run(ns.name, func(t *testing.T) {
			fs := specwalk.Fields(ns.schema)
			for _, m := range modes {
				tree := decode(t, specwalk.ExampleJSON(ns.schema, m, "ctx-1"))
				all := map[string]any{}
				leaves(tree, "", all)
				for ptr, val := range all {
					s, isString := val.(string)
					if !isString {
						continue
					}
					ab := abstract(ptr)
					i := slices.IndexFunc(fs, func(f specwalk.Field) bool {
						return f.Pointer == ab || (f.FreeForm && strings.HasPrefix(ab, f.Pointer+"/"))
					})
					require.GreaterOrEqual(t, i, 0, ptr)
					f := fs[i]
					if f.Secret && len(f.Enum) == 0 {
						secrets++
						assert.Equal(t, specwalk.SecretValue(ptr, "ctx-1"), s)
						assert.True(t, strings.HasPrefix(s, specwalk.SecretPrefix+strings.Split(ptr, "/")[1]), "%s = %q names its field", ptr, s)
						assert.True(t, strings.HasSuffix(s, "-ctx-1"), "%s = %q ends with the context", ptr, s)
					} else {
						assert.False(t, strings.HasPrefix(s, specwalk.SecretPrefix), "%s = %q is no secret", ptr, s)
					}
				}
			}
		})
	}
	assert.NotZero(t, secrets, "the spec marks secrets")

	// Header parameters follow the same rule.
	n := 0
	for _, e := range contract.MustShared().Routes().Entries() {
		for _, p := range specwalk.Params(e.PathItem, e.Operation, specwalk.Full, "ctx-2") {
			n++
			if p.Secret {
				assert.Equal(t, specwalk.SecretPrefix+p.Name+"-ctx-2", p.Value)
				assert.Equal(t, specwalk.SecretValue(p.Name, "ctx-2"), p.Value)
			} else {
				assert.False(t, strings.HasPrefix(p.Value, specwalk.SecretPrefix), p.Name)
			}
		}
	}
	assert.NotZero(t, n)
}

// A plain string names its path, so a value in the wrong field is seen: no two paths of one
// example share a string, except where the schema lists the values (enum, known values).
func TestStringsAreDistinctPerPath(t *testing.T) {
	for _, ns := range allSchemas(t, sharedDoc()) {
		t.Run(ns.name, func(t *testing.T) {
			fs := specwalk.Fields(ns.schema)
			all := map[string]any{}
			leaves(decode(t, specwalk.ExampleJSON(ns.schema, specwalk.Full, "c")), "", all)
			byValue := map[string]string{}
			for ptr, val := range all {
				s, ok := val.(string)
				if !ok {
					continue
				}
				ab := abstract(ptr)
				if i := slices.IndexFunc(fs, func(f specwalk.Field) bool { return f.Pointer == ab }); i >= 0 && (len(fs[i].Enum) > 0 || len(fs[i].Known) > 0) {
					continue
				}
				if other, dup := byValue[s]; dup {
					t.Errorf("%s and %s share %q", other, ptr, s)
				}
				byValue[s] = ptr
			}
		})
	}
}

func TestExamplesAreDeterministic(t *testing.T) {
	other := loadDoc(t)
	a, b := allSchemas(t, sharedDoc()), allSchemas(t, other)
	require.Equal(t, len(a), len(b))
	for i := range a {
		for _, m := range modes {
			first := specwalk.ExampleJSON(a[i].schema, m, "x")
			assert.Equal(t, string(first), string(specwalk.ExampleJSON(a[i].schema, m, "x")), "%s %s twice", a[i].name, m)
			assert.Equal(t, string(first), string(specwalk.ExampleJSON(b[i].schema, m, "x")), "%s %s from another load", a[i].name, m)
		}
		assert.Equal(t, specwalk.Fields(a[i].schema)[0].Pointer, specwalk.Fields(b[i].schema)[0].Pointer)
	}
}

// A golden body built from an example is byte for byte what encoding/json writes for the
// generated request type holding it: same key order, same number forms, same nulls.
func TestExampleBytesAreWhatTheGeneratedTypesEncode(t *testing.T) {
	checked := 0
	for _, e := range contract.MustShared().Routes().Entries() {
		s := specwalk.RequestBody(e.Operation)
		if s == nil {
			continue
		}
		// The generated params type of the operation.
		var op gen.Operation
		for _, o := range gen.Operations {
			if o.ID == e.OperationID() {
				op = o
			}
		}
		require.Equal(t, e.OperationID(), op.ID, "gen.Operations lists the spec's operations")
		typ := reflect.TypeOf(op.NewParams())
		require.Equal(t, reflect.Pointer, typ.Kind())
		for _, m := range []specwalk.Mode{specwalk.Full, specwalk.Minimal} {
			t.Run(e.OperationID()+"/"+m.String(), func(t *testing.T) {
				want := specwalk.ExampleJSON(s, m, "req")
				p := reflect.New(typ.Elem()).Interface()
				withOp, ok := p.(interface{ Operation() gen.Operation })
				require.True(t, ok)
				require.Equal(t, e.OperationID(), withOp.Operation().ID)
				dec := json.NewDecoder(bytes.NewReader(want))
				dec.DisallowUnknownFields()
				require.NoError(t, dec.Decode(p))
				got, err := json.Marshal(p)
				require.NoError(t, err)
				assert.Equal(t, string(want), string(got))
				checked++
			})
		}
	}
	assert.NotZero(t, checked)
}

func TestDateTimesAreRFC3339InUTC(t *testing.T) {
	n := 0
	for _, ns := range allSchemas(t, sharedDoc()) {
		tree := specwalk.Example(ns.schema, specwalk.Full, "c")
		for _, f := range specwalk.Fields(ns.schema) {
			if f.Format != "date-time" {
				continue
			}
			v, ok := specwalk.Lookup(tree, f.Pointer)
			require.True(t, ok)
			s, _ := v.(string)
			ts, err := time.Parse(time.RFC3339, s)
			require.NoError(t, err, "%s %s = %v", ns.name, f.Pointer, v)
			assert.Equal(t, time.UTC, ts.Location())
			assert.True(t, strings.HasSuffix(s, "Z"))
			n++
		}
	}
	assert.NotZero(t, n)
}

func ioNopCloser(b []byte) *nopCloser { return &nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
