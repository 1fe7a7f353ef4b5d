package b2btest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

func init() {
	behaviors[DiscoveryIntermediateSessionsExchange.ID] = stateful((*Server).discoveryIntermediateSessionsExchange)
	behaviors[DiscoveryOrganizationsCreate.ID] = stateful((*Server).discoveryOrganizationsCreate)
	behaviors[DiscoveryOrganizationsList.ID] = stateful((*Server).discoveryOrganizationsList)
	behaviors[SessionsAuthenticate.ID] = stateful((*Server).sessionsAuthenticate)
	behaviors[SessionsRevoke.ID] = stateful((*Server).sessionsRevoke)
	behaviors[SessionsGetJWKS.ID] = stateful((*Server).sessionsGetJWKS)
}

// liveIST returns the intermediate session token the fake issued, if it is not used up or
// expired: 404 intermediate_session_not_found otherwise, in every mode (an intermediate session is
// only ever issued by an earlier call).
func (s *Server) liveIST(token string) (intermediate, *apiError) {
	ist, ok := s.st.ists[token]
	if !ok || !s.now().Before(ist.expires) {
		return intermediate{}, newAPIError(http.StatusNotFound, gen.ErrorTypeIntermediateSessionNotFound, "")
	}
	return ist, nil
}

// emailMayJoin returns the member for email in o: the member with that address (pending or
// invited members join by accepting), or a new active member when the organization lets the
// address's domain join by email (see mayJoinByDomain).
// Any other address is 404 member_not_found (no source documents the API's error; this is the
// fake's choice).
func (s *Server) emailMayJoin(o *orgState, email string) (*memberState, *apiError) {
	if ms := s.st.findByEmail(o, email); ms != nil {
		return ms, nil
	}
	_, domain, _ := strings.Cut(email, "@")
	if _, ok := mayJoinByDomain(o, domain); ok {
		return s.st.memberByEmail(o, email, "", statusActive), nil
	}
	return nil, newAPIError(http.StatusNotFound, gen.ErrorTypeMemberNotFound,
		"The email address of the intermediate session has no member in this organization and may not join it.")
}

// intermediateOutcome ends a discovery exchange or creation: while the organization's primary or
// MFA requirements are unmet the same intermediate session token comes back (it is not used up);
// otherwise it is used up and a session starts.
type intermediateOutcome struct {
	istToken      string
	istExpires    *time.Time
	mfa           *gen.MFARequired
	primary       *gen.PrimaryRequired
	authenticated bool
	sess          *session
}

func (s *Server) finishIntermediate(c *call, token string, ist intermediate, o *orgState, ms *memberState, minutes *int32, claims map[string]any) intermediateOutcome {
	factor := gen.AuthenticationFactor{}
	if ist.factor != nil {
		factor = *ist.factor
	}
	keep := func() intermediateOutcome {
		bound := ist
		bound.orgID, bound.memberID = o.org.OrganizationID, ms.m.MemberID
		s.st.ists[token] = bound
		exp := bound.expires
		return intermediateOutcome{istToken: token, istExpires: &exp}
	}
	if allowed, ok := primaryRequired(o, factor); ok {
		r := keep()
		r.primary = &gen.PrimaryRequired{AllowedAuthMethods: allowed}
		return r
	}
	if c.mfa || requiresMFA(o, ms) {
		r := keep()
		r.mfa = mfaRequired(ms)
		return r
	}
	delete(s.st.ists, token)
	s.activate(ms)
	var factors []gen.AuthenticationFactor
	if ist.factor != nil {
		factors = append(factors, s.stamp(factor))
	}
	sess := s.startSession(c, o, ms, factors, nil, "", minutes, claims)
	return intermediateOutcome{authenticated: true, sess: sess}
}

