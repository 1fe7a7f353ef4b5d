package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// The project extensions the generator reads (their names live in package spec).
const (
	extRetry  = spec.ExtRetry
	extSecret = spec.ExtSecret
)

// retryClasses are the values x-stytch-retry may take, with what each one permits. The generated
// RetryClass constants, their doc comments and RetryClass.Repeatable come from this table.
var retryClasses = []retryClass{
	{Value: "safe", GoName: "RetrySafe", Repeatable: true,
		Doc: "sending the request again cannot change the outcome (the operation only reads, or leaves the same state when repeated): it may be retried after network errors, 429 and 5xx answers"},
	{Value: "unsent", GoName: "RetryUnsent", Repeatable: false,
		Doc: "the operation consumes a single-use credential, sends email or creates something: it may be retried only on 429, or when the request provably never left the machine"},
}

// retryClass is one value of x-stytch-retry. Repeatable says whether a request of the class may
// be sent again after it may have reached the server.
type retryClass struct {
	Value, GoName, Doc string
	Repeatable         bool
}

// Problem is one thing wrong with the spec, with its place in it.
type Problem struct {
	Place   string // e.g. "spec/stytch-b2b.yaml:42 paths./v1/b2b/x.post"
	Message string
}

func (p Problem) String() string {
	if p.Place == "" {
		return p.Message
	}
	return p.Place + ": " + p.Message
}

// ProblemsError lists every problem found in a spec.
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// loadSpec reads and parses the spec without following external references. withOrigin records
// line numbers for lint messages; the document handed to oapi-codegen is loaded without them.
func loadSpec(ctx context.Context, path string, withOrigin bool) (*openapi3.T, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the spec the user named with -spec
	if err != nil {
		return nil, err
	}
	l := openapi3.NewLoader()
	l.Context = ctx
	l.IsExternalRefsAllowed = false
	l.IncludeOrigin = withOrigin
	doc, err := l.LoadFromData(data)
	if err != nil {
		return nil, &ProblemsError{Problems: loadProblems(path, data, err)}
	}
	return doc, nil
}

var refInError = regexp.MustCompile(`#/components/[A-Za-z0-9_./-]+`)

// loadProblems turns a load failure into problems. When the failure names a reference
// (#/components/...), each line of the spec that uses it is named, so the reader does not have to
// search for the broken $ref.
func loadProblems(path string, data []byte, err error) []Problem {
	msg := "cannot load: " + err.Error()
	var probs []Problem
	for _, ref := range refInError.FindAllString(err.Error(), -1) {
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "$ref") && strings.Contains(line, ref) {
				probs = append(probs, Problem{Place: fmt.Sprintf("%s:%d", path, i+1), Message: "unresolvable $ref " + ref + ": " + msg})
			}
		}
		if len(probs) > 0 {
			return probs
		}
	}
	return []Problem{{Place: path, Message: msg}}
}

// validateSpec runs kin-openapi's validation (all errors at once) and the project lint rules, on
// the document loaded from path and on its text (for the names of extensions).
func validateSpec(ctx context.Context, path string, doc *openapi3.T) error {
	var probs []Problem
	if err := doc.Validate(ctx, openapi3.EnableMultiError()); err != nil {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range flattenMulti(me) {
				probs = append(probs, validationProblem(path, doc, e))
			}
		} else {
			probs = append(probs, validationProblem(path, doc, err))
		}
	}
	probs = append(probs, lint(path, doc)...)
	data, err := os.ReadFile(path) //nolint:gosec // G304: the spec the user named with -spec
	if err != nil {
		return err
	}
	probs = append(probs, lintExtensionNames(path, data)...)
	if len(probs) > 0 {
		return &ProblemsError{Problems: probs}
	}
	return nil
}

