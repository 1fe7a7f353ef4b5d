package sessionjwt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Defaults for the zero values of Config's durations.
const (
	// DefaultCacheMaxAge is how long fetched keys are used before the next verification fetches
	// them again (the same as the Node SDK's jose cache). Stytch rotates keys about every six
	// months and serves old and new together for a month, so ten minutes only bounds how long a
	// key Stytch withdrew can still be used.
	DefaultCacheMaxAge = 10 * time.Minute
	// DefaultRefreshInterval is the least time between two fetches caused by unknown kids, and
	// the time nothing is fetched after a failed fetch. A token's kid is read before its
	// signature can be checked, so anyone can send made-up kids: this interval caps what that
	// costs at one fetch per interval (120 an hour at 30 s, nothing to Stytch). A shorter gap
	// than stytch-go's 5 minutes matters after a rotation this cache has not seen: until the
	// refetch every new token fails locally with ReasonNoKey, and with a remote fallback each
	// of them costs an API call, so the gap is kept to the Node SDK's 30 seconds.
	DefaultRefreshInterval = 30 * time.Second
	// DefaultFetchTimeout bounds one key set fetch (the Node SDK's jose uses 5 s; stytch-go 10 s).
	// It is the only bound: a verification whose context ends stops waiting for the fetch, but
	// the fetch goes on, so that its outcome counts for the refresh interval whoever gives up.
	DefaultFetchTimeout = 5 * time.Second
)

// maxTokenBytes caps the token before any parsing. Stytch's session JWTs are 1 to 3 KB, and
// custom claims are limited to 4 KB.
const maxTokenBytes = 32 << 10

// Config configures a Verifier. ProjectID, Issuers and Fetch are required; every other field has
// a default for its zero value.
type Config struct {
	// ProjectID is the Stytch project ID; "aud" must contain it.
	ProjectID string
	// Issuers are the accepted values of "iss", compared exactly (see Issuers).
	Issuers []string
	// Fetch fetches the key set. It is first called by the first verification, never by New.
	Fetch FetchFunc

	// Leeway is the clock tolerance applied to exp, nbf, iat and the maximum token age.
	// Zero (the default, as in both official SDKs) means none: exp is honoured to the second,
	// and a clock skew that makes a fresh token look not yet valid gives ReasonNotYetValid,
	// which a remote fallback absorbs. A few seconds suits machines whose clocks are not
	// synchronised; it must not be negative.
	Leeway time.Duration
	// CacheMaxAge is how long fetched keys are used before a verification fetches them again;
	// zero means DefaultCacheMaxAge. If that fetch fails the old keys are still used.
	CacheMaxAge time.Duration
	// RefreshInterval is the least time between a fetch and a refetch for an unknown kid, and
	// the time nothing is fetched after a failed fetch; zero means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// FetchTimeout bounds each fetch, whatever the contexts of the verifications waiting on it;
	// zero means DefaultFetchTimeout.
	FetchTimeout time.Duration

	// Now returns the current time; nil means time.Now. Tests inject a clock here.
	Now func() time.Time
	// OnFetchError, when set, is called with the error of every failed key set fetch, whether
	// or not cached keys could be used instead (so a refetch that fails while old keys keep
	// working is still seen). It is called from the goroutine that runs the fetch, before the
	// verifications waiting on it are released, and must not block.
	OnFetchError func(error)
}

// Issuers returns the two issuers Stytch uses: "stytch.com/<projectID>", and baseURL (the API
// base URL the client calls, for instance a custom domain) without trailing slashes. An empty
// baseURL gives only the first.
func Issuers(projectID, baseURL string) []string {
	out := []string{"stytch.com/" + projectID}
	if b := strings.TrimRight(baseURL, "/"); b != "" {
		out = append(out, b)
	}
	return out
}

// Verifier verifies Stytch B2B session JWTs locally, against the project's key set. It is safe
// for concurrent use; create one per project and keep it, so that the keys are cached.
type Verifier struct {
	projectID string
	issuers   []string
	leeway    time.Duration
	now       func() time.Time
	keys      *keySet
}