func (s *Server) discoveryIntermediateSessionsExchange(c *call, p *gen.DiscoveryIntermediateSessionsExchangeRequest) (any, *apiError) {
	ist, err := s.liveIST(p.IntermediateSessionToken)
	if err != nil {
		return nil, err
	}
	o, err := s.st.org(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	var ms *memberState
	if ist.memberID != "" && ist.orgID == o.org.OrganizationID {
		ms = o.members[ist.memberID]
	}
	if ms == nil {
		if ms, err = s.emailMayJoin(o, ist.email); err != nil {
			return nil, err
		}
	}
	r := s.finishIntermediate(c, p.IntermediateSessionToken, ist, o, ms, p.SessionDurationMinutes, p.SessionCustomClaims)
	resp := gen.DiscoveryIntermediateSessionsExchangeResponse{
		RequestID:                         newRequestID(),
		MemberID:                          ms.m.MemberID,
		Member:                            ms.m,
		Organization:                      o.org,
		MemberAuthenticated:               r.authenticated,
		IntermediateSessionToken:          r.istToken,
		IntermediateSessionTokenExpiresAt: r.istExpires,
		MFARequired:                       r.mfa,
		PrimaryRequired:                   r.primary,
		MemberDevice:                      s.memberDevice(p.TelemetryID),
		StatusCode:                        http.StatusOK,
	}
	if r.sess != nil {
		resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.sess.token, r.sess.jwt, s.memberSession(o, ms, r.sess)
	}
	return resp, nil
}

func (s *Server) discoveryOrganizationsCreate(c *call, p *gen.DiscoveryOrganizationsCreateRequest) (any, *apiError) {
	ist, err := s.liveIST(p.IntermediateSessionToken)
	if err != nil {
		return nil, err
	}
	local, domain, _ := strings.Cut(ist.email, "@")
	base := domain
	if slices.Contains(consumerDomains, strings.ToLower(domain)) || strings.HasSuffix(strings.ToLower(domain), ".edu") {
		base = local
	}
	base, _, _ = strings.Cut(base, ".")
	org := gen.Organization{
		OrganizationName:                 nameFromEmail(base + "@"),
		OrganizationSlug:                 slugOf(base),
		OrganizationLogoURL:              deref(p.OrganizationLogoURL),
		OrganizationExternalID:           deref(p.OrganizationExternalID),
		TrustedMetadata:                  p.TrustedMetadata,
		EmailAllowedDomains:              p.EmailAllowedDomains,
		AllowedAuthMethods:               p.AllowedAuthMethods,
		AllowedMFAMethods:                p.AllowedMFAMethods,
		AllowedOAuthTenants:              p.AllowedOAuthTenants,
		AllowedFirstPartyConnectedApps:   p.AllowedFirstPartyConnectedApps,
		AllowedThirdPartyConnectedApps:   p.AllowedThirdPartyConnectedApps,
		RBACEmailImplicitRoleAssignments: p.RBACEmailImplicitRoleAssignments,
	}
	if p.OrganizationName != nil {
		org.OrganizationName = *p.OrganizationName
	}
	if p.OrganizationSlug != nil {
		org.OrganizationSlug = *p.OrganizationSlug
	}
	setIf(&org.AuthMethods, p.AuthMethods)
	setIf(&org.EmailInvites, p.EmailInvites)
	setIf(&org.EmailJITProvisioning, p.EmailJITProvisioning)
	setIf(&org.MFAMethods, p.MFAMethods)
	setIf(&org.MFAPolicy, p.MFAPolicy)
	setIf(&org.OAuthTenantJITProvisioning, p.OAuthTenantJITProvisioning)
	setIf(&org.SSOJITProvisioning, p.SSOJITProvisioning)
	if p.FirstPartyConnectedAppsAllowedType != nil {
		org.FirstPartyConnectedAppsAllowedType = gen.OrganizationFirstPartyConnectedAppsAllowedType(*p.FirstPartyConnectedAppsAllowedType)
	}
	if p.ThirdPartyConnectedAppsAllowedType != nil {
		org.ThirdPartyConnectedAppsAllowedType = gen.OrganizationThirdPartyConnectedAppsAllowedType(*p.ThirdPartyConnectedAppsAllowedType)
	}
	for _, id := range s.st.orgOrder {
		have := s.st.orgs[id].org
		if strings.EqualFold(have.OrganizationSlug, org.OrganizationSlug) {
			return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest,
				"organization_slug "+org.OrganizationSlug+" is already used by another organization of the project.")
		}
		if org.OrganizationExternalID != "" && have.OrganizationExternalID == org.OrganizationExternalID {
			return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest,
				"organization_external_id is already used by another organization of the project.")
		}
	}
	org.OrganizationID = testID("organization", org.OrganizationSlug, randomToken())
	if err := s.st.addOrganization(org); err != nil {
		return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest, err.Error())
	}
	o := s.st.orgs[org.OrganizationID]
	ms := s.st.memberByEmail(o, ist.email, "", statusActive)
	ms.m.Roles = []gen.MemberRole{memberRole("stytch_member"), memberRole("stytch_admin")}
	ms.m.IsAdmin = true
	s.activate(ms)
	r := s.finishIntermediate(c, p.IntermediateSessionToken, ist, o, ms, p.SessionDurationMinutes, p.SessionCustomClaims)
	resp := gen.DiscoveryOrganizationsCreateResponse{
		RequestID:                         newRequestID(),
		MemberID:                          ms.m.MemberID,
		Member:                            ms.m,
		Organization:                      o.org,
		MemberAuthenticated:               r.authenticated,
		IntermediateSessionToken:          r.istToken,
		IntermediateSessionTokenExpiresAt: r.istExpires,
		MFARequired:                       r.mfa,
		PrimaryRequired:                   r.primary,
		MemberDevice:                      s.memberDevice(p.TelemetryID),
		StatusCode:                        http.StatusOK,
	}
	if r.sess != nil {
		resp.SessionToken, resp.SessionJWT, resp.MemberSession = r.sess.token, r.sess.jwt, s.memberSession(o, ms, r.sess)
	}
	return resp, nil
}

