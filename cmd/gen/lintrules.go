package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// This file holds the lint rules that look at every schema an operation reaches, at the names of
// the project's extensions, at what the generated docs are made of, and at the operation shapes
// the b2b facade can call. lint (load.go) runs them.

// extPrefix starts the name of every project extension.
const extPrefix = "x-stytch-"

// knownExtensions returns the names of the project's extensions. Package spec declares them as
// constants and has no list of them, so this is the one list cmd/gen checks names against;
// TestKnownExtensionsAreTheSpecConstants fails when a constant of package spec is missing here.
func knownExtensions() []string {
	names := []string{spec.ExtRetry, spec.ExtSecret, spec.ExtKnownValues, spec.ExtTypeName}
	for _, g := range spec.Groups() {
		names = append(names, g.Ext)
	}
	return names
}

// lintExtensionNames reports every mapping key of the spec's text that starts with x-stytch- (in
// any case) and is not one of knownExtensions: nothing reads such a key, so a misspelt mark would
// otherwise be ignored without a word. It reads the YAML itself, so that a key anywhere (info,
// tags, responses, a parameter, a schema) is found with its line.
func lintExtensionNames(path string, data []byte) []Problem {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil // the loader has reported the text as unreadable
	}
	known := knownExtensions()
	var probs []Problem
	var walk func(n *yaml.Node, where string)
	walk = func(n *yaml.Node, where string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, where)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				at := joinWhere(where, k.Value)
				if strings.HasPrefix(strings.ToLower(k.Value), extPrefix) && !slices.Contains(known, k.Value) {
					probs = append(probs, Problem{
						Place: fmt.Sprintf("%s:%d %s", path, k.Line, at),
						Message: fmt.Sprintf("unknown extension %s: did you mean %s? (nothing reads other x-stytch- names; the project's extensions are %s, the constants of package spec)",
							k.Value, closest(k.Value, known), strings.Join(known, ", ")),
					})
				}
				walk(v, at)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, joinWhere(where, elementName(c, i)))
			}
		}
	}
	walk(&root, "")
	return probs
}

func joinWhere(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// elementName names an element of a YAML sequence in a locator: by its name field when it has one
// (a parameter, a tag), as the locators of the other rules do, else by its index.
func elementName(n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "name" && n.Content[j+1].Kind == yaml.ScalarNode {
				return n.Content[j+1].Value
			}
		}
	}
	return fmt.Sprintf("[%d]", i)
}

// closest returns the candidate with the smallest edit distance to s (the first one on a tie).
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counted in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// credentialName matches, in snake case, the names the spec gives credentials: a name whose last
// word is token, jwt, password or secret (session_token, id_token, session_jwt, client_secret), or
// whose last two words are recovery_code or code_verifier, each possibly plural. A name that only
// contains such a word describes a credential without being one: intermediate_session_token_expires_at,
// bearer_token_last_four, token_id, token_type, member_password_id, totp_recovery_code_id,
// trusted_auth_token_factor.
var credentialName = regexp.MustCompile(`(^|_)(token|jwt|password|secret|recovery_code|code_verifier)s?$`)

// looksLikeCredential reports whether a property or parameter name is that of a credential.
func looksLikeCredential(name string) bool { return credentialName.MatchString(snakeCase(name)) }

// snakeCase lowers a name and separates its words with underscores, whether they were separated
// by punctuation or by case: "X-Stytch-Member-SessionJWT" is x_stytch_member_session_jwt and
// "pkceCodeVerifier" pkce_code_verifier.
func snakeCase(s string) string {
	var b []rune
	sep := func() {
		if len(b) > 0 && b[len(b)-1] != '_' {
			b = append(b, '_')
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			sep()
			continue
		case unicode.IsUpper(r) && i > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				sep()
			}
		}
		b = append(b, unicode.ToLower(r))
	}
	return strings.Trim(string(b), "_")
}

// markableAsSecret reports whether x-stytch-secret may mark s: a string or an array of strings.
func markableAsSecret(s *openapi3.Schema) bool {
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	return s.Type.Is(openapi3.TypeString)
}

