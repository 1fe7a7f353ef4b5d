// Package bench holds the SDK's benchmark suite against hand-written code; it has no API. Its
// benchmarks (in *_test.go) pair every SDK call with the same call hand-written with net/http and
// encoding/json, on the same transport (bench/internal/benchkit). The nested module
// bench/ogenpeer pairs the same calls with an ogen client, and bench/rounds (make bench) runs both
// suites in alternated rounds and prints the SDK/peer ratios. See BENCHMARKS.md at the repository
// root for the results and the method, and TESTING.md for the hand-kept baseline types and bodies.
package bench
