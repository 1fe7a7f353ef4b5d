package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// defaultFakeBase is the tree the fake is compared with as a whole: main as it was when issue 15
// was filed, before the fake was changed for it.
const defaultFakeBase = "3c913be"

// fakeBaseRun is the whole fake now against the fake of an earlier tree: requests per second of
// BenchmarkFakeRequests (b2b/b2btest/throughput_test.go) in alternated processes, one value per
// round for each side.
type fakeBaseRun struct {
	rev         string
	now, before []float64
}

func (f *fakeBaseRun) ratios() []float64 {
	out := make([]float64, len(f.now))
	for i := range f.now {
		out[i] = f.now[i] / f.before[i]
	}
	return out
}

// runFakeBase checks out cfg.fakeBase in a git worktree under the results directory, copies
// b2b/b2btest/throughput_test.go into it in place of that tree's own tests, builds its test
// binary and runs BenchmarkFakeRequests there and in current (this tree's fake.test) in
// cfg.rounds alternated rounds. The output is kept in fakebase.txt.
func runFakeBase(ctx context.Context, cfg config, current string) (*fakeBaseRun, error) {
	if cfg.fakeBase == "" {
		return nil, nil
	}
	tree := filepath.Join(cfg.out, "fakebase-tree")
	add := exec.CommandContext(ctx, "git", "worktree", "add", "--detach", tree, cfg.fakeBase) //nolint:gosec // G204: git with the revision the user chose
	if msg, err := add.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("-fakebase %s: git worktree add: %w\n%s(the comparison needs the repository's history; -fakebase '' skips it)", cfg.fakeBase, err, msg)
	}
	defer func() {
		// Removed even when ctx has ended: the worktree is registered in the repository.
		_ = exec.CommandContext(context.WithoutCancel(ctx), "git", "worktree", "remove", "--force", tree).Run() //nolint:gosec // G204: the worktree made above
	}()
	pkg := filepath.Join(tree, "b2b", "b2btest")
	if err := prepareFakeBase(pkg); err != nil {
		return nil, fmt.Errorf("-fakebase %s: %w", cfg.fakeBase, err)
	}
	base := filepath.Join(cfg.out, "bin", "fake-base.test")
	build := exec.CommandContext(ctx, "go", "-C", tree, "test", "-c", "-o", base, "./b2b/b2btest/") //nolint:gosec // G204: a fixed go test -c line
	fmt.Printf("build fake of %s: %s\n", cfg.fakeBase, strings.Join(build.Args, " "))
	if msg, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("-fakebase %s: building its fake's benchmark: %w\n%s", cfg.fakeBase, err, msg)
	}
	// The halves are named as roundOrder names them: "sdk" is this tree's fake.
	sides := map[string]*suite{
		"sdk":    {name: "fake", dir: filepath.Join("b2b", "b2btest"), bin: current},
		"before": {name: "fake-base", dir: pkg, bin: base},
	}
	label := map[string]string{"sdk": "this tree", "before": cfg.fakeBase}
	rates := map[string][]float64{}
	var raw bytes.Buffer
	defer func() { _ = writeResult(filepath.Join(cfg.out, "fakebase.txt"), raw.Bytes()) }()
	for r := range cfg.rounds {
		order := roundOrder(r, "before")
		fmt.Printf("fake round %d/%d  BenchmarkFakeRequests   %s then %s\n", r+1, cfg.rounds, label[order[0]], label[order[1]])
		for _, side := range order {
			msg, err := runBinary(ctx, sides[side], "-test.run", "^$", "-test.bench", "^BenchmarkFakeRequests$",
				"-test.benchtime", "1x", "-test.count", "1")
			fmt.Fprintf(&raw, "# %s\n", label[side])
			raw.Write(msg)
			if err != nil {
				return nil, fmt.Errorf("BenchmarkFakeRequests (%s), round %d: %w\n%s", label[side], r+1, err, msg)
			}
			m, ok := parseRun(msg, "FakeRequests", "")
			if !ok || m["req/s"] <= 0 {
				return nil, fmt.Errorf("BenchmarkFakeRequests (%s), round %d: no req/s in\n%s", label[side], r+1, msg)
			}
			rates[side] = append(rates[side], m["req/s"])
		}
	}
	return &fakeBaseRun{rev: cfg.fakeBase, now: rates["sdk"], before: rates["before"]}, nil
}

// prepareFakeBase replaces the tests of the earlier tree's package b2btest by this tree's
// throughput_test.go and a benchOptions for it: the earlier tree's own tests may not build
// beside it, and only the benchmark runs. Where the earlier tree can leave session JWTs
// unsigned, benchOptions asks for that, as this tree's does.
func prepareFakeBase(pkg string) error {
	src, err := os.ReadFile(filepath.Join("b2b", "b2btest", "throughput_test.go"))
	if err != nil {
		return err
	}
	tests, err := filepath.Glob(filepath.Join(pkg, "*_test.go"))
	if err != nil {
		return err
	}
	unsigned := false
	for _, f := range tests {
		b, err := os.ReadFile(f) //nolint:gosec // G304: a file of the worktree made for this
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("\nfunc WithUnsignedJWTs() Option")) && strings.HasSuffix(f, "export_test.go") {
			unsigned = true
			continue // the hook is kept: the options below use it
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	opts := "nil"
	if unsigned {
		opts = "[]b2btest.Option{b2btest.WithUnsignedJWTs()}"
	}
	stub := "package b2btest_test\n\n// Written by bench/rounds (-fakebase).\n\nimport (\n\t\"testing\"\n\n\t\"github.com/b2bauth/stytch-b2b-go/b2b/b2btest\"\n)\n\n" +
		"func benchOptions(testing.TB) []b2btest.Option { return " + opts + " }\n"
	if err := writeResult(filepath.Join(pkg, "throughput_test.go"), src); err != nil {
		return err
	}
	return writeResult(filepath.Join(pkg, "rounds_options_test.go"), []byte(stub))
}

// writeFakeBaseReport prints the comparison with the earlier tree's fake and returns 1 when its
// ratio misses the fake's target.
func writeFakeBaseReport(w io.Writer, run *fakeBaseRun) int {
	if run == nil || len(run.now) == 0 {
		return 0
	}
	ratios := run.ratios()
	ratio := median(ratios)
	which := run.rev
	if run.rev == defaultFakeBase {
		which += " (before issue 15)"
	}
	fmt.Fprintf(w, "\nfake against the fake of %s: b2btest's BenchmarkFakeRequests, the same 8 callers, %d alternated rounds of one process per side (both with unsigned session JWTs)\n",
		which, len(ratios))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "req/s, this tree\t%.0f\t\n", median(run.now))
	fmt.Fprintf(tw, "req/s, %s\t%.0f\t\n", run.rev, median(run.before))
	verdict, missed := fakeVerdict(ratio)
	fmt.Fprintf(tw, "ratio this tree / %s (median of per-round ratios [min, max])\t%.2fx [%.2f, %.2f]\t%s\t\n",
		run.rev, ratio, slices.Min(ratios), slices.Max(ratios), verdict)
	_ = tw.Flush()
	return missed
}

// fakeVerdict is the target column of a ratio judged against fakeTarget, and 1 when it misses.
func fakeVerdict(ratio float64) (string, int) {
	if ratio < fakeTarget {
		return fmt.Sprintf(">= %.1fx MISSED", fakeTarget), 1
	}
	return fmt.Sprintf(">= %.1fx ok", fakeTarget), 0
}
