package b2b_test

// Validation before sending, with the rules read from the spec: a spec change (a new required
// field, a new range, a new enum, a new operation) is covered without editing this file.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// rule is one way to break a rule of the spec: set field of op's params to value.
type rule struct {
	op    string
	field string // JSON name
	rule  string // the expected ValidationError.Rule
	value any
}

func (r rule) String() string {
	return fmt.Sprintf("%s/%s/%s=%v", r.op, r.field, r.rule, r.value)
}

// rulesFromSpec walks the top-level request properties and the path parameters of every
// operation. A required string must not be empty (the facade enforces what the spec's
// minLength: 1 says); a required property of another type has no rule the facade can check
// before sending (its zero value is a value).
func rulesFromSpec(t testing.TB) []rule {
	t.Helper()
	var rules []rule
	for _, op := range gen.Operations {
		required, props := requestProps(t, op.ID)
		for _, name := range required {
			if props[name].Type.Is(openapi3.TypeString) && len(props[name].Enum) == 0 {
				rules = append(rules, rule{op.ID, name, "required", ""})
			}
		}
		for _, name := range op.PathParams {
			rules = append(rules, rule{op.ID, name, "path_segment", "."}, rule{op.ID, name, "path_segment", ".."})
		}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			s := props[name]
			if s.Min != nil {
				rules = append(rules, rule{op.ID, name, "minimum", int64(*s.Min) - 1})
			}
			if s.Max != nil {
				rules = append(rules, rule{op.ID, name, "maximum", int64(*s.Max) + 1})
			}
			if len(s.Enum) > 0 {
				rules = append(rules, rule{op.ID, name, "enum", "xx-not-in-the-spec"})
			}
			if op.HasBody {
				broken, _ := stringRules(t, op.ID, name, s)
				rules = append(rules, broken...)
			}
		}
	}
	return rules
}

// stringRules derives, for the request body property name of op with schema s, the values that
// break its length and pattern rules one at a time (each keeps the others), and the values at the
// limits of its lengths, which are valid. Each is built from the value the Full fixture gives the
// property, which the spec accepts.
func stringRules(t testing.TB, opID, name string, s *openapi3.Schema) (broken []rule, limits []string) {
	t.Helper()
	if !s.Type.Is(openapi3.TypeString) || len(s.Enum) > 0 || (s.MinLength < 2 && s.MaxLength == nil && s.Pattern == "") {
		return nil, nil
	}
	var full map[string]any
	require.NoError(t, json.Unmarshal(fixtures.Golden(opID, fixtures.Full), &full))
	base, ok := full[name].(string)
	require.True(t, ok, "%s: the Full fixture sets %s", opID, name)
	matches := func(v string) bool {
		return s.Pattern == "" || regexp.MustCompile(s.Pattern).MatchString(v)
	}
	require.True(t, matches(base), "%s.%s: the Full fixture matches the pattern", opID, name)
	// of returns a string of n characters made of base's, repeated as needed.
	of := func(n int) string {
		r := []rune(strings.Repeat(base, n/max(1, utf8.RuneCountInString(base))+1))
		return string(r[:n])
	}
	keep := func(what string, v string) string {
		require.True(t, matches(v), "%s.%s: cannot build a value for %s that matches the pattern (%q)", opID, name, what, v)
		return v
	}
	if s.MinLength > 1 {
		n := int(s.MinLength) //nolint:gosec // G115: a length from the spec
		broken = append(broken, rule{opID, name, "min_length", keep("min_length", of(n-1))})
		limits = append(limits, keep("minLength", of(n)))
	}
	if s.MaxLength != nil {
		n := int(*s.MaxLength) //nolint:gosec // G115: a length from the spec
		broken = append(broken, rule{opID, name, "max_length", keep("max_length", of(n+1))})
		limits = append(limits, keep("maxLength", of(n)))
	}
	if s.Pattern != "" {
		// The Full value with its first character replaced by one the pattern refuses.
		found := false
		for _, c := range []string{" ", "/", "#", "*", "é", "\x00"} {
			v := c + string([]rune(base)[1:])
			if !matches(v) {
				broken = append(broken, rule{opID, name, "pattern", v})
				found = true
				break
			}
		}
		require.True(t, found, "%s.%s: no value found that breaks the pattern %s", opID, name, s.Pattern)
	}
	return broken, limits
}

