package b2btest

import (
	"net/url"
	"strings"
)

// cleanPath resolves an escaped URL path the way an HTTP router does before it routes: empty
// segments ("//") are dropped, "." segments are removed and ".." removes the segment before it
// (never going above the root), including their percent-encoded forms ("%2e%2e"); a trailing
// slash is dropped. Escapes inside segments are kept, so "a%2Fb" stays one segment. Without this a
// request for /v1/b2b/recovery_codes/../m would reach an operation with ".." as an ID, where the
// API answers 404.
func cleanPath(escaped string) string {
	var out []string
	for _, seg := range strings.Split(escaped, "/") {
		v, err := url.PathUnescape(seg)
		if err != nil {
			v = seg
		}
		switch v {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// unescapedPath returns the decoded form of a cleaned escaped path (for URL.Path).
func unescapedPath(escaped string) string {
	if p, err := url.PathUnescape(escaped); err == nil {
		return p
	}
	return escaped
}
