package route_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// specDoc loads the embedded spec on its own, so that these tests do not depend on package
// contract, which depends on this one.
func specDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := loadSpec()
	require.NoError(t, err)
	return doc
}

var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
})

func specTable(t *testing.T) *route.Table {
	t.Helper()
	tb, err := route.New(specDoc(t))
	require.NoError(t, err)
	return tb
}

// specOp is one operation of the spec, read from the document without the route package.
type specOp struct {
	method, template, id string
	params               []string // path parameter names in template order
}

var (
	paramRE       = regexp.MustCompile(`\{([^}]+)\}`)
	templateParam = regexp.MustCompile(`\\\{[^}]*\\\}`) // a parameter after regexp.QuoteMeta
)

func specOps(t *testing.T, doc *openapi3.T) []specOp {
	t.Helper()
	var out []specOp
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		for m, op := range doc.Paths.Value(tmpl).Operations() {
			o := specOp{method: strings.ToUpper(m), template: tmpl, id: op.OperationID}
			for _, g := range paramRE.FindAllStringSubmatch(tmpl, -1) {
				o.params = append(o.params, g[1])
			}
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b specOp) int { return strings.Compare(a.id, b.id) })
	require.NotEmpty(t, out)
	return out
}

// fill writes the template with a value per parameter (already escaped as it appears in the path).
func (o specOp) fill(raw func(name string) string) string {
	return paramRE.ReplaceAllStringFunc(o.template, func(p string) string { return raw(p[1 : len(p)-1]) })
}

// oracle lists the operations of method whose template matches escapedPath exactly, with a
// parameter standing for any one non-empty segment. It is independent of the route package.
func oracle(ops []specOp, method, escapedPath string) []string {
	var ids []string
	for _, o := range ops {
		re := "^" + templateParam.ReplaceAllString(regexp.QuoteMeta(o.template), `[^/]+`) + "$"
		if o.method == method && regexp.MustCompile(re).MatchString(escapedPath) {
			ids = append(ids, o.id)
		}
	}
	return ids
}

func TestEveryOperationMatchesItsTemplate(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	tb := specTable(t)
	ops := specOps(t, doc)
	values := []struct {
		name     string
		raw, val func(p string) string
	}{
		{"plain", func(p string) string { return "v-" + p }, func(p string) string { return "v-" + p }},
		{"escaped slash", func(string) string { return "a%2Fb" }, func(string) string { return "a/b" }},
		{"escaped space and percent", func(string) string { return "x%20y%25z" }, func(string) string { return "x y%z" }},
		{"a dot inside", func(string) string { return "a.b" }, func(string) string { return "a.b" }},
		{"three dots", func(string) string { return "..." }, func(string) string { return "..." }},
	}
	for _, o := range ops {
		for _, v := range values {
			if len(o.params) == 0 && v.name != "plain" {
				continue
			}
			path := o.fill(v.raw)
			t.Run(o.id+"/"+v.name, func(t *testing.T) {
				require.Equal(t, []string{o.id}, oracle(ops, o.method, path), "the spec itself must be unambiguous here")
				m, err := tb.Find(o.method, path, route.Exact())
				require.NoError(t, err)
				assert.Equal(t, o.id, m.OperationID())
				assert.Equal(t, o.template, m.Template)
				assert.Equal(t, o.method, m.Method)
				assert.Equal(t, "", m.Prefix)
				assert.Equal(t, o.params, m.ParamNames())
				want, wantRaw := map[string]string{}, map[string]string{}
				for _, p := range o.params {
					want[p], wantRaw[p] = v.val(p), v.raw(p)
				}
				assert.Equal(t, want, m.PathParams)
				assert.Equal(t, wantRaw, m.RawPathParams)
				e, ok := tb.ByID(o.id)
				require.True(t, ok)
				assert.Same(t, e, m.Entry)
			})
		}
	}
	assert.Len(t, tb.Entries(), len(ops), "Entries lists every operation once")
}

