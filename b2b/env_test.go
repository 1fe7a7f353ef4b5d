package b2b_test

// NewClient: environment detection, option checking, and no network I/O.

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

func TestEnvironmentFromProjectID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://api.stytch.com", b2b.LiveBaseURL)
	assert.Equal(t, "https://test.stytch.com", b2b.TestBaseURL)
	tests := []struct {
		projectID string
		want      string
	}{
		{"project-live-3f1c6a0e-9b7d-4e2a-8c5f-1d2e3f4a5b6c", b2b.LiveBaseURL},
		{"project-live-", b2b.LiveBaseURL},
		{"project-test-3f1c6a0e-9b7d-4e2a-8c5f-1d2e3f4a5b6c", b2b.TestBaseURL},
		{"project-3f1c6a0e", b2b.TestBaseURL},
		{"PROJECT-LIVE-3f1c6a0e", b2b.TestBaseURL}, // the prefix is case-sensitive, as in the official SDKs
		{"my-project-live-3f1c6a0e", b2b.TestBaseURL},
		{"live", b2b.TestBaseURL},
		{"x", b2b.TestBaseURL},
	}
	for _, tt := range tests {
		t.Run(tt.projectID, func(t *testing.T) {
			t.Parallel()
			c, err := b2b.NewClient(tt.projectID, "secret")
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestWithBaseURLOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		projectID, baseURL, want string
	}{
		{"project-live-1", "https://test.stytch.com", "https://test.stytch.com"},
		{"project-test-1", "https://api.stytch.com", "https://api.stytch.com"},
		{"project-test-1", "http://127.0.0.1:8080/prefix", "http://127.0.0.1:8080/prefix"},
		{"project-test-1", "http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080/prefix"},
		{"project-test-1", "https://proxy.example/stytch/b2b", "https://proxy.example/stytch/b2b"},
		{"project-live-1", "http://[::1]:9000", "http://[::1]:9000"},
	}
	for _, tt := range tests {
		t.Run(tt.projectID+" "+tt.baseURL, func(t *testing.T) {
			t.Parallel()
			c, err := b2b.NewClient(tt.projectID, "secret", b2b.WithBaseURL(tt.baseURL))
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestNewClientRejectsBadInput(t *testing.T) {
	t.Parallel()
	const secret = "facade-do-not-print-this-secret" //nolint:gosec // G101: made up, to check that no error message prints it
	tests := []struct {
		name      string
		projectID string
		secret    string
		opts      []b2b.Option
		mention   string // a word the error must contain
	}{
		{"empty project ID", "", secret, nil, "project ID"},
		{"empty secret", "project-test-1", "", nil, "secret"},
		{"base URL ::", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("::")}, "WithBaseURL"},
		{"base URL ftp", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("ftp://x")}, "scheme"},
		{"base URL without host", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("http://")}, "host"},
		{"base URL with query", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("https://test.stytch.com?env=x")}, "query"},
		{"base URL with fragment", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("https://test.stytch.com#x")}, "fragment"},
		{"base URL with user info", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("https://user:pw@test.stytch.com")}, "user info"},
		{"relative base URL", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("/v1")}, "scheme"},
		{"empty base URL", "project-test-1", secret, []b2b.Option{b2b.WithBaseURL("")}, "WithBaseURL"},
		{"nil HTTP client", "project-test-1", secret, []b2b.Option{b2b.WithHTTPClient(nil)}, "http.Client"},
		{"negative timeout", "project-test-1", secret, []b2b.Option{b2b.WithTimeout(-time.Nanosecond)}, "WithTimeout"},
		{"negative retries", "project-test-1", secret, []b2b.Option{b2b.WithMaxRetries(-1)}, "WithMaxRetries"},
		{"too many retries", "project-test-1", secret, []b2b.Option{b2b.WithMaxRetries(11)}, "WithMaxRetries"},
		{"tiny body cap", "project-test-1", secret, []b2b.Option{b2b.WithMaxResponseBytes(100)}, "WithMaxResponseBytes"},
		{"empty user agent", "project-test-1", secret, []b2b.Option{b2b.WithUserAgent("")}, "WithUserAgent"},
		{"blank user agent", "project-test-1", secret, []b2b.Option{b2b.WithUserAgent("  \t")}, "WithUserAgent"},
		{"user agent with a newline", "project-test-1", secret, []b2b.Option{b2b.WithUserAgent("app/1\r\nX-Evil: 1")}, "control"},
		{"nil logger", "project-test-1", secret, []b2b.Option{b2b.WithLogger(nil)}, "WithLogger"},
		{"nil option", "project-test-1", secret, []b2b.Option{nil}, "nil Option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := b2b.NewClient(tt.projectID, tt.secret, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), "NewClient")
			assert.Contains(t, err.Error(), tt.mention)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestNewClientAcceptsEdgeValues(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	for name, opt := range map[string]b2b.Option{
		"zero timeout":      b2b.WithTimeout(0),
		"zero retries":      b2b.WithMaxRetries(0),
		"own HTTP client":   b2b.WithHTTPClient(hc),
		"logger":            b2b.WithLogger(slog.New(slog.DiscardHandler)),
		"user agent suffix": b2b.WithUserAgent("acme/1.0 (+https://acme.example)"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := b2b.NewClient("project-test-1", "secret", opt)
			require.NoError(t, err)
			require.NotNil(t, c)
			subs := subClients(c)
			assert.Greater(t, len(subs), 1, "the walk found the sub-clients")
			for _, sub := range subs {
				assert.False(t, reflect.ValueOf(sub).IsNil(), "%T", sub)
			}
		})
	}
	assert.GreaterOrEqual(t, b2b.DefaultTimeout, time.Second)
	assert.Less(t, b2b.DefaultTimeout, time.Minute, "the default deadline is seconds, not minutes")
}

// NewClient does no network I/O: not against a live server, not against a closed port.
func TestNewClientDoesNoIO(t *testing.T) {
	t.Parallel()
	srv := testkit.NewServer(t, testkit.Unreachable(t))
	for _, projectID := range []string{"project-test-1", "project-live-1"} {
		_, err := b2b.NewClient(projectID, "secret", b2b.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = b2b.NewClient(projectID, "secret", b2b.WithBaseURL(srv.URL), b2b.WithHTTPClient(&http.Client{}))
		require.NoError(t, err)
	}
	assert.Zero(t, srv.Count())

	// A closed port: construction succeeds; only a call finds out, and reports a transport error.
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	c, err := b2b.NewClient("project-test-1", "secret", b2b.WithBaseURL(closed), b2b.WithMaxRetries(0), b2b.WithTimeout(5*time.Second))
	require.NoError(t, err)
	assert.Equal(t, closed, c.BaseURL())

	for _, fc := range fixtures.Cases() {
		resp, err := testkit.Call(context.Background(), c, fc.Minimal)
		require.Error(t, err)
		assert.Nil(t, resp)
		var te *b2b.TransportError
		assert.True(t, errors.As(err, &te), "%s: want a *b2b.TransportError, got %T: %v", fc.Op.ID, err, err)
		var e *b2b.Error
		assert.False(t, errors.As(err, &e))
	}
}
