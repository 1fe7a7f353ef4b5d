package b2btest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Durations the API uses.
const (
	defaultSessionMinutes = 60
	intermediateLifetime  = 10 * time.Minute
	defaultRedirectURL    = "http://localhost:3000/authenticate"
)

// call is one validated request, ready to run.
type call struct {
	op         Operation
	body       []byte
	header     http.Header
	pathParams map[string]string
	mfa        bool // scripted: answer that MFA is required
}

// handle runs the operation and returns its encoded 200 body, or an error answer. It holds the
// server's lock throughout, encoding included, so answers never share memory with later changes.
func (s *Server) handle(c *call) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		resp any
		err  *apiError
	)
	switch c.op.ID {
	case ImpersonationAuthenticate.ID:
		resp, err = run(c, s.impersonationAuthenticate)
	case MagicLinksAuthenticate.ID:
		resp, err = run(c, s.magicLinksAuthenticate)
	case MagicLinksEmailLoginOrSignup.ID:
		resp, err = run(c, s.magicLinksEmailLoginOrSignup)
	case MagicLinksEmailInvite.ID:
		resp, err = run(c, s.magicLinksEmailInvite)
	case MagicLinksEmailDiscoverySend.ID:
		resp, err = run(c, s.magicLinksEmailDiscoverySend)
	case MagicLinksDiscoveryAuthenticate.ID:
		resp, err = run(c, s.magicLinksDiscoveryAuthenticate)
	case OAuthAuthenticate.ID:
		resp, err = run(c, s.oauthAuthenticate)
	case OAuthDiscoveryAuthenticate.ID:
		resp, err = run(c, s.oauthDiscoveryAuthenticate)
	case PasswordsSessionsReset.ID:
		resp, err = run(c, s.passwordsSessionsReset)
	case RecoveryCodesGet.ID:
		resp, err = run(c, s.recoveryCodesGet)
	case RecoveryCodesRecover.ID:
		resp, err = run(c, s.recoveryCodesRecover)
	case RecoveryCodesRotate.ID:
		resp, err = run(c, s.recoveryCodesRotate)
	default:
		return nil, &apiError{status: http.StatusNotFound, errorType: "route_not_found", message: "b2btest does not implement " + c.op.ID}
	}
	if err != nil {
		return nil, err
	}
	b, merr := json.Marshal(resp)
	if merr != nil {
		return nil, &apiError{status: http.StatusInternalServerError, errorType: "internal_server_error", message: "b2btest: " + merr.Error()}
	}
	return b, nil
}

// run decodes the body (or, for an operation without one, the path parameters) into the
// operation's params type and calls fn.
func run[P any](c *call, fn func(*call, *P) (any, *apiError)) (any, *apiError) {
	p := new(P)
	data := c.body
	if len(data) == 0 && len(c.pathParams) > 0 {
		// An operation without a body takes its params from the path: the generated path type's
		// JSON names are the spec's parameter names.
		var err error
		if data, err = json.Marshal(c.pathParams); err != nil {
			return nil, &apiError{status: http.StatusBadRequest, errorType: "invalid_request", message: "The path parameters cannot be read: " + err.Error()}
		}
	}
	if err := decodeBody(data, p); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, errorType: "invalid_request", message: "The request body cannot be read: " + err.Error()}
	}
	return fn(c, p)
}

func notFound(opID string) *apiError {
	t := tokenRules[opID].errorType
	return &apiError{status: http.StatusNotFound, errorType: t, message: messageFor(t)}
}

// tokenMember returns the organization and member a consumed token stands for: the ones it was
// minted for, or, for a token the fake never saw, a member of the default organization derived
// from the token.
func (s *Server) tokenMember(m minted, found bool, token string) (*orgState, *memberState) {
	if found && m.orgID != "" {
		o := s.st.org(m.orgID)
		if ms, ok := o.members[m.memberID]; ok {
			return o, ms
		}
		return o, s.st.memberByEmail(o, m.email, m.memberID, statusActive)
	}
	o := s.st.org(s.st.defaultOrgID())
	email := m.email
	if email == "" {
		email = "member-" + shortHash(8, token) + "@example.com"
	}
	return o, s.st.memberByEmail(o, email, "", statusActive)
}

