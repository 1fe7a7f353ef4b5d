// Package exampleenv holds what the example programs share: running with a deadline, and choosing
// between the b2btest fake and Stytch from the environment.
package exampleenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// Main runs run with a one-minute deadline, stdout and the process environment, and exits with
// status 1 and the error, prefixed by name, when it fails.
func Main(name string, run func(ctx context.Context, out io.Writer, getenv func(string) string) error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := run(ctx, os.Stdout, os.Getenv)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Stytch returns a client for Stytch when STYTCH_PROJECT_ID and STYTCH_SECRET are both set, after
// checking that the example's other required variables are set too; STYTCH_BASE_URL, when set,
// replaces the API root chosen from the project ID. It returns a nil client and no error when
// neither credential is set: the example then runs against the fake.
func Stytch(name string, getenv func(string) string, required ...string) (*b2b.Client, error) {
	projectID, secret := getenv("STYTCH_PROJECT_ID"), getenv("STYTCH_SECRET")
	if (projectID == "") != (secret == "") {
		return nil, errors.New("set both STYTCH_PROJECT_ID and STYTCH_SECRET, or neither to use the fake")
	}
	if projectID == "" {
		return nil, nil
	}
	var missing []string
	for _, v := range required {
		if getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("running against Stytch needs %s (see go doc ./examples/%s)", strings.Join(missing, ", "), name)
	}
	var opts []b2b.Option
	if u := getenv("STYTCH_BASE_URL"); u != "" {
		opts = append(opts, b2b.WithBaseURL(u))
	}
	return b2b.NewClient(projectID, secret, opts...)
}
