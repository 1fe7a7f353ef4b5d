package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// testSecret is the secret the tests pass; no output may contain it.
const testSecret = "secret-test-stytch-drift-never-printed"

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) lines() []string {
	return strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
}

func (r result) last() string {
	l := r.lines()
	return l[len(l)-1]
}

// runProbe runs the command in-process with env as its whole environment.
func runProbe(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for _, out := range []string{r.stdout, r.stderr} {
		require.NotContains(t, out, testSecret, "the secret is never printed")
	}
	t.Logf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
	return r
}

// credentials is the environment of a run against the fake, which accepts any credentials.
func credentials() map[string]string {
	return map[string]string{"STYTCH_PROJECT_ID": b2btest.ProjectID, "STYTCH_SECRET": testSecret}
}

// scriptSandbox makes the fake give, in the order the probe calls, the answers Stytch documents
// for the probe's calls: a documented error is scripted with Fail, a success with a complete
// answer built from the spec. answer, when it has an entry for a check's name, scripts that check
// instead.
func scriptSandbox(t *testing.T, srv *b2btest.Server, answer map[string]func(b2btest.Script)) {
	t.Helper()
	for _, ch := range probeChecks() {
		sc := srv.On(ch.op)
		switch f, ok := answer[ch.name]; {
		case ok:
			f(sc)
		case ch.errorType != "":
			sc.Fail(ch.status, ch.errorType)
		default:
			sc.RespondJSON(ch.status, successBody(t, ch))
		}
	}
}

// successBody is a complete 200 answer of the check's operation, built from the spec, with the
// status_code a success answer carries.
func successBody(t *testing.T, ch check) map[string]any {
	t.Helper()
	s := specwalk.ResponseBody(fixtures.SpecOperation(ch.op.ID), http.StatusOK)
	require.NotNil(t, s)
	m, ok := specwalk.Example(s, specwalk.Full, "probe").(map[string]any)
	require.True(t, ok)
	m["status_code"] = http.StatusOK
	return m
}

// errorBody is an error answer of the check's operation with the documented status and type,
// built from the spec's error schema.
func errorBody(t *testing.T, ch check) map[string]any {
	t.Helper()
	s := specwalk.ResponseBody(fixtures.SpecOperation(ch.op.ID), ch.status)
	require.NotNil(t, s)
	m, ok := specwalk.Example(s, specwalk.Minimal, "probe").(map[string]any)
	require.True(t, ok)
	m["status_code"], m["error_type"] = ch.status, string(ch.errorType)
	return m
}

// want is a finding a scenario expects.
type want struct{ check, path, kind, severity string }

// scenario scripts the fake and says what the probe must report.
type scenario struct {
	name     string
	script   func(t *testing.T, srv *b2btest.Server)
	args     []string
	findings func(t *testing.T) []want
	exit     int
	result   string
}

const unknownProperty = "drift_probe_new_property"

// gatewayBody is the JSON a gateway or load balancer in front of Stytch answers with: not Stytch's
// error envelope, so the drift detector has findings against the Error schema.
var gatewayBody = []byte(`{"message":"Service Unavailable"}`)

// gatewayStatus is a status at which the SDK retries the check's operation: a 5xx for a
// repeatable class, else a 429 (every class retries a rate limit).
func gatewayStatus(ch check) int {
	if ch.op.Retry.Repeatable() {
		return http.StatusServiceUnavailable
	}
	return http.StatusTooManyRequests
}

