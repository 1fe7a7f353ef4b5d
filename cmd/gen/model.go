package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// The model is what the project's templates render: everything cmd/gen derives from the spec and
// from oapi-codegen's output, so that no handwritten package restates it.
type model struct {
	RetryClasses []retryClass
	GroupRules   []groupRule
	UsesPatterns bool // a validator matches a pattern: the generated code imports regexp
	Operations   []operation
	PathTypes    []pathType
	Validators   []validator
	Secrets      []secretType
	Redactors    []redactor
	Known        []knownType
	Enums        []enumType
	Aliases      []alias
	Envelopes    []envelope
}

// envelope renders the Envelope method of a success answer type: the request_id and status_code
// every success body carries (lint requires them).
type envelope struct {
	Type, RequestID, StatusCode string
}

type operation struct {
	GoName       string // MagicLinksAuthenticate
	ID           string // magicLinksAuthenticate, as in the spec
	Method       string // http.MethodPost
	Path         string
	Tag          string
	Retry        string // RetryUnsent
	Summary      string
	Description  string
	DocsURL      string // the operation's externalDocs URL: Stytch's API reference page
	Request      string // Go type of the params: the body schema's type, or the generated path type
	Response     string // Go type of the 200 body
	HasBody      bool
	PathArgs     []string // Go field names of the path type, in path order
	PathParams   []string // the spec's names of the path parameters, in path order
	Headers      []headerParam
	SecretFields []string // JSON pointers of the secret request body fields ("*" for array items)
}

type headerParam struct {
	Name        string
	Secret      bool
	MinLength   uint64
	Description string
}

type pathType struct {
	Name   string
	Op     string
	Fields []pathField
}

type pathField struct {
	GoName, JSONName, Doc string
}

// validator renders the validation of one request type: Validate (for params) and validate (the
// rules, also called for nested request objects with the field path so far).
type validator struct {
	Type     string
	Op       string // the spec's operationId the params belong to ("" for nested types)
	TopLevel bool   // the params of an operation: it gets a Validate method
	Rules    []rule
	Groups   []group
}

type rule struct {
	GoName, JSONName string
	Pointer          bool // the Go field is a pointer (optional)
	Required         bool // string must be non-empty
	PathSegment      bool // also reject "." and ".."
	Min, Max         *int64
	MinLen, MaxLen   *int64 // bounds on the number of characters of a string (MinLen only above 1)
	Pattern          string // a Go regular expression the string must match
	Enum             []string
	EnumType         string
	UTF8             string // how to check the text is valid UTF-8: string, ptrString, strings, any
	Nested           string // how to validate a nested request object: value, ptr, slice
}

// group is one use of a group extension (spec.Groups) on a request object: the properties it
// lists and how many of them may be set.
type group struct {
	groupRule
	Fields []groupField
	Names  string // the JSON names joined with ", "
}

// groupRule is what the validation of a group extension reports, and when.
type groupRule struct {
	Ext       string // the extension, e.g. x-stytch-at-most-one
	Rule      string // ValidationError.Rule: the extension's name without its prefix, in snake case (at_most_one)
	Want      string // the same in words, for messages (at most one)
	NoneOK    bool   // none of the properties may be set
	SeveralOK bool   // more than one of them may be set
}

type groupField struct {
	GoName, JSONName string
}

// groupRules derives, from the family the spec package defines, the rule name and wording of each
// group extension.
func groupRules() []groupRule {
	var out []groupRule
	for _, g := range spec.Groups() {
		words := strings.TrimPrefix(g.Ext, "x-stytch-")
		out = append(out, groupRule{
			Ext: g.Ext, NoneOK: g.NoneOK, SeveralOK: g.SeveralOK,
			Rule: strings.ReplaceAll(words, "-", "_"), Want: strings.ReplaceAll(words, "-", " "),
		})
	}
	return out
}

// secretType renders AppendSecrets for one type.
type secretType struct {
	Type   string
	Fields []redactField
}

type redactor struct {
	Type   string
	Fields []redactField
}

