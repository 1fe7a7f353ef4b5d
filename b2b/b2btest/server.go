package b2btest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
)

// Project ID and secret used by Server.Client. The fake accepts any non-empty Basic credentials.
const (
	ProjectID = "project-test-b2btest"
	Secret    = "secret-test-b2btest" //nolint:gosec // G101: the fake's published test secret, which it accepts like any other
)

// MaxBodyBytes is the largest request body the fake reads: 1 MiB, far above anything the API's
// requests need (custom claims, the largest free-form field, are limited to 4 KB). A longer body
// is answered with 413 and a Stytch error of type invalid_request, without being read to its end.
const MaxBodyBytes = 1 << 20

// Server is a fake of the Stytch B2B API, running in-process on a local port. Every request is
// checked against the API's OpenAPI description; valid ones get realistic answers that remember
// what happened before (used tokens, spent recovery codes, members and sessions), and a test can
// script the next answers of an operation with On.
//
// A Server is safe for concurrent use.
type Server struct {
	// URL is the API root of the fake, for example "http://127.0.0.1:53421". Pass it to
	// b2b.WithBaseURL, or call Client.
	URL string

	hs        *httptest.Server
	handler   http.Handler
	spec      *spec
	cfg       config
	now       func() time.Time
	fatalf    func(format string, args ...any)
	closing   chan struct{}
	closeOnce sync.Once
	keys      *signer

	mu       sync.Mutex
	scripts  map[string][]*outcome
	requests []Request
	emails   []Email
	st       *store
}

// Option configures a Server.
type Option func(*config)

type config struct {
	orgs       []gen.Organization
	members    []gen.Member
	now        func() time.Time
	strict     bool
	key        *rsa.PrivateKey
	noBehavior map[string]bool // operations answered from the spec alone (tests)
	legacy     bool            // encode under the lock, twice (the baseline of the throughput benchmark)
	unsigned   bool            // random bytes in place of JWT signatures, as the fake once did (benchmarks)
}

// WithOrganization adds an organization to the fake before it starts. Fields left empty get the
// defaults of a new organization (an ID derived from the name, ALL_ALLOWED / OPTIONAL policies,
// empty lists). Its policies drive the fake's answers: with MFAPolicy "REQUIRED_FOR_ALL" every
// authenticate call without an existing session answers that MFA is required; with
// EmailJITProvisioning "RESTRICTED" and EmailAllowedDomains set, discovery offers to join it by
// email domain (once a member there has a verified address of the domain, as in the API); with AuthMethods "RESTRICTED" and AllowedAuthMethods that leave out the method used,
// authenticate answers with primary_required. The first organization given is the one members of
// unknown tokens belong to.
//
// Every field whose type has known values (MFAPolicy, EmailJITProvisioning, ...) must hold one of
// them: NewServer fails the test, naming the field, for a value such as MFAPolicy "REQUIRED".
func WithOrganization(org gen.Organization) Option {
	return func(c *config) { c.orgs = append(c.orgs, org) }
}

// WithMember adds a member to the fake before it starts. OrganizationID and EmailAddress are
// required (the organization is created if no WithOrganization names it); other empty fields get
// defaults: a member ID derived from organization and email, status "active", the stytch_member
// role. Fields with known values (Status, DefaultMFAMethod, role source types, ...) are checked
// as for WithOrganization. Status "deleted" is refused: the API finds no deleted member, so a
// test of that case leaves the member out.
//
// The member's settings show in answers: MFAEnrolled makes authenticate ask for MFA; an
// MFAPhoneNumber with DefaultMFAMethod "sms_otp" makes it say an SMS code was sent; a
// TOTPRegistrationID is offered as an MFA option.
func WithMember(m gen.Member) Option {
	return func(c *config) { c.members = append(c.members, m) }
}

// WithClock makes the fake read the time from now instead of time.Now, so that timestamps in
// answers (session expiry, created_at) are predictable.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Strict makes the fake answer like the API for objects it does not know, instead of creating
// them on first sight (the default):
//
//	                                 default                       Strict()
//	unknown organization_id          created, then answered for    404 organization_not_found
//	unknown member_id                created, then answered for    404 member_not_found
//	token the fake did not issue     valid once, for a new member  404 of the token's kind
//	session the fake did not issue   adopted for the token's       404 session_not_found
//	                                 member
//
// In both modes a session belongs to the member and organization it was issued for, and
// member-session headers must carry a live session the fake issued. Organizations and members
// come from WithOrganization, WithMember, Token, and from the calls that create them in the API
// (login or signup and invite create members in a known organization).
//
// Strict applies to the operations with behavior (listed in the package documentation). Any
// other operation of the spec is answered with a valid example whatever its request names, in
// both modes.
func Strict() Option {
	return func(c *config) { c.strict = true }
}

