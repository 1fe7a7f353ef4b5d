package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/spec"
)

// oapi-codegen keeps its configuration in package-level variables (v2.8.2, pkg/codegen/codegen.go,
// "This is global state"); Generate holds codegenMu around everything that touches them, so tests
// may call it in parallel: loading and linting the spec overlap, code generation takes turns.
//
// A Generate run on the real spec takes about a second under the race detector, so the tests share
// runs: realFiles is one run that every test comparing with the real output reads; TestWrite's run
// is the second one TestGenerateIsDeterministic needs; one stale copy of the output shows every
// kind of difference -check reports. Broken specs stop before oapi-codegen and cost little.

const realRoot = "../.."

// realSpec is the absolute path of the real spec (-spec is relative to -root otherwise).
var realSpec = func() string {
	p, err := filepath.Abs("../../spec/stytch-b2b.yaml")
	if err != nil {
		panic(err)
	}
	return p
}()

// getRetry is the retry class of the recovery codes GET, with enough context to occur once.
const getRetry = "x-stytch-retry: safe\n      externalDocs:\n        description: Stytch API reference\n        url: https://stytch.com/docs/api-reference/b2b/api/mfa/recovery-codes/get-recovery-codes\n"

// edit is a textual change to the real spec: old must occur exactly once.
type edit struct{ old, new string }

