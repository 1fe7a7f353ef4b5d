package b2btest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// reservedClaim reports whether a custom claim name is one the API ignores: the registered JWT
// claims and Stytch's own namespace.
func reservedClaim(name string) bool {
	switch name {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
		return true
	}
	return strings.HasPrefix(name, "https://stytch.com/")
}

// JWKSPath is where the fake serves its JSON Web Key Set for a project: the path the official
// SDKs fetch keys from. Like the API, it needs no credentials.
const JWKSPath = "/v1/b2b/sessions/jwks/"

// signer signs session JWTs with RS256 (RSASSA-PKCS1-v1_5 with SHA-256, from crypto/rsa). The key
// is made on first use: generating an RSA key takes a good part of a second, which a test that
// never starts a session should not pay.
type signer struct {
	given    *rsa.PrivateKey
	unsigned bool // benchmarks only: no real signature
	once     sync.Once
	key      *rsa.PrivateKey
	kid      string
	header   string // the base64url JOSE header of every JWT it signs
	jwk      map[string]any
}

func newSigner(key *rsa.PrivateKey) *signer { return &signer{given: key} }

func (sg *signer) init() {
	sg.once.Do(func() {
		sg.key = sg.given
		if sg.key == nil {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic("b2btest: generating the session signing key: " + err.Error())
			}
			sg.key = k
		}
		pub := &sg.key.PublicKey
		sg.kid = testID("jwk", base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
		header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": sg.kid, "typ": "JWT"})
		sg.header = base64.RawURLEncoding.EncodeToString(header)
		jwk := map[string]any{
			"kty":     "RSA",
			"use":     "sig",
			"alg":     "RS256",
			"key_ops": []string{"verify"},
			"kid":     sg.kid,
			"n":       base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e":       base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}
		// A self-signed certificate for the key, as Stytch's key sets carry one (x5c).
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "b2btest session signing key"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().AddDate(10, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
		}
		if der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, sg.key); err == nil {
			sum := sha256.Sum256(der)
			jwk["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
			jwk["x5t#S256"] = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		sg.jwk = jwk
	})
}

// sessionClaims is the payload of a session JWT: the registered claims, Stytch's session and
// organization claims, and the session's custom claims at the top level beside them.
type sessionClaims struct {
	Subject      string            `json:"sub"`
	Issuer       string            `json:"iss"`
	Audience     []string          `json:"aud"`
	IssuedAt     int64             `json:"iat"`
	NotBefore    int64             `json:"nbf"`
	Expires      int64             `json:"exp"`
	Session      sessionClaim      `json:"https://stytch.com/session"`
	Organization organizationClaim `json:"https://stytch.com/organization"`
	custom       map[string]any    // names never reserved (mergeClaims drops those)
}

type sessionClaim struct {
	ID             string                     `json:"id"`
	StartedAt      string                     `json:"started_at"`
	LastAccessedAt string                     `json:"last_accessed_at"`
	ExpiresAt      string                     `json:"expires_at"`
	Attributes     sessionAttributes          `json:"attributes"`
	Factors        []gen.AuthenticationFactor `json:"authentication_factors"`
	Roles          []string                   `json:"roles"`
}

type sessionAttributes struct {
	IPAddress string `json:"ip_address"`
	UserAgent string `json:"user_agent"`
}

type organizationClaim struct {
	ID   string `json:"organization_id"`
	Slug string `json:"slug"`
}

// payload returns the JSON of the claims: the typed ones, then the custom ones in name order.
// Encoding a struct costs a fraction of encoding the same claims as nested maps.
func (c sessionClaims) payload() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil || len(c.custom) == 0 {
		return b, err
	}
	extra, err := json.Marshal(c.custom)
	if err != nil {
		return nil, err
	}
	// {"sub":...} and {"k":...} become {"sub":...,"k":...}.
	return append(append(b[:len(b)-1], ','), extra[1:]...), nil
}

// signingInput returns the first two parts of a compact JWS of claims: the header
// {alg: RS256, kid, typ: JWT} and the payload, base64url encoded.
func (sg *signer) signingInput(claims sessionClaims) string {
	sg.init()
	payload, err := claims.payload()
	if err != nil {
		panic("b2btest: encoding session JWT claims: " + err.Error())
	}
	return sg.header + "." + base64.RawURLEncoding.EncodeToString(payload)
}

// signature returns the base64url RS256 signature of a signing input.
func (sg *signer) signature(input string) string {
	sg.init()
	if sg.unsigned {
		sig := make([]byte, 256)
		_, _ = rand.Read(sig)
		return base64.RawURLEncoding.EncodeToString(sig)
	}
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, sg.key, crypto.SHA256, digest[:])
	if err != nil {
		panic("b2btest: signing a session JWT: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(sig)
}

// genJWK returns the signing key as the spec's JWK, with its SHA-256 certificate thumbprint
// under both spellings the sources use.
func (sg *signer) genJWK() gen.JWK {
	sg.init()
	j := sg.jwk
	thumb, _ := j["x5t#S256"].(string)
	x5c, _ := j["x5c"].([]string)
	return gen.JWK{
		Kty: "RSA", Use: "sig", Alg: "RS256", KeyOps: []gen.JWKKeyOperation{"verify"}, Kid: sg.kid,
		N: j["n"].(string), E: j["e"].(string), X5C: x5c, X5TS256: thumb, X5TS256SnakeCase: thumb,
	}
}

// publicKey returns the public half of the signing key and its key ID.
func (sg *signer) publicKey() (*rsa.PublicKey, string) {
	sg.init()
	return &sg.key.PublicKey, sg.kid
}

// jwks returns the key set document: the signing key as a JWK.
func (sg *signer) jwks() map[string]any {
	sg.init()
	return map[string]any{"keys": []any{sg.jwk}}
}

// SigningKey returns the public key that verifies the session JWTs of this server, and its key ID
// (the kid header of every JWT it signs). The same key is served as a JWK at JWKSPath.
func (s *Server) SigningKey() (key *rsa.PublicKey, kid string) { return s.keys.publicKey() }

// serveJWKS answers GET JWKSPath+{project_id} with the key set, without credentials, for any
// project ID: the official SDKs fetch it there (some without credentials) before they verify a
// session JWT locally. It reports whether the request was for the key set.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request, cleaned string, rec *Request) bool {
	rest, ok := strings.CutPrefix(cleaned, JWKSPath)
	if !ok || rest == "" || strings.Contains(rest, "/") || r.Method != http.MethodGet {
		return false
	}
	if _, inSpec := behaviors[jwksOperationID]; inSpec {
		return false // the spec has the operation: it is validated and answered as any other
	}
	rec.Operation = jwksOperationID
	rec.Status = http.StatusOK
	body := s.keys.jwks()
	body["request_id"] = newRequestID()
	body["status_code"] = http.StatusOK
	b, _ := json.Marshal(body)
	writeBytes(w, http.StatusOK, b)
	return true
}

// jwksOperationID is the operationId the key set operation has in the spec.
const jwksOperationID = "sessionsGetJWKS"
