package bench

// Checks that keep the benchmarks honest: the fixtures are what they claim to be, both clients
// send the same request and decode the whole body, and the loopback setup reuses connections.
// They are ordinary tests (no timing) and run with go test ./...
//
// The baseline's types (baseline_types_test.go) and the bodies (testdata/) are an independent
// oracle, kept by hand on purpose (see TESTING.md, "Independent oracles"): a field the spec gains
// needs no edit here, since neither side of a benchmark decodes a field the body does not carry;
// only a field the spec drops, renames or retypes while the body still carries it makes these
// checks fail, and their message names the file to change.

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// fixtureTypes pairs each body with the generated type the SDK decodes it into and the baseline's
// own type.
var fixtureTypes = []struct {
	fixture   string
	gen, base reflect.Type
}{
	{benchkit.FixtureMagicLinksAuthenticate, reflect.TypeFor[gen.MagicLinksAuthenticateResponse](), reflect.TypeFor[plainMagicLinksAuthenticateResponse]()},
	{benchkit.FixtureDiscoverySend, reflect.TypeFor[gen.MagicLinksEmailDiscoverySendResponse](), reflect.TypeFor[plainMagicLinksEmailDiscoverySendResponse]()},
	{benchkit.FixtureRecoveryCodesGet, reflect.TypeFor[gen.RecoveryCodesGetResponse](), reflect.TypeFor[plainRecoveryCodesGetResponse]()},
}

const oracleHint = "the benchmarks' hand-kept oracle (bench/baseline_types_test.go and bench/testdata/*.json, " +
	"see TESTING.md) no longer matches the spec"

func TestFixtures(t *testing.T) {
	t.Run("sizes", func(t *testing.T) {
		mla := benchkit.Fixture(t, benchkit.FixtureMagicLinksAuthenticate)
		assert.InDelta(t, 11*1024, len(mla), 1024, "the large response is ~11 KB, as a real one with a full member, organization and session")
		assert.Less(t, len(benchkit.Fixture(t, benchkit.FixtureDiscoverySend)), 128, "the small response is tiny")
		assert.InDelta(t, 7*1024, len(benchkit.Fixture(t, benchkit.FixtureRecoveryCodesGet)), 1024)
	})
	// Every member of every body is a field of the generated type and of the baseline's type: no
	// typo makes a benchmark skip work, and the baseline decodes all of it.
	t.Run("no unknown fields", func(t *testing.T) {
		for _, ft := range fixtureTypes {
			require.NoError(t, strictDecode(benchkit.Fixture(t, ft.fixture), reflect.New(ft.gen).Interface()),
				"%s: bench/testdata/%s has a member the spec does not define: rename or remove it there, "+
					"and in bench/baseline_types_test.go", oracleHint, ft.fixture)
			require.NoError(t, strictDecode(benchkit.Fixture(t, ft.fixture), reflect.New(ft.base).Interface()),
				"bench/baseline_types_test.go: %s lacks a field that bench/testdata/%s carries: add it, "+
					"with the Go type and JSON name of its counterpart in package gen", ft.base.Name(), ft.fixture)
		}
	})
	// Every field of the baseline's types is the field of the same JSON name and shape in the
	// generated types, at every depth: both sides decode the same data into the same shapes.
	t.Run("baseline mirrors gen", func(t *testing.T) {
		for _, ft := range fixtureTypes {
			for _, problem := range mirrorProblems(ft.base, ft.gen) {
				t.Errorf("%s: %s; change that field of bench/baseline_types_test.go (and the member in "+
					"bench/testdata/*.json) to match package gen", oracleHint, problem)
			}
		}
	})
	// The large response carries every field of every object it is made of, at every depth, as far
	// as the baseline knows them (fields the spec gained since are reported, not required:
	// neither side decodes them). Factors are the exception: each carries the object of its
	// own kind only, one of ~40.
	t.Run("complete", func(t *testing.T) {
		body := benchkit.Fixture(t, benchkit.FixtureMagicLinksAuthenticate)
		var m map[string]any
		require.NoError(t, stdjson.Unmarshal(body, &m))
		seen := map[reflect.Type]map[string]bool{}
		markFields(seen, reflect.TypeFor[plainMagicLinksAuthenticateResponse](), m)
		for _, missing := range unseenFields(seen) {
			t.Errorf("bench/testdata/%s does not carry %s: add it with a realistic value, so that both "+
				"clients decode it", benchkit.FixtureMagicLinksAuthenticate, missing)
		}
		for _, extra := range fieldsOnlyInGen(reflect.TypeFor[plainMagicLinksAuthenticateResponse](), reflect.TypeFor[gen.MagicLinksAuthenticateResponse]()) {
			t.Logf("not measured (the spec has it, the body and the baseline do not): %s", extra)
		}

		member := m["member"].(map[string]any)
		session := m["member_session"].(map[string]any)
		assert.Len(t, session["authentication_factors"], 5)
		assert.GreaterOrEqual(t, len(member["oauth_registrations"].([]any)), 3)
		assert.GreaterOrEqual(t, len(member["sso_registrations"].([]any)), 2)
		assert.GreaterOrEqual(t, len(member["roles"].([]any)), 3)
		assert.NotNil(t, member["scim_registration"])
	})
}

