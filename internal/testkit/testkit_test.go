package testkit_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

func TestMethodsCoverEveryOperation(t *testing.T) {
	t.Parallel()
	ms, err := testkit.Methods()
	require.NoError(t, err)
	for _, op := range gen.Operations {
		t.Run(op.ID, func(t *testing.T) {
			m, ok := ms[op.ID]
			require.True(t, ok, "no facade method takes %T: add the method of %s", op.NewParams(), op.ID)
			assert.Equal(t, op, m.Op)
			assert.Equal(t, reflect.TypeOf(op.NewParams()), m.Params)
			assert.Equal(t, reflect.TypeOf(op.NewResponse()), m.Response)
			assert.NotEmpty(t, m.Name)
			assert.Equal(t, m, testkit.MethodFor(t, op))
		})
	}
	for id := range ms {
		assert.True(t, func() bool {
			for _, op := range gen.Operations {
				if op.ID == id {
					return true
				}
			}
			return false
		}(), "the facade sends %s, which gen.Operations does not list", id)
	}
	// The names are the way a caller reaches the methods.
	names := map[string]bool{}
	for _, m := range ms {
		names[m.Name] = true
	}
	assert.Contains(t, names, "RecoveryCodes.Get")
	assert.Contains(t, names, "MagicLinks.Email.Discovery.Send")
}

// fatalRecorder stands for the testing.TB of a test: it records what Fatal reports and ends the
// goroutine, as testing.T.Fatal does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs f with a fatalRecorder in a goroutine of its own and returns what f reported
// through Fatal, or "" when f returned.
func fatalOf(t *testing.T, f func(testing.TB)) string {
	r := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.msg
}

// An operation the facade has no method for yet (the state right after adding it to the spec)
// fails the test that asks for it, through its t or an error, with the message naming what to add;
// only MethodOf, for code without a t, still panics.
func TestAnOperationWithoutAMethodFailsOnlyItsTest(t *testing.T) {
	t.Parallel()
	op := gen.Operation{ID: "noSuchOperation", Method: "POST", Path: "/v1/b2b/no/such/operation"}
	const want = "testkit: no method of *b2b.Client or of its sub-clients takes <nil>: add the facade method of noSuchOperation (POST /v1/b2b/no/such/operation)"

	_, err := testkit.FindMethod(op)
	var nm *testkit.NoMethodError
	require.ErrorAs(t, err, &nm)
	assert.Equal(t, op, nm.Op)
	assert.EqualError(t, err, want)

	assert.Equal(t, want, fatalOf(t, func(tb testing.TB) { testkit.MethodFor(tb, op) }))

	srv := testkit.NewServer(t, testkit.Unreachable(t))
	_, err = testkit.Invoke(t.Context(), testkit.NewClient(t, srv.URL), op, nil)
	assert.EqualError(t, err, want)
	assert.Zero(t, srv.Count())

	assert.PanicsWithValue(t, want, func() { testkit.MethodOf(op) })
}

// Every operation is reachable through Do with its fixture: one request with the operation's
// method and path, and the typed answer back.
func TestDoCallsEveryOperation(t *testing.T) {
	t.Parallel()
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID+":"+testkit.Secret))
	for _, c := range fixtures.Cases() {
		for _, kind := range fixtures.Kinds() {
			t.Run(c.Op.ID+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				resp, err := testkit.Do(t.Context(), testkit.NewClient(t, srv.URL), c, kind)
				require.NoError(t, err)
				assert.IsType(t, c.Op.NewResponse(), resp)
				reqs := srv.Requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, 1, reqs[0].N)
				assert.Equal(t, c.Op.Method, reqs[0].Method)
				assert.Equal(t, wantAuth, reqs[0].Header.Get("Authorization"))
				for name, v := range c.Header {
					assert.Equal(t, v, reqs[0].Header.Get(name), "Do sends the case's header %s", name)
				}
				if c.Op.HasBody {
					assert.Equal(t, string(fixtures.Golden(c.Op.ID, kind)), string(reqs[0].Body))
				}
			})
		}
	}
}

func TestInvokeNilParamsAndContext(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) { invokeNilParamsAndContext(t, c) })
	}
}

func invokeNilParamsAndContext(t *testing.T, c fixtures.Case) {
	srv := testkit.NewServer(t, testkit.Unreachable(t))
	client := testkit.NewClient(t, srv.URL)
	resp, err := testkit.Invoke(t.Context(), client, c.Op, nil)
	assert.Nil(t, resp, "a nil pointer comes back as nil")
	var ve *b2b.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "params", ve.Field)

	var nilCtx context.Context
	_, err = testkit.Invoke(nilCtx, client, c.Op, c.Minimal)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)
	assert.Zero(t, srv.Count())
}

