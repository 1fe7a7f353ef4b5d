// Package bench holds the SDK's benchmark suite; it has no API. Its benchmarks (in *_test.go) pair
// every SDK call with the same call hand-written with net/http and encoding/json, on the same
// transport in the same run, so that benchstat can report SDK/baseline ratios. See BENCHMARKS.md at
// the repository root for the results and how to reproduce them (make bench).
package bench
