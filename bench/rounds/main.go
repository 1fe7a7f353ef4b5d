// Command rounds is make bench: it runs the SDK's benchmarks so that every ratio compares runs
// taken one right after the other, and prints those ratios with their spread and the targets.
//
//	go run ./bench/rounds [-rounds 6] [-benchtime 1s] [-out DIR] [-strict] [-suites bench,ogenpeer,jwtpeer,fake]
//
// It builds three test binaries once: package bench (the SDK against hand-written net/http +
// encoding/json code, and its local session JWT verification against the remote check), and the
// nested modules bench/ogenpeer (the SDK against an ogen client) and bench/jwtpeer (the SDK's
// local JWT verification against the official Go SDK's steps on golang-jwt/jwt/v5). It runs
// their correctness checks, and then the benchmarks in rounds. In each round, for every
// benchmark, the SDK's half and its peer's half run back to back, each in a process of its own
// (-test.count 1), and which goes first alternates from round to round, so slow drifts of the
// machine hit both sides alike. A ratio is computed per round (SDK over peer, for every metric)
// and the report gives the median of those per-round ratios with their minimum and maximum. CPU
// time per call is the cpu-ns/op metric the benchmarks report from getrusage. Before the rounds it
// times the generator (BenchmarkGenerate, behind the genbench build tag). After them, with suite
// fake, it runs b2b/b2btest's BenchmarkFakeThroughput (which alternates its own rounds: the fake
// against its former way of answering) and times the first b2btest.NewServer of fresh processes
// (BenchmarkFakeNewServer); then it runs benchstat on the raw results.
//
// Everything it ran is kept in the results directory, whose path it prints first and last: one
// file per suite and peer in benchstat's input format, the generator's runs, the fake's runs, the
// checks' output, the report and benchstat's tables. It exits 1 when a build, a check or a run
// fails, and with -strict also when a target is missed; a missed target is otherwise only
// reported, since a benchmark is never a test.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// suite is one test binary whose benchmarks each have a client=sdk half and a client=<peer> half.
type suite struct {
	name  string // also the name of its results file
	dir   string // package directory, relative to the repository root: where the binary runs
	build []string
	peer  string
	what  string
	// peers names the benchmarks whose other half is not peer, with their own (and what they
	// compare, for the report); their runs go to a results file of their own, <name>-<peer>.txt.
	peers map[string]pairing
	bin   string // set once built
}

// pairing is the other half of a benchmark whose peer is not its suite's.
type pairing struct{ peer, what string }

// peerOf returns the name of b's other half and what the pair compares.
func (s *suite) peerOf(b string) (peer, what string) {
	if p, ok := s.peers[b]; ok {
		return p.peer, p.what
	}
	return s.peer, s.what
}

// rawName is the results file (without .txt) of the pairs of s whose other half is peer.
func (s *suite) rawName(peer string) string {
	if peer == s.peer {
		return s.name
	}
	return s.name + "-" + peer
}

// target is the largest SDK/peer ratio (or, with absolute, the largest SDK value) that meets a goal.
type target struct {
	max      float64
	absolute bool // judge the SDK's own value in its worst round, not the ratio
}

// targets: suite -> benchmark -> metric -> goal. The regression checks of BENCHMARKS.md.
var targets = map[string]map[string]map[string]target{
	"bench": {
		"MagicLinksAuthenticate": {"cpu-ns/op": {max: 0.6}, "allocs/op": {max: 0.7}},
		"DiscoverySend":          {"cpu-ns/op": {max: 1.0}, "allocs/op": {max: 1.0}},
		"RecoveryCodesGet":       {"cpu-ns/op": {max: 1.0}, "allocs/op": {max: 1.0}},
		"Loopback":               {"ns/op": {max: 1.0}},
		"SessionJWT":             {"netcalls/op": {max: 0, absolute: true}},
	},
	"jwtpeer": {
		"SessionJWT": {"cpu-ns/op": {max: 1.0}, "netcalls/op": {max: 0, absolute: true}},
	},
	"ogenpeer": {
		"MagicLinksAuthenticate": {"cpu-ns/op": {max: 0.9}, "allocs/op": {max: 0.85}},
		"Loopback":               {"conns": {max: 64, absolute: true}},
	},
}

