package main

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// kin-openapi's validation errors say what is wrong in words, and some carry the place they are
// about (an Origin field); none is printed with a line. validationProblem gives each one the line
// of the operation it names, or else the place it carries, and a way to fix the common ones.

// namedEndpoint matches an operation as kin-openapi writes it in a message: "POST /v1/things/{id}".
var namedEndpoint = regexp.MustCompile(`\b(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (/[^\s"]*)`)

// namedOperationID matches an operationId quoted in a message: operation id "x", operationId "x".
var namedOperationID = regexp.MustCompile(`(?i)operation ?id "([^"]+)"`)

// validationProblem turns one validation error of the spec at path into a problem.
func validationProblem(path string, doc *openapi3.T, err error) Problem {
	msg := "invalid OpenAPI: " + err.Error()
	if hint := validationHint(err); hint != "" {
		msg += ": " + hint
	}
	places := operationPlaces(path, doc, err.Error())
	if len(places) == 0 {
		if o := originIn(err); o != nil && o.Key != nil && o.Key.Line > 0 {
			places = []string{fmt.Sprintf("%s:%d", path, o.Key.Line)}
		}
	}
	if len(places) == 0 {
		return Problem{Place: path, Message: msg}
	}
	if len(places) > 1 {
		msg += " (also at " + strings.Join(places[1:], ", ") + ")"
	}
	return Problem{Place: places[0], Message: msg}
}

// operationPlaces returns the place of each operation a message names, by method and path or by
// operationId, in the order the message names them.
func operationPlaces(path string, doc *openapi3.T, msg string) []string {
	if doc.Paths == nil {
		return nil
	}
	var out []string
	add := func(p, method string) {
		item := doc.Paths.Value(p)
		if item == nil {
			return
		}
		op := item.GetOperation(method)
		if op == nil {
			return
		}
		pl := place(path, op.Origin, fmt.Sprintf("paths.%s.%s", p, strings.ToLower(method)))
		if !slices.Contains(out, pl) {
			out = append(out, pl)
		}
	}
	for _, m := range namedEndpoint.FindAllStringSubmatch(msg, -1) {
		add(m[2], m[1])
	}
	for _, m := range namedOperationID.FindAllStringSubmatch(msg, -1) {
		for _, p := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(p).Operations() {
				if op.OperationID == m[1] {
					add(p, method)
				}
			}
		}
	}
	return out
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// originIn returns the innermost place an error of the chain carries (a field Origin of type
// *openapi3.Origin, as kin-openapi's typed validation errors have), or nil.
func originIn(err error) *openapi3.Origin {
	var found *openapi3.Origin
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		if f := v.FieldByName("Origin"); f.IsValid() && f.Type() == originType && !f.IsNil() {
			found = f.Interface().(*openapi3.Origin)
		}
	}
	return found
}

// validationHint says how to fix the validation errors a new operation commonly runs into, or "".
func validationHint(err error) string {
	var params *openapi3.PathParametersError
	var dup *openapi3.DuplicateOperationIDError
	switch {
	case errors.As(err, &params):
		var hints []string
		for _, name := range params.Missing {
			if strings.Contains(params.Path, "{"+name+"}") {
				hints = append(hints, fmt.Sprintf("declare %s under the operation's (or the path's) parameters with in: path, required: true and schema {type: string, minLength: 1}", name))
			} else {
				hints = append(hints, fmt.Sprintf("%s is declared as a path parameter but is not in the path: add {%s} to the path or remove the parameter", name, name))
			}
		}
		return strings.Join(hints, "; ")
	case errors.As(err, &dup):
		return "operationIds must be unique (the facade's method and types are named after them): rename one"
	}
	return ""
}