// lintCredentialName reports a string named like a credential that says nothing about being one.
func lintCredentialName(pl, kind, name string, ext map[string]any, add func(string, string, ...any)) {
	if _, marked := ext[extSecret]; marked || !looksLikeCredential(name) {
		return
	}
	add(pl, "%s %q is named like a credential: mark it %s: true (it is then redacted when printed or logged and scrubbed from errors), or %s: false if it is not one",
		kind, name, extSecret, extSecret)
}

// schemaSite is a schema an operation reaches, at one place of the spec: a body, a parameter's
// schema, a property, array items, a member of allOf and so on. A component schema is one site,
// named components.schemas.<name>, however many references lead to it.
type schemaSite struct {
	where string              // the locator, such as components.schemas.Member.properties.status
	ref   *openapi3.SchemaRef // as written at the site: a $ref, or the schema itself
	prop  string              // the property name, when the site is a property of an object
	// request and response say whether a request body or parameter, or a response, reaches it.
	request, response bool
}

// reachedSchemas lists every schema the operations reach through their parameters, JSON request
// bodies and JSON responses (every status, default included), sorted by locator.
func reachedSchemas(doc *openapi3.T) []*schemaSite {
	sites := map[string]*schemaSite{}
	record := func(where string, ref *openapi3.SchemaRef, prop string, response bool) {
		s := sites[where]
		if s == nil {
			s = &schemaSite{where: where, ref: ref, prop: prop}
			sites[where] = s
		}
		s.request = s.request || !response
		s.response = s.response || response
	}
	type entry struct {
		s        *openapi3.Schema
		response bool
	}
	entered := map[entry]bool{}
	var walk func(where string, ref *openapi3.SchemaRef, prop string, response bool)
	walk = func(where string, ref *openapi3.SchemaRef, prop string, response bool) {
		if ref == nil || ref.Value == nil {
			return
		}
		s := ref.Value
		record(where, ref, prop, response)
		if n := refName(ref.Ref); n != "" {
			where = "components.schemas." + n
			record(where, &openapi3.SchemaRef{Value: s}, "", response)
		}
		if entered[entry{s, response}] {
			return
		}
		entered[entry{s, response}] = true
		for _, name := range slices.Sorted(mapKeys(s.Properties)) {
			walk(where+".properties."+name, s.Properties[name], name, response)
		}
		walk(where+".items", s.Items, "", response)
		walk(where+".additionalProperties", s.AdditionalProperties.Schema, "", response)
		walk(where+".not", s.Not, "", response)
		for _, c := range []struct {
			kw   string
			list openapi3.SchemaRefs
		}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
			for i, sub := range c.list {
				walk(fmt.Sprintf("%s.%s[%d]", where, c.kw, i), sub, "", response)
			}
		}
	}
	if doc.Paths != nil {
		for _, p := range doc.Paths.InMatchingOrder() {
			item := doc.Paths.Value(p)
			for _, m := range slices.Sorted(mapKeys(item.Operations())) {
				op := item.GetOperation(m)
				where := fmt.Sprintf("paths.%s.%s", p, strings.ToLower(m))
				for _, pr := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
					if pr.Value != nil {
						walk(where+".parameters."+pr.Value.Name, pr.Value.Schema, "", false)
					}
				}
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
						walk(where+".requestBody", mt.Schema, "", false)
					}
				}
				if op.Responses != nil {
					for _, code := range slices.Sorted(mapKeys(op.Responses.Map())) {
						rr := op.Responses.Value(code)
						if rr == nil || rr.Value == nil {
							continue
						}
						if mt := rr.Value.Content.Get("application/json"); mt != nil {
							walk(where+".responses."+code, mt.Schema, "", true)
						}
					}
				}
			}
		}
	}
	out := make([]*schemaSite, 0, len(sites))
	for _, w := range slices.Sorted(mapKeys(sites)) {
		out = append(out, sites[w])
	}
	return out
}

