package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oasdiff/yaml"

	"github.com/b2bauth/stytch-b2b-go/templates"
)

// File is one generated file, named relative to the repository root with forward slashes
// ("gen/client.gen.go").
type File struct {
	Name string
	Data []byte
}

// The directories cmd/gen writes to, relative to the repository root. gen/ holds generated code
// only; the facade packages hold one generated file each, next to their handwritten code.
const (
	genDir    = "gen"
	facadeDir = "b2b"
	fakeDir   = "b2b/b2btest"
)

// specJSONFile is the spec as JSON, which package spec embeds beside the YAML for the packages
// that load it at run time (the fake's validator, the drift checker): kin-openapi decodes JSON
// directly, where YAML costs it a parse and a conversion to JSON first, about a third of a first
// load.
const specJSONFile = "spec/stytch-b2b.gen.json"

// initialisms extends oapi-codegen's list so Go names read as the design's public names do
// (SessionJWT, PKCECodeVerifier, MFARequired, OAuthToken, ...).
var initialisms = []string{"JWT", "PKCE", "MFA", "SSO", "SCIM", "OAuth", "TOTP", "JIT", "RBAC", "OTP", "SMS", "SAML", "OIDC", "JWK", "JWKS"}

// codegenMu serialises Generate: oapi-codegen keeps its settings in package variables, which
// codegen.Generate writes and the name helpers used by buildModel read.
var codegenMu sync.Mutex

// Generate loads, validates and lints the spec, then returns the generated files: the gen package
// and the generated files of the facade (b2b) and of the fake (b2b/b2btest). It writes nothing. It
// is safe for concurrent use.
func Generate(ctx context.Context, specPath string) ([]File, error) {
	lintDoc, err := loadSpec(ctx, specPath, true)
	if err != nil {
		return nil, err
	}
	if err := validateSpec(ctx, specPath, lintDoc); err != nil {
		return nil, err
	}
	// oapi-codegen mutates the document it is given (prunes, renames), so it gets its own copy, and
	// the SDK model is read from a third, untouched one.
	genDoc, err := loadSpec(ctx, specPath, false)
	if err != nil {
		return nil, err
	}
	specDoc, err := loadSpec(ctx, specPath, false)
	if err != nil {
		return nil, err
	}

	overrides, err := readTemplates(templates.Overrides, ".")
	if err != nil {
		return nil, err
	}
	noVersion := "" // the header is fixed by templates/imports.tmpl; this only stops VCS lookups
	cfg := codegen.Configuration{
		PackageName: "gen",
		Generate:    codegen.GenerateOptions{Models: true, Client: true},
		OutputOptions: codegen.OutputOptions{
			UserTemplates:         overrides,
			NameNormalizer:        string(codegen.NameNormalizerFunctionToCamelCaseWithInitialisms),
			AdditionalInitialisms: initialisms,
			// Optional maps and slices are nil when absent; a pointer to them adds nothing.
			PreferSkipOptionalPointerOnContainerTypes: true,
		},
		Compatibility:        codegen.CompatibilityOptions{AlwaysPrefixEnumValues: true},
		AllowRemoteRefsFrom:  []string{},
		NoVCSVersionOverride: &noVersion,
	}.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("oapi-codegen configuration: %w", err)
	}
	codegenMu.Lock()
	defer codegenMu.Unlock()
	// The name helpers read the initialisms codegen.Generate installs; a run on an empty document
	// installs them before the names of the known-values types are computed.
	if _, err := codegen.Generate(&openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "-", Version: "-"}, Paths: openapi3.NewPaths()}, cfg); err != nil {
		return nil, fmt.Errorf("oapi-codegen: %w", err)
	}
	known, sites, err := knownTypeNames(specDoc)
	if err != nil {
		return nil, err
	}
	markKnownTypes(genDoc, sites)
	code, err := codegen.Generate(genDoc, cfg)
	if err != nil {
		return nil, fmt.Errorf("oapi-codegen: %w", err)
	}

	model, err := buildModel(specDoc, genDoc, []byte(code), known)
	if err != nil {
		return nil, err
	}
	digest, err := inputDigest(specPath)
	if err != nil {
		return nil, err
	}
	doc, err := format.Source([]byte(fmt.Sprintf(docGo, digest)))
	if err != nil {
		return nil, err
	}
	specJSON, err := jsonOfSpec(specPath)
	if err != nil {
		return nil, err
	}
	files := []File{
		{Name: genDir + "/client.gen.go", Data: []byte(code)},
		{Name: genDir + "/doc.go", Data: doc},
		{Name: specJSONFile, Data: specJSON},
	}
	for _, r := range []struct{ file, tmpl string }{
		{genDir + "/sdk.gen.go", "sdk/sdk.tmpl"},
		{facadeDir + "/models.gen.go", "sdk/facade.tmpl"},
		{fakeDir + "/operations.gen.go", "sdk/fake.tmpl"},
	} {
		data, err := render(r.tmpl, model)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: r.file, Data: data})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// docGo is gen/doc.go. Its go:generate line is assembled so that this file holds no line that
