// Command mutation measures how many mutants of a package's code its tests kill, with gremlins
// (pinned below and installed by the go command into a temporary directory, so it is never a
// dependency of the SDK), and prints a score per file. It is a module of its own: nothing here
// reaches the SDK's go.mod.
//
//	go run . -root ../.. run -pkg ./b2b -files 'executor|retry' -o /tmp/m.json
//	go run . -root ../.. report -in /tmp/m.json
//	go run . -root ../.. recheck -in /tmp/m.json -o /tmp/m2.json
//
// run mutates the files of -pkg whose path (relative to -pkg) matches -files, with every operator
// listed in operators, and writes gremlins' JSON. gremlins runs with GOFLAGS=-count=1 (a cached
// baseline would time every mutant out) and behind goShim (for a package main it would test the
// module root). run then corrects two of gremlins' statuses: a
// "killed" mutant that does not compile becomes not viable (go test exits 1 for a build failure as
// for a failing test), and a "not covered" one (gremlins' name for a case expression, a constant or
// a composite literal's value, which Go's cover tool does not count) is tested. viable does only
// the first correction, on a saved JSON. report prints, per file, the mutants by status and the
// score: killed (timed out included) over all mutants less the ones that do not compile and the
// ones -equivalent lists as unable to change behaviour. recheck applies again each mutant a run
// left alive (lived, timed out, not covered) and runs the package's tests against it through go
// test -overlay: after tests were only added, a mutant killed before is still killed, so this
// gives the new score in a fraction of a full run's time.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// gremlins is the mutation tool, at the version every measurement uses.
const gremlins = "github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"

// operators are the gremlins operators enabled on top of its defaults (arithmetic-base,
// conditionals-boundary, conditionals-negation, increment-decrement, invert-negatives).
var operators = []string{
	"--invert-assignments", "--invert-bitwise", "--invert-bwassign", "--invert-logical",
	"--invert-loopctrl", "--remove-self-assignments",
}

// results is gremlins' JSON output (the fields read here).
type results struct {
	GoModule string `json:"go_module"`
	Files    []file `json:"files"`
}

type file struct {
	FileName  string     `json:"file_name"`
	Mutations []mutation `json:"mutations"`
}

type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func main() {
	root := flag.String("root", ".", "the root of the module measured")
	pkg := flag.String("pkg", "./b2b", "the package directory, relative to -root")
	files := flag.String("files", "", "regexp over the paths of the files to mutate, relative to -pkg (empty: all)")
	in := flag.String("in", "", "report, recheck: gremlins' JSON to read")
	out := flag.String("o", "", "run, recheck: where to write the JSON")
	equiv := flag.String("equivalent", "", "file listing the equivalent mutants (path:line:column OPERATOR reason)")
	workers := flag.Int("workers", 2, "run: gremlins workers")
	coef := flag.Int("timeout-coefficient", 4, "run: a mutant's tests may take this many times the unmutated run")
	statuses := flag.String("statuses", "LIVED,NOT COVERED,TIMED OUT", "recheck: the statuses of the mutants to test again")
	runTests := flag.String("run", "", "recheck: run only the tests matching this (go test -run), to check new tests against their mutants quickly")
	timeout := flag.Duration("timeout", time.Minute, "recheck: the longest one mutant's tests may take")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: mutation [flags] run|report|recheck|viable")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	// The command may come before or after the flags.
	cmdName := flag.Arg(0)
	check(flag.CommandLine.Parse(flag.Args()[1:]))
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	sel, err := regexp.Compile(*files)
	check(err)
	check(os.Chdir(*root))
	pkgDir := filepath.Clean(*pkg)
	eq, err := readEquivalent(*equiv)
	check(err)
	switch cmdName {
	case "run":
		if *out == "" {
			*out = filepath.Join(os.TempDir(), "mutation-"+strings.ReplaceAll(pkgDir, "/", "_")+".json")
		}
		check(run(pkgDir, sel, *workers, *coef, *out))
		r, err := load(*out)
		check(err)
		check(markNotViable(pkgDir, sel, r))
		// Gremlins takes a mutant in a case expression, a constant or a composite literal's value
		// for not covered (Go's cover tool counts statements only) and never tests it: test those.
		check(recheck(pkgDir, sel, r, *timeout, "", []string{"NOT COVERED"}))
		check(save(*out, r))
		report(os.Stdout, pkgDir, sel, r, eq)
		fmt.Printf("gremlins' JSON: %s\n", *out)
	case "report":
		r, err := load(*in)
		check(err)
		report(os.Stdout, pkgDir, sel, r, eq)
	case "recheck":
		r, err := load(*in)
		check(err)
		check(recheck(pkgDir, sel, r, *timeout, *runTests, strings.Split(*statuses, ",")))
		check(save(*out, r))
		report(os.Stdout, pkgDir, sel, r, eq)
	case "viable":
		r, err := load(*in)
		check(err)
		check(markNotViable(pkgDir, sel, r))
		check(save(*out, r))
		report(os.Stdout, pkgDir, sel, r, eq)
	default:
		flag.Usage()
		os.Exit(2)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutation:", err)
		os.Exit(1)
	}
}

