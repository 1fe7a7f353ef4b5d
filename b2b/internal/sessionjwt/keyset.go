package sessionjwt

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FetchFunc fetches the project's key set (the body of GET /v1/b2b/sessions/jwks/{project_id},
// a JSON object with a "keys" array of JWKs). It must honour ctx: the key set gives it a context
// that ends after the fetch timeout and carries the values of the verification's context that
// started the fetch, but not its cancellation or deadline (see keySet). A non-2xx answer must be
// returned as an error, not as a body.
type FetchFunc func(ctx context.Context) (jwksJSON []byte, err error)

// maxJWKSBytes caps the key set document; Stytch's has a few keys of about 2 KB each.
const maxJWKSBytes = 1 << 20

// minRSABits is the smallest modulus accepted: RFC 7518 section 3.3 requires 2048 bits for RS256.
// (go-jose refuses moduli above 4096 bits.)
const minRSABits = 2048

// publicKey is one usable key of the set.
type publicKey struct {
	key *rsa.PublicKey
	alg string // the JWK's "alg", "" when it has none
}

// keySet caches the keys FetchFunc returns. It fetches nothing until the first lookup. A lookup
// fetches when there are no keys yet, when the keys are older than maxAge, or when the kid is
// unknown, with these limits:
//   - concurrent lookups that need a fetch share one (single flight), each waiting no longer
//     than its own context;
//   - a fetch, once started, runs to its end (at most the fetch timeout) even when every lookup
//     waiting on it gives up, and its outcome is remembered: callers that hang up at once (a
//     forger's requests) cannot make the limits below start over;
//   - after a successful fetch an unknown kid causes a refetch only once interval has passed
//     since that fetch, so tokens with made-up kids cost at most one fetch per interval;
//   - after a failed fetch nothing is fetched for interval, whatever the cause; lookups
//     meanwhile use the keys already cached, even past maxAge, and fail fast otherwise.
type keySet struct {
	fetch    FetchFunc
	now      func() time.Time
	maxAge   time.Duration
	interval time.Duration
	timeout  time.Duration
	report   func(error)

	mu        sync.Mutex
	keys      map[string]publicKey // nil until a fetch succeeds
	fetchedAt time.Time            // when keys was last replaced
	attempted time.Time            // when the last fetch ended, successful or not
	lastErr   error                // the last fetch's error; nil after a success
	flight    *flight              // the fetch in progress, if any
}

// flight is one fetch in progress; done is closed when it ends, after its outcome was recorded.
type flight struct {
	done     chan struct{}
	panicked any          // set before done is closed when the fetch panicked
	waiters  atomic.Int32 // lookups other than the starter waiting on done (tests read it)
}

// lookup returns the key for kid, fetching the key set when the rules above allow and require it.
//
// A lookup causes or waits for at most one fetch: whatever the settings (a tiny CacheMaxAge, a
// clock that jumps), it then answers from what that fetch left.
func (s *keySet) lookup(ctx context.Context, kid string) (publicKey, error) {
	settled := false // a fetch ended during this lookup
	for {
		s.mu.Lock()
		now := s.now()
		k, found := s.keys[kid]
		fresh := s.keys != nil && now.Sub(s.fetchedAt) < s.maxAge
		if found && fresh {
			s.mu.Unlock()
			return k, nil
		}
		f, started := s.flight, false
		if f == nil {
			mayFetch := !settled &&
				(s.attempted.IsZero() || now.Sub(s.attempted) >= s.interval || (s.lastErr == nil && !fresh))
			if !mayFetch {
				err := s.missLocked(kid)
				s.mu.Unlock()
				return k, err // k is the stale key when err is nil
			}
			if err := ctx.Err(); err != nil {
				s.mu.Unlock() // a caller that already gave up starts no fetch
				return publicKey{}, newError(ReasonJWKSUnreachable, "", "the key set must be fetched, and the context has ended", err)
			}
			f, started = &flight{done: make(chan struct{})}, true
			s.flight = f
			go s.refresh(context.WithoutCancel(ctx), f)
		}
		s.mu.Unlock()

		if !started {
			f.waiters.Add(1)
		}
		select {
		case <-f.done:
			if started && f.panicked != nil {
				panic(f.panicked) // a bug in the fetch function surfaces where it was called for
			}
			settled = true // the next round finds the key or reports why not
		case <-ctx.Done():
			return publicKey{}, newError(ReasonJWKSUnreachable, "", "gave up waiting for the key set fetch", ctx.Err())
		}
	}
}

// missLocked decides what a lookup that may not fetch returns; s.mu is held.
func (s *keySet) missLocked(kid string) error {
	if _, ok := s.keys[kid]; ok {
		return nil // stale but usable: serving old keys beats refusing every token
	}
	if s.lastErr != nil {
		return newError(ReasonJWKSUnreachable, "kid", "the last fetch failed, and no cached key has this kid", s.lastErr)
	}
	return newError(ReasonNoKey, "kid", "", nil)
}

