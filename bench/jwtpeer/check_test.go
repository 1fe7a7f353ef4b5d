package jwtpeer

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/bench/internal/jwtkit"
)

// TestPeerVerifiesLikeSDK checks that both halves of BenchmarkSessionJWT do the same work: the
// peer accepts the fake's JWT and describes the same session as the SDK, field by field, sends
// nothing per verification, and really verifies (a token with a changed signature, or another
// project's audience, is refused).
func TestPeerVerifiesLikeSDK(t *testing.T) {
	f := jwtkit.NewJWTFixture(t)
	ctx := context.Background()
	calls := new(atomic.Int64)
	p, err := newPeer(ctx, f.Server, countingClient(calls))
	require.NoError(t, err)
	require.EqualValues(t, 1, calls.Load(), "the peer fetches the key set once, when it is built")

	sdk, err := f.SDKAuthenticateJWTLocal(ctx)
	require.NoError(t, err)
	require.Nil(t, sdk.Remote, "the SDK verified locally")
	got, err := p.verify(f.JWT, jwtkit.JWTMaxAge)
	require.NoError(t, err)
	want := sdk.MemberSession

	assert.Equal(t, want.MemberSessionID, got.MemberSessionID)
	assert.Equal(t, want.MemberID, got.MemberID)
	assert.Equal(t, want.OrganizationID, got.OrganizationID)
	assert.Equal(t, want.OrganizationSlug, got.OrganizationSlug)
	assert.True(t, want.StartedAt.Equal(got.StartedAt), "started_at")
	assert.True(t, want.LastAccessedAt.Equal(got.LastAccessedAt), "last_accessed_at")
	assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "expires_at")
	assert.Equal(t, want.Roles, got.Roles)
	assert.Len(t, got.AuthenticationFactors, len(want.AuthenticationFactors))
	assert.Equal(t, len(want.CustomClaims), len(got.CustomClaims))
	require.NotEmpty(t, got.MemberSessionID)

	for range 3 {
		_, err := p.verify(f.JWT, jwtkit.JWTMaxAge)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, calls.Load(), "verifications send nothing")

	// A changed signature: flip one character in the middle of the last part.
	dot := strings.LastIndexByte(f.JWT, '.')
	mid := dot + (len(f.JWT)-dot)/2
	flipped := byte('A')
	if f.JWT[mid] == 'A' {
		flipped = 'B'
	}
	tampered := f.JWT[:mid] + string(flipped) + f.JWT[mid+1:]
	_, err = p.verify(tampered, jwtkit.JWTMaxAge)
	assert.Error(t, err, "a changed signature is refused")

	other := &peer{projectID: "project-test-someone-else", issuers: p.issuers,
		parser: newParserFor("project-test-someone-else"), keys: p.keys}
	_, err = other.verify(f.JWT, jwtkit.JWTMaxAge)
	assert.Error(t, err, "another project's audience is refused")
}