// metricOrder is the order metrics are printed in; others follow alphabetically.
var metricOrder = []string{"cpu-ns/op", "ns/op", "B/op", "allocs/op", "calls/s", "conns", "netcalls/op"}

func main() {
	rounds := flag.Int("rounds", 6, "rounds: runs of each half of each benchmark")
	benchtime := flag.String("benchtime", "1s", "-test.benchtime of each run")
	gencount := flag.Int("gencount", 0, "runs of BenchmarkGenerate (3 iterations each); 0 means -rounds, -1 skips it")
	out := flag.String("out", "", "results directory (default: a new temporary directory)")
	only := flag.String("bench", ".", "regular expression: run only the benchmarks whose name it matches")
	suites := flag.String("suites", "bench,ogenpeer,jwtpeer,fake", "comma-separated suites to run (fake: the b2btest fake's throughput)")
	fakeRuns := flag.Int("fakeruns", 1, "runs of b2btest's BenchmarkFakeThroughput (each alternates 6 rounds itself)")
	fakeBase := flag.String("fakebase", defaultFakeBase, "git revision whose fake this tree's is compared with, in -rounds alternated rounds; empty to skip")
	benchstat := flag.String("benchstat", "go -C bench/ogenpeer tool benchstat", "benchstat command (run from the repository root), empty to skip")
	strict := flag.Bool("strict", false, "exit 1 when a target is missed")
	flag.Parse()
	if *gencount == 0 {
		*gencount = *rounds
	}
	if err := run(context.Background(), config{
		rounds: *rounds, benchtime: *benchtime, gencount: *gencount, out: *out, only: *only,
		suites: strings.Split(*suites, ","), benchstat: *benchstat, strict: *strict, fakeRuns: *fakeRuns,
		fakeBase: *fakeBase,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "rounds:", err)
		os.Exit(1)
	}
}

type config struct {
	rounds    int
	benchtime string
	gencount  int
	out       string
	only      string
	suites    []string
	benchstat string
	strict    bool
	fakeRuns  int
	fakeBase  string
}

func allSuites() []*suite {
	return []*suite{
		{name: "bench", dir: "bench", peer: "baseline", what: "SDK / hand-written net/http + encoding/json", peers: benchSuitePeers,
			build: []string{"go", "test", "-c", "-tags", "genbench", "-o", "%s", "./bench/"}},
		{name: "ogenpeer", dir: "bench/ogenpeer", peer: "ogen", what: "SDK / ogen client generated from the same spec",
			build: []string{"go", "-C", "bench/ogenpeer", "test", "-c", "-o", "%s", "."}},
		{name: "jwtpeer", dir: "bench/jwtpeer", peer: "golangjwt",
			what:  "SDK local session JWT verification / the official Go SDK's steps on golang-jwt/jwt/v5",
			build: []string{"go", "-C", "bench/jwtpeer", "test", "-c", "-o", "%s", "."}},
	}
}

// singles are the benchmarks of suite bench without halves, timed on their own.
var singles = map[string]bool{"Generate": true, "FakeNewServer": true}

// benchSuitePeers: the benchmarks of suite bench that are not against hand-written code.
var benchSuitePeers = map[string]pairing{
	"SessionJWT": {peer: "remote", what: "SDK local session JWT verification / the same JWT checked by the API (b2btest fake on 127.0.0.1)"},
}

