package b2btest_test

// Requests a buggy or hostile client sends: the fake answers each with the API's error (or hangs
// up), never with an empty 200, and keeps secrets out of what it records.

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// rawRequest is send with the fake's credentials, for tests that look at the status and the body
// as text.
func rawRequest(t *testing.T, srv *b2btest.Server, method, path, body string) (int, string) {
	t.Helper()
	r := send(t, srv, method, path, body, true)
	return r.status, string(r.body)
}

// A body that breaks off gets no answer: the fake hangs up instead of letting net/http send an
// empty 200.
func TestBrokenBodyGetsNoAnswer(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: fake\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
		b2btest.MagicLinksAuthenticate.Path, base64.StdEncoding.EncodeToString([]byte("project-test:secret")))
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite()) // the other 99 bytes never come
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	got, _ := io.ReadAll(conn)
	assert.Empty(t, string(got), "no answer, not an empty 200")
}

// Closing the server while a scripted delay holds a request hangs up on it.
func TestCloseDuringADelayGetsNoAnswer(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewStandalone()
	srv.On(b2btest.RecoveryCodesRotate).Delay(time.Minute)
	go func() {
		time.Sleep(100 * time.Millisecond)
		srv.Close()
	}()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+b2btest.RecoveryCodesRotate.Path,
		strings.NewReader(`{"organization_id":"org-1","member_id":"member-1"}`))
	require.NoError(t, err)
	req.SetBasicAuth(b2btest.ProjectID, "secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Errorf("got an answer, %d, from a server closed during the delay", resp.StatusCode)
	}
}

// An operation with path parameters takes its params from the path, whatever body comes with it;
// a path parameter that is not UTF-8 once unescaped is 400 naming it.
func TestPathParametersComeFromThePath(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	path := strings.NewReplacer("{organization_id}", "org-a", "{member_id}", "member-a").Replace(b2btest.RecoveryCodesGet.Path)
	for _, body := range []string{"", `{"organization_id":"org-b","member_id":"member-b"}`, `{}`} {
		status, got := rawRequest(t, srv, http.MethodGet, path, body)
		require.Equal(t, http.StatusOK, status, got)
		assert.Contains(t, got, `"member_id":"member-a"`, "body %q", body)
	}
	path = strings.NewReplacer("{organization_id}", "org-a", "{member_id}", "%ff").Replace(b2btest.RecoveryCodesGet.Path)
	status, got := rawRequest(t, srv, http.MethodGet, path, "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, got, "member_id")
	assert.Contains(t, got, "violations")
}

// A secret under a name its operation does not have (another operation's secret, or a secret's
// name in another case) is redacted in the recording too.
func TestForeignSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	rawRequest(t, srv, http.MethodPost, b2btest.SessionsAuthenticate.Path, `{"session_token":"t-1","password":"hunter2-secret"}`)
	rawRequest(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, `{"Magic_Links_Token":"magic-secret"}`)
	_, control := rawRequest(t, srv, http.MethodGet, b2btest.ControlPath+"requests", "")
	recorded := fmt.Sprintf("%+v", srv.Requests())
	for _, secret := range []string{"hunter2-secret", "magic-secret"} {
		assert.NotContains(t, recorded, secret)
		assert.NotContains(t, control, secret)
	}
	assert.Contains(t, recorded, gen.Redacted)
}

// Whole numbers written as decimals are integers for the spec, so the fake takes them; a body the
// validator let through but that cannot be decoded (a second JSON value) is 400 with violations.
func TestBodiesTheValidatorAccepts(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, minutes := range []string{"60.0", "6e1"} {
		body := `{"magic_links_token":"` + srv.Token(b2btest.MagicLinksAuthenticate, "", "ada@example.com") + `","session_duration_minutes":` + minutes + `}`
		status, got := rawRequest(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, body)
		assert.Equal(t, http.StatusOK, status, "%s: %s", minutes, got)
	}
	status, got := rawRequest(t, srv, http.MethodPost, b2btest.MagicLinksAuthenticate.Path, `{"magic_links_token":"t-2"} {"magic_links_token":"t-3"}`)
	if status != http.StatusOK { // the validator may refuse it first; either way no bare decode error
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, got, "violations")
	}
}

// The scheme name of HTTP Basic credentials is case-insensitive.
func TestLowercaseBasicScheme(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+b2btest.RecoveryCodesRotate.Path,
		strings.NewReader(`{"organization_id":"org-1","member_id":"member-1"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "basic "+base64.StdEncoding.EncodeToString([]byte("project-test:secret")))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// The control API refuses scripts beyond its bounds instead of overflowing or holding the lock.
func TestControlScriptBounds(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	for _, body := range []string{
		`{"operation":"magicLinksAuthenticate","times":5000000,"fail":{"status":503,"error_type":"internal_server_error"}}`,
		`{"operation":"sessionsAuthenticate","delay_ms":9223372036854775807}`,
		`{"operation":"recoveryCodesRotate","rate_limit":{"retry_after_seconds":1e10}}`,
		`{"operation":"recoveryCodesRotate","rate_limit":{"retry_after_seconds":-1}}`,
	} {
		status, got := rawRequest(t, srv, http.MethodPost, b2btest.ControlPath+"scripts", body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", body, got)
	}
	status, got := rawRequest(t, srv, http.MethodPost, b2btest.ControlPath+"scripts",
		`{"operation":"recoveryCodesRotate","times":10000,"fail":{"status":503,"error_type":"internal_server_error"}}`)
	assert.Equal(t, http.StatusOK, status, got)
}
