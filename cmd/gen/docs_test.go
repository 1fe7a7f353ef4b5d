package main

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// The generated packages are what users read on pkg.go.dev and with go doc. These tests read the
// generated files of the committed tree (not a fresh generation: that is TestCommittedGenIsCurrent's
// job) and fail on generator boilerplate and on exported identifiers without a doc comment, naming
// the place in the spec (or the template) that should say what the identifier is. What the spec
// must provide (a description on every schema, property and parameter, a summary, description and
// Stytch docs link on every operation) is a lint rule, so gen refuses a spec without it before
// anything is generated; these tests catch what the templates leave undocumented.

// generatedDocFiles lists the generated Go files users read: gen/ and the re-exports in b2b.
func generatedDocFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realRoot, genDir, "*.go"))
	require.NoError(t, err)
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	files = append(files, filepath.Join(realRoot, facadeDir, "models.gen.go"))
	slices.Sort(files)
	require.NotEmpty(t, files)
	return files
}

func TestGeneratedDocs(t *testing.T) {
	doc, err := loadSpec(context.Background(), realSpec, false)
	require.NoError(t, err)
	hints := newDocHints(doc)
	var probs []string
	for _, f := range generatedDocFiles(t) {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		rel, err := filepath.Rel(realRoot, f)
		require.NoError(t, err)
		p, err := docProblems(filepath.ToSlash(rel), src, hints.hint)
		require.NoError(t, err)
		probs = append(probs, p...)
	}
	assert.Empty(t, probs, "generated docs need work (%d problems):\n%s", len(probs), strings.Join(probs, "\n"))
}

// TestGeneratedDocsCheckBites runs the check on small sources with each kind of problem, so that
// TestGeneratedDocs cannot pass by not looking.
func TestGeneratedDocsCheckBites(t *testing.T) {
	doc, err := loadSpec(context.Background(), realSpec, false)
	require.NoError(t, err)
	hints := newDocHints(doc)
	tests := []struct {
		name, src string
		want      []string // substrings of the one expected problem
	}{
		{"model boilerplate", "// Member defines model for Member.\ntype Member struct{}\n",
			[]string{"x.go:3", "Member", `"defines model for"`, "components.schemas.Member"}},
		{"parameters boilerplate", "// P defines parameters for Op.\ntype P struct{}\n",
			[]string{"x.go:3", `"defines parameters for"`, "templates/"}},
		{"body boilerplate", "// B defines body for Op for application/json ContentType.\ntype B = int\n",
			[]string{"x.go:3", `"defines body for"`}},
		{"undocumented type", "type Organization struct{}\n",
			[]string{"x.go:3", "type Organization", "describe components.schemas.Organization in spec/stytch-b2b.yaml"}},
		{"undocumented field", "// Member is a member.\ntype Member struct {\n\tStatus string `json:\"status\"`\n}\n",
			[]string{"x.go:5", "field Member.Status", "components.schemas.Member.properties.status"}},
		{"undocumented known-values type", "type MemberStatus string\n",
			[]string{"type MemberStatus", "components.schemas.Member.properties.status"}},
		{"undocumented func", "func Do() {}\n", []string{"func Do", "templates/"}},
		{"undocumented method", "// T is a type.\ntype T int\n\nfunc (T) Do() {}\n", []string{"method T.Do"}},
		{"undocumented const", "const A = 1\n", []string{"const A"}},
		{"undocumented var in a group", "var (\n\tA = 1\n)\n", []string{"var A"}},
		{"undocumented interface method", "// I is an interface.\ntype I interface {\n\tDo()\n}\n", []string{"method I.Do"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, err := docProblems("x.go", []byte("package x\n\n"+tt.src), hints.hint)
			require.NoError(t, err)
			require.Len(t, probs, 1, "%q", probs)
			for _, w := range tt.want {
				assert.Contains(t, probs[0], w)
			}
		})
	}
	t.Run("documented code passes", func(t *testing.T) {
		src := `package x

// T is documented.
type T struct {
	// F is documented.
	F string ` + "`json:\"f\"`" + `
	G string // G has a line comment.
	f string
}

// The values of T.
const (
	A = 1
	B = 2
)

// Do does.
func (T) Do() {}

type unexported int

func (unexported) Exported() {}
`
		probs, err := docProblems("x.go", []byte(src), hints.hint)
		require.NoError(t, err)
		assert.Empty(t, probs)
	})
}

// boilerplate matches oapi-codegen's stock doc comments, which say nothing a reader can use.
var boilerplate = regexp.MustCompile(`^//\s*(\w+) (defines (?:model|parameters|body) for) (\w+)`)