// brokenSpec writes a copy of the real spec with the edits applied to a temp dir and returns its path.
func brokenSpec(t *testing.T, edits ...edit) string {
	t.Helper()
	data, err := os.ReadFile(realSpec)
	require.NoError(t, err)
	text := string(data)
	for _, e := range edits {
		require.Equal(t, 1, strings.Count(text, e.old), "the edit anchor must occur exactly once in the spec: %q", e.old)
		text = strings.Replace(text, e.old, e.new, 1)
	}
	path := filepath.Join(t.TempDir(), "stytch-b2b.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// runGen calls run in-process and returns its exit code, stdout and stderr.
func runGen(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// runGenShared is runGen with the files of realFiles standing in for a Generate run on the real
// spec (any other spec is generated): for the tests of what the command does with the files,
// which need not pay for another run of oapi-codegen.
func runGenShared(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	shared := func(ctx context.Context, specPath string) ([]File, error) {
		if abs, err := filepath.Abs(specPath); err == nil && abs == realSpec {
			g, err := realFiles()
			if err != nil {
				return nil, err
			}
			out := make([]File, len(g.files))
			for i, f := range g.files {
				out[i] = File{Name: f.Name, Data: bytes.Clone(f.Data)}
			}
			return out, nil
		}
		return Generate(ctx, specPath)
	}
	var stdout, stderr bytes.Buffer
	code := runWith(shared, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// sentinelDir returns an output directory holding one hand-made file, and a function asserting
// that the directory still holds exactly that file, unchanged.
func sentinelDir(t *testing.T) (string, func()) {
	t.Helper()
	dir := t.TempDir()
	const content = "do not touch\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sentinel.txt"), []byte(content), 0o600))
	return dir, func() {
		t.Helper()
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		assert.Equal(t, []string{"sentinel.txt"}, names, "a bad spec must not write anything")
		got, err := os.ReadFile(filepath.Join(dir, "sentinel.txt"))
		require.NoError(t, err)
		assert.Equal(t, content, string(got))
	}
}

func TestBrokenSpecs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edits []edit
		// want is (part of) the message of the expected problem; place is a regexp matching what
		// follows the spec's file name on its line: ":<line> <locator>" for the project's lint
		// rules; kin-openapi's own checks give the file only and locate the problem in the message.
		want  string
		place string
		// at, when set, is a text that occurs once in the broken spec; the line number in the
		// place must be that of its last line.
		at string
	}{
		{
			// kin-openapi's message names both operations: the problem is at the first one's line
			// and names the other's.
			name:  "duplicate operationId",
			at:    "  /v1/b2b/recovery_codes/recover:\n    post:",
			edits: []edit{{"operationId: recoveryCodesRotate", "operationId: recoveryCodesRecover"}},
			want: `operations "POST /v1/b2b/recovery_codes/recover" and "POST /v1/b2b/recovery_codes/rotate" have the same operation id "recoveryCodesRecover": ` +
				`operationIds must be unique (the facade's method and types are named after them): rename one (also at `,
			place: `:\d+ paths\./v1/b2b/recovery_codes/recover\.post: invalid OpenAPI: .*\(also at \S+:\d+ paths\./v1/b2b/recovery_codes/rotate\.post\)$`,
		},
		{
			name: "undeclared path parameter",
			at:   "  /v1/b2b/recovery_codes/{organization_id}/{member_id}/{code_id}:\n    get:",
			edits: []edit{{
				"/v1/b2b/recovery_codes/{organization_id}/{member_id}:",
				"/v1/b2b/recovery_codes/{organization_id}/{member_id}/{code_id}:",
			}},
			want: "operation GET /v1/b2b/recovery_codes/{organization_id}/{member_id}/{code_id} must define exactly all path parameters (missing: [code_id]): " +
				"declare code_id under the operation's (or the path's) parameters with in: path, required: true and schema {type: string, minLength: 1}",
			place: `:\d+ paths\./v1/b2b/recovery_codes/\{organization_id\}/\{member_id\}/\{code_id\}\.get: invalid OpenAPI: `,
		},
		{
			name: "path parameter missing from the path",
			at:   "  /v1/b2b/recovery_codes/{organization_id}:\n    get:",
			edits: []edit{{
				"/v1/b2b/recovery_codes/{organization_id}/{member_id}:",
				"/v1/b2b/recovery_codes/{organization_id}:",
			}},
			want:  "(missing: [member_id]): member_id is declared as a path parameter but is not in the path: add {member_id} to the path or remove the parameter",
			place: `:\d+ paths\./v1/b2b/recovery_codes/\{organization_id\}\.get: invalid OpenAPI: `,
		},
		{
			name: "bad $ref",
			edits: []edit{{
				"$ref: '#/components/schemas/RecoveryCodesRotateResponse'",
				"$ref: '#/components/schemas/RecoveryCodesRotateResponze'",
			}},
			// The loader stops at the first unresolvable reference; gen names the line using it.
			want:  `unresolvable $ref #/components/schemas/RecoveryCodesRotateResponze: cannot load: failed to resolve "RecoveryCodesRotateResponze"`,
			place: `:\d+: `,
		},
		{
			name: "operation without x-stytch-retry",
			at:   "  /v1/b2b/recovery_codes/rotate:\n    post:",
			edits: []edit{{
				"Invalidates all current recovery codes of the Member and generates a new set. Not idempotent.\n      x-stytch-retry: unsent\n",
				"Invalidates all current recovery codes of the Member and generates a new set. Not idempotent.\n",
			}},
			want:  "operation has no x-stytch-retry retry class (one of safe, unsent)",
			place: `:\d+ paths\./v1/b2b/recovery_codes/rotate\.post`,
		},
		{
			name:  "invalid x-stytch-retry value",
			at:    "  /v1/b2b/recovery_codes/{organization_id}/{member_id}:\n    get:",
			edits: []edit{{getRetry, strings.Replace(getRetry, "safe", "idempotent", 1)}},
			want:  "x-stytch-retry is idempotent, want one of safe, unsent",
			place: `:\d+ paths\./v1/b2b/recovery_codes/\{organization_id\}/\{member_id\}\.get`,
		},
		{
			name: "operation without a tag",
			at:   "  /v1/b2b/recovery_codes/rotate:\n    post:",
			edits: []edit{{
				"      tags: [recovery_codes]\n      summary: Replace a Member's recovery codes\n",
				"      summary: Replace a Member's recovery codes\n",
			}},
			want:  "operation must have exactly one tag, has 0",
			place: `:\d+ paths\./v1/b2b/recovery_codes/rotate\.post`,
		},
		{
			name: "200 response without request_id",
			at:   "  /v1/b2b/magic_links/email/discovery/send:\n    post:",
			edits: []edit{{
				"      description: Answer once the discovery email is on its way; it carries only the request ID and status.\n      required: [request_id, status_code]\n      properties:\n        request_id:\n          type: string\n          description: Unique ID of this call, useful when debugging with Stytch.\n        status_code:",
				"      description: Answer once the discovery email is on its way; it carries only the request ID and status.\n      required: [status_code]\n      properties:\n        status_code:",
			}},
			want:  "success response has no request_id property",
			place: `:\d+ paths\./v1/b2b/magic_links/email/discovery/send\.post\.responses\.200`,
		},
		{
			name: "unreferenced schema",
			at:   "    Orphan:",
			edits: []edit{{
				"    # ------------------------------------------------------------------ errors\n",
				"    Orphan:\n      type: object\n      description: Referenced by nothing.\n      properties:\n        id:\n          type: string\n\n    # ------------------------------------------------------------------ errors\n",
			}},
			want:  "schema is not referenced by any operation",
			place: `:\d+ components\.schemas\.Orphan`,
		},
		{
			name: "path parameter not required",
			at:   "        - name: member_id",
			edits: []edit{{
				"          required: true\n          description: ID of the Member (their external ID also works, if set).",
				"          required: false\n          description: ID of the Member (their external ID also works, if set).",
			}},
			want:  `path parameter "member_id" must be required`,
			place: `:\d+ paths\./v1/b2b/recovery_codes/\{organization_id\}/\{member_id\}\.get\.parameters\.member_id`,
		},
		{
			name: "x-stytch-secret on an integer",
			at:   "        recovery_codes_remaining:",
			edits: []edit{{
				"        recovery_codes_remaining:\n          type: integer\n",
				"        recovery_codes_remaining:\n          type: integer\n          x-stytch-secret: true\n",
			}},
			want:  "x-stytch-secret marks a property that is not a string or an array of strings",
			place: `:\d+ components\.schemas\.RecoveryCodesRecoverResponse\.properties\.recovery_codes_remaining`,
		},
		{
			name: "credential without x-stytch-secret",
			at:   "        recovery_code:",
			edits: []edit{{
				"          x-stytch-secret: true\n          description: One unused recovery code of the Member; it is consumed by this call.\n",
				"          description: One unused recovery code of the Member; it is consumed by this call.\n",
			}},
			want:  `property "recovery_code" is named like a credential: mark it x-stytch-secret: true (it is then redacted when printed or logged and scrubbed from errors), or x-stytch-secret: false if it is not one`,
			place: `:\d+ components\.schemas\.RecoveryCodesRecoverRequest\.properties\.recovery_code`,
		},
		{
			name: "misspelt x-stytch-secret",
			at:   "          x-stytch-secrets: true",
			edits: []edit{{
				"          x-stytch-secret: true\n          description: One unused recovery code of the Member; it is consumed by this call.\n",
				"          x-stytch-secrets: true\n          description: One unused recovery code of the Member; it is consumed by this call.\n",
			}},
			want:  "unknown extension x-stytch-secrets: did you mean x-stytch-secret?",
			place: `:\d+ components\.schemas\.RecoveryCodesRecoverRequest\.properties\.recovery_code\.x-stytch-secrets`,
		},
		{
			name:  "enum in a response schema",
			at:    "        error_type:",
			edits: []edit{{"          x-stytch-type-name: ErrorType\n          x-stytch-known-values:\n", "          x-stytch-type-name: ErrorType\n          enum:\n"}},
			want:  "enum in a schema a response reaches: use x-stytch-known-values with the same values instead",
			place: `:\d+ components\.schemas\.Error\.properties\.error_type`,
		},
		{
			name:  "operation without a summary",
			at:    "  /v1/b2b/recovery_codes/rotate:\n    post:",
			edits: []edit{{"      summary: Replace a Member's recovery codes\n", ""}},
			want:  "operation has no summary: add one line saying what it does (README.md's table of operations and the generated docs show it)",
			place: `:\d+ paths\./v1/b2b/recovery_codes/rotate\.post`,
		},
		{
			name: "operation without a docs link",
			at:   "  /v1/b2b/recovery_codes/rotate:\n    post:",
			edits: []edit{{
				"      externalDocs:\n        description: Stytch API reference\n        url: https://stytch.com/docs/b2b/api/recovery-codes-rotate\n",
				"",
			}},
			want:  "operation has no externalDocs: add externalDocs.url, its page of Stytch's API reference",
			place: `:\d+ paths\./v1/b2b/recovery_codes/rotate\.post`,
		},
		{
			name: "schema property without a description",
			at:   "        recovery_code:",
			edits: []edit{{
				"          description: One unused recovery code of the Member; it is consumed by this call.\n",
				"",
			}},
			want:  `property "recovery_code" has no description: add one (it becomes the doc comment of the generated Go field)`,
			place: `:\d+ components\.schemas\.RecoveryCodesRecoverRequest\.properties\.recovery_code`,
		},
		{
			name: "path parameters and a body",
			at:   "  /v1/b2b/recovery_codes/rotate/{member_id}:\n    parameters:\n      - name: member_id\n        in: path\n        required: true\n        description: ID of the Member.\n        schema:\n          type: string\n          minLength: 1\n    post:",
			edits: []edit{{
				"  /v1/b2b/recovery_codes/rotate:\n    post:",
				"  /v1/b2b/recovery_codes/rotate/{member_id}:\n    parameters:\n      - name: member_id\n        in: path\n        required: true\n        description: ID of the Member.\n        schema:\n          type: string\n          minLength: 1\n    post:",
			}},
			want:  "an operation with both path parameters and a body is not supported by the facade",
			place: `:\d+ paths\./v1/b2b/recovery_codes/rotate/\{member_id\}\.post`,
		},
		{
			name: "request property with an unsupported constraint",
			at:   "        impersonation_token:",
			edits: []edit{{
				"        impersonation_token:\n          type: string\n",
				"        impersonation_token:\n          type: string\n          not:\n            enum: [imp-]\n",
			}},
			want:  `request property uses "not", which the generated validation does not enforce`,
			place: `:\d+ components\.schemas\.ImpersonationAuthenticateRequest\.properties\.impersonation_token`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			specPath := brokenSpec(t, tt.edits...)
			out, untouched := sentinelDir(t)

			code, stdout, stderr := runGen(t, "-root", out, "-spec", specPath)

			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "gen: "+specPath+" has ", "the header names the spec")
			place := `^  ` + regexp.QuoteMeta(specPath) + tt.place
			if tt.at != "" {
				place = `^  ` + regexp.QuoteMeta(fmt.Sprintf("%s:%d ", specPath, lineOf(t, specPath, tt.at))) + strings.TrimPrefix(tt.place, `:\d+ `)
			}
			problemLine(t, stderr, tt.want, place)
			untouched()

			// Generate reports the same problem as a typed error.
			_, err := Generate(context.Background(), specPath)
			var pe *ProblemsError
			require.ErrorAs(t, err, &pe)
			assert.NotEmpty(t, pe.Problems)
			assert.Contains(t, pe.Error(), tt.want)
		})
	}
}

