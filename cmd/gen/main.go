// Command gen turns spec/stytch-b2b.yaml into the gen package, checks that gen/ is current, and
// compares the spec with Stytch's published OpenAPI document.
//
// It loads the spec with kin-openapi (no external references), validates it, applies the project's
// lint rules, runs oapi-codegen as a library with the overrides in templates/, renders the project's
// own templates (operation table, validation, redaction, the facade's re-exports), and writes the
// generated files. The output is
// byte-for-byte deterministic.
//
// Usage:
//
//	go run ./cmd/gen                  # regenerate; one line per file says what was written
//	go run ./cmd/gen -check           # write nothing; exit 1 and name each stale, missing or extra file
//	go run ./cmd/gen -upstream FILE   # compare the spec with FILE, Stytch's published document
//
// The generated files (gen/, b2b/models.gen.go, b2b/b2btest/operations.gen.go, and
// spec/stytch-b2b.gen.json, the spec as JSON for the packages that load it at run time) are
// written under -root (default "."), and -spec is relative to it; -upstream's FILE is relative to
// the working directory. A spec that fails validation or linting makes gen exit 1 with every problem listed,
// each with its place in the spec, and nothing is written.
//
// # Where -check applies
//
// gen and -check work on a checkout of the SDK (its own repository or a fork), where the spec and
// gen/ exist under -root. When either cannot be found, gen exits 1 and says which path it looked
// for and why nothing there can be checked. A module that only depends on the SDK has nothing to
// check: its copy of the SDK comes from the module cache, where the go command has verified it
// against go.sum, so it cannot drift; gen refuses to run on a -root inside the module cache. A
// vendored copy is reproduced by "go mod vendor" from that verified copy, so "go mod vendor"
// followed by "git diff --exit-code -- vendor/" is its check. When -check finds differences it
// names the command that regenerates gen/ where it runs: "make generate" when -root has a Makefile
// with a generate target, "go run ./cmd/gen" when -root has cmd/gen, "go mod vendor" for a
// vendored copy.
//
// # The upstream comparison
//
// -upstream FILE compares the spec with a copy of Stytch's published OpenAPI document (YAML or
// JSON). FILE is parsed and its internal references resolved, but it is not validated (a vendor
// document may break rules that do not matter here) and references to other files are refused.
// Only the spec's operations are compared, each with the operation at the same method and path in
// FILE; path parameter names, operationIds, descriptions and examples are ignored, and the path of
// each document's first server (such as "/v1") is taken as a prefix of its paths. References,
// allOf (the spec writes a nullable reference as allOf plus nullable), OpenAPI 3.1 type lists with
// "null", and oneOf or anyOf with a null alternative are resolved before schemas are compared;
// recursive schemas are compared once per cycle.
//
// Each difference is one line, grouped by operation, in a stable order, with a summary line last:
//
//	FAIL|note <operationId> <place> <pointer>: <what differs>
//
// place is "operation", "servers", "security", "parameter <in> <name>", "request body" or
// "response <status>". pointer is a JSON-pointer-like path into the schema such as
// /member/status; "[]" stands for an array's items and "/*" for an additionalProperties value.
// What is compared: properties present on one side only, type, format, required-ness,
// nullability, enum values and known values (the spec's x-stytch-known-values extension, which
// upstream may express as enum), operations missing upstream, security (by scheme type, so
// differently named schemes agree) and servers (by scheme and host).
//
// A difference is a note when it cannot break a call made with the spec, and a failure otherwise:
//
//   - Requests travel from the SDK to Stytch, so the spec may be stricter than upstream: require
//     what upstream makes optional, refuse null, allow fewer enum values, name a narrower type or
//     format (integer for number, int32 for int64). Looser or conflicting is a failure.
//   - Responses travel from Stytch to the SDK, so the spec may be looser than upstream: optional
//     where upstream requires, nullable, a wider type or format. It must list every property and
//     every value (enum or known value) that upstream documents, since the drift detector reports
//     anything else as unknown. Stricter, conflicting or missing is a failure.
//   - Something documented only in the spec is a note when it happens only if the caller asks for
//     it or the server sends it: an optional property or parameter, an enum or known value, a
//     response status. A required property or parameter found only in the spec is a failure, and
//     so is an operation missing upstream.
//   - A property or parameter documented only upstream is a failure in a response, and in a
//     request when upstream requires it; an optional one only upstream in a request is a note
//     (the SDK cannot send it).
//   - Security: each alternative of the spec must be accepted upstream (failure); an alternative
//     only upstream is a note.
//   - Servers: a server only in the spec is a failure, one only upstream a note; an upstream
//     document without servers is noted and not compared.
//
// -upstream exits 0 when there is no failure (no difference, or notes only), 1 when there is at
// least one failure, and 2 when the comparison could not run (a file that cannot be read or
// loaded, or a bad flag).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// under resolves p against root unless p is absolute.
func under(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// generateFunc produces the files of the gen package from a spec. run uses Generate; tests of
// the command's messages pass a stand-in so that they need not run oapi-codegen.
type generateFunc func(ctx context.Context, specPath string) ([]File, error)

func run(args []string, stdout, stderr io.Writer) int {
	return runWith(Generate, args, stdout, stderr)
}

// checkRules is the part of the usage text that says where -check applies.
const checkRules = `
-check applies to a checkout of the SDK (its own repository or a fork), where the
spec (-spec) and the generated package gen/ exist under -root. It writes nothing
and exits 1 naming each stale, missing or extra file, or saying what it looked for
when the spec or gen/ is not there. A module that only depends on the SDK has
nothing to check: its copy comes from the module cache, verified against go.sum.
A vendored copy is checked with "go mod vendor" then "git diff --exit-code -- vendor/".
`

func runWith(generate generateFunc, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "repository root: the generated files are written under it, and -spec is relative to it")
	specPath := fs.String("spec", "spec/stytch-b2b.yaml", "the OpenAPI spec to generate from")
	check := fs.Bool("check", false, "write nothing; fail and name each file that differs from what would be generated")
	upstream := fs.String("upstream", "", "compare the spec with `FILE`, a copy of Stytch's published OpenAPI document; write nothing")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./cmd/gen [-root DIR] [-spec FILE] [-check | -upstream FILE]\n\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), checkRules, upstreamRules)
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gen: unexpected argument %q (flags only; see -h)\n", fs.Arg(0))
		return 2
	}
	sp, out := under(*root, *specPath), filepath.Join(*root, genDir)

	if *upstream != "" {
		if *check {
			fmt.Fprintln(stderr, "gen: -upstream and -check cannot be combined")
			return 2
		}
		if msg := locateSpec(*root, *specPath, sp); msg != "" {
			fmt.Fprint(stderr, msg)
			return 2
		}
		return runUpstream(sp, *upstream, stdout, stderr)
	}

	if msg := locate(*root, *specPath, sp, out, *check); msg != "" {
		fmt.Fprint(stderr, msg)
		return 1
	}
	files, err := generate(context.Background(), sp)
	if err == nil {
		files, err = addReadme(*root, files)
	}
	if err != nil {
		var pe *ProblemsError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "gen: %s has %d problem(s):\n", sp, len(pe.Problems))
			for _, p := range pe.Problems {
				fmt.Fprintf(stderr, "  %s\n", p)
			}
		} else {
			fmt.Fprintf(stderr, "gen: %v\n", err)
		}
		return 1
	}
	if *check {
		diffs, err := Check(*root, files)
		if err != nil {
			fmt.Fprintf(stderr, "gen: %v\n", err)
			return 1
		}
		if len(diffs) > 0 {
			fmt.Fprintf(stderr, "gen: the generated files under %s are out of date with %s and templates/; %s:\n", *root, sp, regenerateHint(*root))
			for _, d := range diffs {
				fmt.Fprintf(stderr, "  %s\n", d)
			}
			return 1
		}
		fmt.Fprintf(stdout, "gen: the %d generated files under %s are up to date\n", len(files), *root)
		return 0
	}
	written, err := Write(*root, files)
	for _, w := range written {
		fmt.Fprintf(stdout, "gen: %-9s %s\n", w.Status, filepath.Join(*root, filepath.FromSlash(w.Path)))
	}
	if err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return 1
	}
	return 0
}

