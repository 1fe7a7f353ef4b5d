// Command stytch-drift checks, from a CI job, that Stytch's B2B API still answers the way this SDK's
// spec says. It makes every call that Stytch's documented B2B sandbox values make free of side
// effects (no email is sent, no token is consumed), and the one call that needs no sandbox value
// (the project's JWKS, which only reads), with the SDK's own client. It checks every answer,
// success and error, against the spec embedded in the SDK (package b2b/drift), and that each call
// still gets the status and error type Stytch documents for it.
//
// Run it from any module that requires the SDK, pinned to a version:
//
//	go run github.com/b2bauth/stytch-b2b-go/cmd/stytch-drift@v0.1.0
//
// or add it as a tool of your module and run it with go tool:
//
//	go get -tool github.com/b2bauth/stytch-b2b-go/cmd/stytch-drift@v0.1.0
//	go tool stytch-drift
//
// It needs no file on disk. It reads a Test project's credentials from STYTCH_PROJECT_ID and
// STYTCH_SECRET (or -project-id and -secret; prefer the variables, which do not show in process
// listings), and refuses a live project ID (project-live-...): the sandbox values exist only in
// the Test environment.
//
// # The calls
//
//	sessionsGetJWKS/200                                  the project's own ID
//	magicLinksEmailLoginOrSignup/200                     sandbox@stytch.com in the sandbox organization
//	magicLinksEmailInvite/200                            sandbox@stytch.com in the sandbox organization
//	magicLinksEmailDiscoverySend/200                     sandbox@stytch.com
//	magicLinksAuthenticate/200                           the sandbox success token
//	magicLinksAuthenticate/401-unable_to_auth_magic_link the sandbox token Stytch refuses
//	magicLinksAuthenticate/404-magic_link_not_found      the sandbox token Stytch does not know
//	magicLinksDiscoveryAuthenticate/...                  the same three tokens
//
// The names on the left identify the checks in the output. The calls are made one after the
// other, each with the deadline of -timeout (retries included), the whole run bounded by
// -run-timeout.
//
// # Flags
//
//	-project-id ID      Test project ID (default $STYTCH_PROJECT_ID)
//	-secret SECRET      its secret (default $STYTCH_SECRET)
//	-base-url URL       API root (default https://test.stytch.com); a b2btest fake for offline runs
//	-format FORMAT      text (default), json or github
//	-fail-on-additive   exit 2 when the only findings are additive
//	-timeout D          deadline of each call, retries included (default 10s)
//	-run-timeout D      bound of the whole run (default 2m)
//	-version            print the version and exit
//
// # Findings
//
// Each finding has a kind and a severity. Breaking: missing_field (a property the spec requires is
// absent), wrong_type (a value of another type or format, or null where the spec does not allow
// it), decode_failed (the SDK could not use a 2xx answer), unexpected_status and
// unexpected_error_type (a call no longer gets the answer Stytch documents). Additive:
// unknown_field (a property the spec does not list) and unknown_enum_value (a value outside those
// the spec lists as known). Additive drift never fails a call of the SDK; breaking drift can.
//
// # Output
//
// -format text (the default) writes one line per call ("ok", "DRIFT" or "ERROR", the check, the status
// and the request ID), each finding indented below it, and a summary. -format github writes
// GitHub Actions workflow commands: "::error" for a breaking finding, "::warning" for an additive
// one ("::error" with -fail-on-additive), and the summary as "::notice", or "::error" when the
// exit code is not 0. -format json writes one JSON object per line; findings are
//
//	{"type":"finding","check":"magicLinksAuthenticate/200","operation":"magicLinksAuthenticate",
//	 "status":200,"path":"/member/status","kind":"unknown_enum_value","severity":"additive",
//	 "detail":"...","request_id":"..."}
//
// where path is an RFC 6901 JSON pointer into the answer ("" for the body itself) and status is
// 0 when no answer arrived. The last line, in every format, is the summary; in JSON
//
//	{"type":"summary","result":"clean","exit_code":0,"version":"0.1.0","base_url":"...",
//	 "checks":10,"calls":10,"breaking":0,"additive":0,"error":""}
//
// with result one of clean, additive, breaking and could_not_run. Fields are only ever added to
// these objects; none is removed or changes meaning within a major version.
//
// # Exit codes
//
//	0  clean: no finding, or additive findings only without -fail-on-additive
//	1  breaking drift: at least one breaking finding
//	2  additive drift only, with -fail-on-additive
//	3  could not run: bad flags, missing or refused credentials, a live project ID, no answer
//	   in time, Stytch rate limiting or failing (429, 5xx)
//
// A breaking finding wins over a run that could not finish: the calls made before the failure
// are reported, and drift among them is real.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// version is the version of the probe: the SDK's, whose spec it checks against.
const version = b2b.Version

