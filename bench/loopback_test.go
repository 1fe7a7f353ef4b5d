package bench

import (
	"context"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
)

// BenchmarkLoopback: 32 concurrent callers making magic link authenticate calls (~11 KB answers)
// against a real HTTP server on 127.0.0.1. The SDK uses its default http.Client (no
// WithHTTPClient); the baseline uses an http.Client with Go's default transport settings
// (benchkit.DefaultTransportClient). ns/op is wall time divided by all calls, so lower means more
// throughput; calls/s says the same directly. conns is how many TCP connections the server saw
// opened during the run: Go's default keeps only 2 idle connections per host, so 32 callers make
// it close and reopen connections constantly. cpu-ns/op is client and server together.
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
	b.Run("client=baseline", func(b *testing.B) {
		srv, conns := benchkit.NewLoopbackServer(b, body)
		defer srv.Close()
		hc := benchkit.DefaultTransportClient()
		defer hc.CloseIdleConnections()
		c := newBaselineClient(hc, srv.URL)
		benchkit.RunLoopback(b, conns, func(ctx context.Context) error {
			_, err := baseMagicLinksAuthenticate(ctx, c)
			return err
		})
	})
}
