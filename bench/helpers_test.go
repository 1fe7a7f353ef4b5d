package bench

import (
	"context"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/benchkit"
)

// baselineUA is what the hand-written client sends; the SDK sends its own User-Agent.
const baselineUA = "handwritten-stytch-client/1.0"

// The baseline's side of each measured call, with the inputs of the SDK's side
// (benchkit.SDKMagicLinksAuthenticate and the others).

func baseMagicLinksAuthenticate(ctx context.Context, c *baselineClient) (*plainMagicLinksAuthenticateResponse, error) {
	d := int32(benchkit.SessionDurationMinutes)
	return c.magicLinksAuthenticate(ctx, &plainMagicLinksAuthenticateRequest{
		MagicLinksToken:        benchkit.Token,
		SessionDurationMinutes: &d,
	})
}

func baseDiscoverySend(ctx context.Context, c *baselineClient) (*plainMagicLinksEmailDiscoverySendResponse, error) {
	return c.discoverySend(ctx, &plainMagicLinksEmailDiscoverySendRequest{EmailAddress: benchkit.Email})
}

func baseRecoveryCodesGet(ctx context.Context, c *baselineClient) (*plainRecoveryCodesGetResponse, error) {
	return c.recoveryCodesGet(ctx, benchkit.OrgID, benchkit.MemberID)
}
