package b2b

// Fuzz targets for the two places where outside input meets the SDK's own code: path parameters
// becoming a URL, and response bodies becoming values or errors. Both run through the whole
// call path (validation, request building, transport, decoding) against an in-memory server.

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// FuzzPathBuilding: any organization_id and member_id either fail before anything is sent (a
// *ValidationError, or an error building the request), or give a request whose path, split and
// unescaped, is exactly the two values under /v1/b2b/recovery_codes/ — the IDs can never reach
// another endpoint, add a query or a fragment, or leave the base URL's prefix.
func FuzzPathBuilding(f *testing.F) {
	for _, seed := range [][2]string{
		{fixtures.OrganizationID, fixtures.MemberID},
		{"", ""}, {".", "m"}, {"o", ".."}, {"..", ".."}, {"%2e%2e", "%2E."},
		{"a/b", "c/../d"}, {"../../../v1/b2b/magic_links/authenticate", "x"},
		{"o?x=1", "m#frag"}, {"%", "%zz"}, {"%2F", "%252F"}, {" ", "\t\n"},
		{"org;matrix=1", "m&x"}, {"a\x00b", "\xff\xfe"}, {"σύνδεση", "日本語"},
		{"//evil.example", "@evil"}, {"\\..\\", "+"}, {strings.Repeat("a", 4096), "m"},
	} {
		f.Add(seed[0], seed[1])
	}
	body := []byte(`{"status_code":200,"request_id":"r","member_id":"m","recovery_codes":[]}`)
	const prefix = "/prefix/v1/b2b/recovery_codes/"
	f.Fuzz(func(t *testing.T, org, member string) {
		var sent *http.Request
		hc := &http.Client{Transport: resRoundTripper(func(r *http.Request) (*http.Response, error) {
			sent = r
			return resResponse(r, http.StatusOK, body), nil
		})}
		c, err := NewClient(resProjectID, resSecret, WithBaseURL("https://test.stytch.com/prefix"), WithHTTPClient(hc))
		require.NoError(t, err)
		resp, err := c.RecoveryCodes.Get(t.Context(), &RecoveryCodesGetParams{OrganizationID: org, MemberID: member})
		if err != nil {
			require.Nil(t, resp)
			require.Nil(t, sent, "nothing is sent when the params are refused")
			var ve *ValidationError
			if !errors.As(err, &ve) {
				require.Contains(t, err.Error(), "building request", "an unexpected error: %v", err)
			}
			return
		}
		require.NotNil(t, resp)
		require.NotNil(t, sent)
		u := sent.URL
		require.Equal(t, "https", u.Scheme)
		require.Equal(t, "test.stytch.com", u.Host)
		require.Empty(t, u.RawQuery, "no query")
		require.Empty(t, u.Fragment, "no fragment")
		require.Nil(t, u.User)
		rest, ok := strings.CutPrefix(u.EscapedPath(), prefix)
		require.True(t, ok, "path %q is under %s", u.EscapedPath(), prefix)
		segs := strings.Split(rest, "/")
		require.Len(t, segs, 2, "path %q has exactly two segments after the prefix", u.EscapedPath())
		gotOrg, err := url.PathUnescape(segs[0])
		require.NoError(t, err)
		gotMember, err := url.PathUnescape(segs[1])
		require.NoError(t, err)
		require.Equal(t, org, gotOrg)
		require.Equal(t, member, gotMember)
		require.Equal(t, u.EscapedPath(), u.RequestURI(), "what goes on the wire is the same path")
	})
}

// resFuzzOps are the operations FuzzResponseDecoding decodes into: the GET, a POST with a flat
// response, and the ones with nested secret-bearing and list types.
var resFuzzOps = []string{
	gen.OpRecoveryCodesGet.ID,
	gen.OpRecoveryCodesRecover.ID,
	gen.OpOAuthAuthenticate.ID,
	gen.OpMagicLinksDiscoveryAuthenticate.ID,
}

