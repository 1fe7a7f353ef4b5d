package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// None of these tests runs Generate: the comparison reads the spec and the upstream document only.
// Synthetic upstream documents are built by loading spec/ and changing the loaded copy, and every
// changed place is chosen by its properties, so that a new operation in spec/ breaks nothing.

var updateGolden = flag.Bool("update", false, "rewrite the golden files of the upstream tests")

const upstreamTestdata = "testdata/upstream"

// miniSpec is a small spec of the tests' own, independent of spec/.
var miniSpec = filepath.Join(upstreamTestdata, "mini-spec.yaml")

// noGenerate fails the test if the command tries to generate.
func noGenerate(t *testing.T) generateFunc {
	return func(context.Context, string) ([]File, error) {
		t.Error("-upstream must not run the generator")
		return nil, fmt.Errorf("not generating")
	}
}

// runUpstreamCmd runs gen -upstream in-process.
func runUpstreamCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWith(noGenerate(t), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// loadOurs returns a fresh copy of spec/, which a test may change freely. It is decoded from the
// JSON encoding of one load of the YAML file (the encoding writeUpstream writes): the same
// document, for about half the CPU of parsing the YAML again, which most of the upstream tests did
// twice per case.
func loadOurs(t testing.TB) *openapi3.T {
	t.Helper()
	data, err := oursJSON()
	require.NoError(t, err)
	doc, err := loadKin(context.Background(), data)
	require.NoError(t, err)
	return doc
}

var oursJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := sharedOurs()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// sharedOurs is one load of spec/ that tests only read (to pick the places they change).
var sharedOurs = sync.OnceValues(func() (*openapi3.T, error) {
	return loadSpec(context.Background(), realSpec, false)
})

func readOurs(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := sharedOurs()
	require.NoError(t, err)
	return doc
}

// writeUpstream writes doc as JSON (references stay references) and returns its path.
func writeUpstream(t testing.TB, doc *openapi3.T) string {
	t.Helper()
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "upstream.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// reportLine is one difference line of the report.
type reportLine struct {
	Kind, Op, Where, Message string
}

var reportLineRE = regexp.MustCompile(`^  (FAIL|note) (\S+) ([^:]+): (.*)$`)

func parseReport(t *testing.T, stdout string) []reportLine {
	t.Helper()
	var out []reportLine
	for _, l := range strings.Split(stdout, "\n") {
		if m := reportLineRE.FindStringSubmatch(l); m != nil {
			out = append(out, reportLine{m[1], m[2], m[3], m[4]})
		}
	}
	return out
}

// site is a property of a JSON request body or 200 response of an operation, found by walking the
// loaded spec: where it is (as the report names it) and the schema that declares it.
type site struct {
	Op, Place, Pointer string
	Dir                direction
	Parent             *openapi3.Schema
	Name               string
	Prop               *openapi3.SchemaRef
	Required           bool
}

// sites lists every property reachable from the operations' request bodies and 200 responses, in
// a stable order (path, method, place, pointer).
func sites(doc *openapi3.T) []site {
	var out []site
	for _, p := range slices.Sorted(mapKeys(doc.Paths.Map())) {
		item := doc.Paths.Value(p)
		for _, m := range slices.Sorted(mapKeys(item.Operations())) {
			op := item.GetOperation(m)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if s, ok := jsonSchema(op.RequestBody.Value.Content); ok {
					walkSites(&out, site{Op: op.OperationID, Place: "request body", Dir: dirRequest}, s, "", map[*openapi3.Schema]bool{})
				}
			}
			if r := op.Responses.Value("200"); r != nil && r.Value != nil {
				if s, ok := jsonSchema(r.Value.Content); ok {
					walkSites(&out, site{Op: op.OperationID, Place: "response 200", Dir: dirResponse}, s, "", map[*openapi3.Schema]bool{})
				}
			}
		}
	}
	return out
}

func walkSites(out *[]site, base site, ref *openapi3.SchemaRef, pointer string, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	defer delete(seen, s)
	holders := []*openapi3.Schema{s}
	for _, m := range s.AllOf {
		if m.Value != nil {
			holders = append(holders, m.Value)
		}
	}
	for _, h := range holders {
		if h != s && seen[h] {
			continue
		}
		for _, name := range slices.Sorted(mapKeys(h.Properties)) {
			st := base
			st.Pointer, st.Parent, st.Name, st.Prop = pointer+"/"+name, h, name, h.Properties[name]
			st.Required = slices.Contains(h.Required, name)
			*out = append(*out, st)
			walkSites(out, base, st.Prop, st.Pointer, seen)
			if st.Prop.Value != nil && st.Prop.Value.Items != nil {
				walkSites(out, base, st.Prop.Value.Items, st.Pointer+"[]", seen)
			}
		}
	}
}

// pick returns the first site of doc that matches, failing the test when the spec has none.
func pick(t *testing.T, doc *openapi3.T, what string, match func(s site) bool) site {
	t.Helper()
	for _, s := range sites(doc) {
		if match(s) {
			return s
		}
	}
	require.Failf(t, "no property of the spec fits", "wanted %s", what)
	return site{}
}

// same returns the site of doc at the place of s (doc is another load of the same spec).
func same(t *testing.T, doc *openapi3.T, s site) site {
	t.Helper()
	for _, o := range sites(doc) {
		if o.Op == s.Op && o.Place == s.Place && o.Pointer == s.Pointer {
			return o
		}
	}
	require.Failf(t, "site not found", "%s %s %s", s.Op, s.Place, s.Pointer)
	return site{}
}

func isType(p *openapi3.SchemaRef, typ string) bool {
	return p != nil && p.Value != nil && p.Value.Type.Is(typ)
}

// plainString is an inline string property without enum, format or known values.
func plainString(s site) bool {
	v := s.Prop.Value
	return s.Prop.Ref == "" && isType(s.Prop, "string") && len(v.Enum) == 0 && v.Format == "" && v.Extensions[extKnownValues] == nil
}

// nullableRef is a property written as nullable + allOf of one reference.
func nullableRef(s site) bool {
	v := s.Prop.Value
	return v != nil && v.Nullable && len(v.AllOf) == 1 && v.AllOf[0].Ref != ""
}

func hasKnownValues(s site) bool {
	kv, ok := s.Prop.Value.Extensions[extKnownValues].([]any)
	return ok && len(kv) > 1 && isType(s.Prop, "string")
}

func dropRequired(s *openapi3.Schema, name string) {
	s.Required = slices.DeleteFunc(slices.Clone(s.Required), func(r string) bool { return r == name })
}

// expectOnly asserts that the report holds the line want (for the site's own operation) and that
// every other line is the same difference at the same property, seen from another operation that
// shares the schema.
func expectOnly(t *testing.T, code int, stdout string, s site, kind, message string) {
	t.Helper()
	lines := parseReport(t, stdout)
	want := reportLine{kind, s.Op, s.Place + " " + s.Pointer, message}
	assert.Contains(t, lines, want, "report:\n%s", stdout)
	for _, l := range lines {
		assert.Equal(t, kind, l.Kind, "unexpected line %+v", l)
		assert.Equal(t, message, l.Message, "unexpected line %+v", l)
		assert.True(t, strings.HasSuffix(l.Where, "/"+s.Name), "unexpected line %+v", l)
	}
	wantCode := 0
	if kind == "FAIL" {
		wantCode = 1
	}
	assert.Equal(t, wantCode, code, "report:\n%s", stdout)
}

func TestUpstreamIdentical(t *testing.T) {
	t.Parallel()
	up := writeUpstream(t, loadOurs(t))
	code, stdout, stderr := runUpstreamCmd(t, "-spec", realSpec, "-upstream", up)
	assert.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Empty(t, parseReport(t, stdout))
	ops := 0
	for _, item := range readOurs(t).Paths.Map() {
		ops += len(item.Operations())
	}
	assert.Equal(t, fmt.Sprintf("gen: %s matches %s in all %d operations: no differences\n", realSpec, up, ops), stdout)
}

// TestUpstreamSchemaDifferences changes one property of a fresh copy of the spec per case and
// checks the line (and only that line, wherever the schema is used) and the exit status.
func TestUpstreamSchemaDifferences(t *testing.T) {
	t.Parallel()
	type sitePick struct {
		what  string
		match func(s site) bool
	}
	tests := []struct {
		name    string
		pick    sitePick
		change  func(up site)
		kind    string
		message func(s site) string
		suffix  string // appended to the picked property's name where the report names it
	}{
		{
			name: "required response field removed upstream",
			pick: sitePick{"a required response property", func(s site) bool { return s.Dir == dirResponse && s.Required }},
			change: func(up site) {
				delete(up.Parent.Properties, up.Name)
				dropRequired(up.Parent, up.Name)
			},
			kind:    "FAIL",
			message: func(site) string { return "field only here, required here" },
		},
		{
			name: "optional response field removed upstream",
			pick: sitePick{"an optional response property", func(s site) bool { return s.Dir == dirResponse && !s.Required }},
			change: func(up site) {
				delete(up.Parent.Properties, up.Name)
			},
			kind:    "note",
			message: func(site) string { return "field only here (optional)" },
		},
		{
			name: "optional request field removed upstream",
			pick: sitePick{"an optional request property", func(s site) bool { return s.Dir == dirRequest && !s.Required }},
			change: func(up site) {
				delete(up.Parent.Properties, up.Name)
			},
			kind:    "note",
			message: func(site) string { return "field only here (optional)" },
		},
		{
			name: "required request field removed upstream",
			pick: sitePick{"a required request property", func(s site) bool { return s.Dir == dirRequest && s.Required }},
			change: func(up site) {
				delete(up.Parent.Properties, up.Name)
				dropRequired(up.Parent, up.Name)
			},
			kind:    "FAIL",
			message: func(site) string { return "field only here, required here" },
		},
		{
			name: "response field only upstream",
			pick: sitePick{"a response string property", func(s site) bool { return s.Dir == dirResponse && plainString(s) }},
			change: func(up site) {
				// Rename: the spec lacks the upstream name, and has the old one upstream lacks.
				up.Parent.Properties[up.Name+"_v2"] = up.Parent.Properties[up.Name]
			},
			kind:    "FAIL",
			message: func(_ site) string { return "field missing here (optional upstream)" },
			suffix:  "_v2",
		},
		{
			name: "response type changed",
			pick: sitePick{"a response string property", func(s site) bool { return s.Dir == dirResponse && plainString(s) }},
			change: func(up site) {
				up.Prop.Value.Type = &openapi3.Types{"integer"}
			},
			kind:    "FAIL",
			message: func(site) string { return "type string here, integer upstream" },
		},
		{
			name: "request integer where upstream takes any number",
			pick: sitePick{"a request integer property", func(s site) bool { return s.Dir == dirRequest && isType(s.Prop, "integer") }},
			change: func(up site) {
				up.Prop.Value.Type = &openapi3.Types{"number"} // the format stays: only the type differs
			},
			kind:    "note",
			message: func(site) string { return "type integer here, number upstream" },
		},
		{
			name: "response format narrower here",
			pick: sitePick{"a response int32 property", func(s site) bool {
				return s.Dir == dirResponse && isType(s.Prop, "integer") && s.Prop.Value.Format == "int32"
			}},
			change: func(up site) {
				up.Prop.Value.Format = "int64"
			},
			kind:    "FAIL",
			message: func(site) string { return "format int32 here, int64 upstream" },
		},
		{
			name: "response property required here, optional upstream",
			pick: sitePick{"a required response property", func(s site) bool { return s.Dir == dirResponse && s.Required }},
			change: func(up site) {
				dropRequired(up.Parent, up.Name)
			},
			kind:    "FAIL",
			message: func(site) string { return "required here, optional upstream" },
		},
		{
			name: "response property optional here, required upstream",
			pick: sitePick{"an optional response property", func(s site) bool { return s.Dir == dirResponse && !s.Required }},
			change: func(up site) {
				up.Parent.Required = append(slices.Clone(up.Parent.Required), up.Name)
			},
			kind:    "note",
			message: func(site) string { return "optional here, required upstream" },
		},
		{
			name: "request property required here, optional upstream",
			pick: sitePick{"a required request property", func(s site) bool { return s.Dir == dirRequest && s.Required }},
			change: func(up site) {
				dropRequired(up.Parent, up.Name)
			},
			kind:    "note",
			message: func(site) string { return "required here, optional upstream" },
		},
		{
			name: "request property optional here, required upstream",
			pick: sitePick{"an optional request property", func(s site) bool { return s.Dir == dirRequest && !s.Required }},
			change: func(up site) {
				up.Parent.Required = append(slices.Clone(up.Parent.Required), up.Name)
			},
			kind:    "FAIL",
			message: func(site) string { return "optional here, required upstream" },
		},
		{
			name: "nullable here, a plain reference upstream",
			pick: sitePick{"a nullable reference in a response", func(s site) bool { return s.Dir == dirResponse && nullableRef(s) }},
			change: func(up site) {
				up.Parent.Properties[up.Name] = up.Prop.Value.AllOf[0]
			},
			kind:    "note",
			message: func(site) string { return "nullable here, not upstream" },
		},
		{
			name: "not nullable here, nullable upstream",
			pick: sitePick{"a response string property", func(s site) bool { return s.Dir == dirResponse && plainString(s) }},
			change: func(up site) {
				up.Prop.Value.Nullable = true
			},
			kind:    "FAIL",
			message: func(site) string { return "not nullable here, nullable upstream" },
		},
		{
			name: "known value listed only upstream (as enum)",
			pick: sitePick{"a response property with known values", func(s site) bool { return s.Dir == dirResponse && hasKnownValues(s) }},
			change: func(up site) {
				kv := up.Prop.Value.Extensions[extKnownValues].([]any)
				up.Prop.Value.Enum = append(slices.Clone(kv), "zz_new_value")
				delete(up.Prop.Value.Extensions, extKnownValues)
			},
			kind:    "FAIL",
			message: func(site) string { return `value "zz_new_value" listed upstream, not here` },
		},
		{
			name: "known value listed only here",
			pick: sitePick{"a response property with known values", func(s site) bool { return s.Dir == dirResponse && hasKnownValues(s) }},
			change: func(up site) {
				kv := up.Prop.Value.Extensions[extKnownValues].([]any)
				up.Prop.Value.Enum = slices.Clone(kv[1:])
				delete(up.Prop.Value.Extensions, extKnownValues)
			},
			kind: "note",
			message: func(s site) string {
				return "value " + valueKey(s.Prop.Value.Extensions[extKnownValues].([]any)[0]) + " listed only here"
			},
		},
		{
			name: "request enum value only upstream",
			pick: sitePick{"a request enum", func(s site) bool { return s.Dir == dirRequest && len(s.Prop.Value.Enum) > 1 }},
			change: func(up site) {
				up.Prop.Value.Enum = append(slices.Clone(up.Prop.Value.Enum), "zz-new")
			},
			kind:    "note",
			message: func(site) string { return `enum value "zz-new" only upstream (the SDK does not accept it)` },
		},
		{
			name: "request enum value only here",
			pick: sitePick{"a request enum", func(s site) bool { return s.Dir == dirRequest && len(s.Prop.Value.Enum) > 1 }},
			change: func(up site) {
				up.Prop.Value.Enum = slices.Clone(up.Prop.Value.Enum[1:])
			},
			kind:    "note",
			message: func(s site) string { return "enum value " + valueKey(s.Prop.Value.Enum[0]) + " only here" },
		},
		{
			name: "request enum upstream, any value here",
			pick: sitePick{"a request string property", func(s site) bool { return s.Dir == dirRequest && plainString(s) }},
			change: func(up site) {
				up.Prop.Value.Enum = []any{"a", "b"}
			},
			kind:    "FAIL",
			message: func(site) string { return `any value here; upstream accepts only ["a" "b"]` },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ours, up := readOurs(t), loadOurs(t)
			s := pick(t, ours, tt.pick.what, tt.pick.match)
			tt.change(same(t, up, s))
			code, stdout, stderr := runUpstreamCmd(t, "-spec", realSpec, "-upstream", writeUpstream(t, up))
			require.Empty(t, stderr)
			msg := tt.message(s)
			s.Pointer, s.Name = s.Pointer+tt.suffix, s.Name+tt.suffix
			expectOnly(t, code, stdout, s, tt.kind, msg)
		})
	}
}

