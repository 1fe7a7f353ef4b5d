package b2btest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Durations the API uses.
const (
	defaultSessionMinutes = 60
	intermediateLifetime  = 10 * time.Minute
	sessionJWTLifetime    = 5 * time.Minute
	defaultRedirectURL    = "http://localhost:3000/authenticate"
)

func notFound(opID string) *apiError {
	t := tokenRules[opID].errorType
	return &apiError{status: http.StatusNotFound, errorType: t, message: messageFor(t)}
}

func errSessionNotFound() *apiError {
	return newAPIError(http.StatusNotFound, gen.ErrorTypeSessionNotFound, "")
}

// tokenMember returns the organization and member a consumed token stands for: the ones it was
// minted for, or, for a token the fake never saw, a member of the default organization derived
// from the token.
func (s *Server) tokenMember(m minted, found bool, token string) (*orgState, *memberState) {
	if found && m.orgID != "" {
		o := s.st.ensureOrg(m.orgID)
		if ms, ok := o.members[m.memberID]; ok {
			return o, ms
		}
		return o, s.st.memberByEmail(o, m.email, m.memberID, statusActive)
	}
	o := s.st.ensureOrg(s.st.defaultOrgID())
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

// authMethod is the organization auth method (allowed_auth_methods) a primary factor uses, or ""
// for a factor that is not a primary authentication method.
func authMethod(f gen.AuthenticationFactor) gen.PrimaryRequiredAllowedAuthMethods {
	switch f.Type {
	case "magic_link":
		return "magic_link"
	case "password":
		return "password"
	case "oauth":
		return gen.PrimaryRequiredAllowedAuthMethods(strings.TrimPrefix(string(f.DeliveryMethod), "oauth_") + "_oauth")
	}
	return ""
}

// ---------------------------------------------------------------------------------- sessions

// presented finds the session a request presents with session_token or session_jwt. It returns
// the live session the fake issued, or, for a credential the fake never issued, in the default
// mode the session token to adopt (a JWT is not adopted: the fake signs its own). A credential
// of a revoked or expired session, and in Strict mode any credential the fake did not issue, is a
// 404 session_not_found. Sending both is refused, as the API does.
func (s *Server) presented(token, jwt *string) (live *session, adopt string, err *apiError) {
	tok, j := deref(token), deref(jwt)
	if tok != "" && j != "" {
		return nil, "", newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest,
			"Send session_token or session_jwt, not both.")
	}
	cred := tok + j
	if cred == "" {
		return nil, "", nil
	}
	sess, issued := s.st.liveSession(cred)
	switch {
	case sess != nil:
		return sess, "", nil
	case issued || s.st.strict:
		return nil, "", errSessionNotFound()
	case tok != "":
		return nil, tok, nil
	}
	return nil, "", nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ownsSession reports whether the presented session (or the adopted credential) is the member's:
// a session of another member, or of the same person in another organization, is ignored, as the
// API documents for the authenticate endpoints.
func ownsSession(live *session, adopt string, o *orgState, ms *memberState) bool {
	if live != nil {
		return live.memberID == ms.m.MemberID && live.orgID == o.org.OrganizationID
	}
	return adopt != ""
}

// startSession creates a session for the member, or extends live when it is the member's own.
// adopt, when set, is the token of a session the fake did not issue, which becomes the new
// session's token (default mode only). minutes defaults to 60; claims are merged into the
// session's custom claims (a nil value deletes a claim).
func (s *Server) startSession(c *call, o *orgState, ms *memberState, factors []gen.AuthenticationFactor, live *session, adopt string, minutes *int32, claims map[string]any) *session {
	now := s.now()
	sess := live
	if !ownsSession(live, "", o, ms) {
		sess = &session{
			id:        testID("member-session", randomToken()),
			token:     randomToken(),
			orgID:     o.org.OrganizationID,
			memberID:  ms.m.MemberID,
			projectID: c.projectID,
			claims:    map[string]any{},
			started:   now,
		}
		if adopt != "" {
			sess.token = adopt
		}
		s.st.sessions[sess.token] = sess
		s.st.sessionIDs[sess.id] = sess
	}
	// Copy on write: an earlier answer may still be encoding the old factors and claims.
	merged := slices.Clone(sess.factors)
	for _, f := range factors {
		replaced := false
		for i, have := range merged {
			if have.Type == f.Type && have.DeliveryMethod == f.DeliveryMethod {
				f.CreatedAt = have.CreatedAt
				merged[i], replaced = f, true
			}
		}
		if !replaced {
			merged = append(merged, f)
		}
	}
	if merged == nil {
		merged = []gen.AuthenticationFactor{}
	}
	sess.factors = merged
	sess.claims = mergeClaims(sess.claims, claims)
	if sess != live || !live.impersonated() {
		d := int32(defaultSessionMinutes)
		if minutes != nil {
			d = *minutes
		}
		sess.expires = now.Add(time.Duration(d) * time.Minute)
	}
	s.reissueJWT(c, o, ms, sess)
	return sess
}

// mergeClaims returns a new map: have with add merged in, a nil value deleting a claim. Reserved
// JWT claim names are ignored, as the API ignores them.
func mergeClaims(have, add map[string]any) map[string]any {
	merged := make(map[string]any, len(have)+len(add))
	for k, v := range have {
		merged[k] = v
	}
	for k, v := range add {
		switch {
		case reservedClaim(k):
		case v == nil:
			delete(merged, k)
		default:
			merged[k] = v
		}
	}
	return merged
}

// reissueJWT starts a new session JWT for sess (valid five minutes). Signing takes far longer
// than anything else a call does, so it happens after the server's lock is released (see
// completeJWTs): until then sess.jwt, and the answer, hold a placeholder that the signed JWT
// replaces in the encoded answer.
func (s *Server) reissueJWT(c *call, o *orgState, ms *memberState, sess *session) {
	now := s.now()
	sess.lastAccessed = now
	project := sess.projectID
	if project == "" {
		project = ProjectID
	}
	roles := make([]string, 0, len(ms.m.Roles))
	for _, r := range ms.m.Roles {
		roles = append(roles, r.RoleID)
	}
	claims := sessionClaims{
		Subject:   ms.m.MemberID,
		Issuer:    "stytch.com/" + project,
		Audience:  []string{project},
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		Expires:   now.Add(sessionJWTLifetime).Unix(),
		Session: sessionClaim{
			ID:             sess.id,
			StartedAt:      sess.started.Format(time.RFC3339),
			LastAccessedAt: now.Format(time.RFC3339),
			ExpiresAt:      sess.expires.Format(time.RFC3339),
			Attributes:     sessionAttributes{},
			Factors:        sess.factors,
			Roles:          roles,
		},
		Organization: organizationClaim{ID: o.org.OrganizationID, Slug: o.org.OrganizationSlug},
		custom:       sess.claims,
	}
	input := s.keys.signingInput(claims)
	sess.jwtInput = input
	sess.jwt = input + jwtPlaceholder
	c.pending = append(c.pending, pendingJWT{sess: sess, input: input, st: s.st})
}

// jwtPlaceholder ends a session JWT that is not signed yet, in place of the signature. It is
// replaced in the encoded answer; no client ever sees it.
const jwtPlaceholder = ".b2btest-unsigned"

// pendingJWT is a session JWT to sign once the lock is released.
type pendingJWT struct {
	sess  *session
	input string
	st    *store // the store the session is in: a Reset in between replaces it
}

// completeJWTs signs the call's pending JWTs, outside the server's lock, records them, and
// returns the replacements of their placeholders.
func (s *Server) completeJWTs(c *call) []string {
	var repl []string
	for _, p := range c.pending {
		full := p.input + "." + s.keys.signature(p.input)
		s.mu.Lock()
		if s.st == p.st { // else the fake was reset meanwhile: the JWT names no session
			s.st.sessions[full] = p.sess
		}
		if p.sess.jwtInput == p.input {
			p.sess.jwt = full
		}
		s.mu.Unlock()
		repl = append(repl, p.input+jwtPlaceholder, full)
	}
	c.pending = nil
	return repl
}

// primaryResult is how a primary authentication (magic link, OAuth) ends: a session, or an
// intermediate session token with what is still needed.
type primaryResult struct {
	ist           string
	istExpiresAt  *time.Time
	mfa           *gen.MFARequired
	primary       *gen.PrimaryRequired
	authenticated bool
	token, jwt    string
	session       *gen.MemberSession
}

// finishPrimary ends a primary authentication with factor. A session the member already holds
// (session_token or session_jwt) counts as meeting the organization's requirements. An
// intermediate session token the fake issued to the same member (or, from discovery, to the same
// email address) adds the factor it holds. Otherwise, when the organization restricts its auth
// methods and no factor's method is allowed, the answer is primary_required; when MFA is
// scripted, or the organization or member requires it, the answer is mfa_required; else a
// session starts with every factor, and the intermediate session token is used up. While
// requirements are unmet, the intermediate session token sent comes back (a new one when none
// was sent).
func (s *Server) finishPrimary(c *call, o *orgState, ms *memberState, factor gen.AuthenticationFactor, istToken, token, jwt *string, minutes *int32, claims map[string]any) (primaryResult, *apiError) {
	live, adopt, err := s.presented(token, jwt)
	if err != nil {
		return primaryResult{}, err
	}
	ist, held, err := s.heldIST(istToken, o, ms)
	if err != nil {
		return primaryResult{}, err
	}
	factors := []gen.AuthenticationFactor{factor}
	if held.factor != nil {
		factors = []gen.AuthenticationFactor{*held.factor, factor}
	}
	pending := func(r primaryResult) primaryResult {
		if ist == "" {
			r.ist, r.istExpiresAt = s.issueIST(o, ms, &factor)
			return r
		}
		// The same token comes back, now bound to the member and holding a factor that meets
		// the organization's primary requirement when one does.
		if _, still := primaryRequired(o, factor); !still || held.factor == nil {
			held.factor = &factor
		}
		held.orgID, held.memberID, held.email = o.org.OrganizationID, ms.m.MemberID, ms.m.EmailAddress
		s.st.ists[ist] = held
		exp := held.expires
		r.ist, r.istExpiresAt = ist, &exp
		return r
	}
	own := ownsSession(live, adopt, o, ms)
	if !own {
		if allowed, ok := primaryRequiredAll(o, factors); ok {
			return pending(primaryResult{primary: &gen.PrimaryRequired{AllowedAuthMethods: allowed}}), nil
		}
	}
	if c.mfa || (requiresMFA(o, ms) && !own) {
		return pending(primaryResult{mfa: mfaRequired(ms)}), nil
	}
	if ist != "" {
		delete(s.st.ists, ist)
	}
	sess := s.startSession(c, o, ms, factors, live, adopt, minutes, claims)
	return primaryResult{authenticated: true, token: sess.token, jwt: sess.jwt, session: s.memberSession(o, ms, sess)}, nil
}

// heldIST looks up the intermediate session token an authenticate call sent, if any. It returns
// the token and what it holds when the token is the member's (an intermediate session of the
// member in o, or a discovery one of the member's email address). A token of someone else is
// ignored, as is, in the default mode, one the fake never issued; an expired one, or in Strict
// mode an unknown one, is 404 intermediate_session_not_found.
func (s *Server) heldIST(token *string, o *orgState, ms *memberState) (string, intermediate, *apiError) {
	t := deref(token)
	if t == "" {
		return "", intermediate{}, nil
	}
	held, ok := s.st.ists[t]
	switch {
	case !ok && !s.st.strict:
		return "", intermediate{}, nil
	case !ok || !s.now().Before(held.expires):
		return "", intermediate{}, newAPIError(http.StatusNotFound, gen.ErrorTypeIntermediateSessionNotFound, "")
	}
	mine := held.memberID == ms.m.MemberID && held.orgID == o.org.OrganizationID
	if held.memberID == "" {
		mine = strings.EqualFold(held.email, ms.m.EmailAddress)
	}
	if !mine {
		return "", intermediate{}, nil
	}
	return t, held, nil
}

// primaryRequiredAll is primaryRequired for a set of factors: the requirement is met when any
// factor's method is allowed.
func primaryRequiredAll(o *orgState, factors []gen.AuthenticationFactor) ([]gen.PrimaryRequiredAllowedAuthMethods, bool) {
	var allowed []gen.PrimaryRequiredAllowedAuthMethods
	for _, f := range factors {
		a, required := primaryRequired(o, f)
		if !required {
			return nil, false
		}
		allowed = a
	}
	return allowed, allowed != nil
}

// primaryRequired returns the organization's allowed auth methods when it restricts them
// (auth_methods RESTRICTED) and the factor's method is not among them.
func primaryRequired(o *orgState, factor gen.AuthenticationFactor) ([]gen.PrimaryRequiredAllowedAuthMethods, bool) {
	if o.org.AuthMethods != restricted {
		return nil, false
	}
	method := authMethod(factor)
	allowed := make([]gen.PrimaryRequiredAllowedAuthMethods, 0, len(o.org.AllowedAuthMethods))
	for _, m := range o.org.AllowedAuthMethods {
		if gen.PrimaryRequiredAllowedAuthMethods(m) == method {
			return nil, false
		}
		allowed = append(allowed, gen.PrimaryRequiredAllowedAuthMethods(m))
	}
	return allowed, true
}

func (s *Server) memberSession(o *orgState, ms *memberState, sess *session) *gen.MemberSession {
	started, expires, accessed := sess.started, sess.expires, sess.lastAccessed
	roles := make([]string, 0, len(ms.m.Roles))
	for _, r := range ms.m.Roles {
		roles = append(roles, r.RoleID)
	}
	return &gen.MemberSession{
		MemberSessionID:       sess.id,
		MemberID:              ms.m.MemberID,
		StartedAt:             started,
		LastAccessedAt:        accessed,
		ExpiresAt:             expires,
		AuthenticationFactors: sess.factors,
		OrganizationID:        o.org.OrganizationID,
		Roles:                 roles,
		OrganizationSlug:      o.org.OrganizationSlug,
		CustomClaims:          sess.claims,
	}
}

// issueIST issues an intermediate session token for a member who still has steps to complete.
func (s *Server) issueIST(o *orgState, ms *memberState, primary *gen.AuthenticationFactor) (string, *time.Time) {
	ist := randomToken()
	exp := s.now().Add(intermediateLifetime)
	s.st.ists[ist] = intermediate{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress, factor: primary, expires: exp}
	return ist, &exp
}

// mfaPending issues an intermediate session token for a member who still has to complete MFA.
func (s *Server) mfaPending(o *orgState, ms *memberState, primary *gen.AuthenticationFactor) (string, *time.Time, *gen.MFARequired) {
	ist, exp := s.issueIST(o, ms, primary)
	return ist, exp, mfaRequired(ms)
}

func mfaRequired(ms *memberState) *gen.MFARequired {
	req := &gen.MFARequired{MemberOptions: &gen.MemberOptions{MFAPhoneNumber: ms.m.MFAPhoneNumber, TOTPRegistrationID: ms.m.TOTPRegistrationID}}
	if ms.m.DefaultMFAMethod == "sms_otp" && ms.m.MFAPhoneNumber != "" {
		initiated := gen.MFARequiredSecondaryAuthInitiatedSMSOTP
		req.SecondaryAuthInitiated = &initiated
	}
	return req
}

// memberDevice returns the fingerprinting result for a telemetry ID, or nil without one. The
// first time the fake sees a telemetry ID its visitor, IP and country are new; afterwards they
// are known since then.
func (s *Server) memberDevice(telemetryID *string) *gen.DeviceInfo {
	if telemetryID == nil || *telemetryID == "" {
		return nil
	}
	now := s.now()
	first, seen := s.st.devices[*telemetryID]
	if !seen {
		first = now
		s.st.devices[*telemetryID] = now
	}
	details := func() *gen.DeviceAttributeDetails {
		f, l := first, now
		return &gen.DeviceAttributeDetails{IsNew: !seen, FirstSeenAt: &f, LastSeenAt: &l}
	}
	return &gen.DeviceInfo{
		VisitorID:           "visitor-" + shortHash(16, *telemetryID),
		VisitorIDDetails:    details(),
		IPAddress:           "203.0.113.7",
		IPAddressDetails:    details(),
		IPGeoCity:           "San Francisco",
		IPGeoRegion:         "California",
		IPGeoCountry:        "US",
		IPGeoCountryDetails: details(),
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
// member, and those that let its domain join by email. factor is how the address was proven: an
// organization whose auth methods leave it out says what it requires instead.
func (s *Server) discovered(email string, factor gen.AuthenticationFactor) []gen.DiscoveredOrganization {
	out := []gen.DiscoveredOrganization{}
	_, domain, _ := strings.Cut(strings.ToLower(email), "@")
	for _, id := range s.st.orgOrder {
		o := s.st.orgs[id]
		org := o.org
		var primary *gen.PrimaryRequired
		if allowed, ok := primaryRequired(o, factor); ok {
			primary = &gen.PrimaryRequired{AllowedAuthMethods: allowed}
		}
		if ms := s.st.findByEmail(o, email); ms != nil {
			m := ms.m
			d := gen.DiscoveredOrganization{
				MemberAuthenticated: !requiresMFA(o, ms) && primary == nil,
				Organization:        &org,
				Membership:          &gen.Membership{Type: gen.MembershipType(ms.m.Status + "_member"), Details: map[string]any{}, Member: &m},
				PrimaryRequired:     primary,
			}
			if requiresMFA(o, ms) {
				d.MFARequired = mfaRequired(ms)
			}
			out = append(out, d)
			continue
		}
		if allowed, ok := mayJoinByDomain(o, domain); ok {
			out = append(out, gen.DiscoveredOrganization{
				MemberAuthenticated: false,
				Organization:        &org,
				Membership:          &gen.Membership{Type: "eligible_to_join_by_email_domain", Details: map[string]any{"domain": allowed}},
				PrimaryRequired:     primary,
			})
		}
	}
	return out
}

// mayJoinByDomain reports whether an address of domain may join o by its email domain, and the
// allowed domain as o spells it: o's email_jit_provisioning is RESTRICTED, the domain is one of
// its email_allowed_domains, and, as the API requires, a member of o with a verified address
// already has that domain.
func mayJoinByDomain(o *orgState, domain string) (string, bool) {
	if o.org.EmailJITProvisioning != restricted {
		return "", false
	}
	i := slices.IndexFunc(o.org.EmailAllowedDomains, func(d string) bool { return strings.EqualFold(d, domain) })
	if i < 0 {
		return "", false
	}
	for _, ms := range o.members {
		_, d, _ := strings.Cut(ms.m.EmailAddress, "@")
		if ms.m.EmailAddressVerified && strings.EqualFold(d, domain) {
			return o.org.EmailAllowedDomains[i], true
		}
	}
	return "", false
}

// -------------------------------------------------------------------------------- operations

func (s *Server) impersonationAuthenticate(c *call, p *gen.ImpersonationAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindImpersonation, p.ImpersonationToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	o, ms := s.tokenMember(m, found, p.ImpersonationToken)
	sess := s.startSession(c, o, ms, []gen.AuthenticationFactor{s.impersonatedFactor()}, nil, "", nil, nil)
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
	var (
		o  *orgState
		ms *memberState
	)
	if sb, isSandbox := sandboxTokens[p.MagicLinksToken]; isSandbox {
		if sb.err != nil {
			return nil, sb.err()
		}
		o, ms = s.sandboxMember()
	} else {
		m, found, ok := s.st.consume(kindMagicLink, p.MagicLinksToken)
		if !ok {
			return nil, notFound(c.op.ID)
		}
		o, ms = s.tokenMember(m, found, p.MagicLinksToken)
	}
	s.activate(ms)
	factor := s.emailFactor(ms)
	resp := gen.MagicLinksAuthenticateResponse{
		RequestID:      newRequestID(),
		MemberID:       ms.m.MemberID,
		MethodID:       factor.EmailFactor.EmailID,
		OrganizationID: o.org.OrganizationID,
		Member:         ms.m,
		Organization:   o.org,
		MemberDevice:   s.memberDevice(p.TelemetryID),
		StatusCode:     http.StatusOK,
	}
	r, err := s.finishPrimary(c, o, ms, factor, p.IntermediateSessionToken, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	if err != nil {
		return nil, err
	}
	resp.Member = ms.m
	resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired, resp.PrimaryRequired = r.ist, r.istExpiresAt, r.mfa, r.primary
	resp.MemberAuthenticated, resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.authenticated, r.token, r.jwt, r.session
	return resp, nil
}

func (s *Server) magicLinksEmailLoginOrSignup(c *call, p *gen.MagicLinksEmailLoginOrSignupRequest) (any, *apiError) {
	sandbox := isSandboxOrg(p.OrganizationID, p.EmailAddress)
	if sandbox {
		s.sandboxMember()
	}
	o, err := s.st.org(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	ms := s.st.findByEmail(o, p.EmailAddress)
	created := ms == nil
	if created {
		ms = s.st.memberByEmail(o, p.EmailAddress, "", statusPending)
	}
	kind, redirect := "signup", p.SignupRedirectURL
	if ms.m.Status == statusActive {
		kind, redirect = "login", p.LoginRedirectURL
	}
	if !sandbox {
		ttl := lifetime(p.SignupExpirationMinutes, magicLinkLifetime)
		if kind == "login" {
			ttl = lifetime(p.LoginExpirationMinutes, magicLinkLifetime)
		}
		tok := s.st.mint(kindMagicLink, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress}, ttl)
		s.sendEmail(c.op, kind, p.EmailAddress, o, ms, tok, redirect, "multi_tenant_magic_links")
	}
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
	if isSandboxOrg(p.OrganizationID, p.EmailAddress) {
		o, ms := s.sandboxMember()
		return gen.MagicLinksEmailInviteResponse{RequestID: newRequestID(), MemberID: ms.m.MemberID, Member: ms.m, Organization: o.org, StatusCode: http.StatusOK}, nil
	}
	o, err := s.st.org(p.OrganizationID)
	if err != nil {
		return nil, err
	}
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
	tok := s.st.mint(kindMagicLink, minted{orgID: o.org.OrganizationID, memberID: ms.m.MemberID, email: ms.m.EmailAddress},
		lifetime(p.InviteExpirationMinutes, inviteLifetime))
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
	if !strings.EqualFold(p.EmailAddress, SandboxEmail) {
		tok := s.st.mint(kindDiscoveryMagicLink, minted{email: p.EmailAddress}, lifetime(p.DiscoveryExpirationMinutes, magicLinkLifetime))
		s.sendEmail(c.op, "discovery", p.EmailAddress, nil, nil, tok, p.DiscoveryRedirectURL, "discovery")
	}
	return gen.MagicLinksEmailDiscoverySendResponse{RequestID: newRequestID(), StatusCode: http.StatusOK}, nil
}

func (s *Server) discoveryIST(email string, factor gen.AuthenticationFactor) (string, *time.Time) {
	ist := randomToken()
	exp := s.now().Add(intermediateLifetime)
	s.st.ists[ist] = intermediate{email: email, factor: &factor, expires: exp}
	return ist, &exp
}

func (s *Server) magicLinksDiscoveryAuthenticate(c *call, p *gen.MagicLinksDiscoveryAuthenticateRequest) (any, *apiError) {
	var email string
	if sb, isSandbox := sandboxTokens[p.DiscoveryMagicLinksToken]; isSandbox {
		if sb.err != nil {
			return nil, sb.err()
		}
		s.sandboxMember()
		email = SandboxEmail
	} else {
		m, found, ok := s.st.consume(kindDiscoveryMagicLink, p.DiscoveryMagicLinksToken)
		if !ok {
			return nil, notFound(c.op.ID)
		}
		email = tokenEmail(m, found, p.DiscoveryMagicLinksToken)
	}
	factor := s.stamp(gen.AuthenticationFactor{Type: "magic_link", DeliveryMethod: "email",
		EmailFactor: &gen.EmailFactor{EmailID: testID("email", strings.ToLower(email)), EmailAddress: email}})
	ist, exp := s.discoveryIST(email, factor)
	return gen.MagicLinksDiscoveryAuthenticateResponse{
		RequestID:                         newRequestID(),
		IntermediateSessionToken:          ist,
		IntermediateSessionTokenExpiresAt: exp,
		EmailAddress:                      email,
		DiscoveredOrganizations:           s.discovered(email, factor),
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
	ms.m.OAuthRegistrations = append(slices.Clone(ms.m.OAuthRegistrations), r)
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
		Organization:    o.org,
		ProviderValues: &gen.ProviderValues{
			Scopes:       []string{"openid", "email", "profile"},
			AccessToken:  "ya29." + randomToken(),
			IDToken:      "eyJhbGciOiJSUzI1NiJ9." + randomToken(),
			RefreshToken: "1//" + randomToken(),
			ExpiresAt:    &exp,
		},
		MemberDevice: s.memberDevice(p.TelemetryID),
		StatusCode:   http.StatusOK,
	}
	r, err := s.finishPrimary(c, o, ms, factor, p.IntermediateSessionToken, p.SessionToken, p.SessionJWT, p.SessionDurationMinutes, p.SessionCustomClaims)
	if err != nil {
		return nil, err
	}
	resp.Member = ms.m
	resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired, resp.PrimaryRequired = r.ist, r.istExpiresAt, r.mfa, r.primary
	resp.MemberAuthenticated, resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.authenticated, r.token, r.jwt, r.session
	return resp, nil
}

// consumerDomains are email domains of public providers: OAuth discovery reports no tenant for
// them (a workspace domain is the tenant otherwise).
var consumerDomains = []string{"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "example.com"}

func (s *Server) oauthDiscoveryAuthenticate(c *call, p *gen.OAuthDiscoveryAuthenticateRequest) (any, *apiError) {
	m, found, ok := s.st.consume(kindDiscoveryOAuth, p.DiscoveryOAuthToken)
	if !ok {
		return nil, notFound(c.op.ID)
	}
	email := tokenEmail(m, found, p.DiscoveryOAuthToken)
	factor := s.stamp(gen.AuthenticationFactor{Type: "oauth", DeliveryMethod: "oauth_google",
		GoogleOAuthFactor: &gen.OAuthProviderFactor{ID: testID("oauth-registration", email), ProviderSubject: numericID(email, "google"), EmailID: testID("email", strings.ToLower(email))}})
	ist, exp := s.discoveryIST(email, factor)
	tenants := []string{}
	if _, domain, _ := strings.Cut(strings.ToLower(email), "@"); domain != "" && !slices.Contains(consumerDomains, domain) {
		tenants = append(tenants, domain)
	}
	tenant := ""
	if len(tenants) == 1 {
		tenant = tenants[0]
	}
	return gen.OAuthDiscoveryAuthenticateResponse{
		RequestID:                         newRequestID(),
		IntermediateSessionToken:          ist,
		IntermediateSessionTokenExpiresAt: exp,
		EmailAddress:                      email,
		DiscoveredOrganizations:           s.discovered(email, factor),
		ProviderType:                      "Google",
		ProviderTenantID:                  tenant,
		ProviderTenantIds:                 tenants,
		FullName:                          nameFromEmail(email),
		StatusCode:                        http.StatusOK,
	}, nil
}

// passwordsSessionsReset resets the password of the member whose session is presented. The
// session must be one of organization_id (else 403 session_authorization_tenancy_error: no source
// documents the API's error here, so the fake uses the tenancy error the API gives when a session
// is checked against another organization), and hold a factor authenticated in the last 5 minutes
// (else 400 session_too_old_to_reset_password). Like the API, it revokes the member's other
// sessions.
func (s *Server) passwordsSessionsReset(c *call, p *gen.PasswordsSessionsResetRequest) (any, *apiError) {
	live, adopt, err := s.presented(p.SessionToken, p.SessionJWT)
	if err != nil {
		return nil, err
	}
	if live == nil && adopt == "" && deref(p.SessionJWT) == "" {
		return nil, &apiError{status: http.StatusBadRequest, errorType: "invalid_request",
			message: "session_token or session_jwt is required: the password of the session's member is reset."}
	}
	o, aerr := s.st.org(p.OrganizationID)
	if aerr != nil {
		return nil, aerr
	}
	var ms *memberState
	factors := []gen.AuthenticationFactor{}
	switch {
	case live != nil:
		if live.orgID != o.org.OrganizationID {
			return nil, newAPIError(http.StatusForbidden, gen.ErrorTypeSessionAuthorizationTenancyError,
				"The session belongs to another organization than organization_id.")
		}
		if !recentFactor(live, s.now()) {
			return nil, &apiError{status: http.StatusBadRequest, errorType: "session_too_old_to_reset_password",
				message: "The session has no authentication factor from the last 5 minutes, so it cannot reset the password: authenticate again first."}
		}
		ms = o.members[live.memberID]
	default: // a session the fake never issued (default mode): its member exists on first sight
		ms = s.st.memberByEmail(o, "member-"+shortHash(8, adopt+deref(p.SessionJWT))+"@example.com", "", statusActive)
		factors = append(factors, s.passwordFactor())
	}
	now := s.now()
	ms.m.MemberPasswordID = testID("member-password", ms.m.OrganizationID, ms.m.MemberID, now.String())
	ms.m.UpdatedAt = &now
	resp := gen.PasswordsSessionsResetResponse{
		RequestID:    newRequestID(),
		MemberID:     ms.m.MemberID,
		Member:       ms.m,
		Organization: o.org,
		MemberDevice: s.memberDevice(p.TelemetryID),
		StatusCode:   http.StatusOK,
	}
	if c.mfa {
		resp.IntermediateSessionToken, resp.IntermediateSessionTokenExpiresAt, resp.MFARequired = s.mfaPending(o, ms, nil)
		return resp, nil
	}
	sess := s.startSession(c, o, ms, factors, live, adopt, p.SessionDurationMinutes, p.SessionCustomClaims)
	for cred, other := range s.st.sessions {
		if other != sess && other.memberID == ms.m.MemberID && other.orgID == o.org.OrganizationID && cred == other.token {
			s.st.revoke(other)
		}
	}
	resp.MemberAuthenticated = true
	resp.SessionToken, resp.SessionJWT = sess.token, sess.jwt
	resp.MemberSession = s.memberSession(o, ms, sess)
	return resp, nil
}

// resetWindow is how recent a session's newest factor must be for a password reset by session.
const resetWindow = 5 * time.Minute

// recentFactor reports whether sess holds a factor authenticated within resetWindow of now.
func recentFactor(sess *session, now time.Time) bool {
	return slices.ContainsFunc(sess.factors, func(f gen.AuthenticationFactor) bool {
		return f.LastAuthenticatedAt != nil && now.Sub(*f.LastAuthenticatedAt) <= resetWindow
	})
}

func (s *Server) recoveryCodesGet(_ *call, p *gen.RecoveryCodesGetRequest) (any, *apiError) {
	o, ms, err := s.orgMember(p.OrganizationID, p.MemberID)
	if err != nil {
		return nil, err
	}
	return gen.RecoveryCodesGetResponse{
		RequestID:     newRequestID(),
		MemberID:      ms.m.MemberID,
		Member:        ms.m,
		Organization:  o.org,
		RecoveryCodes: ms.recoveryCodes(),
		StatusCode:    http.StatusOK,
	}, nil
}

// orgMember returns the organization and member two request IDs name.
func (s *Server) orgMember(orgID, memberID string) (*orgState, *memberState, *apiError) {
	o, err := s.st.org(orgID)
	if err != nil {
		return nil, nil, err
	}
	ms, err := s.st.member(o, memberID)
	if err != nil {
		return nil, nil, err
	}
	return o, ms, nil
}

func (s *Server) recoveryCodesRecover(c *call, p *gen.RecoveryCodesRecoverRequest) (any, *apiError) {
	o, ms, err := s.orgMember(p.OrganizationID, p.MemberID)
	if err != nil {
		return nil, err
	}
	live, adopt, err := s.presented(p.SessionToken, p.SessionJWT)
	if err != nil {
		return nil, err
	}
	var factors []gen.AuthenticationFactor
	if p.IntermediateSessionToken != nil {
		ist, ok := s.st.ists[*p.IntermediateSessionToken]
		if !ok || !s.now().Before(ist.expires) {
			if s.st.strict || ok {
				return nil, newAPIError(http.StatusNotFound, gen.ErrorTypeIntermediateSessionNotFound, "")
			}
		} else if ist.memberID == ms.m.MemberID && ist.factor != nil {
			factors = append(factors, *ist.factor)
		}
	}
	if !ms.spend(p.RecoveryCode) {
		return nil, &apiError{status: http.StatusNotFound, errorType: "recovery_code_not_found", message: messageFor("recovery_code_not_found")}
	}
	if p.IntermediateSessionToken != nil {
		delete(s.st.ists, *p.IntermediateSessionToken)
	}
	factors = append(factors, s.recoveryFactor(ms))
	sess := s.startSession(c, o, ms, factors, live, adopt, p.SessionDurationMinutes, p.SessionCustomClaims)
	return gen.RecoveryCodesRecoverResponse{
		RequestID:              newRequestID(),
		MemberID:               ms.m.MemberID,
		Member:                 ms.m,
		Organization:           o.org,
		SessionToken:           sess.token,
		SessionJWT:             sess.jwt,
		RecoveryCodesRemaining: int32(len(ms.recoveryCodes())), //nolint:gosec // G115: at most recoveryCodeCount (10)
		MemberSession:          s.memberSession(o, ms, sess),
		MemberDevice:           s.memberDevice(p.TelemetryID),
		StatusCode:             http.StatusOK,
	}, nil
}

func (s *Server) recoveryCodesRotate(_ *call, p *gen.RecoveryCodesRotateRequest) (any, *apiError) {
	o, ms, err := s.orgMember(p.OrganizationID, p.MemberID)
	if err != nil {
		return nil, err
	}
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
