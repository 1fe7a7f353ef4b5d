package jwtpeer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// peer verifies session JWTs locally in the steps of the official Go SDK's local verification,
// on the library it uses (golang-jwt/jwt/v5):
//
//  1. a verified parse into a struct of the registered and Stytch claims, RS256 only, the key
//     chosen by the token's kid from a cached key set, the audience and expiry checked by the
//     library, the issuer one of "stytch.com/<project>" and the base URL;
//  2. the maximum token age against "iat";
//  3. a second, unverified parse into a map for the custom claims, with the reserved claims
//     removed;
//  4. the session's three times parsed from the session claim, and the session assembled.
//
// Its output is the SDK's MemberSession type, so a check can compare the two field by field.
type peer struct {
	projectID string
	issuers   []string
	parser    *jwt.Parser
	mu        sync.RWMutex
	keys      map[string]any // kid -> *rsa.PublicKey
}

// stytchClaims are the claims of step 1.
type stytchClaims struct {
	jwt.RegisteredClaims
	Session struct {
		ID                    string                     `json:"id"`
		StartedAt             string                     `json:"started_at"`
		LastAccessedAt        string                     `json:"last_accessed_at"`
		ExpiresAt             string                     `json:"expires_at"`
		AuthenticationFactors []b2b.AuthenticationFactor `json:"authentication_factors"`
		Roles                 []string                   `json:"roles"`
	} `json:"https://stytch.com/session"`
	Organization struct {
		ID   string `json:"organization_id"`
		Slug string `json:"slug"`
	} `json:"https://stytch.com/organization"`
}

var errTooOld = errors.New("peer: token older than the maximum age")

// newPeer fetches the fake's key set once over hc, as the official SDK does when its client is
// built, and keeps it.
func newPeer(ctx context.Context, srv *b2btest.Server, hc *http.Client) (*peer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+b2btest.JWKSPath+b2btest.ProjectID, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("peer: key set: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("peer: key set: %w", err)
	}
	p := &peer{
		projectID: b2btest.ProjectID,
		issuers:   []string{"stytch.com/" + b2btest.ProjectID, strings.TrimRight(srv.URL, "/")},
		parser:    newParserFor(b2btest.ProjectID),
		keys:      map[string]any{},
	}
	for _, k := range set.Keys {
		p.keys[k.KeyID] = k.Key
	}
	return p, nil
}

// newParserFor is step 1's parser: RS256 only, the audience must name projectID, "exp" required.
func newParserFor(projectID string) *jwt.Parser {
	return jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(projectID), jwt.WithExpirationRequired())
}

// keyFor is the key function of step 1.
func (p *peer) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	p.mu.RLock()
	k, ok := p.keys[kid]
	p.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("peer: no key %q", kid)
	}
	return k, nil
}

// verify runs the four steps.
func (p *peer) verify(token string, maxAge time.Duration) (*b2b.MemberSession, error) {
	var c stytchClaims
	if _, err := p.parser.ParseWithClaims(token, &c, p.keyFor); err != nil {
		return nil, err
	}
	iss, _ := c.GetIssuer()
	if iss != p.issuers[0] && iss != p.issuers[1] {
		return nil, fmt.Errorf("peer: issuer %q", iss)
	}
	if c.IssuedAt == nil || c.IssuedAt.Add(maxAge).Before(time.Now()) {
		return nil, errTooOld
	}

	var custom jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &custom); err != nil {
		return nil, err
	}
	for name := range custom {
		switch name {
		case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
			delete(custom, name)
		default:
			if strings.HasPrefix(name, "https://stytch.com/") {
				delete(custom, name)
			}
		}
	}

	expires := c.Session.ExpiresAt
	if expires == "" && c.ExpiresAt != nil {
		expires = c.ExpiresAt.Format(time.RFC3339)
	}
	var times [3]time.Time
	for i, s := range []string{c.Session.StartedAt, c.Session.LastAccessedAt, expires} {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, err
		}
		times[i] = t.UTC()
	}
	return &b2b.MemberSession{
		MemberSessionID:       c.Session.ID,
		MemberID:              c.Subject,
		StartedAt:             times[0],
		LastAccessedAt:        times[1],
		ExpiresAt:             times[2],
		AuthenticationFactors: c.Session.AuthenticationFactors,
		OrganizationID:        c.Organization.ID,
		OrganizationSlug:      c.Organization.Slug,
		Roles:                 c.Session.Roles,
		CustomClaims:          custom,
	}, nil
}

// countingClient is an http.Client whose requests are counted in calls.
func countingClient(calls *atomic.Int64) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
