package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// workflowFile is the workflow downstream projects copy.
var workflowFile = filepath.Join("..", "..", "examples", "ci", "stytch-drift.yml")

// probePackage is the import path of this command.
const probePackage = "github.com/b2bauth/stytch-b2b-go/cmd/stytch-drift"

// workflow is the part of a GitHub Actions workflow the test reads.
type workflow struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		RunsOn         string            `yaml:"runs-on"`
		TimeoutMinutes int               `yaml:"timeout-minutes"`
		Env            map[string]string `yaml:"env"`
		Steps          []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			If   string            `yaml:"if"`
			Run  string            `yaml:"run"`
			With map[string]any    `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// probeStep is what the workflow runs: the probe's command line and its environment.
type probeStep struct {
	version string            // the version the probe is pinned to, without "v"
	args    []string          // the probe's flags
	env     map[string]string // the job's and the step's env, as written
	cond    string            // the step's if
}

// readWorkflow parses the workflow file and returns its one probe step.
func readWorkflow(t *testing.T) (workflow, probeStep) {
	t.Helper()
	raw, err := os.ReadFile(workflowFile)
	require.NoError(t, err)
	var wf workflow
	require.NoError(t, yaml.Unmarshal(raw, &wf))

	var found []probeStep
	for name, job := range wf.Jobs {
		for _, st := range job.Steps {
			if !strings.Contains(st.Run, probePackage) {
				continue
			}
			// The command is one line of plain words, so splitting it on spaces is what a shell does.
			run := strings.TrimSpace(st.Run)
			require.NotRegexp(t, "[\n\"'`$|&;<>()\\\\*?]", run, "job %s: the probe's command is one plain line", name)
			words := strings.Fields(run)
			require.GreaterOrEqual(t, len(words), 3)
			require.Equal(t, []string{"go", "run"}, words[:2], "job %s runs the probe with go run", name)
			m := regexp.MustCompile(`^` + regexp.QuoteMeta(probePackage) + `@v(\d+\.\d+\.\d+)$`).FindStringSubmatch(words[2])
			require.NotNil(t, m, "job %s pins the probe to a release version: %s", name, words[2])
			env := map[string]string{}
			for k, v := range job.Env {
				env[k] = v
			}
			for k, v := range st.Env {
				env[k] = v
			}
			found = append(found, probeStep{version: m[1], args: words[3:], env: env, cond: st.If})
		}
	}
	require.Len(t, found, 1, "the workflow runs the probe once")
	return wf, found[0]
}

// secretRef matches a value taken from the CI's secret store.
var secretRef = regexp.MustCompile(`^\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}$`)

// TestWorkflowFile: the workflow runs on a schedule and on pull requests, takes the credentials
// from the secret store, pins the probe to this SDK's version, and skips the probe where the
// secrets are not available rather than failing.
func TestWorkflowFile(t *testing.T) {
	wf, step := readWorkflow(t)
	assert.NotEmpty(t, wf.Name)
	require.Contains(t, wf.On, "schedule")
	require.Contains(t, wf.On, "pull_request")
	schedule, ok := wf.On["schedule"].([]any)
	require.True(t, ok, "schedule is a list")
	require.NotEmpty(t, schedule)
	for _, s := range schedule {
		cron, _ := s.(map[string]any)["cron"].(string)
		assert.Len(t, strings.Fields(cron), 5, "a five-field cron: %q", cron)
	}
	assert.Equal(t, map[string]string{"contents": "read"}, wf.Permissions, "the job needs no write access")
	for name, job := range wf.Jobs {
		assert.Positive(t, job.TimeoutMinutes, "job %s is bounded", name)
		assert.LessOrEqual(t, defaultRunTimeout.Minutes(), float64(job.TimeoutMinutes), "job %s leaves the probe its whole run", name)
	}

	assert.Equal(t, b2b.Version, step.version, "the example pins the version of this checkout")
	for _, v := range []string{"STYTCH_PROJECT_ID", "STYTCH_SECRET"} {
		m := secretRef.FindStringSubmatch(step.env[v])
		if assert.NotNil(t, m, "%s comes from the secret store: %q", v, step.env[v]) {
			assert.Equal(t, v, m[1])
		}
		assert.Contains(t, step.cond, "env."+v+" != ''", "the step is skipped without %s", v)
	}
	assert.NotContains(t, step.args, "-secret", "the secret is passed in the environment, not on the command line")
	assert.NotContains(t, step.args, "-project-id")
	assert.Contains(t, strings.Join(step.args, " "), "-format github", "findings become annotations")
}

// TestWorkflowCommandAgainstTheFake runs the workflow's probe command, with the environment it
// gets in CI (secrets replaced by test values), against the fake: it exits 0 with a notice.
func TestWorkflowCommandAgainstTheFake(t *testing.T) {
	_, step := readWorkflow(t)
	srv := b2btest.NewServer(t) // it honours the sandbox values as they are
	env := map[string]string{}
	for k, v := range step.env {
		if m := secretRef.FindStringSubmatch(v); m != nil {
			v = credentials()[m[1]]
		}
		env[k] = v
	}
	r := runProbe(t, env, append(step.args, "-base-url", srv.URL)...)
	assert.Equal(t, exitClean, r.code)
	assert.Len(t, r.lines(), 1, "a clean run is one line")
	assert.True(t, strings.HasPrefix(r.last(), "::notice title=stytch-drift::"), r.last())
	assert.Len(t, srv.Requests(), len(probeChecks()))
}
