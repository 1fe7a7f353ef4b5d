package b2b_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// TestFacadeMethodDocsNameTheirOperation: the doc comment of every method that calls an operation
// ends with its "API: METHOD PATH" line and its "Stytch API docs: URL" line, both as the spec
// declares them, so neither can rot when the spec changes. The operation is found by the method's
// params type (XParams belongs to the operation named X), and every operation has such a method.
func TestFacadeMethodDocsNameTheirOperation(t *testing.T) {
	byName := map[string]b2b.Operation{}
	for _, op := range b2b.Operations() {
		byName[op.Name] = op
	}
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	seen := map[string]bool{}
	apiLine := regexp.MustCompile(`(?m)^API: (\S+) (\S+)$`)
	docsLine := regexp.MustCompile(`(?m)^Stytch API docs: (\S+)$`)
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".gen.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Type.Params.NumFields() < 2 {
				continue
			}
			star, ok := fn.Type.Params.List[1].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			ident, ok := star.X.(*ast.Ident)
			if !ok || !strings.HasSuffix(ident.Name, "Params") {
				continue
			}
			op, ok := byName[strings.TrimSuffix(ident.Name, "Params")]
			if !ok {
				continue
			}
			where := name + ": " + fn.Name.Name
			seen[op.ID] = true
			doc := fn.Doc.Text()
			m := apiLine.FindStringSubmatch(doc)
			if assert.NotNil(t, m, "%s: no API: line", where) {
				assert.Equal(t, op.Method, m[1], "%s: method", where)
				assert.Equal(t, op.Path, m[2], "%s: path", where)
			}
			u := docsLine.FindStringSubmatch(doc)
			if assert.NotNil(t, u, "%s: no Stytch API docs: line", where) {
				assert.Equal(t, op.DocsURL, u[1], "%s: the spec's externalDocs of %s", where, op.ID)
			}
		}
	}
	for _, op := range b2b.Operations() {
		assert.True(t, seen[op.ID], "no facade method takes %sParams (operation %s, %s %s)", op.Name, op.ID, op.Method, op.Path)
	}
}
