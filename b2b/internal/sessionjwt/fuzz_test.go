package sessionjwt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzVerify feeds arbitrary strings to Verify with a warm key set. It must never panic, every
// refusal must be an *Error with a known reason whose message holds no part of the token, and an
// accepted token must carry the claims Verify promises.
func FuzzVerify(f *testing.F) {
	k := newTestKey(f, 0, "jwk-test-1")
	good := sign(f, k, claims(base), signOpts{})
	parts := strings.Split(good, ".")
	for _, seed := range []string{
		good,
		sign(f, k, with(claims(base), "aud", testProject), signOpts{}),
		sign(f, k, with(claims(base), "exp", "x"), signOpts{}),
		sign(f, newTestKey(f, 1, "jwk-test-1"), claims(base), signOpts{}),
		signRaw(f, k, []byte(`{"sub":1}`), signOpts{}),
		unsigned(`{"alg":"none","kid":"jwk-test-1"}`, `{}`, ""),
		unsigned(`{"alg":"RS256","kid":"jwk-test-1","crit":["b64"],"b64":false}`, `{}`, "AA"),
		parts[0] + "." + parts[1] + ".",
		parts[0] + ".." + parts[2],
		"..", "", "a.b.c", "eyJ9.e30.AA",
	} {
		f.Add(seed)
	}
	e := newEnv(f, jwks(f, k))
	_, err := e.verify(good)
	require.NoError(f, err)
	known := map[Reason]bool{}
	for _, r := range []Reason{ReasonMalformed, ReasonUnsupportedAlgorithm, ReasonBadSignature,
		ReasonNoKey, ReasonJWKSUnreachable, ReasonWrongIssuer, ReasonWrongAudience, ReasonExpired,
		ReasonNotYetValid, ReasonTooOld, ReasonMissingClaim, ReasonInvalidClaim} {
		known[r] = true
	}

	f.Fuzz(func(t *testing.T, token string) {
		c, err := e.v.Verify(context.Background(), token, time.Hour)
		if err != nil {
			var ve *Error
			if !errors.As(err, &ve) {
				t.Fatalf("not an *Error: %v", err)
			}
			if !known[ve.Reason] {
				t.Fatalf("unknown reason %q", ve.Reason)
			}
			assertNoTokenIn(t, err.Error(), token)
			return
		}
		if c.MemberID == "" || c.Session.ID == "" || c.Organization.ID == "" || c.Custom == nil {
			t.Fatalf("accepted token without the promised claims: %+v", c)
		}
	})
}