// tokenEmail returns the email address a consumed discovery token stands for.
func tokenEmail(m minted, found bool, token string) string {
	if found && m.email != "" {
		return m.email
	}
	return "user-" + shortHash(8, token) + "@example.com"
}

// activate marks the member as having proven their email address.
func (s *Server) activate(ms *memberState) {
	now := s.now()
	ms.m.Status = statusActive
	ms.m.EmailAddressVerified = true
	ms.m.UpdatedAt = &now
}

// ---------------------------------------------------------------------------------- factors

func (s *Server) stamp(f gen.AuthenticationFactor) gen.AuthenticationFactor {
	now := s.now()
	f.CreatedAt, f.UpdatedAt, f.LastAuthenticatedAt = &now, &now, &now
	return f
}

func emailID(ms *memberState) string {
	return testID("email", ms.m.OrganizationID, strings.ToLower(ms.m.EmailAddress))
}

func (s *Server) emailFactor(ms *memberState) gen.AuthenticationFactor {
	return s.stamp(gen.AuthenticationFactor{Type: "magic_link", DeliveryMethod: "email",
		EmailFactor: &gen.EmailFactor{EmailID: emailID(ms), EmailAddress: ms.m.EmailAddress}})
}

func (s *Server) oauthFactor(ms *memberState, reg gen.OAuthRegistration) gen.AuthenticationFactor {
	return s.stamp(gen.AuthenticationFactor{Type: "oauth", DeliveryMethod: "oauth_google",
		GoogleOAuthFactor: &gen.OAuthProviderFactor{ID: reg.MemberOAuthRegistrationID, ProviderSubject: reg.ProviderSubject, EmailID: emailID(ms)}})
}

func (s *Server) recoveryFactor(ms *memberState) gen.AuthenticationFactor {
	return s.stamp(gen.AuthenticationFactor{Type: "recovery_codes", DeliveryMethod: "recovery_code",
		RecoveryCodeFactor: &gen.RecoveryCodeFactor{TOTPRecoveryCodeID: testID("member-totp-recovery-code", ms.m.OrganizationID, ms.m.MemberID)}})
}

func (s *Server) passwordFactor() gen.AuthenticationFactor {
	return s.stamp(gen.AuthenticationFactor{Type: "password", DeliveryMethod: "knowledge"})
}

func (s *Server) impersonatedFactor() gen.AuthenticationFactor {
	return s.stamp(gen.AuthenticationFactor{Type: "impersonated", DeliveryMethod: "impersonation",
		ImpersonatedFactor: &gen.ImpersonatedFactor{ImpersonatorID: testID("dashboard-user", "b2btest"), ImpersonatorEmailAddress: "support@example.com"}})
}

// ---------------------------------------------------------------------------------- sessions