type redactField struct {
	GoName string
	Kind   string // string, ptrString, strings, ptrStrings, nested, ptrNested, sliceNested
	Type   string // nested type name
}

// knownType is a named string type generated for a response property that lists its known values
// (x-stytch-known-values); oapi-codegen is told to use it for the property (x-go-type).
type knownType struct {
	Name   string
	Doc    string
	Values []constValue
}

type constValue struct {
	GoName, Value string
}

// enumType is an enum type oapi-codegen generated (request enums), with its constants.
type enumType struct {
	Name   string
	Values []constValue
}

// alias is one re-export in package b2b.
type alias struct {
	Name   string // the b2b name
	Target string // the gen name
	Doc    string
	Consts []constAlias
}

type constAlias struct {
	Name, Target string
}

var methodConst = map[string]string{
	http.MethodGet: "http.MethodGet", http.MethodPost: "http.MethodPost", http.MethodPut: "http.MethodPut",
	http.MethodPatch: "http.MethodPatch", http.MethodDelete: "http.MethodDelete",
}

// knownTypeNames computes the generated type of every component schema property (or array item)
// that lists known values, keyed by the schema and property: "Member.status" -> "MemberStatus".
// A type name may be shared (x-stytch-type-name) only by properties with the same values.
func knownTypeNames(doc *openapi3.T) (map[string]knownType, map[string]string, error) {
	types := map[string]knownType{} // type name -> type
	sites := map[string]string{}    // "Schema.prop" or "Schema.prop[]" -> type name
	for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		for _, prop := range slices.Sorted(mapKeys(s.Properties)) {
			p := s.Properties[prop].Value
			if p == nil {
				continue
			}
			target, site := p, name+"."+prop
			if p.Type.Is(openapi3.TypeArray) && p.Items != nil && p.Items.Value != nil {
				target, site = p.Items.Value, site+"[]"
			}
			values, ok := knownValues(target)
			if !ok {
				continue
			}
			typeName, _ := target.Extensions[spec.ExtTypeName].(string)
			if typeName == "" {
				typeName = codegen.SchemaNameToTypeName(name) + codegen.ToCamelCaseWithInitialisms(prop)
			}
			kt := knownType{Name: typeName, Doc: oneLine(p.Description)}
			for _, v := range values {
				kt.Values = append(kt.Values, constValue{GoName: typeName + constSuffix(v), Value: v})
			}
			if have, dup := types[typeName]; dup {
				if !reflect.DeepEqual(have.Values, kt.Values) {
					return nil, nil, fmt.Errorf("%s: type %s is also used for other known values", site, typeName)
				}
			} else {
				types[typeName] = kt
			}
			sites[site] = typeName
		}
	}
	return types, sites, nil
}

func knownValues(s *openapi3.Schema) ([]string, bool) {
	raw, ok := s.Extensions[spec.ExtKnownValues].([]any)
	if !ok || !s.Type.Is(openapi3.TypeString) {
		return nil, false
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		out = append(out, fmt.Sprint(v))
	}
	return out, true
}

// constSuffix turns a value into the Go suffix of its constant: "REQUIRED_FOR_ALL" -> "RequiredForAll",
// "pt-br" -> "PtBr", "oauth_google" -> "OAuthGoogle".
func constSuffix(v string) string {
	return codegen.ToCamelCaseWithInitialisms(strings.ToLower(v))
}

// markKnownTypes tells oapi-codegen to type each known-values property with its generated type.
func markKnownTypes(doc *openapi3.T, sites map[string]string) {
	for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		for prop, ref := range s.Properties {
			p := ref.Value
			if p == nil {
				continue
			}
			if t, ok := sites[name+"."+prop]; ok {
				setExt(p, "x-go-type", t)
			}
			if t, ok := sites[name+"."+prop+"[]"]; ok {
				setExt(p.Items.Value, "x-go-type", t)
			}
		}
	}
}

