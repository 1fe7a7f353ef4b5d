//go:build regen

package regentest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// root is the module root, from this package's directory.
const root = "../.."

// copyModule copies the module at root, without its .git, into a new temporary directory.
func copyModule(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o750)
		}
		if !d.Type().IsRegular() {
			return nil // no symlinks or devices in the module
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		out, err := os.OpenFile(filepath.Join(dst, rel), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err == nil {
			_, err = io.Copy(out, in)
			err = errors.Join(err, out.Close())
		}
		return errors.Join(err, in.Close())
	})
	require.NoError(t, err)
	return dst
}

// tree returns the SHA-256 of every file under dir, by path relative to dir.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(data)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	require.NoError(t, err)
	return out
}

// goCmd runs the go command with args in dir and fails the test, showing the output, when it does
// not exit 0.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...) //nolint:gosec // G204: the go command on PATH, with the test's own arguments
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	require.NoError(t, err, "go %s in a copy of the module:\n%s", strings.Join(args, " "), out.String())
}

// TestGoGenerateLeavesTheTreeUnchanged: go generate ./..., as the README and gen/doc.go say to
// run it, exits 0 in a fresh copy and changes no file (the committed gen/ is what it writes).
func TestGoGenerateLeavesTheTreeUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a copy of the module")
	}
	t.Parallel()
	dir := copyModule(t)
	before := tree(t, dir)
	goCmd(t, dir, "generate", "./...")
	after := tree(t, dir)
	var changed []string
	for p, h := range after {
		if before[p] != h {
			changed = append(changed, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			changed = append(changed, p+" (removed)")
		}
	}
	sort.Strings(changed)
	assert.Empty(t, changed, "go generate ./... changed files: regenerate and commit them (make generate)")
}

// TestGenerateRecreatesTheSpecJSON: with spec/stytch-b2b.gen.json deleted, the generator still
// builds (package spec, which it imports for the extension names, embeds the file when it exists)
// and writes the file again, identical.
func TestGenerateRecreatesTheSpecJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a copy of the module")
	}
	t.Parallel()
	dir := copyModule(t)
	file := filepath.Join(dir, "spec", "stytch-b2b.gen.json")
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.Remove(file))
	goCmd(t, dir, "run", "./cmd/gen")
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// insertAfter inserts text after the first line of spec that equals after, searching from the
// first line equal to from. It fails when either line is missing.
func insertAfter(t *testing.T, spec, from, after, text string) string {
	t.Helper()
	lines := strings.SplitAfter(spec, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimRight(l, "\n") == from {
			start = i
			break
		}
	}
	require.GreaterOrEqual(t, start, 0, "no line %q in the spec", from)
	for i := start; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\n") == after {
			return strings.Join(lines[:i+1], "") + text + strings.Join(lines[i+1:], "")
		}
	}
	require.FailNowf(t, "no such line", "no line %q after %q in the spec", after, from)
	return ""
}

// addOptionalFields is the spec edit of issue 9's first "done when": a new optional field in a
// nested answer object (Member, in the answers of many operations) and one in a request body. The
// fixtures, goldens, fake answers and redaction lists that must know every field are built from
// the spec, so after a regeneration nothing else needs an edit. checkOptionalFields checks, after
// the regeneration, that both fields were generated.
func addOptionalFields(t *testing.T, spec string) string {
	t.Helper()
	spec = insertAfter(t, spec, "    Member:", "      properties:",
		"        pronouns:\n          type: string\n          description: Pronouns the Member chose to show, if any.\n")
	return insertAfter(t, spec, "    MagicLinksAuthenticateRequest:", "      properties:",
		"        client_hint:\n          type: string\n          description: Free text naming the client that redeems the link, for the audit log.\n")
}

func checkOptionalFields(t *testing.T, dir string) {
	t.Helper()
	code, err := os.ReadFile(filepath.Join(dir, "gen", "client.gen.go"))
	require.NoError(t, err)
	require.Contains(t, string(code), `json:"pronouns,omitempty"`, "the answer field was generated")
	require.Contains(t, string(code), `json:"client_hint,omitempty"`, "the request field was generated")
}