// refresh runs one fetch for flight f, in a goroutine of its own, reports a failure, records
// the outcome and releases the lookups waiting on f. ctx carries no cancellation: the fetch is
// bounded by the fetch timeout alone, so that it ends, and is recorded, whoever gives up.
func (s *keySet) refresh(ctx context.Context, f *flight) {
	var (
		keys map[string]publicKey
		err  error
	)
	defer func() {
		// Runs even if fetch panics, so that no waiter hangs on f.done and the process does not
		// die of a panic in a goroutine nobody can recover; the lookup that started the fetch
		// re-raises it, if it still waits.
		if r := recover(); r != nil {
			err = fmt.Errorf("key set fetch panicked: %v", r)
			f.panicked = r
		}
		if err != nil && s.report != nil {
			s.report(err) // before done is closed: a verification that fails has been reported
		}
		s.mu.Lock()
		s.attempted = s.now()
		s.lastErr = err
		if err == nil {
			s.keys, s.fetchedAt = keys, s.attempted
		}
		s.flight = nil
		close(f.done)
		s.mu.Unlock()
	}()

	fctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	data, ferr := s.fetch(fctx)
	switch {
	case ferr != nil && errors.Is(fctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("key set fetch got no answer within %s: %w", s.timeout, ferr)
	case ferr != nil:
		err = fmt.Errorf("key set fetch: %w", ferr)
	default:
		keys, err = parseKeySet(data)
	}
}

// parseKeySet turns a JWKS document into the usable keys, by kid. Keys that are not RSA public
// signing keys of at least minRSABits, that have no kid, a "use" other than sig or "key_ops"
// without verify, or that the JOSE library cannot parse, are left out; a document with no usable
// key at all is an error, so that a broken answer never replaces keys that work.
func parseKeySet(data []byte) (map[string]publicKey, error) {
	if len(data) > maxJWKSBytes {
		return nil, fmt.Errorf("key set document is larger than %d bytes", maxJWKSBytes)
	}
	var doc struct {
		Keys []jsontext.Value `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("key set document is not a JWKS: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New(`key set document has no "keys" array`)
	}
	keys := make(map[string]publicKey, len(doc.Keys))
	var firstErr error
	for i, raw := range doc.Keys {
		kid, k, err := parseKey(raw)
		if err == nil {
			if _, dup := keys[kid]; dup {
				err = errors.New("kid used twice")
			}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("key %d: %w", i, err)
			}
			continue
		}
		keys[kid] = k
	}
	if len(keys) == 0 {
		if firstErr != nil {
			return nil, fmt.Errorf("key set has no usable RS256 key: %w", firstErr)
		}
		return nil, errors.New("key set has no keys")
	}
	return keys, nil
}

// certificateMembers are the JWK members about X.509 certificates. Verification uses only the
// key itself (n, e), so they are removed before the key is parsed: a certificate the JOSE
// library cannot parse, or spells differently (Stytch's x5t_s256 / x5tS256), must not make an
// otherwise good key unusable.
var certificateMembers = []string{"x5c", "x5t", "x5t#S256", "x5u", "x5t_s256", "x5tS256"}

func parseKey(raw jsontext.Value) (string, publicKey, error) {
	var members map[string]jsontext.Value
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", publicKey{}, fmt.Errorf("not a JSON object: %w", err)
	}
	for _, m := range certificateMembers {
		delete(members, m)
	}
	var meta struct {
		KeyOps []string `json:"key_ops"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return "", publicKey{}, fmt.Errorf("key_ops: %w", err)
	}
	stripped, err := json.Marshal(members)
	if err != nil {
		return "", publicKey{}, err
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(stripped); err != nil {
		return "", publicKey{}, err
	}
	pub, ok := jwk.Public().Key.(*rsa.PublicKey)
	switch {
	case !ok:
		return "", publicKey{}, fmt.Errorf("not an RSA key (%T)", jwk.Key)
	case jwk.KeyID == "":
		return "", publicKey{}, errors.New("no kid")
	case pub.N.BitLen() < minRSABits:
		return "", publicKey{}, fmt.Errorf("RSA modulus of %d bits, less than %d", pub.N.BitLen(), minRSABits)
	case jwk.Use != "" && jwk.Use != "sig":
		return "", publicKey{}, fmt.Errorf("use %q is not sig", jwk.Use)
	case meta.KeyOps != nil && !slices.Contains(meta.KeyOps, "verify"):
		return "", publicKey{}, errors.New("key_ops lacks verify")
	}
	return jwk.KeyID, publicKey{key: pub, alg: jwk.Algorithm}, nil
}