// operations lists the spec's operations as (method, path, operationId), sorted.
func operations(doc *openapi3.T) [][3]string {
	var out [][3]string
	for _, p := range slices.Sorted(mapKeys(doc.Paths.Map())) {
		item := doc.Paths.Value(p)
		for _, m := range slices.Sorted(mapKeys(item.Operations())) {
			out = append(out, [3]string{m, p, item.GetOperation(m).OperationID})
		}
	}
	return out
}

// TestUpstreamDocumentDifferences covers the places that are not schemas: operations, security,
// servers, parameters, and the normalisations that must not report anything.
func TestUpstreamDocumentDifferences(t *testing.T) {
	t.Parallel()
	type want struct{ kind, op, where, message string }
	tests := []struct {
		name   string
		change func(t *testing.T, up *openapi3.T) []want // returns every line expected
		code   int
	}{
		{
			name: "operation missing upstream",
			change: func(_ *testing.T, up *openapi3.T) []want {
				op := operations(up)[0]
				up.Paths.Value(op[1]).SetOperation(op[0], nil)
				return []want{{"FAIL", op[2], "operation", "not in the upstream document"}}
			},
			code: 1,
		},
		{
			name: "security scheme renamed upstream: no difference",
			change: func(_ *testing.T, up *openapi3.T) []want {
				schemes := up.Components.SecuritySchemes
				for name, s := range schemes {
					delete(schemes, name)
					schemes["Upstream"+name] = s
				}
				renamed := openapi3.SecurityRequirements{}
				for _, req := range up.Security {
					r := openapi3.SecurityRequirement{}
					for name, scopes := range req {
						r["Upstream"+name] = scopes
					}
					renamed = append(renamed, r)
				}
				up.Security = renamed
				for _, op := range operations(up) {
					o := up.Paths.Value(op[1]).GetOperation(op[0])
					if o.Security == nil {
						continue
					}
					own := openapi3.SecurityRequirements{}
					for _, req := range *o.Security {
						r := openapi3.SecurityRequirement{}
						for name, scopes := range req {
							r["Upstream"+name] = scopes
						}
						own = append(own, r)
					}
					o.Security = &own
				}
				return nil
			},
		},
		{
			name: "security changed upstream",
			change: func(_ *testing.T, up *openapi3.T) []want {
				ours := map[string][]string{}
				for _, op := range operations(up) {
					ours[op[2]] = securityAlternatives(up, up.Paths.Value(op[1]).GetOperation(op[0]))
				}
				for _, s := range up.Components.SecuritySchemes {
					s.Value.Type, s.Value.Scheme = "http", "bearer"
				}
				// Derived per operation: an operation may have its own security (one that also
				// accepts anonymous calls, for instance), and only what changed is reported.
				var out []want
				for _, op := range operations(up) {
					theirs := securityAlternatives(up, up.Paths.Value(op[1]).GetOperation(op[0]))
					for _, a := range ours[op[2]] {
						if !slices.Contains(theirs, a) {
							out = append(out, want{"FAIL", op[2], "security", a + " here, not accepted upstream (upstream: " + strings.Join(theirs, "; ") + ")"})
						}
					}
					for _, a := range theirs {
						if !slices.Contains(ours[op[2]], a) {
							out = append(out, want{"note", op[2], "security", "upstream also accepts " + a})
						}
					}
				}
				return out
			},
			code: 1,
		},
		{
			name: "one operation upstream also accepts another scheme",
			change: func(_ *testing.T, up *openapi3.T) []want {
				op := operations(up)[0]
				up.Components.SecuritySchemes["key"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "header", Name: "X-Key"}}
				reqs := append(slices.Clone(up.Security), openapi3.SecurityRequirement{"key": {}})
				up.Paths.Value(op[1]).GetOperation(op[0]).Security = &reqs
				return []want{{"note", op[2], "security", "upstream also accepts apiKey header X-Key"}}
			},
		},
		{
			name: "server only here, server only upstream",
			change: func(t *testing.T, up *openapi3.T) []want {
				require.GreaterOrEqual(t, len(up.Servers), 2, "the spec lists the test and live servers")
				dropped := serverOrigin(up.Servers[len(up.Servers)-1].URL)
				up.Servers = append(up.Servers[:len(up.Servers)-1], &openapi3.Server{URL: "https://eu.example.com"})
				return []want{
					{"FAIL", "document", "servers", dropped + " only here (upstream: " + strings.Join(originSet(up.Servers), ", ") + ")"},
					{"note", "document", "servers", "https://eu.example.com only upstream"},
				}
			},
			code: 1,
		},
		{
			name: "servers as variables with a path prefix: no difference",
			change: func(t *testing.T, up *openapi3.T) []want {
				// https://{host}/v1 over the spec's hosts, with /v1 taken off every path.
				var hosts []string
				for _, s := range up.Servers {
					require.True(t, strings.HasPrefix(s.URL, "https://"))
					hosts = append(hosts, strings.TrimPrefix(s.URL, "https://"))
				}
				up.Servers = openapi3.Servers{{URL: "https://{host}/v1", Variables: map[string]*openapi3.ServerVariable{"host": {Default: hosts[0], Enum: hosts}}}}
				paths := openapi3.NewPaths()
				for p, item := range up.Paths.Map() {
					require.True(t, strings.HasPrefix(p, "/v1/"), "the spec's paths start with /v1")
					paths.Set(strings.TrimPrefix(p, "/v1"), item)
				}
				up.Paths = paths
				return nil
			},
		},
		{
			name: "path parameters renamed upstream: no difference",
			change: func(t *testing.T, up *openapi3.T) []want {
				found := false
				paths := openapi3.NewPaths()
				for p, item := range up.Paths.Map() {
					names := pathParamNames(p)
					for _, n := range names {
						found = true
						p = strings.Replace(p, "{"+n+"}", "{"+n+"Renamed}", 1)
					}
					for _, op := range item.Operations() {
						for _, pr := range op.Parameters {
							if pr.Value.In == openapi3.ParameterInPath {
								v := *pr.Value
								v.Name += "Renamed"
								pr.Value = &v
							}
						}
					}
					paths.Set(p, item)
				}
				require.True(t, found, "the spec has an operation with path parameters")
				up.Paths = paths
				return nil
			},
		},
		{
			name: "a required query parameter only upstream",
			change: func(_ *testing.T, up *openapi3.T) []want {
				op := operations(up)[0]
				o := up.Paths.Value(op[1]).GetOperation(op[0])
				o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
					Name: "zz_filter", In: "query", Required: true, Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
				}})
				return []want{{"FAIL", op[2], "parameter query zz_filter", "missing here, required upstream"}}
			},
			code: 1,
		},
		{
			name: "an optional header parameter only here",
			change: func(t *testing.T, up *openapi3.T) []want {
				for _, op := range operations(up) {
					o := up.Paths.Value(op[1]).GetOperation(op[0])
					for i, pr := range o.Parameters {
						if pr.Value.In == openapi3.ParameterInHeader && !pr.Value.Required {
							o.Parameters = slices.Delete(slices.Clone(o.Parameters), i, i+1)
							return []want{{"note", op[2], "parameter header " + pr.Value.Name, "optional parameter only here"}}
						}
					}
				}
				require.Fail(t, "the spec has no optional header parameter")
				return nil
			},
		},
		{
			name: "3.1 nullable forms upstream: no difference",
			change: func(t *testing.T, up *openapi3.T) []want {
				// Every nullable allOf reference becomes anyOf [ref, {type: null}].
				n := 0
				for _, s := range sites(up) {
					if nullableRef(s) {
						n++
						s.Parent.Properties[s.Name] = &openapi3.SchemaRef{Value: &openapi3.Schema{
							AnyOf: openapi3.SchemaRefs{s.Prop.Value.AllOf[0], {Value: &openapi3.Schema{Type: &openapi3.Types{"null"}}}},
						}}
					}
				}
				require.Positive(t, n, "the spec has nullable references")
				return nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := loadOurs(t)
			wants := tt.change(t, up)
			code, stdout, stderr := runUpstreamCmd(t, "-spec", realSpec, "-upstream", writeUpstream(t, up))
			require.Empty(t, stderr)
			var got []want
			for _, l := range parseReport(t, stdout) {
				got = append(got, want{l.Kind, l.Op, l.Where, l.Message})
			}
			assert.ElementsMatch(t, wants, got, "report:\n%s", stdout)
			assert.Equal(t, tt.code, code, "report:\n%s", stdout)
		})
	}
}

