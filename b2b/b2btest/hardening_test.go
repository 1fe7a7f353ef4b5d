package b2btest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// TestUnknownRoutesAreRecordedRedacted: a base URL with a doubled /v1 sends every call to no
// route; the record still hides the credentials and every field secret somewhere in the spec.
func TestUnknownRoutesAreRecordedRedacted(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	c, err := b2b.NewClient(b2btest.ProjectID, b2btest.Secret, b2b.WithBaseURL(srv.URL+"/v1"), b2b.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: "secret-magic-token", SessionToken: b2b.Ptr("secret-session-token"), TelemetryID: b2b.Ptr("telemetry-1")})
	requireStytchError(t, err, http.StatusNotFound, "route_not_found")
	_, err = c.MagicLinks.Email.Invite(context.Background(), &b2b.MagicLinksEmailInviteParams{OrganizationID: "o", EmailAddress: "a@example.com"},
		b2b.WithMemberSession("secret-header-session"))
	requireStytchError(t, err, http.StatusNotFound, "route_not_found")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "", reqs[0].Operation)
	assert.Equal(t, "/v1/v1/b2b/magic_links/authenticate", reqs[0].Path)
	assert.Equal(t, gen.Redacted, reqs[0].Body["magic_links_token"])
	assert.Equal(t, gen.Redacted, reqs[0].Body["session_token"])
	assert.Equal(t, "telemetry-1", reqs[0].Body["telemetry_id"])
	assert.Equal(t, gen.Redacted, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, gen.Redacted, reqs[1].Header.Get("X-Stytch-Member-Session"))
	dump := fmt.Sprintf("%+v", reqs)
	assert.NotContains(t, dump, "secret-")
	assert.NotContains(t, dump, b2btest.Secret)
}

// TestBodyCap: a body over MaxBodyBytes is answered 413 with a Stytch error as soon as the cap
// is crossed, without reading the rest.
func TestBodyCap(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	big := `{"magic_links_token":"` + strings.Repeat("a", b2btest.MaxBodyBytes) + `"}`
	resp := send(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, big, true)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	e := resp.errorBody(t)
	assert.Equal(t, b2b.ErrorTypeInvalidRequest, e.ErrorType)
	assert.Equal(t, int32(413), e.StatusCode)
	assert.Contains(t, e.ErrorMessage, "MaxBodyBytes")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.StatusRequestEntityTooLarge, reqs[0].Status)
	assert.Nil(t, reqs[0].Body)

	t.Run("a chunked body is cut off at the cap", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte(`{"magic_links_token":"`))
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			for range 64 { // 4 MiB, never all read
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			_ = pw.Close() // a pipe's Close always returns nil
		}()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+b2btest.MagicLinksAuthenticate.Path, pr)
		require.NoError(t, err)
		req.SetBasicAuth("p", "s")
		got := do(t, req)
		_ = pr.Close() // a pipe's Close always returns nil
		assert.Equal(t, http.StatusRequestEntityTooLarge, got.status)
	})

	t.Run("a body just under the cap is read", func(t *testing.T) {
		body := `{"magic_links_token":"` + strings.Repeat("a", b2btest.MaxBodyBytes-64) + `"}`
		resp := send(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, body, true)
		assert.Equal(t, http.StatusOK, resp.status)
	})
}

// TestCloseIsBoundedWithAHalfSentBody: a client that announced a body and stopped sending does not
// hold Close.
func TestCloseIsBoundedWithAHalfSentBody(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewStandalone()
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }() // after Close, the server may have cut it already
	_, err = fmt.Fprintf(conn, "POST /v1/b2b/magic_links/authenticate HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cDpz\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"magic")
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond) // the handler is now reading the body
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a client holds a half-sent body")
	}
}

// TestScriptsRefuseImpossibleAnswers: a status no HTTP answer can have, or an unencodable body,
// panics at the call that scripts it, naming it.
func TestScriptsRefuseImpossibleAnswers(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, status := range []int{0, 99, 100, 199, 204, 304, 600, 1000} {
		msg := panicMessage(func() { srv.On(b2btest.MagicLinksAuthenticate).RespondJSON(status, map[string]any{}) })
		assert.Contains(t, msg, fmt.Sprintf("On(MagicLinksAuthenticate).RespondJSON(%d", status), "status %d", status)
	}
	assert.Contains(t, panicMessage(func() { srv.On(b2btest.MagicLinksAuthenticate).RespondJSON(200, func() {}) }), "cannot be encoded")
	assert.Contains(t, panicMessage(func() { srv.On(b2btest.MagicLinksAuthenticate).Fail(200, "x") }), "On(MagicLinksAuthenticate).Fail(200")
	assert.Contains(t, panicMessage(func() { srv.On(b2btest.MagicLinksAuthenticate).Fail(500, "") }), "error type")
	assert.Equal(t, 0, srv.Pending(b2btest.MagicLinksAuthenticate))

	// Possible ones are sent as scripted, raw JSON as it is.
	srv.On(b2btest.MagicLinksEmailDiscoverySend).RespondJSON(299, []byte(`{"odd":true}`))
	resp := send(t, srv, http.MethodPost, b2btest.MagicLinksEmailDiscoverySend.Path, `{"email_address":"a@example.com"}`, true)
	assert.Equal(t, 299, resp.status)
	assert.JSONEq(t, `{"odd":true}`, string(resp.body))
}

func panicMessage(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return ""
}