// requiredOfSuccess lists the required top-level properties of a success check's answer other
// than the envelope (request_id, status_code), which every answer has.
func requiredOfSuccess(ch check) []string {
	var out []string
	for _, name := range specwalk.ResponseBody(fixtures.SpecOperation(ch.op.ID), http.StatusOK).Required {
		if name != "request_id" && name != "status_code" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func scenarios() []scenario {
	unknownField := func(t *testing.T, srv *b2btest.Server) {
		answers := map[string]func(b2btest.Script){}
		for _, ch := range probeChecks() {
			body := errorBody(t, ch)
			if ch.errorType == "" {
				body = successBody(t, ch)
			}
			body[unknownProperty] = true
			answers[ch.name] = func(sc b2btest.Script) { sc.RespondJSON(ch.status, body) }
		}
		scriptSandbox(t, srv, answers)
	}
	unknownFindings := func(*testing.T) []want {
		var w []want
		for _, ch := range probeChecks() {
			w = append(w, want{ch.name, "/" + unknownProperty, string(drift.UnknownField), severityAdditive})
		}
		return w
	}
	return []scenario{
		{
			name:     "clean",
			script:   func(t *testing.T, srv *b2btest.Server) { scriptSandbox(t, srv, nil) },
			findings: func(*testing.T) []want { return nil },
			exit:     exitClean, result: resultClean,
		},
		{
			name: "unknown field", script: unknownField, findings: unknownFindings,
			exit: exitClean, result: resultAdditive,
		},
		{
			name: "unknown field with -fail-on-additive", script: unknownField, findings: unknownFindings,
			args: []string{"-fail-on-additive"},
			exit: exitAdditive, result: resultAdditive,
		},
		{
			name: "missing required field",
			script: func(t *testing.T, srv *b2btest.Server) {
				answers := map[string]func(b2btest.Script){}
				for _, ch := range probeChecks() {
					if ch.errorType != "" || len(requiredOfSuccess(ch)) == 0 {
						continue
					}
					body := successBody(t, ch)
					for _, name := range requiredOfSuccess(ch) {
						delete(body, name)
					}
					answers[ch.name] = func(sc b2btest.Script) { sc.RespondJSON(ch.status, body) }
				}
				require.NotEmpty(t, answers, "some sandbox answer has a required property beyond the envelope")
				scriptSandbox(t, srv, answers)
			},
			findings: func(_ *testing.T) []want {
				var w []want
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						continue
					}
					for _, name := range requiredOfSuccess(ch) {
						w = append(w, want{ch.name, "/" + name, string(drift.MissingField), severityBreaking})
					}
				}
				return w
			},
			exit: exitBreaking, result: resultBreaking,
		},
		{
			// A status_code sent as a string: the detector reports the type, and the SDK cannot
			// decode the answer.
			name: "wrong type",
			script: func(t *testing.T, srv *b2btest.Server) {
				answers := map[string]func(b2btest.Script){}
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						continue
					}
					body := successBody(t, ch)
					body["status_code"] = fmt.Sprint(ch.status)
					answers[ch.name] = func(sc b2btest.Script) { sc.RespondJSON(ch.status, body) }
				}
				scriptSandbox(t, srv, answers)
			},
			findings: func(*testing.T) []want {
				var w []want
				for _, ch := range probeChecks() {
					if ch.errorType == "" {
						w = append(w,
							want{ch.name, "/status_code", string(drift.WrongType), severityBreaking},
							want{ch.name, "", kindDecodeFailed, severityBreaking})
					}
				}
				return w
			},
			exit: exitBreaking, result: resultBreaking,
		},
		{
			// The sandbox tokens Stytch documents as refused are accepted: the documented
			// statuses do not come back.
			name: "documented error does not come back",
			script: func(t *testing.T, srv *b2btest.Server) {
				answers := map[string]func(b2btest.Script){}
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						body := successBody(t, ch)
						answers[ch.name] = func(sc b2btest.Script) { sc.RespondJSON(http.StatusOK, body) }
					}
				}
				scriptSandbox(t, srv, answers)
			},
			findings: func(*testing.T) []want {
				var w []want
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						w = append(w, want{ch.name, "", kindUnexpectedStatus, severityBreaking})
					}
				}
				return w
			},
			exit: exitBreaking, result: resultBreaking,
		},
		{
			name: "documented status with another error type",
			script: func(t *testing.T, srv *b2btest.Server) {
				answers := map[string]func(b2btest.Script){}
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						answers[ch.name] = func(sc b2btest.Script) { sc.Fail(ch.status, "some_new_error_type") }
					}
				}
				scriptSandbox(t, srv, answers)
			},
			findings: func(*testing.T) []want {
				var w []want
				for _, ch := range probeChecks() {
					if ch.errorType != "" {
						w = append(w, want{ch.name, "/error_type", kindUnexpectedErrorType, severityBreaking})
					}
				}
				return w
			},
			exit: exitBreaking, result: resultBreaking,
		},
	}
}

