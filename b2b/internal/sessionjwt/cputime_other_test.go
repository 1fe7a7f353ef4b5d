//go:build !unix

package sessionjwt

import "time"

// processCPU is not available here; the benchmark then reports no cpu-ns/op.
func processCPU() (time.Duration, bool) { return 0, false }