// TestValidationRulesFromSpec checks that the derivation finds the rules a second, independent
// walk of the spec (specwalk.Fields) sees, so the tests below cannot pass by finding nothing.
func TestValidationRulesFromSpec(t *testing.T) {
	t.Parallel()
	rules := rulesFromSpec(t)
	var want []rule
	var wantKinds []string // op/field/rule of the rules whose breaking value is derived
	for _, op := range gen.Operations {
		if s := fixtures.RequestSchema(op.ID); s != nil {
			for _, f := range specwalk.Fields(s) {
				if strings.Count(f.Pointer, "/") != 1 {
					continue // nested: not a top-level params field
				}
				if f.Required && f.Type == openapi3.TypeString && len(f.Enum) == 0 {
					want = append(want, rule{op.ID, f.Name, "required", ""})
				}
				if f.Min != nil {
					want = append(want, rule{op.ID, f.Name, "minimum", int64(*f.Min) - 1})
				}
				if f.Max != nil {
					want = append(want, rule{op.ID, f.Name, "maximum", int64(*f.Max) + 1})
				}
				if len(f.Enum) > 0 {
					want = append(want, rule{op.ID, f.Name, "enum", "xx-not-in-the-spec"})
				}
				if f.Type == openapi3.TypeString && len(f.Enum) == 0 {
					if f.MinLength > 1 {
						wantKinds = append(wantKinds, op.ID+"/"+f.Name+"/min_length")
					}
					if f.Schema.MaxLength != nil {
						wantKinds = append(wantKinds, op.ID+"/"+f.Name+"/max_length")
					}
					if f.Schema.Pattern != "" {
						wantKinds = append(wantKinds, op.ID+"/"+f.Name+"/pattern")
					}
				}
			}
			continue
		}
		for _, p := range specwalk.Params(nil, fixtures.SpecOperation(op.ID), specwalk.Full, "") {
			if p.In == openapi3.ParameterInPath {
				want = append(want, rule{op.ID, p.Name, "path_segment", "."}, rule{op.ID, p.Name, "path_segment", ".."})
				if p.Required {
					want = append(want, rule{op.ID, p.Name, "required", ""})
				}
			}
		}
	}
	for _, w := range want {
		assert.Contains(t, rules, w)
	}
	var kinds []string
	byRule := map[string]int{}
	for _, r := range rules {
		byRule[r.rule]++
		kinds = append(kinds, r.op+"/"+r.field+"/"+r.rule)
	}
	for _, w := range wantKinds {
		assert.Contains(t, kinds, w)
	}
	for _, kind := range []string{"required", "path_segment", "minimum", "maximum", "enum", "min_length", "max_length", "pattern"} {
		assert.NotZero(t, byRule[kind], "the spec has a %s rule, or this test stopped finding it", kind)
	}
}

func TestValidationBeforeSending(t *testing.T) {
	t.Parallel()
	for _, r := range rulesFromSpec(t) {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			c := fixtures.ByID(r.op)
			params := cloneParams(c.Full)
			setField(t, params, r.field, r.value)
			srv := testkit.NewServer(t, testkit.Unreachable(t))

			resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
			require.Error(t, err)
			assert.Nil(t, resp)
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, r.op, ve.Operation)
			assert.Equal(t, r.field, ve.Field)
			assert.Equal(t, r.rule, ve.Rule)
			assert.Contains(t, err.Error(), r.field, "the message must name the field")
			assert.Contains(t, err.Error(), r.op)
			assert.NotContains(t, err.Error(), "\n")
			if r.rule == "minimum" || r.rule == "maximum" {
				assert.Contains(t, err.Error(), fmt.Sprint(r.value), "a range error shows the offending value")
			}
			assert.Zero(t, srv.Count(), "nothing may be sent")
		})
	}
}

