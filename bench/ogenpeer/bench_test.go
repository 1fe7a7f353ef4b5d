package ogenpeer

import (
	"context"
	"net/http"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
	"github.com/b2bauth/stytch-b2b-go/bench/ogenpeer/stytchogen"
)

// The per-call benchmarks: the SDK (…/client=sdk) and the ogen client (…/client=ogen) on the
// same canned in-memory transport, body and inputs as package bench's, reporting ns/op,
// cpu-ns/op (getrusage), B/op and allocs/op.

// BenchmarkMagicLinksAuthenticate: POST, ~11 KB response.
func BenchmarkMagicLinksAuthenticate(b *testing.B) {
	benchPair(b, http.MethodPost, benchkit.MagicLinksAuthenticatePath, benchkit.FixtureMagicLinksAuthenticate,
		benchkit.SDKMagicLinksAuthenticate, ogenMagicLinksAuthenticate)
}

// BenchmarkDiscoverySend: POST, tiny response.
func BenchmarkDiscoverySend(b *testing.B) {
	benchPair(b, http.MethodPost, benchkit.DiscoverySendPath, benchkit.FixtureDiscoverySend,
		benchkit.SDKDiscoverySend, ogenDiscoverySend)
}

// BenchmarkRecoveryCodesGet: GET with two path parameters, ~7 KB response.
func BenchmarkRecoveryCodesGet(b *testing.B) {
	benchPair(b, http.MethodGet, benchkit.RecoveryCodesGetPath, benchkit.FixtureRecoveryCodesGet,
		benchkit.SDKRecoveryCodesGet, ogenRecoveryCodesGet)
}

func benchPair[S, O any](b *testing.B, method, path, fixture string,
	sdk func(context.Context, *b2b.Client) (*S, error),
	peer func(context.Context, *stytchogen.Client) (*O, error),
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
	b.Run("client=ogen", func(b *testing.B) {
		c := newOgenClient(b, benchkit.BaseURL, &http.Client{Transport: rt})
		ctx := context.Background()
		b.ReportAllocs()
		defer benchkit.ReportCPU(b)()
		for b.Loop() {
			if _, err := peer(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoopback: 32 concurrent callers, magic link authenticate against a real HTTP server on
// 127.0.0.1. The SDK uses its default http.Client; the ogen client takes an http.Client with Go's
// default transport settings (ogen's default is http.DefaultClient; benchkit.DefaultTransportClient
// is the same settings on a transport of its own, so runs do not share connections).
func BenchmarkLoopback(b *testing.B) {
	body := benchkit.Fixture(b, benchkit.FixtureMagicLinksAuthenticate)
	b.Run("client=sdk", func(b *testing.B) {
		srv, conns := benchkit.NewLoopbackServer(b, body)
		defer srv.Close()
		c, err := b2b.NewClient(benchkit.ProjectID, benchkit.Secret, b2b.WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		benchkit.RunLoopback(b, conns, func(ctx context.Context) error {
			_, err := benchkit.SDKMagicLinksAuthenticate(ctx, c)
			return err
		})
	})
	b.Run("client=ogen", func(b *testing.B) {
		srv, conns := benchkit.NewLoopbackServer(b, body)
		defer srv.Close()
		hc := benchkit.DefaultTransportClient()
		defer hc.CloseIdleConnections()
		c := newOgenClient(b, srv.URL, hc)
		benchkit.RunLoopback(b, conns, func(ctx context.Context) error {
			_, err := ogenMagicLinksAuthenticate(ctx, c)
			return err
		})
	})
}