func TestPrefixes(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	tb := specTable(t)
	for _, o := range specOps(t, doc) {
		path := o.fill(func(p string) string { return "v-" + p })
		t.Run(o.id, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				path   string
				mode   route.Mode
				prefix string // "" for no match
			}{
				{"exact", path, route.Exact(), "-"},
				{"empty prefix is exact", path, route.Prefix(""), "-"},
				{"slash prefix is exact", path, route.Prefix("/"), "-"},
				{"prefix", "/prefix" + path, route.Prefix("/prefix"), "/prefix"},
				{"prefix with trailing slash", "/prefix" + path, route.Prefix("/prefix/"), "/prefix"},
				{"two-segment prefix", "/a/b" + path, route.Prefix("/a/b"), "/a/b"},
				{"escaped prefix", "/pre%20fix" + path, route.Prefix("/pre fix"), "/pre%20fix"},
				{"prefix compared unescaped", "/a~b" + path, route.Prefix("/a%7Eb"), "/a~b"},
				{"prefix missing", path, route.Prefix("/prefix"), ""},
				{"other prefix", "/other" + path, route.Prefix("/prefix"), ""},
				{"prefix is whole segments", "/prefixes" + path, route.Prefix("/prefix"), ""},
				{"prefix of a prefix", "/prefix/extra" + path, route.Prefix("/prefix"), ""},
				{"exact refuses a prefix", "/prefix" + path, route.Exact(), ""},
				{"any prefix, none", path, route.AnyPrefix(), "-"},
				{"any prefix, one", "/proxy" + path, route.AnyPrefix(), "/proxy"},
				{"any prefix, several", "/a/b%2Fc/d" + path, route.AnyPrefix(), "/a/b%2Fc/d"},
				{"any prefix, extra at the end", path + "/extra", route.AnyPrefix(), ""},
				{"dot segment in a prefix", "/./x" + path, route.AnyPrefix(), ""},
				{"empty segment in a prefix", "//x" + path, route.AnyPrefix(), ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					m, err := tb.Find(o.method, tc.path, tc.mode)
					if tc.prefix == "" {
						require.ErrorIs(t, err, route.ErrNoRoute)
						assert.Nil(t, m)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, o.id, m.OperationID())
					assert.Equal(t, strings.TrimPrefix(tc.prefix, "-"), m.Prefix)
				})
			}
		})
	}
}

func TestNoRoute(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	tb := specTable(t)
	ops := specOps(t, doc)
	used := map[string]bool{}
	for _, o := range ops {
		used[o.method] = true
	}
	allMethods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect}
	type probe struct{ name, method, path string }
	var probes []probe
	for _, o := range ops {
		path := o.fill(func(p string) string { return "v-" + p })
		for _, m := range allMethods {
			if len(oracle(ops, m, path)) == 0 {
				probes = append(probes, probe{o.id + "/wrong method " + m, m, path})
			}
		}
		probes = append(probes,
			probe{o.id + "/lower-case method", strings.ToLower(o.method), path},
			probe{o.id + "/trailing slash", o.method, path + "/"},
			probe{o.id + "/double slash", o.method, strings.Replace(path, "/", "//", 1)},
			probe{o.id + "/dot segment inserted", o.method, strings.Replace(path, "/", "/./", 2)},
			probe{o.id + "/dot-dot segment inserted", o.method, path + "/x/.."},
			probe{o.id + "/extra segment", o.method, path + "/extra"},
			probe{o.id + "/first segment dropped", o.method, path[strings.Index(path[1:], "/")+1:]},
			probe{o.id + "/no leading slash", o.method, path[1:]},
		)
		// A literal segment does not match the same text escaped into a parameter-like form.
		probes = append(probes, probe{o.id + "/escaped slash joins segments", o.method, "/" + strings.Replace(path[1:], "/", "%2F", 1)})
		for i, p := range o.params {
			for _, bad := range []string{"", ".", "..", "%2E", "%2e%2E", "%zz"} {
				path := o.fill(func(q string) string {
					if q == p {
						return bad
					}
					return "v-" + q
				})
				probes = append(probes, probe{fmt.Sprintf("%s/param %d is %q", o.id, i, bad), o.method, path})
			}
		}
	}
	for _, m := range allMethods {
		probes = append(probes, probe{"root " + m, m, "/"}, probe{"empty " + m, m, ""}, probe{"unknown " + m, m, "/v1/no/such/path"})
	}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			for _, mode := range []route.Mode{route.Exact(), route.AnyPrefix()} {
				m, err := tb.Find(p.method, p.path, mode)
				require.ErrorIs(t, err, route.ErrNoRoute, "%s %q (%v) matched %v", p.method, p.path, mode, m)
				assert.Contains(t, err.Error(), p.method)
			}
		})
	}
}

