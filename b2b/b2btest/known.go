package b2btest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// knownValuer is implemented by every generated type whose values the spec lists: Known reports
// whether the value is one of them.
type knownValuer interface{ Known() bool }

var knownValuerType = reflect.TypeFor[knownValuer]()

// checkKnown refuses a value (an Organization or Member given to an option) holding, in any field
// at any depth, a value outside the set its generated type knows, such as MFAPolicy "REQUIRED":
// the fake would otherwise take it silently and behave as for none of the known values. Empty
// values are left for the defaults. The error names the field and lists the known values the spec
// gives for it.
func checkKnown(schemaName string, v any) error {
	var problems []string
	var walk func(rv reflect.Value, goPath, ptr string)
	walk = func(rv reflect.Value, goPath, ptr string) {
		if rv.Type().Implements(knownValuerType) && !rv.IsZero() {
			if !rv.Interface().(knownValuer).Known() {
				problems = append(problems, fmt.Sprintf("%s: %q is not a known value of %s%s",
					goPath, fmt.Sprint(rv.Interface()), rv.Type(), knownList(schemaName, ptr)))
			}
			return
		}
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(rv.Elem(), goPath, ptr)
			}
		case reflect.Slice, reflect.Array:
			for i := range rv.Len() {
				walk(rv.Index(i), fmt.Sprintf("%s[%d]", goPath, i), ptr+"/*")
			}
		case reflect.Struct:
			t := rv.Type()
			for i := range t.NumField() {
				sf := t.Field(i)
				if !sf.IsExported() {
					continue
				}
				name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
				walk(rv.Field(i), goPath+"."+sf.Name, ptr+"/"+name)
			}
		}
	}
	walk(reflect.ValueOf(v), schemaName, "")
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// knownList returns " (known: A, B)" for the field at ptr of the named component schema, from
// the spec's enum or x-stytch-known-values.
func knownList(schemaName, ptr string) string {
	sp, err := loadSpec()
	if err != nil {
		return ""
	}
	doc := sp.validator.Doc()
	ref, ok := doc.Components.Schemas[schemaName]
	if !ok || ref.Value == nil {
		return ""
	}
	for _, f := range specwalk.Fields(ref.Value) {
		if f.Pointer != ptr {
			continue
		}
		vals := f.Known
		if len(vals) == 0 {
			vals = f.Enum
		}
		if len(vals) == 0 {
			return ""
		}
		parts := make([]string, len(vals))
		for i, x := range vals {
			parts[i] = fmt.Sprint(x)
		}
		return " (known: " + strings.Join(parts, ", ") + ")"
	}
	return ""
}
