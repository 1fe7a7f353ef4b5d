package b2b

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b/internal/sessionjwt"
)

// The API roots. A project ID that starts with liveProjectPrefix talks to LiveBaseURL; every other
// project ID talks to TestBaseURL. WithBaseURL overrides both.
const (
	LiveBaseURL       = "https://api.stytch.com"
	TestBaseURL       = "https://test.stytch.com"
	liveProjectPrefix = "project-live-"
)

// Defaults applied by NewClient. Each has an option to change it.
const (
	// DefaultTimeout bounds one call, retries and waits included, unless the caller's context
	// has an earlier deadline (WithTimeout).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRetries is how many times a failed call may be sent again, when its operation's
	// retry class allows it (WithMaxRetries).
	DefaultMaxRetries = 2
	// DefaultMaxResponseBytes caps how much of a response body is read (WithMaxResponseBytes).
	DefaultMaxResponseBytes = 4 << 20
)

// Client calls the Stytch B2B API. It is safe for concurrent use; create one with NewClient and
// share it (the zero Client is not usable). Its sub-clients group the operations as the API does,
// and share the client's connections, credentials, deadline and retry settings.
type Client struct {
	// Discovery exchanges the intermediate session token of a discovery login for a session, and
	// lists and creates organizations.
	Discovery *DiscoveryClient
	// Impersonation authenticates impersonation tokens.
	Impersonation *ImpersonationClient
	// MagicLinks authenticates email magic links; its Email and Discovery sub-clients send them
	// and authenticate discovery links.
	MagicLinks *MagicLinksClient
	// OAuth authenticates the tokens of OAuth flows, for one organization or for discovery.
	OAuth *OAuthClient
	// Passwords changes passwords; its Sessions sub-client resets one with an existing session.
	Passwords *PasswordsClient
	// RecoveryCodes lists, spends and rotates a member's MFA recovery codes.
	RecoveryCodes *RecoveryCodesClient
	// Sessions checks and revokes member sessions, and verifies session JWTs locally.
	Sessions *SessionsClient

	x *executor
}

// Option configures a Client. An option given bad input makes NewClient return an error.
type Option func(*config) error

type config struct {
	baseURL    string
	httpClient *http.Client
	wrap       []func(http.RoundTripper) http.RoundTripper
	timeout    time.Duration
	maxRetries int
	maxBody    int64
	logger     *slog.Logger
	uaSuffix   string
	backoff    backoff
	jwtLeeway  time.Duration
}

// maxRetriesLimit is the most retries WithMaxRetries and WithCallMaxRetries accept.
const maxRetriesLimit = 10

// WithBaseURL sets the API root, such as "https://test.stytch.com" or
// "http://127.0.0.1:8080/prefix". Request paths (/v1/b2b/...) are appended to it; a path prefix is
// kept. It must be an absolute http or https URL without a query or fragment.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("WithBaseURL: %q: scheme must be http or https", rawURL)
		}
		if u.Host == "" {
			return fmt.Errorf("WithBaseURL: %q: no host", rawURL)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("WithBaseURL: %q: must not have user info, a query or a fragment", rawURL)
		}
		c.baseURL = strings.TrimSuffix(u.String(), "/")
		return nil
	}
}

// WithHTTPClient makes the client send requests with hc's transport, cookie jar and timeout
// instead of its own tuned client. The SDK's deadline, retries and body cap still apply; hc's own
// Timeout, if set, bounds each attempt. Redirects are never followed, whatever hc's CheckRedirect
// says: no part of a call (its body carries single-use tokens) may go anywhere but the base URL,
// and a redirect is answered as a *Error with its 3xx status. hc itself is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		own := *hc
		own.CheckRedirect = noRedirects
		c.httpClient = &own
		return nil
	}
}

// WithTransportWrapper wraps the transport the client sends requests with: its own tuned one, or
// the one of WithHTTPClient, whichever is in use. wrap gets that transport and returns the one to
// use, typically a middleware that calls it, such as drift.NewTransport. Wrappers given in
// several options are applied in order, the first innermost. The client's redirect policy, the
// transport's connection reuse and the SDK's deadline, retries and body cap stay as they are.
func WithTransportWrapper(wrap func(next http.RoundTripper) http.RoundTripper) Option {
	return func(c *config) error {
		if wrap == nil {
			return errors.New("WithTransportWrapper: nil function")
		}
		c.wrap = append(c.wrap, wrap)
		return nil
	}
}

