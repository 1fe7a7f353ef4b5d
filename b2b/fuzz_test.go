package b2b_test

// Fuzz targets for the two places where outside input meets the SDK's own code: path parameters
// becoming a URL, and response bodies becoming values or errors. Both run through the whole
// call path (validation, request building, transport, decoding) against an in-memory server.
// The operations come from the spec: every operation with path parameters, every answer type.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// FuzzPathBuilding: any values of the path parameters either fail before anything is sent (a
// *ValidationError, or an error building the request), or give a request whose path, split and
// unescaped, is exactly the operation's template with the values in place: the values can never
// reach another endpoint, add a query or a fragment, or leave the base URL's prefix. The fuzzer
// gives two strings; the path parameters of each operation take them in turn.
func FuzzPathBuilding(f *testing.F) {
	cases := some(f, "has path parameters", hasPathParams)
	for _, c := range cases { // the fixture's own values of the first and last path parameters
		params := reflect.ValueOf(c.Minimal).Elem()
		seed := func(name string) string {
			fld, _ := fieldByJSON(params.Type(), name)
			return params.FieldByIndex(fld.Index).String()
		}
		f.Add(seed(c.Op.PathParams[0]), seed(c.Op.PathParams[len(c.Op.PathParams)-1]))
	}
	for _, s := range [][2]string{
		{"", ""}, {".", "m"}, {"o", ".."}, {"..", ".."}, {"%2e%2e", "%2E."},
		{"a/b", "c/../d"}, {"../../../v1/b2b/magic_links/authenticate", "x"},
		{"o?x=1", "m#frag"}, {"%", "%zz"}, {"%2F", "%252F"}, {" ", "\t\n"},
		{"org;matrix=1", "m&x"}, {"a\x00b", "\xff\xfe"}, {"σύνδεση", "日本語"},
		{"//evil.example", "@evil"}, {"\\..\\", "+"}, {strings.Repeat("a", 4096), "m"},
	} {
		f.Add(s[0], s[1])
	}
	const prefix = "/prefix"
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, c := range cases {
			var sent *http.Request
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent = r
				return inMemory(r, http.StatusOK, c.Response), nil
			})}
			client, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithBaseURL("https://test.stytch.com"+prefix), b2b.WithHTTPClient(hc))
			require.NoError(t, err)
			params := c.Op.NewParams()
			values := map[string]string{}
			for i, name := range c.Op.PathParams {
				v := a
				if i%2 == 1 {
					v = b
				}
				values[name] = v
				setField(t, params, name, v)
			}
			resp, err := testkit.Call(t.Context(), client, params)
			if err != nil {
				require.Nil(t, resp)
				require.Nil(t, sent, "nothing is sent when the params are refused")
				var ve *b2b.ValidationError
				if !errors.As(err, &ve) {
					require.Contains(t, err.Error(), "building request", "an unexpected error: %v", err)
				}
				continue
			}
			require.NotNil(t, resp)
			require.NotNil(t, sent)
			u := sent.URL
			require.Equal(t, "https", u.Scheme)
			require.Equal(t, "test.stytch.com", u.Host)
			require.Empty(t, u.RawQuery, "no query")
			require.Empty(t, u.Fragment, "no fragment")
			require.Nil(t, u.User)
			rest, ok := strings.CutPrefix(u.EscapedPath(), prefix+"/")
			require.True(t, ok, "path %q is under %s", u.EscapedPath(), prefix)
			segs := strings.Split(rest, "/")
			tmpl := strings.Split(strings.TrimPrefix(c.Op.Path, "/"), "/")
			require.Len(t, segs, len(tmpl), "path %q has the segments of %s", u.EscapedPath(), c.Op.Path)
			for i, seg := range tmpl {
				got, err := url.PathUnescape(segs[i])
				require.NoError(t, err)
				if name, isParam := strings.CutPrefix(seg, "{"); isParam {
					require.Equal(t, values[strings.TrimSuffix(name, "}")], got)
				} else {
					require.Equal(t, seg, got)
				}
			}
			require.Equal(t, u.EscapedPath(), u.RequestURI(), "what goes on the wire is the same path")
		}
	})
}

