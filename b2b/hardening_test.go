package b2b_test

// Hardening (issue 12): the project secret never prints, custom HTTP clients never follow
// redirects, a 2xx that is not a success body is an error, echoed secrets are scrubbed from every
// error type and log line, header values are single lines, headers and oversize bodies are
// bounded, invalid UTF-8 is refused, and a huge Retry-After is capped.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// subClients returns the client and every sub-client reachable through its exported fields.
func subClients(c *b2b.Client) []any {
	var out []any
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		out = append(out, v.Interface())
		e := v.Elem()
		for i := range e.NumField() {
			f := e.Field(i)
			if e.Type().Field(i).IsExported() && f.Kind() == reflect.Pointer && !f.IsNil() {
				walk(f)
			}
		}
	}
	walk(reflect.ValueOf(c))
	return out
}

func TestCredentialsNeverPrint(t *testing.T) {
	t.Parallel()
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret)
	require.NoError(t, err)
	// The oracle is computed here, independently of the code under test.
	encoded := base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID + ":" + testkit.Secret))
	values := subClients(c)
	require.Greater(t, len(values), 5, "the walk found the sub-clients")
	type holder struct {
		Client  *b2b.Client
		private *b2b.Client
	}
	values = append(values, holder{Client: c, private: c}, &holder{Client: c, private: c}, *c)
	for _, v := range values {
		for _, verb := range []string{"%s", "%q", "%t", "%v", "%+v", "%#v", "%x", "%X", "%d", "%p", "%T"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, testkit.Secret, "%s of %T", verb, v)
			assert.NotContains(t, out, encoded, "%s of %T", verb, v)
		}
		var buf bytes.Buffer
		log.New(&buf, "", 0).Printf("client: %s %v", v, v)
		for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
			slog.New(h).Info("client", "c", v)
		}
		assert.NotContains(t, buf.String(), testkit.Secret, "log of %T", v)
		assert.NotContains(t, buf.String(), encoded, "log of %T", v)
	}
}

func TestCustomHTTPClientsNeverFollowRedirects(t *testing.T) {
	t.Parallel()
	tc := one(t, "consumes a token and sends a body", unsentWithBody)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, where := range []string{"another host", "the same host on another port"} {
			t.Run(fmt.Sprintf("%d to %s", status, where), func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				target := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
				targetURL := target.URL
				if where == "another host" {
					targetURL = strings.Replace(targetURL, "127.0.0.1", "localhost", 1)
				}
				origin := testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, targetURL+r.URL.Path, status) //nolint:gosec // G710: the test's own redirect to its other test server, on purpose
				})
				tr := &http.Transport{}
				t.Cleanup(tr.CloseIdleConnections)
				hc := &http.Client{Transport: tr} // Go's default: follow up to 10 redirects
				c, _ := faultClient(t, origin.URL, b2b.WithHTTPClient(hc))

				resp, err := testkit.Do(t.Context(), c, tc, fixtures.Full)

				requireNoResponse(t, resp, err)
				var e *b2b.Error
				require.ErrorAs(t, err, &e, "a redirect is an answer, not Stytch's")
				assert.Equal(t, status, e.StatusCode)
				assert.Empty(t, target.Requests(), "nothing of the call may reach the redirect target")
				assert.Len(t, origin.Requests(), 1)
				assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
			})
		}
	}
}

func TestSuccessStatusWithoutASuccessBody(t *testing.T) {
	t.Parallel()
	tc := one(t, "consumes a token and sends a body", unsentWithBody)
	cases := []struct {
		name, body, want, requestID string
	}{
		{"empty object", `{}`, "no request_id", ""},
		{"null", `null`, "no request_id", ""},
		{"a Stytch error sent with 200", `{"status_code":400,"request_id":"request-id-test-e","error_type":"invalid_request","error_message":"no"}`, "status_code is 400", "request-id-test-e"},
		{"status_code missing", `{"request_id":"request-id-test-s"}`, "status_code is 0", "request-id-test-s"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, cs.body)
			})
			c, _ := faultClient(t, srv.URL)
			resp, err := testkit.Call(t.Context(), c, tc.Minimal)
			requireNoResponse(t, resp, err)
			var de *b2b.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Contains(t, de.Error(), cs.want)
			assert.Equal(t, cs.requestID, de.RequestID, "the body's request_id, when it has one")
			assert.ErrorIs(t, err, b2b.ErrOutcomeUnknown, "Stytch may have consumed the token")
			assert.Len(t, srv.Requests(), 1, "not retried")
		})
	}
}