// liveProjectPrefix starts the ID of a live project, which the probe refuses.
const liveProjectPrefix = "project-live-"

// The defaults of the deadlines.
const (
	defaultTimeout    = 10 * time.Second
	defaultRunTimeout = 2 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed flags.
type options struct {
	projectID, secret string
	baseURL           string
	format            string
	failOnAdditive    bool
	timeout           time.Duration
	runTimeout        time.Duration
}

// run is the whole command: it parses args, reads the credentials through getenv, runs the
// probe and writes the output to stdout (flag errors to stderr), and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var o options
	fs, showVersion := newFlagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitCouldNotRun // the flag package has said what is wrong
	}
	if *showVersion {
		fmt.Fprintln(stdout, "stytch-drift", version)
		return exitClean
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stytch-drift: unexpected argument %q (the probe takes flags only)\n", fs.Arg(0))
		return exitCouldNotRun
	}
	rep, err := newReporter(o.format, stdout, o.failOnAdditive)
	if err != nil {
		fmt.Fprintln(stderr, "stytch-drift:", err)
		return exitCouldNotRun
	}
	if o.projectID == "" {
		o.projectID = getenv("STYTCH_PROJECT_ID")
	}
	if o.secret == "" {
		o.secret = getenv("STYTCH_SECRET")
	}
	checks := probeChecks()
	base := o.baseURL
	if base == "" {
		base = b2b.TestBaseURL
	}
	fail := func(msg string) int {
		s := verdict(nil, &notRun{msg}, o.failOnAdditive)
		s.BaseURL, s.Checks = base, len(checks)
		rep.summary(s)
		return s.ExitCode
	}
	switch {
	case o.projectID == "" && o.secret == "":
		return fail("no credentials: set STYTCH_PROJECT_ID and STYTCH_SECRET (a Test project's), or pass -project-id and -secret")
	case o.projectID == "":
		return fail("no project ID: set STYTCH_PROJECT_ID or pass -project-id")
	case o.secret == "":
		return fail("no secret: set STYTCH_SECRET or pass -secret")
	case strings.HasPrefix(o.projectID, liveProjectPrefix):
		return fail("refusing a live project ID (" + liveProjectPrefix + "...): the sandbox values exist only in the Test environment; use a Test project's credentials")
	case o.timeout <= 0 || o.runTimeout <= 0:
		return fail("-timeout and -run-timeout must be positive")
	}

	found, ids := &driftLog{}, &requestLog{}
	clientOpts := []b2b.Option{
		// The SDK's own tuned transport, then the detector, then the request ID log.
		b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { found.next = next; return found }),
		b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper { ids.next = next; return ids }),
		b2b.WithTimeout(o.timeout),
		b2b.WithUserAgent("stytch-drift/" + version),
	}
	if o.baseURL != "" {
		clientOpts = append(clientOpts, b2b.WithBaseURL(o.baseURL))
	}
	client, err := b2b.NewClient(o.projectID, o.secret, clientOpts...)
	if err != nil {
		return fail(err.Error())
	}

	ctx, cancel := context.WithTimeout(ctx, o.runTimeout)
	defer cancel()
	outcomes, runErr := probe(ctx, client, o.projectID, found, ids, checks, rep.outcome)
	s := verdict(outcomes, runErr, o.failOnAdditive)
	s.BaseURL, s.Checks = client.BaseURL(), len(checks)
	rep.summary(s)
	return s.ExitCode
}

// newFlagSet returns the command's flags, bound to o, writing errors and usage to w, and the
// -version flag.
func newFlagSet(o *options, w io.Writer) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("stytch-drift", flag.ContinueOnError)
	fs.SetOutput(w)
	// The credentials' defaults are read after parsing, so that -h never prints a secret.
	fs.StringVar(&o.projectID, "project-id", "", "Test project `ID` (default $STYTCH_PROJECT_ID)")
	fs.StringVar(&o.secret, "secret", "", "the project's `secret` (default $STYTCH_SECRET; prefer the variable)")
	fs.StringVar(&o.baseURL, "base-url", "", "API root `URL` (default "+b2b.TestBaseURL+")")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or github")
	fs.BoolVar(&o.failOnAdditive, "fail-on-additive", false, "exit 2 when the only findings are additive (unknown fields or values)")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "deadline of each call, retries included")
	fs.DurationVar(&o.runTimeout, "run-timeout", defaultRunTimeout, "bound of the whole run")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: stytch-drift [flags]\n\nChecks Stytch's answers to the B2B sandbox values against the spec of stytch-b2b-go %s.\nExit codes: 0 clean, 1 breaking drift, 2 additive drift with -fail-on-additive, 3 could not run.\n\n", version)
		fs.PrintDefaults()
	}
	return fs, showVersion
}