func flattenMulti(me openapi3.MultiError) []error {
	var out []error
	for _, e := range me {
		var inner openapi3.MultiError
		if errors.As(e, &inner) {
			out = append(out, flattenMulti(inner)...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// place renders "file:line where" when the loader recorded a line, else "file where".
func place(path string, o *openapi3.Origin, where string) string {
	if o != nil && o.Key != nil && o.Key.Line > 0 {
		return fmt.Sprintf("%s:%d %s", path, o.Key.Line, where)
	}
	return path + " " + where
}

// supportedRequestKeywords are the constraints the generated Validate methods enforce. A request
// property using anything else is a lint error, so no constraint in the spec is silently ignored.
var supportedRequestKeywords = []string{"type", "format", "description", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "items", "additionalProperties", "nullable", extSecret}

// lint applies the project rules that OpenAPI itself does not:
//   - every operation has an operationId, exactly one declared tag, a valid x-stytch-retry, a
//     summary, a description and its page of Stytch's API reference (externalDocs);
//   - every operation has a shape the b2b facade can call (lintFacadeShape);
//   - every 2xx response is JSON with required request_id and status_code properties;
//   - every path parameter is a required string;
//   - every parameter and every component schema has a description, and so has every property
//     an operation reaches that is not a bare $ref;
//   - every component schema is referenced from an operation;
//   - x-stytch-secret is true or false, and true marks only strings or arrays of strings;
//   - a string property or parameter named like a credential carries x-stytch-secret;
//   - no schema a response reaches uses enum (x-stytch-known-values instead);
//   - request body properties use only constraints the generated validation enforces;
//   - a group extension (exactly, at most or at least one of a list) names two or more distinct
//     optional string properties of its schema.
//
// The names of extensions are checked on the spec's text (lintExtensionNames).
func lint(path string, doc *openapi3.T) []Problem {
	var probs []Problem
	add := func(pl, format string, args ...any) {
		probs = append(probs, Problem{Place: pl, Message: fmt.Sprintf(format, args...)})
	}
	declaredTags := map[string]bool{}
	for _, t := range doc.Tags {
		declaredTags[t.Name] = true
	}
	validRetry := map[string]bool{}
	var retryNames []string
	for _, rc := range retryClasses {
		validRetry[rc.Value] = true
		retryNames = append(retryNames, rc.Value)
	}

	referenced := map[string]bool{}
	if doc.Paths != nil {
		for _, p := range doc.Paths.InMatchingOrder() {
			item := doc.Paths.Value(p)
			methods := make([]string, 0, len(item.Operations()))
			for m := range item.Operations() {
				methods = append(methods, m)
			}
			sort.Strings(methods)
			for _, m := range methods {
				op := item.GetOperation(m)
				where := fmt.Sprintf("paths.%s.%s", p, strings.ToLower(m))
				pl := place(path, op.Origin, where)
				if op.OperationID == "" {
					add(pl, "operation has no operationId")
				}
				switch {
				case len(op.Tags) != 1:
					add(pl, "operation must have exactly one tag, has %d", len(op.Tags))
				case !declaredTags[op.Tags[0]]:
					add(pl, "tag %q is not declared in the top-level tags", op.Tags[0])
				}
				rc, ok := op.Extensions[extRetry].(string)
				switch {
				case op.Extensions[extRetry] == nil:
					add(pl, "operation has no %s retry class (one of %s)", extRetry, strings.Join(retryNames, ", "))
				case !ok || !validRetry[rc]:
					add(pl, "%s is %v, want one of %s", extRetry, op.Extensions[extRetry], strings.Join(retryNames, ", "))
				}
				lintOperationDocs(pl, op, add)
				lintFacadeShape(pl, item, op, add)
				lintParams(path, where, item.Parameters, op.Parameters, add)
				lintSuccess(path, where, op, add)
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for ct, mt := range op.RequestBody.Value.Content {
						if ct == "application/json" && mt.Schema != nil {
							lintRequestSchema(path, where+".requestBody", mt.Schema, add)
						}
					}
				}
				collectOperationRefs(op, referenced)
			}
		}
	}
	// Transitive closure over component schemas.
	queue := slices.Sorted(mapKeys(referenced))
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		ref := doc.Components.Schemas[name]
		if ref == nil {
			continue
		}
		found := map[string]bool{}
		collectSchemaRefs(ref.Value, found, map[*openapi3.Schema]bool{})
		for n := range found {
			if !referenced[n] {
				referenced[n] = true
				queue = append(queue, n)
			}
		}
	}
	if doc.Components != nil {
		for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
			s := doc.Components.Schemas[name]
			where := "components.schemas." + name
			if !referenced[name] {
				add(place(path, originOf(s), where), "schema is not referenced by any operation")
			}
			if s.Value != nil && strings.TrimSpace(s.Value.Description) == "" {
				add(place(path, originOf(s), where), "schema has no description: add one (it becomes the doc comment of the generated Go type)")
			}
			if s.Value != nil {
				lintSecrets(path, where, s.Value, add)
			}
		}
	}
	lintReachedSchemas(path, doc, add)
	return probs
}

func originOf(s *openapi3.SchemaRef) *openapi3.Origin {
	if s == nil || s.Value == nil {
		return nil
	}
	return s.Value.Origin
}

func lintParams(path, where string, shared, own openapi3.Parameters, add func(string, string, ...any)) {
	for _, pr := range append(append(openapi3.Parameters{}, shared...), own...) {
		p := pr.Value
		if p == nil {
			continue
		}
		pl := place(path, p.Origin, where+".parameters."+p.Name)
		if p.In == openapi3.ParameterInPath {
			if !p.Required {
				add(pl, "path parameter %q must be required", p.Name)
			}
			if p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeString) {
				add(pl, "path parameter %q must be a string", p.Name)
			}
		}
		if strings.TrimSpace(p.Description) == "" {
			add(pl, "parameter %q has no description: add one (it becomes the doc comment of its Go field or per-call option)", p.Name)
		}
		if v, ok := p.Extensions[extSecret]; ok {
			if _, isBool := v.(bool); !isBool {
				add(pl, "%s is %v, want true (a credential) or false (named like one, but not one)", extSecret, v)
			}
		}
		if p.Schema != nil && p.Schema.Value != nil && markableAsSecret(p.Schema.Value) {
			lintCredentialName(pl, string(p.In)+" parameter", p.Name, p.Extensions, add)
		}
	}
}