// TestUpstreamGolden compares a small spec of its own with a 3.1-style JSON document that does
// not validate, covering the resolution of references, path prefixes, server variables,
// parameter names, header case, nullable unions and a recursive schema, and the exact output.
func TestUpstreamGolden(t *testing.T) {
	t.Parallel()
	spec := miniSpec
	up := filepath.Join(upstreamTestdata, "mini-upstream.json")
	golden := filepath.Join(upstreamTestdata, "mini.golden")

	ours, err := loadSpec(context.Background(), spec, false)
	require.NoError(t, err)
	doc, err := loadUpstream(context.Background(), up, ours)
	require.NoError(t, err)
	require.Error(t, doc.Validate(context.Background()), "the upstream document must be one that does not validate")

	code, stdout, stderr := runUpstreamCmd(t, "-spec", spec, "-upstream", up)
	assert.Equal(t, 1, code)
	assert.Empty(t, stderr)
	if *updateGolden {
		require.NoError(t, os.WriteFile(golden, []byte(stdout), 0o644)) //nolint:gosec // G306: a golden file of the repository, readable like the rest
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), stdout)

	// The recursive Node schema is compared once per cycle: the field upstream adds to it is
	// reported once per operation, at the top of the recursion.
	var depth []string
	for _, l := range parseReport(t, stdout) {
		if strings.HasSuffix(l.Where, "/depth") {
			depth = append(depth, l.Op+" "+l.Where)
		}
	}
	assert.Equal(t, []string{"thingsCreate response 200 /tree/depth", "thingsGet response 200 /tree/depth"}, depth)

	// The same comparison twice gives the same bytes.
	_, again, _ := runUpstreamCmd(t, "-spec", spec, "-upstream", up)
	assert.Equal(t, stdout, again)
}