// TestScenarios runs each scenario in each output format against a freshly scripted fake.
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		for _, format := range []string{"text", "json", "github"} {
			t.Run(sc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				srv := b2btest.NewServer(t)
				sc.script(t, srv)
				args := append([]string{"-base-url", srv.URL, "-format", format}, sc.args...)
				r := runProbe(t, credentials(), args...)
				assert.Equal(t, sc.exit, r.code)
				assert.Empty(t, r.stderr)
				for _, ch := range probeChecks() {
					assert.Zero(t, srv.Pending(ch.op), "every scripted answer was asked for: %s", ch.op.ID)
				}
				wanted := sc.findings(t)
				switch format {
				case "text":
					checkText(t, r, wanted, sc)
				case "json":
					checkJSON(t, r, wanted, sc)
				case "github":
					checkGitHub(t, r, wanted, sc)
				}
			})
		}
	}
}

func checkText(t *testing.T, r result, wanted []want, sc scenario) {
	t.Helper()
	var got []string
	calls := 0
	for _, l := range r.lines()[:len(r.lines())-1] {
		switch {
		case strings.HasPrefix(l, "ok    "), strings.HasPrefix(l, "DRIFT "):
			calls++
		case strings.HasPrefix(l, "      "):
			got = append(got, strings.TrimSpace(l))
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	assert.Equal(t, len(probeChecks()), calls, "one line per call")
	require.Len(t, got, len(wanted), "one line per finding")
	for _, w := range wanted {
		prefix := fmt.Sprintf("%s %s %s: %s: ", w.severity, w.check, pathOrBody(w.path), w.kind)
		assert.True(t, slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, prefix) }), "a line starts with %q", prefix)
	}
	assert.Regexp(t, fmt.Sprintf(`^stytch-drift %s: %d of %d calls to http://127\.0\.0\.1:\d+, %d breaking and %d additive finding\(s\): %s \(exit %d\)$`,
		version, len(probeChecks()), len(probeChecks()), count(wanted, severityBreaking), count(wanted, severityAdditive), sc.result, sc.exit), r.last())
}

func count(ws []want, severity string) int {
	n := 0
	for _, w := range ws {
		if w.severity == severity {
			n++
		}
	}
	return n
}

// findingKeys and summaryKeys are the documented JSON schemas.
var (
	findingKeys = []string{"check", "detail", "kind", "operation", "path", "request_id", "severity", "status", "type"}
	summaryKeys = []string{"additive", "base_url", "breaking", "calls", "checks", "error", "exit_code", "result", "type", "version"}
)

func checkJSON(t *testing.T, r result, wanted []want, sc scenario) {
	t.Helper()
	lines := r.lines()
	var got []want
	for i, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "line %d is a JSON object: %s", i, l)
		if i == len(lines)-1 {
			assert.Equal(t, summaryKeys, slices.Sorted(maps.Keys(m)))
			assert.Equal(t, "summary", m["type"])
			assert.Equal(t, sc.result, m["result"])
			assert.EqualValues(t, sc.exit, m["exit_code"])
			assert.EqualValues(t, len(probeChecks()), m["calls"])
			assert.EqualValues(t, len(probeChecks()), m["checks"])
			assert.EqualValues(t, count(wanted, severityBreaking), m["breaking"])
			assert.EqualValues(t, count(wanted, severityAdditive), m["additive"])
			assert.Equal(t, version, m["version"])
			assert.Equal(t, "", m["error"])
			continue
		}
		assert.Equal(t, findingKeys, slices.Sorted(maps.Keys(m)))
		assert.Equal(t, "finding", m["type"])
		assert.NotEmpty(t, m["detail"])
		assert.NotEmpty(t, m["request_id"], "the answer's request ID is kept, even when the SDK cannot decode the answer")
		assert.True(t, strings.HasPrefix(m["check"].(string), m["operation"].(string)+"/"))
		assert.Positive(t, m["status"])
		got = append(got, want{m["check"].(string), m["path"].(string), m["kind"].(string), m["severity"].(string)})
	}
	assert.ElementsMatch(t, wanted, got)
}