// starts with the directive: go generate would run it from cmd/gen, where ".." is not the root.
var docGo = `// Code generated by cmd/gen from spec/stytch-b2b.yaml. DO NOT EDIT.

// Package gen holds the models and the HTTP request builders generated from spec/stytch-b2b.yaml,
// and the operation table, validation and secret handling the b2b facade reads.
//
// Do not edit it: change the spec or templates/ and run "go generate ./..." (or "make generate").
// Applications use package [github.com/b2bauth/stytch-b2b-go/b2b], which re-exports these types
// under the names its methods use.
package gen

//go:` + `generate go run github.com/b2bauth/stytch-b2b-go/cmd/gen -root ..

// InputDigest identifies the spec and templates this package was generated from, so that any
// edit to them, even one that changes no generated code, shows as drift until gen/ is regenerated.
const InputDigest = "%s"
`

func readTemplates(fsys fs.FS, dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		// oapi-codegen treats a value without a newline as a file path or URL; ours are contents.
		text := string(b)
		if !strings.Contains(text, "\n") {
			text += "\n"
		}
		out[e.Name()] = text
	}
	return out, nil
}

// render executes one of the project's templates on the model and formats the result.
func render(name string, m *model) ([]byte, error) {
	text, err := fs.ReadFile(templates.SDK, name)
	if err != nil {
		return nil, err
	}
	t, err := template.New("sdk").Funcs(template.FuncMap{
		"quote":      strconv.Quote,
		"join":       strings.Join,
		"deref":      func(p *int64) int64 { return *p },
		"httpMethod": httpMethod,
	}).Parse(string(text))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, m); err != nil {
		return nil, err
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the output of %s: %w\n%s", name, err, buf.String())
	}
	return out, nil
}

// jsonOfSpec returns the spec as the JSON kin-openapi turns YAML into when it loads it (the same
// converter with the same options). It is compact, because kin-openapi validates the bytes of
// every nested object again as it decodes it, so whitespace costs on every level (indented, a
// load took 31 ms on this machine; compact, 26; the YAML, 43); but every member of the first
// levels (each path, each component schema) starts a line, so that a change reads as a diff.
func jsonOfSpec(specPath string) ([]byte, error) {
	src, err := os.ReadFile(specPath) //nolint:gosec // G304: the spec the user named with -spec
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if _, err := yaml.Unmarshal(src, &raw, yaml.DecodeOpts{DisableTimestamps: true}); err != nil {
		return nil, fmt.Errorf("%s as JSON: %w", specPath, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, fmt.Errorf("%s as JSON: %w", specPath, err)
	}
	return breakLines(compact.Bytes(), 3), nil
}

// breakLines returns compact JSON with a line break after every comma between the members or
// elements of the values nested at most depth levels deep, and a final one.
func breakLines(compact []byte, depth int) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/64)
	level, inString, escaped := 0, false, false
	for _, c := range compact {
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			level++
		case c == '}' || c == ']':
			level--
		case c == ',' && level <= depth:
			out = append(out, '\n')
		}
	}
	return append(out, '\n')
}

// inputDigest is the SHA-256 of the spec and of every template cmd/gen uses, each preceded by its
// name, in a fixed order.
func inputDigest(specPath string) (string, error) {
	h := sha256.New()
	spec, err := os.ReadFile(specPath) //nolint:gosec // G304: the spec the user named with -spec
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "spec %d\n", len(spec))
	h.Write(spec)
	for _, fsys := range []fs.FS{templates.Overrides, templates.SDK} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d\n", path, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
