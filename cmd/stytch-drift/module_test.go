package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// TestFromAModuleThatOnlyRequiresTheSDK plays a downstream project: a new module that requires
// the SDK (replaced by this checkout, since the version is not published from here) adds the
// probe as a tool and runs it, with go run and with go tool, against a standalone fake. Nothing
// is fetched: the go command must find everything in the module cache. The spec comes embedded
// in the binary, so the probe runs in a directory that has no copy of it.
func TestFromAModuleThatOnlyRequiresTheSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the probe in a new module")
	}
	gobin, err := exec.LookPath("go")
	require.NoError(t, err)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dir := t.TempDir()
	gomod := "module example.com/downstream\n\ngo 1.26\n\n" +
		"require github.com/b2bauth/stytch-b2b-go v0.0.0-00010101000000-000000000000\n\n" +
		"replace github.com/b2bauth/stytch-b2b-go => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o600))
	// The SDK's own go.sum holds the checksums of everything the probe needs: starting from it,
	// the go command verifies the modules it takes from the cache without asking the checksum
	// database, which a machine without network (or with only a module proxy) cannot reach.
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sums, 0o600))

	// A module that requires the SDK loads the SDK's whole module graph, which reads go.mod files
	// that building the SDK itself never needs (go-jsonmerge has no go.mod, so its requirements
	// count too). Loading that graph here first, through GOPROXY as configured, puts them in the
	// cache (nothing is fetched when it already holds them, as after make drift): the test passes
	// on a fresh cache, and the downstream commands below still fetch nothing.
	prime := exec.CommandContext(t.Context(), gobin, "list", "-m", "all") //nolint:gosec // G204: the go command on PATH, with fixed arguments
	prime.Dir, prime.Env = root, append(os.Environ(), "GOWORK=off")
	out, err := prime.CombinedOutput()
	require.NoError(t, err, "go list -m all in the SDK's module:\n%s", out)

	env := append(os.Environ(),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", // offline, and this checkout's go.work (if any) out of the way
		"STYTCH_PROJECT_ID="+b2btest.ProjectID, "STYTCH_SECRET="+testSecret)
	goCmd := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), gobin, args...) //nolint:gosec // G204: the go command on PATH, with the test's own arguments
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if err != nil {
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "go %s: %s", strings.Join(args, " "), stderr.String())
			code = exit.ExitCode()
		}
		t.Logf("go %s: exit %d\nstdout:\n%sstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
		assert.NotContains(t, stdout.String()+stderr.String(), testSecret)
		return code, stdout.String(), stderr.String()
	}

	code, _, stderr := goCmd("get", "-tool", probePackage)
	require.Zero(t, code, stderr)
	written, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(written), "\ntool "+probePackage+"\n")

	// The fake honours the sandbox values and serves the JWKS: no script needed.
	srv := b2btest.NewStandalone()
	t.Cleanup(srv.Close)

	// go run, as the README and the workflow show it (there pinned with @version).
	code, stdout, _ := goCmd("run", probePackage, "-base-url", srv.URL, "-format", "json")
	assert.Equal(t, exitClean, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 1, "a clean run writes only the summary")
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &s))
	assert.Equal(t, resultClean, s["result"])
	assert.EqualValues(t, len(probeChecks()), s["calls"])

	// The workflow's own command line.
	_, step := readWorkflow(t)
	code, stdout, _ = goCmd(append(append([]string{"run", probePackage}, step.args...), "-base-url", srv.URL)...)
	assert.Equal(t, exitClean, code)
	assert.True(t, strings.HasPrefix(stdout, "::notice title=stytch-drift::"), stdout)
	assert.Len(t, srv.Requests(), 2*len(probeChecks()))

	// go tool, after go get -tool; the exit code passes through.
	srv = b2btest.NewStandalone()
	t.Cleanup(srv.Close)
	for _, ch := range probeChecks() {
		srv.On(ch.op).Fail(401, "unauthorized_credentials")
	}
	code, stdout, _ = goCmd("tool", "stytch-drift", "-base-url", srv.URL)
	assert.Equal(t, exitCouldNotRun, code)
	assert.Contains(t, stdout, "refused the credentials")
	assert.Len(t, srv.Requests(), 1, "the run stops at the first refusal")
}