func checkGitHub(t *testing.T, r result, wanted []want, sc scenario) {
	t.Helper()
	lines := r.lines()
	require.Len(t, lines, len(wanted)+1, "one annotation per finding and the summary")
	for _, w := range wanted {
		level := "error"
		if w.severity == severityAdditive && sc.exit != exitAdditive {
			level = "warning"
		}
		prefix := fmt.Sprintf("::%s title=Stytch API drift (%s)%%3A %s::%s %s: %s: ", level, w.severity, w.kind, w.check, pathOrBody(w.path), w.kind)
		assert.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) }), "an annotation starts with %q", prefix)
	}
	level := "notice"
	if sc.exit != exitClean {
		level = "error"
	}
	assert.True(t, strings.HasPrefix(r.last(), "::"+level+" title=stytch-drift::stytch-drift "+version+": "), r.last())
	assert.True(t, strings.HasSuffix(r.last(), fmt.Sprintf("(exit %d)", sc.exit)), r.last())
}

// TestSendsTheDocumentedSandboxValues: every call carries the documented values, in the body the
// SDK builds (seen on the wire, through a proxy in front of the fake), and the JWKS is asked for
// the project whose credentials the probe has.
func TestSendsTheDocumentedSandboxValues(t *testing.T) {
	srv := b2btest.NewServer(t)
	scriptSandbox(t, srv, nil)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	var mu sync.Mutex
	var bodies []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if !assert.NoError(t, err) {
			return
		}
		mu.Lock()
		bodies = append(bodies, r.URL.Path+" "+string(b))
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	r := runProbe(t, credentials(), "-base-url", front.URL)
	require.Equal(t, exitClean, r.code)
	org := `"organization_id":"` + sandboxOrganizationID + `"`
	email := `"email_address":"` + sandboxEmail + `"`
	token := func(field, v string) string { return `{"` + field + `":"` + v + `"}` }
	assert.Equal(t, []string{
		`/v1/b2b/sessions/jwks/` + b2btest.ProjectID + ` `,
		`/v1/b2b/magic_links/email/login_or_signup {` + email + `,` + org + `}`,
		`/v1/b2b/magic_links/email/invite {` + email + `,` + org + `}`,
		`/v1/b2b/magic_links/email/discovery/send {` + email + `}`,
		`/v1/b2b/magic_links/authenticate ` + token("magic_links_token", sandboxTokenSuccess),
		`/v1/b2b/magic_links/authenticate ` + token("magic_links_token", sandboxTokenUnableToAuth),
		`/v1/b2b/magic_links/authenticate ` + token("magic_links_token", sandboxTokenNotFound),
		`/v1/b2b/magic_links/discovery/authenticate ` + token("discovery_magic_links_token", sandboxTokenSuccess),
		`/v1/b2b/magic_links/discovery/authenticate ` + token("discovery_magic_links_token", sandboxTokenUnableToAuth),
		`/v1/b2b/magic_links/discovery/authenticate ` + token("discovery_magic_links_token", sandboxTokenNotFound),
	}, bodies)
	for _, req := range srv.Requests() {
		assert.Contains(t, req.Header.Get("User-Agent"), "stytch-drift/"+version)
	}
}

