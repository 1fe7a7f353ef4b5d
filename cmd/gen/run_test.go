package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests exercise run's messages with a stand-in for Generate and prepared files in a
// temporary checkout, so they do not run oapi-codegen.

// fakeFiles is what the stand-in generator returns.
var fakeFiles = []File{
	{Name: "gen/client.gen.go", Data: []byte("package gen // client\n")},
	{Name: "gen/doc.go", Data: []byte("package gen // doc\n")},
	{Name: "gen/sdk.gen.go", Data: []byte("package gen // sdk\n")},
}

// fakeGenerate returns fakeFiles and records the spec path it was given; called says whether it ran.
func fakeGenerate(called *[]string) generateFunc {
	return func(_ context.Context, spec string) ([]File, error) {
		*called = append(*called, spec)
		return fakeFiles, nil
	}
}

// checkout builds a directory laid out like the SDK's repository: spec/stytch-b2b.yaml and gen/
// holding fakeFiles, plus the extra files given (path -> content; "<delete>" leaves a file out).
func checkout(t *testing.T, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{"spec/stytch-b2b.yaml": "openapi: 3.0.3\n", "go.mod": "module " + sdkModule + "\n"}
	for _, f := range fakeFiles {
		files[f.Name] = string(f.Data)
	}
	for p, c := range extra {
		files[p] = c
	}
	for p, c := range files {
		if c == "<delete>" {
			continue
		}
		path := filepath.Join(root, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
		require.NoError(t, os.WriteFile(path, []byte(c), 0o600))
	}
	return root
}

func runFake(t *testing.T, args ...string) (code int, stdout, stderr string, called []string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runWith(fakeGenerate(&called), args, &out, &errOut)
	return code, out.String(), errOut.String(), called
}

func TestRunWriteSaysWhatItWrote(t *testing.T) {
	t.Parallel()
	root := checkout(t, map[string]string{
		"gen/sdk.gen.go":      "package gen // edited by hand\n",
		"gen/doc.go":          "<delete>",
		"gen/leftover.gen.go": "package gen\n",
	})
	gen := filepath.Join(root, "gen")

	code, stdout, stderr, called := runFake(t, "-root", root)

	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, []string{filepath.Join(root, "spec", "stytch-b2b.yaml")}, called)
	assert.Equal(t, "gen: unchanged "+filepath.Join(gen, "client.gen.go")+"\n"+
		"gen: created   "+filepath.Join(gen, "doc.go")+"\n"+
		"gen: removed   "+filepath.Join(gen, "leftover.gen.go")+"\n"+
		"gen: updated   "+filepath.Join(gen, "sdk.gen.go")+"\n", stdout)
	for _, f := range fakeFiles {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Name)))
		require.NoError(t, err)
		assert.Equal(t, string(f.Data), string(got))
	}
	assert.NoFileExists(t, filepath.Join(gen, "leftover.gen.go"))

	// A second run changes nothing and says so.
	code, stdout, _, _ = runFake(t, "-root", root)
	require.Equal(t, 0, code)
	assert.Equal(t, 3, strings.Count(stdout, "gen: unchanged "), stdout)
	assert.Equal(t, 3, strings.Count(stdout, "\n"), stdout)
}

func TestRunWriteIntoNewDirectory(t *testing.T) {
	t.Parallel()
	root := checkout(t, nil)
	require.NoError(t, os.RemoveAll(filepath.Join(root, "gen")))
	code, stdout, stderr, _ := runFake(t, "-root", root)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 3, strings.Count(stdout, "gen: created "), stdout)
}

