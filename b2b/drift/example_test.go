package drift_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/b2b/drift"
)

// The detector wraps the SDK's own transport. Here the fake answers with a property the spec does
// not know: the call succeeds, and the collector holds the finding.
func ExampleNewTransport() {
	srv := b2btest.NewStandalone()
	defer srv.Close()
	srv.On(b2btest.MagicLinksEmailDiscoverySend).RespondJSON(http.StatusOK, map[string]any{
		"request_id": "request-id-test-1", "status_code": 200, "delivery": "queued",
	})

	var found drift.Collector
	client, err := b2b.NewClient(b2btest.ProjectID, b2btest.Secret, b2b.WithBaseURL(srv.URL),
		b2b.WithTransportWrapper(func(next http.RoundTripper) http.RoundTripper {
			return drift.NewTransport(next, found.Report)
		}))
	if err != nil {
		panic(err)
	}
	_, err = client.MagicLinks.Email.Discovery.Send(context.Background(), &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: "ada@example.com"})
	fmt.Println("call error:", err)
	for _, f := range found.Findings() {
		fmt.Println(f)
	}
	// Output:
	// call error: <nil>
	// magicLinksEmailDiscoverySend /delivery: unknown_field: not in the spec (a string)
}
