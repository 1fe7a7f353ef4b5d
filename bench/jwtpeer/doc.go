// Package jwtpeer is a benchmark module of its own: the SDK's local session JWT verification
// against the official Go SDK's, measured the same way.
//
// The official SDK (github.com/stytchauth/stytch-go) is not served by the Go module proxy this
// project can reach, so it cannot be built here. Its local verification is published, and it is
// a short sequence of calls into github.com/golang-jwt/jwt/v5: the peer (peer_test.go) makes
// that same sequence, with the same library, on the same token and key set, so its cost is the
// official SDK's cost less what that SDK adds around the library (its key set cache's lookup
// and its client plumbing). The SDK's CPU target against the official SDK is judged on it; the
// comparison is one-sided in the official SDK's favour, if anything.
//
// The module is separate so that the SDK's go.mod never names golang-jwt; it uses the SDK
// through a replace directive. Run it with make bench (bench/rounds), or its checks with
// go -C bench/jwtpeer test ./...
package jwtpeer
