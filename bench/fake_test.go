package bench

import (
	"testing"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// BenchmarkFakeNewServer times b2btest.NewServer: first-ms is the first one of the process, which
// loads and validates the spec (issue 15's bound: 60 ms), ns/op the later ones. Only a process
// that has made no fake before measures a first one, so make bench runs it alone, with
// -test.benchtime 1x, in a fresh process per sample; it has no halves to pair.
func BenchmarkFakeNewServer(b *testing.B) {
	start := time.Now()
	b2btest.NewServer(b).Close()
	first := time.Since(start)
	for b.Loop() {
		b2btest.NewServer(b).Close()
	}
	b.ReportMetric(float64(first.Microseconds())/1e3, "first-ms")
}