// WithTimeout sets the deadline of one call, retries and waits included (DefaultTimeout if not
// set). A context with an earlier deadline still wins. Zero leaves calls bounded by their context
// alone; a negative value is an error.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: negative duration %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a failed call may be sent again (DefaultMaxRetries if not
// set); 0 turns retries off, and a value outside 0..10 is an error. Which failures are retried
// depends on the operation's retry class, read from the spec: see RetryClass.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 || n > maxRetriesLimit {
			return fmt.Errorf("WithMaxRetries: %d is outside 0..%d", n, maxRetriesLimit)
		}
		c.maxRetries = n
		return nil
	}
}

// WithLogger makes the client log each attempt at debug level through l: operation, method, path,
// status, attempt, duration and request ID. Bodies and the Authorization header are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent appends suffix (for example "myapp/1.2") to the SDK's own User-Agent.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		suffix = strings.TrimSpace(suffix)
		if suffix == "" {
			return errors.New("WithUserAgent: empty suffix")
		}
		if strings.ContainsFunc(suffix, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("WithUserAgent: %q contains control characters", suffix)
		}
		c.uaSuffix = suffix
		return nil
	}
}

// WithMaxRetryWait caps every wait between two attempts of a call, a server's Retry-After
// included, at d (by default waits grow from 200 ms to 2 s, and Retry-After is honoured up to
// 5 s). WithMaxRetryWait(0) retries at once: it is meant for tests, where a scripted rate limit
// should cost nothing (b2btest.Server.Client sets it). A negative d is an error.
func WithMaxRetryWait(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithMaxRetryWait: negative duration %v", d)
		}
		c.backoff.limit, c.backoff.limited = d, true
		return nil
	}
}

// WithJWTLeeway sets the clock tolerance of Sessions.AuthenticateJWT: a session JWT is still
// accepted up to d after its expiry, and d before its not-before time (default 0, as in Stytch's
// own SDKs: a clock skew then shows as JWTNotYetValid, which WithRemoteFallback absorbs). Use a
// few seconds when this machine's clock is not synchronised; d must be in 0..5m.
func WithJWTLeeway(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > 5*time.Minute {
			return fmt.Errorf("WithJWTLeeway: %v is outside 0..5m", d)
		}
		c.jwtLeeway = d
		return nil
	}
}

// WithMaxResponseBytes caps how much of a response body the client reads
// (DefaultMaxResponseBytes if not set). A larger success body fails with ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("WithMaxResponseBytes: %d is below the 1024-byte minimum", n)
		}
		c.maxBody = n
		return nil
	}
}

// NewClient returns a client for the project. It does no network I/O. It fails when projectID or
// secret is empty, or when an option gets bad input.
func NewClient(projectID, secret string, opts ...Option) (*Client, error) {
	if projectID == "" {
		return nil, errors.New(errPrefix + "NewClient: empty project ID")
	}
	if secret == "" {
		return nil, errors.New(errPrefix + "NewClient: empty secret")
	}
	cfg := config{
		baseURL:    TestBaseURL,
		timeout:    DefaultTimeout,
		maxRetries: DefaultMaxRetries,
		maxBody:    DefaultMaxResponseBytes,
		backoff:    defaultBackoff,
	}
	if strings.HasPrefix(projectID, liveProjectPrefix) {
		cfg.baseURL = LiveBaseURL
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New(errPrefix + "NewClient: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("%sNewClient: %w", errPrefix, err)
		}
	}
	if cfg.httpClient == nil {
		cfg.httpClient = newHTTPClient()
	}
	if len(cfg.wrap) > 0 {
		hc := *cfg.httpClient // a copy: the caller's client, if any, stays as it is
		rt := hc.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		for _, w := range cfg.wrap {
			if rt = w(rt); rt == nil {
				return nil, errors.New(errPrefix + "NewClient: WithTransportWrapper: the wrapper returned a nil transport")
			}
		}
		hc.Transport = rt
		cfg.httpClient = &hc
	}
	base, err := url.Parse(cfg.baseURL)
	if err != nil {
		return nil, fmt.Errorf("%sNewClient: %w", errPrefix, err)
	}
	ua := fmt.Sprintf("stytch-b2b-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if cfg.uaSuffix != "" {
		ua += " " + cfg.uaSuffix
	}
	// The credentials live only inside these closures: fmt and log/slog print a func as an
	// address, so no way of printing a Client, a sub-client or a value holding one can show them.
	encoded := base64.StdEncoding.EncodeToString([]byte(projectID + ":" + secret))
	auth := "Basic " + encoded
	x := &executor{
		base:       cfg.baseURL,
		baseURL:    base,
		basePath:   basePathPrefix(base),
		auth:       func() string { return auth },
		secret:     func() []string { return []string{secret, encoded} },
		userAgent:  ua,
		hc:         cfg.httpClient,
		timeout:    cfg.timeout,
		maxRetries: cfg.maxRetries,
		maxBody:    cfg.maxBody,
		logger:     cfg.logger,
		backoff:    cfg.backoff,
	}
	var onFetchError func(error)
	if l := cfg.logger; l != nil {
		onFetchError = func(err error) {
			l.Warn("stytch b2b: fetching the session JWT keys failed", slog.String("error", err.Error()))
		}
	}
	verifier, err := sessionjwt.New(sessionjwt.Config{
		ProjectID:    projectID,
		Issuers:      sessionjwt.Issuers(projectID, cfg.baseURL),
		Fetch:        jwksFetcher(x, projectID),
		Leeway:       cfg.jwtLeeway,
		OnFetchError: onFetchError,
	})
	if err != nil {
		return nil, fmt.Errorf("%sNewClient: %w", errPrefix, err)
	}
	return newClient(x, &SessionsClient{x: x, projectID: projectID, jwt: verifier}), nil
}

