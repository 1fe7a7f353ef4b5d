package b2btest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// fuzzServer is one fake shared by a fuzz target's inputs, served without a listener.
var fuzzServer = func() func() *b2btest.Server {
	var s *b2btest.Server
	return func() *b2btest.Server {
		if s == nil {
			var err error
			if s, err = b2btest.NewHandler("http://fake.invalid"); err != nil {
				panic(err)
			}
		}
		return s
	}
}()

// FuzzRequestDecoding sends arbitrary bodies and paths to the fake's request decoding
// (cleaning, routing, validation, decoding, redaction), seeded with the spec's Full and Minimal
// examples of every request body. Whatever the input, the fake answers with a status and a JSON
// body, never panics, and answers 5xx only where a script asks for it (none here).
func FuzzRequestDecoding(f *testing.F) {
	v := contract.MustShared()
	for _, op := range gen.Operations {
		e, ok := v.Routes().ByID(op.ID)
		if !ok {
			continue
		}
		if schema := specwalk.RequestBody(e.Operation); schema != nil {
			for _, m := range []specwalk.Mode{specwalk.Full, specwalk.Minimal} {
				f.Add(op.Method, op.Path, specwalk.ExampleJSON(schema, m, "fuzz"))
			}
		} else {
			f.Add(op.Method, strings.NewReplacer("{", "", "}", "").Replace(op.Path), []byte(nil))
		}
	}
	f.Add("POST", "/v1/b2b/magic_links/../authenticate", []byte(`{"magic_links_token":`))
	f.Add("GET", "/v1/b2b/recovery_codes/%2e%2e/%zz", []byte(nil))
	f.Add("POST", "/_b2btest/scripts", []byte(`{"operation":"magicLinksAuthenticate","respond":{"status":200,"body":[1]}}`))
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#") || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		if strings.HasPrefix(path, b2btest.ControlPath) {
			return // the control API may legitimately script 5xx answers
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "http://fake.invalid/", bytes.NewReader(body))
		req.Method, req.URL.Path, req.URL.RawPath, req.RequestURI = method, path, path, path
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("project-test-fuzz", "secret")
		w := httptest.NewRecorder()
		fuzzServer().ServeHTTP(w, req)
		if w.Code < 200 || w.Code > 499 {
			t.Fatalf("%s %s: status %d: %s", method, path, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, w.Body)
		}
	})
}
