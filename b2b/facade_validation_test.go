package b2b_test

// Validation before sending, with the rules read from the spec: a spec change (a new required
// field, a new range, a new enum) is covered without editing this file.

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// facadeRule is one way to break a rule of the spec: set field of op's params to value.
type facadeRule struct {
	op    string
	field string // JSON name
	rule  string // the expected ValidationError.Rule
	value any
}

func (r facadeRule) String() string {
	return fmt.Sprintf("%s/%s/%s=%v", r.op, r.field, r.rule, r.value)
}

// facadeRulesFromSpec walks the request schemas and path parameters of every operation.
func facadeRulesFromSpec(t *testing.T) []facadeRule {
	t.Helper()
	doc := facadeDoc(t)
	var rules []facadeRule
	for _, op := range gen.Operations {
		if !fixtures.Has(op.ID) {
			continue // no facade method or material yet
		}
		required, props := facadeRequestProps(t, doc, op.ID)
		for _, name := range required {
			require.Truef(t, props[name].Type.Is(openapi3.TypeString),
				"%s.%s is a required %v: teach this test how to leave it out", op.ID, name, props[name].Type)
			rules = append(rules, facadeRule{op.ID, name, "required", ""})
		}
		for _, p := range facadeSpecOperation(t, doc, op.ID).Parameters {
			if p.Value.In == openapi3.ParameterInPath {
				rules = append(rules,
					facadeRule{op.ID, p.Value.Name, "path_segment", "."},
					facadeRule{op.ID, p.Value.Name, "path_segment", ".."})
			}
		}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			s := props[name]
			if s.Min != nil {
				rules = append(rules, facadeRule{op.ID, name, "minimum", int64(*s.Min) - 1})
			}
			if s.Max != nil {
				rules = append(rules, facadeRule{op.ID, name, "maximum", int64(*s.Max) + 1})
			}
			if len(s.Enum) > 0 {
				rules = append(rules, facadeRule{op.ID, name, "enum", "xx-not-in-the-spec"})
			}
		}
	}
	return rules
}

// TestFacadeValidationRulesFromSpec checks that the derivation finds the documented rules, so the
// tests below cannot pass by finding nothing.
func TestFacadeValidationRulesFromSpec(t *testing.T) {
	rules := facadeRulesFromSpec(t)
	for _, want := range []facadeRule{
		{gen.OpMagicLinksAuthenticate.ID, "magic_links_token", "required", ""},
		{gen.OpRecoveryCodesRecover.ID, "recovery_code", "required", ""},
		{gen.OpRecoveryCodesGet.ID, "organization_id", "required", ""},
		{gen.OpRecoveryCodesGet.ID, "member_id", "path_segment", ".."},
		{gen.OpMagicLinksAuthenticate.ID, "session_duration_minutes", "minimum", int64(4)},
		{gen.OpMagicLinksAuthenticate.ID, "session_duration_minutes", "maximum", int64(527041)},
		{gen.OpOAuthAuthenticate.ID, "session_duration_minutes", "maximum", int64(527041)},
		{gen.OpMagicLinksEmailLoginOrSignup.ID, "login_expiration_minutes", "minimum", int64(4)},
		{gen.OpMagicLinksEmailLoginOrSignup.ID, "signup_expiration_minutes", "maximum", int64(10081)},
		{gen.OpMagicLinksEmailInvite.ID, "invite_expiration_minutes", "maximum", int64(10081)},
		{gen.OpMagicLinksEmailDiscoverySend.ID, "discovery_expiration_minutes", "minimum", int64(4)},
		{gen.OpOAuthAuthenticate.ID, "locale", "enum", "xx-not-in-the-spec"},
		{gen.OpPasswordsSessionsReset.ID, "locale", "enum", "xx-not-in-the-spec"},
	} {
		assert.Contains(t, rules, want)
	}
	byRule := map[string]int{}
	for _, r := range rules {
		byRule[r.rule]++
	}
	// Every operation has at least one required field; six have a locale; five a session
	// duration and four an expiration (both ends of each range).
	assert.GreaterOrEqual(t, byRule["required"], len(gen.Operations))
	assert.GreaterOrEqual(t, byRule["enum"], 6)
	assert.GreaterOrEqual(t, byRule["minimum"], 9)
	assert.Equal(t, byRule["minimum"], byRule["maximum"])
}