// TestValidationAgreesWithSpec sends each broken body straight to the spec validator
// (kin-openapi), bypassing Validate: the spec must reject it too, naming the same field. So the SDK
// never refuses what the API accepts.
func TestValidationAgreesWithSpec(t *testing.T) {
	t.Parallel()
	const base = "https://test.stytch.com"
	v := contract.MustShared()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID+":"+testkit.Secret))
	for _, r := range rulesFromSpec(t) {
		if r.rule == "path_segment" {
			continue // such a path cannot even be built: it would name another endpoint
		}
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			c := fixtures.ByID(r.op)
			params := cloneParams(c.Full)
			setField(t, params, r.field, r.value)
			req, err := params.(b2b.Params).NewHTTPRequest(base)
			if r.rule == "required" && !c.Op.HasBody {
				require.Error(t, err, "the gen builder must refuse an empty path segment")
				return
			}
			require.NoError(t, err)
			req.Header.Set("Authorization", auth)
			_, verr := v.Request(req)
			require.Error(t, verr, "the spec accepts what the SDK refuses")
			var fields []string
			for _, viol := range contract.Violations(verr) {
				fields = append(fields, viol.Field)
			}
			assert.Contains(t, fields, "/"+r.field)
		})
	}
}

// The limits of each range and string length, and every value of each enum, are accepted and sent.
func TestValidationAcceptsBoundaries(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		_, props := requestProps(t, c.Op.ID)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			s := props[name]
			var values []any
			if s.Min != nil {
				values = append(values, int64(*s.Min))
			}
			if s.Max != nil {
				values = append(values, int64(*s.Max))
			}
			values = append(values, s.Enum...)
			if c.Op.HasBody {
				_, limits := stringRules(t, c.Op.ID, name, s)
				for _, l := range limits {
					values = append(values, l)
				}
			}
			for _, val := range values {
				t.Run(fmt.Sprintf("%s/%s=%v", c.Op.ID, name, val), func(t *testing.T) {
					t.Parallel()
					params := cloneParams(c.Minimal)
					setField(t, params, name, val)
					srv := testkit.NewServer(t, testkit.OK(c.Response))
					resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
					require.NoError(t, err)
					assert.NotNil(t, resp)
					require.Equal(t, 1, srv.Count())
					body := decodeObject(t, srv.Requests()[0].Body)
					assert.Equal(t, fmt.Sprint(val), fmt.Sprint(body[name]))
				})
			}
		}
	}
}

func TestValidationReportsEveryViolation(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		var required []string
		for _, r := range rulesFromSpec(t) {
			if r.op == c.Op.ID && r.rule == "required" {
				required = append(required, r.field)
			}
		}
		if len(required) == 0 {
			continue
		}
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			params := cloneParams(c.Full)
			for _, name := range required {
				setField(t, params, name, "")
			}
			srv := testkit.NewServer(t, testkit.Unreachable(t))
			resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
			require.Error(t, err)
			assert.Nil(t, resp)
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve, "errors.As finds the first violation")
			assert.Contains(t, required, ve.Field)

			var got []string
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					var one *b2b.ValidationError
					require.ErrorAs(t, e, &one)
					assert.Equal(t, "required", one.Rule)
					got = append(got, one.Field)
				}
			} else {
				got = append(got, ve.Field)
			}
			assert.ElementsMatch(t, required, got, "every violation is reported, once")
			for _, name := range required {
				assert.Contains(t, err.Error(), name)
			}
			assert.Zero(t, srv.Count())
		})
	}
}

// groupCase is one group extension (spec.Groups) on the request body of op, read from the spec.
type groupCase struct {
	op    fixtures.Case
	kind  spec.Group
	names []string
}

// groupsFromSpec lists every group of every request body of the spec.
func groupsFromSpec(t testing.TB) []groupCase {
	t.Helper()
	var out []groupCase
	for _, c := range fixtures.Cases() {
		s := fixtures.RequestSchema(c.Op.ID)
		if s == nil {
			continue
		}
		for _, kind := range spec.Groups() {
			raw, ok := s.Extensions[kind.Ext].([]any)
			if !ok {
				continue
			}
			g := groupCase{op: c, kind: kind}
			for _, n := range raw {
				g.names = append(g.names, fmt.Sprint(n))
			}
			require.GreaterOrEqual(t, len(g.names), 2, "%s: %s", c.Op.ID, kind.Ext)
			out = append(out, g)
		}
	}
	return out
}

// withGroup returns a copy of the Full params of g's operation in which the properties of g named
// in set hold a value each and the others are nil.
func withGroup(t testing.TB, g groupCase, set ...string) any {
	t.Helper()
	params := cloneParams(g.op.Full)
	for _, name := range g.names {
		f := field(t, params, name)
		f.Set(reflect.Zero(f.Type()))
	}
	for _, name := range set {
		setField(t, params, name, "group-value-"+name)
	}
	return params
}

