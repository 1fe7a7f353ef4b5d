package b2b_test

// Hostile and faulty servers: answers that net/http hands over in shapes the SDK must not trust
// (an unrequested protocol switch, a request echoed back as a status line, a secret in the
// Content-Type, an error body with one field of the wrong type) and transports that break the
// io.Reader contract. None of them may cause a panic, a hang, a leaked connection, a leaked secret
// or a lost status code.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// switchingServer answers every request with an unrequested 101 Switching Protocols and then
// keeps the connection open for 4s, as a server that switched protocols would. hungUp receives
// whether the client closed the connection before then.
func switchingServer(t *testing.T) (baseURL string, hungUp <-chan bool) {
	t.Helper()
	closed := make(chan bool, 1)
	url := rawServer(t, func(_ int, conn net.Conn) {
		if err := readRequest(conn); err != nil {
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nX-Request-Id: request-id-test-101\r\n\r\n")
		_ = conn.SetReadDeadline(time.Now().Add(4 * time.Second))
		_, err := conn.Read(make([]byte, 1))
		var ne net.Error
		closed <- !errors.As(err, &ne) || !ne.Timeout()
	})
	return url, closed
}

// requireHungUp checks that the client closed the connection of the 101 instead of holding it.
func requireHungUp(t *testing.T, hungUp <-chan bool) {
	t.Helper()
	select {
	case ok := <-hungUp:
		assert.True(t, ok, "the client held the switched connection until the server gave up")
	case <-time.After(5 * time.Second):
		t.Error("the server never saw the client hang up")
	}
}

func TestUnrequestedProtocolSwitchIsAnErrorNotAHang(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	url, hungUp := switchingServer(t)
	c, _ := faultClient(t, url, b2b.WithTimeout(300*time.Millisecond))
	token := "session-token-test-101-switch"

	start := time.Now()
	resp, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
	elapsed := time.Since(start)

	requireNoResponse(t, resp, err)
	assert.Less(t, elapsed, time.Second, "the call must not wait for the server to close the connection")
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusSwitchingProtocols, e.StatusCode)
	assert.Equal(t, "request-id-test-101", e.RequestID, "built from the headers")
	assert.NotEmpty(t, e.ErrorMessage)
	assert.NotContains(t, err.Error(), token)
	requireHungUp(t, hungUp)
}

func TestRawUnrequestedProtocolSwitchHasAnEmptyBody(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	url, hungUp := switchingServer(t)
	c, _ := faultClient(t, url, b2b.WithTimeout(300*time.Millisecond))
	token := "session-token-test-101-raw"

	start := time.Now()
	resp, err := c.Raw(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
	require.NoError(t, err, "Raw returns every answer, whatever its status")
	body, rerr := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	elapsed := time.Since(start)

	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	assert.Equal(t, "request-id-test-101", resp.Header.Get("X-Request-Id"))
	require.NoError(t, rerr)
	assert.Empty(t, body, "the switched connection is not handed over as the body")
	assert.Less(t, elapsed, time.Second, "reading the body must not wait for the server")
	requireHungUp(t, hungUp)
}

// echoServer answers each request with its own body as the status line, as a broken proxy might:
// net/http then fails with "malformed HTTP response" or "malformed HTTP status code" and quotes
// what it read.
func echoServer(t *testing.T) string {
	t.Helper()
	return rawServer(t, func(_ int, conn net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		_, _ = conn.Write(append(body, "\r\n\r\n"...))
	})
}

func TestRequestEchoedAsTheStatusLineLeaksNoSecret(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		password string
		absent   []string // what must not appear, in any case
	}{
		{"JSON-escaped", "Tr0ub4dor&3xyz", []string{"Tr0ub4dor"}},
		{"escaped everywhere", `Tr0ub4dor<"&\>é`, []string{"Tr0ub4dor"}},
		{"a passphrase", "correct horse battery staple", []string{"correct", "horse", "battery", "staple"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, _ := faultClient(t, echoServer(t), b2b.WithLogger(logger))
			token := "session-token-test-echoed-status-line"
			resp, err := c.Passwords.Sessions.Reset(t.Context(), &b2b.PasswordsSessionsResetParams{
				OrganizationID: "organization-test-echo", Password: tt.password, SessionToken: &token,
			})
			requireNoResponse(t, resp, err)
			var te *b2b.TransportError
			require.ErrorAs(t, err, &te)
			assert.Contains(t, err.Error(), "malformed HTTP", "the kind of failure is kept")
			for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", te.Err), logs.String()} {
				lower := strings.ToLower(out)
				for _, s := range append(tt.absent, token) {
					assert.NotContains(t, lower, strings.ToLower(s))
				}
			}
		})
	}
}

func TestScrubbingCoversEncodedForms(t *testing.T) {
	t.Parallel()
	secret := `Tr0ub4dor<"&\>é` + "\u2028"
	encoded := jsonString(t, secret)
	for name, text := range map[string]string{
		"as sent":               "x " + secret + " y",
		"JSON":                  "x " + encoded + " y",
		"Go-quoted":             fmt.Sprintf("x %q y", secret),
		"JSON, then Go-quoted":  fmt.Sprintf("x %q y", encoded),
		"Go-quoted, ASCII only": fmt.Sprintf("x %+q y", secret),
	} {
		out := b2b.Scrub([]string{secret}, text)
		assert.NotContains(t, out, "Tr0ub4dor", name)
		assert.Contains(t, out, gen.Redacted, name)
	}
	assert.Equal(t, `said \"[redacted]\"`, b2b.Scrub([]string{`a"b`}, `said \"a\\\"b\"`), "a short secret, quoted twice")
}

