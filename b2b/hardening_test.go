package b2b

// Hardening (issue 12): the project secret never prints, custom HTTP clients never follow
// redirects, a 2xx that is not a success body is an error, echoed secrets are scrubbed from every
// error type and log line, header values are single lines, headers and oversize bodies are
// bounded, invalid UTF-8 is refused, and a huge Retry-After is capped.

import (
	"bytes"
	"context"
	"encoding/base64"
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

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// hardCase returns the fixture of the first operation (by ID) for which keep is true.
func hardCase(t *testing.T, what string, keep func(gen.Operation) bool) fixtures.Case {
	t.Helper()
	for _, c := range fixtures.Cases() {
		if keep(c.Op) {
			return c
		}
	}
	t.Fatalf("the spec has no operation that %s", what)
	return fixtures.Case{}
}

func unsentWithBody(op gen.Operation) bool { return !op.Retry.Repeatable() && op.HasBody }
func repeatable(op gen.Operation) bool     { return op.Retry.Repeatable() }

func hasHeader(name string) func(gen.Operation) bool {
	return func(op gen.Operation) bool {
		return slices.ContainsFunc(op.Headers, func(h gen.HeaderParam) bool { return strings.EqualFold(h.Name, name) })
	}
}

// subClients returns the client and every sub-client reachable through its exported fields.
func subClients(c *Client) []any {
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
	c, err := NewClient(resProjectID, resSecret)
	require.NoError(t, err)
	// The oracle is computed here, independently of the code under test.
	encoded := base64.StdEncoding.EncodeToString([]byte(resProjectID + ":" + resSecret))
	values := subClients(c)
	require.Greater(t, len(values), 5, "the walk found the sub-clients")
	type holder struct {
		Client  *Client
		private *Client
	}
	values = append(values, holder{Client: c, private: c}, &holder{Client: c, private: c}, *c)
	for _, v := range values {
		for _, verb := range []string{"%s", "%q", "%t", "%v", "%+v", "%#v", "%x", "%X", "%d", "%p", "%T"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, resSecret, "%s of %T", verb, v)
			assert.NotContains(t, out, encoded, "%s of %T", verb, v)
		}
		var buf bytes.Buffer
		log.New(&buf, "", 0).Printf("client: %s %v", v, v)
		for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
			slog.New(h).Info("client", "c", v)
		}
		assert.NotContains(t, buf.String(), resSecret, "log of %T", v)
		assert.NotContains(t, buf.String(), encoded, "log of %T", v)
	}
}

func TestCustomHTTPClientsNeverFollowRedirects(t *testing.T) {
	tc := hardCase(t, "consumes a token and sends a body", unsentWithBody)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, where := range []string{"another host", "the same host on another port"} {
			t.Run(fmt.Sprintf("%d to %s", status, where), func(t *testing.T) {
				resNoLeaks(t)
				target := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, tc.Response) })
				targetURL := target.URL
				if where == "another host" {
					targetURL = strings.Replace(targetURL, "127.0.0.1", "localhost", 1)
				}
				origin := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, targetURL+r.URL.Path, status)
				})
				tr := &http.Transport{}
				t.Cleanup(tr.CloseIdleConnections)
				hc := &http.Client{Transport: tr} // Go's default: follow up to 10 redirects
				c, _ := resClient(t, origin.URL, WithHTTPClient(hc))

				resp, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)

				resRequireNoResponse(t, resp, err)
				var e *Error
				require.ErrorAs(t, err, &e, "a redirect is an answer, not Stytch's")
				assert.Equal(t, status, e.StatusCode)
				assert.Empty(t, target.Hits(), "nothing of the call may reach the redirect target")
				assert.Len(t, origin.Hits(), 1)
				assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
			})
		}
	}
}

func TestSuccessStatusWithoutASuccessBody(t *testing.T) {
	tc := hardCase(t, "consumes a token and sends a body", unsentWithBody)
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
			srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, cs.body)
			})
			c, _ := resClient(t, srv.URL)
			resp, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
			resRequireNoResponse(t, resp, err)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Contains(t, de.Error(), cs.want)
			assert.Equal(t, cs.requestID, de.RequestID, "the body's request_id, when it has one")
			assert.ErrorIs(t, err, ErrOutcomeUnknown, "Stytch may have consumed the token")
			assert.Len(t, srv.Hits(), 1, "not retried")
		})
	}
}