// startSession creates a session for the member, or extends the one named by token or jwt. A
// session token or JWT the fake has not seen is adopted: the session is created with that token,
// as if it had been issued earlier. minutes defaults to 60; claims are merged into the session's
// custom claims (a nil value deletes a claim).
func (s *Server) startSession(o *orgState, ms *memberState, factors []gen.AuthenticationFactor, token, jwt *string, minutes *int32, claims map[string]any) *session {
	now := s.now()
	var sess *session
	for _, t := range []*string{token, jwt} {
		if t != nil && *t != "" {
			if known := s.st.sessions[*t]; known != nil && known.memberID == ms.m.MemberID && known.orgID == o.org.OrganizationID {
				sess = known
				break
			}
		}
	}
	if sess == nil {
		sess = &session{
			id:       testID("member-session", randomToken()),
			token:    randomToken(),
			orgID:    o.org.OrganizationID,
			memberID: ms.m.MemberID,
			claims:   map[string]any{},
			started:  now,
		}
		if token != nil && *token != "" {
			sess.token = *token
		}
		s.st.sessions[sess.token] = sess
	}
	for _, f := range factors {
		replaced := false
		for i, have := range sess.factors {
			if have.Type == f.Type && have.DeliveryMethod == f.DeliveryMethod {
				f.CreatedAt = have.CreatedAt
				sess.factors[i], replaced = f, true
			}
		}
		if !replaced {
			sess.factors = append(sess.factors, f)
		}
	}
	if sess.factors == nil {
		sess.factors = []gen.AuthenticationFactor{}
	}
	merged := make(map[string]any, len(sess.claims)+len(claims))
	for k, v := range sess.claims {
		merged[k] = v
	}
	for k, v := range claims {
		if v == nil {
			delete(merged, k)
		} else {
			merged[k] = v
		}
	}
	sess.claims = merged
	d := int32(defaultSessionMinutes)
	if minutes != nil {
		d = *minutes
	}
	sess.expires = now.Add(time.Duration(d) * time.Minute)
	jwtClaims := map[string]any{
		"sub": ms.m.MemberID,
		"iss": "stytch.com/" + ProjectID,
		"aud": []string{ProjectID},
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(),
		"https://stytch.com/session": map[string]any{
			"id":         sess.id,
			"started_at": sess.started.Format(time.RFC3339),
			"expires_at": sess.expires.Format(time.RFC3339),
		},
		"https://stytch.com/organization": map[string]any{
			"organization_id": o.org.OrganizationID,
			"slug":            o.org.OrganizationSlug,
		},
	}
	for k, v := range sess.claims {
		jwtClaims[k] = v
	}
	sess.jwt = fakeJWT(jwtClaims)
	s.st.sessions[sess.jwt] = sess
	return sess
}

// primaryResult is how a primary authentication (magic link, OAuth) ends: a session, or an
// intermediate session token with what MFA still needs.
type primaryResult struct {
	ist           string
	istExpiresAt  *time.Time
	mfa           *gen.MFARequired
	authenticated bool
	token, jwt    string
	session       *gen.MemberSession
}

// finishPrimary ends a primary authentication with factor: MFA is pending when scripted, or when
// the organization requires it and no existing session was presented; otherwise a session starts.
func (s *Server) finishPrimary(c *call, o *orgState, ms *memberState, factor gen.AuthenticationFactor, token, jwt *string, minutes *int32, claims map[string]any) primaryResult {
	if c.mfa || (requiresMFA(o, ms) && token == nil && jwt == nil) {
		var r primaryResult
		r.ist, r.istExpiresAt, r.mfa = s.mfaPending(o, ms, &factor)
		return r
	}
	sess := s.startSession(o, ms, []gen.AuthenticationFactor{factor}, token, jwt, minutes, claims)
	return primaryResult{authenticated: true, token: sess.token, jwt: sess.jwt, session: s.memberSession(o, ms, sess)}
}

func (s *Server) memberSession(o *orgState, ms *memberState, sess *session) *gen.MemberSession {
	now := s.now()
	started, expires := sess.started, sess.expires
	roles := make([]string, 0, len(ms.m.Roles))
	for _, r := range ms.m.Roles {
		roles = append(roles, r.RoleID)
	}
	return &gen.MemberSession{
		MemberSessionID:       sess.id,
		MemberID:              ms.m.MemberID,
		StartedAt:             started,
		LastAccessedAt:        now,
		ExpiresAt:             expires,
		AuthenticationFactors: sess.factors,
		OrganizationID:        o.org.OrganizationID,
		Roles:                 roles,
		OrganizationSlug:      o.org.OrganizationSlug,
		CustomClaims:          sess.claims,
	}
}

// mfaPending issues an intermediate session token for a member who still has to complete MFA.
func (s *Server) mfaPending(o *orgState, ms *memberState, primary *gen.AuthenticationFactor) (string, *time.Time, *gen.MFARequired) {
	ist := randomToken()
	s.st.ists[ist] = intermediate{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress, factor: primary}
	exp := s.now().Add(intermediateLifetime)
	req := &gen.MFARequired{MemberOptions: &gen.MemberOptions{MFAPhoneNumber: ms.m.MFAPhoneNumber, TOTPRegistrationID: ms.m.TOTPRegistrationID}}
	if ms.m.DefaultMFAMethod == "sms_otp" && ms.m.MFAPhoneNumber != "" {
		initiated := gen.MFARequiredSecondaryAuthInitiatedSMSOTP
		req.SecondaryAuthInitiated = &initiated
	}
	return ist, &exp, req
}

