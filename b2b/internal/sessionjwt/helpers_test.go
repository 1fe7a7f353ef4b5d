package sessionjwt

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testProject = "project-test-6d8b2f1a-0c3e-4f7a-9b51-2e4d6a8c0f13"
	testBaseURL = "https://auth.example.com"
)

// base is the test clock's start; tokens are issued at base unless a test says otherwise.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testKey is an RSA key pair with the kid it is published under.
type testKey struct {
	kid  string
	priv *rsa.PrivateKey
	alg  string // the JWK's alg; "" leaves it out
}

var (
	keysOnce sync.Once
	keyPool  [3]*rsa.PrivateKey
)

// rsaKey returns one of three 2048-bit keys, generated once per test binary.
func rsaKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for n := range keyPool {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keyPool[n] = k
		}
	})
	return keyPool[i]
}

func newTestKey(t testing.TB, i int, kid string) testKey {
	return testKey{kid: kid, priv: rsaKey(t, i), alg: "RS256"}
}

// jwks returns the key set document for keys, shaped like Stytch's (use, key_ops, x5t_s256).
func jwks(t testing.TB, keys ...testKey) []byte {
	t.Helper()
	var out struct {
		Keys []map[string]any `json:"keys"`
	}
	for _, k := range keys {
		data, err := json.Marshal(jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		m["key_ops"] = []string{"verify"}
		m["x5c"] = []string{}
		m["x5t_s256"] = ""
		out.Keys = append(out.Keys, m)
	}
	data, err := json.Marshal(out)
	require.NoError(t, err)
	return data
}

// claims returns a complete, valid claim set issued at iat.
func claims(iat time.Time) map[string]any {
	return map[string]any{
		"iss": "stytch.com/" + testProject,
		"aud": []string{testProject},
		"sub": "member-test-5f1e8a2b",
		"iat": iat.Unix(),
		"nbf": iat.Unix(),
		"exp": iat.Add(5 * time.Minute).Unix(),
		"jti": "jti-1",
		SessionClaimName: map[string]any{
			"id":               "member-session-test-0d2c",
			"started_at":       "2026-03-01T11:00:00Z",
			"last_accessed_at": "2026-03-01T11:59:00Z",
			"expires_at":       "2026-03-02T11:00:00Z",
			"attributes":       map[string]any{"ip_address": "203.0.113.7", "user_agent": "test-agent"},
			"authentication_factors": []any{map[string]any{
				"type": "magic_link", "delivery_method": "email",
				"last_authenticated_at": "2026-03-01T11:00:00Z",
				"email_factor":          map[string]any{"email_id": "email-test-1", "email_address": "ada@example.com"},
			}},
			"roles": []string{"stytch_member", "editor"},
		},
		OrganizationClaimName:             map[string]any{"organization_id": "organization-test-8b3e", "slug": "acme"},
		"https://stytch.com/future_thing": map[string]any{"x": 1},
		"plan":                            "pro",
		"seats":                           12,
		"flags":                           []any{"a", nil},
		"nothing":                         nil,
	}
}

// with returns a copy of c with the given top-level claims set (a nil value deletes the claim).
func with(c map[string]any, kv ...any) map[string]any {
	if len(kv)%2 != 0 {
		panic("with: kv must be key, value pairs")
	}
	out := maps.Clone(c)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// withSession returns a copy of c whose session claim has the given fields set (nil deletes).
func withSession(c map[string]any, kv ...any) map[string]any {
	s := maps.Clone(c[SessionClaimName].(map[string]any))
	return with(c, SessionClaimName, with(s, kv...))
}

// signOpts are the header parameters of a signed test token.
type signOpts struct {
	alg    jose.SignatureAlgorithm // default RS256
	key    any                     // default k.priv
	noKid  bool
	typ    string // default "JWT"; "-" leaves it out
	header map[jose.HeaderKey]any
}

// signRaw signs payload as is with k (or o.key), as Stytch would with its key.
func signRaw(t testing.TB, k testKey, payload []byte, o signOpts) string {
	t.Helper()
	alg := o.alg
	if alg == "" {
		alg = jose.RS256
	}
	var key any = k.priv
	if o.key != nil {
		key = o.key
	}
	so := &jose.SignerOptions{}
	if !o.noKid {
		so.WithHeader("kid", k.kid)
	}
	switch o.typ {
	case "":
		so.WithType("JWT")
	case "-":
	default:
		so.WithType(jose.ContentType(o.typ))
	}
	for name, v := range o.header {
		so.WithHeader(name, v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, so)
	require.NoError(t, err)
	obj, err := signer.Sign(payload)
	require.NoError(t, err)
	token, err := obj.CompactSerialize()
	require.NoError(t, err)
	return token
}

// sign signs the JSON of c with k.
func sign(t testing.TB, k testKey, c map[string]any, o signOpts) string {
	t.Helper()
	payload, err := json.Marshal(c)
	require.NoError(t, err)
	return signRaw(t, k, payload, o)
}

// unsigned builds a token with the given header and payload JSON and the given signature part,
// without any signing: alg none and other forgeries.
func unsigned(header, payload, signature string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "." + signature
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: base} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fetcher is a FetchFunc whose answer tests can change, counting its calls.
type fetcher struct {
	calls atomic.Int32

	mu   sync.Mutex
	body []byte
	err  error
	// hook, when set, runs first inside the fetch; it can block on ctx.
	hook func(ctx context.Context) error
}

func (f *fetcher) set(body []byte, err error) {
	f.mu.Lock()
	f.body, f.err = body, err
	f.mu.Unlock()
}

func (f *fetcher) setHook(h func(ctx context.Context) error) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

func (f *fetcher) fetch(ctx context.Context) ([]byte, error) {
	f.calls.Add(1)
	f.mu.Lock()
	body, err, hook := f.body, f.err, f.hook
	f.mu.Unlock()
	if hook != nil {
		if herr := hook(ctx); herr != nil {
			return nil, herr
		}
	}
	return body, err
}

// env is a verifier with a settable clock and fetcher.
type env struct {
	v       *Verifier
	clock   *clock
	fetcher *fetcher
	errs    chan error // OnFetchError reports
}

func newEnv(t testing.TB, body []byte, mutate ...func(*Config)) *env {
	t.Helper()
	e := &env{clock: newClock(), fetcher: &fetcher{}, errs: make(chan error, 100)}
	e.fetcher.set(body, nil)
	cfg := Config{
		ProjectID:    testProject,
		Issuers:      Issuers(testProject, testBaseURL+"/"),
		Fetch:        e.fetcher.fetch,
		Now:          e.clock.Now,
		OnFetchError: func(err error) { e.errs <- err },
	}
	for _, m := range mutate {
		m(&cfg)
	}
	v, err := New(cfg)
	require.NoError(t, err)
	e.v = v
	return e
}

func (e *env) verify(token string) (*Claims, error) {
	return e.v.Verify(context.Background(), token, 0)
}

func (e *env) calls() int { return int(e.fetcher.calls.Load()) }

// requireReason asserts that err is an *Error with reason r (and field, when not "-"), and that
// its message holds no part of the token.
func requireReason(t testing.TB, err error, token string, r Reason, field string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, r, e.Reason, "reason; error: %v", err)
	assert.ErrorIs(t, err, r)
	if field != "-" {
		assert.Equal(t, field, e.Field, "field; error: %v", err)
	}
	assertNoTokenIn(t, err.Error(), token)
}

// assertNoTokenIn checks that msg contains neither the token nor any of its parts longer than a
// few bytes.
func assertNoTokenIn(t testing.TB, msg, token string) {
	t.Helper()
	if len(token) >= 8 {
		assert.NotContains(t, msg, token)
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 {
			assert.NotContains(t, msg, part, "the error shows part of the token")
		}
	}
}

var errFetch = errors.New("jwks endpoint answered 503")