// jsonString returns s as encoding/json writes it inside a string literal.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	out, err := json.Marshal(s)
	require.NoError(t, err)
	return string(out[1 : len(out)-1])
}

func TestSecretInTheContentTypeIsNotReported(t *testing.T) {
	t.Parallel()
	token := "Session-Token-AbCdEfGhIjKlMnOp"
	for _, ct := range []string{"application/" + token, "application/" + strings.ToUpper(token), "text/plain; charset=" + token, token + "/json"} {
		t.Run(ct, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, "bad request")
			})
			c, _ := faultClient(t, srv.URL)
			resp, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
			requireNoResponse(t, resp, err)
			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, http.StatusBadRequest, e.StatusCode)
			for _, out := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err)} {
				assert.NotContains(t, strings.ToLower(out), strings.ToLower(token))
			}
		})
	}
	// A common content type is still named.
	srv := testkit.NewServer(t, testkit.Reply(http.StatusBadGateway, "Text/HTML; charset=utf-8", []byte("<html></html>")))
	c, _ := faultClient(t, srv.URL, b2b.WithMaxRetries(0))
	_, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.ErrorMessage, "text/html")
}

// overReader breaks the io.Reader contract: it reports more bytes than it was given room for.
type overReader struct{}

func (overReader) Read(p []byte) (int, error) { return len(p) + 10, nil }

func TestErrorBodyReaderThatOverReportsDoesNotPanic(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadRequest} {
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp := inMemory(r, status, nil)
			resp.ContentLength = -1
			resp.Body = io.NopCloser(overReader{})
			return resp, nil
		})}
		c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithHTTPClient(hc), b2b.WithMaxRetries(0))
		require.NoError(t, err)
		token := "session-token-test-over-reader"
		require.NotPanics(t, func() {
			resp, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
			requireNoResponse(t, resp, err)
			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, status, e.StatusCode, "the status is not lost")
			assert.NotEmpty(t, e.ErrorMessage)
		})
	}
}

// Client.Raw hands the body to the caller: a reader underneath that over-reports fails the read
// instead of panicking the caller's io.ReadAll.
func TestRawBodyReaderThatOverReportsDoesNotPanic(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp := inMemory(r, http.StatusOK, nil)
		resp.ContentLength = -1
		resp.Body = io.NopCloser(overReader{})
		return resp, nil
	})}
	c, err := b2b.NewClient(testkit.ProjectID, testkit.Secret, b2b.WithHTTPClient(hc), b2b.WithMaxRetries(0))
	require.NoError(t, err)
	token := "session-token-test-over-reader"
	resp, err := c.Raw(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.NotPanics(t, func() {
		_, err = io.ReadAll(resp.Body)
	})
	assert.Error(t, err)
}

func TestErrorBodyFieldsAreDecodedOneByOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		want       b2b.Error
	}{
		{
			"error_details of the wrong type",
			`{"status_code":404,"request_id":"rid-body","error_type":"session_not_found","error_message":"Session not found.","error_details":[]}`,
			b2b.Error{RequestID: "rid-body", ErrorType: "session_not_found", ErrorMessage: "Session not found."},
		},
		{
			"status_code and error_url of the wrong type",
			`{"status_code":"404","request_id":"rid-body","error_type":"session_not_found","error_url":7,"error_details":{"a":1}}`,
			b2b.Error{RequestID: "rid-body", ErrorType: "session_not_found", ErrorDetails: map[string]any{"a": float64(1)}},
		},
		{
			"request_id of the wrong type",
			`{"request_id":42,"error_type":"session_not_found","error_message":"Session not found."}`,
			b2b.Error{RequestID: testkit.HeaderRequestID, ErrorType: "session_not_found", ErrorMessage: "Session not found."},
		},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.Reply(http.StatusNotFound, "application/json", []byte(cs.body)))
			c, _ := faultClient(t, srv.URL)
			token := "session-token-test-fields"
			resp, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
			requireNoResponse(t, resp, err)
			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, http.StatusNotFound, e.StatusCode)
			assert.Equal(t, cs.want.RequestID, e.RequestID)
			assert.Equal(t, cs.want.ErrorType, e.ErrorType)
			assert.Equal(t, cs.want.ErrorMessage, e.ErrorMessage)
			assert.Equal(t, cs.want.ErrorDetails, e.ErrorDetails)
			assert.Empty(t, e.ErrorURL)
		})
	}
	// An object none of whose fields is a Stytch error field of the right type is not a Stytch error.
	srv := testkit.NewServer(t, testkit.Reply(http.StatusNotFound, "application/json", []byte(`{"error_type":{},"error_details":[]}`)))
	c, _ := faultClient(t, srv.URL)
	token := "session-token-test-fields"
	_, err := c.Sessions.Authenticate(t.Context(), &b2b.SessionsAuthenticateParams{SessionToken: &token})
	var e *b2b.Error
	require.ErrorAs(t, err, &e)
	assert.Empty(t, e.ErrorType)
	assert.Contains(t, e.ErrorMessage, "not a Stytch error")
}
