package b2b_test

// Shared material of the facade tests (issue 3): a recording fake server, a client whose every
// request (and every 2xx answer) is validated against the spec, and a table that calls each of the
// twelve operations through the facade with typed params.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// The credentials of the facade tests' client.
const (
	facadeProjectID = "project-test-5d0f1c6e-7a42-4c1b-9e38-b2b0facade01"
	facadeSecret    = "facade-project-secret-7f3a9c1e"
)

// facadeHit is one request received by a facadeServer.
type facadeHit struct {
	Method      string
	Path        string // r.URL.Path: unescaped
	RawPath     string // r.URL.RawPath: set when the escaped form is not the default one
	EscapedPath string // r.URL.EscapedPath()
	Header      http.Header
	Body        []byte
}

// facadeServer records the requests of one test and answers them with respond. All facade tests
// share one httptest server and one spec validator per base URL (building a validator parses and
// validates the spec, which takes a second under -race); a facadeServer is that shared server's
// view for the current test. Facade tests therefore must not run in parallel with each other.
type facadeServer struct {
	URL string

	mu      sync.Mutex
	hits    []facadeHit
	respond http.HandlerFunc
}

var facadeShared struct {
	once sync.Once
	srv  *httptest.Server

	mu         sync.Mutex
	current    *facadeServer
	validators map[string]*contract.Validator
}

func facadeSharedServer() *httptest.Server {
	facadeShared.once.Do(func() {
		facadeShared.validators = map[string]*contract.Validator{}
		facadeShared.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			facadeShared.mu.Lock()
			s := facadeShared.current
			facadeShared.mu.Unlock()
			if s == nil {
				http.Error(w, "no facade test is running", http.StatusTeapot)
				return
			}
			s.serve(w, r)
		}))
	})
	return facadeShared.srv
}

// facadeValidator returns the shared validator for baseURL.
func facadeValidator(t *testing.T, baseURL string) *contract.Validator {
	t.Helper()
	facadeSharedServer()
	facadeShared.mu.Lock()
	defer facadeShared.mu.Unlock()
	if v, ok := facadeShared.validators[baseURL]; ok {
		return v
	}
	v, err := contract.New(baseURL)
	require.NoError(t, err)
	facadeShared.validators[baseURL] = v
	return v
}

func newFacadeServer(t *testing.T, respond http.HandlerFunc) *facadeServer {
	t.Helper()
	srv := facadeSharedServer()
	s := &facadeServer{URL: srv.URL, respond: respond}
	facadeShared.mu.Lock()
	busy := facadeShared.current != nil
	if !busy {
		facadeShared.current = s
	}
	facadeShared.mu.Unlock()
	require.False(t, busy, "facade tests must not overlap: one facadeServer at a time")
	t.Cleanup(func() {
		facadeShared.mu.Lock()
		facadeShared.current = nil
		facadeShared.mu.Unlock()
	})
	return s
}

func (s *facadeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	s.mu.Lock()
	s.hits = append(s.hits, facadeHit{
		Method:      r.Method,
		Path:        r.URL.Path,
		RawPath:     r.URL.RawPath,
		EscapedPath: r.URL.EscapedPath(),
		Header:      r.Header.Clone(),
		Body:        body,
	})
	s.mu.Unlock()
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.respond(w, r)
}

// Hits returns a copy of the requests received so far.
func (s *facadeServer) Hits() []facadeHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

// Count returns how many requests were received so far.
func (s *facadeServer) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits)
}

// facadeReply answers every request with status and body (as JSON when body starts with '{').
func facadeReply(status int, contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("X-Request-Id", "request-id-test-header")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// facadeOK answers every request with a 200 JSON body.
func facadeOK(body []byte) http.HandlerFunc {
	return facadeReply(http.StatusOK, "application/json", body)
}

// facadeUnreachable fails the test for any request: for calls that must send nothing.
func facadeUnreachable(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.EscapedPath())
		w.WriteHeader(http.StatusTeapot)
	}
}

// newFacadeClient returns a client for baseURL whose requests go through contract.Transport, so
// every request the test sends, and every 2xx answer, is validated against the spec. Violations fail
// t.
func newFacadeClient(t *testing.T, baseURL string, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	return newFacadeClientTB(t, t, baseURL, opts...)
}

