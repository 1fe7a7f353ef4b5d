package main

import (
	"bytes"
	"os"
	"path/filepath"
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

func TestParseFake(t *testing.T) {
	out := "goos: linux\nBenchmarkFakeThroughput-2   \t       1\t8012345678 ns/op\t      2100 baseline-req/s\t     27416 canned-req/s\t         1.210 ratio\t      2541 req/s\t       310.0 signed-req/s\n" +
		"    bench_test.go:95: per-round ratios (new/baseline), sorted: [1.02 1.15 1.21 1.22 1.30 1.41]\nPASS\n"
	run, ok := parseFake([]byte(out))
	require.True(t, ok)
	assert.Equal(t, map[string]float64{"ns/op": 8012345678, "baseline-req/s": 2100, "canned-req/s": 27416, "ratio": 1.21, "req/s": 2541, "signed-req/s": 310}, run.metrics)
	assert.Equal(t, []float64{1.02, 1.15, 1.21, 1.22, 1.30, 1.41}, run.ratios)

	_, ok = parseFake([]byte("--- FAIL: BenchmarkFakeThroughput\nFAIL\n"))
	assert.False(t, ok)

	var report bytes.Buffer
	assert.Equal(t, 1, writeFakeReport(&report, []fakeRun{run}, true), "1.21x misses the 1.5x target")
	assert.Contains(t, report.String(), "1.21x [1.02, 1.41]")
	assert.Contains(t, report.String(), "MISSED")
	assert.Regexp(t, `canned answer.*27416`, report.String())

	report.Reset()
	assert.Equal(t, 0, writeFakeReport(&report, []fakeRun{run}, false), "not judged while the earlier tree's fake is")
	assert.Contains(t, report.String(), "1.21x [1.02, 1.41]")
	assert.NotContains(t, report.String(), "MISSED")
}

func TestFakeBaseReport(t *testing.T) {
	run := &fakeBaseRun{rev: "abc1234", now: []float64{1200, 1500, 1000}, before: []float64{1000, 1000, 1000}}
	assert.Equal(t, []float64{1.2, 1.5, 1.0}, run.ratios(), "round i of this tree over round i of the earlier one")
	var report bytes.Buffer
	assert.Equal(t, 1, writeFakeBaseReport(&report, run), "a median of 1.2x misses 1.5x")
	assert.Contains(t, report.String(), "1.20x [1.00, 1.50]")
	assert.Contains(t, report.String(), "abc1234")

	run.now = []float64{1600, 1500, 2000}
	report.Reset()
	assert.Equal(t, 0, writeFakeBaseReport(&report, run))
	assert.Contains(t, report.String(), "1.60x [1.50, 2.00]")
	assert.Equal(t, 0, writeFakeBaseReport(&report, nil), "skipped (-fakebase '')")
}

func TestPrepareFakeBase(t *testing.T) {
	for _, tc := range []struct {
		name, export string
		want         string
	}{
		{"a tree without the unsigned hook", "", "return nil"},
		{"a tree with it", "package b2btest\n\nfunc WithUnsignedJWTs() Option { return nil }\n", "b2btest.WithUnsignedJWTs()"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkg := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(pkg, "flows_test.go"), []byte("package b2btest_test\n"), 0o600))
			if tc.export != "" {
				require.NoError(t, os.WriteFile(filepath.Join(pkg, "export_test.go"), []byte(tc.export), 0o600))
			}
			t.Chdir("../..") // prepareFakeBase reads this tree's throughput_test.go from the repository root
			require.NoError(t, prepareFakeBase(pkg))
			assert.NoFileExists(t, filepath.Join(pkg, "flows_test.go"), "the earlier tree's own tests are not built")
			got, err := os.ReadFile(filepath.Join(pkg, "throughput_test.go"))
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join("b2b", "b2btest", "throughput_test.go"))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			opts, err := os.ReadFile(filepath.Join(pkg, "rounds_options_test.go"))
			require.NoError(t, err)
			assert.Contains(t, string(opts), tc.want)
			if tc.export != "" {
				assert.FileExists(t, filepath.Join(pkg, "export_test.go"), "the hook the options use is kept")
			}
		})
	}
}

func TestPeersOfABenchmark(t *testing.T) {
	s := &suite{name: "bench", peer: "baseline", what: "hand-written", peers: map[string]pairing{"SessionJWT": {peer: "remote", what: "remote"}}}
	p, w := s.peerOf("MagicLinksAuthenticate")
	assert.Equal(t, "baseline", p)
	assert.Equal(t, "hand-written", w)
	assert.Equal(t, "bench", s.rawName(p))
	p, _ = s.peerOf("SessionJWT")
	assert.Equal(t, "remote", p)
	assert.Equal(t, "bench-remote", s.rawName(p), "a pair with another peer keeps its runs in a file of its own, so benchstat sees two columns")

	res := map[string]map[string][]map[string]float64{
		"MagicLinksAuthenticate": {"sdk": {{"cpu-ns/op": 50}}, "baseline": {{"cpu-ns/op": 100}}},
		"SessionJWT":             {"sdk": {{"netcalls/op": 0, "cpu-ns/op": 10}}, "remote": {{"netcalls/op": 1, "cpu-ns/op": 100}}},
	}
	var out bytes.Buffer
	missed := writeReport(&out, s, []string{"MagicLinksAuthenticate", "SessionJWT"}, res, 1)
	assert.Equal(t, 0, missed)
	assert.Contains(t, out.String(), "bench-remote: remote")
	assert.Contains(t, out.String(), "0.50x")
	assert.Contains(t, out.String(), "0.10x")
}

func TestParseRunWithoutHalves(t *testing.T) {
	out := "BenchmarkFakeNewServer-2   \t       1\t     41000 ns/op\t        58.20 first-ms\nPASS\n"
	m, ok := parseRun([]byte(out), "FakeNewServer", "")
	require.True(t, ok)
	assert.Equal(t, 58.2, m["first-ms"])
	_, ok = parseRun([]byte(sampleRun), "MagicLinksAuthenticate", "")
	assert.False(t, ok, "a half is not the benchmark without halves")
}