func setIf[T ~string](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// discoveryOrganizationsList answers from the same discovery state as the discovery
// authenticate calls. With an intermediate session token it lists memberships and the
// organizations the address may join; with a session, memberships only. Nothing is used up.
func (s *Server) discoveryOrganizationsList(_ *call, p *gen.DiscoveryOrganizationsListRequest) (any, *apiError) {
	n := 0
	for _, v := range []*string{p.IntermediateSessionToken, p.SessionToken, p.SessionJWT} {
		if deref(v) != "" {
			n++
		}
	}
	if n != 1 {
		return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest,
			"Send exactly one of intermediate_session_token, session_token and session_jwt.")
	}
	resp := gen.DiscoveryOrganizationsListResponse{RequestID: newRequestID(), StatusCode: http.StatusOK}
	if p.IntermediateSessionToken != nil {
		ist, err := s.liveIST(*p.IntermediateSessionToken)
		if err != nil {
			return nil, err
		}
		factor := gen.AuthenticationFactor{}
		if ist.factor != nil {
			factor = *ist.factor
		}
		resp.EmailAddress = ist.email
		resp.DiscoveredOrganizations = s.discovered(ist.email, factor)
		resp.OrganizationIDHint = ist.orgID
		return resp, nil
	}
	sess, _ := s.st.liveSession(deref(p.SessionToken) + deref(p.SessionJWT))
	if sess == nil {
		return nil, errSessionNotFound()
	}
	o := s.st.orgs[sess.orgID]
	ms := o.members[sess.memberID]
	resp.EmailAddress = ms.m.EmailAddress
	resp.DiscoveredOrganizations = []gen.DiscoveredOrganization{}
	for _, d := range s.discovered(ms.m.EmailAddress, gen.AuthenticationFactor{}) {
		if d.Membership == nil || d.Membership.Member == nil {
			continue // not a membership: only an intermediate session may join
		}
		resp.DiscoveredOrganizations = append(resp.DiscoveredOrganizations, d)
	}
	return resp, nil
}

// sessionsAuthenticate checks a session the fake issued: it must be neither revoked nor expired
// (404 session_not_found otherwise, in every mode). session_duration_minutes extends it (without
// it the session is not extended), session_custom_claims are merged in, and a new JWT is issued.
// With authorization_check the session's organization must be the one named (else 403
// session_authorization_tenancy_error) and one of the member's roles must grant the action on the
// resource (else 403 session_authorization_error): stytch_admin grants everything, a custom role
// of the organization grants what its permissions list ("*" for every action).
func (s *Server) sessionsAuthenticate(c *call, p *gen.SessionsAuthenticateRequest) (any, *apiError) {
	tok, jwt := deref(p.SessionToken), deref(p.SessionJWT)
	if (tok == "") == (jwt == "") {
		return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest, "Send exactly one of session_token and session_jwt.")
	}
	sess, _ := s.st.liveSession(tok + jwt)
	if sess == nil {
		return nil, errSessionNotFound()
	}
	o := s.st.orgs[sess.orgID]
	ms := o.members[sess.memberID]
	var verdict *gen.AuthorizationVerdict
	if chk := p.AuthorizationCheck; chk != nil {
		if target, err := s.st.org(chk.OrganizationID); err != nil || target.org.OrganizationID != o.org.OrganizationID {
			return nil, newAPIError(http.StatusForbidden, gen.ErrorTypeSessionAuthorizationTenancyError,
				"The session's organization is not the organization_id of authorization_check.")
		}
		granting := grantingRoles(o, ms, chk.ResourceID, chk.Action)
		if len(granting) == 0 {
			return nil, newAPIError(http.StatusForbidden, gen.ErrorTypeSessionAuthorizationError,
				"No role of the member grants "+chk.Action+" on "+chk.ResourceID+".")
		}
		verdict = &gen.AuthorizationVerdict{Authorized: true, GrantingRoles: granting}
	}
	if p.SessionDurationMinutes != nil && !sess.impersonated() {
		sess.expires = s.now().Add(time.Duration(*p.SessionDurationMinutes) * time.Minute)
	}
	sess.claims = mergeClaims(sess.claims, p.SessionCustomClaims)
	s.reissueJWT(c, o, ms, sess)
	return gen.SessionsAuthenticateResponse{
		RequestID:     newRequestID(),
		Member:        ms.m,
		MemberSession: *s.memberSession(o, ms, sess),
		Organization:  o.org,
		SessionToken:  sess.token,
		SessionJWT:    sess.jwt,
		Verdict:       verdict,
		StatusCode:    http.StatusOK,
	}, nil
}