func run(ctx context.Context, cfg config) error {
	if _, err := os.Stat(filepath.Join("bench", "rounds")); err != nil {
		return errors.New("run me from the repository root (make bench)")
	}
	only, err := regexp.Compile(cfg.only)
	if err != nil {
		return fmt.Errorf("-bench: %w", err)
	}
	if cfg.out == "" {
		if cfg.out, err = os.MkdirTemp("", "stytch-bench-"); err != nil {
			return err
		}
	} else if err := mkdirResults(cfg.out); err != nil {
		return err
	}
	if cfg.out, err = filepath.Abs(cfg.out); err != nil {
		return err
	}
	fmt.Println("raw results:", cfg.out)

	var chosen []*suite
	for _, s := range allSuites() {
		if slices.Contains(cfg.suites, s.name) {
			chosen = append(chosen, s)
		}
	}
	fake := slices.Contains(cfg.suites, "fake")
	if len(chosen) == 0 && !fake {
		return fmt.Errorf("-suites %q names none of bench, ogenpeer, jwtpeer, fake", strings.Join(cfg.suites, ","))
	}

	// Build once, then check that both halves of every benchmark do the same work.
	bin := filepath.Join(cfg.out, "bin")
	if err := mkdirResults(bin); err != nil {
		return err
	}
	for _, s := range chosen {
		s.bin = filepath.Join(bin, s.name+".test")
		args := slices.Clone(s.build)
		for i := range args {
			if args[i] == "%s" {
				args[i] = s.bin
			}
		}
		fmt.Printf("build %s: %s\n", s.name, strings.Join(args, " "))
		if msg, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil { //nolint:gosec // G204: the suite's own build command
			hint := ""
			if s.name == "ogenpeer" || s.name == "jwtpeer" {
				hint = "\n(" + s.dir + " is a module of its own: after a change to the SDK's go.mod, run go mod tidy in it; " +
					"for bench/ogenpeer after a change to the spec too, make bench-ogen-generate regenerates the ogen client and tidies its go.mod)"
			}
			return fmt.Errorf("building %s: %w\n%s%s", s.name, err, msg, hint)
		}
		checks := filepath.Join(cfg.out, "checks-"+s.name+".txt")
		msg, err := runBinary(ctx, s, "-test.run", ".", "-test.count", "1")
		_ = writeResult(checks, msg)
		if err != nil {
			return fmt.Errorf("the checks of %s failed (%s):\n%s", s.name, checks, msg)
		}
		fmt.Printf("checks %s: ok\n", s.name)
	}

	// The benchmarks of each suite that have halves.
	benches := map[string][]string{}
	for _, s := range chosen {
		list, err := runBinary(ctx, s, "-test.list", "^Benchmark")
		if err != nil {
			return fmt.Errorf("listing the benchmarks of %s: %w\n%s", s.name, err, list)
		}
		for _, line := range strings.Fields(string(list)) {
			name := strings.TrimPrefix(line, "Benchmark")
			if line == name || singles[name] || !only.MatchString(name) {
				continue
			}
			benches[s.name] = append(benches[s.name], name)
		}
	}

	// The generator's timing first: it has no pairs, and a failure shows before the long part.
	var gen []float64
	if len(chosen) > 0 && chosen[0].name == "bench" && cfg.gencount > 0 {
		s := chosen[0]
		fmt.Printf("generate: %d runs of BenchmarkGenerate\n", cfg.gencount)
		msg, err := runBinary(ctx, s, "-test.run", "^$", "-test.bench", "^BenchmarkGenerate$",
			"-test.benchtime", "3x", "-test.count", strconv.Itoa(cfg.gencount))
		_ = writeResult(filepath.Join(cfg.out, "generate.txt"), msg)
		if err != nil {
			return fmt.Errorf("BenchmarkGenerate: %w\n%s", err, msg)
		}
		gen = parseGenerate(msg)
	}

	res := results{}
	raw := map[string]*os.File{} // by suite.rawName
	for _, s := range chosen {
		for _, b := range benches[s.name] {
			peer, _ := s.peerOf(b)
			name := s.rawName(peer)
			if raw[name] != nil {
				continue
			}
			f, err := os.Create(filepath.Join(cfg.out, name+".txt")) //nolint:gosec // G304: under the -out directory the user chose
			if err != nil {
				return err
			}
			defer f.Close() //nolint:errcheck // a record beside the report, which is computed from the output in memory: a failed write loses only the copy
			raw[name] = f
		}
	}
	start := time.Now()
	fmt.Printf("load average before: %s\n", loadavg())
	for r := range cfg.rounds {
		for _, s := range chosen {
			for _, b := range benches[s.name] {
				peer, _ := s.peerOf(b)
				sides := roundOrder(r, peer)
				fmt.Printf("round %d/%d  %-9s %-24s %s then %s\n", r+1, cfg.rounds, s.name, b, sides[0], sides[1])
				for _, side := range sides {
					msg, err := runBinary(ctx, s, "-test.run", "^$",
						"-test.bench", "^Benchmark"+b+"$/^client="+side+"$",
						"-test.benchtime", cfg.benchtime, "-test.count", "1")
					_, _ = raw[s.rawName(peer)].Write(msg)
					if err != nil {
						return fmt.Errorf("%s %s client=%s, round %d: %w\n%s", s.name, b, side, r+1, err, msg)
					}
					m, ok := parseRun(msg, b, side)
					if !ok {
						return fmt.Errorf("%s %s client=%s, round %d: no result line in\n%s", s.name, b, side, r+1, msg)
					}
					res.add(s.name, b, side, m)
				}
			}
		}
	}
	fmt.Printf("load average after: %s (%s of benchmarks)\n", loadavg(), time.Since(start).Round(time.Second))

	var fakeRes []fakeRun
	var fakeBaseRes *fakeBaseRun
	var firstNewServer []float64
	if fake && cfg.fakeRuns > 0 {
		if fakeRes, err = runFake(ctx, cfg); err != nil {
			return err
		}
		if fakeBaseRes, err = runFakeBase(ctx, cfg, filepath.Join(cfg.out, "bin", "fake.test")); err != nil {
			return err
		}
		if len(chosen) > 0 && chosen[0].name == "bench" && cfg.gencount > 0 {
			if firstNewServer, err = runFirstNewServer(ctx, cfg, chosen[0]); err != nil {
				return err
			}
		}
	}

	var report bytes.Buffer
	missed := 0
	for _, s := range chosen {
		missed += writeReport(&report, s, benches[s.name], res[s.name], cfg.rounds)
	}
	missed += writeFakeReport(&report, fakeRes, fakeBaseRes == nil)
	missed += writeFakeBaseReport(&report, fakeBaseRes)
	if len(firstNewServer) > 0 {
		verdict := "ok"
		if median(firstNewServer) > firstNewServerTarget {
			verdict = "MISSED"
			missed++
		}
		fmt.Fprintf(&report, "first b2btest.NewServer of a process (spec load and validation): median %.1f ms, min %.1f, max %.1f over %d processes; target <= %.0f ms: %s\n",
			median(firstNewServer), slices.Min(firstNewServer), slices.Max(firstNewServer), len(firstNewServer), firstNewServerTarget, verdict)
	}
	if len(gen) > 0 {
		fmt.Fprintf(&report, "\nGenerate (cmd/gen, one run): median %s, min %s, max %s over %d runs\n",
			formatValue(median(gen), "ns/op"), formatValue(slices.Min(gen), "ns/op"), formatValue(slices.Max(gen), "ns/op"), len(gen))
	}
	fmt.Fprintf(&report, "\nmachine: %s, %d CPUs, GOMAXPROCS %d, %s %s/%s; load average %s\n",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadavg())
	if missed > 0 {
		fmt.Fprintf(&report, "%d target(s) missed\n", missed)
	} else {
		fmt.Fprintln(&report, "all targets met")
	}
	_ = writeResult(filepath.Join(cfg.out, "report.txt"), report.Bytes())

	if cfg.benchstat != "" {
		for _, s := range chosen {
			done := map[string]bool{}
			for _, b := range benches[s.name] {
				peer, what := s.peerOf(b)
				name := s.rawName(peer)
				if done[name] {
					continue
				}
				done[name] = true
				args := append(strings.Fields(cfg.benchstat), "-col", "/client@("+peer+" sdk)", filepath.Join(cfg.out, name+".txt"))
				msg, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput() //nolint:gosec // G204: the -benchstat command the user gave
				_ = writeResult(filepath.Join(cfg.out, "benchstat-"+name+".txt"), msg)
				fmt.Printf("\nbenchstat, %s (%s; unpaired, over the rounds):\n%s", name, what, msg)
				if err != nil {
					fmt.Printf("(benchstat failed: %v)\n", err)
				}
			}
		}
	}
	fmt.Print("\n", report.String())
	fmt.Println("raw results:", cfg.out)
	if missed > 0 && cfg.strict {
		return fmt.Errorf("%d target(s) missed", missed)
	}
	return nil
}

