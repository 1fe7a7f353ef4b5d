package contract_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

const testAuth = "project-test-contract:secret-test-contract"

func shared(t testing.TB) *contract.Validator {
	t.Helper()
	v, err := contract.Shared()
	require.NoError(t, err)
	return v
}

func entries(t testing.TB) []*route.Entry {
	t.Helper()
	es := shared(t).Routes().Entries()
	require.NotEmpty(t, es)
	return es
}

// exampleRequest is a request for e built from the spec: path parameters, headers and body from
// specwalk's example of mode.
type exampleRequest struct {
	entry      *route.Entry
	path       string            // escaped, without prefix
	pathParams map[string]string // unescaped values
	header     http.Header
	body       any // decoded JSON tree, nil when the operation takes no body
}

func newExample(t testing.TB, e *route.Entry, m specwalk.Mode) *exampleRequest {
	t.Helper()
	x := &exampleRequest{entry: e, path: e.Template, pathParams: map[string]string{}, header: http.Header{}}
	for _, p := range specwalk.Params(e.PathItem, e.Operation, m, "req") {
		switch p.In {
		case "path":
			x.pathParams[p.Name] = p.Value
			x.path = strings.Replace(x.path, "{"+p.Name+"}", url.PathEscape(p.Value), 1)
		case "header":
			x.header.Set(p.Name, p.Value)
		default:
			t.Fatalf("parameters in %s are not supported by this test yet", p.In)
		}
	}
	x.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(testAuth)))
	if s := specwalk.RequestBody(e.Operation); s != nil {
		require.NoError(t, json.Unmarshal(specwalk.ExampleJSON(s, m, "req"), &x.body))
		x.header.Set("Content-Type", "application/json")
	}
	return x
}

// request builds the HTTP request, sent to base (scheme, host and any prefix).
func (x *exampleRequest) request(t testing.TB, base string) *http.Request {
	t.Helper()
	req, err := x.build(t.Context(), base, nil, false)
	require.NoError(t, err)
	return req
}

// requestWithBody is request with body sent instead of the example's.
func (x *exampleRequest) requestWithBody(t testing.TB, base string, body []byte) *http.Request {
	t.Helper()
	req, err := x.build(t.Context(), base, body, true)
	require.NoError(t, err)
	return req
}

// build is request without a testing.TB, for goroutines.
func (x *exampleRequest) build(ctx context.Context, base string, body []byte, own bool) (*http.Request, error) {
	if !own && x.body != nil {
		var err error
		if body, err = json.Marshal(x.body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, x.entry.Method, strings.TrimSuffix(base, "/")+x.path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header = x.header.Clone()
	return req, nil
}

// concrete turns a Fields pointer into the pointer of its value in an example ("*" is the first
// element).
func concrete(pointer string) string {
	toks := strings.Split(pointer, "/")
	for i, tok := range toks {
		if tok == "*" {
			toks[i] = "0"
		}
	}
	return strings.Join(toks, "/")
}

// setAt sets (or deletes, when del) the value at an RFC 6901 pointer of a decoded JSON tree; array
// tokens are indexes. It reports whether the parent exists.
func setAt(tree any, pointer string, val any, del bool) bool {
	toks := strings.Split(pointer, "/")[1:]
	for i, tok := range toks {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		last := i == len(toks)-1
		switch n := tree.(type) {
		case map[string]any:
			if last {
				if del {
					delete(n, tok)
				} else {
					n[tok] = val
				}
				return true
			}
			tree = n[tok]
		case []any:
			idx, err := strconv.Atoi(tok)
			if err != nil || idx >= len(n) {
				return false
			}
			if last {
				n[idx] = val
				return true
			}
			tree = n[idx]
		default:
			return false
		}
	}
	return false
}

// deepCopy copies a decoded JSON tree.
func deepCopy(v any) any {
	switch n := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, x := range n {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, x := range n {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

func fields(vs []contract.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Field)
	}
	return out
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func readAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// pick returns an operation with the property keep tests for (the first in the table's order;
// which one does not matter to the caller), failing the test when the spec has none.
func pick(t testing.TB, what string, keep func(e *route.Entry) bool) *route.Entry {
	t.Helper()
	for _, e := range entries(t) {
		if keep(e) {
			return e
		}
	}
	t.Fatalf("the spec has no operation %s", what)
	return nil
}

func hasBody(e *route.Entry) bool { return specwalk.RequestBody(e.Operation) != nil }