// run runs gremlins on pkgDir, excluding every file that sel does not match.
func run(pkgDir string, sel *regexp.Regexp, workers, coef int, out string) error {
	args := []string{"unleash", "--workers", fmt.Sprint(workers), "--timeout-coefficient", fmt.Sprint(coef), "-o", out}
	args = append(args, operators...)
	err := filepath.WalkDir(pkgDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(pkgDir, path)
		if err != nil {
			return err
		}
		if !sel.MatchString(rel) {
			args = append(args, "--exclude-files", "^"+regexp.QuoteMeta(rel)+"$")
		}
		return nil
	})
	if err != nil {
		return err
	}
	args = append(args, "./"+pkgDir)
	bin, env, cleanup, err := gremlinsCommand()
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.CommandContext(context.Background(), bin, args...) //nolint:gosec // G204: the arguments are this tool's own flags, given by whoever runs it
	// gremlins takes the unmutated run's time as the base of each mutant's timeout: without
	// -count=1 that run would come from the test cache, take no time, and time every mutant out.
	env = append(env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -count=1"))
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// goShim stands first in gremlins' PATH as "go". gremlins v0.6.0 names the package to test by
// looking for a directory named after the package clause; for a package main (cmd/gen) it finds
// none and tests the module's own path instead, where there is no package: go test fails, and
// every mutant would count as killed without a test having run. The shim tests the mutated
// package itself (gremlins runs go test in its directory) and passes everything else through.
const goShim = `#!/usr/bin/env bash
if [ "$1" = test ] && [ "${!#}" = "$MUTATION_MODULE" ]; then
	set -- "${@:1:$#-1}" .
fi
exec "$MUTATION_GO" "$@"
`

// gremlinsCommand installs gremlins into a temporary directory (go install, at the pinned version)
// beside the go shim, and returns the binary, the environment to run it with and a cleanup.
func gremlinsCommand() (string, []string, func(), error) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		return "", nil, nil, err
	}
	realGo, err = filepath.Abs(realGo)
	if err != nil {
		return "", nil, nil, err
	}
	mod, err := exec.CommandContext(context.Background(), realGo, "list", "-m").Output() //nolint:gosec // G204: the go command found on PATH
	if err != nil {
		return "", nil, nil, fmt.Errorf("go list -m: %w", err)
	}
	dir, err := os.MkdirTemp("", "mutation-bin-")
	if err != nil {
		return "", nil, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	install := exec.CommandContext(context.Background(), realGo, "install", gremlins) //nolint:gosec // G204: the pinned module path of gremlins
	install.Env = append(os.Environ(), "GOBIN="+dir)
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		cleanup()
		return "", nil, nil, fmt.Errorf("go install %s: %w", gremlins, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(goShim), 0o700); err != nil { //nolint:gosec // G306: an executable script in a private temporary directory
		cleanup()
		return "", nil, nil, err
	}
	env := append(os.Environ(),
		"PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MUTATION_GO="+realGo,
		"MUTATION_MODULE="+strings.TrimSpace(string(mod)))
	return filepath.Join(dir, "gremlins"), env, cleanup, nil
}