// writeResult writes a file of results. Results are no secret and are read with any tool, so the
// file gets the mode of any file the user creates.
func writeResult(path string, data []byte) error {
	return os.WriteFile(path, data, 0o644) //nolint:gosec // G306: see above
}

// mkdirResults creates a directory of results (and its parents) with the mode of any directory
// the user creates, as writeResult does for files.
func mkdirResults(path string) error {
	return os.MkdirAll(path, 0o755) //nolint:gosec // G301: see above
}

// runBinary runs a suite's test binary in its package directory.
func runBinary(ctx context.Context, s *suite, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.bin, args...) //nolint:gosec // G204: the test binary this tool built, with its own flags
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// roundOrder is which half runs first in round r (from 0): the SDK in even rounds, the peer in
// odd ones.
func roundOrder(r int, peer string) [2]string {
	if r%2 == 0 {
		return [2]string{"sdk", peer}
	}
	return [2]string{peer, "sdk"}
}

// results: suite -> benchmark -> side -> one metrics map per round, in round order.
type results map[string]map[string]map[string][]map[string]float64

func (r results) add(suite, bench, side string, m map[string]float64) {
	if r[suite] == nil {
		r[suite] = map[string]map[string][]map[string]float64{}
	}
	if r[suite][bench] == nil {
		r[suite][bench] = map[string][]map[string]float64{}
	}
	r[suite][bench][side] = append(r[suite][bench][side], m)
}