// sdkModule is the SDK's module path.
const sdkModule = "github.com/b2bauth/stytch-b2b-go"

// locate checks, before anything is generated, that the spec (and for -check the output
// directory) exists where the flags say, and that root is not a read-only copy. It returns the
// message to print, or "" when gen can go on.
func locate(root, specFlag, sp, out string, check bool) string {
	if dir, ok := inModuleCache(root); ok {
		return fmt.Sprintf("gen: %s is in the Go module cache (%s): a read-only copy of a released version of the SDK,\n"+
			"  verified against go.sum by the go command, so it cannot drift and cannot be regenerated.\n"+
			"  gen and -check apply to a checkout of the SDK (its own repository or a fork).\n", root, dir)
	}
	if msg := locateSpec(root, specFlag, sp); msg != "" {
		return msg
	}
	if !check {
		return ""
	}
	if st, err := os.Stat(out); err != nil || !st.IsDir() {
		return fmt.Sprintf("gen: -check: no generated package at %s (gen/ under -root %q), next to the spec %s.\n"+
			"  -check compares the generated files with what the spec generates; %s to create them.\n",
			out, root, sp, regenerateHint(root))
	}
	return ""
}

// locateSpec returns the message to print when the spec is not at sp, or "".
func locateSpec(root, specFlag, sp string) string {
	if st, err := os.Stat(sp); err == nil && !st.IsDir() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gen: no spec at %s (-spec %q under -root %q).\n", sp, specFlag, root)
	b.WriteString("  gen works on a checkout of the SDK (its own repository or a fork), with spec/, templates/ and gen/\n" +
		"  at its root: run it there (go run ./cmd/gen -check), or point -root at the checkout.\n")
	if vendored(root) {
		b.WriteString("  " + root + " looks like a vendored copy, which holds only the packages your module imports;\n" +
			"  check a vendored copy with \"go mod vendor\" then \"git diff --exit-code -- vendor/\" from your module's root.\n")
		return b.String()
	}
	if mod := modulePath(root); mod != "" && mod != sdkModule && !strings.HasPrefix(mod, sdkModule+"/") {
		fmt.Fprintf(&b, "  The module at %s is %s, not the SDK: a module that depends on the SDK uses the copy in the\n"+
			"  module cache, which the go command verifies against go.sum, so there is nothing to check.\n", root, mod)
		if st, err := os.Stat(filepath.Join(root, "vendor", filepath.FromSlash(sdkModule))); err == nil && st.IsDir() {
			b.WriteString("  Its vendored copy is checked with \"go mod vendor\" then \"git diff --exit-code -- vendor/\".\n")
		}
	}
	return b.String()
}