// memberDevice returns the fingerprinting result for a telemetry ID, or nil without one.
func memberDevice(telemetryID *string) *gen.DeviceInfo {
	if telemetryID == nil || *telemetryID == "" {
		return nil
	}
	return &gen.DeviceInfo{
		VisitorID:    "visitor-" + shortHash(16, *telemetryID),
		IPAddress:    "203.0.113.7",
		IPGeoCity:    "San Francisco",
		IPGeoRegion:  "California",
		IPGeoCountry: "US",
	}
}

// sendEmail records an email with a link carrying token.
func (s *Server) sendEmail(op Operation, kind, to string, o *orgState, ms *memberState, token string, redirect *string, tokenType string) {
	base := defaultRedirectURL
	if redirect != nil && *redirect != "" {
		base = *redirect
	}
	link := base
	if u, err := url.Parse(base); err == nil {
		q := u.Query()
		q.Set("stytch_token_type", tokenType)
		q.Set("token", token)
		u.RawQuery = q.Encode()
		link = u.String()
	}
	e := Email{Operation: op.ID, Kind: kind, To: to, Token: token, URL: link}
	if o != nil {
		e.OrganizationID = o.org.OrganizationID
	}
	if ms != nil {
		e.MemberID = ms.m.MemberID
	}
	s.emails = append(s.emails, e)
}

// discovered lists the organizations an email address can log in to or join: those where it has a
// member, and those that let its domain join by email.
func (s *Server) discovered(email string) []gen.DiscoveredOrganization {
	out := []gen.DiscoveredOrganization{}
	_, domain, _ := strings.Cut(strings.ToLower(email), "@")
	for _, id := range s.st.orgOrder {
		o := s.st.orgs[id]
		org := o.org
		if ms := s.st.findByEmail(o, email); ms != nil {
			m := ms.m
			d := gen.DiscoveredOrganization{
				MemberAuthenticated: !requiresMFA(o, ms),
				Organization:        &org,
				Membership:          &gen.Membership{Type: gen.MembershipType(ms.m.Status + "_member"), Details: map[string]any{}, Member: &m},
			}
			if !d.MemberAuthenticated {
				d.MFARequired = &gen.MFARequired{MemberOptions: &gen.MemberOptions{MFAPhoneNumber: m.MFAPhoneNumber, TOTPRegistrationID: m.TOTPRegistrationID}}
			}
			out = append(out, d)
			continue
		}
		if org.EmailJITProvisioning == restricted {
			for _, allowed := range org.EmailAllowedDomains {
				if strings.EqualFold(allowed, domain) {
					out = append(out, gen.DiscoveredOrganization{
						MemberAuthenticated: false,
						Organization:        &org,
						Membership:          &gen.Membership{Type: "eligible_to_join_by_email_domain", Details: map[string]any{"domain": allowed}},
					})
					break
				}
			}
		}
	}
	return out
}

// -------------------------------------------------------------------------------- operations

func (s *Server) impersonationAuthenticate(c *call, p *gen.ImpersonationAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindImpersonation, p.ImpersonationToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	o, ms := s.tokenMember(m, found, p.ImpersonationToken)
	sess := s.startSession(o, ms, []gen.AuthenticationFactor{s.impersonatedFactor()}, nil, nil, nil, nil)
	return gen.ImpersonationAuthenticateResponse{
		RequestID:           newRequestID(),
		MemberID:            ms.m.MemberID,
		OrganizationID:      o.org.OrganizationID,
		Member:              ms.m,
		Organization:        o.org,
		SessionToken:        sess.token,
		SessionJWT:          sess.jwt,
		MemberAuthenticated: true,
		MemberSession:       s.memberSession(o, ms, sess),
		StatusCode:          http.StatusOK,
	}, nil
}