func strictDecode(data []byte, v any) error {
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// jsonName is the JSON member name of a struct field, or "" when it has none.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	benchPkgPath = reflect.TypeFor[plainMember]().PkgPath()
	factorType   = reflect.TypeFor[plainAuthenticationFactor]()
)

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// isPlainStruct reports whether t is one of the baseline's own struct types.
func isPlainStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == benchPkgPath
}

// markFields walks v (decoded JSON) as a value of the baseline's type t and records, for each of
// the baseline's struct types, which JSON members some object of that type carries.
func markFields(seen map[reflect.Type]map[string]bool, t reflect.Type, v any) {
	t = deref(t)
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok || !isPlainStruct(t) {
			return
		}
		if seen[t] == nil {
			seen[t] = map[string]bool{}
		}
		for f := range t.Fields() {
			name := jsonName(f)
			if fv, present := obj[name]; name != "" && present {
				seen[t][name] = true
				markFields(seen, f.Type, fv)
			}
		}
	case reflect.Slice:
		if list, ok := v.([]any); ok {
			for _, e := range list {
				markFields(seen, t.Elem(), e)
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for _, e := range obj {
				markFields(seen, t.Elem(), e)
			}
		}
	}
}

// unseenFields lists, as Type.json_name, the fields of the struct types met by markFields that no
// object carried, except the per-kind objects of an authentication factor.
func unseenFields(seen map[reflect.Type]map[string]bool) []string {
	var out []string
	for t, names := range seen {
		for f := range t.Fields() {
			name := jsonName(f)
			if name == "" || names[name] {
				continue
			}
			if t == factorType && isPlainStruct(deref(f.Type)) {
				continue
			}
			out = append(out, fmt.Sprintf("%s.%s", t.Name(), name))
		}
	}
	slices.Sort(out)
	return out
}

// mirrorProblems compares the baseline's type base with the generated type g, recursively: every
// field of base must have a field of g with the same JSON name and the same shape (kinds, with
// pointers and type names ignored).
func mirrorProblems(base, g reflect.Type) []string {
	var out []string
	visited := map[[2]reflect.Type]bool{}
	var walk func(path string, b, g reflect.Type)
	walk = func(path string, b, g reflect.Type) {
		b, g = deref(b), deref(g)
		if visited[[2]reflect.Type{b, g}] {
			return
		}
		visited[[2]reflect.Type{b, g}] = true
		switch {
		case b == timeType || g == timeType:
			if b != g {
				out = append(out, fmt.Sprintf("%s is %v in the baseline but %v in gen", path, b, g))
			}
			return
		case b.Kind() != g.Kind():
			out = append(out, fmt.Sprintf("%s is of kind %v in the baseline but %v in gen", path, b.Kind(), g.Kind()))
			return
		}
		switch b.Kind() {
		case reflect.Struct:
			byName := map[string]reflect.StructField{}
			for f := range g.Fields() {
				if name := jsonName(f); name != "" {
					byName[name] = f
				}
			}
			for f := range b.Fields() {
				name := jsonName(f)
				if name == "" {
					continue
				}
				gf, ok := byName[name]
				if !ok {
					out = append(out, fmt.Sprintf("%s.%s (json %q) has no counterpart in gen.%s: the spec dropped or renamed it",
						b.Name(), f.Name, name, g.Name()))
					continue
				}
				walk(b.Name()+"."+f.Name, f.Type, gf.Type)
			}
		case reflect.Slice, reflect.Map:
			walk(path+"[]", b.Elem(), g.Elem())
		}
	}
	walk(base.Name(), base, g)
	return out
}

// fieldsOnlyInGen lists the fields of the generated types, reached from g, that the baseline's
// types (reached from base the same way) do not have.
func fieldsOnlyInGen(base, g reflect.Type) []string {
	var out []string
	visited := map[reflect.Type]bool{}
	var walk func(b, g reflect.Type)
	walk = func(b, g reflect.Type) {
		b, g = deref(b), deref(g)
		if g.Kind() == reflect.Slice || g.Kind() == reflect.Map {
			if b.Kind() == g.Kind() {
				walk(b.Elem(), g.Elem())
			}
			return
		}
		if g.Kind() != reflect.Struct || g == timeType || b.Kind() != reflect.Struct || visited[g] {
			return
		}
		visited[g] = true
		byName := map[string]reflect.StructField{}
		for f := range b.Fields() {
			if name := jsonName(f); name != "" {
				byName[name] = f
			}
		}
		for f := range g.Fields() {
			name := jsonName(f)
			if name == "" {
				continue
			}
			if bf, ok := byName[name]; ok {
				walk(bf.Type, f.Type)
			} else {
				out = append(out, fmt.Sprintf("gen.%s.%s", g.Name(), name))
			}
		}
	}
	walk(base, g)
	slices.Sort(out)
	return out
}

