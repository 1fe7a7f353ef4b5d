// Command stytch-fake serves the b2btest fake of the Stytch B2B API over HTTP or HTTPS, for code
// that is not a Go test: another language's tests, the official SDKs, end-to-end suites.
//
//	go run github.com/b2bauth/stytch-b2b-go/cmd/stytch-fake -addr 127.0.0.1:8080
//	go run github.com/b2bauth/stytch-b2b-go/cmd/stytch-fake -tls -ca-file ./fake-ca.pem -seed seed.yaml
//
// It is the same fake as b2btest.NewServer: every request is validated against the spec, answers
// are stateful, Stytch's sandbox values work, session JWTs are RS256-signed and their key set is
// served at /v1/b2b/sessions/jwks/{project_id}. Any non-empty HTTP Basic credentials are accepted.
//
// Flags:
//
//	-addr HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a free one)
//	-tls             serve HTTPS with a certificate signed by a CA generated at start; the CA
//	                 certificate is written to -ca-file and its path printed, so clients that
//	                 insist on https can trust it (Node: NODE_EXTRA_CA_CERTS=<file>)
//	-ca-file PATH    where -tls writes the CA certificate (default stytch-fake-ca.pem in the
//	                 system's temporary directory)
//	-cert-hosts N,N  extra host names or IPs the -tls certificate is valid for (compose service
//	                 names); it always covers localhost, 127.0.0.1, ::1 and the listening address
//	-seed PATH       organizations and members to start with, JSON or YAML:
//	                   organizations: [ {organization_id: ..., mfa_policy: ..., ...} ]
//	                   members:       [ {organization_id: ..., email_address: ..., ...} ]
//	                 each object is checked against the spec's Organization and Member schemas
//	-strict          unknown organizations, members, tokens and sessions are the API's 404s
//	                 (b2btest.Strict) instead of existing on first sight
//
// The first line printed is "stytch-fake: serving <URL>" (then "stytch-fake: CA certificate
// <path>" with -tls). The control API (reading sent emails, minting tokens, scripting answers,
// resetting state) is under /_b2btest/, described in package b2btest (ControlPath).
//
// SIGINT or SIGTERM shuts the server down gracefully: requests in flight get up to five seconds
// to finish. Every request is bounded: headers and body must arrive within ten seconds, bodies
// are capped at b2btest.MaxBodyBytes, a scripted delay at five minutes, and an idle connection
// is closed after a minute.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(exitCode()) }

// exitCode runs the fake until a signal stops it and returns the process's exit status.
func exitCode() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintln(os.Stderr, "stytch-fake:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// ready, when not nil, receives the server's URL once it listens (tests use it).
type ready = chan<- string

// run parses args, serves until ctx ends, then shuts down. Informational lines go to out.
func run(ctx context.Context, args []string, out io.Writer, started ready) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, out, started)
}
