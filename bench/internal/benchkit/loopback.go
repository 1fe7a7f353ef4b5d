package benchkit

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
)

// LoopbackCallers is how many goroutines call concurrently in the loopback benchmarks.
const LoopbackCallers = 32

// NewLoopbackServer starts an HTTP server on 127.0.0.1 that answers every request with body, and
// counts the TCP connections opened to it.
func NewLoopbackServer(tb testing.TB, body []byte) (*httptest.Server, *atomic.Int64) {
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

// DefaultTransportClient is an http.Client with Go's default transport settings, on a transport of
// its own (a clone of http.DefaultTransport) so that runs do not share connections: what a client
// that takes http.DefaultClient gets.
func DefaultTransportClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// RunLoopback runs call from LoopbackCallers goroutines until b.N calls are made, and reports
// allocations, cpu-ns/op, conns (TCP connections the server saw opened during the run) and
// calls/s. ns/op is wall time over all calls, so lower is more throughput.
func RunLoopback(b *testing.B, conns *atomic.Int64, call func(context.Context) error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((LoopbackCallers + procs - 1) / procs)
	b.ReportAllocs()
	conns.Store(0)
	b.ResetTimer()
	start, cpuOK := processCPU()
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
	end, cpuOK2 := processCPU()
	b.ReportMetric(float64(conns.Load()), "conns")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "calls/s")
	}
	if cpuOK && cpuOK2 && b.N > 0 {
		// Client and server share the process, so this is the CPU of both per call.
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