// regenerateHint names the command that rewrites gen/ in root: the Makefile's generate target
// when there is one, else the generator in the checkout, else re-vendoring for a vendored copy.
func regenerateHint(root string) string {
	in := ""
	if filepath.Clean(root) != "." {
		in = " in " + root
	}
	switch {
	case vendored(root):
		return "run `go mod vendor` in the module that vendors it (vendored files are not edited by hand)"
	case hasMakeTarget(filepath.Join(root, "Makefile"), "generate"):
		return "run `make generate`" + in
	case isDir(filepath.Join(root, "cmd", "gen")):
		return "run `go run ./cmd/gen`" + in
	default:
		return "run `go run " + sdkModule + "/cmd/gen -root " + root + "`"
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// hasMakeTarget reports whether the makefile at path defines target.
func hasMakeTarget(path, target string) bool {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the Makefile of the -root the user named
	if err != nil {
		return false
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(target) + `\s*::?(\s|$)`)
	return re.Match(data)
}

// modulePath returns the module path declared by root/go.mod, or "".
func modulePath(root string) string {
	data, err := os.ReadFile(filepath.Join(root, "go.mod")) //nolint:gosec // G304: the go.mod of the -root the user named
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// vendored reports whether root is inside a vendor directory.
func vendored(root string) bool {
	abs, err := filepath.Abs(root)
	if err != nil {
		return false
	}
	for _, el := range strings.Split(filepath.ToSlash(abs), "/") {
		if el == "vendor" {
			return true
		}
	}
	return false
}

var moduleVersionDir = regexp.MustCompile(`^[^@]+@v\d+\.\d+\.\d+`)

// inModuleCache reports whether root is inside the Go module cache, and which directory of it.
// The cache is $GOMODCACHE, or pkg/mod under the first $GOPATH entry or ~/go; a directory named
// like module@v1.2.3 under a pkg/mod directory counts too (a cache moved with "go env -w").
func inModuleCache(root string) (string, bool) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", false
	}
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	} else if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	for _, c := range caches {
		if rel, err := filepath.Rel(c, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return c, true
		}
	}
	slashed := filepath.ToSlash(abs)
	if i := strings.Index(slashed, "/pkg/mod/"); i >= 0 {
		for _, el := range strings.Split(slashed[i+len("/pkg/mod/"):], "/") {
			if moduleVersionDir.MatchString(el) {
				return filepath.FromSlash(slashed[:i+len("/pkg/mod")]), true
			}
		}
	}
	return "", false
}