// lintReachedSchemas applies the rules about schemas in use:
//   - a string property (or array of strings) named like a credential carries x-stytch-secret;
//   - no schema a response reaches uses enum (the spec's rule: known values keep the set open);
//   - every property written out in full (not a bare $ref, which takes the referenced schema's
//     description) has a description, which becomes the doc comment of its Go field.
func lintReachedSchemas(path string, doc *openapi3.T, add func(string, string, ...any)) {
	for _, site := range reachedSchemas(doc) {
		s := site.ref.Value
		pl := place(path, s.Origin, site.where)
		if site.prop != "" && markableAsSecret(s) {
			lintCredentialName(pl, "property", site.prop, s.Extensions, add)
		}
		if site.ref.Ref != "" {
			continue // the referenced component is a site of its own
		}
		if site.response && len(s.Enum) > 0 {
			add(pl, "enum in a schema a response reaches: use %s with the same values instead (response schemas leave the set open, so that a value the API adds never breaks decoding; %s names the generated type)",
				spec.ExtKnownValues, spec.ExtTypeName)
		}
		if site.prop != "" && strings.TrimSpace(s.Description) == "" {
			add(pl, "property %q has no description: add one (it becomes the doc comment of the generated Go field)", site.prop)
		}
	}
}

// stytchDocs starts the URL of every page of Stytch's API reference.
const stytchDocs = "https://stytch.com/docs/"

// lintOperationDocs checks what the generated docs and README.md's table of operations show of an
// operation: its summary (the table's "what it does" and the operation's doc line), its
// description, and its page of Stytch's API reference (externalDocs), which the facade method's
// doc comment links.
func lintOperationDocs(pl string, op *openapi3.Operation, add func(string, string, ...any)) {
	if strings.TrimSpace(op.Summary) == "" {
		add(pl, "operation has no summary: add one line saying what it does (README.md's table of operations and the generated docs show it)")
	}
	if strings.TrimSpace(op.Description) == "" {
		add(pl, "operation has no description: add one (the generated docs show it)")
	}
	switch {
	case op.ExternalDocs == nil || op.ExternalDocs.URL == "":
		add(pl, "operation has no externalDocs: add externalDocs.url, its page of Stytch's API reference (%s...), which the facade method's doc comment links", stytchDocs)
	case !strings.HasPrefix(op.ExternalDocs.URL, stytchDocs):
		add(pl, "externalDocs.url %q is not a page of Stytch's API reference: use the operation's page under %s", op.ExternalDocs.URL, stytchDocs)
	}
}

// lintFacadeShape reports what of an operation the b2b facade cannot call. Its methods take one
// params type, which is either the JSON request body (a component schema) or a type holding the
// path parameters, plus per-call options for header parameters; they return the component schema
// of the 200 answer. buildModel (model.go) relies on these shapes.
func lintFacadeShape(pl string, item *openapi3.PathItem, op *openapi3.Operation, add func(string, string, ...any)) {
	const extend = "or extend buildModel in cmd/gen/model.go (and the facade) to support it"
	hasPath := false
	for _, pr := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
		p := pr.Value
		if p == nil {
			continue
		}
		switch p.In {
		case openapi3.ParameterInPath:
			hasPath = true
		case openapi3.ParameterInHeader:
		default:
			add(pl, "%s parameter %q would never be sent: the facade sends path and header parameters only; move it into the request body, %s", p.In, p.Name, extend)
		}
	}
	var body *openapi3.RequestBody
	if op.RequestBody != nil {
		body = op.RequestBody.Value
	}
	if body != nil {
		if mt := body.Content.Get("application/json"); mt == nil || mt.Schema == nil || refName(mt.Schema.Ref) == "" {
			add(pl, "the request body must be application/json with a $ref to a component schema, whose type is the facade's params: move the schema under components.schemas and reference it")
		}
	}
	switch {
	case body != nil && hasPath:
		add(pl, "an operation with both path parameters and a body is not supported by the facade, whose params are either the body or the path parameters: send the path values as body properties if the API accepts them there, %s", extend)
	case body == nil && !hasPath:
		add(pl, "an operation without a body or path parameters is not supported by the facade, which has no params type for it: give it a request body (a component schema), %s", extend)
	}
	if op.Responses != nil && responseRef(op) == "" {
		add(pl, "the 200 response must be application/json with a $ref to a component schema, the type the facade method returns: add a '200' response referencing one")
	}
}

// responseRef returns the component schema name the operation's 200 JSON answer references, or
// "". Unlike responseType it touches no oapi-codegen state, so lint may run concurrently with a
// generation (codegenMu guards that state).
func responseRef(op *openapi3.Operation) string {
	rr := op.Responses.Status(http.StatusOK)
	if rr == nil || rr.Value == nil {
		return ""
	}
	if mt := rr.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
		return refName(mt.Schema.Ref)
	}
	return ""
}