// WithSigningKey makes the fake sign session JWTs with key instead of a key of its own. By default
// every Server generates an RSA key the first time it needs one (which takes a noticeable fraction
// of a second); tests that start many servers may share one key through this option. key must be
// an RSA key of at least 2048 bits, the least that JWT libraries accept for RS256.
func WithSigningKey(key *rsa.PrivateKey) Option {
	return func(c *config) { c.key = key }
}

// NewServer starts a fake Stytch B2B API for the test tb and closes it when the test ends.
//
//	srv := b2btest.NewServer(t)
//	client := srv.Client()
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := newServer(tb.Fatalf, opts)
	if s == nil {
		return nil
	}
	s.startLocal()
	tb.Cleanup(s.Close)
	return s
}

// NewStandalone starts a fake Stytch B2B API that is not tied to a test, for programs (such as
// the examples in this repository) and for Example functions. The caller must call Close. It
// panics where NewServer would fail the test.
func NewStandalone(opts ...Option) *Server {
	s := newServer(panicf, opts)
	s.startLocal()
	return s
}

// NewHandler returns the fake as an http.Handler without starting a listener, for programs that
// serve it themselves (cmd/stytch-fake serves it over TLS). baseURL is the URL clients use to
// reach it; it becomes Server.URL. Close ends scripted delays; the caller owns the listener. It
// returns an error where NewStandalone would panic.
func NewHandler(baseURL string, opts ...Option) (s *Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%v", r)
		}
	}()
	s = newServer(panicf, opts)
	s.URL = strings.TrimSuffix(baseURL, "/")
	return s, nil
}

func panicf(format string, args ...any) { panic("b2btest: " + fmt.Sprintf(format, args...)) }

// ServeHTTP serves one request as the fake Stytch API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func newServer(fatalf func(string, ...any), opts []Option) *Server {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	s := &Server{
		cfg:     cfg,
		now:     func() time.Time { return cfg.now().UTC() },
		fatalf:  fatalf,
		closing: make(chan struct{}),
		scripts: map[string][]*outcome{},
	}
	if cfg.key != nil && cfg.key.N.BitLen() < 2048 {
		fatalf("WithSigningKey: the key has %d bits; RS256 needs at least 2048", cfg.key.N.BitLen())
		return nil
	}
	s.keys = newSigner(cfg.key)
	s.keys.unsigned = cfg.unsigned
	sp, err := loadSpec()
	if err != nil {
		fatalf("%v", err)
		return nil
	}
	s.spec = sp
	s.st = newStore(s.now, cfg.strict)
	for i, org := range cfg.orgs {
		if err := checkKnown("Organization", org); err != nil {
			fatalf("WithOrganization #%d: %v", i+1, err)
			return nil
		}
		if err := s.st.addOrganization(org); err != nil {
			fatalf("WithOrganization #%d: %v", i+1, err)
			return nil
		}
	}
	for i, m := range cfg.members {
		if err := checkKnown("Member", m); err != nil {
			fatalf("WithMember #%d: %v", i+1, err)
			return nil
		}
		if err := s.st.addMember(m); err != nil {
			fatalf("WithMember #%d: %v", i+1, err)
			return nil
		}
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// readTimeout bounds how long the fake waits for a request's headers and body: a client that
// stops sending mid-request is cut off instead of holding a handler.
const readTimeout = 10 * time.Second

func (s *Server) startLocal() {
	s.hs = httptest.NewUnstartedServer(s.handler)
	s.hs.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped connections are on purpose
	s.hs.Config.ReadHeaderTimeout = readTimeout
	s.hs.Config.ReadTimeout = readTimeout
	s.hs.Config.BaseContext = func(net.Listener) context.Context { return s.closingContext() }
	s.hs.Start()
	s.URL = s.hs.URL
}

// closingContext is a context that ends when the server closes, so that handlers waiting on a
// scripted delay end with it.
func (s *Server) closingContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-s.closing
		cancel()
	}()
	return ctx
}

// spec is what the fake derives from the API description. It is loaded once per process and
// shared by every Server: loading and checking the spec takes far longer than a test should.
type spec struct {
	validator *contract.Validator // the shared validator: paths are matched exactly, any host
	secrets   *secretSet
	enc       *encoder
	fallback  *fallbacks
}

var loadSpec = sync.OnceValues(func() (*spec, error) {
	v, err := contract.Shared()
	if err != nil {
		return nil, err
	}
	return &spec{validator: v, secrets: newSecretSet(), enc: newEncoder(v.Doc()), fallback: newFallbacks(v)}, nil
})

// Close shuts the server down. Scripted delays still waiting end at once, and connections of
// clients that are still sending a request are closed: Close does not wait for them. Calling
// Close more than once is harmless.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.hs != nil {
			_ = s.hs.Listener.Close()     // no new connections; s.hs.Close closes it again
			s.hs.CloseClientConnections() // a half-sent body must not hold Close
			s.hs.Close()
		}
	})
}