// dateField returns the pointer of a date-time field of op's answer outside any array, or "".
func dateField(op gen.Operation) string {
	for _, f := range specwalk.Fields(fixtures.ResponseSchema(op.ID)) {
		if f.Format == "date-time" && !strings.Contains(f.Pointer, "*") {
			return f.Pointer
		}
	}
	return ""
}

// requestSecrets returns the secrets of c that its params or headers carry (not its answer's).
func requestSecrets(c fixtures.Case) []string {
	var out []string
	for _, s := range fixtures.Secrets(c) {
		if strings.HasSuffix(s, "-"+fixtures.RequestContext(c.Op.ID)) {
			out = append(out, s)
		}
	}
	return out
}

func TestEchoedSecretsAreScrubbedFromEveryError(t *testing.T) {
	t.Parallel()
	tc := one(t, "consumes a secret and answers with a date", func(op gen.Operation) bool {
		return unsentWithBody(op) && hasSecretFields(op) && dateField(op) != ""
	})
	secrets := fixtures.Secrets(tc)
	sent := requestSecrets(tc)
	require.NotEmpty(t, sent)
	token := sent[0]
	all := append(slices.Clone(secrets), testkit.Secret, base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID+":"+testkit.Secret)))

	check := func(t *testing.T, err error, logs string) {
		t.Helper()
		require.Error(t, err)
		for _, s := range all {
			assert.NotContains(t, err.Error(), s)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), s)
			assert.NotContains(t, logs, s)
		}
	}
	t.Run("in X-Request-Id of a 2xx that does not decode", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Request-Id", "id-"+token)
			_, _ = io.WriteString(w, `{"request_id": 7}`)
		})
		var logs bytes.Buffer
		c, _ := faultClient(t, srv.URL, b2b.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		_, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
		var de *b2b.DecodeError
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.RequestID, gen.Redacted)
		check(t, err, logs.String())
	})
	t.Run("in a date field", func(t *testing.T) {
		t.Parallel()
		var tree any
		require.NoError(t, json.Unmarshal(tc.Response, &tree))
		ptr := strings.Split(dateField(tc.Op)[1:], "/")
		at := tree.(map[string]any)
		for _, tok := range ptr[:len(ptr)-1] {
			at = at[tok].(map[string]any)
		}
		at[ptr[len(ptr)-1]] = token
		body, err := json.Marshal(tree)
		require.NoError(t, err)
		srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
		var logs bytes.Buffer
		c, _ := faultClient(t, srv.URL, b2b.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		_, err = testkit.Do(t.Context(), c, tc, fixtures.Full)
		var de *b2b.DecodeError
		require.ErrorAs(t, err, &de)
		check(t, err, logs.String())
	})
	for name, answer := range map[string]string{
		"in a malformed status line": "HTTP/1.1 2x0 " + token + "\r\n\r\n",
		"in a malformed header line": "HTTP/1.1 200 OK\r\n" + token + "\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := rawServer(t, func(_ int, conn net.Conn) {
				if err := readRequest(conn); err == nil {
					_, _ = io.WriteString(conn, answer)
				}
			})
			var logs bytes.Buffer
			c, _ := faultClient(t, url, b2b.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
			var te *b2b.TransportError
			require.ErrorAs(t, err, &te)
			check(t, err, logs.String())
		})
	}
}

