package b2btest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// validatingClient returns the fake's own SDK client (its credentials, no retry waits), with the
// test kit's check of every request and 2xx answer against the spec (a violation fails the test).
func validatingClient(t *testing.T, srv *b2btest.Server, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	return srv.Client(append([]b2b.Option{testkit.Checked(t, srv.URL)}, opts...)...)
}

// checkRequest validates req (a raw request to the fake, whose URL has no path prefix) and
// returns its route. req keeps its body: the validator reads a copy.
func checkRequest(t *testing.T, req *http.Request) (*contract.Route, error) {
	t.Helper()
	clone := req.Clone(req.Context())
	if req.GetBody != nil {
		b, err := req.GetBody()
		require.NoError(t, err)
		clone.Body = b
	}
	return contract.MustShared().Request(clone)
}

// callSDK calls the facade method of the operation params belong to (a *gen...Request from
// fixtures) through the test kit's dispatcher, sending the header parameters set in headers (a
// header params struct, or nil) through their per-call options, then extra.
func callSDK(ctx context.Context, c *b2b.Client, params, headers any, extra ...b2b.CallOption) (any, error) {
	return testkit.Call(ctx, c, params, append(testkit.HeaderOptions(headerValues(headers)), extra...)...)
}

// headerValues returns the set header parameters of a header params struct (such as
// *gen.MagicLinksEmailInviteParams, whose JSON names are the header names), by header name.
func headerValues(headers any) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(headers)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return out
	}
	v = v.Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
			out[name] = f.Elem().String()
		}
	}
	return out
}

// liveSessionsFor adapts fixture params and headers to what the fake accepts, as the API would:
// params sending both session_token and session_jwt keep only the token (the API refuses both);
// every credential the params carry that only the fake can issue (an intermediate session token, a
// session token, JWT or ID) is replaced by a live one; and every member-session header gets a live
// session the fake issued for a member of the params' organization. The credentials are found by
// the JSON names of the fields, whatever the operation. params is copied, not changed. minted lists
// the credentials made.
func liveSessionsFor(t *testing.T, srv *b2btest.Server, params, headers any) (any, any, []string) {
	t.Helper()
	const email = "live-member@example.com"
	pv := reflect.New(reflect.TypeOf(params).Elem())
	pv.Elem().Set(reflect.ValueOf(params).Elem())
	p := pv.Elem()
	if tok, jwt := p.FieldByName("SessionToken"), p.FieldByName("SessionJWT"); tok.IsValid() && jwt.IsValid() && !tok.IsNil() && !jwt.IsNil() {
		jwt.Set(reflect.Zero(jwt.Type()))
	}
	org := fixtures.OrganizationID
	if f := p.FieldByName("OrganizationID"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		org = f.String()
	}
	type live struct{ token, jwt, id string }
	var login *live
	discoveryIST := func() string {
		disc, err := srv.Client().MagicLinks.Discovery.Authenticate(context.Background(), &b2b.MagicLinksDiscoveryAuthenticateParams{
			DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", email)})
		require.NoError(t, err)
		return disc.IntermediateSessionToken
	}
	// An authorization check needs a member whose roles grant it: the creator of an
	// organization is its admin.
	chk := p.FieldByName("AuthorizationCheck")
	admin := chk.IsValid() && chk.Kind() == reflect.Pointer && !chk.IsNil()
	session := func() live {
		if login != nil {
			return *login
		}
		if admin {
			created, err := srv.Client().Discovery.Organizations.Create(context.Background(), &b2b.DiscoveryOrganizationsCreateParams{
				IntermediateSessionToken: discoveryIST(), OrganizationName: b2b.Ptr("Live Organization")})
			require.NoError(t, err)
			require.True(t, created.MemberAuthenticated)
			org = created.Organization.OrganizationID
			login = &live{created.SessionToken, created.SessionJWT, created.MemberSession.MemberSessionID}
			return *login
		}
		resp, err := srv.Client().MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
			MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, org, email)})
		require.NoError(t, err)
		require.True(t, resp.MemberAuthenticated)
		login = &live{resp.SessionToken, resp.SessionJWT, resp.MemberSession.MemberSessionID}
		return *login
	}
	var minted []string
	set := func(f reflect.Value, value string) {
		minted = append(minted, value)
		if f.Kind() == reflect.Pointer {
			f.Set(reflect.ValueOf(&value))
			return
		}
		f.SetString(value)
	}
	for i := range p.NumField() {
		f := p.Field(i)
		name, _, _ := strings.Cut(p.Type().Field(i).Tag.Get("json"), ",")
		if f.IsZero() {
			continue
		}
		switch name {
		case "intermediate_session_token":
			session() // the email has a member in org, so discovery offers it
			set(f, discoveryIST())
		case "session_token":
			set(f, session().token)
		case "session_jwt":
			set(f, session().jwt)
		case "member_session_id":
			v := session().id // an ID, not a secret: not in minted
			f.Set(reflect.ValueOf(&v))
		}
	}
	if admin {
		// The copy of params still points at the fixture's check, which parallel tests share:
		// point it at a copy before changing it.
		cp := reflect.New(chk.Type().Elem())
		cp.Elem().Set(chk.Elem())
		cp.Elem().FieldByName("OrganizationID").SetString(org)
		chk.Set(cp)
	}
	hv := reflect.ValueOf(headers)
	if !hv.IsValid() || hv.IsNil() {
		return pv.Interface(), headers, minted
	}
	headerSession, err := srv.Client().MagicLinks.Authenticate(context.Background(), &b2b.MagicLinksAuthenticateParams{
		MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, org, "header-admin@example.com")})
	require.NoError(t, err)
	require.True(t, headerSession.MemberAuthenticated)
	out := reflect.New(hv.Type().Elem())
	out.Elem().Set(hv.Elem())
	for i := range out.Elem().NumField() {
		f := out.Elem().Field(i)
		name, _, _ := strings.Cut(out.Elem().Type().Field(i).Tag.Get("json"), ",")
		if f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		value := headerSession.SessionToken
		if strings.HasSuffix(strings.ToLower(name), "jwt") {
			value = headerSession.SessionJWT
		}
		f.Set(reflect.ValueOf(&value))
	}
	return pv.Interface(), out.Interface(), append(minted, headerSession.SessionToken, headerSession.SessionJWT)
}

// rawResponse is an answer read in full.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// errorBody decodes a Stytch error answer.
func (r rawResponse) errorBody(t *testing.T) gen.Error {
	t.Helper()
	var e gen.Error
	require.NoError(t, json.Unmarshal(r.body, &e), "body: %s", r.body)
	return e
}

// send sends a raw request with net/http; auth adds valid Basic credentials.
func send(t *testing.T, srv *b2btest.Server, method, path, body string, auth bool) rawResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.SetBasicAuth(b2btest.ProjectID, b2btest.Secret)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

func stringsReader(s string) io.ReadCloser { return io.NopCloser(bytes.NewBufferString(s)) }
