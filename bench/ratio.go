//go:build ignore

// Ratio reads `go test -bench` output of package bench and prints, for every benchmark that has a
// client=sdk and a client=baseline half, the SDK/baseline ratio of each metric (medians over the
// -count runs), with the targets of issue 6 and whether they are met.
//
//	go test -run '^$' -bench . -count 6 ./bench/ > bench.txt
//	go run ./bench/ratio.go bench.txt [more.txt...]  # or: ... | go run ./bench/ratio.go
//	go run ./bench/ratio.go -strict bench.txt  # exit 1 when a target is missed
//
// Benchmarks without client halves (BenchmarkGenerate) get their median time per run printed.
// It exits 1 when the input shows a failed benchmark run, 2 when it has no paired results.
//
// A ratio below 1 means the SDK spends less than the hand-written baseline. "paired" is the median
// of the per-run ratios (run i of the SDK over run i of the baseline, which ran right after it),
// which is steadier than the ratio of medians when the machine is noisy; both are shown, and the
// verdict uses the paired one for time and the plain one for counts (which do not vary).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// targets: benchmark -> metric -> the largest SDK/baseline ratio that meets the target.
var targets = map[string]map[string]float64{
	"MagicLinksAuthenticate": {"cpu-ns/op": 0.6, "allocs/op": 0.7},
	"DiscoverySend":          {"cpu-ns/op": 1.0, "allocs/op": 1.0},
	"RecoveryCodesGet":       {"cpu-ns/op": 1.0, "allocs/op": 1.0},
	"Loopback":               {"ns/op": 1.0}, // throughput: wall time per call with 32 callers
}

// metricOrder is the order metrics are printed in; others follow alphabetically.
var metricOrder = []string{"ns/op", "cpu-ns/op", "B/op", "allocs/op", "calls/s", "conns"}

var (
	lineRE   = regexp.MustCompile(`^Benchmark(\S+?)/client=(sdk|baseline)(?:-\d+)?\s+\d+\s+(.*)$`)
	singleRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(\S+) ns/op`)
)

type series map[string][]float64 // metric -> one value per run

func main() {
	strict := flag.Bool("strict", false, "exit with status 1 when a target is missed")
	flag.Parse()
	var in io.Reader = os.Stdin
	if flag.NArg() > 0 {
		var files []io.Reader
		for _, name := range flag.Args() {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, "ratio:", err)
				os.Exit(2)
			}
			defer f.Close()
			files = append(files, f)
		}
		in = io.MultiReader(files...)
	}

	data := map[string]map[string]series{} // benchmark -> side -> series
	var names []string
	single := map[string][]float64{} // benchmark without client halves -> ns/op per run
	var singles []string
	failed := false
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			failed = true
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			if m := singleRE.FindStringSubmatch(line); m != nil {
				if v, err := strconv.ParseFloat(m[2], 64); err == nil {
					if single[m[1]] == nil {
						singles = append(singles, m[1])
					}
					single[m[1]] = append(single[m[1]], v)
				}
			}
			continue
		}
		name, side, rest := m[1], m[2], strings.Fields(m[3])
		if data[name] == nil {
			data[name] = map[string]series{"sdk": {}, "baseline": {}}
			names = append(names, name)
		}
		for i := 0; i+1 < len(rest); i += 2 {
			v, err := strconv.ParseFloat(rest[i], 64)
			if err != nil {
				continue
			}
			unit := rest[i+1]
			data[name][side][unit] = append(data[name][side][unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "ratio:", err)
		os.Exit(2)
	}
	if len(names) == 0 {
		fmt.Fprintln(os.Stderr, "ratio: no client=sdk / client=baseline benchmark results in the input")
		os.Exit(2)
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "benchmark\tmetric\tsdk\tbaseline\tsdk/baseline\tpaired\ttarget\t\t")
	missed := 0
	for _, name := range names {
		sdk, base := data[name]["sdk"], data[name]["baseline"]
		for _, unit := range metrics(sdk, base) {
			s, b := median(sdk[unit]), median(base[unit])
			ratio := s / b
			paired := pairedMedian(sdk[unit], base[unit])
			target, verdict := "", ""
			if max, ok := targets[name][unit]; ok {
				target = fmt.Sprintf("<= %.2fx", max)
				r := ratio
				if unit == "ns/op" || unit == "cpu-ns/op" {
					r = paired
				}
				verdict = "ok"
				if r > max {
					verdict = "MISSED"
					missed++
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.2fx\t%.2fx\t%s\t%s\t\n",
				name, unit, format(s, unit), format(b, unit), ratio, paired, target, verdict)
		}
	}
	w.Flush()
	for _, name := range singles {
		fmt.Printf("\n%s: %s per run (median of %d)\n", name, format(median(single[name]), "ns/op"), len(single[name]))
	}
	if failed {
		fmt.Println("\nthe benchmark run FAILED (see its output); the ratios above may be incomplete")
		os.Exit(1)
	}
	if missed > 0 {
		fmt.Printf("\n%d target(s) missed\n", missed)
		if *strict {
			os.Exit(1)
		}
	} else {
		fmt.Println("\nall targets met")
	}
}

// metrics lists the units both sides reported, in metricOrder first.
func metrics(sdk, base series) []string {
	var out []string
	for _, u := range metricOrder {
		if len(sdk[u]) > 0 && len(base[u]) > 0 {
			out = append(out, u)
		}
	}
	var rest []string
	for u := range sdk {
		if len(base[u]) > 0 && !slices.Contains(metricOrder, u) {
			rest = append(rest, u)
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
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func pairedMedian(sdk, base []float64) float64 {
	n := min(len(sdk), len(base))
	r := make([]float64, 0, n)
	for i := range n {
		if base[i] != 0 {
			r = append(r, sdk[i]/base[i])
		}
	}
	return median(r)
}

func format(v float64, unit string) string {
	switch {
	case strings.HasSuffix(unit, "ns/op") && v >= 1e6:
		return fmt.Sprintf("%.2fms", v/1e6)
	case strings.HasSuffix(unit, "ns/op") && v >= 1e3:
		return fmt.Sprintf("%.1fµs", v/1e3)
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}