func newClient(x *executor, sessions *SessionsClient) *Client {
	return &Client{
		x: x,
		Discovery: &DiscoveryClient{
			IntermediateSessions: &DiscoveryIntermediateSessionsClient{x: x},
			Organizations:        &DiscoveryOrganizationsClient{x: x},
		},
		Impersonation: &ImpersonationClient{x: x},
		MagicLinks: &MagicLinksClient{
			x:         x,
			Email:     &MagicLinksEmailClient{x: x, Discovery: &MagicLinksEmailDiscoveryClient{x: x}},
			Discovery: &MagicLinksDiscoveryClient{x: x},
		},
		OAuth:         &OAuthClient{x: x, Discovery: &OAuthDiscoveryClient{x: x}},
		Passwords:     &PasswordsClient{Sessions: &PasswordsSessionsClient{x: x}},
		RecoveryCodes: &RecoveryCodesClient{x: x},
		Sessions:      sessions,
	}
}

// BaseURL returns the API root the client sends requests to.
func (c *Client) BaseURL() string { return c.x.base }

// Raw sends params the way the typed methods do (validation, credentials, User-Agent, per-call
// options, deadline, retries by the operation's retry class) and returns the HTTP answer itself,
// whatever its status, for the caller to read: an escape hatch for what the typed response does
// not give, such as a header or the body's exact bytes. The caller must close the body; the
// call's deadline (WithTimeout, WithCallTimeout) runs until then, and the body reads at most the
// client's response cap (WithMaxResponseBytes). A non-2xx answer is returned, not turned into a
// *Error; an error means no answer was taken (the same *ValidationError and *TransportError the
// typed methods return). Secrets are not scrubbed from the body: it is the wire format. A final
// answer with a 1xx status (a server may answer 101 Switching Protocols unasked, and its body is
// then the connection itself) comes back with its status and headers, an empty body, and its
// connection closed.
func (c *Client) Raw(ctx context.Context, params Params, opts ...CallOption) (*http.Response, error) {
	if params == nil {
		return nil, &ValidationError{Operation: "raw", Field: "params", Rule: "non_nil", Message: "must not be nil"}
	}
	var resp *http.Response
	if err := c.x.run(ctx, params, opts, nil, &resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// maxResponseHeaderBytes bounds the headers of an answer on the default client (net/http's own
// default is 10 MiB, which a hostile server could make every attempt read). Stytch's headers are
// a few hundred bytes.
const maxResponseHeaderBytes = 64 << 10

// newHTTPClient returns the client used when WithHTTPClient is not given: keep-alive connections
// that are reused under concurrency (Go's default keeps only 2 idle connections per host, so
// concurrent callers would open and close connections constantly), bounded dials, handshakes and
// response headers, and no redirects (the API does not redirect; a redirect is answered as an error
// instead of being followed with credentials).
func newHTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            newDialer().DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    5 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	return &http.Client{Transport: tr, CheckRedirect: noRedirects}
}

// newDialer returns the dialer of the default client's transport: a connection that cannot be
// made in 5s fails (and is retried as unsent), and idle connections are probed every 30s.
func newDialer() *net.Dialer {
	return &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
}

// noRedirects makes an http.Client return a redirect as the answer instead of following it.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