func TestUpstreamCannotRun(t *testing.T) {
	t.Parallel()
	garbage := filepath.Join(t.TempDir(), "garbage.yaml")
	require.NoError(t, os.WriteFile(garbage, []byte("::: not yaml\n\t- ["), 0o600))
	noPaths := filepath.Join(t.TempDir(), "nopaths.json")
	require.NoError(t, os.WriteFile(noPaths, []byte(`{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{}}`), 0o600))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		// The broken references sit on a path of the small spec, so they are part of the comparison.
		{"unresolvable reference", []string{"-spec", miniSpec, "-upstream", filepath.Join(upstreamTestdata, "unresolvable-ref.yaml")},
			[]string{"cannot load the upstream document", "unresolvable-ref.yaml", "#/components/schemas/Missing"}},
		{"external reference", []string{"-spec", miniSpec, "-upstream", filepath.Join(upstreamTestdata, "external-ref.yaml")},
			[]string{"cannot load the upstream document", "external $refs are refused", "disallowed external reference"}},
		{"missing file", []string{"-spec", realSpec, "-upstream", filepath.Join(t.TempDir(), "nope.json")},
			[]string{"cannot read the upstream document", "nope.json"}},
		{"not OpenAPI", []string{"-spec", realSpec, "-upstream", garbage}, []string{"cannot load the upstream document"}},
		{"no paths", []string{"-spec", realSpec, "-upstream", noPaths}, []string{"has no paths"}},
		{"missing spec", []string{"-spec", filepath.Join(t.TempDir(), "nospec.yaml"), "-upstream", noPaths}, []string{"no spec at", "nospec.yaml"}},
		{"with -check", []string{"-check", "-upstream", noPaths}, []string{"-upstream and -check cannot be combined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runUpstreamCmd(t, tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

// TestUpstreamUsageStatesTheRules: -h prints the classification rules.
func TestUpstreamUsageStatesTheRules(t *testing.T) {
	t.Parallel()
	code, _, stderr := runUpstreamCmd(t, "-h")
	assert.Equal(t, 2, code)
	for _, w := range []string{"-upstream FILE", "requests travel from the SDK to Stytch", "responses travel from Stytch to the SDK", "Exit status: 0", "-check applies to a checkout"} {
		assert.Contains(t, stderr, w)
	}
}

// largeUpstream builds a document the size of a vendor's full API description: the spec's
// operations and schemas copied n times under other paths and names, plus the spec itself.
func largeUpstream(t testing.TB, n int) map[string]any {
	t.Helper()
	data, err := json.Marshal(loadOurs(t))
	require.NoError(t, err)
	var base map[string]any
	require.NoError(t, json.Unmarshal(data, &base))
	paths := base["paths"].(map[string]any)
	schemas := base["components"].(map[string]any)["schemas"].(map[string]any)
	origPaths, origSchemas := string(mustJSON(t, paths)), string(mustJSON(t, schemas))
	for i := range n {
		prefix := "#/components/schemas/Copy" + strconv.Itoa(i)
		rename := func(s string) map[string]any {
			s = strings.ReplaceAll(s, `"#/components/schemas/`, `"`+prefix)
			s = regexp.MustCompile(`"operationId":"([^"]+)"`).ReplaceAllString(s, `"operationId":"${1}Copy`+strconv.Itoa(i)+`"`)
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(s), &m))
			return m
		}
		for p, item := range rename(origPaths) {
			paths[strings.Replace(p, "/v1/b2b/", fmt.Sprintf("/v1/b2b/copy%d/", i), 1)] = item
		}
		for name, s := range rename(origSchemas) {
			schemas["Copy"+strconv.Itoa(i)+name] = s
		}
	}
	return base
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// toYAML renders decoded JSON as block-style YAML (strings JSON-quoted, which YAML reads as
// double-quoted scalars), so the benchmark measures the YAML path too.
func toYAML(b *strings.Builder, v any, indent string) { toYAMLStyle(b, v, indent, false) }

// toYAMLStyle is toYAML; indentless puts sequence items at their key's indentation, as some
// YAML emitters do.
func toYAMLStyle(b *strings.Builder, v any, indent string, indentless bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(indent + string(mustQuote(k)) + ":")
			child := indent + "  "
			if _, isList := x[k].([]any); isList && indentless {
				child = indent
			}
			toYAMLStyle(b, x[k], child, indentless)
		}
	case []any:
		if len(x) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		for _, e := range x {
			b.WriteString(indent + "-")
			toYAMLStyle(b, e, indent+"  ", indentless)
		}
	default:
		b.WriteString(" " + string(mustQuote(x)) + "\n")
	}
}