// lineOf returns the 1-based number of the last line of text, which must occur once in the file.
func lineOf(t *testing.T, path, text string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(data), text), "%q must occur once", text)
	i := strings.Index(string(data), text) + len(text)
	return strings.Count(string(data[:i]), "\n") + 1
}

// problemLine asserts that a line of stderr contains want and matches the regexp place, which
// says where the problem is.
func problemLine(t *testing.T, stderr, want, place string) {
	t.Helper()
	re := regexp.MustCompile(place)
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, want) && re.MatchString(l) {
			return
		}
	}
	assert.Fail(t, "problem not reported", "no line mentions %q at %s in:\n%s", want, place, stderr)
}

// TestExternalRefIsRefused: a reference to another file is refused, even when the file exists and
// holds what the reference names: the spec is one self-contained document, and nothing outside it
// can change the generated code.
func TestExternalRefIsRefused(t *testing.T) {
	t.Parallel()
	specPath := brokenSpec(t, edit{
		"$ref: '#/components/schemas/RecoveryCodesRotateResponse'",
		"$ref: 'other.yaml#/components/schemas/RecoveryCodesRotateResponse'",
	})
	data, err := os.ReadFile(realSpec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(specPath), "other.yaml"), data, 0o600))
	out, untouched := sentinelDir(t)

	code, stdout, stderr := runGen(t, "-root", out, "-spec", specPath)

	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	problemLine(t, stderr, "other.yaml#/components/schemas/RecoveryCodesRotateResponse", `^  `+regexp.QuoteMeta(specPath))
	// The refusal itself: without it the loader would try the file (from the working directory)
	// and fail differently, naming the reference all the same.
	assert.Contains(t, stderr, "encountered disallowed external reference")
	untouched()
	_, err = Generate(context.Background(), specPath)
	var pe *ProblemsError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Error(), "other.yaml")
}