// leanAnswer is the smallest valid success answer of c's operation: its required fields only
// (specwalk's OptionalOmitted example), with status_code 200.
func leanAnswer(f *testing.F, c fixtures.Case) []byte {
	tree, ok := specwalk.Example(fixtures.ResponseSchema(c.Op.ID), specwalk.OptionalOmitted, "fuzz").(map[string]any)
	if !ok {
		f.Fatalf("the answer of %s is not an object", c.Op.ID)
	}
	tree["status_code"] = http.StatusOK
	b, err := json.Marshal(tree)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// fuzzStatuses are the statuses a fuzzed body is served with.
var fuzzStatuses = []int{200, 201, 400, 401, 404, 429, 500, 502, 503}

// FuzzResponseDecoding: any bytes served as the body of a success or an error answer of any
// operation give either a value (for a 2xx, which then prints without panicking) or an error with
// no value: a *DecodeError for a 2xx, an *Error carrying the status otherwise, whose message is one
// line.
//
// The seeds are small on purpose: the fuzzer minimizes every input that finds new coverage, and
// while a worker minimizes a large input (the complete answers are up to 30 KB) it executes
// nothing else, for up to -fuzzminimizetime (a minute by default; the Makefile's fuzz target
// lowers it). So each operation is seeded with its leanest valid answer (required fields only,
// a few KB at most), served as a success, and with the first half of it; the other seeds are
// short, but for the deep nesting ones.
func FuzzResponseDecoding(f *testing.F) {
	cases := fixtures.Cases()
	seeds := [][]byte{
		nil, []byte(""), []byte("null"), []byte("{}"), []byte("[]"), []byte(`"x"`), []byte("0"),
		[]byte(`{"status_code":"two hundred"}`), []byte(`{"recovery_codes":[1,2,3]}`),
		[]byte(`{"member":null,"organization":null,"provider_values":{"access_token":7}}`),
		[]byte(`{"status_code":200,"status_code":201}`),
		[]byte(`{"status_code":200,"request_id":"r"}`),
		[]byte("<html><body>502 Bad Gateway</body></html>"),
		[]byte(`{"status_code":400,"request_id":"r","error_type":"invalid","error_message":"line1\nline2","error_details":{"a":[1,{"b":null}]}}`),
		[]byte(`{"error_type":5,"error_message":{}}`),
		[]byte("\xff\xfe\xfd"), []byte(`{"request_id":"\xff"}`), []byte(`{"request_id":"\ud800"}`),
		bytes.Repeat([]byte("["), 10000), bytes.Repeat([]byte(`{"a":`), 2000),
		[]byte(`{"recovery_codes":` + strings.Repeat(`["x",`, 100)),
	}
	for i, c := range cases {
		lean := leanAnswer(f, c)
		f.Add(lean, uint8(i), uint8(0))
		f.Add(lean[:len(lean)/2], uint8(i), uint8(0))
	}
	for k, s := range seeds {
		f.Add(s, uint8(k%len(cases)), uint8(k%len(fuzzStatuses))) //nolint:gosec // G115: any byte works: the target takes each index modulo its list's length
	}
	f.Fuzz(func(t *testing.T, body []byte, opIndex, statusIndex uint8) {
		c := cases[int(opIndex)%len(cases)]
		status := fuzzStatuses[int(statusIndex)%len(fuzzStatuses)]
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp := inMemory(r, status, body)
			resp.Header.Set("Content-Type", "text/plain")
			return resp, nil
		})}
		client, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithHTTPClient(hc))
		require.NoError(t, err)
		b2b.RecordWaits(client) // retried 429s and 5xx do not wait
		resp, err := testkit.Call(t.Context(), client, c.Minimal)
		if err == nil {
			require.True(t, status >= 200 && status <= 299, "status %d gave no error", status)
			require.NotNil(t, resp)
			_ = fmt.Sprintf("%v %+v %#v", resp, resp, resp)
			return
		}
		require.Nil(t, resp, "a value was returned together with an error")
		msg := err.Error()
		require.NotContains(t, msg, "\n", "the error is one line")
		if status >= 200 && status <= 299 {
			var de *b2b.DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, status, de.StatusCode)
			return
		}
		var e *b2b.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, status, e.StatusCode)
		require.Less(t, len(msg), 3*b2b.ErrorBodyCap, "the error holds at most the capped body's message")
		require.False(t, strings.ContainsFunc(msg, unicode.IsControl), "no control characters from the body")
		_ = fmt.Sprintf("%v %+v %#v", err, err, err)
		require.NotPanics(t, func() { _ = reflect.ValueOf(e.ErrorDetails).Len() })
	})
}
