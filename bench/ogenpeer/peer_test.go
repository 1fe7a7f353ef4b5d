package ogenpeer

import (
	"context"
	"net/http"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
	"github.com/b2bauth/stytch-b2b-go/bench/ogenpeer/stytchogen"
)

// credentials is the ogen client's security source: the project ID and secret as basic auth, the
// same for every operation.
type credentials struct{}

func (credentials) BasicAuth(context.Context, stytchogen.OperationName) (stytchogen.BasicAuth, error) {
	return stytchogen.BasicAuth{Username: benchkit.ProjectID, Password: benchkit.Secret}, nil
}

// newOgenClient builds the ogen client as its documentation shows, on the given http.Client.
func newOgenClient(tb testing.TB, baseURL string, hc *http.Client) *stytchogen.Client {
	tb.Helper()
	c, err := stytchogen.NewClient(baseURL, credentials{}, stytchogen.WithClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The ogen client's side of each measured call, with the inputs of the SDK's side.

func ogenMagicLinksAuthenticate(ctx context.Context, c *stytchogen.Client) (*stytchogen.MagicLinksAuthenticateResponse, error) {
	return c.MagicLinksAuthenticate(ctx, &stytchogen.MagicLinksAuthenticateRequest{
		MagicLinksToken:        benchkit.Token,
		SessionDurationMinutes: stytchogen.NewOptInt32(benchkit.SessionDurationMinutes),
	})
}

func ogenDiscoverySend(ctx context.Context, c *stytchogen.Client) (*stytchogen.MagicLinksEmailDiscoverySendResponse, error) {
	return c.MagicLinksEmailDiscoverySend(ctx, &stytchogen.MagicLinksEmailDiscoverySendRequest{
		EmailAddress: benchkit.Email,
	})
}

func ogenRecoveryCodesGet(ctx context.Context, c *stytchogen.Client) (*stytchogen.RecoveryCodesGetResponse, error) {
	return c.RecoveryCodesGet(ctx, stytchogen.RecoveryCodesGetParams{
		OrganizationID: benchkit.OrgID,
		MemberID:       benchkit.MemberID,
	})
}
