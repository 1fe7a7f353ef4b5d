package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundOrderAlternates(t *testing.T) {
	assert.Equal(t, [2]string{"sdk", "ogen"}, roundOrder(0, "ogen"))
	assert.Equal(t, [2]string{"ogen", "sdk"}, roundOrder(1, "ogen"))
	assert.Equal(t, [2]string{"sdk", "baseline"}, roundOrder(2, "baseline"))
	first := map[string]int{}
	for r := range 6 {
		first[roundOrder(r, "baseline")[0]]++
	}
	assert.Equal(t, map[string]int{"sdk": 3, "baseline": 3}, first, "each side goes first in half the rounds")
}

const sampleRun = `goos: linux
goarch: amd64
pkg: github.com/b2bauth/stytch-b2b-go/bench
cpu: AMD EPYC
BenchmarkMagicLinksAuthenticate/client=sdk-2         	    8016	    146400 ns/op	    154100 cpu-ns/op	   21835 B/op	     309 allocs/op
BenchmarkLoopback/client=ogen-2   	     300	    385792 ns/op	      2592 calls/s	       111.0 conns	    490877 cpu-ns/op	   94539 B/op	     483 allocs/op
PASS
`

func TestParseRun(t *testing.T) {
	m, ok := parseRun([]byte(sampleRun), "MagicLinksAuthenticate", "sdk")
	require.True(t, ok)
	assert.Equal(t, map[string]float64{"ns/op": 146400, "cpu-ns/op": 154100, "B/op": 21835, "allocs/op": 309}, m)

	m, ok = parseRun([]byte(sampleRun), "Loopback", "ogen")
	require.True(t, ok)
	assert.Equal(t, 111.0, m["conns"])
	assert.Equal(t, 2592.0, m["calls/s"])

	_, ok = parseRun([]byte(sampleRun), "MagicLinksAuthenticate", "baseline")
	assert.False(t, ok, "another half's line is not this half's result")
	_, ok = parseRun([]byte("--- FAIL: BenchmarkX\nFAIL\n"), "X", "sdk")
	assert.False(t, ok)
}

func TestParseGenerate(t *testing.T) {
	out := "BenchmarkGenerate-2   3   331000000 ns/op\nBenchmarkGenerate-2   3   345000000 ns/op\nPASS\n"
	assert.Equal(t, []float64{331e6, 345e6}, parseGenerate([]byte(out)))
}

func TestSummarizePairsRounds(t *testing.T) {
	// The machine slows down in round 2 for both halves: the per-round ratio stays 0.5, while
	// a ratio of unpaired medians would not be.
	sdk := []float64{100, 300, 100, 100}
	peer := []float64{200, 600, 200, 200}
	s := summarize(sdk, peer, &target{max: 0.6})
	assert.Equal(t, 0.5, s.ratio)
	assert.Equal(t, 0.5, s.lo)
	assert.Equal(t, 0.5, s.hi)
	assert.Equal(t, 4, s.rounds)
	assert.True(t, s.targetMet)
	assert.Equal(t, "ok", s.verdict)

	s = summarize([]float64{70, 80, 90}, []float64{100, 100, 100}, &target{max: 0.75})
	assert.InDelta(t, 0.8, s.ratio, 1e-9)
	assert.InDelta(t, 0.7, s.lo, 1e-9)
	assert.InDelta(t, 0.9, s.hi, 1e-9)
	assert.False(t, s.targetMet)
	assert.Equal(t, "MISSED", s.verdict)

	s = summarize([]float64{1, 2}, []float64{1, 2}, nil)
	assert.False(t, s.judged)
	assert.Empty(t, s.verdict)
}

func TestSummarizeAbsoluteTargetJudgesWorstRound(t *testing.T) {
	s := summarize([]float64{32, 33, 70}, []float64{2000, 2100, 1900}, &target{max: 64, absolute: true})
	assert.Equal(t, 70.0, s.sdkWorst)
	assert.False(t, s.targetMet, "one round over the bound is a miss")
	s = summarize([]float64{32, 33, 40}, []float64{2000, 2100, 1900}, &target{max: 64, absolute: true})
	assert.True(t, s.targetMet)
	assert.Equal(t, "sdk <= 64", s.target)
}

func TestWriteReportCountsMisses(t *testing.T) {
	res := map[string]map[string][]map[string]float64{
		"MagicLinksAuthenticate": {
			"sdk":      {{"cpu-ns/op": 50, "allocs/op": 300, "ns/op": 60}, {"cpu-ns/op": 52, "allocs/op": 300, "ns/op": 61}},
			"baseline": {{"cpu-ns/op": 100, "allocs/op": 400, "ns/op": 100}, {"cpu-ns/op": 100, "allocs/op": 400, "ns/op": 100}},
		},
	}
	var buf bytes.Buffer
	missed := writeReport(&buf, &suite{name: "bench", peer: "baseline", what: "x"}, []string{"MagicLinksAuthenticate"}, res, 2)
	assert.Equal(t, 1, missed, "allocations at 0.75x miss the 0.70x target; CPU at 0.51x meets 0.60x")
	assert.Contains(t, buf.String(), "MISSED")
	assert.Contains(t, buf.String(), "0.51x")
	assert.Regexp(t, `cpu-ns/op.*ns/op.*allocs/op`, oneLine(buf.String()), "CPU first, in metricOrder")
}

func oneLine(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte("\n"), []byte(" "))) }

func TestMedian(t *testing.T) {
	assert.Equal(t, 0.0, median(nil))
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
}
