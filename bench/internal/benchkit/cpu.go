package benchkit

import (
	"testing"
	"time"
)

// ReportCPU starts measuring the process's CPU time; the function it returns, deferred, reports
// it per iteration as cpu-ns/op. With b.Loop the benchmark function runs once, so b.N is the
// number of iterations measured. On a system without getrusage it reports nothing.
func ReportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		end, ok2 := processCPU()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// CPUTime returns the CPU time (user + system, all threads) the process has used so far, and
// false on a system without getrusage.
func CPUTime() (time.Duration, bool) { return processCPU() }