func TestFacadeValidationBeforeSending(t *testing.T) {
	for _, r := range facadeRulesFromSpec(t) {
		t.Run(r.String(), func(t *testing.T) {
			c := fixtures.ByID(r.op)
			params := facadeClone(c.Full)
			facadeSet(t, params, r.field, r.value)
			srv := newFacadeServer(t, facadeUnreachable(t))
			client := newFacadeClient(t, srv.URL)

			resp, err := facadeRow(t, r.op).call(context.Background(), client, params)
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

// TestFacadeValidationAgreesWithSpec sends each broken body straight to the spec validator
// (kin-openapi), bypassing Validate: the spec must reject it too, naming the same field. So the SDK
// never refuses what the API accepts.
func TestFacadeValidationAgreesWithSpec(t *testing.T) {
	const base = "https://test.stytch.com"
	v, err := contract.New(base)
	require.NoError(t, err)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(facadeProjectID+":"+facadeSecret))
	for _, r := range facadeRulesFromSpec(t) {
		if r.rule == "path_segment" {
			continue // such a path cannot even be built: it would name another endpoint
		}
		t.Run(r.String(), func(t *testing.T) {
			params := facadeClone(fixtures.ByID(r.op).Full)
			facadeSet(t, params, r.field, r.value)
			builder, ok := params.(interface {
				NewHTTPRequest(server string) (*http.Request, error)
			})
			require.True(t, ok)
			req, err := builder.NewHTTPRequest(base)
			if r.rule == "required" && fixtures.ByID(r.op).Op.Method == http.MethodGet {
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

// The limits of each range, and every value of each enum, are accepted and sent.
func TestFacadeValidationAcceptsBoundaries(t *testing.T) {
	doc := facadeDoc(t)
	for _, c := range fixtures.Cases() {
		_, props := facadeRequestProps(t, doc, c.Op.ID)
		for name, s := range props {
			var values []any
			if s.Min != nil {
				values = append(values, int64(*s.Min))
			}
			if s.Max != nil {
				values = append(values, int64(*s.Max))
			}
			for _, e := range s.Enum {
				values = append(values, e)
			}
			for _, val := range values {
				t.Run(fmt.Sprintf("%s/%s=%v", c.Op.ID, name, val), func(t *testing.T) {
					params := facadeClone(c.Minimal)
					facadeSet(t, params, name, val)
					srv := newFacadeServer(t, facadeOK(c.Response))
					resp, err := facadeRow(t, c.Op.ID).call(context.Background(), newFacadeClient(t, srv.URL), params)
					require.NoError(t, err)
					assert.NotNil(t, resp)
					require.Equal(t, 1, srv.Count())
					body := facadeDecodeObject(t, srv.Hits()[0].Body)
					assert.Equal(t, fmt.Sprint(val), fmt.Sprint(body[name]))
				})
			}
		}
	}
}

func TestFacadeValidationReportsEveryViolation(t *testing.T) {
	doc := facadeDoc(t)
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			required, _ := facadeRequestProps(t, doc, c.Op.ID)
			params := facadeClone(c.Full)
			for _, name := range required {
				facadeSet(t, params, name, "")
			}
			srv := newFacadeServer(t, facadeUnreachable(t))
			resp, err := facadeRow(t, c.Op.ID).call(context.Background(), newFacadeClient(t, srv.URL), params)
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

func TestFacadeNilParams(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			srv := newFacadeServer(t, facadeUnreachable(t))
			client := newFacadeClient(t, srv.URL)
			var resp any
			var err error
			require.NotPanics(t, func() {
				resp, err = facadeRow(t, c.Op.ID).call(context.Background(), client, nil)
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

func TestFacadeNilContext(t *testing.T) {
	var nilCtx context.Context // a variable, so vet and linters do not flag the nil argument
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			srv := newFacadeServer(t, facadeUnreachable(t))
			client := newFacadeClient(t, srv.URL)
			var resp any
			var err error
			require.NotPanics(t, func() {
				resp, err = facadeRow(t, c.Op.ID).call(nilCtx, client, c.Minimal)
			})
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Contains(t, err.Error(), "context")
			assert.Zero(t, srv.Count())
		})
	}
}