func save(path string, r *results) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func load(path string) (*results, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the file named on the command line
	if err != nil {
		return nil, err
	}
	var r results
	return &r, json.Unmarshal(b, &r)
}

// readEquivalent reads lines "path:line:column OPERATOR reason" (path relative to the root);
// blank lines and lines starting with # are skipped.
func readEquivalent(path string) (map[string]string, error) {
	eq := map[string]string{}
	if path == "" {
		return eq, nil
	}
	f, err := os.Open(path) //nolint:gosec // G304: the file named on the command line
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, " ", 3)
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s: %q: want path:line:column OPERATOR reason", path, line)
		}
		eq[fields[0]+" "+fields[1]] = fields[2]
	}
	return eq, sc.Err()
}

func key(pkgDir, name string, m mutation) string {
	return fmt.Sprintf("%s:%d:%d %s", filepath.ToSlash(filepath.Join(pkgDir, name)), m.Line, m.Column, m.Type)
}

// report prints one line per file and the mutants left alive that are not listed as equivalent.
func report(out *os.File, pkgDir string, sel *regexp.Regexp, r *results, eq map[string]string) {
	w := &strings.Builder{}
	defer func() { _, err := out.WriteString(w.String()); check(err) }()
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].FileName < r.Files[j].FileName })
	fmt.Fprintf(w, "%-28s %5s %6s %5s %5s %7s %7s %5s %6s %7s\n", "file", "total", "killed", "t/o", "lived", "nocover", "notviab", "equiv", "alive", "score")
	var alive []string
	for _, f := range r.Files {
		if !sel.MatchString(f.FileName) {
			continue
		}
		var total, killed, timedOut, lived, notCovered, notViable, equivalent int
		for _, m := range f.Mutations {
			total++
			switch m.Status {
			case "KILLED":
				killed++
				continue
			case "TIMED OUT":
				timedOut++
				continue
			case "NOT VIABLE":
				notViable++
				continue
			case "LIVED":
				lived++
			case "NOT COVERED":
				notCovered++
			}
			k := key(pkgDir, f.FileName, m)
			if _, ok := eq[k]; ok {
				equivalent++
				continue
			}
			alive = append(alive, k+" "+m.Status)
		}
		den := total - notViable - equivalent
		score := 100.0
		if den > 0 {
			score = 100 * float64(killed+timedOut) / float64(den)
		}
		fmt.Fprintf(w, "%-28s %5d %6d %5d %5d %7d %7d %5d %6d %6.1f%%\n", f.FileName, total, killed, timedOut, lived, notCovered, notViable, equivalent, den-killed-timedOut, score)
	}
	fmt.Fprintln(w, "score = (killed + timed out) / (total - not viable - equivalent)")
	for _, a := range alive {
		fmt.Fprintln(w, "alive:", a)
	}
}

// mutated maps an operator and the token it applies to onto the token put instead, as gremlins
// v0.6.0 does (internal/engine/mappings.go).
var mutated = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":         {token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SUB: token.ADD},
	"CONDITIONALS_BOUNDARY":   {token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ},
	"CONDITIONALS_NEGATION":   {token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL},
	"INCREMENT_DECREMENT":     {token.DEC: token.INC, token.INC: token.DEC},
	"INVERT_ASSIGNMENTS":      {token.ADD_ASSIGN: token.SUB_ASSIGN, token.MUL_ASSIGN: token.QUO_ASSIGN, token.QUO_ASSIGN: token.MUL_ASSIGN, token.SUB_ASSIGN: token.ADD_ASSIGN},
	"INVERT_BITWISE":          {token.AND: token.OR, token.OR: token.AND, token.XOR: token.AND, token.AND_NOT: token.AND, token.SHL: token.SHR, token.SHR: token.SHL},
	"INVERT_BWASSIGN":         {token.AND_ASSIGN: token.OR_ASSIGN, token.OR_ASSIGN: token.AND_ASSIGN, token.XOR_ASSIGN: token.AND_ASSIGN, token.AND_NOT_ASSIGN: token.AND_ASSIGN, token.SHL_ASSIGN: token.SHR_ASSIGN, token.SHR_ASSIGN: token.SHL_ASSIGN},
	"INVERT_LOGICAL":          {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_LOOPCTRL":         {token.BREAK: token.CONTINUE, token.CONTINUE: token.BREAK},
	"INVERT_NEGATIVES":        {token.SUB: token.ADD},
	"REMOVE_SELF_ASSIGNMENTS": {token.ADD_ASSIGN: token.ASSIGN, token.AND_ASSIGN: token.ASSIGN, token.AND_NOT_ASSIGN: token.ASSIGN, token.MUL_ASSIGN: token.ASSIGN, token.OR_ASSIGN: token.ASSIGN, token.QUO_ASSIGN: token.ASSIGN, token.REM_ASSIGN: token.ASSIGN, token.SHL_ASSIGN: token.ASSIGN, token.SHR_ASSIGN: token.ASSIGN, token.SUB_ASSIGN: token.ASSIGN, token.XOR_ASSIGN: token.ASSIGN},
}