func lintSuccess(path, where string, op *openapi3.Operation, add func(string, string, ...any)) {
	if op.Responses == nil {
		add(place(path, op.Origin, where), "operation has no responses")
		return
	}
	has2xx := false
	for code, rr := range op.Responses.Map() {
		if len(code) != 3 || code[0] != '2' {
			continue
		}
		has2xx = true
		pl := place(path, op.Origin, where+".responses."+code)
		if rr.Value == nil {
			continue
		}
		mt := rr.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			add(pl, "success response must have an application/json schema")
			continue
		}
		s := mt.Schema.Value
		for _, f := range []string{"request_id", "status_code"} {
			if s.Properties[f] == nil {
				add(pl, "success response has no %s property", f)
			} else if !slices.Contains(s.Required, f) {
				add(pl, "success response must list %s as required", f)
			}
		}
	}
	if !has2xx {
		add(place(path, op.Origin, where), "operation has no 2xx response")
	}
}

// lintRequestSchema checks a request body schema and, through references, the request objects
// nested in it (seen stops at a schema already checked).
func lintRequestSchema(path, where string, ref *openapi3.SchemaRef, add func(string, string, ...any)) {
	lintRequestObject(path, where, ref, add, map[*openapi3.Schema]bool{})
}

func lintRequestObject(path, where string, ref *openapi3.SchemaRef, add func(string, string, ...any), seen map[*openapi3.Schema]bool) {
	s := ref.Value
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if ref.Ref != "" {
		where = "components.schemas." + strings.TrimPrefix(ref.Ref, "#/components/schemas/")
	}
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		pref := s.Properties[name]
		p := pref.Value
		if p == nil {
			continue
		}
		pl := place(path, p.Origin, where+".properties."+name)
		// A property that references an object schema is a nested request object: its own
		// properties are checked (and validated at run time) in turn.
		if nestedObject(pref) {
			lintRequestObject(path, where, pref, add, seen)
			continue
		}
		if p.Type.Is(openapi3.TypeArray) && p.Items != nil && nestedObject(p.Items) {
			lintRequestObject(path, where, p.Items, add, seen)
		}
		for _, kw := range usedKeywords(p) {
			if !slices.Contains(supportedRequestKeywords, kw) {
				add(pl, "request property uses %q, which the generated validation does not enforce", kw)
			}
		}
		lintStringRules(pl, p, slices.Contains(s.Required, name), add)
	}
	for _, g := range spec.Groups() {
		if v, ok := s.Extensions[g.Ext]; ok {
			lintGroup(place(path, s.Origin, where+"."+g.Ext), g.Ext, v, s, add)
		}
	}
}

