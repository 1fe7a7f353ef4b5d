// Command protectedroute guards the routes of a web app with the member's session JWT: a
// middleware (RequireSession) verifies the JWT of the session cookie locally with
// Sessions.AuthenticateJWT, so an ordinary request costs no call to Stytch, and checks it with
// Stytch when the JWT is older than the route allows (a sensitive route allows almost nothing, so a
// revoked session is refused there at once) or when it expired while the session may live on.
// Logging out revokes the session with Sessions.Revoke.
//
// Without credentials it runs against an in-process fake (package b2btest), which signs session
// JWTs like Stytch and serves the keys that verify them: a member logs in with a magic link, visits
// the dashboard and the settings, tries a tampered cookie, and logs out.
//
// With STYTCH_PROJECT_ID and STYTCH_SECRET set it serves the two routes for a session of Stytch
// and needs:
//
//	STYTCH_SESSION_JWT   a session JWT of a member of the project (from a login your app made)
//	STYTCH_BASE_URL      optional: another API root (default: chosen from the project ID)
//
//	go run ./examples/protectedroute
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/examples/internal/exampleenv"
)

func main() { exampleenv.Main("protectedroute", run) }

// cookieName is the cookie the app keeps the session JWT in.
const cookieName = "session_jwt"

type sessionKey struct{}

// RequireSession lets a request through when its session cookie holds a session JWT that
// verifies, and puts the member's session in the request's context (see SessionFrom). A JWT
// issued longer than maxAge ago is checked with Stytch, as is one that expired; when Stytch answers
// with a fresh JWT the cookie is renewed. Anything else gets 401.
func RequireSession(client *b2b.Client, maxAge time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		s, err := client.Sessions.AuthenticateJWT(r.Context(), c.Value, b2b.WithMaxTokenAge(maxAge), b2b.WithRemoteFallback())
		var jwtErr *b2b.JWTError
		var apiErr *b2b.Error
		switch {
		case errors.As(err, &jwtErr):
			http.Error(w, "invalid session ("+string(jwtErr.Reason)+")", http.StatusUnauthorized)
			return
		case errors.As(err, &apiErr) && apiErr.StatusCode < 500:
			http.Error(w, "session ended ("+string(apiErr.ErrorType)+")", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, "cannot check the session now", http.StatusServiceUnavailable)
			return
		}
		if s.SessionJWT != c.Value {
			// Secure whenever the request came over TLS: the demo itself serves plain HTTP on loopback.
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.SessionJWT, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode}) //nolint:gosec // G124: see above
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// SessionFrom returns the session RequireSession verified for the request.
func SessionFrom(ctx context.Context) *b2b.JWTSession {
	s, _ := ctx.Value(sessionKey{}).(*b2b.JWTSession)
	return s
}

// routes is the app: a dashboard that trusts a JWT for its five-minute life, settings that check
// every visit with Stytch, and a logout that revokes the session.
func routes(client *b2b.Client) http.Handler {
	mux := http.NewServeMux()
	hello := func(page string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := SessionFrom(r.Context())
			how := "verified locally"
			if s.Remote != nil {
				how = "checked with Stytch"
			}
			fmt.Fprintf(w, "%s of %s in %s (%s)", page, s.MemberSession.MemberID, s.MemberSession.OrganizationSlug, how)
		})
	}
	mux.Handle("GET /dashboard", RequireSession(client, 5*time.Minute, hello("dashboard")))
	mux.Handle("GET /settings", RequireSession(client, time.Nanosecond, hello("settings")))
	mux.Handle("POST /logout", RequireSession(client, time.Nanosecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jwt := SessionFrom(r.Context()).SessionJWT
		if _, err := client.Sessions.Revoke(r.Context(), &b2b.SessionsRevokeParams{SessionJWT: &jwt}); err != nil {
			http.Error(w, "logout failed", http.StatusBadGateway)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1}) //nolint:gosec // G124: deletes the cookie; an empty value has nothing to protect
		fmt.Fprint(w, "logged out")
	})))
	return mux
}

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	client, err := exampleenv.Stytch("protectedroute", getenv, "STYTCH_SESSION_JWT")
	if err != nil {
		return err
	}
	if client == nil {
		return runFake(ctx, out)
	}
	fmt.Fprintf(out, "protectedroute: running against %s\n", client.BaseURL())
	app := httptest.NewServer(routes(client))
	defer app.Close()
	for _, page := range []string{"/dashboard", "/settings"} {
		if err := visit(ctx, out, app.URL, http.MethodGet, page, getenv("STYTCH_SESSION_JWT")); err != nil {
			return err
		}
	}
	return nil
}

const (
	demoOrganization = "organization-test-acme"
	demoMember       = "ada.lovelace@acme.example"
)

func runFake(ctx context.Context, out io.Writer) error {
	srv := b2btest.NewStandalone(
		b2btest.WithOrganization(b2b.Organization{OrganizationID: demoOrganization, OrganizationName: "Acme", OrganizationSlug: "acme"}),
		b2btest.WithMember(b2b.Member{OrganizationID: demoOrganization, EmailAddress: demoMember}),
	)
	defer srv.Close()
	fmt.Fprintln(out, "protectedroute: running against the b2btest fake (set STYTCH_PROJECT_ID and STYTCH_SECRET to use Stytch)")
	client := srv.Client()
	login, err := client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, demoOrganization, demoMember),
	})
	if err != nil {
		return fmt.Errorf("MagicLinks.Authenticate: %w", err)
	}
	fmt.Fprintf(out, "1. MagicLinks.Authenticate: %s logged in; the app keeps the session JWT in a cookie\n", login.Member.EmailAddress)

	app := httptest.NewServer(routes(client))
	defer app.Close()
	jwt := login.SessionJWT
	steps := []struct{ method, path, cookie string }{
		{http.MethodGet, "/dashboard", jwt},
		{http.MethodGet, "/dashboard", jwt},
		{http.MethodGet, "/settings", jwt},
		{http.MethodGet, "/dashboard", jwt[:len(jwt)-6] + "AAAAAA"},
		{http.MethodPost, "/logout", jwt},
		{http.MethodGet, "/settings", jwt},
		{http.MethodGet, "/dashboard", jwt},
	}
	for i, s := range steps {
		fmt.Fprintf(out, "%d. ", i+2)
		if err := visit(ctx, out, app.URL, s.method, s.path, s.cookie); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "   (Stytch was asked %d time(s) about a session; the other visits cost no call)\n",
		len(srv.RequestsFor(b2btest.SessionsAuthenticate)))
	fmt.Fprintln(out, "   (the dashboard still trusts the revoked session's JWT until it is five minutes old; settings never do)")
	return nil
}

// visit requests path with the session cookie and prints the answer.
func visit(ctx context.Context, out io.Writer, base, method, path, jwt string) error {
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: cookieName, Value: jwt}) //nolint:gosec // G124: a request cookie: only its name and value are sent
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // read below; a failed read is reported instead
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s: %d %s\n", method, path, resp.StatusCode, strings.TrimSpace(string(body)))
	return nil
}