// grantingRoles returns the member's roles that grant action on resource.
func grantingRoles(o *orgState, ms *memberState, resource, action string) []string {
	var out []string
	for _, r := range ms.m.Roles {
		if r.RoleID == "stytch_admin" {
			out = append(out, r.RoleID)
			continue
		}
		for _, cr := range o.org.CustomRoles {
			if cr.RoleID != r.RoleID {
				continue
			}
			for _, perm := range cr.Permissions {
				if perm.ResourceID == resource && (slices.Contains(perm.Actions, action) || slices.Contains(perm.Actions, "*")) {
					out = append(out, r.RoleID)
				}
			}
		}
	}
	return slices.Compact(out)
}

// sessionsRevoke revokes one session (by member_session_id, session_token or session_jwt) or every
// session of a member (member_id: its ID or external ID). Revoked sessions stop working at once.
// An identifier of no live session is 404 session_not_found; a member without sessions is not an
// error, an unknown member_id is 404 member_not_found in Strict mode.
func (s *Server) sessionsRevoke(_ *call, p *gen.SessionsRevokeRequest) (any, *apiError) {
	n := 0
	for _, v := range []*string{p.MemberSessionID, p.SessionToken, p.SessionJWT, p.MemberID} {
		if deref(v) != "" {
			n++
		}
	}
	if n != 1 {
		return nil, newAPIError(http.StatusBadRequest, gen.ErrorTypeInvalidRequest,
			"Send exactly one of member_session_id, session_token, session_jwt and member_id.")
	}
	switch {
	case p.MemberID != nil:
		// member_id may be a member's ID or external ID, in any organization.
		ids := map[string]bool{}
		for _, o := range s.st.orgs {
			for id, ms := range o.members {
				if id == *p.MemberID || (ms.m.ExternalID != "" && ms.m.ExternalID == *p.MemberID) {
					ids[id] = true
				}
			}
		}
		if len(ids) == 0 && s.st.strict {
			return nil, newAPIError(http.StatusNotFound, gen.ErrorTypeMemberNotFound, "")
		}
		for cred, sess := range s.st.sessions {
			if ids[sess.memberID] && cred == sess.token {
				s.st.revoke(sess)
			}
		}
	case p.MemberSessionID != nil:
		sess, ok := s.st.sessionIDs[*p.MemberSessionID]
		if !ok || sess.revoked || !s.now().Before(sess.expires) {
			return nil, errSessionNotFound()
		}
		s.st.revoke(sess)
	default:
		sess, _ := s.st.liveSession(deref(p.SessionToken) + deref(p.SessionJWT))
		if sess == nil {
			return nil, errSessionNotFound()
		}
		s.st.revoke(sess)
	}
	return gen.SessionsRevokeResponse{RequestID: newRequestID(), StatusCode: http.StatusOK}, nil
}

// sessionsGetJWKS serves the key set that verifies the fake's session JWTs, for any project ID.
func (s *Server) sessionsGetJWKS(_ *call, _ *gen.SessionsGetJWKSRequest) (any, *apiError) {
	return gen.SessionsGetJWKSResponse{RequestID: newRequestID(), Keys: []gen.JWK{s.keys.genJWK()}, StatusCode: http.StatusOK}, nil
}
