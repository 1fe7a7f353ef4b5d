// Package drift tells you when the Stytch API answers something this SDK's spec does not describe:
// a field the spec does not list, a required field that is missing, a value of the wrong type, or a
// value outside the ones the spec knows. None of these fail a call (the SDK decodes leniently), which
// is exactly why they go unnoticed; drift makes them visible, typically in a CI job that runs your
// integration tests against Stytch's test environment.
//
// Plug the transport into the client with b2b.WithTransportWrapper, so that it wraps the SDK's own
// tuned transport (connection reuse, dial and handshake timeouts, no redirects) instead of
// replacing it:
//
//	var found drift.Collector
//	client, err := b2b.NewClient(projectID, secret,
//		b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
//			return drift.NewTransport(next, found.Report)
//		}))
//	// ... run the calls ...
//	for _, f := range found.Findings() {
//		t.Errorf("API drift: %v", f)
//	}
//
// Without writing a test, the command cmd/stytch-drift runs the calls that Stytch's B2B sandbox
// values make free of side effects through this transport and reports what it finds, for a
// scheduled CI job.
//
// The transport never changes a call's outcome or the bytes the client reads; it only reports.
// Response schemas have no enum (a new value must not break decoding); the values a string field is
// known to take are listed in the spec with the project extension x-stytch-known-values, and a value
// outside the list is reported as UnknownEnumValue. An empty string is taken to mean "not set" and
// is never reported.
package drift

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// Kind is the kind of a Finding.
type Kind string

// The kinds of drift the detector reports.
const (
	// UnknownField: the answer has a field the spec does not list for that object.
	UnknownField Kind = "unknown_field"
	// MissingField: a field the spec marks required is absent.
	MissingField Kind = "missing_field"
	// WrongType: a value is not of the type (or format) the spec gives, such as a string where a
	// number is expected, null for a field that is not nullable, or a date-time the SDK cannot
	// parse as RFC 3339. The SDK fails to decode some of these. A body that is not JSON the SDK
	// can decode is reported with this kind too, at the body (Path ""): for a 2xx answer, that
	// includes data after the JSON value and an object with a member name twice, both of which
	// the SDK refuses with a *b2b.DecodeError.
	WrongType Kind = "wrong_type"
	// UnknownEnumValue: a string is not one of the values the spec lists (enum, or the
	// x-stytch-known-values extension).
	UnknownEnumValue Kind = "unknown_enum_value"
)

// Finding is one difference between an answer and the spec.
type Finding struct {
	Operation string // the spec's operationId, e.g. "magicLinksAuthenticate"
	Path      string // JSON pointer (RFC 6901) of the value in the body, e.g. "/member/status"; "" is the body itself
	Kind      Kind
	Detail    string // what was found, and what the spec says
}

// String returns the finding on one line: operation, path, kind and detail.
func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "(body)"
	}
	return fmt.Sprintf("%s %s: %s: %s", f.Operation, p, f.Kind, f.Detail)
}

// Collector gathers findings from any number of goroutines. Its Report method is a report function
// for NewTransport. The zero value is ready to use.
type Collector struct {
	mu       sync.Mutex
	findings []Finding
}

// Report records f.
func (c *Collector) Report(f Finding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.findings = append(c.findings, f)
}

// Findings returns a copy of the findings recorded so far, in the order they were reported.
func (c *Collector) Findings() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.findings)
}

// Reset forgets the findings recorded so far.
func (c *Collector) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.findings = nil
}

// MaxBodyBytes is the largest answer body the transport checks; a larger one is passed through
// unchecked.
const MaxBodyBytes = 8 << 20

// MaxFindings is the most findings Check (and so the transport) gives for one answer. When an
// answer has more, the check stops at the next one: in its place comes a single finding at the
// body (Path "") saying that more findings were left out and the rest of the answer was not
// checked. That finding has the kind of the first finding left out, so that it counts as breaking
// or additive as that one would. A body of MaxBodyBytes could otherwise hold millions of
// findings.
const MaxFindings = 100

// Transport is an http.RoundTripper that checks every answer to a request for one of the SDK's
// operations against the spec, and calls its report function for each finding. It is safe for
// concurrent use if its report function is.
type Transport struct {
	next   http.RoundTripper
	report func(Finding)
}