// TestCouldNotRun: every way the probe cannot reach a verdict exits 3 with a summary that says
// why, in every format, and sends nothing it should not.
func TestCouldNotRun(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more

	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		script func(srv *b2btest.Server)
		reason string // in the summary
		unsent bool   // refused before anything is sent
	}{
		{name: "no credentials", env: map[string]string{}, unsent: true, reason: "no credentials: set STYTCH_PROJECT_ID and STYTCH_SECRET"},
		{name: "no secret", env: map[string]string{"STYTCH_PROJECT_ID": b2btest.ProjectID}, unsent: true, reason: "no secret"},
		{name: "no project ID", env: map[string]string{"STYTCH_SECRET": testSecret}, unsent: true, reason: "no project ID"},
		{name: "live project in the environment", env: map[string]string{"STYTCH_PROJECT_ID": "project-live-0000", "STYTCH_SECRET": testSecret}, unsent: true, reason: "refusing a live project ID"},
		{name: "live project as a flag", env: credentials(), unsent: true, args: []string{"-project-id", "project-live-0000"}, reason: "refusing a live project ID"},
		{name: "malformed base URL", env: credentials(), unsent: true, args: []string{"-base-url", "ftp://example.com"}, reason: "scheme must be http or https"},
		{name: "unreachable base URL", env: credentials(), args: []string{"-base-url", closed.URL}, reason: "no answer from " + closed.URL},
		{
			name: "credentials refused", env: credentials(), reason: "refused the credentials (401 unauthorized_credentials)",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Fail(http.StatusUnauthorized, "unauthorized_credentials")
				}
			},
		},
		{
			name: "Stytch failing", env: credentials(), reason: "is not answering normally",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Times(10).Fail(http.StatusServiceUnavailable, "internal_server_error") // a safe call retries it
				}
			},
		},
		{
			// A gateway's JSON that is not Stytch's error, on every attempt: the probe reaches no
			// verdict, and the body's differences from the Error schema are no drift.
			name: "gateway failing", env: credentials(), reason: "is not answering normally",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Times(10).RespondJSON(http.StatusServiceUnavailable, gatewayBody)
				}
			},
		},
		{
			name: "gateway rate limiting", env: credentials(), reason: "429",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Times(10).RespondJSON(http.StatusTooManyRequests, gatewayBody)
				}
			},
		},
		{
			name: "rate limited", env: credentials(), reason: "429",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Times(10).RateLimit(0)
				}
			},
		},
		{
			name: "no answer before the call's deadline", env: credentials(), args: []string{"-timeout", "50ms"}, reason: "did not answer",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Delay(time.Hour)
				}
			},
		},
		{
			name: "no answer before the run's deadline", env: credentials(), args: []string{"-timeout", "1h", "-run-timeout", "50ms"}, reason: "did not answer",
			script: func(srv *b2btest.Server) {
				for _, ch := range probeChecks() {
					srv.On(ch.op).Delay(time.Hour)
				}
			},
		},
		{name: "zero timeout", env: credentials(), unsent: true, args: []string{"-timeout", "0s"}, reason: "must be positive"},
	} {
		for _, format := range []string{"text", "json", "github"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				srv := b2btest.NewServer(t)
				if tc.script != nil {
					tc.script(srv)
				}
				args := append([]string{"-base-url", srv.URL, "-format", format}, tc.args...)
				r := runProbe(t, tc.env, args...)
				assert.Equal(t, exitCouldNotRun, r.code)
				if tc.unsent {
					assert.Empty(t, srv.Requests(), "nothing is sent")
				}
				switch format {
				case "text":
					if lines := r.lines(); tc.unsent {
						assert.Len(t, lines, 1, "only the summary")
					} else {
						require.Len(t, lines, 2, "the call the run stopped at, and the summary")
						assert.True(t, strings.HasPrefix(lines[0], "ERROR "+probeChecks()[0].name+": "), lines[0])
					}
					assert.Contains(t, r.last(), tc.reason)
					assert.Contains(t, r.last(), ": could_not_run: ")
					assert.True(t, strings.HasSuffix(r.last(), "(exit 3)"), r.last())
				case "json":
					var s map[string]any
					require.NoError(t, json.Unmarshal([]byte(r.last()), &s))
					assert.Equal(t, resultCouldNotRun, s["result"])
					assert.EqualValues(t, exitCouldNotRun, s["exit_code"])
					assert.Contains(t, s["error"], tc.reason)
				case "github":
					assert.True(t, strings.HasPrefix(r.last(), "::error title=stytch-drift::"), r.last())
					assert.Contains(t, r.last(), strings.ReplaceAll(tc.reason, "\n", "%0A"))
				}
			})
		}
	}
}