func TestInvokeRefusesAnotherParamsType(t *testing.T) {
	t.Parallel()
	var a, b fixtures.Case
	for _, c := range fixtures.Cases() {
		if a.Op.ID == "" {
			a = c
		} else if reflect.TypeOf(c.Minimal) != reflect.TypeOf(a.Minimal) {
			b = c
			break
		}
	}
	require.NotEmpty(t, b.Op.ID, "the spec has two operations with different params")
	client := testkit.NewClient(t, "http://127.0.0.1:1")
	m := testkit.MethodFor(t, a.Op)
	_, err := testkit.Invoke(t.Context(), client, a.Op, b.Minimal)
	assert.EqualError(t, err, fmt.Sprintf("testkit: %s takes %v, not %T", m.Name, m.Params, b.Minimal))
	_, err = testkit.Call(t.Context(), client, "not params")
	assert.EqualError(t, err, "testkit: string is not a params type: it has no Operation method")
}

// Every header parameter of the spec has a per-call option, and the option sends that header.
func TestHeaderOptionsCoverTheSpec(t *testing.T) {
	t.Parallel()
	for _, op := range gen.Operations {
		for _, h := range op.Headers {
			t.Run(op.ID+"/"+h.Name, func(t *testing.T) {
				c := fixtures.ByID(op.ID)
				opt, ok := testkit.HeaderOption(h.Name, "value-of-the-header")
				require.True(t, ok, "the facade has no per-call option for %s: add one to package b2b and to headerOptions in internal/testkit", h.Name)
				srv := testkit.NewServer(t, testkit.OK(c.Response))
				_, err := testkit.Invoke(t.Context(), testkit.NewClient(t, srv.URL), op, c.Minimal, opt)
				require.NoError(t, err)
				require.Equal(t, 1, srv.Count())
				assert.Equal(t, "value-of-the-header", srv.Requests()[0].Header.Get(h.Name))
			})
		}
	}
	_, ok := testkit.HeaderOption("X-No-Such-Header", "v")
	assert.False(t, ok)
	unknown := map[string]string{"X-No-Such-Header": "v"}
	const want = "testkit: the facade has no per-call option for the header parameter X-No-Such-Header: add one to package b2b and to headerOptions in internal/testkit/dispatch.go"
	assert.Equal(t, want, fatalOf(t, func(tb testing.TB) { testkit.HeaderOptionsFor(tb, unknown) }))
	assert.PanicsWithValue(t, want, func() { testkit.HeaderOptions(unknown) })
	assert.Empty(t, testkit.HeaderOptions(nil))
	assert.Empty(t, testkit.HeaderOptionsFor(t, nil))

	// Do reports the header as an error and sends nothing.
	c := fixtures.Cases()[0]
	c.Header = unknown
	srv := testkit.NewServer(t, testkit.Unreachable(t))
	_, err := testkit.Do(t.Context(), testkit.NewClient(t, srv.URL), c, fixtures.Minimal)
	assert.EqualError(t, err, want)
	assert.Zero(t, srv.Count())
}

// brokenParams builds a request the spec refuses: a body with an unknown member.
type brokenParams struct{ b2b.Params }

func (p brokenParams) NewHTTPRequest(server string) (*http.Request, error) {
	req, err := p.Params.NewHTTPRequest(server)
	if err != nil || req.Body == nil {
		return req, err
	}
	body := []byte(`{"not_in_the_spec":true}`)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = nil // also checks that a body without GetBody still reaches the server
	req.ContentLength = int64(len(body))
	return req, nil
}

// caseWithBody returns the fixture case of an operation that sends a body.
func caseWithBody(t *testing.T) fixtures.Case {
	t.Helper()
	for _, c := range fixtures.Select(func(op gen.Operation) bool { return op.HasBody }) {
		return c
	}
	require.FailNow(t, "the spec has no operation with a body")
	return fixtures.Case{}
}