// TestAnOperationNeedsOnlyItsMethod is issue 9's other "done when": an operation added to the
// magic links group, for either retry class, with its facade method (doc comment included) and
// nothing else, then a regeneration: the tests of the SDK, its fake, the drift detector and the
// generator pass in the copy. The re-exports, the fake's handle and spec-built answer, the README's
// table, fixtures, validation and redaction all follow from the spec.
//
// The copy with the unsent operation also carries the optional fields of addOptionalFields, so
// that one regeneration and one run of the tests check both "done when"s (each run of the tests
// in a copy costs about ten seconds of CPU); a failure there names the test that failed, and the
// change it follows from is one of the two.
func TestAnOperationNeedsOnlyItsMethod(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates and tests copies of the module")
	}
	for _, class := range []string{"unsent", "safe"} {
		t.Run(class, func(t *testing.T) {
			t.Parallel()
			dir := copyModule(t)
			specPath := filepath.Join(dir, "spec", "stytch-b2b.yaml")
			data, err := os.ReadFile(specPath)
			require.NoError(t, err)
			spec := insertAfter(t, string(data), "paths:", "paths:", `  /v1/b2b/magic_links/email/check:
    post:
      operationId: magicLinksEmailCheck
      tags: [magic_links]
      summary: Check that an email address can receive magic links
      description: Checks an email address without sending anything.
      x-stytch-retry: `+class+`
      externalDocs:
        url: https://stytch.com/docs/b2b/api/email-check
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/MagicLinksEmailCheckRequest'
      responses:
        '200':
          description: Whether the address can receive links.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/MagicLinksEmailCheckResponse'
        default:
          $ref: '#/components/responses/Error'

`)
			spec = insertAfter(t, spec, "components:", "  schemas:", `    MagicLinksEmailCheckRequest:
      type: object
      description: The address to check, sent to the email check.
      additionalProperties: false
      required: [email_address]
      properties:
        email_address:
          type: string
          minLength: 1
          description: The address to check.
        check_token:
          type: string
          x-stytch-secret: true
          description: A credential of the check, redacted wherever it is printed.
    MagicLinksEmailCheckResponse:
      type: object
      description: The answer of the email check.
      required: [request_id, status_code, reachable]
      properties:
        request_id:
          type: string
          description: ID of the call.
        status_code:
          type: integer
          format: int32
          description: HTTP status echoed in the body.
        reachable:
          type: boolean
          description: True when the address can receive magic links.
        checked_at:
          type: string
          format: date-time
          nullable: true
          description: When the address was last checked.
`)
			if class == "unsent" {
				spec = addOptionalFields(t, spec)
			}
			require.NoError(t, os.WriteFile(specPath, []byte(spec), 0o600))
			facade := filepath.Join(dir, "b2b", "magic_links.go")
			code, err := os.ReadFile(facade)
			require.NoError(t, err)
			code = append(code, []byte(`
// Check tells whether an email address can receive magic links, without sending anything.
//
// API: POST /v1/b2b/magic_links/email/check
// Stytch API docs: https://stytch.com/docs/b2b/api/email-check
func (c *MagicLinksEmailClient) Check(ctx context.Context, params *MagicLinksEmailCheckParams, opts ...CallOption) (*MagicLinksEmailCheckResponse, error) {
	return call[MagicLinksEmailCheckResponse](ctx, c.x, params, opts)
}
`)...)
			require.NoError(t, os.WriteFile(facade, code, 0o600))

			goCmd(t, dir, "run", "./cmd/gen")
			goCmd(t, dir, "run", "./cmd/gen", "-check")
			if class == "unsent" {
				checkOptionalFields(t, dir)
			}
			// -short leaves out only what does not read the spec: installing the official Node
			// SDK from npm, and building the probe in a new module (both run in make test itself).
			// The packages whose tests pick operations by retry class are vetted and tested for
			// both classes; the rest (the generator's, the commands' and the examples' tests,
			// which treat every operation alike whatever its class) once, with the unsent one.
			pkgs := []string{"./b2b/...", "./internal/...", "./spec/"}
			if class == "unsent" {
				pkgs = append(pkgs, "./cmd/...", "./examples/...")
			}
			goCmd(t, dir, append([]string{"vet"}, pkgs...)...)
			goCmd(t, dir, append([]string{"test", "-short", "-count=1"}, pkgs...)...)
		})
	}
}