func setExt(s *openapi3.Schema, key string, v any) {
	if s.Extensions == nil {
		s.Extensions = map[string]any{}
	}
	s.Extensions[key] = v
}

// buildModel derives the model from the spec and oapi-codegen's output. It relies on the operation
// shapes lintFacadeShape (lintrules.go) enforces, which Generate checks first and reports with
// their lines; the errors below about those shapes are for a document that skipped the lint.
func buildModel(doc, mutated *openapi3.T, code []byte, known map[string]knownType) (*model, error) {
	src, err := indexCode(code)
	if err != nil {
		return nil, fmt.Errorf("reading generated code: %w", err)
	}
	types := src.structs
	m := &model{RetryClasses: retryClasses, GroupRules: groupRules()}
	for _, name := range slices.Sorted(mapKeys(known)) {
		m.Known = append(m.Known, known[name])
	}
	retryGo := map[string]string{}
	for _, rc := range retryClasses {
		retryGo[rc.Value] = rc.GoName
	}
	secretTypes := map[string]map[string]bool{} // Go type -> JSON names of secret fields
	requestTypes := map[string]bool{}
	nested := map[string]*openapi3.Schema{} // request object types reached from a body, by Go type

	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for _, method := range slices.Sorted(mapKeys(item.Operations())) {
			op := item.GetOperation(method)
			goName := mutated.Paths.Value(p).GetOperation(method).OperationID // oapi-codegen's Go name
			o := operation{
				GoName: goName, ID: op.OperationID, Method: methodConst[method], Path: p,
				Tag: op.Tags[0], Retry: retryGo[op.Extensions[spec.ExtRetry].(string)],
				Summary: oneLine(op.Summary), Description: oneLine(op.Description),
			}
			if op.ExternalDocs != nil {
				o.DocsURL = op.ExternalDocs.URL
			}
			o.Response = responseType(op)
			if o.Response == "" {
				return nil, fmt.Errorf("%s %s: the 200 response must reference a component schema", method, p)
			}
			params := append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...)
			var pt *pathType
			for _, pr := range params {
				prm := pr.Value
				switch prm.In {
				case openapi3.ParameterInPath:
					if pt == nil {
						pt = &pathType{Name: goName + "Request", Op: op.OperationID}
					}
					pt.Fields = append(pt.Fields, pathField{GoName: codegen.ToCamelCaseWithInitialisms(prm.Name), JSONName: prm.Name, Doc: oneLine(prm.Description)})
				case openapi3.ParameterInHeader:
					h := headerParam{Name: prm.Name, Secret: isSecret(prm.Extensions), Description: oneLine(prm.Description)}
					if prm.Schema != nil && prm.Schema.Value != nil {
						h.MinLength = prm.Schema.Value.MinLength
					}
					o.Headers = append(o.Headers, h)
					if h.Secret {
						// oapi-codegen's struct of the operation's header parameters holds them too.
						addSecret(secretTypes, goName+"Params", prm.Name)
					}
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				mt := rb.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || refName(mt.Schema.Ref) == "" {
					return nil, fmt.Errorf("%s %s: the request body must reference a component schema", method, p)
				}
				if pt != nil {
					return nil, fmt.Errorf("%s %s: an operation with both path parameters and a body is not supported by the facade", method, p)
				}
				o.HasBody = true
				o.Request = codegen.SchemaNameToTypeName(refName(mt.Schema.Ref))
				v, err := bodyValidator(o.Request, op.OperationID, mt.Schema.Value, types, nested)
				if err != nil {
					return nil, err
				}
				v.TopLevel = true
				m.Validators = append(m.Validators, v)
				o.SecretFields = secretPointers(mt.Schema.Value, "", map[*openapi3.Schema]bool{})
			} else if pt != nil {
				o.Request = pt.Name
				v := validator{Type: pt.Name, Op: op.OperationID, TopLevel: true}
				for _, f := range pt.Fields {
					o.PathArgs = append(o.PathArgs, f.GoName)
					o.PathParams = append(o.PathParams, f.JSONName)
					v.Rules = append(v.Rules, rule{GoName: f.GoName, JSONName: f.JSONName, Required: true, PathSegment: true, UTF8: "string"})
				}
				m.PathTypes = append(m.PathTypes, *pt)
				m.Validators = append(m.Validators, v)
			} else {
				return nil, fmt.Errorf("%s %s: an operation without a body or path parameters is not supported by the facade", method, p)
			}
			requestTypes[o.Request] = true
			m.Operations = append(m.Operations, o)
		}
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].GoName < m.Operations[j].GoName })
	seenEnvelope := map[string]bool{}
	for _, o := range m.Operations {
		if seenEnvelope[o.Response] {
			continue
		}
		seenEnvelope[o.Response] = true
		rid, sc := types[o.Response]["request_id"], types[o.Response]["status_code"]
		if rid.Type != "string" || sc.Type != "int32" {
			return nil, fmt.Errorf("%s: request_id must generate a string and status_code an int32 field, got %s and %s", o.Response, rid.Type, sc.Type)
		}
		m.Envelopes = append(m.Envelopes, envelope{Type: o.Response, RequestID: rid.GoName, StatusCode: sc.GoName})
	}

	// Nested request objects: their own rules, reached through the validators that call them.
	for done := map[string]bool{}; len(done) < len(nested); {
		for _, t := range slices.Sorted(mapKeys(nested)) {
			if done[t] {
				continue
			}
			done[t] = true
			v, err := bodyValidator(t, "", nested[t], types, nested)
			if err != nil {
				return nil, err
			}
			m.Validators = append(m.Validators, v)
		}
	}
	sort.SliceStable(m.Validators, func(i, j int) bool { return m.Validators[i].Type < m.Validators[j].Type })
	for _, v := range m.Validators {
		for _, r := range v.Rules {
			m.UsesPatterns = m.UsesPatterns || r.Pattern != ""
		}
	}

	// Secrets declared on component schemas.
	for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		for _, prop := range slices.Sorted(mapKeys(s.Properties)) {
			if pv := s.Properties[prop].Value; pv != nil && isSecret(pv.Extensions) {
				addSecret(secretTypes, codegen.SchemaNameToTypeName(name), prop)
			}
		}
	}
	m.Redactors, err = redactors(types, secretTypes)
	if err != nil {
		return nil, err
	}
	// AppendSecrets: every params type (so the facade can ask any of them) and every type that
	// holds a secret.
	withSecrets := map[string]redactor{}
	for _, r := range m.Redactors {
		withSecrets[r.Type] = r
	}
	for t := range requestTypes {
		if _, ok := withSecrets[t]; !ok {
			withSecrets[t] = redactor{Type: t}
		}
	}
	for _, t := range slices.Sorted(mapKeys(withSecrets)) {
		m.Secrets = append(m.Secrets, secretType(withSecrets[t]))
	}

	m.Enums = src.enums
	m.Aliases = aliases(doc, m, src)
	return m, nil
}