// Client returns a b2b.Client that talks to the fake, with project ID ProjectID and secret Secret.
// It retries without waiting (b2b.WithMaxRetryWait(0)), so a scripted rate limit costs a test
// nothing. opts are applied after those, so they may change anything but the project ID and
// secret; pass b2b.WithMaxRetries(0), for example, to see a scripted 429 instead of its retry.
func (s *Server) Client(opts ...b2b.Option) *b2b.Client {
	c, err := b2b.NewClient(ProjectID, Secret, append([]b2b.Option{b2b.WithBaseURL(s.URL), b2b.WithMaxRetryWait(0)}, opts...)...)
	if err != nil {
		s.fatalf("Client: %v", err)
		return nil
	}
	return c
}

// apiError is an error answer of the fake: a status and a Stytch error body.
type apiError struct {
	status    int
	errorType string
	message   string
	details   map[string]any
	header    http.Header
}

func (e *apiError) body(requestID string) gen.Error {
	u := fmt.Sprintf("https://stytch.com/docs/api/errors/%d", e.status)
	return gen.Error{
		StatusCode:   int32(e.status), //nolint:gosec // G115: an HTTP status code the fake chose, three digits
		RequestID:    requestID,
		ErrorType:    gen.ErrorType(e.errorType),
		ErrorMessage: e.message,
		ErrorURL:     &u,
		ErrorDetails: e.details,
	}
}

func newAPIError(status int, errorType gen.ErrorType, message string) *apiError {
	if message == "" {
		message = messageFor(string(errorType))
	}
	return &apiError{status: status, errorType: string(errorType), message: message}
}

func newRequestID() string { return testID("request-id", randomToken()) }

func writeBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) //nolint:gosec // G705: a JSON body served as application/json to API clients, not a page
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	b, err := s.spec.enc.encode(e.body(newRequestID()))
	if err != nil {
		b = []byte(`{"status_code":500,"error_type":"internal_server_error","error_message":"b2btest: cannot encode an error","request_id":"request-id-b2btest"}`)
	}
	writeBytes(w, e.status, b)
}

// serveHTTP cleans the path, reads the body (up to MaxBodyBytes), validates the request, applies
// the next scripted outcome of its operation, runs the operation and records what happened.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	secrets := s.spec.secrets
	rec := Request{Method: r.Method, Path: r.URL.EscapedPath(), Header: secrets.redactHeader(r.Header)}
	recorded := false
	defer func() {
		if !recorded {
			s.record(rec)
		}
	}()

	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			rec.Status = http.StatusRequestEntityTooLarge
			w.Header().Set("Connection", "close") // before the answer: a header set after it is never sent
			s.writeError(w, newAPIError(rec.Status, gen.ErrorTypeInvalidRequest,
				fmt.Sprintf("The request body is larger than the %d bytes the fake accepts (b2btest.MaxBodyBytes).", MaxBodyBytes)))
			return
		}
		// The body broke off (the client went away, or stalled past the read timeout): hang up,
		// as the API would, rather than let net/http send an empty 200.
		dropConnection(w)
		return
	}

	cleaned := cleanPath(r.URL.EscapedPath())
	if s.serveControl(w, r, cleaned, body, &rec) {
		recorded = true // the control API is not part of what the fake "received"
		return
	}
	if s.serveJWKS(w, r, cleaned, &rec) {
		return
	}

	vr := r.Clone(r.Context())
	vr.URL.Path, vr.URL.RawPath = unescapedPath(cleaned), cleaned
	vr.Body = io.NopCloser(bytes.NewReader(body))
	route, verr := s.spec.validator.Request(vr)
	if route == nil {
		rec.Body = secrets.redactBody("", body)
		rec.Status = http.StatusNotFound
		s.writeError(w, newAPIError(http.StatusNotFound, gen.ErrorTypeRouteNotFound,
			fmt.Sprintf("No route matches %s %s. Check the method and the path.", r.Method, r.URL.EscapedPath())))
		return
	}
	opID := route.OperationID()
	rec.Operation = opID
	rec.PathParams = route.PathParams
	rec.Body = secrets.redactBody(opID, body)
	if verr != nil {
		e := violationError(verr)
		rec.Status = e.status
		s.writeError(w, e)
		return
	}
	op, _ := OperationByID(opID)
	oc := s.nextOutcome(opID)
	if oc != nil && oc.delay > 0 && !s.wait(r.Context(), oc.delay) {
		dropConnection(w) // the client gave up, or the server is closing: no answer, not an empty 200
		return
	}
	if oc != nil && oc.answer != nil {
		rec.Status = oc.answer.status
		if oc.answer.err != nil {
			s.writeError(w, oc.answer.err)
		} else {
			writeBytes(w, oc.answer.status, oc.answer.body)
		}
		return
	}
	c := &call{op: op, body: body, header: r.Header, pathParams: route.PathParams, mfa: oc != nil && oc.mfa, projectID: projectOf(r)}
	out, apiErr := s.handle(c)
	if oc != nil && oc.drop {
		// Record before hanging up: the client sees the closed connection at once and may look
		// at the recorded requests before this handler returns.
		s.record(rec)
		recorded = true
		dropConnection(w)
		return
	}
	if apiErr != nil {
		rec.Status = apiErr.status
		s.writeError(w, apiErr)
		return
	}
	rec.Status = http.StatusOK
	writeBytes(w, http.StatusOK, out)
}

