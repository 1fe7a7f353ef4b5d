package main

import (
	"encoding/json"
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// driftDocs returns the documentation of drift in CI: the section of README.md with that title.
func driftDocs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	const title = "## Catching API drift in CI"
	for _, name := range []string{"README.md"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		text := string(raw)
		i := strings.Index(text, title)
		if i < 0 {
			continue
		}
		text = text[i+len(title):]
		if j := strings.Index(text, "\n## "); j >= 0 {
			text = text[:j]
		}
		if strings.Contains(text, probePackage) {
			out[name] = text
		}
	}
	require.NotEmpty(t, out, "the probe is documented")
	return out
}

// fakePackage is the import path of the standalone fake the documentation starts.
const fakePackage = "github.com/b2bauth/stytch-b2b-go/cmd/stytch-fake"

type block struct{ lang, body string }

var fence = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```")

func blocks(doc string) []block {
	var out []block
	for _, m := range fence.FindAllStringSubmatch(doc, -1) {
		out = append(out, block{m[1], m[2]})
	}
	return out
}

// TestDocumentedCommandsRun: each probe (and fake) command in the documentation is pinned to this
// SDK's version, and each probe command runs as written against the fake (the test's -base-url,
// given last, wins over one in the command).
func TestDocumentedCommandsRun(t *testing.T) {
	for name, doc := range driftDocs(t) {
		commands := 0
		for _, b := range blocks(doc) {
			if b.lang != "sh" {
				continue
			}
			for _, line := range strings.Split(b.body, "\n") {
				if i := strings.Index(line, " #"); i >= 0 {
					line = line[:i]
				}
				words := strings.Fields(line)
				if strings.Contains(line, fakePackage) {
					assert.Equal(t, []string{"go", "run", fakePackage + "@v" + b2b.Version}, words[:3], "%s: %s", name, line)
					continue
				}
				if !strings.Contains(line, probePackage) && !strings.HasPrefix(line, "go tool stytch-drift") {
					continue
				}
				commands++
				var args []string
				switch {
				case len(words) >= 3 && words[0] == "go" && words[1] == "run":
					assert.Equal(t, probePackage+"@v"+b2b.Version, words[2], "%s: %s", name, line)
					args = words[3:]
				case len(words) >= 3 && words[0] == "go" && words[1] == "get" && words[2] == "-tool":
					assert.Equal(t, []string{probePackage + "@v" + b2b.Version}, words[3:], "%s: %s", name, line)
					continue
				case len(words) >= 3 && words[0] == "go" && words[1] == "tool":
					args = words[3:]
				default:
					t.Errorf("%s: a probe command this test does not know: %s", name, line)
					continue
				}
				t.Run(line, func(t *testing.T) {
					srv := b2btest.NewServer(t) // it honours the sandbox values as they are
					r := runProbe(t, credentials(), append(args, "-base-url", srv.URL)...)
					assert.Equal(t, exitClean, r.code)
				})
			}
		}
		assert.GreaterOrEqual(t, commands, 3, "%s shows go run, go get -tool and go tool", name)
	}
}

// TestDocumentedFlagsAndExitCodes: the flag table lists exactly the command's flags, the exit code
// table the command's codes, and the sandbox tables every sandbox value.
func TestDocumentedFlagsAndExitCodes(t *testing.T) {
	var o options
	fs, _ := newFlagSet(&o, io.Discard)
	var flags []string
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
	codes := map[int]string{exitClean: "clean", exitBreaking: "breaking drift", exitAdditive: "additive drift only", exitCouldNotRun: "could not run"}
	row := regexp.MustCompile("(?m)^\\| `-([a-z-]+)")
	for name, doc := range driftDocs(t) {
		var documented []string
		for _, m := range row.FindAllStringSubmatch(doc, -1) {
			documented = append(documented, m[1])
		}
		assert.ElementsMatch(t, flags, documented, "%s: the flag table", name)
		for code, meaning := range codes {
			assert.Regexp(t, regexp.MustCompile(`(?m)^\| `+regexp.QuoteMeta(strconv.Itoa(code))+` +\| `+meaning), doc, "%s: exit code %d", name, code)
		}
		for _, v := range []string{sandboxEmail, sandboxOrganizationID, sandboxTokenSuccess, sandboxTokenUnableToAuth, sandboxTokenNotFound} {
			assert.Contains(t, doc, "`"+v+"`", "%s lists the sandbox value", name)
		}
		for _, a := range tokenAnswers {
			if a.errorType != "" {
				assert.Contains(t, doc, "`"+string(a.errorType)+"`", name)
			}
		}
		assert.Contains(t, doc, "(examples/ci/stytch-drift.yml)", "%s links the workflow", name)
		_, err := os.Stat(workflowFile)
		assert.NoError(t, err)
	}
}

// TestDocumentedJSONSchema: the documentation's JSON examples have the keys the probe writes,
// and values of the kinds it writes.
func TestDocumentedJSONSchema(t *testing.T) {
	for name, doc := range driftDocs(t) {
		seen := map[string]bool{}
		for _, b := range blocks(doc) {
			if b.lang != "json" {
				continue
			}
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(b.body), &m), "%s: %s", name, b.body)
			typ, _ := m["type"].(string)
			seen[typ] = true
			switch typ {
			case "finding":
				assert.Equal(t, findingKeys, slices.Sorted(maps.Keys(m)), name)
				assert.Equal(t, severity(m["kind"].(string)), m["severity"], name)
				assert.True(t, strings.HasPrefix(m["check"].(string), m["operation"].(string)+"/"), name)
			case "summary":
				assert.Equal(t, summaryKeys, slices.Sorted(maps.Keys(m)), name)
				assert.Equal(t, version, m["version"], name)
				assert.EqualValues(t, len(probeChecks()), m["checks"], name)
			default:
				t.Errorf("%s: a JSON example of type %q", name, typ)
			}
		}
		assert.Equal(t, map[string]bool{"finding": true, "summary": true}, seen, "%s shows a finding and a summary", name)
	}
}
