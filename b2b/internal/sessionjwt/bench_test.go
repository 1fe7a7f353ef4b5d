package sessionjwt

import (
	"context"
	"crypto/rsa"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	jsonv2 "github.com/go-json-experiment/json"
)

// BenchmarkVerify verifies one typical session JWT (RS256, 2048-bit key, ~1.4 KB) with a warm
// key set. "package" is Verify: parse, key lookup, signature, claim checks, typed claims.
// "library-floor" is the least any caller of the JOSE library does (parse, verify with a key at
// hand, decode the payload into a map), so the difference is this package's own cost. With
// -count, the two run alternately. cpu-ns/op is the process's CPU time per verification
// (steadier than ns/op on a shared machine; 0 where getrusage is unavailable).
//
//	go test -run '^$' -bench Verify -count 6 ./b2b/internal/sessionjwt/
func BenchmarkVerify(b *testing.B) {
	k := newTestKey(b, 0, "jwk-test-1")
	token := sign(b, k, claims(base), signOpts{})
	ctx := context.Background()

	b.Run("package", func(b *testing.B) {
		e := newEnv(b, jwks(b, k))
		if _, err := e.v.Verify(ctx, token, time.Hour); err != nil {
			b.Fatal(err)
		}
		measure(b, func() {
			if _, err := e.v.Verify(ctx, token, time.Hour); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("library-floor", func(b *testing.B) {
		keys := map[string]*rsa.PublicKey{k.kid: &k.priv.PublicKey}
		measure(b, func() {
			obj, err := jose.ParseSignedCompact(token, signatureAlgorithms)
			if err != nil {
				b.Fatal(err)
			}
			payload, err := obj.Verify(keys[obj.Signatures[0].Header.KeyID])
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := jsonv2.Unmarshal(payload, &m); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func measure(b *testing.B, f func()) {
	b.ReportAllocs()
	cpu0, ok := processCPU()
	for b.Loop() {
		f()
	}
	if cpu1, ok1 := processCPU(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
