package b2btest_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// withValidRecoveryCode replaces the fixture's recovery code with one the fake accepts.
func withValidRecoveryCode(t *testing.T, c *b2b.Client, p *gen.RecoveryCodesRecoverRequest) {
	t.Helper()
	got, err := c.RecoveryCodes.Get(context.Background(), &b2b.RecoveryCodesGetParams{OrganizationID: p.OrganizationID, MemberID: p.MemberID})
	require.NoError(t, err)
	require.NotEmpty(t, got.RecoveryCodes)
	p.RecoveryCode = got.RecoveryCodes[0]
}

// TestEveryOperationThroughTheSDK runs the SDK's own client against the fake for all twelve
// operations, with the minimal and the full params of the shared fixtures. The client's transport
// validates each request and each answer against the spec.
func TestEveryOperationThroughTheSDK(t *testing.T) {
	t.Parallel()
	for _, tc := range fixtures.Cases() {
		for _, kind := range []string{"minimal", "full"} {
			t.Run(tc.Op.ID+"/"+kind, func(t *testing.T) {
				t.Parallel()
				srv := b2btest.NewServer(t)
				c := validatingClient(t, srv)
				params := tc.Minimal
				if kind == "full" {
					params = tc.Full
				}
				if p, ok := params.(*gen.RecoveryCodesRecoverRequest); ok {
					cp := *p // the fixture is shared with parallel subtests: change a copy
					withValidRecoveryCode(t, c, &cp)
					params = &cp
				}
				params, headers, minted := liveSessionsFor(t, srv, params, tc.Headers)
				before := len(srv.RequestsFor(tc.Op)) // minting a session may have called tc.Op
				resp, err := callSDK(context.Background(), c, params, headers)
				require.NoError(t, err)
				require.NotNil(t, resp)
				reqs := srv.RequestsFor(tc.Op)[before:]
				require.Len(t, reqs, 1)
				assert.Equal(t, http.StatusOK, reqs[0].Status)
				assert.Equal(t, tc.Op.Method, reqs[0].Method)

				// No secret the params or headers carried is in the recording.
				dump := fmt.Sprintf("%+v", srv.Requests())
				secrets := append(fixtures.Secrets(tc), minted...)
				if p, ok := params.(*gen.RecoveryCodesRecoverRequest); ok {
					secrets = append(secrets, p.RecoveryCode)
				}
				for _, secret := range secrets {
					assert.NotContains(t, dump, secret)
				}
			})
		}
	}
}

// TestAnswersMatchTheSpec sends every operation raw and checks the answer with the contract
// validator directly, so the fake's answers are known to be valid independently of the SDK.
func TestAnswersMatchTheSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			srv := b2btest.NewServer(t, b2btest.WithOrganization(gen.Organization{OrganizationID: fixtures.OrganizationID}))
			v := contract.MustShared()
			params := tc.Full
			if p, ok := params.(*gen.RecoveryCodesRecoverRequest); ok {
				withValidRecoveryCode(t, srv.Client(), p)
			}
			if _, ok := params.(*gen.OAuthDiscoveryAuthenticateRequest); ok {
				// Give discovery something to find.
				_, err := srv.Client().MagicLinks.Email.LoginOrSignup(context.Background(), &b2b.MagicLinksEmailLoginOrSignupParams{
					OrganizationID: fixtures.OrganizationID, EmailAddress: "someone@example.com"})
				require.NoError(t, err)
			}
			params, headers, _ := liveSessionsFor(t, srv, params, tc.Headers)
			req, err := params.(interface {
				NewHTTPRequest(string) (*http.Request, error)
			}).NewHTTPRequest(srv.URL)
			require.NoError(t, err)
			req.SetBasicAuth(b2btest.ProjectID, b2btest.Secret)
			for name, value := range headerValues(headers) {
				req.Header.Set(name, value)
			}
			route, err := checkRequest(t, req)
			require.NoError(t, err)
			resp := do(t, req)
			require.Equal(t, http.StatusOK, resp.status, "body: %s", resp.body)
			assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
			assert.NoError(t, v.Response(route, resp.status, resp.header, resp.body), "%v", contract.Violations(v.Response(route, resp.status, resp.header, resp.body)))
		})
	}
}

