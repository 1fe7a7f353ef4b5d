package specwalk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// RequestBody returns the JSON schema of op's request body, or nil when op takes none.
func RequestBody(op *openapi3.Operation) *openapi3.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	return jsonSchema(op.RequestBody.Value.Content)
}

// RequestBodyRequired says op's request body is required.
func RequestBodyRequired(op *openapi3.Operation) bool {
	return op != nil && op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Required
}

// ResponseBody returns the JSON schema op declares for an answer with status: the exact status,
// else its class ("2XX"), else the default response. It returns nil when none has a JSON schema.
func ResponseBody(op *openapi3.Operation, status int) *openapi3.Schema {
	if op == nil || op.Responses == nil {
		return nil
	}
	rr := op.Responses.Status(status)
	if rr == nil {
		rr = op.Responses.Value(strconv.Itoa(status/100) + "XX")
	}
	if rr == nil {
		rr = op.Responses.Default()
	}
	if rr == nil || rr.Value == nil {
		return nil
	}
	return jsonSchema(rr.Value.Content)
}

func jsonSchema(c openapi3.Content) *openapi3.Schema {
	mt := c.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// Param is an example value of one parameter of an operation.
type Param struct {
	In       string // "path", "header", "query" or "cookie"
	Name     string
	Required bool
	Secret   bool // marked x-stytch-secret: true
	Schema   *openapi3.Schema
	// Value is the example, as it is written in a URL or header before escaping: a string is
	// built as Example builds one at pointer "/"+Name (a secret is SecretValue(Name, ctx)), other
	// types are formatted with fmt.
	Value string
}

// Params returns example values of the parameters of op (those of its path item included, the
// operation's own winning), sorted by location then name. Full gives every parameter, Minimal and
// OptionalOmitted only required ones.
func Params(item *openapi3.PathItem, op *openapi3.Operation, m Mode, ctx string) []Param {
	byKey := map[string]*openapi3.Parameter{}
	var lists []openapi3.Parameters
	if item != nil {
		lists = append(lists, item.Parameters)
	}
	if op != nil {
		lists = append(lists, op.Parameters)
	}
	for _, ps := range lists {
		for _, pr := range ps {
			if pr != nil && pr.Value != nil {
				byKey[pr.Value.In+"\x00"+strings.ToLower(pr.Value.Name)] = pr.Value
			}
		}
	}
	var out []Param
	for _, p := range byKey {
		if !p.Required && m != Full {
			continue
		}
		var s *openapi3.Schema
		if p.Schema != nil {
			s = p.Schema.Value
		}
		secret := isTrue(p.Extensions, ExtSecret)
		w := &walker{mode: Full, ctx: ctx}
		val, _ := w.value(s, []string{p.Name}, true, secret)
		out = append(out, Param{In: p.In, Name: p.Name, Required: p.Required, Secret: secret || viewOf(s).secret, Schema: s, Value: fmt.Sprint(val)})
	}
	slices.SortFunc(out, func(a, b Param) int {
		if c := strings.Compare(a.In, b.In); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
