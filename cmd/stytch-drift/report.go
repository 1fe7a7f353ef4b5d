package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// The exit codes of the probe (documented in the package comment).
const (
	exitClean       = 0 // every answer matched the spec and the documentation
	exitBreaking    = 1 // at least one breaking finding
	exitAdditive    = 2 // additive findings only, and -fail-on-additive was given
	exitCouldNotRun = 3 // no verdict: bad flags, no or refused credentials, live project, no answer
)

// The results a summary can give.
const (
	resultClean       = "clean"
	resultAdditive    = "additive"
	resultBreaking    = "breaking"
	resultCouldNotRun = "could_not_run"
)

// summary is the last line of the output.
type summary struct {
	Result   string
	ExitCode int
	BaseURL  string
	Checks   int // how many checks the probe has
	Calls    int // how many it made
	Breaking int
	Additive int
	Error    string // why the run could not finish, when it could not
}

// verdict computes the result and the exit code. A breaking finding wins over an incomplete run
// (the drift is real whatever happened next), which wins over additive findings.
func verdict(outcomes []outcome, runErr error, failOnAdditive bool) summary {
	var s summary
	s.Calls = len(outcomes)
	for _, o := range outcomes {
		for _, f := range o.findings {
			if f.Severity == severityAdditive {
				s.Additive++
			} else {
				s.Breaking++
			}
		}
	}
	switch {
	case s.Breaking > 0:
		s.Result, s.ExitCode = resultBreaking, exitBreaking
	case runErr != nil:
		s.Result, s.ExitCode = resultCouldNotRun, exitCouldNotRun
	case s.Additive > 0 && failOnAdditive:
		s.Result, s.ExitCode = resultAdditive, exitAdditive
	case s.Additive > 0:
		s.Result, s.ExitCode = resultAdditive, exitClean
	default:
		s.Result, s.ExitCode = resultClean, exitClean
	}
	if runErr != nil {
		s.Error = runErr.Error()
	}
	return s
}

// reporter writes the output in one format.
type reporter interface {
	outcome(o outcome)
	summary(s summary)
}

func newReporter(format string, w io.Writer, failOnAdditive bool) (reporter, error) {
	switch format {
	case "text":
		return &textReporter{w: w}, nil
	case "json":
		return &jsonReporter{enc: json.NewEncoder(w)}, nil
	case "github":
		return &githubReporter{w: w, failOnAdditive: failOnAdditive}, nil
	}
	return nil, fmt.Errorf("-format %q: want text, json or github", format)
}

func (s summary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stytch-drift %s: %d of %d calls to %s, %d breaking and %d additive finding(s): %s",
		version, s.Calls, s.Checks, s.BaseURL, s.Breaking, s.Additive, s.Result)
	if s.Error != "" {
		fmt.Fprintf(&b, ": %s", s.Error)
	}
	fmt.Fprintf(&b, " (exit %d)", s.ExitCode)
	return b.String()
}

func pathOrBody(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}

func answerOf(o outcome) string {
	switch {
	case o.status == 0:
		return "no answer"
	case o.errorType != "":
		return fmt.Sprintf("%d %s", o.status, o.errorType)
	}
	return fmt.Sprintf("%d", o.status)
}

// ------------------------------------------------------------------------------------- text

// textReporter writes one line per check, its findings indented below it, and the summary.
type textReporter struct{ w io.Writer }

func (r *textReporter) outcome(o outcome) {
	mark := "ok   "
	switch {
	case len(o.findings) > 0:
		mark = "DRIFT"
	case o.stopped:
		mark = "ERROR"
	}
	line := fmt.Sprintf("%s %s: %s", mark, o.check.name, answerOf(o))
	if o.requestID != "" {
		line += " (request_id " + o.requestID + ")"
	}
	fmt.Fprintln(r.w, line)
	for _, f := range o.findings {
		fmt.Fprintf(r.w, "      %s %s %s: %s: %s\n", f.Severity, f.Check, pathOrBody(f.Path), f.Kind, f.Detail)
	}
}

func (r *textReporter) summary(s summary) { fmt.Fprintln(r.w, s.line()) }

// ------------------------------------------------------------------------------------- json

// jsonFinding is the schema of a finding in -format json (documented in the package comment).
type jsonFinding struct {
	Type      string `json:"type"` // "finding"
	Check     string `json:"check"`
	Operation string `json:"operation"`
	Status    int    `json:"status"`
	Path      string `json:"path"`
	Kind      string `json:"kind"`
	Severity  string `json:"severity"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
}

// jsonSummary is the schema of the summary in -format json.
type jsonSummary struct {
	Type     string `json:"type"` // "summary"
	Result   string `json:"result"`
	ExitCode int    `json:"exit_code"`
	Version  string `json:"version"`
	BaseURL  string `json:"base_url"`
	Checks   int    `json:"checks"`
	Calls    int    `json:"calls"`
	Breaking int    `json:"breaking"`
	Additive int    `json:"additive"`
	Error    string `json:"error"`
}

type jsonReporter struct{ enc *json.Encoder }

func (r *jsonReporter) outcome(o outcome) {
	for _, f := range o.findings {
		_ = r.enc.Encode(jsonFinding{
			Type: "finding", Check: f.Check, Operation: f.Operation, Status: f.Status, Path: f.Path,
			Kind: f.Kind, Severity: f.Severity, Detail: f.Detail, RequestID: f.RequestID,
		})
	}
}

func (r *jsonReporter) summary(s summary) {
	_ = r.enc.Encode(jsonSummary{
		Type: "summary", Result: s.Result, ExitCode: s.ExitCode, Version: version, BaseURL: s.BaseURL,
		Checks: s.Checks, Calls: s.Calls, Breaking: s.Breaking, Additive: s.Additive, Error: s.Error,
	})
}

// ----------------------------------------------------------------------------------- github

// githubReporter writes GitHub Actions workflow commands: an error annotation per breaking
// finding, a warning per additive one (an error with -fail-on-additive), and the summary as a
// notice, or an error when the exit code is not 0.
type githubReporter struct {
	w              io.Writer
	failOnAdditive bool
}

// escapeData and escapeProperty encode a workflow command's message and property values.
var (
	escapeData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func (r *githubReporter) annotate(level, title, msg string) {
	fmt.Fprintf(r.w, "::%s title=%s::%s\n", level, escapeProperty.Replace(title), escapeData.Replace(msg))
}

func (r *githubReporter) outcome(o outcome) {
	for _, f := range o.findings {
		level := "error"
		if f.Severity == severityAdditive && !r.failOnAdditive {
			level = "warning"
		}
		msg := fmt.Sprintf("%s %s: %s: %s", f.Check, pathOrBody(f.Path), f.Kind, f.Detail)
		if f.RequestID != "" {
			msg += " (request_id " + f.RequestID + ")"
		}
		r.annotate(level, "Stytch API drift ("+f.Severity+"): "+f.Kind, msg)
	}
}

func (r *githubReporter) summary(s summary) {
	level := "notice"
	if s.ExitCode != exitClean {
		level = "error"
	}
	r.annotate(level, "stytch-drift", s.line())
}