func mustQuote(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// largeCopies makes the large document about as big as a full vendor description: 12 operations
// per copy, so 40 copies are close to 500 operations.
const largeCopies = 40

func writeLarge(t testing.TB) (jsonPath, yamlPath string, ops int) {
	t.Helper()
	doc := largeUpstream(t, largeCopies)
	dir := t.TempDir()
	jsonPath, yamlPath = filepath.Join(dir, "large.json"), filepath.Join(dir, "large.yaml")
	require.NoError(t, os.WriteFile(jsonPath, mustJSON(t, doc), 0o600))
	var b strings.Builder
	toYAML(&b, doc, "")
	require.NoError(t, os.WriteFile(yamlPath, []byte(strings.TrimPrefix(b.String(), "\n")), 0o600))
	for _, item := range doc["paths"].(map[string]any) {
		ops += len(item.(map[string]any))
	}
	return jsonPath, yamlPath, ops
}

// raceEnabled reports whether the test binary was built with -race, which makes timings
// meaningless and the YAML decoding of a large document slow.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestUpstreamLargeDocument runs the comparison on a document of about 500 operations, as JSON
// and as YAML, checks that the copies do not confuse it, and logs how long it took (no assertion
// on time; BenchmarkUpstream measures it properly). Under -race only the JSON form runs.
func TestUpstreamLargeDocument(t *testing.T) {
	jsonPath, yamlPath, ops := writeLarge(t)
	paths := []string{jsonPath, yamlPath}
	if raceEnabled() {
		paths = paths[:1]
		t.Log("built with -race: the YAML form is skipped and the time below is not representative")
	}
	for _, path := range paths {
		st, err := os.Stat(path)
		require.NoError(t, err)
		start := time.Now()
		code, stdout, stderr := runUpstreamCmd(t, "-spec", realSpec, "-upstream", path)
		took := time.Since(start)
		assert.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "no differences")
		t.Logf("%s: %d operations, %.1f MB: -upstream took %v", filepath.Base(path), ops, float64(st.Size())/1e6, took)
	}
}

