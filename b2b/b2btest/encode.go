package b2btest

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// encoder writes answers as the API does: like encoding/json, except that an absent optional
// object or timestamp the spec marks nullable (member_session, mfa_required, primary_required,
// member_device, intermediate_session_token_expires_at, a member's scim_registration, ...) is sent
// as null instead of being left out. Stytch's own examples show such fields as null.
//
// The generated types cannot say that (their pointer fields are omitempty), so the encoder builds,
// once per type, a mirror type with the same fields and layout whose tags drop omitempty on those
// fields, and encodes the answer through it. Each answer is encoded exactly once.
type encoder struct {
	mu       sync.Mutex
	roots    map[reflect.Type]*openapi3.Schema // answer type -> its response schema, not yet learned
	nullable map[reflect.Type]map[string]bool  // struct type -> JSON names of nullable pointer fields
	mirrors  map[reflect.Type]reflect.Type     // nil value: no mirror, encode as is
	seen     map[reflect.Type]bool             // struct types learned
}

// newEncoder notes, for every operation, the generated type of its 200 answer and the answer's
// schema. Which fields are nullable is learned from the schema the first time an answer of the
// type is encoded (walking the spec for every type up front would slow down the first NewServer).
func newEncoder(doc *openapi3.T) *encoder {
	e := &encoder{roots: map[reflect.Type]*openapi3.Schema{}, nullable: map[reflect.Type]map[string]bool{},
		mirrors: map[reflect.Type]reflect.Type{}, seen: map[reflect.Type]bool{}}
	for _, op := range gen.Operations {
		resp := op.NewResponse()
		if resp == nil {
			continue
		}
		item := doc.Paths.Find(op.Path)
		if item == nil {
			continue
		}
		if schema := specwalk.ResponseBody(item.GetOperation(op.Method), 200); schema != nil {
			e.roots[reflect.TypeOf(resp).Elem()] = schema
		}
	}
	if s := errorSchema(doc); s != nil {
		e.roots[reflect.TypeFor[gen.Error]()] = s
	}
	return e
}

func errorSchema(doc *openapi3.T) *openapi3.Schema {
	if doc.Components == nil {
		return nil
	}
	if r, ok := doc.Components.Schemas["Error"]; ok && r != nil {
		return r.Value
	}
	return nil
}

// learn records the nullable pointer fields of t (a struct type of package gen) whose object
// schema is schema, and of the struct types inside it.
func (e *encoder) learn(t reflect.Type, schema *openapi3.Schema) {
	if t.Kind() != reflect.Struct || schema == nil || e.seen[t] || t.PkgPath() != reflect.TypeFor[gen.Error]().PkgPath() {
		return
	}
	e.seen[t] = true
	direct := map[string]specwalk.Field{}
	for _, f := range specwalk.Fields(schema) {
		if strings.Count(f.Pointer, "/") == 1 {
			direct[f.Name] = f
		}
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		f, ok := direct[name]
		if !ok {
			continue
		}
		if f.Nullable && sf.Type.Kind() == reflect.Pointer {
			if e.nullable[t] == nil {
				e.nullable[t] = map[string]bool{}
			}
			e.nullable[t][name] = true
		}
		ft, child := sf.Type, f.Schema
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice {
			child = itemsOf(child)
			ft = ft.Elem()
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
		}
		e.learn(ft, child)
	}
}

// itemsOf returns the items schema of an array schema, looking through allOf wrappers.
func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if s.Items != nil {
		return s.Items.Value
	}
	for _, sub := range s.AllOf {
		if sub != nil && sub.Value != nil {
			if it := itemsOf(sub.Value); it != nil {
				return it
			}
		}
	}
	return nil
}

// encode returns the JSON of v.
func (e *encoder) encode(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return json.Marshal(v)
	}
	m := e.mirror(rv.Type())
	if m == nil {
		return json.Marshal(v)
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	// The mirror has the same fields, in the same order, of types with the same layout (checked
	// by sameLayout when it was built): only struct tags differ.
	return json.Marshal(reflect.NewAt(m, p.UnsafePointer()).Interface())
}

// mirror returns the mirror type of t, or nil when t needs none (or one cannot be built).
func (e *encoder) mirror(t reflect.Type) reflect.Type {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, done := e.mirrors[t]
	if done {
		return m
	}
	if schema, ok := e.roots[t]; ok {
		e.learn(t, schema)
	}
	m = e.build(t, map[reflect.Type]bool{})
	if m != nil && !sameLayout(t, m) {
		m = nil
	}
	e.mirrors[t] = m
	return m
}

// build returns a type like t in which every struct that has nullable fields, at any depth, is
// replaced by a copy whose tags send those fields as null; or nil when nothing changes.
func (e *encoder) build(t reflect.Type, busy map[reflect.Type]bool) reflect.Type {
	switch t.Kind() {
	case reflect.Pointer:
		if el := e.build(t.Elem(), busy); el != nil {
			return reflect.PointerTo(el)
		}
	case reflect.Slice:
		if el := e.build(t.Elem(), busy); el != nil {
			return reflect.SliceOf(el)
		}
	case reflect.Struct:
		if busy[t] || t.PkgPath() != reflect.TypeFor[gen.Error]().PkgPath() {
			return nil // a recursive type keeps its own encoding
		}
		busy[t] = true
		defer delete(busy, t)
		changed := false
		fields := make([]reflect.StructField, t.NumField())
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() || sf.Anonymous {
				return nil
			}
			if ft := e.build(sf.Type, busy); ft != nil {
				sf.Type, changed = ft, true
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if e.nullable[t][name] {
				sf.Tag = reflect.StructTag(`json:"` + name + `"`)
				changed = true
			}
			fields[i] = sf
		}
		if changed {
			return reflect.StructOf(fields)
		}
	}
	return nil
}

// sameLayout reports whether a and b have the same size, alignment and field offsets, recursively
// through pointers and slices, so that memory of type a can be read as type b.
func sameLayout(a, b reflect.Type) bool {
	if a == b {
		return true
	}
	if a.Kind() != b.Kind() || a.Size() != b.Size() || a.Align() != b.Align() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Slice:
		return sameLayout(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.NumField() != b.NumField() {
			return false
		}
		for i := range a.NumField() {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Name != fb.Name || fa.Offset != fb.Offset || !sameLayout(fa.Type, fb.Type) {
				return false
			}
		}
		return true
	}
	return false
}