// newFacadeClientTB is newFacadeClient with the contract violations reported to tb instead of t.
func newFacadeClientTB(t *testing.T, tb testing.TB, baseURL string, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	hc := &http.Client{Transport: &contract.Transport{TB: tb, Validator: facadeValidator(t, baseURL)}}
	all := append([]b2b.Option{b2b.WithBaseURL(baseURL), b2b.WithHTTPClient(hc)}, opts...)
	c, err := b2b.NewClient(facadeProjectID, facadeSecret, all...)
	require.NoError(t, err)
	require.NotNil(t, c)
	return c
}

// facadeRecordingTB records the contract violations reported to it instead of failing the test:
// for tests that answer with a 2xx body that breaks the spec on purpose.
type facadeRecordingTB struct {
	testing.TB

	mu   sync.Mutex
	errs []string
}

func (r *facadeRecordingTB) Helper() {}

func (r *facadeRecordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *facadeRecordingTB) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// facadeOp calls one operation through the facade. params is a pointer to the operation's params
// type, or nil; the response is returned as an any holding the typed *Response pointer (possibly
// nil).
type facadeOp struct {
	call      func(ctx context.Context, c *b2b.Client, params any) (any, error)
	newParams func() any   // a new zero params value, e.g. new(b2b.MagicLinksAuthenticateParams)
	respType  reflect.Type // the response struct type
}

// facadeMethod builds a facadeOp from a sub-client getter and a method expression of it.
func facadeMethod[S any, P any, R any](sub func(*b2b.Client) S, method func(S, context.Context, *P, ...b2b.CallOption) (*R, error)) facadeOp {
	return facadeOp{
		call: func(ctx context.Context, c *b2b.Client, params any) (any, error) {
			var p *P
			if params != nil {
				p = params.(*P) // a mismatch is a bug in the table: let it panic
			}
			return method(sub(c), ctx, p)
		},
		newParams: func() any { return new(P) },
		respType:  reflect.TypeFor[R](),
	}
}

// facadeOps holds one row per operation, keyed by operationId. TestFacadeOpsTable checks that it
// covers the spec exactly.
var facadeOps = map[string]facadeOp{
	gen.OpImpersonationAuthenticate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.ImpersonationClient { return c.Impersonation },
		(*b2b.ImpersonationClient).Authenticate),
	gen.OpMagicLinksAuthenticate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.MagicLinksClient { return c.MagicLinks },
		(*b2b.MagicLinksClient).Authenticate),
	gen.OpMagicLinksEmailLoginOrSignup.ID: facadeMethod(
		func(c *b2b.Client) *b2b.MagicLinksEmailClient { return c.MagicLinks.Email },
		(*b2b.MagicLinksEmailClient).LoginOrSignup),
	gen.OpMagicLinksEmailInvite.ID: facadeMethod(
		func(c *b2b.Client) *b2b.MagicLinksEmailClient { return c.MagicLinks.Email },
		(*b2b.MagicLinksEmailClient).Invite),
	gen.OpMagicLinksEmailDiscoverySend.ID: facadeMethod(
		func(c *b2b.Client) *b2b.MagicLinksEmailDiscoveryClient { return c.MagicLinks.Email.Discovery },
		(*b2b.MagicLinksEmailDiscoveryClient).Send),
	gen.OpMagicLinksDiscoveryAuthenticate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.MagicLinksDiscoveryClient { return c.MagicLinks.Discovery },
		(*b2b.MagicLinksDiscoveryClient).Authenticate),
	gen.OpOAuthAuthenticate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.OAuthClient { return c.OAuth },
		(*b2b.OAuthClient).Authenticate),
	gen.OpOAuthDiscoveryAuthenticate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.OAuthDiscoveryClient { return c.OAuth.Discovery },
		(*b2b.OAuthDiscoveryClient).Authenticate),
	gen.OpPasswordsSessionsReset.ID: facadeMethod(
		func(c *b2b.Client) *b2b.PasswordsSessionsClient { return c.Passwords.Sessions },
		(*b2b.PasswordsSessionsClient).Reset),
	gen.OpRecoveryCodesGet.ID: facadeMethod(
		func(c *b2b.Client) *b2b.RecoveryCodesClient { return c.RecoveryCodes },
		(*b2b.RecoveryCodesClient).Get),
	gen.OpRecoveryCodesRecover.ID: facadeMethod(
		func(c *b2b.Client) *b2b.RecoveryCodesClient { return c.RecoveryCodes },
		(*b2b.RecoveryCodesClient).Recover),
	gen.OpRecoveryCodesRotate.ID: facadeMethod(
		func(c *b2b.Client) *b2b.RecoveryCodesClient { return c.RecoveryCodes },
		(*b2b.RecoveryCodesClient).Rotate),
}