// lineRE matches a result line: the benchmark, its half (empty for a benchmark without halves)
// and the metrics.
var lineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:/client=(\w+))?(?:-\d+)?\s+\d+\s+(.*)$`)

// parseRun returns the metrics of the result line of bench's half side in go test's output (side
// "" for a benchmark without halves).
func parseRun(out []byte, bench, side string) (map[string]float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil || m[1] != bench || m[2] != side {
			continue
		}
		metrics := map[string]float64{}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
		return metrics, len(metrics) > 0
	}
	return nil, false
}

var generateRE = regexp.MustCompile(`^BenchmarkGenerate(?:-\d+)?\s+\d+\s+(\S+) ns/op`)

func parseGenerate(out []byte) []float64 {
	var v []float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := generateRE.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			if f, err := strconv.ParseFloat(m[1], 64); err == nil {
				v = append(v, f)
			}
		}
	}
	return v
}

// summary is one metric of one benchmark over the rounds.
type summary struct {
	sdk, peer         float64 // medians of the values
	ratio, lo, hi     float64 // median, minimum and maximum of the per-round ratios
	hasRatio          bool    // some round's peer value was not 0, so there are ratios
	sdkWorst          float64 // the SDK's largest value over the rounds
	rounds            int
	target            string
	verdict           string
	targetMet, judged bool
}

// summarize computes a metric's summary from the per-round values of both halves; round i of
// one half is paired with round i of the other.
func summarize(sdk, peer []float64, goal *target) summary {
	n := min(len(sdk), len(peer))
	ratios := make([]float64, 0, n)
	for i, p := range peer[:n] {
		if p != 0 {
			ratios = append(ratios, sdk[i]/p)
		}
	}
	s := summary{sdk: median(sdk), peer: median(peer), rounds: n}
	if len(sdk) > 0 {
		s.sdkWorst = slices.Max(sdk)
	}
	if len(ratios) > 0 {
		s.ratio, s.lo, s.hi, s.hasRatio = median(ratios), slices.Min(ratios), slices.Max(ratios), true
	}
	if goal != nil {
		s.judged = true
		if goal.absolute {
			s.target = fmt.Sprintf("sdk <= %g", goal.max)
			s.targetMet = s.sdkWorst <= goal.max
		} else {
			s.target = fmt.Sprintf("<= %.2fx", goal.max)
			s.targetMet = len(ratios) > 0 && s.ratio <= goal.max
		}
		s.verdict = "ok"
		if !s.targetMet {
			s.verdict = "MISSED"
		}
	}
	return s
}

// writeReport prints a suite's table and returns how many targets it missed.
func writeReport(w io.Writer, s *suite, benches []string, res map[string]map[string][]map[string]float64, rounds int) int {
	missed := 0
	// One table per other half: the suite's own peer first, then the others in name order.
	peers := []string{s.peer}
	for _, b := range benches {
		if p, _ := s.peerOf(b); !slices.Contains(peers, p) {
			peers = append(peers, p)
		}
	}
	slices.Sort(peers[1:])
	for _, p := range peers {
		var these []string
		what := s.what
		for _, b := range benches {
			if bp, bw := s.peerOf(b); bp == p {
				these, what = append(these, b), bw
			}
		}
		if len(these) > 0 {
			missed += writeTable(w, s.rawName(p), what, s.name, p, these, res, rounds)
		}
	}
	return missed
}

// writeTable prints the pairs of one suite whose other half is peer, and returns how many targets
// it missed.
func writeTable(w io.Writer, title, what, suiteName, peerName string, benches []string, res map[string]map[string][]map[string]float64, rounds int) int {
	fmt.Fprintf(w, "\n%s: %s, %d alternated rounds; ratio = median of the per-round ratios [min, max]\n", title, what, rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tmetric\tsdk\t%s\tratio\t[min, max]\ttarget\t\t\n", peerName)
	missed := 0
	for _, b := range benches {
		sdk, peer := res[b]["sdk"], res[b][peerName]
		for _, unit := range metricsOf(sdk, peer) {
			var goal *target
			if g, ok := targets[suiteName][b][unit]; ok {
				goal = &g
			}
			sum := summarize(values(sdk, unit), values(peer, unit), goal)
			if sum.judged && !sum.targetMet {
				missed++
			}
			note := ""
			if unit == "calls/s" {
				note = " (higher is better)"
			}
			ratio, spread := "-", "-" // the peer's value is 0 in every round
			if sum.hasRatio {
				ratio, spread = fmt.Sprintf("%.2fx", sum.ratio), fmt.Sprintf("[%.2f, %.2f]", sum.lo, sum.hi)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t\n", b, unit,
				formatValue(sum.sdk, unit), formatValue(sum.peer, unit), ratio, spread, sum.target, sum.verdict, note)
		}
	}
	_ = tw.Flush()
	return missed
}

func values(runs []map[string]float64, unit string) []float64 {
	var v []float64
	for _, m := range runs {
		if x, ok := m[unit]; ok {
			v = append(v, x)
		}
	}
	return v
}

// metricsOf lists the metrics both halves reported, in metricOrder first.
func metricsOf(sdk, peer []map[string]float64) []string {
	has := func(runs []map[string]float64, unit string) bool {
		return len(runs) > 0 && len(values(runs, unit)) == len(runs)
	}
	var out, rest []string
	for _, u := range metricOrder {
		if has(sdk, u) && has(peer, u) {
			out = append(out, u)
		}
	}
	if len(sdk) > 0 {
		for u := range sdk[0] {
			if !slices.Contains(metricOrder, u) && has(sdk, u) && has(peer, u) {
				rest = append(rest, u)
			}
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func formatValue(v float64, unit string) string {
	switch {
	case strings.HasSuffix(unit, "ns/op") && v >= 1e6:
		return fmt.Sprintf("%.1f ms", v/1e6)
	case strings.HasSuffix(unit, "ns/op") && v >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	case strings.HasSuffix(unit, "ns/op"):
		return fmt.Sprintf("%.0f ns", v)
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// fakeRun is one run of b2btest's BenchmarkFakeThroughput: its metrics (req/s, baseline-req/s,
// signed-req/s, ratio) and the per-round ratios it logged.
type fakeRun struct {
	metrics map[string]float64
	ratios  []float64
}

// fakeTarget is issue 15's goal for the fake: 1.5 times the requests per second it answered
// before (judged against the earlier tree's fake, -fakebase, when that runs; else against the
// former way of encoding alone).
const fakeTarget = 1.5

// runFake builds b2b/b2btest's test binary and runs its throughput benchmark cfg.fakeRuns times
// (each run alternates its own rounds), keeping the output in fake.txt.
func runFake(ctx context.Context, cfg config) ([]fakeRun, error) {
	bin := filepath.Join(cfg.out, "bin", "fake.test")
	args := []string{"go", "test", "-c", "-o", bin, "./b2b/b2btest/"}
	fmt.Printf("build fake: %s\n", strings.Join(args, " "))
	if msg, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil { //nolint:gosec // G204: a fixed go test -c line
		return nil, fmt.Errorf("building the fake's benchmark: %w\n%s", err, msg)
	}
	s := &suite{name: "fake", dir: filepath.Join("b2b", "b2btest"), bin: bin}
	var all bytes.Buffer
	var runs []fakeRun
	for i := range cfg.fakeRuns {
		fmt.Printf("fake %d/%d: BenchmarkFakeThroughput (8 callers, alternated rounds)\n", i+1, cfg.fakeRuns)
		msg, err := runBinary(ctx, s, "-test.run", "^$", "-test.bench", "^BenchmarkFakeThroughput$",
			"-test.benchtime", "1x", "-test.count", "1")
		all.Write(msg)
		if err != nil {
			_ = writeResult(filepath.Join(cfg.out, "fake.txt"), all.Bytes())
			return nil, fmt.Errorf("BenchmarkFakeThroughput: %w\n%s", err, msg)
		}
		run, ok := parseFake(msg)
		if !ok {
			return nil, fmt.Errorf("BenchmarkFakeThroughput: no result line in\n%s", msg)
		}
		runs = append(runs, run)
	}
	_ = writeResult(filepath.Join(cfg.out, "fake.txt"), all.Bytes())
	return runs, nil
}

var (
	fakeRE       = regexp.MustCompile(`^BenchmarkFakeThroughput(?:-\d+)?\s+\d+\s+(.*)$`)
	fakeRatiosRE = regexp.MustCompile(`per-round ratios \(new/baseline\), sorted: \[([0-9. ]*)\]`)
)

// parseFake reads the result line and the logged per-round ratios of one run.
func parseFake(out []byte) (fakeRun, bool) {
	run := fakeRun{metrics: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := fakeRatiosRE.FindStringSubmatch(line); m != nil {
			for _, f := range strings.Fields(m[1]) {
				if v, err := strconv.ParseFloat(f, 64); err == nil {
					run.ratios = append(run.ratios, v)
				}
			}
		}
		if m := fakeRE.FindStringSubmatch(line); m != nil {
			f := strings.Fields(m[1])
			for i := 0; i+1 < len(f); i += 2 {
				if v, err := strconv.ParseFloat(f[i], 64); err == nil {
					run.metrics[f[i+1]] = v
				}
			}
		}
	}
	_, ok := run.metrics["ratio"]
	return run, ok
}

// writeFakeReport prints the fake's throughput against its former way of encoding. When judged
// (no earlier tree's fake is measured), it returns 1 when the ratio misses the fake's target.
func writeFakeReport(w io.Writer, runs []fakeRun, judged bool) int {
	if len(runs) == 0 {
		return 0
	}
	var ratios []float64
	metric := func(name string) float64 {
		var v []float64
		for _, r := range runs {
			v = append(v, r.metrics[name])
		}
		return median(v)
	}
	for _, r := range runs {
		ratios = append(ratios, r.ratios...)
	}
	ratio := metric("ratio")
	fmt.Fprintf(w, "\nfake: b2btest's BenchmarkFakeThroughput, magic link authenticate from 8 concurrent raw HTTP callers on 127.0.0.1, "+
		"%d run(s) of alternated rounds (both sides with unsigned session JWTs); the encoding change alone, everything else shared\n", len(runs))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "req/s, encoded once outside the lock (now)\t%.0f\t\n", metric("req/s"))
	fmt.Fprintf(tw, "req/s, encoded twice under the lock (before)\t%.0f\t\n", metric("baseline-req/s"))
	verdict, missed := "", 0
	if judged {
		verdict, missed = fakeVerdict(ratio)
	}
	lo, hi := ratio, ratio
	if len(ratios) > 0 {
		lo, hi = slices.Min(ratios), slices.Max(ratios)
	}
	fmt.Fprintf(tw, "ratio now/before (median of per-round ratios [min, max])\t%.2fx [%.2f, %.2f]\t%s\t\n", ratio, lo, hi, verdict)
	fmt.Fprintf(tw, "req/s of the real fake (an RS256 signature per session JWT)\t%.0f\t\n", metric("signed-req/s"))
	if c := metric("canned-req/s"); c > 0 {
		fmt.Fprintf(tw, "req/s of a canned answer (the callers and net/http alone: the ceiling of any fake)\t%.0f\t\n", c)
	}
	_ = tw.Flush()
	return missed
}

// firstNewServerTarget is issue 15's bound on the first b2btest.NewServer of a process, in ms.
const firstNewServerTarget = 60.0

// runFirstNewServer runs BenchmarkFakeNewServer cfg.gencount times, each in a fresh process, and
// returns the first-ms of each; the output is kept in newserver.txt.
func runFirstNewServer(ctx context.Context, cfg config, s *suite) ([]float64, error) {
	fmt.Printf("fake: %d fresh processes of BenchmarkFakeNewServer\n", cfg.gencount)
	var all bytes.Buffer
	var firsts []float64
	for range cfg.gencount {
		msg, err := runBinary(ctx, s, "-test.run", "^$", "-test.bench", "^BenchmarkFakeNewServer$", "-test.benchtime", "1x", "-test.count", "1")
		all.Write(msg)
		if err != nil {
			_ = writeResult(filepath.Join(cfg.out, "newserver.txt"), all.Bytes())
			return nil, fmt.Errorf("BenchmarkFakeNewServer: %w\n%s", err, msg)
		}
		m, ok := parseRun(msg, "FakeNewServer", "")
		if !ok || m["first-ms"] == 0 {
			return nil, fmt.Errorf("BenchmarkFakeNewServer: no first-ms in\n%s", msg)
		}
		firsts = append(firsts, m["first-ms"])
	}
	_ = writeResult(filepath.Join(cfg.out, "newserver.txt"), all.Bytes())
	return firsts, nil
}
