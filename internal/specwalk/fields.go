package specwalk

import (
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Field is one property (or array element) of a schema, as Fields lists it. Its facts are those of
// the property's schema with allOf members folded in.
type Field struct {
	// Pointer is the field's RFC 6901 JSON pointer from the schema's root, with "*" for the
	// elements of an array: "/member/roles/*/role_id".
	Pointer string
	// Name is the last token of Pointer ("*" for array elements).
	Name string
	// Required says the field is required in its parent object; array elements are required.
	Required bool
	// Nullable says null is allowed.
	Nullable bool
	// Secret says the field holds a credential: it, or an array or object containing it, is
	// marked x-stytch-secret: true.
	Secret bool
	// Type is the JSON type the schema gives ("object", "array", "string", "integer", "number",
	// "boolean"), or "" when it gives none.
	Type string
	// Format is the schema's format ("date-time", "int32", ...), if any.
	Format string
	// FreeForm says the object takes properties it does not list (additionalProperties true or a
	// schema); Closed says it takes none (additionalProperties false).
	FreeForm, Closed bool
	// Enum and Known are the values of enum and of x-stytch-known-values.
	Enum, Known []any
	// Min and Max are the numeric bounds (nil when absent); MinLength is the string's minLength.
	Min, Max  *float64
	MinLength uint64
	// Schema is the property's schema as written (possibly an allOf wrapper).
	Schema *openapi3.Schema
}

// Fields lists every property of s, recursively, depth first with properties in name order; the
// root itself is not listed. A schema that repeats inside itself is listed once, where it first
// appears, and not descended into again.
func Fields(s *openapi3.Schema) []Field {
	var out []Field
	var stack []*openapi3.Schema
	var walk func(s *openapi3.Schema, ptr string, secret bool)
	walk = func(s *openapi3.Schema, ptr string, secret bool) {
		v := viewOf(s)
		for _, x := range v.schemas {
			if slices.Contains(stack, x) {
				return
			}
		}
		stack = append(stack, v.schemas...)
		defer func() { stack = stack[:len(stack)-len(v.schemas)] }()
		secret = secret || v.secret
		add := func(name string, child *openapi3.Schema, required bool) {
			cv := viewOf(child)
			p := ptr + "/" + escape(name)
			out = append(out, Field{
				Pointer: p, Name: name, Required: required, Nullable: cv.nullable, Secret: secret || cv.secret,
				Type: cv.typ, Format: cv.format, FreeForm: cv.free, Closed: cv.closed, Enum: cv.enum, Known: cv.known,
				Min: cv.min, Max: cv.max, MinLength: cv.minLen, Schema: child,
			})
			walk(child, p, secret)
		}
		switch v.typ {
		case openapi3.TypeObject:
			names := make([]string, 0, len(v.props))
			for name := range v.props {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				add(name, v.props[name], slices.Contains(v.required, name))
			}
		case openapi3.TypeArray:
			if v.items != nil {
				add("*", v.items, true)
			}
		}
	}
	walk(s, "", false)
	return out
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// Lookup returns the value at pointer in an example tree, with "*" standing for the first element
// of an array (an index picks that element). ok is false when the path is absent.
func Lookup(tree any, pointer string) (v any, ok bool) {
	v = tree
	for _, tok := range tokens(pointer) {
		switch t := v.(type) {
		case map[string]any:
			if v, ok = t[tok]; !ok {
				return nil, false
			}
		case []any:
			i := 0
			if tok != "*" {
				n, err := strconv.Atoi(tok)
				if err != nil || n < 0 {
					return nil, false
				}
				i = n
			}
			if i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Pick returns the fields of s for which keep returns true.
func Pick(s *openapi3.Schema, keep func(Field) bool) []Field {
	var out []Field
	for _, f := range Fields(s) {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}
