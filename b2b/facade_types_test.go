package b2b_test

// The facade re-exports every model of package gen, and documents every exported identifier.

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// facadeNotReexported lists the exported types of package gen that b2b deliberately does not
// alias, with the reason.
var facadeNotReexported = map[string]string{
	"Error":                       "b2b.Error carries the HTTP status and the Stytch fields instead",
	"MagicLinksEmailInviteParams": "header parameters are per-call options (WithMemberSession, WithMemberSessionJWT)",
	"SessionsRevokeParams":        "header parameters are per-call options (WithMemberSession, WithMemberSessionJWT)",
}

// facadeParse parses the non-test Go files of dir.
func facadeParse(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.NotEmpty(t, files, "no Go files in %s", dir)
	return fset, files
}

// TestFacadeReexportsEveryModel parses package gen: each exported type it declares (every model of
// the spec, every enum, Operation, ValidationError, ...) must have an alias in package b2b, unless
// facadeNotReexported says why not. A model added to the spec cannot go missing from the facade.
func TestFacadeReexportsEveryModel(t *testing.T) {
	_, genFiles := facadeParse(t, filepath.Join("..", "gen"))
	var genTypes []string
	for _, f := range genFiles {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if ts.Name.IsExported() && !ts.Assign.IsValid() { // gen's own aliases name another gen type
					genTypes = append(genTypes, ts.Name.Name)
				}
			}
		}
	}
	require.Contains(t, genTypes, "MagicLinksAuthenticateRequest", "parsing gen found no models")

	_, b2bFiles := facadeParse(t, ".")
	aliased := map[string]string{} // gen name -> b2b name
	for _, f := range b2bFiles {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Assign.IsValid() {
				return true
			}
			if sel, ok := ts.Type.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "gen" {
					assert.True(t, ts.Name.IsExported(), "alias %s of gen.%s is not exported", ts.Name.Name, sel.Sel.Name)
					aliased[sel.Sel.Name] = ts.Name.Name
				}
			}
			return true
		})
	}

	for _, name := range genTypes {
		_, excluded := facadeNotReexported[name]
		_, ok := aliased[name]
		switch {
		case excluded:
			assert.False(t, ok, "gen.%s is both aliased and listed as not re-exported", name)
		default:
			assert.True(t, ok, "gen.%s has no alias in package b2b (add one to types.go, or a reason to facadeNotReexported)", name)
		}
	}
	for name := range facadeNotReexported {
		assert.Contains(t, genTypes, name, "facadeNotReexported lists %s, which gen no longer declares", name)
	}
}

// facadeOwnFiles are the facade files whose documentation this test holds to DESIGN.md's rule.
var facadeOwnFiles = []string{
	"client.go", "types.go", "claims.go", "version.go", "impersonation.go",
	"magic_links.go", "oauth.go", "passwords.go", "recovery_codes.go",
}

// TestFacadeDocComments checks that every exported identifier declared in the facade files has a
// doc comment: types, their exported fields and methods, functions, constants and variables.
func TestFacadeDocComments(t *testing.T) {
	fset, files := facadeParse(t, ".")
	var missing []string
	report := func(pos token.Pos, what string) {
		p := fset.Position(pos)
		missing = append(missing, filepath.Base(p.Filename)+":"+what)
	}
	seen := map[string]bool{}
	for _, f := range files {
		file := filepath.Base(fset.Position(f.Pos()).Filename)
		if !slices.Contains(facadeOwnFiles, file) {
			continue
		}
		seen[file] = true
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || (d.Recv != nil && !facadeExportedRecv(d.Recv)) {
					continue
				}
				if d.Doc == nil {
					report(d.Pos(), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if s.Doc == nil && (d.Doc == nil || len(d.Specs) > 1) {
							report(s.Pos(), s.Name.Name)
						}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, field := range st.Fields.List {
								for _, n := range field.Names {
									if n.IsExported() && field.Doc == nil && field.Comment == nil {
										report(n.Pos(), s.Name.Name+"."+n.Name)
									}
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
								report(n.Pos(), n.Name)
							}
						}
					}
				}
			}
		}
	}
	assert.Len(t, seen, len(facadeOwnFiles), "a facade file is missing or was renamed")
	assert.Empty(t, missing, "exported identifiers without a doc comment")

	// go/doc agrees: the package has a doc comment somewhere.
	pkg, err := doc.NewFromFiles(fset, files, "github.com/b2bauth/stytch-b2b-go/b2b")
	require.NoError(t, err)
	assert.NotEmpty(t, pkg.Doc, "package b2b has no package doc comment")
}

func facadeExportedRecv(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// The facade's package comment exists in exactly one file of the facade.
func TestFacadePackageDocOnce(t *testing.T) {
	fset, files := facadeParse(t, ".")
	var with []string
	for _, f := range files {
		if f.Doc != nil {
			with = append(with, filepath.Base(fset.Position(f.Pos()).Filename))
		}
	}
	assert.Len(t, with, 1, "package comments in %v", with)
}