// NewTransport returns a Transport that sends requests with next (http.DefaultTransport if nil)
// and passes findings to report, synchronously, before RoundTrip returns. It panics if report is
// nil.
func NewTransport(next http.RoundTripper, report func(Finding)) *Transport {
	if report == nil {
		panic("drift: NewTransport: nil report function")
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &Transport{next: next, report: report}
}

// RoundTrip sends req with the next transport. When the answer belongs to one of the SDK's
// operations, is a 2xx (or an error answer with a JSON body) and is not encoded (no
// Content-Encoding, or identity, or a body the HTTP client already decompressed), its body is read
// and checked, and replaced by a reader of the same bytes (a read error is replayed after them), so
// the client sees exactly what it would have seen without the detector.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil || req.Method == http.MethodHead {
		return resp, err
	}
	op, ok := operationFor(req.Method, req.URL.EscapedPath())
	if !ok || !worthChecking(resp) {
		return resp, err
	}
	orig := resp.Body
	buf, rerr := io.ReadAll(io.LimitReader(orig, MaxBodyBytes+1))
	switch {
	case rerr != nil:
		resp.Body = replay{Reader: io.MultiReader(bytes.NewReader(buf), errReader{rerr}), Closer: orig}
		return resp, nil
	case len(buf) > MaxBodyBytes:
		resp.Body = replay{Reader: io.MultiReader(bytes.NewReader(buf), orig), Closer: orig}
		return resp, nil
	}
	resp.Body = replay{Reader: bytes.NewReader(buf), Closer: orig}
	findings, cerr := Check(op.ID, resp.StatusCode, buf)
	if cerr == nil {
		for _, f := range findings {
			t.report(f)
		}
	}
	return resp, nil
}