// docProblems lists, for one Go source file, every line of generator boilerplate and every exported
// identifier (type, function, method, constant, variable, struct field, interface method) without a
// doc comment. hint says where the text that is missing should come from.
func docProblems(name string, src []byte, hint func(typeName, jsonName string) string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	type problem struct {
		line int
		msg  string
	}
	var found []problem
	add := func(pos token.Pos, format string, args ...any) {
		line := fset.Position(pos).Line
		found = append(found, problem{line, fmt.Sprintf("%s:%d: ", name, line) + fmt.Sprintf(format, args...)})
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			m := boilerplate.FindStringSubmatch(c.Text)
			if m == nil {
				continue
			}
			where := hint(m[3], "")
			if m[2] != "defines model for" {
				where = "the override in templates/ should describe it"
			}
			add(c.Pos(), "%s has the generator's boilerplate %q; %s", m[1], m[2], where)
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv == nil {
				add(d.Pos(), "func %s has no doc comment; %s", d.Name.Name, hint("", ""))
				continue
			}
			if recv := receiverName(d.Recv); ast.IsExported(recv) {
				add(d.Pos(), "method %s.%s has no doc comment; %s", recv, d.Name.Name, hint("", ""))
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					if s.Doc == nil && d.Doc == nil {
						add(s.Pos(), "type %s has no doc comment; %s", s.Name.Name, hint(s.Name.Name, ""))
					}
					switch t := s.Type.(type) {
					case *ast.StructType:
						for _, fl := range t.Fields.List {
							if fl.Doc != nil || fl.Comment != nil {
								continue
							}
							for _, n := range fl.Names {
								if n.IsExported() {
									add(n.Pos(), "field %s.%s has no doc comment; %s", s.Name.Name, n.Name, hint(s.Name.Name, jsonName(fl)))
								}
							}
						}
					case *ast.InterfaceType:
						for _, m := range t.Methods.List {
							if m.Doc != nil || m.Comment != nil {
								continue
							}
							for _, n := range m.Names {
								if n.IsExported() {
									add(n.Pos(), "method %s.%s has no doc comment; %s", s.Name.Name, n.Name, hint("", ""))
								}
							}
						}
					}
				case *ast.ValueSpec:
					if s.Doc != nil || s.Comment != nil || d.Doc != nil {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							add(n.Pos(), "%s %s has no doc comment; %s", d.Tok, n.Name, hint("", ""))
						}
					}
				}
			}
		}
	}
	slices.SortStableFunc(found, func(a, b problem) int { return a.line - b.line })
	probs := make([]string, 0, len(found))
	for _, p := range found {
		probs = append(probs, p.msg)
	}
	return probs, nil
}

func receiverName(fl *ast.FieldList) string {
	if fl == nil || len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

func jsonName(fl *ast.Field) string {
	if fl.Tag == nil {
		return ""
	}
	tag, err := strconv.Unquote(fl.Tag.Value)
	if err != nil {
		return ""
	}
	n, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	return n
}

// docHints maps generated Go names back to the spec: a component schema by its type name, and a
// property by the name of the type generated for it (a request enum, or a known-values type).
type docHints struct {
	schemas map[string]string // folded Go name -> schema name
	props   map[string]string // folded Go name -> "components.schemas.S.properties.p"
}

// fold compares a spec name with a Go name: case and punctuation differ, letters do not.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

func newDocHints(doc *openapi3.T) docHints {
	h := docHints{schemas: map[string]string{}, props: map[string]string{}}
	for name, s := range doc.Components.Schemas {
		h.schemas[fold(name)] = name
		if s.Value == nil {
			continue
		}
		for prop, p := range s.Value.Properties {
			where := "components.schemas." + name + ".properties." + prop
			h.props[fold(name+prop)] = where
			for _, v := range []*openapi3.SchemaRef{p, p.Value.Items} {
				if v == nil || v.Value == nil {
					continue
				}
				if tn, ok := v.Value.Extensions[spec.ExtTypeName].(string); ok {
					h.props[fold(tn)] = where
				}
			}
		}
	}
	return h
}

const specFile = "spec/stytch-b2b.yaml"

func (h docHints) hint(typeName, jsonName string) string {
	if s, ok := h.schemas[fold(typeName)]; ok && typeName != "" {
		if jsonName != "" {
			return fmt.Sprintf("describe components.schemas.%s.properties.%s in %s", s, jsonName, specFile)
		}
		return fmt.Sprintf("describe components.schemas.%s in %s", s, specFile)
	}
	if p, ok := h.props[fold(typeName)]; ok && typeName != "" && jsonName == "" {
		return fmt.Sprintf("describe %s in %s", p, specFile)
	}
	return "it comes from cmd/gen's templates (templates/), which should document it"
}

// TestNoProseCountsTheOperations: no doc (the repository's Markdown files and the comments of its
// non-test Go files) says how many operations the SDK covers. Such a count goes stale with the next
// operation the spec gains; say "every operation" or point at the list (README.md's table, which a
// test checks, or b2b.Operations) instead.
func TestNoProseCountsTheOperations(t *testing.T) {
	count := regexp.MustCompile(`(?i)\b([0-9]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)( [a-z-]+)? (operations|endpoints)\b`)
	var found []string
	err := filepath.WalkDir(realRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(realRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || rel == "bench/ogenpeer/stytchogen" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		var text string
		switch {
		case strings.HasSuffix(rel, ".md"):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			text = string(data)
		case strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"):
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			for _, cg := range f.Comments {
				text += cg.Text() + "\n"
			}
		default:
			return nil
		}
		for _, m := range count.FindAllString(text, -1) {
			found = append(found, rel+": "+strconv.Quote(m))
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, found, "docs that count operations go stale when the spec gains one")
}
