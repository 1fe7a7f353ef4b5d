// Package sessionjwt verifies Stytch B2B session JWTs locally: the RS256 signature against the
// project's key set (JWKS), the issuer, audience and time claims, and Stytch's session and
// organization claims, which it returns typed together with the custom claims.
//
// The JOSE work (parsing the compact JWS, parsing JWKs into RSA keys, verifying the signature)
// is done by github.com/go-jose/go-jose/v4; this package only decides which key, which
// algorithm and which claims are acceptable.
//
// A Verifier is built with New, which does no I/O. Keys are fetched through Config.Fetch by the
// first verification that needs them and cached; see Config for how long, and when an unknown
// kid or a failed fetch causes a refetch. Every refused token gives an *Error whose Reason says
// why; Reason.RemoteMayAccept tells whether asking the API could still accept it.
package sessionjwt
