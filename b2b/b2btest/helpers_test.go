package b2btest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// validatingClient returns an SDK client for srv whose every request and 2xx answer is checked
// against the spec (a violation fails the test).
func validatingClient(t *testing.T, srv *b2btest.Server, opts ...b2b.Option) *b2b.Client {
	t.Helper()
	hc := &http.Client{Transport: &specTransport{t: t}}
	return srv.Client(append([]b2b.Option{b2b.WithHTTPClient(hc)}, opts...)...)
}

const checkHost = "spec-check.invalid"

// specValidator is loaded once: loading the spec takes ~100 ms.
var specValidator = sync.OnceValues(func() (*contract.Validator, error) { return contract.New("http://" + checkHost) })

func validator(t *testing.T) *contract.Validator {
	t.Helper()
	v, err := specValidator()
	require.NoError(t, err)
	return v
}

// checkRequest validates req (a client-side request to any server) as if sent to checkHost and
// returns its route. req keeps its body.
func checkRequest(t *testing.T, req *http.Request) (*contract.Route, error) {
	t.Helper()
	clone := req.Clone(req.Context())
	clone.URL.Host = checkHost
	clone.Host = ""
	if req.GetBody != nil {
		b, err := req.GetBody()
		require.NoError(t, err)
		clone.Body = b
	}
	return validator(t).Request(clone)
}

// specTransport is contract.Transport with a shared validator: it fails the test when a request
// or a 2xx answer breaks the spec.
type specTransport struct{ t *testing.T }

func (st *specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	route, err := checkRequest(st.t, req)
	if err != nil {
		st.t.Errorf("request %s %s breaks the spec: %v", req.Method, req.URL.EscapedPath(), contract.Violations(err))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || route == nil || resp.StatusCode/100 != 2 {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read to the end above; replaced below
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil {
		if verr := validator(st.t).Response(route, resp.StatusCode, resp.Header, body); verr != nil {
			st.t.Errorf("answer of %s breaks the spec: %v", route.OperationID(), contract.Violations(verr))
		}
	}
	return resp, nil
}

// sdkMethods maps each params type (*gen.XxxRequest) to the facade method that takes it, found by
// walking the sub-clients of a *b2b.Client with reflection: a method of the shape
// func(context.Context, *P, ...b2b.CallOption) (*R, error). No test keeps a list of operations.
func sdkMethods(c *b2b.Client) map[reflect.Type]reflect.Value {
	out := map[reflect.Type]reflect.Value{}
	ctxType := reflect.TypeFor[context.Context]()
	optsType := reflect.TypeFor[[]b2b.CallOption]()
	errType := reflect.TypeFor[error]()
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return
		}
		t := v.Type()
		for i := range t.NumMethod() {
			m := t.Method(i)
			ft := m.Type // receiver first
			if ft.NumIn() != 4 || !ft.IsVariadic() || ft.In(1) != ctxType || ft.In(2).Kind() != reflect.Pointer ||
				ft.In(3) != optsType || ft.NumOut() != 2 || ft.Out(1) != errType {
				continue
			}
			out[ft.In(2)] = v.Method(i)
		}
		e := v.Elem()
		for i := range e.NumField() {
			if e.Type().Field(i).IsExported() {
				walk(e.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(c))
	return out
}

// headerOptions are the per-call options that set an operation's header parameters, by the
// header's canonical name.
var headerOptions = map[string]func(string) b2b.CallOption{
	http.CanonicalHeaderKey("X-Stytch-Member-Session"):    b2b.WithMemberSession,
	http.CanonicalHeaderKey("X-Stytch-Member-SessionJWT"): b2b.WithMemberSessionJWT,
}

// headerCallOptions turns a header params struct (such as *gen.MagicLinksEmailInviteParams, whose
// JSON names are the header names) into per-call options.
func headerCallOptions(headers any) []b2b.CallOption {
	var opts []b2b.CallOption
	v := reflect.ValueOf(headers)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	v = v.Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
			continue
		}
		mk, ok := headerOptions[http.CanonicalHeaderKey(name)]
		if !ok {
			panic("headerCallOptions: no per-call option sets header " + name)
		}
		opts = append(opts, mk(f.Elem().String()))
	}
	return opts
}

// callSDK calls the facade method that takes params (a *gen...Request from fixtures), with the
// header options taken from headers when given. It returns a nil interface, not a typed nil, when
// the call returns no response.
func callSDK(ctx context.Context, c *b2b.Client, params, headers any, extra ...b2b.CallOption) (any, error) {
	m, ok := sdkMethods(c)[reflect.TypeOf(params)]
	if !ok {
		panic(fmt.Sprintf("callSDK: no method of *b2b.Client takes %T", params))
	}
	args := []reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(params)}
	for _, o := range append(headerCallOptions(headers), extra...) {
		args = append(args, reflect.ValueOf(o))
	}
	out := m.Call(args)
	var err error
	if e := out[1].Interface(); e != nil {
		err = e.(error)
	}
	if out[0].IsNil() {
		return nil, err
	}
	return out[0].Interface(), err
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
		chk.Elem().FieldByName("OrganizationID").SetString(org)
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
