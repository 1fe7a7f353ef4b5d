package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
)

// The per-call benchmarks. Each runs the SDK (…/client=sdk) and the hand-written baseline
// (…/client=baseline) on the same canned in-memory transport, so network and server cost are out
// of the picture and what remains is what each client spends building the request, going through
// net/http's client and decoding the response. Besides ns/op (wall time), B/op and allocs/op, each
// reports cpu-ns/op: the process's CPU time per call, garbage collection included, which other
// load on the machine disturbs much less than wall time.
//
// The two halves are meant to be run one right after the other, alternately, in separate
// processes: make bench (bench/rounds) does that and prints the per-round ratios.

// BenchmarkMagicLinksAuthenticate: POST with a small JSON body, ~11 KB response (member,
// organization, member session with five factors, MFA and primary requirements, device).
func BenchmarkMagicLinksAuthenticate(b *testing.B) {
	benchPair(b, http.MethodPost, benchkit.MagicLinksAuthenticatePath, benchkit.FixtureMagicLinksAuthenticate,
		benchkit.SDKMagicLinksAuthenticate, baseMagicLinksAuthenticate)
}

// BenchmarkDiscoverySend: POST with a small JSON body, tiny response (request ID and status).
func BenchmarkDiscoverySend(b *testing.B) {
	benchPair(b, http.MethodPost, benchkit.DiscoverySendPath, benchkit.FixtureDiscoverySend,
		benchkit.SDKDiscoverySend, baseDiscoverySend)
}

// BenchmarkRecoveryCodesGet: GET with two path parameters, ~7 KB response (member, organization,
// ten codes).
func BenchmarkRecoveryCodesGet(b *testing.B) {
	benchPair(b, http.MethodGet, benchkit.RecoveryCodesGetPath, benchkit.FixtureRecoveryCodesGet,
		benchkit.SDKRecoveryCodesGet, baseRecoveryCodesGet)
}

func benchPair[S, B any](b *testing.B, method, path, fixture string,
	sdk func(context.Context, *b2b.Client) (*S, error),
	base func(context.Context, *baselineClient) (*B, error),
) {
	rt := benchkit.NewCannedTransport(b, method, path, fixture)
	b.Run("client=sdk", func(b *testing.B) {
		c := benchkit.NewSDKClient(b, rt)
		ctx := context.Background()
		b.ReportAllocs()
		defer benchkit.ReportCPU(b)()
		for b.Loop() {
			if _, err := sdk(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client=baseline", func(b *testing.B) {
		c := newBaselineClient(&http.Client{Transport: rt}, benchkit.BaseURL)
		ctx := context.Background()
		b.ReportAllocs()
		defer benchkit.ReportCPU(b)()
		for b.Loop() {
			if _, err := base(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
