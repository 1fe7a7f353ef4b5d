// Package specwalk builds deterministic example JSON values from the schemas of the spec, and lists
// the fields of a schema with the properties tests pick them by (required, nullable, secret, ...).
// It is the base of the repository's test material: fixtures, goldens and fake answers are built
// from it, so a new field in the spec reaches every test without a hand edit.
//
// Three kinds of example exist (see Mode): Full sets every property, recursively; Minimal sets only
// required properties; OptionalOmitted is Minimal as a real answer with every optional field absent
// would be, with a required nullable field null.
//
// Values are chosen so that tests can tell them apart and find them:
//
//   - A string is distinct per JSON path: it is the path's tag (its tokens joined with ".", such as
//     "member.roles.0.role_id") followed by "-" and the caller's context string, so a value that
//     lands in the wrong field is visible. Formats are respected: date-time is RFC 3339 in UTC, at
//     a fixed instant shifted by a number of seconds derived from the path; date, email, uuid and
//     uri look like one.
//   - A string with an enum or the x-stytch-known-values extension is one of the listed values,
//     picked by the path (so two fields with the same list do not always share a value).
//   - A secret string (x-stytch-secret: true on the property, a parameter, or an array or object
//     that contains it) is SecretPrefix + tag + "-" + context, such as
//     "secret-magic_links_token-req". No other value starts with SecretPrefix.
//   - Numbers are inside the schema's minimum and maximum; minLength, maxLength and minItems are
//     respected; booleans are true (so an omitempty field is still sent).
//   - Arrays have one element (minItems elements where that is more). Nullable objects are set,
//     never null, except in OptionalOmitted. A free-form object (additionalProperties: true) gets,
//     in Full, a small nested object, a number, a string and an explicit null.
//
// The same path gets the same value in every mode, so a Minimal example is part of the Full one.
// Objects are map[string]any, which encoding/json writes with sorted keys in compact form: the
// bytes of ExampleJSON are what encoding/json writes for the generated Go type holding the value.
// Recursive schemas are cut where they repeat: an optional property is left out, an array is
// empty, a required one is expanded once more with its required properties only.
package specwalk

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// The spec's project extensions that the walker reads (their names live in package spec).
const (
	// ExtSecret marks a property or parameter holding a credential.
	ExtSecret = spec.ExtSecret
	// ExtKnownValues lists the values a response string is known to take.
	ExtKnownValues = spec.ExtKnownValues
)

// SecretPrefix starts every secret value the walker makes, and no other value.
const SecretPrefix = "secret-"

// baseInstant is the instant date-time values are derived from.
var baseInstant = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Mode is the kind of example to build.
type Mode int

