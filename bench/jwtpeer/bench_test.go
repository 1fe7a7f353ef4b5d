package jwtpeer

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/jwtkit"
)

// BenchmarkSessionJWT: local verification of one session JWT of the b2btest fake (RS256, a
// 2048-bit key) with a warm key cache. client=sdk is the SDK's Sessions.AuthenticateJWT with a
// maximum token age; client=golangjwt is the official Go SDK's steps on golang-jwt/jwt/v5 (see
// the package doc and peer_test.go), with the same maximum age. Both report cpu-ns/op, B/op,
// allocs/op and netcalls/op, the HTTP requests sent during the timed verifications (0 for both:
// each fetched the key set once, before).
func BenchmarkSessionJWT(b *testing.B) {
	b.Run("client=sdk", func(b *testing.B) {
		f := jwtkit.NewJWTFixture(b)
		jwtkit.RunCounted(b, f.Calls, func(ctx context.Context) error {
			_, err := f.SDKAuthenticateJWTLocal(ctx)
			return err
		})
	})
	b.Run("client=golangjwt", func(b *testing.B) {
		f := jwtkit.NewJWTFixture(b)
		calls := new(atomic.Int64)
		p, err := newPeer(context.Background(), f.Server, countingClient(calls))
		if err != nil {
			b.Fatal(err)
		}
		jwtkit.RunCounted(b, calls, func(context.Context) error {
			_, err := p.verify(f.JWT, jwtkit.JWTMaxAge)
			return err
		})
	})
}
