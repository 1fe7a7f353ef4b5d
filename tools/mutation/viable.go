package main

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
)

// markNotViable type-checks every mutant gremlins reports as killed and marks the ones that do not
// compile as not viable: go test exits 1 for a build failure as for a failing test, so gremlins
// v0.6.0 counts a mutant that cannot compile (a string "+" turned into "-", a constant that
// overflows, a loop without an exit) as killed.
func markNotViable(pkgDir string, sel *regexp.Regexp, r *results) error {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for fi := range r.Files {
		f := &r.Files[fi]
		if !sel.MatchString(f.FileName) {
			continue
		}
		path := filepath.Join(pkgDir, f.FileName)
		dir := filepath.Dir(path)
		bp, err := build.ImportDir(dir, 0)
		if err != nil {
			return err
		}
		// The other files of the package, parsed once.
		var others []*ast.File
		for _, name := range bp.GoFiles {
			if name == filepath.Base(path) {
				continue
			}
			af, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
			if err != nil {
				return err
			}
			others = append(others, af)
		}
		src, err := os.ReadFile(path) //nolint:gosec // G304: a file of the package measured
		if err != nil {
			return err
		}
		for mi := range f.Mutations {
			m := &f.Mutations[mi]
			if m.Status != "KILLED" {
				continue
			}
			mut, err := apply(src, *m)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			af, err := parser.ParseFile(fset, path, mut, 0)
			if err == nil {
				conf := types.Config{Importer: imp, Error: func(error) {}}
				_, err = conf.Check(bp.ImportPath, fset, append([]*ast.File{af}, others...), nil)
			}
			if err != nil {
				fmt.Printf("  NOT VIABLE %s at %s:%d:%d (was KILLED): %v\n", m.Type, f.FileName, m.Line, m.Column, err)
				m.Status = "NOT VIABLE"
			}
		}
	}
	return nil
}