// recordingTransport answers like benchkit.CannedTransport and keeps the requests it saw, with
// bodies.
type recordingTransport struct {
	*benchkit.CannedTransport
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, recorded{req.Method, req.URL.Path, req.Header.Clone(), body})
	rt.mu.Unlock()
	return rt.CannedTransport.RoundTrip(req)
}

// The two sides of each benchmark send equivalent requests and each decodes the whole body.
func TestBaselineAndSDKDoTheSameWork(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, method, path, fixture string
		sdk                         func(*b2b.Client) (any, error)
		base                        func(*baselineClient) (any, error)
	}{
		{"MagicLinksAuthenticate", http.MethodPost, benchkit.MagicLinksAuthenticatePath, benchkit.FixtureMagicLinksAuthenticate,
			func(c *b2b.Client) (any, error) { return benchkit.SDKMagicLinksAuthenticate(ctx, c) },
			func(c *baselineClient) (any, error) { return baseMagicLinksAuthenticate(ctx, c) }},
		{"DiscoverySend", http.MethodPost, benchkit.DiscoverySendPath, benchkit.FixtureDiscoverySend,
			func(c *b2b.Client) (any, error) { return benchkit.SDKDiscoverySend(ctx, c) },
			func(c *baselineClient) (any, error) { return baseDiscoverySend(ctx, c) }},
		{"RecoveryCodesGet", http.MethodGet, benchkit.RecoveryCodesGetPath, benchkit.FixtureRecoveryCodesGet,
			func(c *b2b.Client) (any, error) { return benchkit.SDKRecoveryCodesGet(ctx, c) },
			func(c *baselineClient) (any, error) { return baseRecoveryCodesGet(ctx, c) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &recordingTransport{CannedTransport: benchkit.NewCannedTransport(t, tc.method, tc.path, tc.fixture)}
			got, err := tc.sdk(benchkit.NewSDKClient(t, rt))
			require.NoError(t, err)
			want, err := tc.base(newBaselineClient(&http.Client{Transport: rt}, benchkit.BaseURL))
			require.NoError(t, err)

			// Each side decoded every member of the body, with its value, and nothing else.
			body := benchkit.Fixture(t, tc.fixture)
			gotJSON, err := stdjson.Marshal(got)
			require.NoError(t, err)
			wantJSON, err := stdjson.Marshal(want)
			require.NoError(t, err)
			assert.Empty(t, benchkit.Covers(body, gotJSON), "the SDK's result against the body")
			assert.Empty(t, benchkit.Covers(body, wantJSON), "the baseline's result against the body")

			// Same request: method, path, body, credentials; both name a content type on
			// bodies and a user agent.
			require.Len(t, rt.reqs, 2)
			sdkReq, baseReq := rt.reqs[0], rt.reqs[1]
			assert.Equal(t, baseReq.method, sdkReq.method)
			assert.Equal(t, baseReq.path, sdkReq.path)
			if len(baseReq.body) > 0 || len(sdkReq.body) > 0 {
				assert.JSONEq(t, string(baseReq.body), string(sdkReq.body))
			}
			assert.Equal(t, baseReq.header.Get("Authorization"), sdkReq.header.Get("Authorization"))
			assert.NotEmpty(t, sdkReq.header.Get("Authorization"))
			assert.Equal(t, baseReq.header.Get("Content-Type"), sdkReq.header.Get("Content-Type"))
			assert.NotEmpty(t, sdkReq.header.Get("User-Agent"))
			assert.Equal(t, baselineUA, baseReq.header.Get("User-Agent"))
		})
	}
}

// The loopback setup works for both clients, and the SDK's default client keeps its connections
// under concurrency (the baseline's default transport is free to churn).
func TestLoopbackClients(t *testing.T) {
	body := benchkit.Fixture(t, benchkit.FixtureMagicLinksAuthenticate)
	srv, conns := benchkit.NewLoopbackServer(t, body)
	defer srv.Close()
	c, err := b2b.NewClient(benchkit.ProjectID, benchkit.Secret, b2b.WithBaseURL(srv.URL))
	require.NoError(t, err)
	hc := benchkit.DefaultTransportClient()
	defer hc.CloseIdleConnections()
	base := newBaselineClient(hc, srv.URL)

	const callers, calls = benchkit.LoopbackCallers, 4
	var wg sync.WaitGroup
	errs := make(chan error, 2*callers*calls)
	for range callers {
		wg.Go(func() {
			for range calls {
				_, err := benchkit.SDKMagicLinksAuthenticate(t.Context(), c)
				errs <- err
			}
		})
	}
	wg.Wait()
	// A connection can be dialled just before another one comes free, so allow some slack; the
	// point is that the count stays near the number of callers instead of growing with calls.
	assert.LessOrEqual(t, conns.Load(), int64(2*callers), "the SDK reuses its connections")
	for range callers {
		wg.Go(func() {
			for range calls {
				_, err := baseMagicLinksAuthenticate(t.Context(), base)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