func responseType(op *openapi3.Operation) string {
	rr := op.Responses.Status(http.StatusOK)
	if rr == nil || rr.Value == nil {
		return ""
	}
	mt := rr.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return ""
	}
	if n := refName(mt.Schema.Ref); n != "" {
		return codegen.SchemaNameToTypeName(n)
	}
	return ""
}

// bodyValidator derives the rules of one request object type. Nested request objects it reaches
// (a property that references a component schema, directly or as array items) are added to nested,
// so that they get rules of their own.
func bodyValidator(typeName, opID string, s *openapi3.Schema, types map[string]map[string]goField, nested map[string]*openapi3.Schema) (validator, error) {
	fields := types[typeName]
	v := validator{Type: typeName, Op: opID}
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		ref := s.Properties[name]
		p := ref.Value
		f, ok := fields[name]
		if !ok {
			return v, fmt.Errorf("generated type %s has no field for %s", typeName, name)
		}
		r := rule{GoName: f.GoName, JSONName: name, Pointer: strings.HasPrefix(f.Type, "*")}
		if p.MinLength >= 1 && slices.Contains(s.Required, name) {
			if r.Pointer || f.Type != "string" {
				return v, fmt.Errorf("%s.%s: a required string must generate a string field, got %s", typeName, name, f.Type)
			}
			r.Required = true
		}
		// Lengths and patterns: lint allows them on strings without enum only.
		if p.MinLength > 1 || p.MaxLength != nil || p.Pattern != "" {
			if strings.TrimPrefix(f.Type, "*") != "string" {
				return v, fmt.Errorf("%s.%s: a string with a length or pattern rule must generate a string field, got %s", typeName, name, f.Type)
			}
		}
		if p.MinLength > 1 {
			n := int64(p.MinLength) //nolint:gosec // G115: a length from the spec
			r.MinLen = &n
		}
		if p.MaxLength != nil {
			n := int64(*p.MaxLength) //nolint:gosec // G115: a length from the spec
			r.MaxLen = &n
		}
		r.Pattern = p.Pattern
		if p.Min != nil {
			n := int64(*p.Min)
			r.Min = &n
		}
		if p.Max != nil {
			n := int64(*p.Max)
			r.Max = &n
		}
		if len(p.Enum) > 0 {
			for _, e := range p.Enum {
				r.Enum = append(r.Enum, fmt.Sprint(e))
			}
			r.EnumType = strings.TrimPrefix(f.Type, "*")
		}
		switch {
		case f.Type == "string":
			r.UTF8 = "string"
		case f.Type == "*string":
			r.UTF8 = "ptrString"
		case f.Type == "[]string":
			r.UTF8 = "strings"
		case strings.HasPrefix(f.Type, "map[string]interface{}") || f.Type == "interface{}":
			r.UTF8 = "any"
		}
		if n := refName(ref.Ref); n != "" && p.Type.Is(openapi3.TypeObject) {
			nested[codegen.SchemaNameToTypeName(n)] = p
			r.Nested = map[byte]string{'*': "ptr"}[f.Type[0]]
			if r.Nested == "" {
				r.Nested = "value"
			}
		}
		if p.Type.Is(openapi3.TypeArray) && p.Items != nil {
			if n := refName(p.Items.Ref); n != "" && p.Items.Value.Type.Is(openapi3.TypeObject) {
				nested[codegen.SchemaNameToTypeName(n)] = p.Items.Value
				r.Nested = "slice"
			}
		}
		if r.Required || r.Min != nil || r.Max != nil || r.MinLen != nil || r.MaxLen != nil || r.Pattern != "" || r.Enum != nil || r.UTF8 != "" || r.Nested != "" {
			v.Rules = append(v.Rules, r)
		}
	}
	for _, gr := range groupRules() {
		raw, ok := s.Extensions[gr.Ext].([]any)
		if !ok {
			continue
		}
		g := group{groupRule: gr}
		var names []string
		for _, n := range raw {
			name := fmt.Sprint(n)
			f, ok := fields[name]
			if !ok || f.Type != "*string" {
				return v, fmt.Errorf("%s: %s lists %q, which is not an optional string property", typeName, gr.Ext, name)
			}
			g.Fields = append(g.Fields, groupField{GoName: f.GoName, JSONName: name})
			names = append(names, name)
		}
		g.Names = strings.Join(names, ", ")
		v.Groups = append(v.Groups, g)
	}
	return v, nil
}

