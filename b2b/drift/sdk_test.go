package drift_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// laxDateTimes are date-times that time.Parse with time.RFC3339 accepts but the SDK's decoding
// of a time.Time refuses: a one-digit hour, a comma before the fraction, offsets out of range.
var laxDateTimes = []string{
	"2023-02-14T8:15:30Z",
	"2023-02-14T08:15:30,5Z",
	"2023-02-14T08:15:30+24:00",
	"2023-02-14T08:15:30+00:60",
}

// strictDateTimes are date-times both accept.
var strictDateTimes = []string{
	"2023-02-14T08:15:30Z",
	"2023-02-14T08:15:30.123456789+05:30",
	"2023-02-14T08:15:30-23:59",
}

// TestAgreesWithTheSDKOnTheBodiesItRefuses sends, through the SDK and the fake, 2xx bodies that
// differ from a clean answer only in the way the SDK reads JSON: each one the SDK refuses with a
// *b2b.DecodeError gets a breaking finding, and each one it takes gets none.
func TestAgreesWithTheSDKOnTheBodiesItRefuses(t *testing.T) {
	t.Parallel()
	at := fieldWhere(t, "a date-time", func(f specwalk.Field) bool { return f.Format == "date-time" && !inArray(f) && !f.Nullable })
	plain, ok := firstField(at.c, func(f specwalk.Field) bool {
		return !inArray(f) && f.Type == openapi3.TypeString && f.Format == "" && len(f.Known) == 0 && len(f.Enum) == 0
	})
	require.True(t, ok, "%s's answer has a plain string", at.c.Op.ID)
	clean := bytes.TrimSpace(at.c.Response)
	require.True(t, bytes.HasPrefix(clean, []byte("{")), "an answer is an object")
	tree := decodeTree(t, clean).(map[string]any)
	first := slices.Sorted(maps.Keys(tree))[0]
	withDate := func(v string) []byte {
		tree := decodeTree(t, clean)
		set(t, tree, concrete(at.f.Pointer), v)
		return encode(t, tree)
	}
	// withRawString puts raw bytes (not valid UTF-8) in the plain string.
	withRawString := func(raw string) []byte {
		const marker = "drift-test-marker"
		tree := decodeTree(t, clean)
		set(t, tree, concrete(plain.Pointer), marker)
		b := encode(t, tree)
		require.Equal(t, 1, bytes.Count(b, []byte(marker)))
		return bytes.Replace(b, []byte(marker), []byte(raw), 1)
	}
	type kase struct {
		name string
		body []byte
		path string // of the finding, when the SDK refuses the body
	}
	refused := []kase{
		{"a ] after the body", append(slices.Clip(clean), ']'), ""},
		{"a } after the body", append(slices.Clip(clean), '}'), ""},
		{"a second value after the body", append(slices.Clip(clean), " {}"...), ""},
		{"a member name twice", append([]byte(fmt.Sprintf(`{%q:%s,`, first, encode(t, tree[first]))), clean[1:]...), ""},
	}
	for _, v := range laxDateTimes {
		refused = append(refused, kase{"date-time " + v, withDate(v), concrete(at.f.Pointer)})
	}
	taken := []kase{
		{"white space after the body", append(slices.Clip(clean), " \n"...), ""},
		{"invalid UTF-8 in a string", withRawString("a\xffb"), ""},
	}
	for _, v := range strictDateTimes {
		taken = append(taken, kase{"date-time " + v, withDate(v), ""})
	}

	send := func(t *testing.T, body []byte) ([]drift.Finding, error) {
		srv := b2btest.NewServer(t)
		var col drift.Collector
		client := srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { return drift.NewTransport(next, col.Report) }))
		srv.On(at.c.Op).RespondJSON(http.StatusOK, body)
		_, err := testkit.Call(context.Background(), client, at.c.Minimal)
		return col.Findings(), err
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			t.Parallel()
			findings, err := send(t, tc.body)
			var de *b2b.DecodeError
			require.ErrorAs(t, err, &de, "the SDK refuses the body")
			require.Len(t, findings, 1, "the SDK's error: %v", de.Err)
			assert.Equal(t, drift.WrongType, findings[0].Kind)
			assert.Equal(t, tc.path, findings[0].Path)
			assert.Equal(t, at.c.Op.ID, findings[0].Operation)
		})
	}
	for _, tc := range taken {
		t.Run("taken/"+tc.name, func(t *testing.T) {
			t.Parallel()
			findings, err := send(t, tc.body)
			require.NoError(t, err, "the SDK takes the body")
			assert.Empty(t, findings)
		})
	}
}

