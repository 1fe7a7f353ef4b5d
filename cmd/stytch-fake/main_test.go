package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the command with args until the test ends and returns its URL.
func start(t *testing.T, args ...string) (url string, out *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), out, ready) }()
	select {
	case url = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("stytch-fake did not start: %v\n%s", err, out)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("stytch-fake did not start in time")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("stytch-fake did not shut down within its bound")
		}
	})
	return url, out
}

func tlsClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pemCA, err := os.ReadFile(caFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemCA))
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
}

func TestServesOverTLSWithTheCAItWrites(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	url, out := start(t, "-tls", "-ca-file", caFile, "-cert-hosts", "stytch,10.9.9.9")
	assert.True(t, strings.HasPrefix(url, "https://127.0.0.1:"))
	pemCA, err := os.ReadFile(caFile)
	require.NoError(t, err)
	dialer := &tls.Dialer{Config: &tls.Config{RootCAs: func() *x509.CertPool {
		p := x509.NewCertPool()
		p.AppendCertsFromPEM(pemCA)
		return p
	}(), ServerName: "stytch"}}
	conn, err := dialer.DialContext(t.Context(), "tcp", strings.TrimPrefix(url, "https://"))
	require.NoError(t, err, "the certificate covers -cert-hosts")
	require.NoError(t, conn.Close())
	assert.Contains(t, out.String(), "stytch-fake: serving "+url)
	assert.Contains(t, out.String(), "CA certificate "+caFile)

	c, err := b2b.NewClient(b2btest.ProjectID, b2btest.Secret, b2b.WithBaseURL(url), b2b.WithHTTPClient(tlsClient(t, caFile)))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-1", EmailAddress: "ada@example.com"})
	require.NoError(t, err)

	// The control API reads the email the login sent.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+b2btest.ControlPath+"emails", nil)
	require.NoError(t, err)
	resp, err := tlsClient(t, caFile).Do(req)
	require.NoError(t, err)
	defer func() { assert.NoError(t, resp.Body.Close()) }()
	var emails struct {
		Emails []struct{ To, Token string } `json:"emails"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&emails))
	require.Len(t, emails.Emails, 1)
	auth, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: emails.Emails[0].Token})
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", auth.Member.EmailAddress)

	// A client that does not trust the CA is refused.
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, url+b2btest.JWKSPath+"p", nil)
	require.NoError(t, err)
	untrusted, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = untrusted.Body.Close()
	}
	require.Error(t, err)
}

func TestShutdownEndsADelayedRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &syncBuffer{}, ready) }()
	url := <-ready
	body := strings.NewReader(`{"operation":"recoveryCodesGet","delay_ms":240000}`)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+b2btest.ControlPath+"scripts", body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/v1/b2b/recovery_codes/o/m", nil)
		req.SetBasicAuth("p", "s")
		if r, err := http.DefaultClient.Do(req); err == nil {
			_ = r.Body.Close() // the answer does not matter: the request only has to be in flight
		}
	}()
	time.Sleep(100 * time.Millisecond)
	startStop := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
		assert.Less(t, time.Since(startStop), 6*time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown waits for a scripted delay")
	}
}

func TestSeedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	yamlSeed := write("seed.yaml", `
organizations:
  - organization_id: org-acme
    organization_name: Acme
    mfa_policy: REQUIRED_FOR_ALL
members:
  - organization_id: org-acme
    email_address: ada@acme.example
    name: Ada
`)
	jsonSeed := write("seed.json", `{"organizations":[{"organization_id":"org-acme","organization_name":"Acme","mfa_policy":"REQUIRED_FOR_ALL"}],
		"members":[{"organization_id":"org-acme","email_address":"ada@acme.example","name":"Ada"}]}`)
	for _, seed := range []string{yamlSeed, jsonSeed} {
		t.Run(filepath.Ext(seed), func(t *testing.T) {
			url, _ := start(t, "-seed", seed, "-strict")
			c, err := b2b.NewClient(b2btest.ProjectID, b2btest.Secret, b2b.WithBaseURL(url))
			require.NoError(t, err)
			resp, err := c.MagicLinks.Email.LoginOrSignup(context.Background(), &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-acme", EmailAddress: "ada@acme.example"})
			require.NoError(t, err)
			assert.False(t, resp.MemberCreated)
			assert.Equal(t, "Ada", resp.Member.Name)
			assert.Equal(t, "Acme", resp.Organization.OrganizationName)
			assert.EqualValues(t, "REQUIRED_FOR_ALL", resp.Organization.MFAPolicy)
			_, err = c.MagicLinks.Email.LoginOrSignup(context.Background(), &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-other", EmailAddress: "ada@acme.example"})
			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.EqualValues(t, "organization_not_found", e.ErrorType, "-strict")
		})
	}

	for _, tc := range []struct{ name, content, want string }{
		{"unknown property", "organizations:\n  - organization_id: o\n    mfa_polcy: OPTIONAL\n", `organizations[0]: Organization has no property "mfa_polcy"`},
		{"wrong type", `{"members":[{"organization_id":"o","email_address":"a@b.example","mfa_enrolled":"yes"}]}`, "members[0]: mfa_enrolled"},
		{"unknown known value", "organizations:\n  - organization_id: o\n    mfa_policy: REQUIRED\n", `Organization.MFAPolicy: "REQUIRED" is not a known value`},
		{"member without organization", "members:\n  - email_address: a@b.example\n", "members[0]: organization_id and email_address are required"},
		{"unknown top-level key", "orgs: []\n", `unknown top-level key "orgs"`},
		{"not a list", "organizations: {}\n", "organizations must be a list"},
		{"not YAML", "organizations: [\n", "not JSON or YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-seed", write(strings.ReplaceAll(tc.name, " ", "-")+".yaml", tc.content)}, &syncBuffer{}, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	err := run(context.Background(), []string{"-seed", filepath.Join(dir, "missing.yaml")}, &syncBuffer{}, nil)
	assert.ErrorContains(t, err, "missing.yaml")
	assert.ErrorIs(t, run(context.Background(), []string{"extra"}, &syncBuffer{}, nil), errUsage)
}

// TestOfficialNodeSDK runs the official Node SDK's B2B client (npm stytch 14.2.0) against
// stytch-fake -tls for a magic-link login. It installs the package with npm into a temporary
// directory, and is skipped when node or npm is missing, when npm cannot install it, or in -short
// mode.
func TestOfficialNodeSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("installs an npm package")
	}
	node, nerr := exec.LookPath("node")
	npm, perr := exec.LookPath("npm")
	if nerr != nil || perr != nil {
		t.Skip("node or npm is not installed")
	}
	dir := t.TempDir()
	install := exec.CommandContext(t.Context(), npm, "install", "--no-audit", "--no-fund", "--silent", "stytch@14.2.0") //nolint:gosec // G204: npm on PATH, a pinned package
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm cannot install stytch@14.2.0 here: %v\n%s", err, out)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	url, _ := start(t, "-tls", "-ca-file", caFile)
	script := `
const stytch = require("stytch");
const client = new stytch.B2BClient({project_id: "project-test-node", secret: "secret-test-node", custom_base_url: process.env.FAKE_URL});
(async () => {
  await client.magicLinks.email.loginOrSignup({organization_id: "org-node", email_address: "node@example.com"});
  const res = await fetch(process.env.FAKE_URL + "/_b2btest/emails");
  const {emails} = await res.json();
  const auth = await client.magicLinks.authenticate({magic_links_token: emails[0].token, session_duration_minutes: 60});
  const local = await client.sessions.authenticateJwtLocal({session_jwt: auth.session_jwt});
  console.log(JSON.stringify({member: auth.member.email_address, authenticated: auth.member_authenticated, session: local.member_session_id || (local.member_session && local.member_session.member_session_id) || ""}));
})().catch((e) => { console.error(e); process.exit(1); });
`
	cmd := exec.CommandContext(t.Context(), node, "-e", script) //nolint:gosec // G204: node on PATH running the test's own script
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAKE_URL="+url, "NODE_EXTRA_CA_CERTS="+caFile)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		Member        string
		Authenticated bool
		Session       string
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &got), "%s", out)
	assert.Equal(t, "node@example.com", got.Member)
	assert.True(t, got.Authenticated)
	assert.NotEmpty(t, got.Session, "the Node SDK verified the fake's session JWT locally")
}
