package bench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/jwtkit"
)

// BenchmarkSessionJWT: checking one session JWT of the b2btest fake (RS256, a 2048-bit key; the
// fake serves the key set at its JWKS path) with the SDK, two ways.
//   - client=sdk: Sessions.AuthenticateJWT, local verification with a warm key cache (one
//     untimed verification first fetches the key set). netcalls/op counts the HTTP requests the
//     client sent during the timed calls: it must be 0.
//   - client=remote: Sessions.Authenticate with the same JWT, a POST to the fake on 127.0.0.1,
//     which checks the session and answers with a freshly signed JWT, as Stytch does. Its
//     cpu-ns/op is client and fake together, and the fake's RSA signing is most of it: the
//     figure to read for remote is ns/op, the latency a caller waits, with netcalls/op 1.
//
// The peer that matters for CPU is the official Go SDK's local verification (bench/jwtpeer); this
// pair shows what local verification saves against asking the API.
func BenchmarkSessionJWT(b *testing.B) {
	b.Run("client=sdk", func(b *testing.B) {
		f := jwtkit.NewJWTFixture(b)
		jwtkit.RunCounted(b, f.Calls, func(ctx context.Context) error {
			_, err := f.SDKAuthenticateJWTLocal(ctx)
			return err
		})
	})
	b.Run("client=remote", func(b *testing.B) {
		f := jwtkit.NewJWTFixture(b)
		jwtkit.RunCounted(b, f.Calls, func(ctx context.Context) error {
			_, err := f.SDKAuthenticateRemote(ctx)
			return err
		})
	})
}

// TestSessionJWTBenchmark checks what BenchmarkSessionJWT relies on: local verification of the
// fake's JWT succeeds, describes the session the remote check describes, and sends nothing once
// the keys are cached; the remote check sends exactly one request per call.
func TestSessionJWTBenchmark(t *testing.T) {
	f := jwtkit.NewJWTFixture(t)
	ctx := context.Background()

	local, err := f.SDKAuthenticateJWTLocal(ctx)
	require.NoError(t, err)
	require.Nil(t, local.Remote, "AuthenticateJWT verified locally")
	require.EqualValues(t, 1, f.Calls.Load(), "the first local verification fetches the key set, and only that")
	for range 3 {
		_, err := f.SDKAuthenticateJWTLocal(ctx)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, f.Calls.Load(), "local verifications with a warm key cache send nothing")

	remote, err := f.SDKAuthenticateRemote(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.Calls.Load(), "a remote check sends one request")

	got, want := local.MemberSession, remote.MemberSession
	require.NotEmpty(t, got.MemberSessionID)
	assert.Equal(t, want.MemberSessionID, got.MemberSessionID)
	assert.Equal(t, want.MemberID, got.MemberID)
	assert.Equal(t, want.OrganizationID, got.OrganizationID)
	// The JWT carries its times to the second.
	assert.True(t, want.StartedAt.Truncate(time.Second).Equal(got.StartedAt), "started_at: local %v, remote %v", got.StartedAt, want.StartedAt)
}