func (s *Server) magicLinksAuthenticate(c *call, p *gen.MagicLinksAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindMagicLink, p.MagicLinksToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	o, ms := s.tokenMember(m, found, p.MagicLinksToken)
	s.activate(ms)
	factor := s.emailFactor(ms)
	resp := gen.MagicLinksAuthenticateResponse{
		RequestID:      newRequestID(),
		MemberID:       ms.m.MemberID,
		MethodID:       factor.EmailFactor.EmailID,
		OrganizationID: o.org.OrganizationID,
		Member:         ms.m,
		Organization:   o.org,
		MemberDevice:   memberDevice(p.TelemetryID),
		StatusCode:     http.StatusOK,
	}
	r := s.finishPrimary(c, o, ms, factor, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired = r.ist, r.istExpiresAt, r.mfa
	resp.MemberAuthenticated, resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.authenticated, r.token, r.jwt, r.session
	return resp, nil
}

func (s *Server) magicLinksEmailLoginOrSignup(c *call, p *gen.MagicLinksEmailLoginOrSignupRequest) (any, *apiError) {
	o := s.st.org(p.OrganizationID)
	ms := s.st.findByEmail(o, p.EmailAddress)
	created := ms == nil
	if created {
		ms = s.st.memberByEmail(o, p.EmailAddress, "", statusPending)
	}
	kind, redirect := "signup", p.SignupRedirectURL
	if ms.m.Status == statusActive {
		kind, redirect = "login", p.LoginRedirectURL
	}
	tok := s.st.mint(kindMagicLink, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress})
	s.sendEmail(c.op, kind, p.EmailAddress, o, ms, tok, redirect, "multi_tenant_magic_links")
	return gen.MagicLinksEmailLoginOrSignupResponse{
		RequestID:     newRequestID(),
		MemberID:      ms.m.MemberID,
		MemberCreated: created,
		Member:        ms.m,
		Organization:  o.org,
		StatusCode:    http.StatusOK,
	}, nil
}

func (s *Server) magicLinksEmailInvite(c *call, p *gen.MagicLinksEmailInviteRequest) (any, *apiError) {
	o := s.st.org(p.OrganizationID)
	ms := s.st.findByEmail(o, p.EmailAddress)
	if ms != nil && ms.m.Status == statusActive {
		return nil, &apiError{status: http.StatusBadRequest, errorType: "member_already_active", message: messageFor("member_already_active")}
	}
	if ms == nil {
		ms = s.st.memberByEmail(o, p.EmailAddress, "", statusInvited)
	}
	now := s.now()
	ms.m.Status = statusInvited
	ms.m.UpdatedAt = &now
	if p.Name != nil {
		ms.m.Name = *p.Name
	}
	roles := []gen.MemberRole{memberRole("stytch_member")}
	for _, r := range p.Roles {
		if r != "stytch_member" {
			roles = append(roles, memberRole(r))
		}
	}
	ms.m.Roles = roles
	if p.TrustedMetadata != nil {
		ms.m.TrustedMetadata = p.TrustedMetadata
	}
	if p.UntrustedMetadata != nil {
		ms.m.UntrustedMetadata = p.UntrustedMetadata
	}
	tok := s.st.mint(kindMagicLink, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress})
	s.sendEmail(c.op, "invite", p.EmailAddress, o, ms, tok, p.InviteRedirectURL, "multi_tenant_magic_links")
	return gen.MagicLinksEmailInviteResponse{
		RequestID:    newRequestID(),
		MemberID:     ms.m.MemberID,
		Member:       ms.m,
		Organization: o.org,
		StatusCode:   http.StatusOK,
	}, nil
}

func (s *Server) magicLinksEmailDiscoverySend(c *call, p *gen.MagicLinksEmailDiscoverySendRequest) (any, *apiError) {
	tok := s.st.mint(kindDiscoveryMagicLink, minted{email: p.EmailAddress})
	s.sendEmail(c.op, "discovery", p.EmailAddress, nil, nil, tok, p.DiscoveryRedirectURL, "discovery")
	return gen.MagicLinksEmailDiscoverySendResponse{RequestID: newRequestID(), StatusCode: http.StatusOK}, nil
}

func (s *Server) discoveryIST(email string) (string, *time.Time) {
	ist := randomToken()
	s.st.ists[ist] = intermediate{email: email}
	exp := s.now().Add(intermediateLifetime)
	return ist, &exp
}