func TestShortSecretsDoNotMangleMessages(t *testing.T) {
	t.Parallel()
	secrets := []string{"used", "secret-long-enough-token"}
	assert.Equal(t, "the token was already used", b2b.Scrub(secrets, "the token was already used"),
		"a short secret inside a word run is left alone")
	assert.Equal(t, `token "[redacted]" is invalid`, b2b.Scrub(secrets, `token "used" is invalid`), "a quoted short secret is scrubbed")
	assert.Equal(t, "[redacted]", b2b.Scrub(secrets, "used"), "a value that is the secret is scrubbed")
	assert.Equal(t, "x [redacted] y", b2b.Scrub(secrets, "x secret-long-enough-token y"), "a long secret is scrubbed anywhere")
}

func TestHeaderValuesMustBeOneLine(t *testing.T) {
	t.Parallel()
	tc := one(t, "takes header parameters", func(op gen.Operation) bool { return len(op.Headers) > 0 })
	for _, bad := range []string{"tok\r\nX-Evil: 1", "tok\nx", "tok\rx", "tok\x00x", "tok\x7f", "\xff\xfe"} {
		for _, h := range tc.Op.Headers {
			opt, ok := testkit.HeaderOption(h.Name, bad)
			require.True(t, ok, h.Name)
			srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
			c, _ := faultClient(t, srv.URL)
			_, err := testkit.Call(t.Context(), c, tc.Minimal, opt)
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve, "%q", bad)
			assert.ErrorIs(t, err, b2b.ErrNotSent)
			assert.NotContains(t, err.Error(), bad, "the value is a credential")
			assert.Empty(t, srv.Requests(), "nothing is sent")
		}
	}
}

func TestDefaultClientSettings(t *testing.T) {
	t.Parallel()
	hc := b2b.NewHTTPClient()
	tr, ok := hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, int64(64<<10), tr.MaxResponseHeaderBytes, "headers are bounded far below net/http's 10 MiB")
	assert.Equal(t, 64, tr.MaxIdleConnsPerHost, "concurrent callers reuse connections")
	assert.Equal(t, 256, tr.MaxIdleConns)
	assert.Equal(t, 90*time.Second, tr.IdleConnTimeout)
	assert.Equal(t, 5*time.Second, tr.TLSHandshakeTimeout)
	assert.Equal(t, time.Second, tr.ExpectContinueTimeout)
	assert.NotNil(t, tr.DialContext)
	d := b2b.NewDialer()
	assert.Equal(t, 5*time.Second, d.Timeout, "a connection that cannot be made fails in 5s")
	assert.Equal(t, 30*time.Second, d.KeepAlive)
	assert.True(t, tr.ForceAttemptHTTP2)
	assert.NotNil(t, tr.Proxy, "proxies from the environment are honoured")
	require.NotNil(t, hc.CheckRedirect)
	assert.ErrorIs(t, hc.CheckRedirect(nil, nil), http.ErrUseLastResponse, "redirects are not followed")
	assert.Zero(t, hc.Timeout, "the SDK's own deadline bounds calls")
}

func TestHugeResponseHeadersAreRefused(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	big := strings.Repeat("a", 1<<20)
	url := rawServer(t, func(_ int, conn net.Conn) {
		if err := readRequest(conn); err == nil {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nX-Big: "+big+"\r\nContent-Length: 2\r\n\r\n{}")
		}
	})
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithBaseURL(url), b2b.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	var te *b2b.TransportError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, te.Error(), "header")
}