// secretPointers lists the JSON pointers of the secret properties under s ("*" stands for any
// array element), following references, arrays and allOf.
func secretPointers(s *openapi3.Schema, at string, seen map[*openapi3.Schema]bool) []string {
	if s == nil || seen[s] {
		return nil
	}
	seen[s] = true
	defer delete(seen, s)
	var out []string
	for _, sub := range s.AllOf {
		if sub != nil {
			out = append(out, secretPointers(sub.Value, at, seen)...)
		}
	}
	if s.Items != nil {
		out = append(out, secretPointers(s.Items.Value, at+"/*", seen)...)
	}
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		p := s.Properties[name].Value
		if p == nil {
			continue
		}
		ptr := at + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
		if isSecret(p.Extensions) {
			out = append(out, ptr)
			continue
		}
		out = append(out, secretPointers(p, ptr, seen)...)
	}
	return out
}

func redactors(types map[string]map[string]goField, direct map[string]map[string]bool) ([]redactor, error) {
	// A type needs a redactor when it has a secret field, or a field whose type needs one.
	needs := map[string]bool{}
	for t := range direct {
		if _, ok := types[t]; !ok {
			return nil, fmt.Errorf("secret fields declared on %s, but no such generated type", t)
		}
		needs[t] = true
	}
	for changed := true; changed; {
		changed = false
		for t, fields := range types {
			if needs[t] {
				continue
			}
			for _, f := range fields {
				if needs[baseType(f.Type)] {
					needs[t], changed = true, true
					break
				}
			}
		}
	}
	var out []redactor
	for _, t := range slices.Sorted(mapKeys(needs)) {
		r := redactor{Type: t}
		fields := types[t]
		for _, jn := range slices.Sorted(mapKeys(fields)) {
			f := fields[jn]
			switch {
			case direct[t][jn]:
				kind := map[string]string{"string": "string", "*string": "ptrString", "[]string": "strings", "*[]string": "ptrStrings"}[f.Type]
				if kind == "" {
					return nil, fmt.Errorf("%s.%s is secret but has Go type %s", t, jn, f.Type)
				}
				r.Fields = append(r.Fields, redactField{GoName: f.GoName, Kind: kind})
			case needs[baseType(f.Type)]:
				kind := map[byte]string{'*': "ptrNested", '[': "sliceNested"}[f.Type[0]]
				if kind == "" {
					kind = "nested"
				}
				r.Fields = append(r.Fields, redactField{GoName: f.GoName, Kind: kind, Type: baseType(f.Type)})
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// aliases lists the re-exports of package b2b: the params and response of every operation under
// the facade's names, every other model, every enum and known-values type with its constants, and
// the retry classes.
func aliases(doc *openapi3.T, m *model, src codeIndex) []alias {
	var out []alias
	params := map[string]operation{}
	responses := map[string]operation{}
	for _, o := range m.Operations {
		params[o.Request] = o
		responses[o.Response] = o
	}
	renamed := map[string]string{} // gen type -> b2b name, for the enum renames below
	for _, o := range m.Operations {
		renamed[o.Request] = o.GoName + "Params"
	}
	descriptions := map[string]string{}
	for name, s := range doc.Components.Schemas {
		if s.Value != nil {
			descriptions[codegen.SchemaNameToTypeName(name)] = oneLine(s.Value.Description)
		}
	}
	skip := map[string]bool{"Error": true} // b2b.Error is the error type; it carries these fields
	for _, o := range m.Operations {
		if len(o.Headers) > 0 {
			skip[o.GoName+"Params"] = true // header parameters are per-call options in b2b
		}
	}
	names := slices.Clone(src.typeNames)
	for _, pt := range m.PathTypes {
		names = append(names, pt.Name) // the generated path parameter types
	}
	slices.Sort(names)
	for _, t := range names {
		switch {
		case skip[t]:
		case params[t].ID != "":
			o := params[t]
			out = append(out, alias{Name: o.GoName + "Params", Target: t,
				Doc: fmt.Sprintf("%sParams are the params of %s (%s %s); the fields are those of [gen.%s].", o.GoName, o.ID, httpMethod(o.Method), o.Path, t)})
		case responses[t].ID != "":
			o := responses[t]
			out = append(out, alias{Name: t, Target: t,
				Doc: fmt.Sprintf("%s is the answer of %s (%s %s); the fields are those of [gen.%s].", t, o.ID, httpMethod(o.Method), o.Path, t)})
		case src.structs[t] != nil:
			d := descriptions[t]
			if d == "" {
				d = "a model of the API"
			}
			out = append(out, alias{Name: t, Target: t, Doc: fmt.Sprintf("%s is [gen.%s]: %s", t, t, lowerFirst(d))})
		}
	}
	for _, e := range m.Enums {
		name := e.Name
		for req, b2bName := range renamed {
			if strings.HasPrefix(name, req) {
				name = strings.TrimSuffix(b2bName, "Params") + strings.TrimPrefix(name, req)
			}
		}
		a := alias{Name: name, Target: e.Name, Doc: fmt.Sprintf("%s is [gen.%s], the values the API accepts for a request field.", name, e.Name)}
		for _, c := range e.Values {
			a.Consts = append(a.Consts, constAlias{Name: name + strings.TrimPrefix(c.GoName, e.Name), Target: c.GoName})
		}
		out = append(out, a)
	}
	for _, k := range m.Known {
		a := alias{Name: k.Name, Target: k.Name, Doc: fmt.Sprintf("%s is [gen.%s]: the values the API is known to send; others may appear.", k.Name, k.Name)}
		for _, c := range k.Values {
			a.Consts = append(a.Consts, constAlias{Name: c.GoName, Target: c.GoName})
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func httpMethod(c string) string { return strings.ToUpper(strings.TrimPrefix(c, "http.Method")) }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func baseType(t string) string { return strings.TrimLeft(t, "*[]") }

func isSecret(ext map[string]any) bool {
	b, _ := ext[spec.ExtSecret].(bool)
	return b
}

func addSecret(m map[string]map[string]bool, typ, jsonName string) {
	if m[typ] == nil {
		m[typ] = map[string]bool{}
	}
	m[typ][jsonName] = true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// goField is a struct field of the generated code, found by its JSON (or header) name.
type goField struct {
	GoName string
	Type   string // Go type expression, e.g. "*string", "[]Member", "map[string]interface{}"
}

// codeIndex is what cmd/gen reads back from oapi-codegen's output.
type codeIndex struct {
	structs   map[string]map[string]goField // struct type -> fields by JSON name
	typeNames []string                      // every exported type that is not an alias, sorted
	enums     []enumType                    // string types with constants, with their constants
}

// indexCode parses the generated code: struct types with their fields by JSON name, the exported
// type names, and the enums (a string type with constants of that type).
func indexCode(code []byte) (codeIndex, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "client.gen.go", code, 0)
	if err != nil {
		return codeIndex{}, err
	}
	idx := codeIndex{structs: map[string]map[string]goField{}}
	consts := map[string][]constValue{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		switch gd.Tok {
		case token.CONST:
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
					continue
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					return codeIndex{}, err
				}
				consts[typ.Name] = append(consts[typ.Name], constValue{GoName: vs.Names[0].Name, Value: v})
			}
		case token.TYPE:
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if !ts.Name.IsExported() || ts.Assign.IsValid() {
					continue
				}
				idx.typeNames = append(idx.typeNames, ts.Name.Name)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				if _, dup := idx.structs[ts.Name.Name]; dup {
					return codeIndex{}, fmt.Errorf("type %s is declared twice", ts.Name.Name)
				}
				fields := map[string]goField{}
				for _, fl := range st.Fields.List {
					if fl.Tag == nil || len(fl.Names) != 1 {
						continue
					}
					tag, err := strconv.Unquote(fl.Tag.Value)
					if err != nil {
						return codeIndex{}, err
					}
					jn, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
					if jn == "" || jn == "-" {
						continue
					}
					var buf bytes.Buffer
					if err := format.Node(&buf, fset, fl.Type); err != nil {
						return codeIndex{}, err
					}
					fields[jn] = goField{GoName: fl.Names[0].Name, Type: buf.String()}
				}
				idx.structs[ts.Name.Name] = fields
			}
		}
	}
	sort.Strings(idx.typeNames)
	for _, t := range slices.Sorted(mapKeys(consts)) {
		idx.enums = append(idx.enums, enumType{Name: t, Values: consts[t]})
	}
	return idx, nil
}