func (s *Server) magicLinksDiscoveryAuthenticate(c *call, p *gen.MagicLinksDiscoveryAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindDiscoveryMagicLink, p.DiscoveryMagicLinksToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	email := tokenEmail(m, found, p.DiscoveryMagicLinksToken)
	ist, exp := s.discoveryIST(email)
	return gen.MagicLinksDiscoveryAuthenticateResponse{
		RequestID:                         newRequestID(),
		IntermediateSessionToken:          ist,
		IntermediateSessionTokenExpiresAt: exp,
		EmailAddress:                      email,
		DiscoveredOrganizations:           s.discovered(email),
		StatusCode:                        http.StatusOK,
	}, nil
}

// googleRegistration returns the member's Google registration, adding one if it has none.
func (s *Server) googleRegistration(ms *memberState) gen.OAuthRegistration {
	for _, r := range ms.m.OAuthRegistrations {
		if r.ProviderType == "Google" {
			return r
		}
	}
	r := gen.OAuthRegistration{
		ProviderType:              "Google",
		ProviderSubject:           numericID(ms.m.OrganizationID, ms.m.MemberID, "google"),
		MemberOAuthRegistrationID: testID("member-oauth-registration", ms.m.OrganizationID, ms.m.MemberID, "google"),
		ProfilePictureURL:         "https://lh3.googleusercontent.example/a/" + shortHash(12, ms.m.MemberID) + ".png",
		Locale:                    "en",
	}
	ms.m.OAuthRegistrations = append(append([]gen.OAuthRegistration{}, ms.m.OAuthRegistrations...), r)
	return r
}

