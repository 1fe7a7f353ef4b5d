package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// loopbackCallers is how many goroutines call concurrently in BenchmarkLoopback.
const loopbackCallers = 32

// BenchmarkLoopback: 32 concurrent callers making magic link authenticate calls (~11 KB answers)
// against a real HTTP server on 127.0.0.1. The SDK uses its default http.Client (no
// WithHTTPClient); the baseline uses an http.Client with Go's default transport settings (a clone
// of http.DefaultTransport, so runs do not share connections). ns/op is wall time divided by all
// calls, so lower means more throughput; calls/s says the same directly. conns is how many TCP
// connections the server saw opened during the run: Go's default keeps only 2 idle connections per
// host, so 32 callers make it close and reopen connections constantly.
func BenchmarkLoopback(b *testing.B) {
	body := readFixture(b, fixtureMagicLinksAuthenticate)
	b.Run("client=sdk", func(b *testing.B) {
		srv, conns := newLoopbackServer(b, body)
		defer srv.Close()
		c, err := b2b.NewClient(benchProjectID, benchSecret, b2b.WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		runLoopback(b, conns, func(ctx context.Context) error {
			_, err := sdkMagicLinksAuthenticate(ctx, c)
			return err
		})
	})
	b.Run("client=baseline", func(b *testing.B) {
		srv, conns := newLoopbackServer(b, body)
		defer srv.Close()
		hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		defer hc.CloseIdleConnections()
		c := newBaselineClient(hc, srv.URL)
		runLoopback(b, conns, func(ctx context.Context) error {
			_, err := baseMagicLinksAuthenticate(ctx, c)
			return err
		})
	})
}

func runLoopback(b *testing.B, conns *atomic.Int64, call func(context.Context) error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((loopbackCallers + procs - 1) / procs)
	b.ReportAllocs()
	conns.Store(0)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(conns.Load()), "conns")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "calls/s")
	}
}

// newLoopbackServer starts an HTTP server on 127.0.0.1 that answers every request with body, and
// counts the connections opened to it.
func newLoopbackServer(tb testing.TB, body []byte) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	conns := new(atomic.Int64)
	length := strconv.Itoa(len(body))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", length)
		h.Set("X-Request-Id", "request-id-test-loopback")
		_, _ = w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	return srv, conns
}