func worthChecking(resp *http.Response) bool {
	if !resp.Uncompressed && encoded(resp.Header.Get("Content-Encoding")) {
		return false
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return true
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// encoded says whether a Content-Encoding value names an encoding of the body: none and
// "identity" (in any case) mean the body is as sent.
func encoded(contentEncoding string) bool {
	ce := strings.TrimSpace(contentEncoding)
	return ce != "" && !strings.EqualFold(ce, "identity")
}

type replay struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// ----------------------------------------------------------------------------------- spec

const extKnownValues = spec.ExtKnownValues

type operationSpec struct {
	op        gen.Operation
	responses *openapi3.Responses
}

type operationTable struct {
	routes *route.Table
	ops    []operationSpec
	byID   map[string]int // index in ops
}

var loadOperations = sync.OnceValues(func() (*operationTable, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = false
	data, err := spec.JSONDocument()
	if err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	doc, err := l.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("drift: loading the spec: %w", err)
	}
	routes, err := route.New(doc)
	if err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	t := &operationTable{routes: routes, byID: map[string]int{}}
	for _, op := range gen.Operations {
		e, ok := routes.ByID(op.ID)
		if !ok || e.Method != op.Method || e.Template != op.Path {
			return nil, fmt.Errorf("drift: operation %s (%s %s) is not in the spec", op.ID, op.Method, op.Path)
		}
		t.byID[op.ID] = len(t.ops)
		t.ops = append(t.ops, operationSpec{op: op, responses: e.Operation.Responses})
	}
	return t, nil
})

func operations() *operationTable {
	t, err := loadOperations()
	if err != nil {
		panic(err) // the spec is embedded at build time: this cannot happen in a released build
	}
	return t
}

// operationFor returns the SDK operation of a request. The API root may add a path prefix (a
// proxy, or a test server's base path), so the operation's template is matched at the end of the
// path; a path parameter is one escaped segment.
func operationFor(method, escapedPath string) (gen.Operation, bool) {
	t := operations()
	m, err := t.routes.Find(method, escapedPath, route.AnyPrefix())
	if err != nil {
		return gen.Operation{}, false
	}
	i, ok := t.byID[m.OperationID()]
	if !ok {
		return gen.Operation{}, false
	}
	return t.ops[i].op, true
}

// ErrUnknownOperation is returned by Check for an operation ID the spec does not have.
var ErrUnknownOperation = errors.New("drift: unknown operation")

// Check checks an answer body of the operation with the given operationId against the schema the
// spec declares for status: the exact status, else its class such as 2XX; else, for a 2xx, the
// 200 answer's schema (the SDK decodes every 2xx answer as the success type), and for any other
// status the default response. It returns the findings, which are nil for a body that matches,
// and at most MaxFindings+1 of them. It fails only when the operation is unknown or the spec
// declares no JSON schema for the status.
//
// A 2xx body is first read as the SDK reads it, with the same JSON decoder and options: data after
// the JSON value and a member name repeated in an object are refused there (invalid UTF-8 in a
// string is not), and are reported as WrongType at the body. A date-time is parsed as the SDK
// parses it, which is stricter than time.Parse with time.RFC3339 (two-digit hours, a period before
// the fraction, offsets within range).
func Check(operationID string, status int, body []byte) ([]Finding, error) {
	t := operations()
	i, ok := t.byID[operationID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownOperation, operationID)
	}
	found := &t.ops[i]
	success := status >= 200 && status <= 299
	rr := found.responses.Status(status)
	if rr == nil {
		rr = found.responses.Value(strconv.Itoa(status/100) + "XX")
	}
	switch {
	case rr != nil:
	case success:
		rr = found.responses.Status(http.StatusOK)
	default:
		rr = found.responses.Default()
	}
	if rr == nil || rr.Value == nil || rr.Value.Content.Get("application/json") == nil || rr.Value.Content.Get("application/json").Schema == nil {
		return nil, fmt.Errorf("drift: %s declares no JSON answer for status %d", operationID, status)
	}
	schema := rr.Value.Content.Get("application/json").Schema.Value
	// Error answers carry an open set of error types: a value the spec does not list there is no
	// drift (Stytch names hundreds), so known values are checked on success answers only.
	c := &checker{op: operationID, openValues: !success}
	if success {
		if err := jsonv2.Unmarshal(body, new(skipped), sdkDecoding); err != nil {
			c.add("", WrongType, fmt.Sprintf("the %d answer is not JSON the SDK can decode: %v", status, err))
			return c.findings, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.add("", WrongType, fmt.Sprintf("the %d answer is not JSON: %v", status, err))
		return c.findings, nil
	}
	if dec.More() {
		c.add("", WrongType, fmt.Sprintf("the %d answer has data after its JSON value", status))
	}
	c.walk(schema, v, "")
	return c.findings, nil
}

// sdkDecoding are the options the SDK decodes success bodies with (decodeOptions in b2b/json.go):
// invalid UTF-8 in a string is taken, and everything else the decoder refuses by default (a
// repeated member name, data after the value) is refused.
var sdkDecoding = jsonv2.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
)

// skipped reads one JSON value and keeps nothing of it: unmarshaling into it checks a body's
// syntax exactly as the SDK's decoding does, without building a value.
type skipped struct{}

func (*skipped) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return dec.SkipValue() }

// parseDateTime parses s as the SDK's decoding parses a date-time into a time.Time.
func parseDateTime(s string) error {
	q, err := jsontext.AppendQuote(nil, s)
	if err != nil {
		return err
	}
	var t time.Time
	return jsonv2.Unmarshal(q, &t, sdkDecoding)
}

// ---------------------------------------------------------------------------------- walking

type checker struct {
	op         string
	openValues bool // do not report values outside the known ones
	findings   []Finding
	full       bool // MaxFindings was passed: the walk stops
}

func (c *checker) add(path string, k Kind, detail string) {
	switch {
	case c.full:
		return
	case len(c.findings) == MaxFindings:
		c.full = true
		p := path
		if p == "" {
			p = "(body)"
		}
		detail = fmt.Sprintf("more than %d findings: the rest of the answer was not checked (the first left out: %s: %s)", MaxFindings, p, detail)
		path = ""
	}
	c.findings = append(c.findings, Finding{Operation: c.op, Path: path, Kind: k, Detail: detail})
}

// view is a schema with its allOf members folded in (the spec writes a nullable reference as
// nullable: true plus allOf: [$ref]).
type view struct {
	typ        string
	format     string
	nullable   bool
	props      map[string]*openapi3.Schema
	required   []string
	freeForm   bool             // additionalProperties: true, or a schema
	additional *openapi3.Schema // the additionalProperties schema, if any
	items      *openapi3.Schema
	allowed    []string // enum and x-stytch-known-values
}