// lintGroup checks the value v of a group extension (spec.Groups) on the request object s: a list
// of at least two distinct names, each of an optional string property of s.
func lintGroup(pl, ext string, v any, s *openapi3.Schema, add func(string, string, ...any)) {
	names, isList := v.([]any)
	if !isList || len(names) < 2 {
		add(pl, "%s must list at least two property names", ext)
		return
	}
	seen := map[string]bool{} // by the printed name: an entry may be any YAML value
	for _, n := range names {
		if seen[fmt.Sprint(n)] {
			add(pl, "%s names %v twice", ext, n)
			continue
		}
		seen[fmt.Sprint(n)] = true
		name, _ := n.(string)
		p := s.Properties[name]
		switch {
		case p == nil || p.Value == nil:
			add(pl, "%s names %v, which is not a property of the schema", ext, n)
		case slices.Contains(s.Required, name):
			add(pl, "%s names %s, which is required (it would always be set)", ext, name)
		case !p.Value.Type.Is(openapi3.TypeString):
			add(pl, "%s names %s, which is not a string", ext, name)
		}
	}
}

// lintStringRules checks the length and pattern constraints of a request property p. They apply
// to strings without enum only: the generated validation counts characters and matches the
// pattern as a Go regular expression, as the spec validator (kin-openapi) does. minLength 1 on a
// required string stands for "required and non-empty"; the spec must say it for every required
// string, so the facade and a validating server agree on "". On an optional string, minLength 1
// is refused (leave the property out rather than send ""); a longer minimum is a length rule.
func lintStringRules(pl string, p *openapi3.Schema, required bool, add func(string, string, ...any)) {
	isString := p.Type.Is(openapi3.TypeString) && len(p.Enum) == 0
	switch {
	case p.MinLength == 1 && (!required || !isString):
		add(pl, "minLength 1 is only supported on required string properties")
	case p.MinLength > 1 && !isString:
		add(pl, "minLength %d is only supported on string properties without enum", p.MinLength)
	case p.MinLength == 0 && required && isString:
		add(pl, "required string property must declare minLength: 1 (the API rejects an empty value)")
	}
	switch {
	case p.MaxLength == nil:
	case !isString:
		add(pl, "maxLength is only supported on string properties without enum")
	case *p.MaxLength < p.MinLength:
		add(pl, "maxLength %d is below minLength %d: no value fits", *p.MaxLength, p.MinLength)
	}
	if p.Pattern != "" {
		if !isString {
			add(pl, "pattern is only supported on string properties without enum")
		} else if _, err := regexp.Compile(p.Pattern); err != nil {
			add(pl, "pattern %q is not a Go regular expression, which the generated validation needs: %v", p.Pattern, err)
		}
	}
}