// inviteHeader is the first header parameter of the invite, with enough context to occur once.
const inviteHeader = "        url: https://stytch.com/docs/api-reference/b2b/api/email-magic-links/organization/send-invite-email\n      parameters:\n        - name: X-Stytch-Member-Session"

// TestLintRules breaks, in one copy of the spec, each lint rule of load.go that the cases of
// TestBrokenSpecs do not: gen lists every problem, each with its message and its place (the line
// of the property, parameter, response or schema the rule is about). One spec for all keeps the
// test to two loads of the spec.
func TestLintRules(t *testing.T) {
	t.Parallel()
	const rotate = "      description: Body of a request to replace every recovery code of a Member with a new set.\n      additionalProperties: false\n      required: [organization_id, member_id]\n      properties:\n"
	specPath := brokenSpec(t,
		// A path parameter that is not a string.
		edit{"          description: ID of the Member's organization (its slug or external ID also work).\n          schema:\n            type: string\n            minLength: 1\n",
			"          description: ID of the Member's organization (its slug or external ID also work).\n          schema:\n            type: integer\n"},
		// A success answer that does not require request_id and status_code.
		edit{"      description: Answer once the discovery email is on its way; it carries only the request ID and status.\n      required: [request_id, status_code]\n",
			"      description: Answer once the discovery email is on its way; it carries only the request ID and status.\n"},
		// x-stytch-secret neither true nor false on a property and on a header parameter; an
		// exactly-one group of one name.
		edit{"      required: [impersonation_token]\n      properties:\n        impersonation_token:\n          type: string\n          minLength: 1\n          x-stytch-secret: true\n",
			"      x-stytch-exactly-one: [impersonation_token]\n      required: [impersonation_token]\n      properties:\n        impersonation_token:\n          type: string\n          minLength: 1\n          x-stytch-secret: 'yes'\n"},
		edit{inviteHeader + "\n          in: header\n          required: false\n          x-stytch-secret: true\n",
			inviteHeader + "\n          in: header\n          required: false\n          x-stytch-secret: 'yes'\n"},
		// minLength 1 on an optional string, a maxLength below the minLength, a required string
		// without minLength, a one-element allOf, groups naming what they must not (an
		// exactly-one group naming a missing, a required and an integer property, an at-most-one
		// group of one name, an at-least-one group naming a property twice and an integer), and
		// nested request objects (directly and as array items) breaking rules of their own (a
		// pattern on an integer, a required string without minLength).
		edit{rotate, "      description: Body of a request to replace every recovery code of a Member with a new set.\n      additionalProperties: false\n" +
			"      x-stytch-exactly-one: [optional_hint, nope, member_id, count]\n" +
			"      x-stytch-at-most-one: [optional_hint]\n" +
			"      x-stytch-at-least-one: [optional_hint, bare_code_twin, optional_hint, count]\n" +
			"      required: [organization_id, member_id, wide_code, bare_code]\n      properties:\n" +
			"        optional_hint:\n          type: string\n          description: d\n          minLength: 1\n" +
			"        wide_code:\n          type: string\n          description: d\n          minLength: 2\n          maxLength: 1\n" +
			"        bare_code:\n          type: string\n          description: d\n" +
			"        bare_code_twin:\n          type: string\n          description: d\n" +
			"        wrapped:\n          nullable: true\n          description: d\n          allOf:\n            - $ref: '#/components/schemas/Error'\n" +
			"        count:\n          type: integer\n          description: d\n" +
			"        address:\n          $ref: '#/components/schemas/RotateAddress'\n" +
			"        contacts:\n          type: array\n          description: d\n          items:\n            $ref: '#/components/schemas/RotateContact'\n"},
		edit{"    # ------------------------------------------------------------------ errors\n",
			"    RotateAddress:\n      type: object\n      description: d\n      properties:\n        street:\n          type: integer\n          description: d\n          pattern: '^x'\n\n" +
				"    RotateContact:\n      type: object\n      description: d\n      required: [contact_name]\n      properties:\n        contact_name:\n          type: string\n          description: d\n\n" +
				"    # ------------------------------------------------------------------ errors\n"},
	)
	out, untouched := sentinelDir(t)

	code, stdout, stderr := runGen(t, "-root", out, "-spec", specPath)

	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	at := func(text string) string {
		return `^  ` + regexp.QuoteMeta(fmt.Sprintf("%s:%d ", specPath, lineOf(t, specPath, text)))
	}
	const rotateAt = "components\\.schemas\\.RecoveryCodesRotateRequest"
	problems := []struct{ want, place string }{
		{`path parameter "organization_id" must be a string`,
			at("        - name: organization_id") + `paths\./v1/b2b/recovery_codes/\{organization_id\}/\{member_id\}\.get\.parameters\.organization_id`},
		{"success response must list request_id as required", at("  /v1/b2b/magic_links/email/discovery/send:\n    post:") + `paths\./v1/b2b/magic_links/email/discovery/send\.post\.responses\.200`},
		{"success response must list status_code as required", at("  /v1/b2b/magic_links/email/discovery/send:\n    post:") + `paths\./v1/b2b/magic_links/email/discovery/send\.post\.responses\.200`},
		{"x-stytch-secret is yes, want true (a credential) or false (named like one, but not one)", at("        impersonation_token:") + `components\.schemas\.ImpersonationAuthenticateRequest\.properties\.impersonation_token`},
		{"x-stytch-secret is yes, want true (a credential) or false (named like one, but not one)", at(inviteHeader) + `paths\./v1/b2b/magic_links/email/invite\.post\.parameters\.X-Stytch-Member-Session`},
		{"x-stytch-exactly-one must list at least two property names", at("    ImpersonationAuthenticateRequest:") + `components\.schemas\.ImpersonationAuthenticateRequest\.x-stytch-exactly-one`},
		{"minLength 1 is only supported on required string properties", at("        optional_hint:") + rotateAt + `\.properties\.optional_hint`},
		{"maxLength 1 is below minLength 2: no value fits", at("        wide_code:") + rotateAt + `\.properties\.wide_code`},
		{"required string property must declare minLength: 1 (the API rejects an empty value)", at("        bare_code:") + rotateAt + `\.properties\.bare_code`},
		{`request property uses "allOf", which the generated validation does not enforce`, at("        wrapped:") + rotateAt + `\.properties\.wrapped`},
		{"x-stytch-exactly-one names nope, which is not a property of the schema", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-exactly-one`},
		{"x-stytch-exactly-one names member_id, which is required (it would always be set)", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-exactly-one`},
		{"x-stytch-exactly-one names count, which is not a string", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-exactly-one`},
		{"x-stytch-at-most-one must list at least two property names", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-at-most-one`},
		{"x-stytch-at-least-one names optional_hint twice", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-at-least-one`},
		{"x-stytch-at-least-one names count, which is not a string", at("    RecoveryCodesRotateRequest:") + rotateAt + `\.x-stytch-at-least-one`},
		{"pattern is only supported on string properties without enum", at("        street:") + `components\.schemas\.RotateAddress\.properties\.street`},
		{"required string property must declare minLength: 1", at("        contact_name:") + `components\.schemas\.RotateContact\.properties\.contact_name`},
	}
	assert.Contains(t, stderr, fmt.Sprintf("has %d problem(s):", len(problems)), "every problem is listed, and no other:\n%s", stderr)
	for _, p := range problems {
		problemLine(t, stderr, p.want, p.place)
	}
	untouched()

	_, err := Generate(context.Background(), specPath)
	var pe *ProblemsError
	require.ErrorAs(t, err, &pe)
	assert.Len(t, pe.Problems, len(problems))
}

// TestAllProblemsAreListed: gen reports every problem of a spec at once, not only the first.
func TestAllProblemsAreListed(t *testing.T) {
	t.Parallel()
	specPath := brokenSpec(t,
		edit{getRetry, strings.Replace(getRetry, "safe", "idempotent", 1)},
		edit{"        impersonation_token:\n          type: string\n", "        impersonation_token:\n          type: string\n          not:\n            enum: [imp-]\n"},
		edit{"        recovery_codes_remaining:\n          type: integer\n", "        recovery_codes_remaining:\n          type: integer\n          x-stytch-secret: true\n"},
	)
	out, untouched := sentinelDir(t)

	code, _, stderr := runGen(t, "-root", out, "-spec", specPath)

	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "has 3 problem(s):")
	for _, want := range []string{"x-stytch-retry is idempotent", `uses "not"`, "x-stytch-secret marks a property"} {
		problemLine(t, stderr, want, `^  `+regexp.QuoteMeta(specPath)+`:\d+ (paths|components)\.`)
	}
	untouched()
}

func TestMissingSpecFile(t *testing.T) {
	t.Parallel()
	out, untouched := sentinelDir(t)
	missing := filepath.Join(t.TempDir(), "nope.yaml")

	code, _, stderr := runGen(t, "-root", out, "-spec", missing)

	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "nope.yaml")
	untouched()
}

func TestBadFlag(t *testing.T) {
	t.Parallel()
	code, _, stderr := runGen(t, "-no-such-flag")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no-such-flag")
}

// realFiles is the output of one Generate run on the real spec, with how long it took.
var realFiles = sync.OnceValues(func() (generated, error) {
	start := time.Now()
	files, err := Generate(context.Background(), realSpec)
	return generated{files, time.Since(start)}, err
})

type generated struct {
	files []File
	took  time.Duration
}

func TestGenerateTime(t *testing.T) {
	t.Parallel()
	g, err := realFiles()
	require.NoError(t, err)
	t.Logf("Generate on the real spec took %v (slower under -race)", g.took)
}

// TestGenerateIsDeterministic: the files of one run, by name. That a second run gives the same
// bytes is checked by TestWrite, whose run writes them (a third run would add a second of CPU).
func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	g, err := realFiles()
	require.NoError(t, err)
	var names []string
	for _, f := range g.files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"b2b/b2btest/operations.gen.go", "b2b/models.gen.go", "gen/client.gen.go", "gen/doc.go", "gen/sdk.gen.go", "spec/stytch-b2b.gen.json"}, names)
	assert.True(t, sort.StringsAreSorted(names), "Generate returns the files sorted by name")
}

// TestCommittedGenIsCurrent: the gen/ package in the repository is what the spec produces.
func TestCommittedGenIsCurrent(t *testing.T) {
	t.Parallel()
	g, err := realFiles()
	require.NoError(t, err)
	diffs, err := Check(realRoot, g.files)
	require.NoError(t, err)
	assert.Empty(t, diffs, "the generated files are stale: run go run ./cmd/gen")
}

// copyGenerated copies the committed generated files (gen/ and the facade's *.gen.go files) to a
// temp root and returns it.
func copyGenerated(t *testing.T) string {
	t.Helper()
	g, err := realFiles()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range g.files {
		data, err := os.ReadFile(filepath.Join(realRoot, filepath.FromSlash(f.Name)))
		require.NoError(t, err)
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o750))
		require.NoError(t, os.WriteFile(p, data, 0o600))
	}
	return dir
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// prepare changes the copy of gen/ in dir and returns the spec to check against.
		prepare  func(t *testing.T, dir string) string
		wantCode int
		// want lists regexps, each matching a line of stderr.
		want []string
		// others allows differences beyond want.
		others bool
	}{
		// The clean case is TestWrite's last step: -check on the files it wrote.
		{
			// One copy with a hand edit, a deleted file and an extra file: each is reported on a
			// line of its own, and nothing else.
			name: "hand edit, deleted file, extra file",
			prepare: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "gen", "sdk.gen.go")
				data, err := os.ReadFile(p)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(p, append(data, []byte("\n// a hand edit\n")...), 0o600))
				require.NoError(t, os.Remove(filepath.Join(dir, "gen", "client.gen.go")))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "gen", "helpers.go"), []byte("package gen\n"), 0o600))
				return realSpec
			},
			wantCode: 1,
			want: []string{
				`^  stale: +\S*/sdk\.gen\.go$`,
				`^  missing: \S*/client\.gen\.go$`,
				`^  extra: +\S*/helpers\.go \(not generated`,
			},
		},
		{
			name: "spec changed without regenerating",
			prepare: func(t *testing.T, _ string) string {
				return brokenSpec(t, edit{
					"Human-readable explanation of the failure.",
					"Human-readable explanation of what failed.",
				})
			},
			wantCode: 1,
			want:     []string{`^  stale: +\S*/client\.gen\.go$`},
			others:   true, // sdk.gen.go may render the description too
		},
		{
			// info.description reaches no generated code; the input digest in doc.go and the
			// spec's JSON copy still change.
			name: "spec edit that changes no generated code",
			prepare: func(t *testing.T, _ string) string {
				return brokenSpec(t, edit{"\n  description: |\n", "\n  description: |\n    Edited.\n"})
			},
			wantCode: 1,
			want:     []string{`^  stale: +\S*/doc\.go$`, `^  stale: +\S*/spec/stytch-b2b\.gen\.json$`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := copyGenerated(t)
			specPath := tt.prepare(t, dir)
			before := snapshot(t, dir)

			code, _, stderr := runGenShared(t, "-check", "-root", dir, "-spec", specPath)

			assert.Equal(t, tt.wantCode, code, "stderr:\n%s", stderr)
			assert.Equal(t, before, snapshot(t, dir), "-check must write nothing")
			assert.Contains(t, stderr, "are out of date")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if !tt.others {
				assert.Len(t, lines, 1+len(tt.want), "only the expected differences are reported:\n%s", stderr)
			}
			for _, w := range tt.want {
				re := regexp.MustCompile(w)
				matched := false
				for _, l := range lines {
					matched = matched || re.MatchString(l)
				}
				assert.True(t, matched, "no line of stderr matches %s:\n%s", w, stderr)
			}
		})
	}
}

// snapshot returns the names (relative to dir) and contents of the files under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	require.NoError(t, err)
	return out
}

// TestWrite: a run without -check writes the generated files, says what it did to each, removes
// leftovers, and a second run finds nothing to change; -check on the result finds nothing and
// writes nothing. The files it writes are a second Generate run, compared with realFiles byte for
// byte: the generator is deterministic.
func TestWrite(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(out, "gen"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(out, "gen", "leftover.gen.go"), []byte("package gen\n"), 0o600))

	code, stdout, stderr := runGen(t, "-root", out, "-spec", realSpec)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "gen: created   "+filepath.Join(out, "gen", "sdk.gen.go"))
	assert.Contains(t, stdout, "gen: removed   "+filepath.Join(out, "gen", "leftover.gen.go"))

	g, err := realFiles()
	require.NoError(t, err)
	want, first := map[string]string{}, map[string]string{}
	for _, f := range g.files {
		data, err := os.ReadFile(filepath.Join(realRoot, filepath.FromSlash(f.Name)))
		require.NoError(t, err)
		want[f.Name] = string(data)
		first[f.Name] = string(f.Data)
	}
	written := snapshot(t, out)
	assert.Equal(t, want, written, "the written files equal the committed ones")
	assert.Equal(t, first, written, "two runs give the same bytes")

	code, stdout, stderr = runGenShared(t, "-root", out, "-spec", realSpec)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "created")
	assert.Contains(t, stdout, "gen: unchanged "+filepath.Join(out, "gen", "sdk.gen.go"))

	before := snapshot(t, out)
	code, stdout, stderr = runGenShared(t, "-check", "-root", out, "-spec", realSpec)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "are up to date")
	assert.Empty(t, stderr)
	assert.Equal(t, before, snapshot(t, out), "-check must write nothing")
}

func TestRootFlag(t *testing.T) {
	t.Parallel()
	// -spec is relative to -root: this checks the committed files from the repository root.
	code, stdout, stderr := runGenShared(t, "-root", "../..", "-check")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "generated files under ../.. are up to date")
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Place: "spec.yaml:3 paths./x.get", Message: "bad"}, "spec.yaml:3 paths./x.get: bad"},
		{Problem{Message: "bad"}, "bad"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.String())
	}
	err := error(&ProblemsError{Problems: []Problem{tests[0].p, tests[1].p}})
	assert.Equal(t, "spec.yaml:3 paths./x.get: bad; bad", err.Error())
	var pe *ProblemsError
	assert.True(t, errors.As(err, &pe))
}

// TestLoadProblemsNameTheRefLine: a broken $ref is reported at each line that uses it.
func TestLoadProblemsNameTheRefLine(t *testing.T) {
	data := []byte("a: 1\nb:\n  $ref: '#/components/schemas/Nope'\nc:\n  $ref: '#/components/schemas/Nope'\n")
	err := errors.New(`failed to resolve "Nope" in fragment in URI: "#/components/schemas/Nope"`)
	probs := loadProblems("s.yaml", data, err)
	require.Len(t, probs, 2)
	assert.Equal(t, "s.yaml:3", probs[0].Place)
	assert.Equal(t, "s.yaml:5", probs[1].Place)
	assert.Contains(t, probs[0].Message, "unresolvable $ref #/components/schemas/Nope")

	// Without a reference in the message, the file alone is the place.
	probs = loadProblems("s.yaml", data, errors.New("yaml: line 2: mapping values are not allowed"))
	require.Len(t, probs, 1)
	assert.Equal(t, "s.yaml", probs[0].Place)
}

func TestBreakLines(t *testing.T) {
	t.Parallel()
	in := `{"a":{"b":1,"c":[1,2]},"d":"x,\"{y}\",\\","e":{"f":{"g":{"h":1,"i":2}}}}`
	got := string(breakLines([]byte(in), 2))
	assert.Equal(t, `{"a":{"b":1,
"c":[1,2]},
"d":"x,\"{y}\",\\",
"e":{"f":{"g":{"h":1,"i":2}}}}
`, got, "breaks after commas of the first two levels only, never inside a string")
	assert.JSONEq(t, in, got)
}

// TestGroupRules: each extension of the group family (spec.Groups) gets a rule named after it, and
// every use of one on a request schema of the real spec is validated in the generated code with
// that rule, the group's names and a condition matching its bounds.
func TestGroupRules(t *testing.T) {
	t.Parallel()
	rules := groupRules()
	require.Len(t, rules, len(spec.Groups()))
	for i, kind := range spec.Groups() {
		r := rules[i]
		words := strings.TrimPrefix(kind.Ext, "x-stytch-")
		assert.Equal(t, kind.Ext, r.Ext)
		assert.Equal(t, strings.ReplaceAll(words, "-", "_"), r.Rule)
		assert.Equal(t, strings.ReplaceAll(words, "-", " "), r.Want)
		assert.Equal(t, kind.NoneOK, r.NoneOK)
		assert.Equal(t, kind.SeveralOK, r.SeveralOK)
	}

	g, err := realFiles()
	require.NoError(t, err)
	var sdk string
	for _, f := range g.files {
		if f.Name == "gen/sdk.gen.go" {
			sdk = string(f.Data)
		}
	}
	require.NotEmpty(t, sdk)
	doc, err := loadSpec(context.Background(), realSpec, false)
	require.NoError(t, err)
	used := map[string]bool{}
	for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		for _, r := range rules {
			raw, ok := s.Extensions[r.Ext].([]any)
			if !ok {
				continue
			}
			used[r.Ext] = true
			var names []string
			for _, n := range raw {
				names = append(names, fmt.Sprint(n))
			}
			joined := strings.Join(names, ", ")
			cond := map[[2]bool]string{{false, false}: "len(set) != 1", {true, false}: "len(set) > 1", {false, true}: "len(set) == 0"}[[2]bool{r.NoneOK, r.SeveralOK}]
			want := regexp.MustCompile(`\{ // ` + regexp.QuoteMeta(r.Ext+": "+joined) + `\n(?s:.*?)\n\t\tif ` + regexp.QuoteMeta(cond) +
				` \{\n\t\t\terrs = append\(errs, groupErr\(op, at, "` + r.Rule + `", "` + r.Want + `", "` + regexp.QuoteMeta(joined) + `", set\)\)`)
			assert.Regexp(t, want, sdk, "%s: %s", name, r.Ext)
		}
	}
	for _, r := range rules {
		assert.True(t, used[r.Ext], "the real spec uses %s", r.Ext)
	}
}