func TestEchoedSecretsAreScrubbedFromEveryError(t *testing.T) {
	tc := hardCase(t, "consumes a token and sends a body", unsentWithBody)
	secrets := fixtures.Secrets(tc)
	require.NotEmpty(t, secrets)
	token := secrets[0]
	all := append(slices.Clone(secrets), resSecret, base64.StdEncoding.EncodeToString([]byte(resProjectID+":"+resSecret)))

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
		srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "id-"+token)
			_, _ = io.WriteString(w, `{"request_id": 7}`)
		})
		var logs bytes.Buffer
		c, _ := resClient(t, srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		_, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)
		var de *DecodeError
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.RequestID, gen.Redacted)
		check(t, err, logs.String())
	})
	t.Run("in a date field", func(t *testing.T) {
		srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			body := strings.Replace(string(tc.Response), `"status_code"`, `"intermediate_session_token_expires_at":"`+token+`","status_code"`, 1)
			_, _ = io.WriteString(w, body)
		})
		var logs bytes.Buffer
		c, _ := resClient(t, srv.URL, WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		_, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)
		var de *DecodeError
		require.ErrorAs(t, err, &de)
		check(t, err, logs.String())
	})
	for name, answer := range map[string]string{
		"in a malformed status line": "HTTP/1.1 2x0 " + token + "\r\n\r\n",
		"in a malformed header line": "HTTP/1.1 200 OK\r\n" + token + "\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			url := resRawServer(t, func(n int, conn net.Conn) {
				if _, _, err := resReadRequest(conn); err == nil {
					_, _ = io.WriteString(conn, answer)
				}
			})
			var logs bytes.Buffer
			c, _ := resClient(t, url, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := resInvoke(t.Context(), t, c, tc.Full, tc.Headers)
			var te *TransportError
			require.ErrorAs(t, err, &te)
			check(t, err, logs.String())
		})
	}
}

func TestShortSecretsDoNotMangleMessages(t *testing.T) {
	sc := newScrubber([]string{"used", "secret-long-enough-token"})
	assert.Equal(t, "the token was already used", sc.String("the token was already used"),
		"a short secret inside a word run is left alone")
	assert.Equal(t, `token "[redacted]" is invalid`, sc.String(`token "used" is invalid`), "a quoted short secret is scrubbed")
	assert.Equal(t, "[redacted]", sc.String("used"), "a value that is the secret is scrubbed")
	assert.Equal(t, "x [redacted] y", sc.String("x secret-long-enough-token y"), "a long secret is scrubbed anywhere")
}

func TestHeaderValuesMustBeOneLine(t *testing.T) {
	tc := hardCase(t, "takes the member-session header", hasHeader(memberSessionHeader))
	for _, bad := range []string{"tok\r\nX-Evil: 1", "tok\nx", "tok\rx", "tok\x00x", "tok\x7f", "\xff\xfe"} {
		for _, opt := range []CallOption{WithMemberSession(bad), WithMemberSessionJWT(bad)} {
			srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, tc.Response) })
			c, _ := resClient(t, srv.URL)
			_, err := resInvokeOpts(t.Context(), t, c, tc.Minimal, opt)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "%q", bad)
			assert.ErrorIs(t, err, ErrNotSent)
			assert.NotContains(t, err.Error(), bad, "the value is a credential")
			assert.Empty(t, srv.Hits(), "nothing is sent")
		}
	}
}

// resInvokeOpts calls the facade method for params with per-call options.
func resInvokeOpts(ctx context.Context, t testing.TB, c *Client, params any, opts ...CallOption) (reflect.Value, error) {
	t.Helper()
	m, ok := resMethods(c)[reflect.TypeOf(params)]
	require.True(t, ok, "no facade method takes %T", params)
	args := []reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(params)}
	for _, o := range opts {
		args = append(args, reflect.ValueOf(o))
	}
	out := m.Call(args)
	err, _ := out[1].Interface().(error)
	return out[0], err
}

func TestDefaultClientSettings(t *testing.T) {
	hc := newHTTPClient()
	tr, ok := hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, int64(64<<10), tr.MaxResponseHeaderBytes, "headers are bounded far below net/http's 10 MiB")
	assert.Equal(t, 64, tr.MaxIdleConnsPerHost, "concurrent callers reuse connections")
	assert.Equal(t, 256, tr.MaxIdleConns)
	assert.Equal(t, 90*time.Second, tr.IdleConnTimeout)
	assert.Equal(t, 5*time.Second, tr.TLSHandshakeTimeout)
	assert.True(t, tr.ForceAttemptHTTP2)
	assert.NotNil(t, tr.Proxy, "proxies from the environment are honoured")
	require.NotNil(t, hc.CheckRedirect)
	assert.ErrorIs(t, hc.CheckRedirect(nil, nil), http.ErrUseLastResponse, "redirects are not followed")
	assert.Zero(t, hc.Timeout, "the SDK's own deadline bounds calls")
}