// TestRunCheckHint: -check names a command that exists where it runs.
func TestRunCheckHint(t *testing.T) {
	t.Parallel()
	stale := map[string]string{"gen/sdk.gen.go": "package gen // stale\n"}
	with := func(more map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range stale {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		files map[string]string
		hint  func(root string) string
	}{
		{"Makefile with a generate target", with(map[string]string{"Makefile": ".PHONY: generate\n\ngenerate:\n\tgo run ./cmd/gen\n", "cmd/gen/main.go": "package main\n"}),
			func(root string) string { return "run `make generate` in " + root }},
		{"Makefile without one, generator in the checkout", with(map[string]string{"Makefile": "test:\n\tgo test ./...\n# generate: not a target\n", "cmd/gen/main.go": "package main\n"}),
			func(root string) string { return "run `go run ./cmd/gen` in " + root }},
		{"neither", stale,
			func(root string) string { return "run `go run " + sdkModule + "/cmd/gen -root " + root + "`" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := checkout(t, tt.files)
			code, stdout, stderr, _ := runFake(t, "-check", "-root", root)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			gen, spec := filepath.Join(root, "gen"), filepath.Join(root, "spec", "stytch-b2b.yaml")
			assert.Equal(t, "gen: the generated files under "+root+" are out of date with "+spec+" and templates/; "+tt.hint(root)+":\n"+
				"  stale:   "+filepath.Join(gen, "sdk.gen.go")+"\n", stderr)
		})
	}
}

// TestRunCheckHintAtRoot: run from the checkout itself, the hint has no directory.
func TestRunCheckHintAtRoot(t *testing.T) {
	root := checkout(t, map[string]string{"gen/doc.go": "package gen // stale\n", "Makefile": "generate:\n\tgo run ./cmd/gen\n"})
	t.Chdir(root)
	code, _, stderr, _ := runFake(t, "-check")
	assert.Equal(t, 1, code)
	assert.Equal(t, "gen: the generated files under . are out of date with spec/stytch-b2b.yaml and templates/; run `make generate`:\n  stale:   gen/doc.go\n", stderr)

	code, stdout, stderr, _ := runFake(t, "-check", "-root", ".")
	assert.Equal(t, 1, code, stdout)
	assert.Contains(t, stderr, "; run `make generate`:\n")
}

func TestRunCheckClean(t *testing.T) {
	t.Parallel()
	root := checkout(t, nil)
	code, stdout, stderr, called := runFake(t, "-check", "-root", root)
	assert.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Len(t, called, 1)
	assert.Equal(t, "gen: the 3 generated files under "+root+" are up to date\n", stdout)
}

// TestRunCheckWhereNothingCanBeChecked: when the spec or gen/ is missing under -root, or -root is
// a read-only copy, gen says what it looked for and where -check applies, and generates nothing.
func TestRunCheckWhereNothingCanBeChecked(t *testing.T) {
	t.Parallel()
	// A module that only depends on the SDK, and vendors it.
	dependent := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dependent, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n\nrequire "+sdkModule+" v1.0.0\n"), 0o600))
	vendoredSDK := filepath.Join(dependent, "vendor", filepath.FromSlash(sdkModule))
	require.NoError(t, os.MkdirAll(filepath.Join(vendoredSDK, "gen"), 0o750))
	// A copy laid out like the module cache (a .../pkg/mod/...@v1.2.3 directory).
	cached := filepath.Join(t.TempDir(), "pkg", "mod", "github.com", "b2bauth", "stytch-b2b-go@v1.2.3")
	require.NoError(t, os.MkdirAll(filepath.Join(cached, "spec"), 0o750))
	require.NoError(t, os.MkdirAll(filepath.Join(cached, "gen"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(cached, "spec", "stytch-b2b.yaml"), []byte("openapi: 3.0.3\n"), 0o600))
	noGen := checkout(t, nil)
	require.NoError(t, os.RemoveAll(filepath.Join(noGen, "gen")))
	noGenWithMake := checkout(t, map[string]string{"Makefile": "generate:\n\tgo run ./cmd/gen\n"})
	require.NoError(t, os.RemoveAll(filepath.Join(noGenWithMake, "gen")))

	tests := []struct {
		name string
		args []string
		want []string // lines (or parts of lines) of stderr, in order
		not  []string
	}{
		{
			name: "a module that depends on the SDK",
			args: []string{"-check", "-root", dependent},
			want: []string{
				"gen: no spec at " + filepath.Join(dependent, "spec", "stytch-b2b.yaml") + ` (-spec "spec/stytch-b2b.yaml" under -root "` + dependent + `").`,
				"gen works on a checkout of the SDK (its own repository or a fork)",
				"The module at " + dependent + " is example.com/app, not the SDK",
				"verifies against go.sum, so there is nothing to check",
				`Its vendored copy is checked with "go mod vendor" then "git diff --exit-code -- vendor/".`,
			},
		},
		{
			name: "a vendored copy without spec/",
			args: []string{"-check", "-root", vendoredSDK},
			want: []string{
				"gen: no spec at " + filepath.Join(vendoredSDK, "spec", "stytch-b2b.yaml"),
				vendoredSDK + " looks like a vendored copy",
				`"go mod vendor" then "git diff --exit-code -- vendor/"`,
			},
			not: []string{"make generate"},
		},
		{
			name: "the module cache",
			args: []string{"-check", "-root", cached},
			want: []string{
				"gen: " + cached + " is in the Go module cache (",
				"verified against go.sum by the go command, so it cannot drift",
				"gen and -check apply to a checkout of the SDK (its own repository or a fork).",
			},
		},
		{
			name: "the module cache, without -check",
			args: []string{"-root", cached},
			want: []string{"is in the Go module cache"},
		},
		{
			name: "a checkout without gen/",
			args: []string{"-check", "-root", noGen},
			want: []string{
				"gen: -check: no generated package at " + filepath.Join(noGen, "gen") + ` (gen/ under -root "` + noGen + `"), next to the spec ` + filepath.Join(noGen, "spec", "stytch-b2b.yaml") + ".",
				"run `go run " + sdkModule + "/cmd/gen -root " + noGen + "` to create them.",
			},
		},
		{
			name: "a checkout without gen/, with a Makefile",
			args: []string{"-check", "-root", noGenWithMake},
			want: []string{"run `make generate` in " + noGenWithMake + " to create them."},
		},
		{
			name: "a -spec that is not there",
			args: []string{"-check", "-root", noGen, "-spec", "api/other.yaml"},
			want: []string{"gen: no spec at " + filepath.Join(noGen, "api", "other.yaml") + ` (-spec "api/other.yaml" under -root "` + noGen + `").`},
			not:  []string{"not the SDK"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr, called := runFake(t, tt.args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Empty(t, called, "nothing is generated")
			rest := stderr
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if !assert.GreaterOrEqual(t, i, 0, "stderr lacks (in order) %q:\n%s", w, stderr) {
					break
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				assert.NotContains(t, stderr, n)
			}
		})
	}
}

// TestRunCheckModuleCacheFromEnvironment: a -root under $GOMODCACHE is refused whatever its name.
func TestRunCheckModuleCacheFromEnvironment(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	root := filepath.Join(cache, "example.com", "fork")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "spec"), 0o750))
	code, _, stderr, called := runFake(t, "-check", "-root", root)
	assert.Equal(t, 1, code)
	assert.Empty(t, called)
	assert.Contains(t, stderr, "gen: "+root+" is in the Go module cache ("+cache+")")
}