// firstField returns the first field of c's answer for which keep is true.
func firstField(c fixtures.Case, keep func(specwalk.Field) bool) (specwalk.Field, bool) {
	fs := specwalk.Pick(fixtures.ResponseSchema(c.Op.ID), keep)
	if len(fs) == 0 {
		return specwalk.Field{}, false
	}
	return fs[0], true
}

// TestEveryDateTimeIsParsedAsTheSDKParsesIt: in every answer of every operation, every date-time
// property with a value time.Parse accepts but the SDK refuses gives exactly one wrong_type
// finding at its pointer, and one with a value both accept gives none.
func TestEveryDateTimeIsParsedAsTheSDKParsesIt(t *testing.T) {
	t.Parallel()
	for _, v := range append(slices.Clone(laxDateTimes), strictDateTimes...) {
		_, err := time.Parse(time.RFC3339, v)
		require.NoError(t, err, "time.Parse accepts %q: only the SDK's stricter parsing tells them apart", v)
	}
	checked := 0
	seen := map[fieldKey]bool{}
	for _, a := range declaredAnswers(t) {
		full := specwalk.ExampleJSON(a.schema, specwalk.Full, "precision")
		for _, f := range specwalk.Pick(a.schema, func(f specwalk.Field) bool { return f.Format == "date-time" }) {
			ptr := concrete(f.Pointer)
			if _, ok := specwalk.Lookup(decode(t, full), ptr); !ok || seen[keyOf(f)] {
				continue // an array the example leaves empty, a property cut from a cycle, or checked
			}
			seen[keyOf(f)] = true
			checked++
			t.Run(a.name()+ptr, func(t *testing.T) {
				for _, v := range laxDateTimes {
					findings, err := drift.Check(a.op.ID, a.status, encode(t, replace(t, decode(t, full), ptr, v)))
					require.NoError(t, err)
					require.Len(t, findings, 1, "%s: %v", v, findings)
					assert.Equal(t, drift.Finding{Operation: a.op.ID, Path: ptr, Kind: drift.WrongType,
						Detail: fmt.Sprintf("%q is not an RFC 3339 date-time the SDK can parse", v)}, findings[0])
				}
				for _, v := range strictDateTimes {
					findings, err := drift.Check(a.op.ID, a.status, encode(t, replace(t, decode(t, full), ptr, v)))
					require.NoError(t, err)
					assert.Empty(t, findings, v)
				}
			})
		}
	}
	assert.Positive(t, checked, "the spec has date-time properties")
}

// TestOtherSuccessStatusesUseThe200Schema: the SDK decodes every 2xx answer as the success type,
// so a 2xx the operation does not declare is checked against its 200 answer, never the error
// schema of the default response.
func TestOtherSuccessStatusesUseThe200Schema(t *testing.T) {
	t.Parallel()
	undeclared := func(c fixtures.Case) []int {
		var out []int
		for s := 201; s <= 299; s++ {
			if fixtures.SpecOperation(c.Op.ID).Responses.Status(s) == nil {
				out = append(out, s)
			}
		}
		return out
	}
	checked := 0
	for _, c := range fixtures.Cases() {
		for _, s := range undeclared(c) {
			checked++
			findings, err := drift.Check(c.Op.ID, s, c.Response)
			require.NoError(t, err)
			assert.Empty(t, findings, "%s/%d", c.Op.ID, s)
		}
	}
	require.Positive(t, checked, "some 2xx status is not declared")

	// A real break of the success answer is found at such a status, and nothing of the error
	// schema is reported.
	at := fieldWhere(t, "a required field besides the envelope", func(f specwalk.Field) bool {
		return depth(f) == 1 && f.Required && f.Name != "request_id" && f.Name != "status_code"
	})
	statuses := undeclared(at.c)
	require.NotEmpty(t, statuses, "%s declares every 2xx", at.c.Op.ID)
	tree := decodeTree(t, at.c.Response)
	remove(t, tree, at.f.Pointer)
	for _, s := range statuses {
		findings, err := drift.Check(at.c.Op.ID, s, encode(t, tree))
		require.NoError(t, err)
		assert.Equal(t, []drift.Finding{{Operation: at.c.Op.ID, Path: at.f.Pointer, Kind: drift.MissingField,
			Detail: "required by the spec, absent from the answer"}}, findings, "%d", s)
	}

	// The same through the SDK and the fake: the SDK takes the answer, and drift finds nothing.
	c := smallestAnswer(t)
	s := undeclared(c)[0]
	srv := b2btest.NewServer(t)
	var col drift.Collector
	client := srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { return drift.NewTransport(next, col.Report) }))
	srv.On(c.Op).RespondJSON(s, c.Response)
	_, err := testkit.Call(context.Background(), client, c.Minimal)
	require.NoError(t, err, "the SDK decodes a %d answer as a success", s)
	assert.Empty(t, col.Findings())
}

