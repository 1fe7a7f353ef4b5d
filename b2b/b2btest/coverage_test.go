package b2btest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// capture records the 200 bodies a client receives, by operation.
type capture struct {
	mu     sync.Mutex
	bodies map[string][][]byte
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read to the end above; replaced below
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil {
		if r, ferr := contract.MustShared().Find(req.Method, req.URL.EscapedPath()); ferr == nil {
			c.mu.Lock()
			c.bodies[r.OperationID()] = append(c.bodies[r.OperationID()], body)
			c.mu.Unlock()
		}
	}
	return resp, nil
}

// fullExample decodes the spec's Full example of a component schema into dst.
func fullExample(t *testing.T, name string, dst any) {
	t.Helper()
	ref := contract.MustShared().Doc().Components.Schemas[name]
	require.NotNil(t, ref, name)
	b := specwalk.ExampleJSON(ref.Value, specwalk.Full, "seed")
	require.NoError(t, json.Unmarshal(b, dst))
}

// owner returns the object schema a property belongs to, looking through allOf wrappers, so that
// the same property of a shared schema (Member.lock_expires_at) is one field wherever it appears.
func owner(s *openapi3.Schema) *openapi3.Schema {
	for s != nil && len(s.Properties) == 0 && len(s.AllOf) > 0 && s.AllOf[0] != nil {
		s = s.AllOf[0].Value
	}
	return s
}

// values returns every value at pointer in tree, "*" standing for each element of an array.
func values(tree any, tokens []string) []any {
	if len(tokens) == 0 {
		return []any{tree}
	}
	var out []any
	switch v := tree.(type) {
	case map[string]any:
		if child, ok := v[tokens[0]]; ok {
			out = append(out, values(child, tokens[1:])...)
		}
	case []any:
		if tokens[0] == "*" {
			for _, e := range v {
				out = append(out, values(e, tokens[1:])...)
			}
		} else if i, err := strconv.Atoi(tokens[0]); err == nil && i < len(v) {
			out = append(out, values(v[i], tokens[1:])...)
		}
	}
	return out
}

// neverAnswered are the optional fields the API documents it never fills: the fake never fills
// them either (RespondJSON can send any answer). Each must still be an optional field of the spec.
var neverAnswered = map[string]bool{
	// "MFA will not be required when authenticating impersonation tokens": no intermediate session.
	"impersonationAuthenticate /mfa_required":                          true,
	"impersonationAuthenticate /intermediate_session_token_expires_at": true,
}