func viewOf(s *openapi3.Schema) view {
	v := view{props: map[string]*openapi3.Schema{}, nullable: s.Nullable}
	var fold func(s *openapi3.Schema)
	fold = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		for _, sub := range s.AllOf {
			if sub != nil {
				fold(sub.Value)
			}
		}
		if s.Type != nil && len(s.Type.Slice()) > 0 {
			v.typ = s.Type.Slice()[0]
		}
		if s.Format != "" {
			v.format = s.Format
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				v.props[name] = p.Value
			}
		}
		v.required = append(v.required, s.Required...)
		if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
			v.freeForm = true
		}
		if s.AdditionalProperties.Schema != nil {
			v.freeForm, v.additional = true, s.AdditionalProperties.Schema.Value
		}
		if s.Items != nil {
			v.items = s.Items.Value
		}
		for _, e := range s.Enum {
			v.allowed = append(v.allowed, fmt.Sprint(e))
		}
		if known, ok := s.Extensions[extKnownValues].([]any); ok {
			for _, k := range known {
				v.allowed = append(v.allowed, fmt.Sprint(k))
			}
		}
	}
	fold(s)
	if v.typ == "" && len(v.props) > 0 {
		v.typ = openapi3.TypeObject
	}
	return v
}

func pointer(path, key string) string {
	key = strings.ReplaceAll(key, "~", "~0")
	return path + "/" + strings.ReplaceAll(key, "/", "~1")
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func (c *checker) walk(s *openapi3.Schema, val any, path string) {
	if s == nil || c.full {
		return
	}
	v := viewOf(s)
	if val == nil {
		if !v.nullable && v.typ != "" {
			c.add(path, WrongType, fmt.Sprintf("null, the spec says %s (not nullable)", v.typ))
		}
		return
	}
	wrong := func() { c.add(path, WrongType, fmt.Sprintf("%s, the spec says %s", jsonType(val), v.typ)) }
	switch v.typ {
	case openapi3.TypeObject:
		obj, ok := val.(map[string]any)
		if !ok {
			wrong()
			return
		}
		for _, name := range v.required {
			if c.full {
				return
			}
			if _, ok := obj[name]; !ok {
				c.add(pointer(path, name), MissingField, "required by the spec, absent from the answer")
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if c.full {
				return
			}
			if p, ok := v.props[k]; ok {
				c.walk(p, obj[k], pointer(path, k))
				continue
			}
			if v.freeForm {
				c.walk(v.additional, obj[k], pointer(path, k))
				continue
			}
			c.add(pointer(path, k), UnknownField, fmt.Sprintf("not in the spec (a %s)", jsonType(obj[k])))
		}
	case openapi3.TypeArray:
		arr, ok := val.([]any)
		if !ok {
			wrong()
			return
		}
		for i, e := range arr {
			if c.full {
				return
			}
			c.walk(v.items, e, path+"/"+strconv.Itoa(i))
		}
	case openapi3.TypeString:
		str, ok := val.(string)
		if !ok {
			wrong()
			return
		}
		if v.format == "date-time" {
			if err := parseDateTime(str); err != nil {
				c.add(path, WrongType, fmt.Sprintf("%q is not an RFC 3339 date-time the SDK can parse", str))
				return
			}
		}
		if !c.openValues && str != "" && len(v.allowed) > 0 && !slices.Contains(v.allowed, str) {
			c.add(path, UnknownEnumValue, fmt.Sprintf("%q is not a known value (known: %s)", str, strings.Join(v.allowed, ", ")))
		}
	case openapi3.TypeInteger:
		n, ok := val.(json.Number)
		if !ok {
			wrong()
			return
		}
		i, err := n.Int64()
		if err != nil {
			c.add(path, WrongType, fmt.Sprintf("%s is not an integer", n))
			return
		}
		if v.format == "int32" && (i < math.MinInt32 || i > math.MaxInt32) {
			c.add(path, WrongType, fmt.Sprintf("%d does not fit in an int32", i))
		}
	case openapi3.TypeNumber:
		if _, ok := val.(json.Number); !ok {
			wrong()
		}
	case openapi3.TypeBoolean:
		if _, ok := val.(bool); !ok {
			wrong()
		}
	}
}