// nestedObject reports whether ref references an object schema of the components.
func nestedObject(ref *openapi3.SchemaRef) bool {
	return ref != nil && ref.Ref != "" && ref.Value != nil && ref.Value.Type.Is(openapi3.TypeObject)
}

// usedKeywords lists the schema keywords set on s that matter for validation.
func usedKeywords(s *openapi3.Schema) []string {
	var kw []string
	set := func(name string, on bool) {
		if on {
			kw = append(kw, name)
		}
	}
	set("pattern", s.Pattern != "")
	set("minLength", s.MinLength != 0)
	set("maxLength", s.MaxLength != nil)
	set("minItems", s.MinItems != 0)
	set("maxItems", s.MaxItems != nil)
	set("uniqueItems", s.UniqueItems)
	set("exclusiveMinimum", s.ExclusiveMin.IsTrue() || s.ExclusiveMin.Value != nil)
	set("exclusiveMaximum", s.ExclusiveMax.IsTrue() || s.ExclusiveMax.Value != nil)
	set("multipleOf", s.MultipleOf != nil)
	set("oneOf", len(s.OneOf) > 0)
	set("anyOf", len(s.AnyOf) > 0)
	set("allOf", len(s.AllOf) > 0)
	set("not", s.Not != nil)
	set("minProperties", s.MinProps != 0)
	set("maxProperties", s.MaxProps != nil)
	set("properties", len(s.Properties) > 0)
	return kw
}

func lintSecrets(path, where string, s *openapi3.Schema, add func(string, string, ...any)) {
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		pr := s.Properties[name]
		if pr.Value == nil {
			continue
		}
		v, ok := pr.Value.Extensions[extSecret]
		if !ok {
			continue
		}
		pl := place(path, pr.Value.Origin, where+".properties."+name)
		if b, isBool := v.(bool); !isBool || !b {
			if !isBool {
				add(pl, "%s is %v, want true (a credential) or false (named like one, but not one)", extSecret, v)
			}
			continue
		}
		t := pr.Value
		if t.Type.Is(openapi3.TypeArray) && t.Items != nil && t.Items.Value != nil {
			t = t.Items.Value
		}
		if !t.Type.Is(openapi3.TypeString) {
			add(pl, "%s marks a property that is not a string or an array of strings", extSecret)
		}
	}
}

func collectOperationRefs(op *openapi3.Operation, out map[string]bool) {
	seen := map[*openapi3.Schema]bool{}
	visit := func(r *openapi3.SchemaRef) {
		if r == nil {
			return
		}
		if n := refName(r.Ref); n != "" {
			out[n] = true
		}
		collectSchemaRefs(r.Value, out, seen)
	}
	for _, p := range op.Parameters {
		if p.Value != nil {
			visit(p.Value.Schema)
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, mt := range op.RequestBody.Value.Content {
			visit(mt.Schema)
		}
	}
	if op.Responses != nil {
		for _, rr := range op.Responses.Map() {
			if rr.Value == nil {
				continue
			}
			for _, mt := range rr.Value.Content {
				visit(mt.Schema)
			}
		}
	}
}

func collectSchemaRefs(s *openapi3.Schema, out map[string]bool, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	var refs []*openapi3.SchemaRef
	for _, p := range s.Properties {
		refs = append(refs, p)
	}
	refs = append(refs, s.Items, s.Not, s.AdditionalProperties.Schema)
	refs = append(refs, s.AllOf...)
	refs = append(refs, s.AnyOf...)
	refs = append(refs, s.OneOf...)
	for _, r := range refs {
		if r == nil {
			continue
		}
		if n := refName(r.Ref); n != "" {
			out[n] = true
		}
		collectSchemaRefs(r.Value, out, seen)
	}
}

func refName(ref string) string {
	const prefix = "#/components/schemas/"
	if strings.HasPrefix(ref, prefix) {
		return strings.TrimPrefix(ref, prefix)
	}
	return ""
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