// TestEveryOptionalResponseFieldCanBeAnswered walks the spec: every optional property of every
// response (recursively, per schema) must hold a value in some answer the fake gives when led by
// its state and options. The scenario below is what leads it; a new optional field that no state
// or option can produce fails here, naming the field.
func TestEveryOptionalResponseFieldCanBeAnswered(t *testing.T) {
	t.Parallel()
	var org gen.Organization
	fullExample(t, "Organization", &org)
	org.OrganizationID = "org-full"
	org.MFAPolicy, org.AuthMethods = "OPTIONAL", "ALL_ALLOWED"
	var member gen.Member
	fullExample(t, "Member", &member)
	member.OrganizationID, member.EmailAddress, member.Status, member.MFAEnrolled = "org-full", "ada@full.example", "active", false
	var factor gen.AuthenticationFactor
	fullExample(t, "AuthenticationFactor", &factor)

	restrictedOrg := gen.Organization{OrganizationID: "org-restricted", AuthMethods: "RESTRICTED",
		AllowedAuthMethods: []gen.OrganizationAllowedAuthMethods{"sso"}, EmailJITProvisioning: "RESTRICTED", EmailAllowedDomains: []string{"full.example"}}
	mfaOrg := gen.Organization{OrganizationID: "org-mfa", MFAPolicy: "REQUIRED_FOR_ALL"}
	srv := b2btest.NewServer(t,
		b2btest.WithOrganization(org), b2btest.WithMember(member),
		b2btest.WithOrganization(restrictedOrg), b2btest.WithOrganization(mfaOrg),
		b2btest.WithMember(gen.Member{OrganizationID: "org-mfa", EmailAddress: "ada@full.example", MFAPhoneNumber: "+14155550100", DefaultMFAMethod: "sms_otp"}))
	captured := &capture{bodies: map[string][][]byte{}}
	c := srv.Client(b2b.WithHTTPClient(&http.Client{Transport: captured}))
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	telemetry := b2b.Ptr("telemetry-coverage")
	token, _ := srv.Session("org-full", "ada@full.example", factor)

	// Authenticate calls: with the full session (every factor field), with a device, with MFA
	// pending (org-mfa) and with a primary method the organization does not allow.
	must(c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-full", "ada@full.example"), SessionToken: &token, TelemetryID: telemetry}))
	must(c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-mfa", "ada@full.example")}))
	must(c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: srv.Token(b2btest.MagicLinksAuthenticate, "org-restricted", "ada@full.example")}))
	must(c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: srv.Token(b2btest.OAuthAuthenticate, "org-full", "ada@full.example"), SessionToken: &token, TelemetryID: telemetry}))
	must(c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: srv.Token(b2btest.OAuthAuthenticate, "org-mfa", "ada@full.example")}))
	must(c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: srv.Token(b2btest.OAuthAuthenticate, "org-restricted", "ada@full.example")}))
	imp := srv.Token(b2btest.ImpersonationAuthenticate, "org-full", "ada@full.example")
	must(c.Impersonation.Authenticate(ctx, &b2b.ImpersonationAuthenticateParams{ImpersonationToken: imp}))
	srv.On(b2btest.PasswordsSessionsReset).MFARequired()
	must(c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-full", Password: "pw-1234567890", SessionToken: &token}))
	must(c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: "org-full", Password: "pw-1234567890", SessionToken: &token, TelemetryID: telemetry}))
	codes, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org-full", MemberID: member.MemberID})
	require.NoError(t, err)
	must(c.RecoveryCodes.Recover(ctx, &b2b.RecoveryCodesRecoverParams{OrganizationID: "org-full", MemberID: member.MemberID, RecoveryCode: codes.RecoveryCodes[0], SessionToken: &token, TelemetryID: telemetry}))
	must(c.RecoveryCodes.Rotate(ctx, &b2b.RecoveryCodesRotateParams{OrganizationID: "org-full", MemberID: member.MemberID}))
	must(c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: "org-full", EmailAddress: "new@full.example"}))
	must(c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: "org-full", EmailAddress: "invitee@full.example"}))
	must(c.MagicLinks.Email.Discovery.Send(ctx, &b2b.MagicLinksEmailDiscoverySendParams{EmailAddress: "ada@full.example"}))
	must(c.MagicLinks.Discovery.Authenticate(ctx, &b2b.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", "ada@full.example")}))
	must(c.OAuth.Discovery.Authenticate(ctx, &b2b.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: srv.Token(b2btest.OAuthDiscoveryAuthenticate, "", "ada@full.example")}))

	// The discovery and session operations, sent raw (the facade has no methods for them yet).
	raw := &http.Client{Transport: captured}
	post := func(op gen.Operation, path string, params, out any) {
		t.Helper()
		b, err := json.Marshal(params)
		require.NoError(t, err)
		method, body := op.Method, io.Reader(bytes.NewReader(b))
		if params == nil {
			body = nil
		}
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, body)
		require.NoError(t, err)
		req.SetBasicAuth(b2btest.ProjectID, b2btest.Secret)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := raw.Do(req)
		require.NoError(t, err)
		defer func() { assert.NoError(t, resp.Body.Close()) }()
		data, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", op.ID, data)
		if out != nil {
			require.NoError(t, json.Unmarshal(data, out))
		}
	}
	ist := func() string {
		var d gen.MagicLinksDiscoveryAuthenticateResponse
		post(b2btest.MagicLinksDiscoveryAuthenticate, b2btest.MagicLinksDiscoveryAuthenticate.Path,
			gen.MagicLinksDiscoveryAuthenticateRequest{DiscoveryMagicLinksToken: srv.Token(b2btest.MagicLinksDiscoveryAuthenticate, "", "ada@full.example")}, &d)
		return d.IntermediateSessionToken
	}
	exchange := func(org string) gen.DiscoveryIntermediateSessionsExchangeResponse {
		var r gen.DiscoveryIntermediateSessionsExchangeResponse
		post(b2btest.DiscoveryIntermediateSessionsExchange, b2btest.DiscoveryIntermediateSessionsExchange.Path,
			gen.DiscoveryIntermediateSessionsExchangeRequest{IntermediateSessionToken: ist(), OrganizationID: org, TelemetryID: telemetry}, &r)
		return r
	}
	pending := exchange("org-mfa")
	exchange("org-restricted")
	exchange("org-full")
	var hinted gen.DiscoveryOrganizationsListResponse
	post(b2btest.DiscoveryOrganizationsList, b2btest.DiscoveryOrganizationsList.Path, gen.DiscoveryOrganizationsListRequest{IntermediateSessionToken: &pending.IntermediateSessionToken}, &hinted)
	var created gen.DiscoveryOrganizationsCreateResponse
	post(b2btest.DiscoveryOrganizationsCreate, b2btest.DiscoveryOrganizationsCreate.Path, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: ist(), TelemetryID: telemetry}, &created)
	post(b2btest.DiscoveryOrganizationsCreate, b2btest.DiscoveryOrganizationsCreate.Path, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: ist(),
		OrganizationSlug: b2b.Ptr("full-mfa"), MFAPolicy: b2b.Ptr(gen.OrganizationMFAPolicyRequiredForAll)}, nil)
	restrictedAuth := gen.OrganizationAuthMethods("RESTRICTED")
	post(b2btest.DiscoveryOrganizationsCreate, b2btest.DiscoveryOrganizationsCreate.Path, gen.DiscoveryOrganizationsCreateRequest{IntermediateSessionToken: ist(),
		OrganizationSlug: b2b.Ptr("full-sso"), AuthMethods: &restrictedAuth, AllowedAuthMethods: []gen.OrganizationAllowedAuthMethods{"sso"}}, nil)
	post(b2btest.SessionsAuthenticate, b2btest.SessionsAuthenticate.Path, gen.SessionsAuthenticateRequest{SessionToken: &created.SessionToken,
		AuthorizationCheck: &gen.AuthorizationCheck{OrganizationID: created.Organization.OrganizationID, ResourceID: "stytch.member", Action: "create"}}, nil)
	post(b2btest.SessionsRevoke, b2btest.SessionsRevoke.Path, gen.SessionsRevokeRequest{SessionToken: &created.SessionToken}, nil)
	post(b2btest.SessionsGetJWKS, b2btest.JWKSPath+b2btest.ProjectID, nil, nil)

	// Every other operation (one the fake has no behavior for answers with a complete example
	// built from the spec) is called once with its complete fixture.
	for _, tc := range fixtures.Cases() {
		if len(captured.bodies[tc.Op.ID]) == 0 {
			_, err := testkit.Do(ctx, c, tc, fixtures.Full)
			require.NoError(t, err, "%s: no scenario above covers it; if the fake has behavior for it, add one", tc.Op.ID)
		}
	}

	// Walk every operation's 200 schema; an optional field is covered when any answer of any
	// operation has a non-null value for that property of that schema.
	type field struct{ where string }
	wanted := map[string]field{}
	covered := map[string]bool{}
	v := contract.MustShared()
	for _, op := range gen.Operations {
		e, ok := v.Routes().ByID(op.ID)
		require.True(t, ok)
		root := specwalk.ResponseBody(e.Operation, http.StatusOK)
		fields := specwalk.Fields(root)
		byPtr := map[string]specwalk.Field{}
		for _, f := range fields {
			byPtr[f.Pointer] = f
		}
		var trees []any
		for _, b := range captured.bodies[op.ID] {
			var tree any
			require.NoError(t, json.Unmarshal(b, &tree))
			trees = append(trees, tree)
		}
		for _, f := range fields {
			parentPtr := f.Pointer[:strings.LastIndex(f.Pointer, "/")]
			parent := root
			if parentPtr != "" {
				parent = byPtr[parentPtr].Schema
				if pv := byPtr[parentPtr]; pv.Type == "array" {
					continue // array elements are not properties
				}
			}
			if f.Name == "*" {
				continue
			}
			key := fmt.Sprintf("%p/%s", owner(parent), f.Name)
			if !f.Required {
				if _, ok := wanted[key]; !ok {
					wanted[key] = field{where: op.ID + " " + f.Pointer}
				}
			}
			for _, tree := range trees {
				for _, val := range values(tree, strings.Split(f.Pointer[1:], "/")) {
					if val != nil {
						covered[key] = true
					}
				}
			}
		}
	}
	require.NotEmpty(t, wanted)
	var missing []string
	for key, f := range wanted {
		if !covered[key] && !neverAnswered[f.where] {
			missing = append(missing, f.where)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "optional response fields no answer of the fake holds; lead the fake to them through state or an option")
	var listed []string
	for _, f := range wanted {
		listed = append(listed, f.where)
	}
	for where := range neverAnswered {
		assert.Contains(t, listed, where, "neverAnswered lists a field the spec no longer has as optional")
	}
}
