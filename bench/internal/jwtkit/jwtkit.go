// Package jwtkit is what the session JWT benchmarks share, in package bench (local against remote
// verification) and in the module bench/jwtpeer (against the official Go SDK's steps): a
// b2btest fake that signs session JWTs, a JWT it issued, an SDK client of it whose requests are
// counted, and the loop that reports network calls per verification. It is apart from benchkit
// so that bench/ogenpeer does not depend on the fake.
package jwtkit

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
)

// JWTFixture is what the session JWT benchmarks verify: a b2btest fake on 127.0.0.1, which signs
// its session JWTs with RS256 and serves their key set, one session JWT it issued, and an SDK
// client of that fake whose every HTTP request is counted.
type JWTFixture struct {
	Server *b2btest.Server
	// Client is the fake's own client (b2btest.Server.Client) with a transport wrapper that
	// counts requests in Calls.
	Client *b2b.Client
	// JWT is a session JWT of a member of the fake's default organization, valid for the
	// fake's five minutes: longer than any run of a benchmark.
	JWT string
	// Calls counts the HTTP requests Client sent.
	Calls *atomic.Int64
}

// JWTEmail is the member the benchmark's session belongs to.
const JWTEmail = "grace.hopper@acme-widgets.example"

// NewJWTFixture starts the fake with a fresh 2048-bit signing key and issues a session JWT.
func NewJWTFixture(tb testing.TB) *JWTFixture {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	srv := b2btest.NewServer(tb, b2btest.WithSigningKey(key))
	calls := new(atomic.Int64)
	c := srv.Client(b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return next.RoundTrip(r)
		})
	}))
	_, jwt := srv.Session("", JWTEmail)
	return &JWTFixture{Server: srv, Client: c, JWT: jwt, Calls: calls}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip implements http.RoundTripper.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// JWTMaxAge is the maximum token age every local verification of the benchmarks applies (the
// official Go SDK verifies locally only with one): longer than the fake's JWTs live, so it never
// sends a verification to the API.
const JWTMaxAge = time.Hour

// SDKAuthenticateJWTLocal verifies f.JWT with the SDK, locally: Sessions.AuthenticateJWT with
// WithMaxTokenAge(JWTMaxAge) checks the signature with the cached keys, the issuer, the audience,
// the times and the age.
func (f *JWTFixture) SDKAuthenticateJWTLocal(ctx context.Context) (*b2b.JWTSession, error) {
	return f.Client.Sessions.AuthenticateJWT(ctx, f.JWT, b2b.WithMaxTokenAge(JWTMaxAge))
}

// SDKAuthenticateRemote checks f.JWT with the fake (Sessions.Authenticate with the JWT).
func (f *JWTFixture) SDKAuthenticateRemote(ctx context.Context) (*b2b.SessionsAuthenticateResponse, error) {
	jwt := f.JWT
	return f.Client.Sessions.Authenticate(ctx, &b2b.SessionsAuthenticateParams{SessionJWT: &jwt})
}

// RunCounted runs call b.N times after one untimed call (which, for a local verification, fills
// the key cache), and reports allocations, cpu-ns/op and netcalls/op: the HTTP requests counted
// in calls during the timed calls, per call.
func RunCounted(b *testing.B, calls *atomic.Int64, call func(context.Context) error) {
	ctx := context.Background()
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	calls.Store(0)
	start, cpuOK := benchkit.CPUTime()
	for b.Loop() {
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
	}
	end, cpuOK2 := benchkit.CPUTime()
	if b.N > 0 {
		b.ReportMetric(float64(calls.Load())/float64(b.N), "netcalls/op")
		if cpuOK && cpuOK2 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