// TestErrorAnswersMatchTheSpec checks that error answers are valid Stytch error bodies.
func TestErrorAnswersMatchTheSpec(t *testing.T) {
	t.Parallel()
	srv := b2btest.NewServer(t)
	v := contract.MustShared()
	srv.On(b2btest.MagicLinksAuthenticate).Fail(404, "magic_link_not_found")
	srv.On(b2btest.MagicLinksAuthenticate).RateLimit(0)
	for _, body := range []string{
		`{"magic_links_token":"a"}`, // scripted 404
		`{"magic_links_token":"b"}`, // scripted 429
		`{"magic_links_token":""}`,  // 400
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+b2btest.MagicLinksAuthenticate.Path, stringsReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("p", "s")
		req.GetBody = func() (io.ReadCloser, error) { return stringsReader(body), nil }
		route, _ := checkRequest(t, req)
		require.NotNil(t, route)
		resp := do(t, req)
		assert.GreaterOrEqual(t, resp.status, 400)
		assert.NoError(t, v.Response(route, resp.status, resp.header, resp.body))
		e := resp.errorBody(t)
		assert.Equal(t, resp.status, int(e.StatusCode))
		assert.NotEmpty(t, e.RequestID)
		assert.NotEmpty(t, e.ErrorMessage)
		require.NotNil(t, e.ErrorURL)
	}
}