func TestOversizeDeclaredBodyFailsWithoutReadingIt(t *testing.T) {
	t.Parallel()
	tc := one(t, "consumes a token and sends a body", unsentWithBody)
	held := make(chan struct{})
	url := rawServer(t, func(_ int, conn net.Conn) {
		if err := readRequest(conn); err != nil {
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n{")
		// The body stalls: the client must give up at once instead of draining it.
		_ = conn.SetReadDeadline(time.Now().Add(4 * time.Second))
		var ne net.Error
		if _, err := conn.Read(make([]byte, 1)); errors.As(err, &ne) && ne.Timeout() {
			close(held) // the client kept the connection open all that time
		}
	})
	c, _ := faultClient(t, url, b2b.WithTimeout(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := testkit.Call(context.Background(), c, tc.Minimal)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, b2b.ErrResponseTooLarge)
	case <-held:
		t.Fatal("the client held the connection until the server gave up")
	}
}

// topSecret returns the JSON name of the first secret field at the top of op's params, or "".
func topSecret(op gen.Operation) string {
	for _, p := range op.SecretFields {
		if strings.Count(p, "/") == 1 {
			return p[1:]
		}
	}
	return ""
}

func TestInvalidUTF8IsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	tc := one(t, "consumes a secret field of its params", func(op gen.Operation) bool { return unsentWithBody(op) && topSecret(op) != "" })
	secret := topSecret(tc.Op)
	params := reflect.New(reflect.TypeOf(tc.Minimal).Elem())
	params.Elem().Set(reflect.ValueOf(tc.Full).Elem())
	f, ok := fieldByJSON(params.Elem().Type(), secret)
	require.True(t, ok)
	fv := params.Elem().FieldByIndex(f.Index)
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	fv.SetString("tok\xffen")
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	c, _ := faultClient(t, srv.URL)
	_, err := testkit.Call(t.Context(), c, params.Interface())
	var ve *b2b.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "utf8", ve.Rule)
	assert.Equal(t, secret, ve.Field)
	assert.NotContains(t, err.Error(), "tok\xffen")
	assert.Empty(t, srv.Requests())
}

func TestHugeRetryAfterIsCapped(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "99999999999999999999")
			testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		okWithRequestID(w, tc.Response)
	})
	c, waits := faultClient(t, srv.URL, b2b.WithTimeout(time.Hour))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{b2b.DefaultBackoff().RetryAfterCap}, waits.All(), "capped, not taken as absent")
}

func TestRetryableMeansSafeToSendAgain(t *testing.T) {
	t.Parallel()
	unsent := one(t, "consumes a token and sends a body", unsentWithBody)
	safe := one(t, "is repeatable", repeatable)
	cases := []struct {
		tc     fixtures.Case
		status int
		want   bool
	}{
		{unsent, http.StatusTooManyRequests, true},
		{safe, http.StatusTooManyRequests, true},
		{unsent, http.StatusInternalServerError, false},
		{unsent, http.StatusServiceUnavailable, false},
		{safe, http.StatusInternalServerError, true},
		{safe, http.StatusBadGateway, true},
		{unsent, http.StatusNotFound, false},
		{safe, http.StatusBadRequest, false},
	}
	for _, cs := range cases {
		srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3")
			testkit.Error(w, cs.status, "x", "y")
		})
		c, _ := faultClient(t, srv.URL, b2b.WithMaxRetries(0))
		_, err := testkit.Call(t.Context(), c, cs.tc.Minimal)
		var e *b2b.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, cs.want, e.Retryable(), "%s %d", cs.tc.Op.ID, cs.status)
		assert.Equal(t, 3*time.Second, e.RetryAfter, "the final answer's Retry-After is kept")
	}
}

func TestErrNotSent(t *testing.T) {
	t.Parallel()
	tc := one(t, "is repeatable", repeatable)
	c, _ := faultClient(t, closedPortURL(t))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	assert.ErrorIs(t, err, b2b.ErrNotSent, "a refused connection never carried the request")

	params := reflect.New(reflect.TypeOf(tc.Minimal).Elem()).Interface() // required fields empty
	require.Error(t, params.(b2b.Params).Validate(), "%s has a required field", tc.Op.ID)
	_, err = testkit.Call(t.Context(), c, params)
	assert.ErrorIs(t, err, b2b.ErrNotSent, "a validation error sends nothing")

	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		testkit.Error(w, http.StatusNotFound, "member_not_found", "no")
	})
	c, _ = faultClient(t, srv.URL)
	_, err = testkit.Call(t.Context(), c, tc.Minimal)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, b2b.ErrNotSent), "an answer came back: the request was sent")
}