// BenchmarkUpstream measures a whole -upstream run (both loads and the comparison) on the large
// document, as JSON and as YAML.
func BenchmarkUpstream(b *testing.B) {
	jsonPath, yamlPath, _ := writeLarge(b)
	for _, tc := range []struct{ name, path string }{{"json", jsonPath}, {"yaml", yamlPath}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				var out, errOut bytes.Buffer
				if code := runUpstream(realSpec, tc.path, &out, &errOut); code != 0 {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
		})
	}
}

// yamlOf renders a JSON file as YAML in a temp file.
func yamlOf(t *testing.T, jsonPath string, indentless bool) string {
	t.Helper()
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var b strings.Builder
	toYAMLStyle(&b, v, "", indentless)
	p := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(jsonPath), ".json")+".yaml")
	require.NoError(t, os.WriteFile(p, []byte(strings.TrimPrefix(b.String(), "\n")), 0o600))
	return p
}

// TestUpstreamYAMLCut: a YAML document is cut as text when it is plain block style, and the
// report is the same as when it is decoded whole; when it cannot be cut safely (here an alias),
// it is decoded whole and the report is still right.
func TestUpstreamYAMLCut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mini, err := loadSpec(ctx, miniSpec, false)
	require.NoError(t, err)
	ours := readOurs(t)
	golden, err := os.ReadFile(filepath.Join(upstreamTestdata, "mini.golden"))
	require.NoError(t, err)
	miniJSON := filepath.Join(upstreamTestdata, "mini-upstream.json")

	specText, err := os.ReadFile(realSpec)
	require.NoError(t, err)
	// An alias in a path item of ours, whose anchor is elsewhere in the document. (The spec's
	// prose has "*_factor", which is no alias: no anchor of that name exists.)
	lines := strings.Split(string(specText), "\n")
	first := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "  /") })
	require.Positive(t, first, "the spec has paths")
	aliased := slices.Concat([]string{"x-anchor: &zz {a: 1}"}, lines[:first+1], []string{"    x-alias: *zz"}, lines[first+1:])
	aliasedPath := filepath.Join(t.TempDir(), "aliased.yaml")
	require.NoError(t, os.WriteFile(aliasedPath, []byte(strings.Join(aliased, "\n")), 0o600))

	tests := []struct {
		name    string
		spec    string
		ours    *openapi3.T
		path    string
		cut     bool
		want    string // the whole report; "" for no differences
		wantErr bool
	}{
		{"the spec's own hand-written YAML", realSpec, ours, realSpec, true, "", false},
		{"generated block YAML", miniSpec, mini, yamlOf(t, miniJSON, false), true, string(golden), false},
		{"indentless sequences", miniSpec, mini, yamlOf(t, miniJSON, true), true, string(golden), false},
		{"an alias", realSpec, ours, aliasedPath, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tt.path)
			require.NoError(t, err)
			small, ok := cutYAML(ctx, data, tt.ours)
			require.Equal(t, tt.cut, ok)
			if ok {
				_, err := loadKin(ctx, small)
				require.NoError(t, err, "the cut is a loadable document:\n%s", small)
			}
			code, stdout, stderr := runUpstreamCmd(t, "-spec", tt.spec, "-upstream", tt.path)
			require.Empty(t, stderr)
			if tt.want == "" {
				assert.Equal(t, 0, code)
				assert.Contains(t, stdout, "no differences")
				return
			}
			assert.Equal(t, 1, code)
			// The golden names the JSON file; everything else is the same.
			assert.Equal(t, strings.ReplaceAll(tt.want, miniJSON, tt.path), stdout)
		})
	}
}