// TestRetriedAnswersAreNotJudged: each call first gets a gateway's answer the SDK retries (JSON,
// but not Stytch's error), then the documented one. The probe judges the answer the SDK ended
// with: the run is clean, though the detector had findings on every answer retried past.
func TestRetriedAnswersAreNotJudged(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	answers := map[string]func(b2btest.Script){}
	for _, ch := range probeChecks() {
		status := gatewayStatus(ch)
		findings, err := drift.Check(ch.op.ID, status, gatewayBody)
		require.NoError(t, err)
		require.NotEmpty(t, findings, "%s: the gateway's %d answer has drift findings of its own", ch.name, status)
		answers[ch.name] = func(sc b2btest.Script) {
			sc.RespondJSON(status, gatewayBody)
			if ch.errorType != "" {
				sc.Fail(ch.status, ch.errorType)
			} else {
				sc.RespondJSON(ch.status, successBody(t, ch))
			}
		}
	}
	scriptSandbox(t, srv, answers)
	r := runProbe(t, credentials(), "-base-url", srv.URL, "-format", "json")
	assert.Equal(t, exitClean, r.code)
	require.Len(t, r.lines(), 1, "no finding, only the summary")
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.last()), &s))
	assert.Equal(t, resultClean, s["result"])
	assert.EqualValues(t, len(probeChecks()), s["calls"])
	for _, ch := range probeChecks() {
		assert.Zero(t, srv.Pending(ch.op), "every call was retried to its documented answer: %s", ch.op.ID)
	}
}

// TestBreakingBeforeTheRunStops: drift found before the run had to stop is reported, and wins.
func TestBreakingBeforeTheRunStops(t *testing.T) {
	srv := b2btest.NewServer(t)
	checks := probeChecks()
	first, second := checks[0], checks[1]
	require.NotEqual(t, first.op.ID, second.op.ID, "the first two checks call different operations")
	body := successBody(t, first)
	delete(body, "request_id")
	srv.On(first.op).RespondJSON(http.StatusOK, body)
	srv.On(second.op).Fail(http.StatusUnauthorized, "unauthorized_credentials")

	r := runProbe(t, credentials(), "-base-url", srv.URL, "-format", "json")
	assert.Equal(t, exitBreaking, r.code)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.last()), &s))
	assert.Equal(t, resultBreaking, s["result"])
	assert.EqualValues(t, 2, s["calls"])
	assert.Contains(t, s["error"], "refused the credentials")
	assert.Contains(t, r.stdout, `"path":"/request_id","kind":"missing_field"`)
}

// TestFlags: bad flags and arguments exit 3 saying what is wrong on stderr; -h and -version
// exit 0; the usage never shows the secret from the environment.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: []string{"-format", "xml"}, code: exitCouldNotRun, stderr: `-format "xml": want text, json or github`},
		{args: []string{"-no-such-flag"}, code: exitCouldNotRun, stderr: "flag provided but not defined: -no-such-flag"},
		{args: []string{"extra"}, code: exitCouldNotRun, stderr: `unexpected argument "extra"`},
		{args: []string{"-timeout", "soon"}, code: exitCouldNotRun, stderr: "invalid value"},
		{args: []string{"-h"}, code: exitClean, stderr: "usage: stytch-drift [flags]"},
		{args: []string{"-version"}, code: exitClean, stdout: "stytch-drift " + version + "\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runProbe(t, credentials(), tc.args...)
			assert.Equal(t, tc.code, r.code)
			if tc.stdout != "" {
				assert.Equal(t, tc.stdout, r.stdout)
			} else {
				assert.Empty(t, r.stdout)
			}
			assert.Contains(t, r.stderr, tc.stderr)
		})
	}
}

