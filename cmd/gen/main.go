// Command gen turns spec/stytch-b2b.yaml into the gen package.
//
// It loads the spec with kin-openapi (no external references), validates it, applies the project's
// lint rules, runs oapi-codegen as a library with the overrides in templates/, renders the project's
// own SDK template (operation table, validation, redaction), and writes gen/. The output is
// byte-for-byte deterministic.
//
// Usage:
//
//	go run ./cmd/gen            # regenerate gen/ from spec/ and templates/
//	go run ./cmd/gen -check     # write nothing; exit 1 and name each stale, missing or extra file
//
// A spec that fails validation or linting makes gen exit 1 with every problem listed, each with its
// place in the spec, and gen/ is left untouched.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "repository root: the generated files are written under it, and -spec is relative to it")
	specPath := fs.String("spec", "spec/stytch-b2b.yaml", "the OpenAPI spec to generate from")
	check := fs.Bool("check", false, "write nothing; fail and name each file that differs from what would be generated")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	sp := under(*root, *specPath)

	files, err := Generate(context.Background(), sp)
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
			fmt.Fprintf(stderr, "gen: the generated files under %s are out of date with %s and templates/; run `make generate`:\n", *root, sp)
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