// facadeRow returns the table row of op, failing the test when there is none.
func facadeRow(t *testing.T, opID string) facadeOp {
	t.Helper()
	row, ok := facadeOps[opID]
	require.Truef(t, ok, "facadeOps has no row for %s", opID)
	return row
}

// facadeClone returns a shallow copy of params, a pointer to a struct, so a test can replace fields
// without touching the original.
func facadeClone(params any) any {
	v := reflect.ValueOf(params)
	out := reflect.New(v.Type().Elem())
	out.Elem().Set(v.Elem())
	return out.Interface()
}

// facadeField returns the field of the struct params points to whose JSON name is name.
func facadeField(t *testing.T, params any, name string) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(params).Elem()
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if tag == name {
			return v.Field(i)
		}
	}
	require.FailNowf(t, "no such field", "%s has no field with JSON name %q", v.Type(), name)
	return reflect.Value{}
}

// facadeSet sets the field of params with JSON name name to value, converting value to the field's
// type (allocating a pointer for optional fields).
func facadeSet(t *testing.T, params any, name string, value any) {
	t.Helper()
	f := facadeField(t, params, name)
	target := f.Type()
	if target.Kind() == reflect.Pointer {
		target = target.Elem()
	}
	val := reflect.ValueOf(value)
	require.Truef(t, val.Type().ConvertibleTo(target), "cannot set %s (%s) to a %T", name, f.Type(), value)
	val = val.Convert(target)
	if f.Kind() == reflect.Pointer {
		p := reflect.New(target)
		p.Elem().Set(val)
		val = p
	}
	f.Set(val)
}

// facadeExpectedPath is op.Path with each {param} replaced by the escaped value of the params field
// of that JSON name.
func facadeExpectedPath(t *testing.T, op gen.Operation, params any) string {
	t.Helper()
	var fields map[string]any
	raw, err := json.Marshal(params)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &fields))
	path := op.Path
	for name, v := range fields {
		if s, ok := v.(string); ok {
			path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(s))
		}
	}
	require.NotContains(t, path, "{", "unfilled path parameter in %s", path)
	return path
}

// facadeDecodeObject decodes a JSON object, failing the test when it is not one.
func facadeDecodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m), "body: %s", data)
	return m
}

// facadeSpec loads the spec once for the facade tests, which treat it as read-only.
var facadeSpec = sync.OnceValues(contract.Load)

// facadeDoc returns the parsed, validated spec.
func facadeDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := facadeSpec()
	require.NoError(t, err)
	return doc
}

func TestFacadeOpsTable(t *testing.T) {
	doc := facadeDoc(t)
	var specIDs []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			specIDs = append(specIDs, op.OperationID)
		}
	}
	var genIDs, rowIDs []string
	for _, op := range gen.Operations {
		genIDs = append(genIDs, op.ID)
	}
	for id := range facadeOps {
		rowIDs = append(rowIDs, id)
	}
	var caseIDs []string
	for _, c := range fixtures.Cases() {
		caseIDs = append(caseIDs, c.Op.ID)
	}
	assert.ElementsMatch(t, specIDs, genIDs, "gen.Operations and the spec disagree")
	assert.ElementsMatch(t, caseIDs, rowIDs, "facadeOps must have one row per operation with test material (fixtures.Has)")

	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			row := facadeRow(t, c.Op.ID)
			p := row.newParams()
			assert.IsType(t, p, c.Minimal, "the row's params type is not the fixture's")
			withOp, ok := p.(interface{ Operation() gen.Operation })
			require.True(t, ok, "%T has no Operation method", p)
			assert.Equal(t, c.Op, withOp.Operation(), "the row's params belong to another operation")
			assert.Equal(t, reflect.Struct, row.respType.Kind())
		})
	}
}