// The kinds of example.
const (
	// Full sets every property, recursively.
	Full Mode = iota + 1
	// Minimal sets only required properties, recursively (every value non-null).
	Minimal
	// OptionalOmitted is the leanest answer the schema allows: required properties only, a
	// required nullable one null.
	OptionalOmitted
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case Full:
		return "full"
	case Minimal:
		return "minimal"
	case OptionalOmitted:
		return "optional-omitted"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Example returns an example value of s: a tree of map[string]any, []any, string, int64,
// float64, bool and nil. ctx is appended to strings (and names secrets); pass what tells the
// example apart from others in the test, such as "magicLinksAuthenticate-req".
func Example(s *openapi3.Schema, m Mode, ctx string) any {
	w := &walker{mode: m, ctx: ctx}
	v, _ := w.value(s, nil, true, false)
	return v
}

// ExampleJSON is Example encoded by encoding/json: compact, object keys sorted.
func ExampleJSON(s *openapi3.Schema, m Mode, ctx string) []byte {
	b, err := json.Marshal(Example(s, m, ctx))
	if err != nil {
		panic("specwalk: encoding an example: " + err.Error()) // trees of plain values always encode
	}
	return b
}

// SecretValue returns the value the walker gives a secret string at pointer (an RFC 6901 JSON
// pointer such as "/session_token", or a parameter name) with context ctx.
func SecretValue(pointer, ctx string) string {
	return SecretPrefix + tag(tokens(pointer)) + suffix(ctx)
}

// StringValue returns the value the walker gives a plain string (no secret, enum, known values,
// format or length limits) at pointer with context ctx.
func StringValue(pointer, ctx string) string {
	return plain(tokens(pointer), ctx)
}

// tokens splits an RFC 6901 pointer; a string without a leading "/" is one token.
func tokens(pointer string) []string {
	if pointer == "" {
		return nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return []string{pointer}
	}
	parts := strings.Split(pointer[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

func tag(path []string) string {
	if len(path) == 0 {
		return "value"
	}
	return strings.Join(path, ".")
}

func suffix(ctx string) string {
	if ctx == "" {
		return ""
	}
	return "-" + ctx
}

func plain(path []string, ctx string) string {
	s := tag(path) + suffix(ctx)
	if strings.HasPrefix(s, SecretPrefix) {
		s = "x-" + s // a property named "secret-..." must not look like a secret
	}
	return s
}

func hash(path []string) uint64 {
	h := fnv.New64a()
	for _, p := range path {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// ----------------------------------------------------------------------------- schema views

// view is a schema with its allOf members folded in (the spec writes a nullable reference as
// nullable: true plus allOf: [$ref]) and its first oneOf/anyOf alternative taken.
type view struct {
	schemas  []*openapi3.Schema // the schema and every member folded in
	typ      string
	format   string
	nullable bool
	props    map[string]*openapi3.Schema
	required []string
	free     bool             // additionalProperties true, or a schema
	closed   bool             // additionalProperties false
	addl     *openapi3.Schema // the additionalProperties schema, if any
	items    *openapi3.Schema
	enum     []any
	known    []any
	min, max *float64
	exclMin  bool
	exclMax  bool
	minLen   uint64
	maxLen   *uint64
	minItems uint64
	secret   bool
}

func isTrue(ext map[string]any, name string) bool {
	b, ok := ext[name].(bool)
	return ok && b
}

func viewOf(s *openapi3.Schema) view {
	v := view{props: map[string]*openapi3.Schema{}}
	if s == nil {
		return v
	}
	v.nullable = s.Nullable
	var fold func(s *openapi3.Schema)
	fold = func(s *openapi3.Schema) {
		if s == nil || slices.Contains(v.schemas, s) {
			return
		}
		v.schemas = append(v.schemas, s)
		for _, sub := range s.AllOf {
			if sub != nil {
				fold(sub.Value)
			}
		}
		for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
			if len(alts) > 0 && alts[0] != nil {
				fold(alts[0].Value)
			}
		}
		if s.Type != nil && len(s.Type.Slice()) > 0 && v.typ == "" {
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
		for _, r := range s.Required {
			if !slices.Contains(v.required, r) {
				v.required = append(v.required, r)
			}
		}
		ap := s.AdditionalProperties
		switch {
		case ap.Schema != nil && ap.Schema.Value != nil:
			v.free, v.addl = true, ap.Schema.Value
		case ap.Has != nil && *ap.Has:
			v.free = true
		case ap.Has != nil && !*ap.Has:
			v.closed = true
		}
		if s.Items != nil && s.Items.Value != nil {
			v.items = s.Items.Value
		}
		if len(s.Enum) > 0 {
			v.enum = s.Enum
		}
		if known, ok := s.Extensions[ExtKnownValues].([]any); ok && len(known) > 0 {
			v.known = known
		}
		if s.Min != nil {
			v.min = s.Min
			v.exclMin = s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool
		}
		if s.Max != nil {
			v.max = s.Max
			v.exclMax = s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool
		}
		v.minLen = max(v.minLen, s.MinLength)
		if s.MaxLength != nil {
			v.maxLen = s.MaxLength
		}
		v.minItems = max(v.minItems, s.MinItems)
		v.secret = v.secret || isTrue(s.Extensions, ExtSecret)
	}
	fold(s)
	if v.typ == "" && (len(v.props) > 0 || v.free || v.closed) {
		v.typ = openapi3.TypeObject
	}
	if v.typ == "" && v.items != nil {
		v.typ = openapi3.TypeArray
	}
	slices.Sort(v.required)
	return v
}

// ------------------------------------------------------------------------------- examples

type walker struct {
	mode  Mode
	ctx   string
	stack []*openapi3.Schema
	cuts  int // how many repeated schemas are being expanded below the current value
}

func (w *walker) onStack(v view) bool {
	for _, s := range v.schemas {
		if slices.Contains(w.stack, s) {
			return true
		}
	}
	return false
}

// value builds the example of s at path. must says the value cannot be left out (a required
// property, the root); ok is false when the value is left out to cut a cycle.
func (w *walker) value(s *openapi3.Schema, path []string, must, secret bool) (any, bool) {
	v := viewOf(s)
	secret = secret || v.secret
	if w.onStack(v) {
		switch {
		case !must:
			return nil, false
		case v.nullable:
			return nil, true
		case v.typ == openapi3.TypeArray:
			return []any{}, true
		case w.cuts >= 1:
			return zero(v), true // the schema cannot be satisfied by a finite value
		}
		mode := w.mode
		w.cuts++
		if w.mode == Full {
			w.mode = Minimal
		}
		defer func() { w.cuts--; w.mode = mode }()
	}
	if w.mode == OptionalOmitted && v.nullable && len(path) > 0 {
		return nil, true
	}
	w.stack = append(w.stack, v.schemas...)
	defer func() { w.stack = w.stack[:len(w.stack)-len(v.schemas)] }()

	switch v.typ {
	case openapi3.TypeObject:
		return w.object(v, path, secret), true
	case openapi3.TypeArray:
		minItems := int(v.minItems) //nolint:gosec // G115: the spec's own minItems, a handful: the walk builds that many elements
		n := max(1, minItems)
		out := make([]any, 0, n)
		for i := range n {
			e, ok := w.value(v.items, appendPath(path, strconv.Itoa(i)), i < minItems, secret)
			if !ok {
				break
			}
			out = append(out, e)
		}
		return out, true
	case openapi3.TypeInteger:
		return integer(v, path), true
	case openapi3.TypeNumber:
		return number(v, path), true
	case openapi3.TypeBoolean:
		if len(v.enum) > 0 {
			return pick(v.enum, path), true
		}
		return true, true
	default: // string, or no type at all
		return w.str(v, path, secret), true
	}
}

func appendPath(path []string, tok string) []string {
	return append(slices.Clip(path), tok)
}

func zero(v view) any {
	switch v.typ {
	case openapi3.TypeObject:
		return map[string]any{}
	case openapi3.TypeArray:
		return []any{}
	case openapi3.TypeInteger:
		return int64(0)
	case openapi3.TypeNumber:
		return float64(0)
	case openapi3.TypeBoolean:
		return false
	}
	return ""
}

// The keys of the entries a Full example puts in a free-form object.
const (
	FreeFormObject = "example_object"
	FreeFormNumber = "example_number"
	FreeFormString = "example_string"
	FreeFormNull   = "example_null"
)

func (w *walker) object(v view, path []string, secret bool) map[string]any {
	out := map[string]any{}
	names := make([]string, 0, len(v.props))
	for name := range v.props {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		req := slices.Contains(v.required, name)
		if !req && w.mode != Full {
			continue
		}
		if val, ok := w.value(v.props[name], appendPath(path, name), req, secret); ok {
			out[name] = val
		}
	}
	if !v.free || w.mode != Full {
		return out
	}
	set := func(k string, val any) {
		if _, taken := v.props[k]; !taken {
			out[k] = val
		}
	}
	if v.addl != nil {
		if val, ok := w.value(v.addl, appendPath(path, FreeFormObject), false, secret); ok {
			set(FreeFormObject, val)
		}
		return out
	}
	str := func(p []string) string {
		if secret {
			return SecretPrefix + tag(p) + suffix(w.ctx)
		}
		return plain(p, w.ctx)
	}
	set(FreeFormObject, map[string]any{FreeFormString: str(appendPath(appendPath(path, FreeFormObject), FreeFormString))})
	set(FreeFormNumber, 1.25)
	set(FreeFormString, str(appendPath(path, FreeFormString)))
	set(FreeFormNull, nil)
	return out
}

func pick(list []any, path []string) any {
	return list[hash(path)%uint64(len(list))]
}

// bounds returns the inclusive integer range the schema allows, defaulting to [1, 10000] (or an
// interval of that width next to the one bound given).
func bounds(v view) (lo, hi int64) {
	const width = 9999
	lo, hi = 1, 1+width
	if v.format == "int32" {
		hi = min(hi, math.MaxInt32)
	}
	if v.min != nil {
		lo = int64(math.Ceil(*v.min))
		if v.exclMin && float64(lo) == *v.min {
			lo++
		}
		if v.max == nil {
			hi = lo + width
		}
	}
	if v.max != nil {
		hi = int64(math.Floor(*v.max))
		if v.exclMax && float64(hi) == *v.max {
			hi--
		}
		if v.min == nil {
			lo = min(lo, hi-width)
		}
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

func integer(v view, path []string) any {
	if len(v.enum) > 0 {
		return pick(v.enum, path)
	}
	lo, hi := bounds(v)
	return lo + int64(hash(path)%uint64(hi-lo+1)) //nolint:gosec // G115: bounds keeps lo <= hi, so the width is positive and the remainder below it
}

func number(v view, path []string) any {
	if len(v.enum) > 0 {
		return pick(v.enum, path)
	}
	lo, hi := bounds(v)
	n := float64(lo + int64(hash(path)%uint64(hi-lo+1))) //nolint:gosec // G115: as in integer
	if n+0.5 <= float64(hi) || (v.max != nil && n+0.5 < *v.max) {
		n += 0.5
	}
	return n
}

func (w *walker) str(v view, path []string, secret bool) any {
	if len(v.enum) > 0 {
		return pick(v.enum, path)
	}
	var s string
	switch {
	case secret:
		s = SecretPrefix + tag(path) + suffix(w.ctx)
	case len(v.known) > 0:
		return fmt.Sprint(pick(v.known, path))
	case v.format == "date-time":
		return baseInstant.Add(time.Duration(hash(path)%(10*365*24*3600)) * time.Second).Format(time.RFC3339)
	case v.format == "date":
		return baseInstant.AddDate(0, 0, int(hash(path)%3650)).Format(time.DateOnly)
	case v.format == "uuid":
		h := hash(append(slices.Clip(path), w.ctx))
		g := hash(append(slices.Clip(path), w.ctx, "2"))
		//nolint:gosec // G115: each conversion keeps the low bits of a hash on purpose
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(g>>48)&0xfff, g&0xffffffffffff)
	case v.format == "email":
		s = strings.ReplaceAll(plain(path, w.ctx), "/", "_") + "@example.com"
	case v.format == "uri" || v.format == "url":
		s = "https://example.com/" + strings.ReplaceAll(plain(path, w.ctx), "/", "_")
	default:
		s = plain(path, w.ctx)
	}
	for uint64(len(s)) < v.minLen {
		s += "x"
	}
	if v.maxLen != nil && uint64(len(s)) > *v.maxLen {
		s = s[:*v.maxLen]
	}
	return s
}
