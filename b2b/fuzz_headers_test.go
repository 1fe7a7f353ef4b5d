package b2b_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
)

// FuzzParseRetryAfter: whatever a server sends as Retry-After, the parsed wait is never negative
// and never beyond a day (the caps then apply), and it never panics. A number of seconds is taken
// as such; an HTTP date as the time until it.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{"", "0", "1", "120", "-5", "1.5", " 7 ", "99999999999999999999", "9223372036854775807",
		"soon", now.Add(time.Minute).Format(http.TimeFormat), now.Add(-time.Hour).Format(http.TimeFormat),
		now.Add(10 * time.Second).Format(time.RFC850), "Mon, 99 Foo 2026 25:61:61 GMT", "\x00", "1e9"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := b2b.ParseRetryAfter(v, now)
		if d < 0 || d > 24*time.Hour {
			t.Fatalf("Retry-After %q gave %v", v, d)
		}
	})
}
