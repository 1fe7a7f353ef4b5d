// Package contract validates HTTP traffic against the embedded spec with kin-openapi.
//
// It is shared by the SDK's own tests (every request the tests send is checked, so the facade and
// the spec cannot drift apart), by b2btest's fake server (which answers a violation with a 400
// naming the field) and by the drift detector (which checks live responses).
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

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// Validator checks requests and responses against the spec, for one server URL.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// Load parses and validates the embedded spec. Each call returns a new document, which the caller
// may modify.
func Load() (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = false
	doc, err := l.LoadFromData(spec.YAML)
	if err != nil {
		return nil, fmt.Errorf("contract: loading spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: invalid spec: %w", err)
	}
	return doc, nil
}

// New returns a validator for requests sent to serverURL, the API root the client was given
// (scheme, host and any path prefix).
func New(serverURL string) (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: strings.TrimSuffix(serverURL, "/")}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Doc returns the validator's spec document. Treat it as read-only.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Route is the operation a request was matched to.
type Route struct {
	Operation  *openapi3.Operation
	PathParams map[string]string // unescaped
	input      *openapi3filter.RequestValidationInput
}

// OperationID returns the matched operation's operationId.
func (r *Route) OperationID() string { return r.Operation.OperationID }

// ErrNoRoute is returned when a request matches no operation of the spec.
var ErrNoRoute = errors.New("no operation of the spec matches this method and path")

func options() *openapi3filter.Options {
	o := &openapi3filter.Options{
		MultiError:          true,
		SkipSettingDefaults: true, // validation must never change what was sent
		AuthenticationFunc:  requireBasicAuth,
	}
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string { return err.Reason })
	return o
}

// Request validates req (route, path parameters after unescaping, Basic credentials, headers and
// body) and returns the matched route. req.Body is read and replaced, so req can still be sent.
// The route is returned whenever one matched, even when err is not nil.
func (v *Validator) Request(req *http.Request) (*Route, error) {
	route, rawParams, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s", ErrNoRoute, req.Method, req.URL.EscapedPath())
	}
	// The router returns path parameters still percent-encoded; the spec constrains the values.
	params := make(map[string]string, len(rawParams))
	for k, raw := range rawParams {
		val, uerr := url.PathUnescape(raw)
		if uerr != nil {
			return nil, fmt.Errorf("path parameter %s: %w", k, uerr)
		}
		params[k] = val
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options()}
	r := &Route{Operation: route.Operation, PathParams: params, input: in}
	verr := openapi3filter.ValidateRequest(req.Context(), in)
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r, verr
}

// Response validates an answer to a request matched by Request: status, headers and body against
// the response the spec declares for the status (or its default).
func (v *Validator) Response(route *Route, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: route.input,
		Status:                 status,
		Header:                 header,
		Options:                options(),
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func requireBasicAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme == nil || in.SecurityScheme.Type != "http" || !strings.EqualFold(in.SecurityScheme.Scheme, "basic") {
		return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	enc, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return errors.New("missing HTTP Basic credentials")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return errors.New("malformed HTTP Basic credentials")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return errors.New("HTTP Basic credentials need a project ID and a secret")
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

func collect(err error, field string, out *[]Violation) {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			collect(e, field, out)
		}
		return
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		f := field
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			f = "/" + strings.Join(ptr, "/")
		}
		reason := se.Reason
		if se.SchemaField == "required" && f == field {
			f = field // the missing property's name is in the reason
		}
		// A schema error that wraps more schema errors (oneOf, allOf) is reported through them.
		var inner openapi3.MultiError
		if se.Origin != nil && errors.As(se.Origin, &inner) {
			collect(inner, f, out)
			return
		}
		*out = append(*out, Violation{Field: f, Reason: reason})
		return
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		f := field
		if re.Parameter != nil {
			f = re.Parameter.Name
		}
		if re.Err != nil {
			var inner *openapi3.SchemaError
			var innerMulti openapi3.MultiError
			if errors.As(re.Err, &inner) || errors.As(re.Err, &innerMulti) {
				collect(re.Err, f, out)
				return
			}
		}
		*out = append(*out, Violation{Field: f, Reason: re.Error()})
		return
	}
	var sre *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sre) {
		*out = append(*out, Violation{Field: "Authorization", Reason: "missing or malformed HTTP Basic credentials"})
		return
	}
	var rspe *openapi3filter.ResponseError
	if errors.As(err, &rspe) && rspe.Err != nil {
		collect(rspe.Err, field, out)
		return
	}
	*out = append(*out, Violation{Field: field, Reason: err.Error()})
}