func TestRunGenerateErrors(t *testing.T) {
	t.Parallel()
	root := checkout(t, nil)
	var out, errOut bytes.Buffer
	failing := func(context.Context, string) ([]File, error) {
		return nil, &ProblemsError{Problems: []Problem{{Place: "spec.yaml:3 paths./x.post", Message: "bad"}}}
	}
	code := runWith(failing, []string{"-check", "-root", root}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Equal(t, "gen: "+filepath.Join(root, "spec", "stytch-b2b.yaml")+" has 1 problem(s):\n  spec.yaml:3 paths./x.post: bad\n", errOut.String())

	errOut.Reset()
	code = runWith(func(context.Context, string) ([]File, error) { return nil, errors.New("boom") }, []string{"-root", root}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Equal(t, "gen: boom\n", errOut.String())
	assert.Empty(t, out.String())
}

func TestRunArguments(t *testing.T) {
	t.Parallel()
	code, _, stderr, called := runFake(t, "-check", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unexpected argument "extra"`)
	assert.Empty(t, called)
}

func TestRunHelpersMakeTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for content, want := range map[string]bool{
		"generate:\n\tgo run ./cmd/gen\n":       true,
		"generate: deps\n":                      true,
		"generate::\n":                          true,
		".PHONY: generate\n":                    false,
		"regenerate:\n":                         false,
		"generate-docs:\n":                      false,
		"# generate:\n":                         false,
		"x := 1\ngenerate :\n\t$(GO) run gen\n": true,
	} {
		p := filepath.Join(dir, "Makefile")
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		assert.Equal(t, want, hasMakeTarget(p, "generate"), "%q", content)
	}
	assert.False(t, hasMakeTarget(filepath.Join(dir, "missing"), "generate"))
}