// TestUpstreamCutYAMLShapes: which layouts cutYAML takes, and what it keeps.
func TestUpstreamCutYAMLShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ours, err := loadSpec(ctx, miniSpec, false)
	require.NoError(t, err)
	const head = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n"
	const kept = "paths:\n  /v1/things:\n    post:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/A'\n"
	tests := []struct {
		name string
		doc  string
		ok   bool
		has  []string // in the cut
		not  []string // not in the cut
	}{
		{
			name: "unrelated paths and components are left out, references followed",
			doc: head + "servers:\n- url: https://x.example.com\n" + kept +
				"  /v1/other:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Unused'\n" +
				"components:\n  schemas:\n    A:\n      type: object\n      properties:\n        b:\n          $ref: \"#/components/schemas/B\"\n    B: {type: string}\n    Unused:\n      description: |\n        text\n\n        more text\n",
			ok:  true,
			has: []string{"/v1/things:", "    A:", "    B: {type: string}", "- url: https://x.example.com"},
			not: []string{"/v1/other", "Unused"},
		},
		{name: "flow-style paths", doc: head + "paths: {/v1/things: {}}\n", ok: false},
		{name: "a reference outside components", doc: head + strings.Replace(kept, "#/components/schemas/A", "#/paths/~1v1~1other", 1), ok: false},
		{name: "a merge key", doc: head + kept + "components:\n  schemas:\n    A:\n      <<: {type: object}\n", ok: false},
		{name: "prose that looks like an alias", doc: head + kept + "components:\n  schemas:\n    A:\n      description: one of the *_id fields & more\n", ok: true, has: []string{"*_id"}},
		{name: "no paths", doc: head, ok: false},
		{name: "a tab", doc: head + "\tpaths: {}\n", ok: false},
		{name: "a duplicate top-level key", doc: head + kept + kept, ok: false},
		{name: "document markers", doc: "%YAML 1.2\n---\n" + head + kept + "...\n", ok: true, has: []string{"/v1/things:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			small, ok := cutYAML(ctx, []byte(tt.doc), ours)
			require.Equal(t, tt.ok, ok, "%s", small)
			for _, h := range tt.has {
				assert.Contains(t, string(small), h)
			}
			for _, n := range tt.not {
				assert.NotContains(t, string(small), n)
			}
		})
	}
}
