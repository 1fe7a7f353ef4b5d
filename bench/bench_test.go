package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// The per-call benchmarks. Each runs the SDK (…/client=sdk) and the hand-written baseline
// (…/client=baseline) on the same canned in-memory transport, so network and server cost are out
// of the picture and what remains is what each client spends building the request, going through
// net/http's client and decoding the response. Besides ns/op (wall time), B/op and allocs/op, each
// reports cpu-ns/op: the process's CPU time per call, garbage collection included, which other
// load on the machine disturbs much less than wall time. benchstat -col /client compares the two
// halves; bench/ratio.go prints the ratios.

// BenchmarkMagicLinksAuthenticate: POST with a small JSON body, ~11 KB response (member,
// organization, member session with five factors, MFA and primary requirements, device).
func BenchmarkMagicLinksAuthenticate(b *testing.B) {
	benchPair(b, http.MethodPost, magicLinksAuthenticatePath, fixtureMagicLinksAuthenticate,
		sdkMagicLinksAuthenticate, baseMagicLinksAuthenticate)
}

// BenchmarkDiscoverySend: POST with a small JSON body, tiny response (request ID and status).
func BenchmarkDiscoverySend(b *testing.B) {
	benchPair(b, http.MethodPost, discoverySendPath, fixtureDiscoverySend,
		sdkDiscoverySend, baseDiscoverySend)
}

// BenchmarkRecoveryCodesGet: GET with two path parameters, ~7 KB response (member, organization,
// ten codes).
func BenchmarkRecoveryCodesGet(b *testing.B) {
	benchPair(b, http.MethodGet, recoveryCodesGetPath, fixtureRecoveryCodesGet,
		sdkRecoveryCodesGet, baseRecoveryCodesGet)
}

func benchPair[S, B any](b *testing.B, method, path, fixture string,
	sdk func(context.Context, *b2b.Client) (*S, error),
	base func(context.Context, *baselineClient) (*B, error),
) {
	rt := newCannedTransport(b, method, path, fixture)
	b.Run("client=sdk", func(b *testing.B) {
		c := newSDKClient(b, rt)
		ctx := context.Background()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := sdk(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client=baseline", func(b *testing.B) {
		c := newBaselineClient(&http.Client{Transport: rt}, benchBaseURL)
		ctx := context.Background()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := base(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU starts measuring the process's CPU time; the function it returns, deferred, reports it
// per iteration as cpu-ns/op. With b.Loop the benchmark function runs once, so b.N is the number
// of iterations measured.
func reportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		end, ok2 := processCPU()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
