// Package contract validates HTTP traffic against the embedded spec with kin-openapi.
//
// It is shared by the SDK's own tests (every request the tests send is checked, so the facade and
// the spec cannot drift apart) and by b2btest's fake server (which answers a violation with a 400
// naming the field). One validator, Shared, is loaded per process and serves them all: requests
// are matched to operations by method and path with package route, never by scheme or host, and a
// caller whose requests carry a base path says so with Matching(route.Prefix(...)). Violations
// breaks a validation error into one entry per problem, each naming its field.
package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// Validator checks requests and responses against the spec. It is host-agnostic: a request is
// matched to an operation by its method and path only (see package route), so one validator serves
// every test server, whatever its address. The Mode of a validator says how paths are matched;
// Shared matches them exactly, and Matching returns a validator that shares everything else but
// matches another way.
//
// A Validator is safe for concurrent use.
type Validator struct {
	doc   *openapi3.T
	table *route.Table
	mode  route.Mode
}

// Load parses and validates the embedded spec. Each call returns a new document, which the caller
// may modify.
func Load() (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = false
	data, err := spec.JSONDocument()
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	doc, err := l.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contract: loading spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: invalid spec: %w", err)
	}
	return doc, nil
}

var shared = sync.OnceValues(func() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	return NewFor(doc)
})

// Shared returns the process-wide validator of the embedded spec, which matches paths exactly
// (route.Exact). The spec is loaded and checked on the first call only; every later call returns
// the same validator. Use Matching for requests sent under a base path.
func Shared() (*Validator, error) { return shared() }

// MustShared is Shared for test helpers and package variables: it panics if the embedded spec
// cannot be loaded, which only a broken build can cause.
func MustShared() *Validator {
	v, err := Shared()
	if err != nil {
		panic(err)
	}
	return v
}

// NewFor returns a validator of doc that matches paths exactly. doc must not be modified
// afterwards. Most callers want Shared; NewFor exists for tests that need a document of their own.
func NewFor(doc *openapi3.T) (*Validator, error) {
	t, err := route.New(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	return &Validator{doc: doc, table: t}, nil
}

// New returns the shared validator, matching requests sent to serverURL, the API root a client was
// given: the URL's path is the prefix every request path must start with (route.Prefix); its
// scheme and host are ignored. It is kept for existing callers; new code calls
// Shared().Matching(route.Prefix(path)).
func New(serverURL string) (*Validator, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("contract: server URL: %w", err)
	}
	v, err := Shared()
	if err != nil {
		return nil, err
	}
	return v.Matching(route.Prefix(u.EscapedPath())), nil
}

// Matching returns a validator that shares v's spec and routes but matches request paths as m
// says. It is cheap: call it per test or per server.
func (v *Validator) Matching(m route.Mode) *Validator {
	c := *v
	c.mode = m
	return &c
}

// Doc returns the validator's spec document. Treat it as read-only: it is shared.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Routes returns the route table of the validator's spec.
func (v *Validator) Routes() *route.Table { return v.table }

// Route is the operation a request was matched to. Its embedded route.Match gives the operation,
// the path template and the path parameters (PathParams unescaped, RawPathParams as sent).
type Route struct {
	route.Match
	input *openapi3filter.RequestValidationInput
}

// ErrNoRoute is returned (wrapped) when a request matches no operation of the spec. It is
// route.ErrNoRoute.
var ErrNoRoute = route.ErrNoRoute

func options() *openapi3filter.Options {
	o := &openapi3filter.Options{
		MultiError:          true,
		SkipSettingDefaults: true, // validation must never change what was sent
		AuthenticationFunc:  requireBasicAuth,
	}
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string { return err.Reason })
	return o
}

func (v *Validator) filterRoute(e *route.Entry) *routers.Route {
	return &routers.Route{Spec: v.doc, Path: e.Template, PathItem: e.PathItem, Method: e.Method, Operation: e.Operation}
}

// Find returns the route of method and escapedPath, matched in v's mode, without validating
// anything. The error wraps ErrNoRoute.
func (v *Validator) Find(method, escapedPath string) (*Route, error) {
	m, err := v.table.Find(method, escapedPath, v.mode)
	if err != nil {
		return nil, err
	}
	return &Route{Match: *m}, nil
}

// Operation returns the route of the operation with the given operationId, with no path
// parameters: what Response needs to check an answer when there is no request to match.
func (v *Validator) Operation(operationID string) (*Route, error) {
	e, ok := v.table.ByID(operationID)
	if !ok {
		return nil, fmt.Errorf("contract: the spec has no operation %q", operationID)
	}
	return &Route{Match: route.Match{Entry: e, PathParams: map[string]string{}, RawPathParams: map[string]string{}}}, nil
}

