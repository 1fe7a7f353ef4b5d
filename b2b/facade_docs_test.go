package b2b_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
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

// TestREADMEListsEveryOperation: the README's table of operations has one row per operation of the
// spec, with its HTTP call, and each row's method exists on the client and takes that operation's
// params. cmd/gen writes the table (make generate); this checks it independently, by reflection
// over the client.
func TestREADMEListsEveryOperation(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `client\\.([A-Za-z.]+)` \\| `([A-Z]+) (\\S+)` \\|")
	rows := row.FindAllStringSubmatch(string(raw), -1)
	c, err := b2b.NewClient("project-test-readme", "secret-test-readme")
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, r := range rows {
		call := r[1] + " " + r[2] + " " + r[3]
		v := reflect.ValueOf(c)
		parts := strings.Split(r[1], ".")
		for _, field := range parts[:len(parts)-1] {
			v = v.Elem().FieldByName(field)
			require.True(t, v.IsValid(), "README.md: %s: the client has no %s", call, field)
		}
		m := v.MethodByName(parts[len(parts)-1])
		require.True(t, m.IsValid(), "README.md: %s: no such method", call)
		require.GreaterOrEqual(t, m.Type().NumIn(), 2, call)
		params, ok := reflect.New(m.Type().In(1).Elem()).Interface().(interface{ Operation() b2b.Operation })
		require.True(t, ok, "README.md: %s does not take params of an operation", call)
		op := params.Operation()
		assert.Equal(t, op.Method+" "+op.Path, r[2]+" "+r[3], "README.md: %s: the HTTP call of %s", call, op.ID)
		assert.False(t, listed[op.ID], "README.md lists %s twice", op.ID)
		listed[op.ID] = true
	}
	for _, op := range b2b.Operations() {
		// cmd/gen writes the table from the spec and the facade's methods: a missing row means the
		// facade has no method for the operation yet (its row reads "(no method yet)"), or the
		// table was not regenerated.
		assert.True(t, listed[op.ID], "README.md's Operations table has no method for %s (%s %s): add the facade method (b2b/, taking %sParams), then run make generate, which writes the row",
			op.ID, op.Method, op.Path, op.Name)
	}
}