// New checks cfg and returns a Verifier. It does no I/O: keys are fetched by the first Verify.
func New(cfg Config) (*Verifier, error) {
	switch {
	case cfg.ProjectID == "":
		return nil, errors.New("sessionjwt: Config.ProjectID is empty")
	case len(cfg.Issuers) == 0:
		return nil, errors.New("sessionjwt: Config.Issuers is empty")
	case cfg.Fetch == nil:
		return nil, errors.New("sessionjwt: Config.Fetch is nil")
	case cfg.Leeway < 0:
		return nil, errors.New("sessionjwt: Config.Leeway is negative")
	case cfg.CacheMaxAge < 0:
		return nil, errors.New("sessionjwt: Config.CacheMaxAge is negative")
	case cfg.RefreshInterval < 0:
		return nil, errors.New("sessionjwt: Config.RefreshInterval is negative")
	case cfg.FetchTimeout < 0:
		return nil, errors.New("sessionjwt: Config.FetchTimeout is negative")
	}
	for i, iss := range cfg.Issuers {
		if iss == "" {
			return nil, fmt.Errorf("sessionjwt: Config.Issuers[%d] is empty", i)
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	orDefault := func(d, def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	return &Verifier{
		projectID: cfg.ProjectID,
		issuers:   append([]string(nil), cfg.Issuers...),
		leeway:    cfg.Leeway,
		now:       now,
		keys: &keySet{
			fetch:    cfg.Fetch,
			now:      now,
			maxAge:   orDefault(cfg.CacheMaxAge, DefaultCacheMaxAge),
			interval: orDefault(cfg.RefreshInterval, DefaultRefreshInterval),
			timeout:  orDefault(cfg.FetchTimeout, DefaultFetchTimeout),
			report:   cfg.OnFetchError,
		},
	}, nil
}

// signatureAlgorithms is the only algorithm accepted. Passing it to the JOSE parser makes any
// other "alg" (none, HS256 with an RSA key's kid, ES256, PS256, ...) fail before a key is used.
var signatureAlgorithms = []jose.SignatureAlgorithm{jose.RS256}

// Verify checks token and returns its claims. It checks, in this order: the compact JWS form and
// header ("alg" RS256, a "kid", "typ" JWT if present), the RS256 signature with the key set's key
// for the kid, "iss" (one of the accepted issuers), "aud" (contains the project ID; a string or
// an array), "exp" (required), "nbf" and "iat" (when present), the maximum age, then "sub", the
// session claim and the organization claim. Every failure is an *Error; see Reason.
//
// maxAge limits the token's age, now minus "iat": a token exactly maxAge old passes, an older
// one fails with ReasonTooOld (also when its "exp" has passed: an age limit means "ask the API
// about older tokens", and the API may still accept an expired JWT's session), and a token
// without "iat" fails with ReasonMissingClaim (or ReasonExpired once its "exp" has passed). Zero
// means no limit other than "exp" (unlike stytch-go, where zero means "always ask the API":
// deciding to skip local verification belongs to the caller, not to a magic age). It must not
// be negative.
func (v *Verifier) Verify(ctx context.Context, token string, maxAge time.Duration) (*Claims, error) {
	if maxAge < 0 {
		return nil, errors.New("sessionjwt: negative maximum token age")
	}
	payload, err := v.verifySignature(ctx, token)
	if err != nil {
		return nil, err
	}
	p, err := decodePayload(payload)
	if err != nil {
		return nil, err
	}
	return v.checkClaims(p, maxAge)
}

// verifySignature parses token, checks its header, finds its key and verifies its signature. It
// returns the payload only when the signature verified.
func (v *Verifier) verifySignature(ctx context.Context, token string) ([]byte, error) {
	switch {
	case token == "":
		return nil, newError(ReasonMalformed, "", "empty token", nil)
	case len(token) > maxTokenBytes:
		return nil, newError(ReasonMalformed, "", fmt.Sprintf("longer than %d bytes", maxTokenBytes), nil)
	case strings.Count(token, ".") != 2:
		return nil, newError(ReasonMalformed, "", "not three dot-separated parts", nil)
	}
	obj, err := jose.ParseSignedCompact(token, signatureAlgorithms)
	if err != nil {
		// The library's messages can quote header values; they are summarised instead.
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return nil, newError(ReasonUnsupportedAlgorithm, "alg", describeAlg(string(alg.Got)), nil)
		}
		return nil, newError(ReasonMalformed, "", "the parts are not base64url, or the header is not a valid JOSE header", nil)
	}
	if len(obj.Signatures) != 1 {
		return nil, newError(ReasonMalformed, "", "not exactly one signature", nil)
	}
	h := obj.Signatures[0].Header
	if err := checkHeader(h); err != nil {
		return nil, err
	}
	key, err := v.keys.lookup(ctx, h.KeyID)
	if err != nil {
		return nil, err
	}
	if key.alg != "" && key.alg != string(jose.RS256) {
		return nil, newError(ReasonUnsupportedAlgorithm, "alg", fmt.Sprintf("the key with this kid is published for %s", describeAlg(key.alg)), nil)
	}
	payload, err := obj.Verify(key.key)
	if err != nil {
		return nil, newError(ReasonBadSignature, "", "", nil)
	}
	return payload, nil
}

// checkHeader checks the header parameters beyond "alg", which the parser has checked.
func checkHeader(h jose.Header) error {
	if h.KeyID == "" {
		return newError(ReasonMalformed, "kid", `the header has no "kid"`, nil)
	}
	if typ, ok := h.ExtraHeaders[jose.HeaderType]; ok {
		s, _ := typ.(string)
		if !strings.EqualFold(s, "JWT") && !strings.EqualFold(s, "application/jwt") {
			return newError(ReasonMalformed, "typ", `"typ" is not JWT`, nil)
		}
	}
	// Stytch signs plain JWTs: an extension that changes how the signature is computed or
	// must be understood is refused rather than honoured.
	for _, name := range []jose.HeaderKey{"crit", "b64"} {
		if _, ok := h.ExtraHeaders[name]; ok {
			return newError(ReasonMalformed, string(name), "header extensions are not accepted", nil)
		}
	}
	return nil
}

// describeAlg quotes an "alg" value for a message, cut short: it comes from an unverified header.
func describeAlg(alg string) string {
	if alg == "" {
		return `no "alg"`
	}
	if len(alg) > 16 {
		alg = alg[:16] + "..."
	}
	return fmt.Sprintf("alg %q, only RS256 is accepted", alg)
}
