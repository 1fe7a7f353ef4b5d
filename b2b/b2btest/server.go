package b2btest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
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
	Secret    = "secret-test-b2btest"
)

// Server is a fake of the twelve Stytch B2B operations, running in-process on a local port. Every
// request is checked against the API's OpenAPI description; valid ones get realistic answers that
// remember what happened before (used tokens, spent recovery codes, members and sessions), and a
// test can script the next answers of an operation with On.
//
// A Server is safe for concurrent use.
type Server struct {
	// URL is the API root of the fake, for example "http://127.0.0.1:53421". Pass it to
	// b2b.WithBaseURL, or call Client.
	URL string

	hs        *httptest.Server
	spec      *spec
	now       func() time.Time
	fatalf    func(format string, args ...any)
	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	scripts  map[string][]*outcome
	requests []Request
	emails   []Email
	st       *store
}

// Option configures a Server.
type Option func(*config)

type config struct {
	orgs    []gen.Organization
	members []gen.Member
	now     func() time.Time
}

// WithOrganization adds an organization to the fake before it starts. Fields left empty get the
// defaults of a new organization (an ID derived from the name, ALL_ALLOWED / OPTIONAL policies,
// empty lists). Its policies drive the fake's answers: with MFAPolicy "REQUIRED_FOR_ALL" every
// authenticate call without an existing session answers that MFA is required; with
// EmailJITProvisioning "RESTRICTED" and EmailAllowedDomains set, discovery offers to join it by
// email domain. The first organization given is the one members of unknown tokens belong to.
func WithOrganization(org gen.Organization) Option {
	return func(c *config) { c.orgs = append(c.orgs, org) }
}

// WithMember adds a member to the fake before it starts. OrganizationID and EmailAddress are
// required (the organization is created if no WithOrganization names it); other empty fields get
// defaults: a member ID derived from organization and email, status "active", the stytch_member
// role.
func WithMember(m gen.Member) Option {
	return func(c *config) { c.members = append(c.members, m) }
}

// WithClock makes the fake read the time from now instead of time.Now, so that timestamps in
// answers (session expiry, created_at) are predictable.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// NewServer starts a fake Stytch B2B API for the test tb and closes it when the test ends.
//
//	srv := b2btest.NewServer(t)
//	client := srv.Client()
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := start(tb.Fatalf, opts)
	if s != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// NewStandalone starts a fake Stytch B2B API that is not tied to a test, for programs (such as
// the examples in this repository) and for Example functions. The caller must call Close. It
// panics where NewServer would fail the test.
func NewStandalone(opts ...Option) *Server {
	return start(func(format string, args ...any) { panic("b2btest: " + fmt.Sprintf(format, args...)) }, opts)
}

func start(fatalf func(string, ...any), opts []Option) *Server {
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
		now:     func() time.Time { return cfg.now().UTC() },
		fatalf:  fatalf,
		closing: make(chan struct{}),
		scripts: map[string][]*outcome{},
	}
	s.st = newStore(s.now)
	for _, org := range cfg.orgs {
		if err := s.st.addOrganization(org); err != nil {
			fatalf("WithOrganization: %v", err)
			return nil
		}
	}
	for _, m := range cfg.members {
		if err := s.st.addMember(m); err != nil {
			fatalf("WithMember: %v", err)
			return nil
		}
	}
	sp, err := loadSpec()
	if err != nil {
		fatalf("%v", err)
		return nil
	}
	s.spec = sp
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.hs.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped connections are on purpose
	s.hs.Start()
	s.URL = s.hs.URL
	return s
}

// spec is what the fake derives from the API description. It is loaded once per process and
// shared by every Server: loading and checking the spec takes far longer than a test should.
type spec struct {
	validator *contract.Validator // for requests sent to validationHost
	secrets   *secretSet
}

// validationHost is the host the shared validator expects; requests are validated as if sent there,
// whatever port their server listens on.
const validationHost = "b2btest.invalid"

var loadSpec = sync.OnceValues(func() (*spec, error) {
	v, err := contract.New("http://" + validationHost)
	if err != nil {
		return nil, err
	}
	return &spec{validator: v, secrets: newSecretSet()}, nil
})