// resFuzzStatuses are the statuses a fuzzed body is served with.
var resFuzzStatuses = []int{200, 201, 400, 401, 404, 429, 500, 502, 503}

// FuzzResponseDecoding: any bytes served as the body of a success or an error answer give either
// a value (for a 2xx, which then prints without panicking) or an error with no value: a
// *DecodeError for a 2xx, an *Error carrying the status otherwise, whose message is one line.
func FuzzResponseDecoding(f *testing.F) {
	seeds := [][]byte{
		nil, []byte(""), []byte("null"), []byte("{}"), []byte("[]"), []byte(`"x"`), []byte("0"),
		[]byte(`{"status_code":"two hundred"}`), []byte(`{"recovery_codes":[1,2,3]}`),
		[]byte(`{"member":null,"organization":null,"provider_values":{"access_token":7}}`),
		[]byte(`{"status_code":200,"status_code":201}`),
		[]byte("<html><body>502 Bad Gateway</body></html>"),
		[]byte(`{"status_code":400,"request_id":"r","error_type":"invalid","error_message":"line1\nline2","error_details":{"a":[1,{"b":null}]}}`),
		[]byte(`{"error_type":5,"error_message":{}}`),
		[]byte("\xff\xfe\xfd"), []byte(`{"request_id":"\xff"}`), []byte(`{"request_id":"\ud800"}`),
		bytes.Repeat([]byte("["), 10000), bytes.Repeat([]byte(`{"a":`), 2000),
		[]byte(`{"recovery_codes":` + strings.Repeat(`["x",`, 100)),
	}
	for i, id := range resFuzzOps {
		full := fixtures.ByID(id).Response
		seeds = append(seeds, full, full[:len(full)/2], bytes.ReplaceAll(full, []byte(`"`), []byte(`'`)))
		for j := range resFuzzStatuses {
			f.Add(full, uint8(i), uint8(j))
		}
	}
	for k, s := range seeds {
		f.Add(s, uint8(k%len(resFuzzOps)), uint8(k%len(resFuzzStatuses)))
	}
	params := map[string]any{}
	for _, id := range resFuzzOps {
		params[id] = fixtures.ByID(id).Minimal
	}
	f.Fuzz(func(t *testing.T, body []byte, opIndex, statusIndex uint8) {
		id := resFuzzOps[int(opIndex)%len(resFuzzOps)]
		status := resFuzzStatuses[int(statusIndex)%len(resFuzzStatuses)]
		hc := &http.Client{Transport: resRoundTripper(func(r *http.Request) (*http.Response, error) {
			resp := resResponse(r, status, body)
			resp.Header.Set("Content-Type", "text/plain")
			return resp, nil
		})}
		c, err := NewClient(resProjectID, resSecret, WithHTTPClient(hc))
		require.NoError(t, err)
		c.x.sleep = (&resWaits{}).sleep // retried 429s and 5xx do not wait
		resp, err := resInvoke(t.Context(), t, c, params[id], nil)
		if err == nil {
			require.True(t, status >= 200 && status <= 299, "status %d gave no error", status)
			require.False(t, resp.IsNil())
			_ = fmt.Sprintf("%v %+v %#v", resp.Interface(), resp.Interface(), resp.Interface())
			return
		}
		require.True(t, resp.IsNil(), "a value was returned together with an error")
		msg := err.Error()
		require.NotContains(t, msg, "\n", "the error is one line")
		if status >= 200 && status <= 299 {
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, status, de.StatusCode)
			return
		}
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, status, e.StatusCode)
		require.Less(t, len(msg), 3*errorBodyCap, "the error holds at most the capped body's message")
		require.False(t, strings.ContainsFunc(msg, unicode.IsControl), "no control characters from the body")
		_ = fmt.Sprintf("%v %+v %#v", err, err, err)
		require.NotPanics(t, func() { _ = reflect.ValueOf(e.ErrorDetails).Len() })
	})
}