// Request validates req (route, path parameters after unescaping, Basic credentials, headers and
// body) and returns the matched route. The scheme and host of req.URL are ignored; its escaped
// path is matched in v's mode. req.Body is read and replaced, so req can still be sent. The route
// is returned whenever one matched, even when err is not nil.
func (v *Validator) Request(req *http.Request) (*Route, error) {
	r, err := v.Find(req.Method, req.URL.EscapedPath())
	if err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close() // read to the end; the copy below replaces it
		if err != nil {
			return r, fmt.Errorf("reading request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: r.PathParams, Route: v.filterRoute(r.Entry), Options: options()}
	r.input = in
	verr := openapi3filter.ValidateRequest(req.Context(), in)
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r, verr
}

// Response validates an answer to a request matched by Request (or to the operation of a route
// from Find or Operation): status, headers and body against the response the spec declares for the
// status (or its default).
func (v *Validator) Response(r *Route, status int, header http.Header, body []byte) error {
	rin := r.input
	if rin == nil {
		req := &http.Request{Method: r.Method, URL: &url.URL{Path: r.Template}, Header: http.Header{}}
		rin = &openapi3filter.RequestValidationInput{Request: req, PathParams: r.PathParams, Route: v.filterRoute(r.Entry), Options: options()}
	}
	if header == nil {
		header = http.Header{}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: rin,
		Status:                 status,
		Header:                 header,
		Options:                options(),
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// The reasons a request's HTTP Basic credentials are refused, as Violations reports them for the
// field "Authorization".
var (
	errNoBasic         = errors.New("missing HTTP Basic credentials")
	errMalformedBasic  = errors.New("malformed HTTP Basic credentials (not base64)")
	errIncompleteBasic = errors.New("HTTP Basic credentials need a project ID and a secret")
)

func requireBasicAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme == nil || in.SecurityScheme.Type != "http" || !strings.EqualFold(in.SecurityScheme.Scheme, "basic") {
		return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	// The scheme name is case-insensitive (RFC 7235 section 2.1), as net/http's BasicAuth reads it.
	scheme, enc, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return errNoBasic
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return errMalformedBasic
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return errIncompleteBasic
	}
	return nil
}

// Violation is one way a request or response breaks the spec.
type Violation struct {
	Field  string // JSON pointer of the offending value ("/session_duration_minutes"), a parameter name, or "" for the whole message
	Reason string // what is wrong, without the offending value
}

func (v Violation) String() string {
	if v.Field == "" {
		return v.Reason
	}
	return v.Field + ": " + v.Reason
}

// Violations breaks a validation error into one entry per problem, each naming its field.
func Violations(err error) []Violation {
	if err == nil {
		return nil
	}
	var out []Violation
	collect(err, "", &out)
	slices.SortStableFunc(out, func(a, b Violation) int { return strings.Compare(a.Field, b.Field) })
	return slices.Compact(out)
}

// collect walks the error tree kin-openapi returns. It switches on each error's own type (not
// errors.As, which would look through a request error into the schema errors it holds and lose
// the parameter's name, or stop at the first error of a MultiError).
func collect(err error, field string, out *[]Violation) {
	switch e := err.(type) { //nolint:errorlint // each error's own type, as said above
	case openapi3.MultiError:
		for _, x := range e {
			collect(x, field, out)
		}
		return
	case *openapi3filter.RequestError:
		f := field
		if e.Parameter != nil {
			f = e.Parameter.Name
		}
		if e.Err != nil && isKinError(e.Err) {
			collect(e.Err, f, out)
			return
		}
		*out = append(*out, Violation{Field: f, Reason: e.Error()})
		return
	case *openapi3.SchemaError:
		f := field
		if ptr := e.JSONPointer(); len(ptr) > 0 {
			f = pointer(ptr)
		}
		// A schema error that wraps more schema errors (oneOf, allOf) is reported through them.
		var inner openapi3.MultiError
		if e.Origin != nil && errors.As(e.Origin, &inner) {
			collect(inner, f, out)
			return
		}
		// kin-openapi reports each unknown property (additionalProperties: false) with the field
		// "properties", at the pointer of the object holding it and naming the key only in its
		// message. Report it at its own pointer instead: the object's keys the schema does not
		// list (one error per key, so the duplicates this makes are removed by Violations).
		if e.SchemaField == "properties" {
			if unknown := unlisted(e.Value, e.Schema); len(unknown) > 0 {
				for _, k := range unknown {
					*out = append(*out, Violation{Field: f + "/" + escapeToken(k), Reason: "property is not in the spec"})
				}
				return
			}
		}
		*out = append(*out, Violation{Field: f, Reason: e.Reason})
		return
	case *openapi3filter.SecurityRequirementsError:
		reason := "missing or malformed HTTP Basic credentials"
		for _, known := range []error{errNoBasic, errMalformedBasic, errIncompleteBasic} {
			if slices.ContainsFunc(e.Errors, func(x error) bool { return errors.Is(x, known) }) {
				reason = known.Error()
				break
			}
		}
		*out = append(*out, Violation{Field: "Authorization", Reason: reason})
		return
	case *openapi3filter.ResponseError:
		if e.Err != nil && isKinError(e.Err) {
			collect(e.Err, field, out)
			return
		}
	}
	// An error that wraps one of kin-openapi's is reported through it.
	if u := errors.Unwrap(err); u != nil && isKinError(u) {
		collect(u, field, out)
		return
	}
	*out = append(*out, Violation{Field: field, Reason: err.Error()})
}

// isKinError reports whether err is one of the error types collect takes apart, or wraps one.
func isKinError(err error) bool {
	switch err.(type) { //nolint:errorlint // the same types as collect's switch; the chain is walked below
	case openapi3.MultiError, *openapi3filter.RequestError, *openapi3.SchemaError,
		*openapi3filter.SecurityRequirementsError, *openapi3filter.ResponseError:
		return true
	}
	return errors.Unwrap(err) != nil && isKinError(errors.Unwrap(err))
}

// pointer writes JSON pointer tokens as an RFC 6901 pointer.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/")
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// unlisted returns, sorted, the keys of value (a JSON object) that schema does not list as
// properties.
func unlisted(value any, schema *openapi3.Schema) []string {
	obj, ok := value.(map[string]any)
	if !ok || schema == nil {
		return nil
	}
	var out []string
	for k := range obj {
		if _, listed := schema.Properties[k]; !listed {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