// apply returns src with the token at line:column replaced as the operator says.
func apply(src []byte, m mutation) ([]byte, error) {
	fset := token.NewFileSet()
	tf := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(tf, src, nil, 0)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return nil, fmt.Errorf("no token at %d:%d", m.Line, m.Column)
		}
		p := fset.Position(pos)
		if p.Line != m.Line || p.Column != m.Column {
			continue
		}
		to, ok := mutated[m.Type][tok]
		if !ok {
			return nil, fmt.Errorf("%d:%d: %s does not apply to %q", m.Line, m.Column, m.Type, tok.String()+lit)
		}
		var b bytes.Buffer
		b.Write(src[:p.Offset])
		b.WriteString(to.String())
		b.Write(src[p.Offset+len(tok.String()):])
		return b.Bytes(), nil
	}
}

// recheck tests each mutant left alive again, against the tests as they are now, and updates
// its status in r.
func recheck(pkgDir string, sel *regexp.Regexp, r *results, timeout time.Duration, runTests string, statuses []string) error {
	tmp, err := os.MkdirTemp("", "mutation-recheck-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	for fi := range r.Files {
		f := &r.Files[fi]
		if !sel.MatchString(f.FileName) {
			continue
		}
		path, err := filepath.Abs(filepath.Join(pkgDir, f.FileName))
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path) //nolint:gosec // G304: a file of the package measured
		if err != nil {
			return err
		}
		for mi := range f.Mutations {
			m := &f.Mutations[mi]
			if !slices.Contains(statuses, m.Status) {
				continue
			}
			status, err := testMutant(tmp, path, src, *m, "./"+filepath.Dir(filepath.Join(pkgDir, f.FileName)), timeout, runTests)
			if err != nil {
				return err
			}
			fmt.Printf("%12s %s at %s:%d:%d (was %s)\n", status, m.Type, f.FileName, m.Line, m.Column, m.Status)
			m.Status = status
		}
	}
	return nil
}

func testMutant(tmp, path string, src []byte, m mutation, pkg string, timeout time.Duration, runTests string) (string, error) {
	mut, err := apply(src, m)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	mutFile := filepath.Join(tmp, "mutant.go")
	if err := os.WriteFile(mutFile, mut, 0o600); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {path: mutFile}})
	if err != nil {
		return "", err
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o600); err != nil {
		return "", err
	}
	// The test binary stops itself at -timeout; the context is only a backstop for the build.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-failfast", "-timeout", timeout.String(), "-overlay", overlayFile}
	if runTests != "" {
		args = append(args, "-run", runTests)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...) //nolint:gosec // G204: go test of the package measured
	outb, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil || bytes.Contains(outb, []byte("panic: test timed out")):
		return "TIMED OUT", nil
	case err == nil:
		return "LIVED", nil
	case bytes.Contains(outb, []byte("[build failed]")) || bytes.Contains(outb, []byte("[setup failed]")):
		return "NOT VIABLE", nil
	case errors.As(err, &exit):
		return "KILLED", nil
	default:
		return "", err
	}
}