// TestGroupRulesBeforeSending: for every group of the spec, the counts its extension refuses (none
// set, two set) are refused before anything is sent, with the rule named after the extension, the
// group as the field and a message saying what is needed and what was set; the counts it allows
// pass validation. Every extension of the family is exercised.
func TestGroupRulesBeforeSending(t *testing.T) {
	t.Parallel()
	refused := map[string]int{}
	for _, g := range groupsFromSpec(t) {
		rule := strings.ReplaceAll(strings.TrimPrefix(g.kind.Ext, "x-stytch-"), "-", "_")
		want := strings.ReplaceAll(rule, "_", " ")
		field := "{" + strings.Join(g.names, ", ") + "}"
		tests := []struct {
			name    string
			set     []string
			allowed bool
			got     string // how the message describes what was set
		}{
			{"none", nil, g.kind.NoneOK, "none is set"},
			{"one", g.names[:1], true, ""},
			{"two", g.names[:2], g.kind.SeveralOK, g.names[0] + " and " + g.names[1] + " are set"},
		}
		for _, tt := range tests {
			if !tt.allowed {
				refused[g.kind.Ext]++
			}
			t.Run(g.op.Op.ID+"/"+g.kind.Ext+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				params := withGroup(t, g, tt.set...)
				if tt.allowed {
					assert.NoError(t, params.(b2b.Params).Validate(), "%s allows %s set", g.kind.Ext, tt.name)
					return
				}
				srv := testkit.NewServer(t, testkit.Unreachable(t))
				resp, err := testkit.Call(t.Context(), testkit.NewClient(t, srv.URL), params)
				require.Error(t, err)
				assert.Nil(t, resp)
				var ve *b2b.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, g.op.Op.ID, ve.Operation)
				assert.Equal(t, field, ve.Field)
				assert.Equal(t, rule, ve.Rule)
				assert.Contains(t, ve.Message, "needs "+want+" of "+strings.Join(g.names, ", "))
				assert.Contains(t, ve.Message, tt.got)
				assert.Len(t, violations(err), 1, "the group is the only violation: %v", err)
				assert.Zero(t, srv.Count(), "nothing may be sent")
			})
		}
	}
	for _, kind := range spec.Groups() {
		assert.NotZero(t, refused[kind.Ext], "the spec uses %s, or this test stopped finding it", kind.Ext)
	}
}

// violations returns the errors joined in err (errors.Join), or err alone.
func violations(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

// TestGroupMemberSetEmpty: a property of a group set to "" is refused as set but empty, and it
// counts as set, so the group itself is satisfied.
func TestGroupMemberSetEmpty(t *testing.T) {
	t.Parallel()
	for _, g := range groupsFromSpec(t) {
		for _, name := range g.names {
			t.Run(g.op.Op.ID+"/"+g.kind.Ext+"/"+name, func(t *testing.T) {
				t.Parallel()
				params := withGroup(t, g)
				setField(t, params, name, "")
				err := params.(b2b.Params).Validate()
				require.Error(t, err)
				assert.Len(t, violations(err), 1, "the empty value is the only violation: %v", err)
				var ve *b2b.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, name, ve.Field)
				assert.Equal(t, "non_empty", ve.Rule)
			})
		}
	}
}

func TestNilParams(t *testing.T) {
	t.Parallel()
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.Unreachable(t))
			client := testkit.NewClient(t, srv.URL)
			var resp any
			var err error
			require.NotPanics(t, func() {
				resp, err = testkit.Invoke(t.Context(), client, c.Op, nil)
			})
			require.Error(t, err)
			assert.Nil(t, resp)
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.Op.ID, ve.Operation)
			assert.Equal(t, "params", ve.Field)
			assert.Equal(t, "non_nil", ve.Rule)
			assert.Contains(t, err.Error(), "params")
			assert.Zero(t, srv.Count())
		})
	}
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context // a variable, so vet and linters do not flag the nil argument
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewServer(t, testkit.Unreachable(t))
			client := testkit.NewClient(t, srv.URL)
			var resp any
			var err error
			require.NotPanics(t, func() {
				resp, err = testkit.Invoke(nilCtx, client, c.Op, c.Minimal)
			})
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Contains(t, err.Error(), "context")
			var ve *b2b.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.Op.ID, ve.Operation, "the error names the operation")
			assert.Zero(t, srv.Count())
		})
	}
}