func TestClientsReportViolations(t *testing.T) {
	t.Parallel()
	c := caseWithBody(t)
	t.Run("request", func(t *testing.T) {
		srv := testkit.NewServer(t, testkit.OK(c.Response))
		client, rec := testkit.NewLenientClient(t, srv.URL, b2b.WithMaxRetries(0))
		resp, err := client.Raw(t.Context(), brokenParams{c.Minimal.(b2b.Params)})
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Len(t, rec.Errors(), 1)
		assert.Contains(t, rec.Errors()[0], "request "+c.Op.Method)
		assert.Contains(t, rec.Errors()[0], "not_in_the_spec")
		require.Equal(t, 1, srv.Count())
		assert.Equal(t, `{"not_in_the_spec":true}`, string(srv.Requests()[0].Body), "the body reaches the server whole")
	})
	t.Run("answer", func(t *testing.T) {
		srv := testkit.NewServer(t, testkit.OK([]byte(`{"status_code":"x"}`)))
		client, rec := testkit.NewLenientClient(t, srv.URL, b2b.WithMaxRetries(0))
		_, err := testkit.Do(t.Context(), client, c, fixtures.Minimal)
		require.Error(t, err)
		require.NotEmpty(t, rec.Errors())
		assert.Contains(t, rec.Errors()[0], "answer of "+c.Op.ID)
	})
	t.Run("a fault client leaves answers alone", func(t *testing.T) {
		srv := testkit.NewServer(t, testkit.OK([]byte(`{"status_code":"x"}`)))
		client := testkit.NewFaultClient(t, srv.URL, b2b.WithMaxRetries(0))
		_, err := testkit.Do(t.Context(), client, c, fixtures.Minimal)
		var de *b2b.DecodeError
		require.ErrorAs(t, err, &de) // and t did not fail on the broken answer
	})
	t.Run("under a base path", func(t *testing.T) {
		srv := testkit.NewServer(t, testkit.OK(c.Response))
		_, err := testkit.Do(t.Context(), testkit.NewClient(t, srv.URL+"/prefix/"), c, fixtures.Full)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(srv.Requests()[0].EscapedPath, "/prefix/"))
	})
}

// reportingTB is a testing.TB whose Errorf is recorded instead of failing the test, to see what
// Checked reports.
type reportingTB struct {
	testing.TB
	rec *testkit.Recorder
}

func (r reportingTB) Errorf(format string, args ...any) { r.rec.Errorf(format, args...) }

// TestCheckedReportsViolations: the option form of the check, on a client built with other
// credentials (as b2btest's Server.Client is), reports a broken request and a broken answer to
// the test it was given, and lets a valid call through.
func TestCheckedReportsViolations(t *testing.T) {
	t.Parallel()
	c := caseWithBody(t)
	run := func(t *testing.T, answer []byte, call func(*b2b.Client)) []string {
		t.Helper()
		srv := testkit.NewServer(t, testkit.OK(answer))
		rec := &testkit.Recorder{}
		client, err := b2b.NewClient("project-test-other", "other-secret", b2b.WithBaseURL(srv.URL), b2b.WithMaxRetries(0),
			testkit.Checked(reportingTB{TB: t, rec: rec}, srv.URL))
		require.NoError(t, err)
		call(client)
		require.Equal(t, 1, srv.Count())
		return rec.Errors()
	}
	assert.Empty(t, run(t, c.Response, func(client *b2b.Client) {
		_, err := testkit.Do(t.Context(), client, c, fixtures.Full)
		require.NoError(t, err)
	}), "a valid call")
	errs := run(t, c.Response, func(client *b2b.Client) {
		resp, err := client.Raw(t.Context(), brokenParams{c.Minimal.(b2b.Params)})
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	})
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "not_in_the_spec")
	errs = run(t, []byte(`{"status_code":"x"}`), func(client *b2b.Client) {
		_, err := testkit.Do(t.Context(), client, c, fixtures.Minimal)
		require.Error(t, err)
	})
	require.NotEmpty(t, errs)
	assert.Contains(t, errs[0], "answer of "+c.Op.ID)
}

func TestServerRecordsAndAnswers(t *testing.T) {
	t.Parallel()
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if n == 1 {
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down "+string(body))
			return
		}
		testkit.Reply(http.StatusAccepted, "", []byte("ok"))(n, w, r)
	})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/a%2Fb/c?x=1", strings.NewReader("hello"))
	require.NoError(t, err)
	req.Header.Set("X-Test", "yes")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Contains(t, string(b), `"request_id":"`+testkit.ErrorRequestID(429)+`"`)
	assert.Contains(t, string(b), "slow down hello", "the handler reads the body the server recorded")

	req, err = http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/second", nil)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, testkit.HeaderRequestID, resp.Header.Get("X-Request-Id"))
	assert.Equal(t, "ok", string(b))

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 2, srv.Count())
	assert.Equal(t, testkit.Request{N: 1, Method: http.MethodPost, Path: "/a/b/c", RawPath: "/a%2Fb/c", EscapedPath: "/a%2Fb/c",
		Header: reqs[0].Header, Body: []byte("hello")}, reqs[0])
	assert.Equal(t, "yes", reqs[0].Header.Get("X-Test"))
	assert.Equal(t, 2, reqs[1].N)
	assert.Empty(t, reqs[1].Body)
}