func TestHugeResponseHeadersAreRefused(t *testing.T) {
	tc := resGET(t)
	big := strings.Repeat("a", 1<<20)
	url := resRawServer(t, func(n int, conn net.Conn) {
		if _, _, err := resReadRequest(conn); err == nil {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nX-Big: "+big+"\r\nContent-Length: 2\r\n\r\n{}")
		}
	})
	c, err := NewClient(resProjectID, resSecret, WithBaseURL(url), WithMaxRetries(0))
	require.NoError(t, err)
	_, err = resInvoke(t.Context(), t, c, tc.Minimal, nil)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, te.Error(), "header")
}

func TestOversizeDeclaredBodyFailsWithoutReadingIt(t *testing.T) {
	tc := hardCase(t, "consumes a token and sends a body", unsentWithBody)
	held := make(chan struct{})
	url := resRawServer(t, func(n int, conn net.Conn) {
		if _, _, err := resReadRequest(conn); err != nil {
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
	c, _ := resClient(t, url, WithTimeout(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := resInvoke(context.Background(), t, c, tc.Minimal, nil)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrResponseTooLarge)
	case <-held:
		t.Fatal("the client held the connection until the server gave up")
	}
}

func TestInvalidUTF8IsRefusedBeforeSending(t *testing.T) {
	tc := hardCase(t, "consumes a token and sends a body", unsentWithBody)
	secret := tc.Op.SecretFields[0][1:]
	params := reflect.New(reflect.TypeOf(tc.Minimal).Elem())
	params.Elem().Set(reflect.ValueOf(tc.Full).Elem())
	f, ok := resFieldByJSON(params.Elem().Type(), secret)
	require.True(t, ok)
	fv := params.Elem().FieldByIndex(f.Index)
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	fv.SetString("tok\xffen")
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resOK(w, tc.Response) })
	c, _ := resClient(t, srv.URL)
	_, err := resInvoke(t.Context(), t, c, params.Interface(), nil)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "utf8", ve.Rule)
	assert.Equal(t, secret, ve.Field)
	assert.NotContains(t, err.Error(), "tok\xffen")
	assert.Empty(t, srv.Hits())
}

func TestHugeRetryAfterIsCapped(t *testing.T) {
	tc := resGET(t)
	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "99999999999999999999")
			resStytchError(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
			return
		}
		resOK(w, tc.Response)
	})
	c, waits := resClient(t, srv.URL, WithTimeout(time.Hour))
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{defaultBackoff.retryAfterCap}, waits.all(), "capped, not taken as absent")
}

func TestRetryableMeansSafeToSendAgain(t *testing.T) {
	unsent := hardCase(t, "consumes a token and sends a body", unsentWithBody)
	safe := hardCase(t, "is repeatable", repeatable)
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
		srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3")
			resStytchError(w, cs.status, "x", "y")
		})
		c, _ := resClient(t, srv.URL, WithMaxRetries(0))
		_, err := resInvoke(t.Context(), t, c, cs.tc.Minimal, nil)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, cs.want, e.Retryable(), "%s %d", cs.tc.Op.ID, cs.status)
		assert.Equal(t, 3*time.Second, e.RetryAfter, "the final answer's Retry-After is kept")
	}
}

func TestErrNotSent(t *testing.T) {
	tc := resGET(t)
	c, _ := resClient(t, resClosedPortURL(t))
	_, err := resInvoke(t.Context(), t, c, tc.Minimal, nil)
	assert.ErrorIs(t, err, ErrNotSent, "a refused connection never carried the request")

	params := reflect.New(reflect.TypeOf(tc.Minimal).Elem()).Interface() // required fields empty
	_, err = resInvoke(t.Context(), t, c, params, nil)
	assert.ErrorIs(t, err, ErrNotSent, "a validation error sends nothing")

	srv := resNewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resStytchError(w, http.StatusNotFound, "member_not_found", "no")
	})
	c, _ = resClient(t, srv.URL)
	_, err = resInvoke(t.Context(), t, c, tc.Minimal, nil)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotSent), "an answer came back: the request was sent")
}
