package route_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
)

// FuzzFind: the router never panics on a path a client sends, a match's parameters are single,
// non-empty segments that unescape from what was sent, and nothing matches a path with a dot or an
// empty segment. Seeded with every template of the spec, filled in and escaped.
func FuzzFind(f *testing.F) {
	table := contract.MustShared().Routes()
	for _, e := range table.Entries() {
		p := e.Template
		f.Add(e.Method, strings.NewReplacer("{", "", "}", "").Replace(p))
		f.Add(e.Method, strings.NewReplacer("{", "a%2F", "}", "").Replace(p))
		f.Add(e.Method, "/prefix"+p)
		f.Add(e.Method, p+"/..")
	}
	f.Add(http.MethodGet, "/v1/b2b/recovery_codes/%2e%2e/m")
	f.Add(http.MethodGet, "//v1//b2b")
	f.Fuzz(func(t *testing.T, method, path string) {
		for _, mode := range []route.Mode{route.Exact(), route.AnyPrefix(), route.Prefix("/prefix")} {
			m, err := table.Find(method, path, mode)
			if err != nil {
				continue
			}
			for name, raw := range m.RawPathParams {
				if raw == "" || strings.Contains(raw, "/") {
					t.Fatalf("%s %q: parameter %s is %q", method, path, name, raw)
				}
				v, uerr := url.PathUnescape(raw)
				if uerr != nil || v != m.PathParams[name] || v == "." || v == ".." {
					t.Fatalf("%s %q: parameter %s is %q, unescaped %q (%v)", method, path, name, raw, m.PathParams[name], uerr)
				}
			}
		}
	})
}