// Close shuts the server down. Scripted delays still waiting end at once. Calling Close more than
// once is harmless.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.hs.Close()
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
		StatusCode:   int32(e.status),
		RequestID:    requestID,
		ErrorType:    gen.ErrorType(e.errorType),
		ErrorMessage: e.message,
		ErrorURL:     &u,
		ErrorDetails: e.details,
	}
}

func newRequestID() string { return testID("request-id", randomToken()) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(gen.Error{StatusCode: 500, RequestID: newRequestID(), ErrorType: "internal_server_error", ErrorMessage: "b2btest: cannot encode answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeJSON(w, e.status, e.body(newRequestID()))
}

// serveHTTP validates the request, applies the next scripted outcome of its operation, runs the
// operation and records what happened.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	secrets := s.spec.secrets
	rec := Request{Method: r.Method, Path: r.URL.EscapedPath(), Header: secrets.redactHeader(r.Header)}
	recorded := false
	defer func() {
		if !recorded {
			s.record(rec)
		}
	}()

	vr := r.Clone(r.Context())
	vr.Host = validationHost
	route, verr := s.spec.validator.Request(vr) // reads the body and leaves a copy in vr.Body
	body, _ := io.ReadAll(vr.Body)
	if route == nil {
		rec.Body = secrets.redactBody("", body)
		rec.Status = http.StatusNotFound
		writeError(w, &apiError{status: http.StatusNotFound, errorType: "route_not_found",
			message: fmt.Sprintf("No route matches %s %s. Check the method and the path.", r.Method, r.URL.EscapedPath())})
		return
	}
	opID := route.OperationID()
	rec.Operation = opID
	rec.PathParams = route.PathParams
	rec.Body = secrets.redactBody(opID, body)
	if verr != nil {
		e := violationError(verr)
		rec.Status = e.status
		writeError(w, e)
		return
	}
	op, _ := OperationByID(opID)
	oc := s.nextOutcome(opID)
	if oc != nil && oc.delay > 0 && !s.wait(r.Context(), oc.delay) {
		return // the client gave up, or the server is closing: nobody reads an answer
	}
	if oc != nil && oc.answer != nil {
		rec.Status = oc.answer.status
		if oc.answer.err != nil {
			writeError(w, oc.answer.err)
		} else {
			writeJSON(w, oc.answer.status, oc.answer.body)
		}
		return
	}
	c := &call{op: op, body: body, header: r.Header, pathParams: route.PathParams, mfa: oc != nil && oc.mfa}
	resp, apiErr := s.handle(c)
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
		writeError(w, apiErr)
		return
	}
	rec.Status = http.StatusOK
	writeJSON(w, http.StatusOK, resp)
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

// errNotJSON is returned by decodeBody for a body that is not a JSON object.
var errNotJSON = errors.New("body is not a JSON object")

func decodeBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errNotJSON
	}
	return json.Unmarshal(body, v)
}

// Token mints a single-use token, as the user would receive it, for op: one of the operations that
// consume a token (ImpersonationAuthenticate, MagicLinksAuthenticate, OAuthAuthenticate,
// MagicLinksDiscoveryAuthenticate, OAuthDiscoveryAuthenticate). Authenticating it logs in the
// member with emailAddress in organizationID (created if needed; "" means the default
// organization); for the discovery operations organizationID is ignored and the token proves
// emailAddress. It panics for any other operation.
func (s *Server) Token(op Operation, organizationID, emailAddress string) string {
	rule, ok := tokenRules[op.ID]
	if !ok {
		panic(fmt.Sprintf("b2btest: Token: %s does not consume a token", op.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rule.kind == kindDiscoveryMagicLink || rule.kind == kindDiscoveryOAuth {
		return s.st.mint(rule.kind, minted{email: emailAddress})
	}
	if organizationID == "" {
		organizationID = s.st.defaultOrgID()
	}
	o := s.st.org(organizationID)
	ms := s.st.memberByEmail(o, emailAddress, "", statusActive)
	return s.st.mint(rule.kind, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress})
}