// tinyDoc builds a document with the given "METHOD /template" operations, each with operationId
// equal to the string itself.
func tinyDoc(t *testing.T, ops ...string) *openapi3.T {
	t.Helper()
	doc := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "t", Version: "1"}, Paths: openapi3.NewPaths()}
	for _, s := range ops {
		method, tmpl, ok := strings.Cut(s, " ")
		require.True(t, ok)
		item := doc.Paths.Value(tmpl)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(tmpl, item)
		}
		op := openapi3.NewOperation()
		op.OperationID = s
		item.SetOperation(method, op)
	}
	return doc
}

func TestLiteralSegmentsWin(t *testing.T) {
	t.Parallel()
	tb, err := route.New(tinyDoc(t,
		"GET /a/b/{x}",
		"GET /a/{y}/c",
		"GET /a/{y}/{z}",
		"GET /{w}/b/c",
		"GET /a/b/c/{tail}",
		"POST /a/{y}/c",
		"GET /v1/x",
		"GET /x",
	))
	require.NoError(t, err)
	for _, tc := range []struct {
		method, path string
		mode         route.Mode
		want         string
		params       map[string]string
	}{
		{"GET", "/a/b/c", route.Exact(), "GET /a/b/{x}", map[string]string{"x": "c"}},
		{"GET", "/a/q/c", route.Exact(), "GET /a/{y}/c", map[string]string{"y": "q"}},
		{"GET", "/a/q/r", route.Exact(), "GET /a/{y}/{z}", map[string]string{"y": "q", "z": "r"}},
		{"GET", "/z/b/c", route.Exact(), "GET /{w}/b/c", map[string]string{"w": "z"}},
		{"GET", "/a/b/c/d", route.Exact(), "GET /a/b/c/{tail}", map[string]string{"tail": "d"}},
		{"POST", "/a/b/c", route.Exact(), "POST /a/{y}/c", map[string]string{"y": "b"}},
		{"GET", "/a/b%2Fc/d", route.Exact(), "GET /a/{y}/{z}", map[string]string{"y": "b/c", "z": "d"}},
		{"GET", "/a/b/%63", route.Exact(), "GET /a/b/{x}", map[string]string{"x": "c"}}, // %63 is "c"
		{"GET", "/%61/q/c", route.Exact(), "GET /a/{y}/c", map[string]string{"y": "q"}}, // literals compare unescaped
		// AnyPrefix: the template that explains the most of the path wins.
		{"GET", "/p/v1/x", route.AnyPrefix(), "GET /v1/x", map[string]string{}},
		{"GET", "/v1/x", route.AnyPrefix(), "GET /v1/x", map[string]string{}},
		{"GET", "/p/q/x", route.AnyPrefix(), "GET /x", map[string]string{}},
		{"GET", "/p/a/b/c", route.AnyPrefix(), "GET /a/b/{x}", map[string]string{"x": "c"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			m, err := tb.Find(tc.method, tc.path, tc.mode)
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.OperationID())
			assert.Equal(t, tc.params, m.PathParams)
		})
	}
}

func TestTemplatesTheTableRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		ops     []string
		mention string
	}{
		{"mixed segment", []string{"GET /files/{name}.json"}, "mixes"},
		{"empty segment", []string{"GET /a//b"}, "empty segment"},
		{"trailing slash", []string{"GET /a/"}, "empty segment"},
		{"repeated parameter", []string{"GET /a/{x}/{x}"}, "repeated"},
		{"empty parameter name", []string{"GET /a/{}"}, "empty or repeated"},
		{"dot segment", []string{"GET /a/../b"}, "dot segment"},
		{"same shape", []string{"GET /a/{x}", "GET /a/{y}"}, "match the same paths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := route.New(tinyDoc(t, tc.ops...))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.mention)
		})
	}
	_, err := route.New(tinyDoc(t, "GET /a/{x}", "POST /a/{y}"))
	assert.NoError(t, err, "the same shape with different methods is fine")
	_, err = route.New(nil)
	assert.Error(t, err)
}

func TestRootTemplate(t *testing.T) {
	t.Parallel()
	tb, err := route.New(tinyDoc(t, "GET /", "GET /{x}"))
	require.NoError(t, err)
	m, err := tb.Find("GET", "/", route.Exact())
	require.NoError(t, err)
	assert.Equal(t, "GET /", m.OperationID())
	m, err = tb.Find("GET", "/prefix", route.Prefix("/prefix"))
	require.NoError(t, err)
	assert.Equal(t, "GET /", m.OperationID())
	m, err = tb.Find("GET", "/v", route.Exact())
	require.NoError(t, err)
	assert.Equal(t, "GET /{x}", m.OperationID())
}