// readBody reads the request body, refusing one longer than MaxBodyBytes as soon as it is.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: MaxBodyBytes}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
}

// projectOf returns the project ID of the request's Basic credentials ("" without them).
func projectOf(r *http.Request) string {
	user, _, _ := r.BasicAuth()
	return user
}

// wait sleeps for d, or until ctx ends or the server closes. It reports whether d passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// dropConnection closes the connection without answering, after the request has been read.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without logging
}

// violationError turns a contract violation into the answer the API gives: 401 for missing
// credentials, 400 naming every offending field otherwise.
func violationError(err error) *apiError {
	vs := contract.Violations(err)
	var parts []string
	var details []any
	for _, v := range vs {
		if v.Field == "Authorization" {
			return &apiError{status: http.StatusUnauthorized, errorType: "unauthorized_credentials",
				message: "Unauthorized credentials. Send your project ID and secret with HTTP Basic authentication.",
				header:  http.Header{"Www-Authenticate": {`Basic realm="stytch"`}}}
		}
		parts = append(parts, v.String())
		details = append(details, map[string]any{"field": v.Field, "reason": v.Reason})
	}
	if len(parts) == 0 {
		parts = []string{err.Error()}
	}
	return &apiError{status: http.StatusBadRequest, errorType: "invalid_request",
		message: "The request does not match the API: " + strings.Join(parts, "; "),
		details: map[string]any{"violations": details}}
}

// Token mints a single-use token, as the user would receive it, for op: one of the operations that
// consume a token (ImpersonationAuthenticate, MagicLinksAuthenticate, OAuthAuthenticate,
// MagicLinksDiscoveryAuthenticate, OAuthDiscoveryAuthenticate). Authenticating it logs in the
// member with emailAddress in organizationID (created if needed, in Strict mode too; "" means the
// default organization); for the discovery operations organizationID is ignored and the token
// proves emailAddress. Like the API's, a magic link token expires after 60 minutes and an
// impersonation token after 5 (see WithClock); an OAuth token lasts until it is used. It panics
// for any other operation.
func (s *Server) Token(op Operation, organizationID, emailAddress string) string {
	rule, ok := tokenRules[op.ID]
	if !ok {
		panic(fmt.Sprintf("b2btest: Token: %s does not consume a token", op.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rule.kind == kindDiscoveryMagicLink || rule.kind == kindDiscoveryOAuth {
		return s.st.mint(rule.kind, minted{email: emailAddress}, tokenLifetime(rule.kind))
	}
	if organizationID == "" {
		organizationID = s.st.defaultOrgID()
	}
	o := s.st.ensureOrg(organizationID)
	ms := s.st.memberByEmail(o, emailAddress, "", statusActive)
	return s.st.mint(rule.kind, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress}, tokenLifetime(rule.kind))
}

// Session starts a session for the member with emailAddress in organizationID (both created if
// needed, in Strict mode too; "" means the default organization), as if the member had just
// authenticated with factors, and returns its session token and JWT. Use it for sessions the
// fake's operations cannot produce, such as ones with SSO, TOTP or WebAuthn factors: an
// authenticate call that presents the token extends the session and answers with its factors.
// Factors without timestamps get the current time.
func (s *Server) Session(organizationID, emailAddress string, factors ...gen.AuthenticationFactor) (sessionToken, sessionJWT string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if organizationID == "" {
		organizationID = s.st.defaultOrgID()
	}
	o := s.st.ensureOrg(organizationID)
	ms := s.st.memberByEmail(o, emailAddress, "", statusActive)
	stamped := make([]gen.AuthenticationFactor, len(factors))
	for i, f := range factors {
		now := s.now()
		for _, t := range []**time.Time{&f.CreatedAt, &f.UpdatedAt, &f.LastAuthenticatedAt} {
			if *t == nil {
				*t = &now
			}
		}
		stamped[i] = f
	}
	c := &call{projectID: ProjectID}
	sess := s.startSession(c, o, ms, stamped, nil, "", nil, nil)
	s.mu.Unlock()
	repl := s.completeJWTs(c)
	s.mu.Lock()
	return sess.token, repl[len(repl)-1]
}
