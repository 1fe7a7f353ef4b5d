package contract_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// recorder is a testing.TB that keeps what Transport reports instead of failing the test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.FailNow()
}

func TestTransport(t *testing.T) {
	t.Parallel()
	e := pick(t, "with a request body", hasBody)
	good := specwalk.ExampleJSON(specwalk.ResponseBody(e.Operation, 200), specwalk.Full, "resp")
	for _, tc := range []struct {
		name     string
		breakReq bool
		status   int
		body     string
		reported []string // substrings, one per expected report
	}{
		{"valid both ways", false, 200, string(good), nil},
		{"bad request", true, 200, string(good), []string{"request " + e.Method + " /prefix" + newExample(t, e, specwalk.Full).path + " breaks the spec"}},
		{"bad 2xx answer", false, 200, `{}`, []string{"response to " + e.OperationID() + " breaks the spec"}},
		{"error answers are not checked", false, 503, `<html>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			rec := &recorder{TB: t}
			tr := contract.NewTransport(rec, "http://stytch.test/prefix", srv.Client().Transport)
			x := newExample(t, e, specwalk.Full)
			if tc.breakReq {
				x.header.Del("Authorization")
			}
			req := x.request(t, srv.URL+"/prefix")
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			defer func() { assert.NoError(t, resp.Body.Close()) }()
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.body, string(readAll(t, resp.Body)), "the caller reads the answer unchanged")
			require.Len(t, rec.errors, len(tc.reported), "%q", rec.errors)
			for i, want := range tc.reported {
				assert.Contains(t, rec.errors[i], want)
			}
		})
	}
}

func TestTransportSendsTheBodyItValidated(t *testing.T) {
	t.Parallel()
	for _, e := range entries(t) {
		if specwalk.RequestBody(e.Operation) == nil {
			continue
		}
		var got []byte
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = readAll(t, r.Body)
			w.WriteHeader(http.StatusTeapot)
		}))
		rec := &recorder{TB: t}
		x := newExample(t, e, specwalk.Full)
		req := x.request(t, srv.URL)
		want := readAll(t, must(req.GetBody()))
		resp, err := contract.NewTransport(rec, srv.URL, nil).RoundTrip(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		srv.Close()
		assert.Empty(t, rec.errors)
		assert.Equal(t, string(want), string(got), "%s", e.OperationID())
	}
}