// TestFlagsWinOverTheEnvironment: -project-id and -secret replace the variables.
func TestFlagsWinOverTheEnvironment(t *testing.T) {
	srv := b2btest.NewServer(t)
	scriptSandbox(t, srv, nil)
	env := map[string]string{"STYTCH_PROJECT_ID": "project-live-from-env", "STYTCH_SECRET": "other"}
	r := runProbe(t, env, "-base-url", srv.URL, "-project-id", b2btest.ProjectID, "-secret", testSecret)
	assert.Equal(t, exitClean, r.code)
}

func TestGitHubEscaping(t *testing.T) {
	var b bytes.Buffer
	(&githubReporter{w: &b}).annotate("error", "a: b, c", "50% done\r\nnext: line")
	assert.Equal(t, "::error title=a%3A b%2C c::50%25 done%0D%0Anext: line\n", b.String())
}

func TestSeverity(t *testing.T) {
	for kind, want := range map[string]string{
		string(drift.UnknownField): severityAdditive, string(drift.UnknownEnumValue): severityAdditive,
		string(drift.MissingField): severityBreaking, string(drift.WrongType): severityBreaking,
		kindDecodeFailed: severityBreaking, kindUnexpectedStatus: severityBreaking, kindUnexpectedErrorType: severityBreaking,
		"a_kind_added_later": severityBreaking,
	} {
		assert.Equal(t, want, severity(kind), kind)
	}
}

// TestCleanAgainstTheUnscriptedFake: the fake honours Stytch's sandbox values and serves the
// JWKS, so the probe runs clean against it as it is, in its default and its Strict mode, in every
// format, and again on the same fake (the sandbox values are not single-use).
func TestCleanAgainstTheUnscriptedFake(t *testing.T) {
	for name, opts := range map[string][]b2btest.Option{"default": nil, "strict": {b2btest.Strict()}} {
		t.Run(name, func(t *testing.T) {
			srv := b2btest.NewServer(t, opts...)
			for _, format := range []string{"text", "json", "github", "text"} {
				r := runProbe(t, credentials(), "-base-url", srv.URL, "-format", format)
				assert.Equal(t, exitClean, r.code, format)
				switch format {
				case "json":
					var s map[string]any
					require.NoError(t, json.Unmarshal([]byte(r.last()), &s))
					assert.Equal(t, resultClean, s["result"])
					assert.Len(t, r.lines(), 1)
				case "github":
					assert.Len(t, r.lines(), 1)
					assert.True(t, strings.HasPrefix(r.last(), "::notice title=stytch-drift::"), r.last())
				default:
					assert.Len(t, r.lines(), len(probeChecks())+1)
					assert.NotContains(t, r.stdout, "DRIFT")
				}
			}
			assert.Empty(t, srv.Emails(), "the sandbox values send nothing")
		})
	}
}

// TestSandboxValuesAreTheFakes: the probe and the fake use the same documented values.
func TestSandboxValuesAreTheFakes(t *testing.T) {
	assert.Equal(t, b2btest.SandboxEmail, sandboxEmail)
	assert.Equal(t, b2btest.SandboxOrganizationID, sandboxOrganizationID)
	assert.Equal(t, b2btest.SandboxTokenSuccess, sandboxTokenSuccess)
	assert.Equal(t, b2btest.SandboxTokenUnauthorized, sandboxTokenUnableToAuth)
	assert.Equal(t, b2btest.SandboxTokenNotFound, sandboxTokenNotFound)
}
