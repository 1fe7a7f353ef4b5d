package sessionjwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitForWaiters blocks until n lookups wait on the key set's fetch in progress. It polls: the
// test's synchronisation, not a timing assertion.
func waitForWaiters(t *testing.T, ks *keySet, n int32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ks.mu.Lock()
		f := ks.flight
		ks.mu.Unlock()
		if f != nil && f.waiters.Load() >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("fewer than %d lookups came to wait on the fetch", n)
}

func TestNewDoesNoIO(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	assert.Equal(t, 0, e.calls(), "New must not fetch")
	_, err := e.verify(sign(t, k, claims(base), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 1, e.calls(), "the first verification fetches")
}

func TestConcurrentVerificationsShareOneFetch(t *testing.T) {
	const n = 32
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	release := make(chan struct{})
	e.fetcher.setHook(func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	token := sign(t, k, claims(base), signOpts{})

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = e.verify(token) })
	}
	waitForWaiters(t, e.v.keys, n-1) // one fetches, all the others wait on it
	close(release)
	wg.Wait()

	for i, err := range errs {
		assert.NoError(t, err, "verification %d", i)
	}
	assert.Equal(t, 1, e.calls())
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	k1 := newTestKey(t, 0, "jwk-test-1")
	k2 := newTestKey(t, 1, "jwk-test-2")
	k3 := newTestKey(t, 2, "jwk-test-3")
	e := newEnv(t, jwks(t, k1))
	_, err := e.verify(sign(t, k1, claims(base), signOpts{}))
	require.NoError(t, err)
	require.Equal(t, 1, e.calls())

	// The key set gains k2 (a rotation); the first token with the new kid, once the interval
	// since the last fetch has passed, refetches once and verifies.
	e.fetcher.set(jwks(t, k1, k2), nil)
	e.clock.Advance(DefaultRefreshInterval)
	_, err = e.verify(sign(t, k2, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 2, e.calls(), "an unknown kid refetches once")

	// Another unknown kid within the interval: no fetch, ReasonNoKey, even though the server
	// now has the key.
	e.fetcher.set(jwks(t, k1, k2, k3), nil)
	e.clock.Advance(DefaultRefreshInterval - time.Second)
	t3 := sign(t, k3, claims(e.clock.Now()), signOpts{})
	for range 5 {
		_, err = e.verify(t3)
		requireReason(t, err, t3, ReasonNoKey, "kid")
	}
	assert.Equal(t, 2, e.calls(), "no fetch for an unknown kid within the interval")

	// Known kids keep verifying meanwhile, without fetching.
	_, err = e.verify(sign(t, k1, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 2, e.calls())

	// Once the interval has passed, the unknown kid refetches and verifies.
	e.clock.Advance(time.Second)
	_, err = e.verify(sign(t, k3, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 3, e.calls())
}

// TestAbandonedRefetchesAreRateLimited: callers that give up while a refetch hangs (a forger
// who sends made-up kids and hangs up at once) cost no more fetches than callers who wait.
func TestAbandonedRefetchesAreRateLimited(t *testing.T) {
	k1 := newTestKey(t, 0, "jwk-test-1")
	k2 := newTestKey(t, 1, "jwk-test-2")
	e := newEnv(t, jwks(t, k1))
	_, err := e.verify(sign(t, k1, claims(base), signOpts{}))
	require.NoError(t, err)
	require.Equal(t, 1, e.calls())

	release := make(chan struct{})
	e.fetcher.setHook(func(ctx context.Context) error {
		select { // the key set endpoint hangs until the test lets it answer
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	e.clock.Advance(DefaultRefreshInterval) // an unknown kid may refetch again
	for i := range 10 {
		forger := newTestKey(t, 2, fmt.Sprintf("jwk-forged-%d", i))
		token := sign(t, forger, claims(e.clock.Now()), signOpts{})
		ctx, cancel := context.WithCancel(context.Background())
		stop := time.AfterFunc(20*time.Millisecond, cancel) // gives up while the fetch hangs
		_, err := e.v.Verify(ctx, token, 0)
		stop.Stop()
		cancel()
		requireReason(t, err, token, ReasonJWKSUnreachable, "")
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.LessOrEqual(t, e.calls(), 2, "ten abandoned verifications caused at most one refetch")

	// The refetch answers; the kids the forgers made up are not in it.
	close(release)
	_, err = e.verify(sign(t, k1, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	forged := sign(t, newTestKey(t, 2, "jwk-forged-10"), claims(e.clock.Now()), signOpts{})
	_, err = e.verify(forged)
	requireReason(t, err, forged, ReasonNoKey, "kid")
	assert.LessOrEqual(t, e.calls(), 2)
	assert.Empty(t, e.errs, "callers giving up are not fetch failures")

	// A legitimate new kid refetches once the interval has passed.
	e.fetcher.setHook(nil)
	e.fetcher.set(jwks(t, k1, k2), nil)
	before := e.calls()
	e.clock.Advance(DefaultRefreshInterval)
	_, err = e.verify(sign(t, k2, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, before+1, e.calls())
}

func TestRefreshIntervalIsConfigurable(t *testing.T) {
	k1 := newTestKey(t, 0, "jwk-test-1")
	k2 := newTestKey(t, 1, "jwk-test-2")
	e := newEnv(t, jwks(t, k1), func(c *Config) { c.RefreshInterval = 5 * time.Minute })
	_, err := e.verify(sign(t, k1, claims(base), signOpts{}))
	require.NoError(t, err)
	e.fetcher.set(jwks(t, k1, k2), nil)

	e.clock.Advance(DefaultRefreshInterval) // the default would allow a refetch by now
	t2 := sign(t, k2, claims(e.clock.Now()), signOpts{})
	_, err = e.verify(t2)
	requireReason(t, err, t2, ReasonNoKey, "kid")
	assert.Equal(t, 1, e.calls())

	e.clock.Advance(5*time.Minute - DefaultRefreshInterval)
	_, err = e.verify(sign(t, k2, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 2, e.calls())
}

func TestCacheMaxAgeCausesRefetch(t *testing.T) {
	k1 := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k1))
	verifyAt := func() error {
		_, err := e.verify(sign(t, k1, claims(e.clock.Now()), signOpts{}))
		return err
	}
	require.NoError(t, verifyAt())
	e.clock.Advance(DefaultCacheMaxAge - time.Second)
	require.NoError(t, verifyAt())
	assert.Equal(t, 1, e.calls(), "keys younger than the max age are used as they are")

	e.clock.Advance(time.Second)
	require.NoError(t, verifyAt())
	assert.Equal(t, 2, e.calls(), "keys as old as the max age are fetched again")
	require.NoError(t, verifyAt())
	assert.Equal(t, 2, e.calls())
}

func TestRotationKeepsTheOldKey(t *testing.T) {
	old := newTestKey(t, 0, "jwk-test-old")
	cur := newTestKey(t, 1, "jwk-test-new")
	e := newEnv(t, jwks(t, old))
	oldToken := sign(t, old, claims(base), signOpts{})
	_, err := e.verify(oldToken)
	require.NoError(t, err)

	// Stytch rotates: it serves the new key first and keeps the old one for a month.
	e.fetcher.set(jwks(t, cur, old), nil)
	e.clock.Advance(DefaultRefreshInterval)
	_, err = e.verify(sign(t, cur, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	_, err = e.verify(oldToken)
	require.NoError(t, err, "tokens signed by the old key still verify after the refetch")
	assert.Equal(t, 2, e.calls())

	// When the old key is withdrawn, the next fetch (after the max age) drops it.
	e.fetcher.set(jwks(t, cur), nil)
	e.clock.Advance(DefaultCacheMaxAge)
	stale := sign(t, old, claims(e.clock.Now()), signOpts{})
	_, err = e.verify(stale)
	requireReason(t, err, stale, ReasonNoKey, "kid")
	assert.Equal(t, 3, e.calls())
}

func TestFailedRefetchKeepsServingOldKeys(t *testing.T) {
	k1 := newTestKey(t, 0, "jwk-test-1")
	k2 := newTestKey(t, 1, "jwk-test-2")
	e := newEnv(t, jwks(t, k1))
	_, err := e.verify(sign(t, k1, claims(base), signOpts{}))
	require.NoError(t, err)

	e.fetcher.set(nil, errFetch)
	e.clock.Advance(DefaultCacheMaxAge)
	_, err = e.verify(sign(t, k1, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err, "the refetch after the max age failed, the old key is still used")
	assert.Equal(t, 2, e.calls())
	select {
	case reported := <-e.errs:
		assert.ErrorIs(t, reported, errFetch, "the failure is reported")
	default:
		t.Fatal("the failed refetch was not reported to OnFetchError")
	}

	// Within the interval after the failure nothing is fetched: known kids use the stale keys,
	// unknown ones fail fast as unreachable, with the cause.
	e.clock.Advance(DefaultRefreshInterval - time.Second)
	_, err = e.verify(sign(t, k1, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	t2 := sign(t, k2, claims(e.clock.Now()), signOpts{})
	_, err = e.verify(t2)
	requireReason(t, err, t2, ReasonJWKSUnreachable, "kid")
	assert.ErrorIs(t, err, errFetch)
	assert.Equal(t, 2, e.calls())

	// After the interval the next verification tries again; it works now.
	e.fetcher.set(jwks(t, k1, k2), nil)
	e.clock.Advance(time.Second)
	_, err = e.verify(sign(t, k2, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 3, e.calls())
	assert.Empty(t, e.errs, "a successful fetch reports nothing")
}

func TestFirstFetchFails(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, nil)
	e.fetcher.set(nil, errFetch)
	token := sign(t, k, claims(base), signOpts{})

	_, err := e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.ErrorIs(t, err, errFetch, "the fetch cause is in the chain")
	assert.Contains(t, err.Error(), errFetch.Error())

	e.fetcher.set(jwks(t, k), nil)
	_, err = e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.Equal(t, 1, e.calls(), "a failed fetch is not repeated within the interval")

	e.clock.Advance(DefaultRefreshInterval)
	_, err = e.verify(sign(t, k, claims(e.clock.Now()), signOpts{}))
	require.NoError(t, err)
	assert.Equal(t, 2, e.calls())
}

func TestHangingFetchHitsTheDeadline(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k), func(c *Config) { c.FetchTimeout = 50 * time.Millisecond })
	var sawDeadline bool
	e.fetcher.setHook(func(ctx context.Context) error {
		_, sawDeadline = ctx.Deadline()
		<-ctx.Done() // a server that never answers
		return ctx.Err()
	})
	token := sign(t, k, claims(base), signOpts{})

	_, err := e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "no answer within 50ms")
	assert.True(t, sawDeadline)
	assert.Len(t, e.errs, 1, "the timeout is reported")

	_, err = e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.Equal(t, 1, e.calls(), "a timed-out fetch counts as a failure: no new fetch within the interval")
}

// TestCallerGivingUpLeavesTheFetchRunning: a verification whose context ends stops waiting at
// once, but the fetch it started goes on, bounded by the fetch timeout rather than by that
// context, and its outcome is kept: the next verification uses it without fetching again.
func TestCallerGivingUpLeavesTheFetchRunning(t *testing.T) {
	type traceKey struct{}
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k)) // default fetch timeout, 5 s
	release := make(chan struct{})
	fetchCtx := make(chan context.Context, 1)
	e.fetcher.setHook(func(ctx context.Context) error {
		fetchCtx <- ctx
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	token := sign(t, k, claims(base), signOpts{})

	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), traceKey{}, "trace-1"), 30*time.Millisecond)
	defer cancel()
	callerDeadline, _ := ctx.Deadline()
	_, err := e.v.Verify(ctx, token, 0)
	requireReason(t, err, token, ReasonJWKSUnreachable, "")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	fctx := <-fetchCtx
	assert.NoError(t, fctx.Err(), "the fetch outlives the caller that gave up")
	deadline, ok := fctx.Deadline()
	require.True(t, ok, "the fetch timeout bounds the fetch")
	assert.True(t, deadline.After(callerDeadline))
	assert.Equal(t, "trace-1", fctx.Value(traceKey{}), "the caller's context values reach the fetch")

	close(release)
	_, err = e.verify(token)
	require.NoError(t, err)
	assert.Equal(t, 1, e.calls(), "the keys of the fetch the caller gave up on are used")
	assert.Empty(t, e.errs, "a caller giving up is not a fetch failure")
}

func TestWaiterGivesUpWithItsOwnContext(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	release := make(chan struct{})
	e.fetcher.setHook(func(_ context.Context) error {
		<-release
		return nil
	})
	token := sign(t, k, claims(base), signOpts{})

	first := make(chan error, 1)
	go func() { _, err := e.verify(token); first <- err }()
	waitForWaiters(t, e.v.keys, 0) // the fetch is in progress

	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { _, err := e.v.Verify(ctx, token, 0); second <- err }()
	waitForWaiters(t, e.v.keys, 1)
	cancel()
	err := <-second
	requireReason(t, err, token, ReasonJWKSUnreachable, "")
	assert.ErrorIs(t, err, context.Canceled)

	close(release)
	require.NoError(t, <-first, "the fetch itself went on for the lookup that started it")
	assert.Equal(t, 1, e.calls())
}

func TestWaitersKeepTheFetchWhenItsStarterGivesUp(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	e.fetcher.setHook(func(ctx context.Context) error {
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	token := sign(t, k, claims(base), signOpts{})

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := e.v.Verify(ctx, token, 0); first <- err }()
	<-started
	second := make(chan error, 1)
	go func() { _, err := e.verify(token); second <- err }()
	waitForWaiters(t, e.v.keys, 1)

	cancel()
	err := <-first
	requireReason(t, err, token, ReasonJWKSUnreachable, "")
	assert.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-second, "the waiter, whose context is alive, got the keys of the same fetch")
	assert.Equal(t, 1, e.calls())
	assert.Empty(t, e.errs)
}

func TestFetchPanicReleasesWaiters(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	e.fetcher.setHook(func(_ context.Context) error { panic("fetch bug") })
	token := sign(t, k, claims(base), signOpts{})

	assert.PanicsWithValue(t, "fetch bug", func() { _, _ = e.verify(token) }, "the panic is not swallowed")
	// The flight was cleared: the next call does not hang, and the panic counts as a failed fetch.
	_, err := e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.Contains(t, err.Error(), "panicked")
}

// TestFetchPanicAfterItsStarterLeft: a fetch that panics once the verification that started it
// has given up cannot panic in that caller; it is a failed fetch, reported and remembered.
func TestFetchPanicAfterItsStarterLeft(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	release := make(chan struct{})
	e.fetcher.setHook(func(_ context.Context) error {
		<-release
		panic("fetch bug")
	})
	token := sign(t, k, claims(base), signOpts{})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := e.v.Verify(ctx, token, 0)
	requireReason(t, err, token, ReasonJWKSUnreachable, "")
	close(release)

	select {
	case reported := <-e.errs:
		assert.Contains(t, reported.Error(), "panicked")
	case <-time.After(10 * time.Second):
		t.Fatal("the panicking fetch was not reported")
	}
	_, err = e.verify(token)
	requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
	assert.Contains(t, err.Error(), "panicked")
	assert.Equal(t, 1, e.calls(), "the panic counts as a failed fetch: none again within the interval")
}

func TestKeySetDocuments(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	good := jwks(t, k)
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(good, &doc))
	goodKey := doc.Keys[0]
	set := func(keys ...map[string]any) []byte {
		data, err := json.Marshal(map[string]any{"keys": keys, "request_id": "req-1", "status_code": 200})
		require.NoError(t, err)
		return data
	}
	keyWith := func(kv ...any) map[string]any { return with(goodKey, kv...) }

	small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // G403: too small on purpose: the key set must refuse it
	require.NoError(t, err)
	smallJWK, err := json.Marshal(jose.JSONWebKey{Key: &small.PublicKey, KeyID: "jwk-test-1", Algorithm: "RS256"})
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecJWK, err := json.Marshal(jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "jwk-test-1", Algorithm: "ES256"})
	require.NoError(t, err)
	asMap := func(data []byte) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		return m
	}

	priv, err := json.Marshal(jose.JSONWebKey{Key: k.priv, KeyID: "jwk-test-1", Algorithm: "RS256"})
	require.NoError(t, err)
	var otherDoc struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(jwks(t, newTestKey(t, 1, "jwk-test-1")), &otherDoc))

	usable := map[string][]byte{
		"Stytch's shape":                         good,
		"unparseable x5c is ignored":             set(keyWith("x5c", []string{"not a certificate"})),
		"x5t#S256 spelled by the RFC":            set(keyWith("x5t#S256", "AAAA")),
		"no use, no key_ops, no alg":             set(keyWith("use", nil, "key_ops", nil, "alg", nil)),
		"an EC key beside the good one":          set(keyWith(), with(asMap(ecJWK), "kid", "jwk-test-ec")),
		"a broken key beside the good one":       set(keyWith("kid", "jwk-test-broken", "n", "AA"), keyWith()),
		"duplicate kid: the first one is kept":   set(keyWith(), otherDoc.Keys[0]),
		"private parts: only the public is used": set(asMap(priv)),
	}

	token := sign(t, k, claims(base), signOpts{})
	for name, body := range usable {
		t.Run("usable/"+name, func(t *testing.T) {
			e := newEnv(t, body)
			_, err := e.verify(token)
			require.NoError(t, err)
		})
	}

	unusable := map[string][]byte{
		"not JSON":               []byte("<html>"),
		"no keys member":         []byte(`{"request_id":"r"}`),
		"keys not an array":      []byte(`{"keys":{}}`),
		"empty keys":             set(),
		"only an EC key":         set(asMap(ecJWK)),
		"only a 1024-bit key":    set(asMap(smallJWK)),
		"use enc":                set(keyWith("use", "enc")),
		"key_ops without verify": set(keyWith("key_ops", []string{"encrypt"})),
		"no kid":                 set(keyWith("kid", nil)),
		"bad modulus":            set(keyWith("n", 7)),
		"duplicate member name":  []byte(`{"keys":[],"keys":[]}`),
		"too large":              []byte(`{"keys":[],"pad":"` + strings.Repeat("x", maxJWKSBytes) + `"}`),
	}
	for name, body := range unusable {
		t.Run("unusable/"+name, func(t *testing.T) {
			e := newEnv(t, body)
			_, err := e.verify(token)
			requireReason(t, err, token, ReasonJWKSUnreachable, "kid")
			assert.Len(t, e.errs, 1, "an unusable document is a failed fetch")
		})
	}

	t.Run("unusable refetch keeps the old keys", func(t *testing.T) {
		e := newEnv(t, good)
		_, err := e.verify(token)
		require.NoError(t, err)
		e.fetcher.set(set(), nil)
		e.clock.Advance(DefaultCacheMaxAge)
		_, err = e.verify(sign(t, k, claims(e.clock.Now()), signOpts{}))
		require.NoError(t, err)
		assert.Equal(t, 2, e.calls())
		assert.Len(t, e.errs, 1)
	})
}

// TestEachLookupFetchesAtMostOnce: with keys that are stale as soon as they arrive (a tiny
// CacheMaxAge and a clock that moves on every reading), a lookup still ends after one fetch,
// using the keys that fetch brought.
func TestEachLookupFetchesAtMostOnce(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	var e *env
	e = newEnv(t, jwks(t, k), func(c *Config) {
		c.CacheMaxAge = time.Nanosecond
		c.Now = func() time.Time { e.clock.Advance(time.Millisecond); return e.clock.Now() }
	})
	token := sign(t, k, claims(base), signOpts{})
	for i := 1; i <= 3; i++ {
		_, err := e.verify(token)
		require.NoError(t, err)
		assert.Equal(t, i, e.calls())
	}
}

func TestDoneContextStartsNoFetch(t *testing.T) {
	k := newTestKey(t, 0, "jwk-test-1")
	e := newEnv(t, jwks(t, k))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	token := sign(t, k, claims(base), signOpts{})
	_, err := e.v.Verify(ctx, token, 0)
	requireReason(t, err, token, ReasonJWKSUnreachable, "")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, e.calls())
}