func TestAnswersAreConsistentWithTheRequest(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 5, 17, 9, 30, 0, 0, time.UTC)
	srv := b2btest.NewServer(t, b2btest.WithClock(func() time.Time { return now }))
	c := validatingClient(t, srv)
	ctx := context.Background()
	const org = "organization-test-consistency"

	t.Run("login or signup echoes organization and email", func(t *testing.T) {
		resp, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: org, EmailAddress: "ada@example.com"})
		require.NoError(t, err)
		assert.Equal(t, org, resp.Organization.OrganizationID)
		assert.Equal(t, org, resp.Member.OrganizationID)
		assert.Equal(t, "ada@example.com", resp.Member.EmailAddress)
		assert.Equal(t, resp.MemberID, resp.Member.MemberID)
		assert.True(t, resp.MemberCreated)
		assert.EqualValues(t, "pending", resp.Member.Status)

		again, err := c.MagicLinks.Email.LoginOrSignup(ctx, &b2b.MagicLinksEmailLoginOrSignupParams{OrganizationID: org, EmailAddress: "ADA@example.com"})
		require.NoError(t, err)
		assert.False(t, again.MemberCreated)
		assert.Equal(t, resp.MemberID, again.MemberID)
	})

	t.Run("authenticate: session duration, claims and roles", func(t *testing.T) {
		emails := srv.Emails()
		require.NotEmpty(t, emails)
		link := emails[len(emails)-1]
		assert.Equal(t, "signup", link.Kind)
		assert.Contains(t, link.URL, "token="+link.Token)
		resp, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
			MagicLinksToken:        link.Token,
			SessionDurationMinutes: b2b.Ptr(int32(90)),
			SessionCustomClaims:    map[string]any{"plan": "pro", "gone": nil},
		})
		require.NoError(t, err)
		assert.Equal(t, link.MemberID, resp.MemberID)
		assert.EqualValues(t, "active", resp.Member.Status)
		assert.True(t, resp.Member.EmailAddressVerified)
		require.True(t, resp.MemberAuthenticated)
		require.NotNil(t, resp.MemberSession)
		assert.Equal(t, now.Add(90*time.Minute), resp.MemberSession.ExpiresAt)
		assert.Equal(t, map[string]any{"plan": "pro"}, resp.MemberSession.CustomClaims)
		assert.Equal(t, []string{"stytch_member"}, resp.MemberSession.Roles)
		assert.Equal(t, org, resp.MemberSession.OrganizationID)
		require.Len(t, resp.MemberSession.AuthenticationFactors, 1)
		f := resp.MemberSession.AuthenticationFactors[0]
		assert.EqualValues(t, "magic_link", f.Type)
		assert.EqualValues(t, "email", f.DeliveryMethod)
		require.NotNil(t, f.EmailFactor)
		assert.Equal(t, "ada@example.com", f.EmailFactor.EmailAddress)
		assert.NotEmpty(t, resp.SessionToken)
		assert.NotEmpty(t, resp.SessionJWT)
		assert.Empty(t, resp.IntermediateSessionToken)
	})

	t.Run("default session lifetime is 60 minutes", func(t *testing.T) {
		resp, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: "fresh-oauth-token"}) //nolint:gosec // G101: a made-up token the fake accepts
		require.NoError(t, err)
		require.NotNil(t, resp.MemberSession)
		assert.Equal(t, now.Add(60*time.Minute), resp.MemberSession.ExpiresAt)
		assert.EqualValues(t, "Google", resp.ProviderType)
		assert.EqualValues(t, "oauth", resp.MemberSession.AuthenticationFactors[0].Type)
	})

	t.Run("invite gives the roles, name and metadata asked for", func(t *testing.T) {
		resp, err := c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{
			OrganizationID:  org,
			EmailAddress:    "grace@example.com",
			Name:            b2b.Ptr("Grace Hopper"),
			Roles:           []string{"billing-admin", "auditor"},
			TrustedMetadata: map[string]any{"tier": "gold"},
		})
		require.NoError(t, err)
		assert.EqualValues(t, "invited", resp.Member.Status)
		assert.Equal(t, "Grace Hopper", resp.Member.Name)
		assert.Equal(t, map[string]any{"tier": "gold"}, resp.Member.TrustedMetadata)
		var roles []string
		for _, r := range resp.Member.Roles {
			roles = append(roles, r.RoleID)
		}
		assert.Equal(t, []string{"stytch_member", "billing-admin", "auditor"}, roles)

		emails := srv.Emails()
		last := emails[len(emails)-1]
		assert.Equal(t, "invite", last.Kind)
		assert.Equal(t, "grace@example.com", last.To)

		// The invite link logs Grace in with her roles.
		auth, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: last.Token})
		require.NoError(t, err)
		assert.Equal(t, resp.MemberID, auth.MemberID)
		assert.Equal(t, []string{"stytch_member", "billing-admin", "auditor"}, auth.MemberSession.Roles)

		// An active member cannot be invited again.
		_, err = c.MagicLinks.Email.Invite(ctx, &b2b.MagicLinksEmailInviteParams{OrganizationID: org, EmailAddress: "grace@example.com"})
		var e *b2b.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 400, e.StatusCode)
		assert.Equal(t, b2b.ErrorTypeMemberAlreadyActive, e.ErrorType)
	})

	t.Run("recovery codes get echoes the path parameters", func(t *testing.T) {
		resp, err := c.RecoveryCodes.Get(ctx, &b2b.RecoveryCodesGetParams{OrganizationID: "org/with slash", MemberID: "member 1"})
		require.NoError(t, err)
		assert.Equal(t, "org/with slash", resp.Organization.OrganizationID)
		assert.Equal(t, "member 1", resp.MemberID)
		assert.Len(t, resp.RecoveryCodes, 10)
	})

	t.Run("existing session is extended", func(t *testing.T) {
		tok := srv.Token(b2btest.MagicLinksAuthenticate, org, "ada@example.com")
		first, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok, SessionCustomClaims: map[string]any{"a": 1}})
		require.NoError(t, err)
		tok2 := srv.Token(b2btest.OAuthAuthenticate, org, "ada@example.com")
		second, err := c.OAuth.Authenticate(ctx, &b2b.OAuthAuthenticateParams{OAuthToken: tok2, SessionToken: &first.SessionToken, SessionCustomClaims: map[string]any{"b": 2}})
		require.NoError(t, err)
		assert.Equal(t, first.SessionToken, second.SessionToken)
		assert.Equal(t, first.MemberSession.MemberSessionID, second.MemberSession.MemberSessionID)
		assert.Equal(t, map[string]any{"a": float64(1), "b": float64(2)}, second.MemberSession.CustomClaims)
		var types []string
		for _, f := range second.MemberSession.AuthenticationFactors {
			types = append(types, string(f.Type))
		}
		assert.Equal(t, []string{"magic_link", "oauth"}, types)
	})

	t.Run("password reset keeps the session", func(t *testing.T) {
		tok := srv.Token(b2btest.MagicLinksAuthenticate, org, "ada@example.com")
		login, err := c.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{MagicLinksToken: tok})
		require.NoError(t, err)
		reset, err := c.Passwords.Sessions.Reset(ctx, &b2b.PasswordsSessionsResetParams{OrganizationID: org, Password: "correct horse battery staple", SessionToken: &login.SessionToken})
		require.NoError(t, err)
		assert.Equal(t, login.MemberID, reset.MemberID)
		assert.Equal(t, login.SessionToken, reset.SessionToken)
		assert.NotEmpty(t, reset.Member.MemberPasswordID)
		assert.True(t, reset.MemberAuthenticated)
	})
}

// TestHandlesAreTheGeneratedOperations reads operations.gen.go and checks that it declares one
// handle per operation of the spec, each the generated gen.Op value of that operation, and nothing
// else: a new operation in the spec needs no edit here.
func TestHandlesAreTheGeneratedOperations(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "operations.gen.go", nil, 0)
	require.NoError(t, err)
	handles := map[string]string{} // handle name -> the expression it is set to
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				var b strings.Builder
				require.NoError(t, printer.Fprint(&b, fset, vs.Values[i]))
				handles[name.Name] = b.String()
			}
		}
	}
	want := map[string]string{}
	for _, op := range gen.Operations {
		want[op.Name] = "gen.Op" + op.Name
	}
	assert.Equal(t, want, handles)

	for _, op := range gen.Operations {
		got, ok := b2btest.OperationByID(op.ID)
		assert.True(t, ok)
		assert.Equal(t, op, got)
	}
	_, ok := b2btest.OperationByID("nope")
	assert.False(t, ok)
	assert.Equal(t, "magicLinksAuthenticate", b2btest.MagicLinksAuthenticate.ID)
	assert.Contains(t, gen.Operations, b2btest.MagicLinksAuthenticate)
}