func (s *Server) oauthAuthenticate(c *call, p *gen.OAuthAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindOAuth, p.OAuthToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	o, ms := s.tokenMember(m, found, p.OAuthToken)
	s.activate(ms)
	reg := s.googleRegistration(ms)
	factor := s.oauthFactor(ms, reg)
	exp := s.now().Add(time.Hour)
	resp := gen.OAuthAuthenticateResponse{
		RequestID:       newRequestID(),
		MemberID:        ms.m.MemberID,
		ProviderSubject: reg.ProviderSubject,
		ProviderType:    reg.ProviderType,
		OrganizationID:  o.org.OrganizationID,
		Member:          ms.m,
		Organization:    o.org,
		ProviderValues: &gen.ProviderValues{
			Scopes:      []string{"openid", "email", "profile"},
			AccessToken: "ya29." + randomToken(),
			ExpiresAt:   &exp,
		},
		MemberDevice: memberDevice(p.TelemetryID),
		StatusCode:   http.StatusOK,
	}
	r := s.finishPrimary(c, o, ms, factor, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired = r.ist, r.istExpiresAt, r.mfa
	resp.MemberAuthenticated, resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.authenticated, r.token, r.jwt, r.session
	return resp, nil
}

func (s *Server) oauthDiscoveryAuthenticate(c *call, p *gen.OAuthDiscoveryAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindDiscoveryOAuth, p.DiscoveryOAuthToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	email := tokenEmail(m, found, p.DiscoveryOAuthToken)
	ist, exp := s.discoveryIST(email)
	return gen.OAuthDiscoveryAuthenticateResponse{
		RequestID:                         newRequestID(),
		IntermediateSessionToken:          ist,
		IntermediateSessionTokenExpiresAt: exp,
		EmailAddress:                      email,
		DiscoveredOrganizations:           s.discovered(email),
		ProviderType:                      "Google",
		ProviderTenantIds:                 []string{},
		FullName:                          nameFromEmail(email),
		StatusCode:                        http.StatusOK,
	}, nil
}

func (s *Server) passwordsSessionsReset(c *call, p *gen.PasswordsSessionsResetRequest) (any, *apiError) {
	var sess *session
	for _, t := range []*string{p.SessionToken, p.SessionJWT} {
		if t != nil && *t != "" && sess == nil {
			sess = s.st.sessions[*t]
		}
	}
	o := s.st.org(p.OrganizationID)
	var ms *memberState
	factors := []gen.AuthenticationFactor{}
	switch {
	case sess != nil:
		o = s.st.org(sess.orgID)
		ms = s.st.member(o, sess.memberID)
	case (p.SessionToken != nil && *p.SessionToken != "") || (p.SessionJWT != nil && *p.SessionJWT != ""):
		seed := ""
		if p.SessionToken != nil {
			seed += *p.SessionToken
		}
		if p.SessionJWT != nil {
			seed += *p.SessionJWT
		}
		ms = s.st.memberByEmail(o, "member-"+shortHash(8, seed)+"@example.com", "", statusActive)
		factors = append(factors, s.passwordFactor())
	default:
		return nil, &apiError{status: http.StatusBadRequest, errorType: "invalid_request",
			message: "session_token or session_jwt is required: the password of the session's member is reset."}
	}
	now := s.now()
	ms.m.MemberPasswordID = testID("member-password", ms.m.OrganizationID, ms.m.MemberID, now.String())
	ms.m.UpdatedAt = &now
	resp := gen.PasswordsSessionsResetResponse{
		RequestID:    newRequestID(),
		MemberID:     ms.m.MemberID,
		Member:       ms.m,
		Organization: o.org,
		MemberDevice: memberDevice(p.TelemetryID),
		StatusCode:   http.StatusOK,
	}
	if c.mfa {
		resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired = s.mfaPending(o, ms, nil)
		return resp, nil
	}
	sess = s.startSession(o, ms, factors, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	resp.MemberAuthenticated = true
	resp.SessionToken, resp.SessionJWT = sess.token, sess.jwt
	resp.MemberSession = s.memberSession(o, ms, sess)
	return resp, nil
}

func (s *Server) recoveryCodesGet(_ *call, p *gen.RecoveryCodesGetRequest) (any, *apiError) {
	o := s.st.org(p.OrganizationID)
	ms := s.st.member(o, p.MemberID)
	return gen.RecoveryCodesGetResponse{
		RequestID:     newRequestID(),
		MemberID:      ms.m.MemberID,
		Member:        ms.m,
		Organization:  o.org,
		RecoveryCodes: ms.recoveryCodes(),
		StatusCode:    http.StatusOK,
	}, nil
}

func (s *Server) recoveryCodesRecover(_ *call, p *gen.RecoveryCodesRecoverRequest) (any, *apiError) {
	o := s.st.org(p.OrganizationID)
	ms := s.st.member(o, p.MemberID)
	if !ms.spend(p.RecoveryCode) {
		return nil, &apiError{status: http.StatusNotFound, errorType: "recovery_code_not_found", message: messageFor("recovery_code_not_found")}
	}
	var factors []gen.AuthenticationFactor
	if p.IntermediateSessionToken != nil {
		if ist, ok := s.st.ists[*p.IntermediateSessionToken]; ok && ist.memberID == ms.m.MemberID && ist.factor != nil {
			factors = append(factors, *ist.factor)
		}
		delete(s.st.ists, *p.IntermediateSessionToken)
	}
	factors = append(factors, s.recoveryFactor(ms))
	sess := s.startSession(o, ms, factors, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	return gen.RecoveryCodesRecoverResponse{
		RequestID:              newRequestID(),
		MemberID:               ms.m.MemberID,
		Member:                 ms.m,
		Organization:           o.org,
		SessionToken:           sess.token,
		SessionJWT:             sess.jwt,
		RecoveryCodesRemaining: int32(len(ms.recoveryCodes())),
		MemberSession:          s.memberSession(o, ms, sess),
		MemberDevice:           memberDevice(p.TelemetryID),
		StatusCode:             http.StatusOK,
	}, nil
}

func (s *Server) recoveryCodesRotate(_ *call, p *gen.RecoveryCodesRotateRequest) (any, *apiError) {
	o := s.st.org(p.OrganizationID)
	ms := s.st.member(o, p.MemberID)
	ms.rotate()
	return gen.RecoveryCodesRotateResponse{
		RequestID:     newRequestID(),
		MemberID:      ms.m.MemberID,
		Member:        ms.m,
		Organization:  o.org,
		RecoveryCodes: ms.recoveryCodes(),
		StatusCode:    http.StatusOK,
	}, nil
}
