//go:build unix

package benchkit

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the process has used so far, all threads
// included: the benchmark goroutine, the garbage collector and net/http's goroutines.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
