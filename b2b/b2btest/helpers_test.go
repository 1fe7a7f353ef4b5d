package b2btest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
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
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil {
		if verr := validator(st.t).Response(route, resp.StatusCode, resp.Header, body); verr != nil {
			st.t.Errorf("answer of %s breaks the spec: %v", route.OperationID(), contract.Violations(verr))
		}
	}
	return resp, nil
}

// some turns a typed (response, error) pair into (any, error) without a typed nil.
func some[T any](r *T, err error) (any, error) {
	if r == nil {
		return nil, err
	}
	return r, err
}

// callSDK calls the facade method for params (a *gen...Request from fixtures), with the invite
// header options taken from headers when given.
func callSDK(ctx context.Context, c *b2b.Client, params, headers any) (any, error) {
	switch p := params.(type) {
	case *gen.ImpersonationAuthenticateRequest:
		return some(c.Impersonation.Authenticate(ctx, p))
	case *gen.MagicLinksAuthenticateRequest:
		return some(c.MagicLinks.Authenticate(ctx, p))
	case *gen.MagicLinksEmailLoginOrSignupRequest:
		return some(c.MagicLinks.Email.LoginOrSignup(ctx, p))
	case *gen.MagicLinksEmailInviteRequest:
		var opts []b2b.CallOption
		if h, ok := headers.(*gen.MagicLinksEmailInviteParams); ok && h != nil {
			if h.XStytchMemberSession != nil {
				opts = append(opts, b2b.WithMemberSession(*h.XStytchMemberSession))
			}
			if h.XStytchMemberSessionJWT != nil {
				opts = append(opts, b2b.WithMemberSessionJWT(*h.XStytchMemberSessionJWT))
			}
		}
		return some(c.MagicLinks.Email.Invite(ctx, p, opts...))
	case *gen.MagicLinksEmailDiscoverySendRequest:
		return some(c.MagicLinks.Email.Discovery.Send(ctx, p))
	case *gen.MagicLinksDiscoveryAuthenticateRequest:
		return some(c.MagicLinks.Discovery.Authenticate(ctx, p))
	case *gen.OAuthAuthenticateRequest:
		return some(c.OAuth.Authenticate(ctx, p))
	case *gen.OAuthDiscoveryAuthenticateRequest:
		return some(c.OAuth.Discovery.Authenticate(ctx, p))
	case *gen.PasswordsSessionsResetRequest:
		return some(c.Passwords.Sessions.Reset(ctx, p))
	case *gen.RecoveryCodesGetRequest:
		return some(c.RecoveryCodes.Get(ctx, p))
	case *gen.RecoveryCodesRecoverRequest:
		return some(c.RecoveryCodes.Recover(ctx, p))
	case *gen.RecoveryCodesRotateRequest:
		return some(c.RecoveryCodes.Rotate(ctx, p))
	}
	panic("callSDK: unexpected params type")
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
	req, err := http.NewRequest(method, srv.URL+path, rd)
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
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

func stringsReader(s string) io.ReadCloser { return io.NopCloser(bytes.NewBufferString(s)) }
