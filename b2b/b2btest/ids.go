package b2btest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// testID returns a Stytch-looking test ID ("member-test-<uuid>") derived from parts, so the same
// input always names the same object.
func testID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40 // version 4 layout
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-test-%s-%s-%s-%s-%s", prefix, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// shortHash returns n hex characters derived from parts.
func shortHash(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:n]
}

// numericID returns a 21-digit decimal ID derived from parts, like the subject IDs of OAuth
// providers.
func numericID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8])%1e19)
}

// randomToken returns an opaque, URL-safe random string like the tokens Stytch issues.
func randomToken() string {
	b := make([]byte, 33)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// recoveryCode returns the i-th recovery code of a member's generation gen, in Stytch's
// "xxxx-xxxx-xxxx" shape.
func recoveryCode(orgID, memberID string, gen, i int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%d", orgID, memberID, gen, i))
	var b strings.Builder
	for j := range 12 {
		if j > 0 && j%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[int(sum[j])%len(alphabet)])
	}
	return b.String()
}

// slugOf derives an organization slug from an organization ID.
func slugOf(orgID string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(orgID) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_', r == '~':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	if len(s) < 2 {
		s = "org-" + s
	}
	return s
}

// nameFromEmail turns "ada.lovelace@example.com" into "Ada Lovelace".
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