// TestFindingsPerAnswerAreCapped: an answer with more than MaxFindings findings gives MaxFindings
// of them and one that says the rest was left out, and the check stops there; one with exactly
// MaxFindings gives them all.
func TestFindingsPerAnswerAreCapped(t *testing.T) {
	t.Parallel()
	elem := fieldWhere(t, "an array of strings", func(f specwalk.Field) bool {
		return f.Name == "*" && f.Type == openapi3.TypeString && !strings.Contains(strings.TrimSuffix(f.Pointer, "/*"), "*")
	})
	arr := strings.TrimSuffix(elem.f.Pointer, "/*")
	op := elem.c.Op

	// Many elements of the wrong type, and past them (members are checked in name order) a
	// field the spec does not list, which the check never reaches.
	const many = 50 * drift.MaxFindings
	flood := make([]any, many)
	for i := range flood {
		flood[i] = i
	}
	tree := decodeTree(t, elem.c.Response)
	set(t, tree, arr, flood)
	tree.(map[string]any)["~unchecked"] = true // "~" sorts after every name of the spec
	body := encode(t, tree)

	findings, err := drift.Check(op.ID, 200, body)
	require.NoError(t, err)
	require.Len(t, findings, drift.MaxFindings+1)
	for i, f := range findings[:drift.MaxFindings] {
		assert.Equal(t, drift.Finding{Operation: op.ID, Path: fmt.Sprintf("%s/%d", arr, i), Kind: drift.WrongType, Detail: "integer, the spec says string"}, f)
	}
	last := findings[drift.MaxFindings]
	assert.Equal(t, "", last.Path)
	assert.Equal(t, drift.WrongType, last.Kind, "the kind of the first finding left out")
	assert.Contains(t, last.Detail, fmt.Sprintf("more than %d findings", drift.MaxFindings))
	assert.Contains(t, last.Detail, fmt.Sprintf("%s/%d", arr, drift.MaxFindings))

	// Through the transport: the report function is called for those findings only.
	calls := 0
	tr := drift.NewTransport(&stub{status: 200, body: bytes.NewReader(body)}, func(drift.Finding) { calls++ })
	_, got, err := roundTrip(t, tr, op.Method, opURL("https://test.stytch.com", op))
	require.NoError(t, err)
	assert.Equal(t, body, got)
	assert.Equal(t, drift.MaxFindings+1, calls)

	// Unknown fields: exactly MaxFindings are all reported; one more turns the last into the
	// note, with their kind.
	c := smallestAnswer(t)
	unknown := func(n int) []byte {
		tree := decodeTree(t, c.Response).(map[string]any)
		for i := range n {
			tree[fmt.Sprintf("drift_unknown_%04d", i)] = i
		}
		return encode(t, tree)
	}
	findings, err = drift.Check(c.Op.ID, 200, unknown(drift.MaxFindings))
	require.NoError(t, err)
	require.Len(t, findings, drift.MaxFindings)
	for _, f := range findings {
		assert.Equal(t, drift.UnknownField, f.Kind)
		assert.NotEmpty(t, f.Path)
	}
	findings, err = drift.Check(c.Op.ID, 200, unknown(drift.MaxFindings+2))
	require.NoError(t, err)
	require.Len(t, findings, drift.MaxFindings+1)
	assert.Equal(t, drift.UnknownField, findings[drift.MaxFindings].Kind)
	assert.Equal(t, "", findings[drift.MaxFindings].Path)
	assert.Contains(t, findings[drift.MaxFindings].Detail, fmt.Sprintf("/drift_unknown_%04d", drift.MaxFindings))
}

// TestIdentityEncodingIsChecked: a Content-Encoding of identity (in any case, with spaces), or an
// empty one, leaves the body as sent, as the SDK reads it: such a body is checked.
func TestIdentityEncodingIsChecked(t *testing.T) {
	t.Parallel()
	c := smallestAnswer(t)
	body := `{"drift_new":true,` + string(c.Response[1:])
	for _, ce := range []string{"identity", " Identity ", "IDENTITY", ""} {
		var col drift.Collector
		h := http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {ce}}
		tr := drift.NewTransport(&stub{status: 200, header: h, body: strings.NewReader(body)}, col.Report)
		_, got, err := roundTrip(t, tr, c.Op.Method, opURL("https://test.stytch.com", c.Op))
		require.NoError(t, err)
		assert.Equal(t, body, string(got))
		assert.Equal(t, []drift.Finding{{Operation: c.Op.ID, Path: "/drift_new", Kind: drift.UnknownField, Detail: "not in the spec (a boolean)"}}, col.Findings(), "%q", ce)
	}
}
