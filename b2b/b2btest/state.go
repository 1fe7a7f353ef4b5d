package b2btest

import (
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Organization policy values the fake reacts to.
const (
	mfaRequiredForAll = gen.OrganizationMFAPolicyRequiredForAll
	restricted        = "RESTRICTED"
)

// Member statuses.
const (
	statusPending = "pending"
	statusInvited = "invited"
	statusActive  = "active"
)

// recoveryCodeCount is how many recovery codes a member has.
const recoveryCodeCount = 10

// tokenKind names a kind of single-use token. Each kind has its own namespace and the error the
// API gives when a token of that kind is used twice.
type tokenKind string

const (
	kindMagicLink          tokenKind = "magic_link"
	kindDiscoveryMagicLink tokenKind = "discovery_magic_link"
	kindOAuth              tokenKind = "oauth"
	kindDiscoveryOAuth     tokenKind = "discovery_oauth"
	kindImpersonation      tokenKind = "impersonation"
)

// tokenRules says, for each operation that consumes a token, which kind it is and the error type
// of a token that was already used (or was never valid).
var tokenRules = map[string]struct {
	kind      tokenKind
	errorType string
}{
	MagicLinksAuthenticate.ID:          {kindMagicLink, "magic_link_not_found"},
	MagicLinksDiscoveryAuthenticate.ID: {kindDiscoveryMagicLink, "magic_link_not_found"},
	OAuthAuthenticate.ID:               {kindOAuth, "oauth_token_not_found"},
	OAuthDiscoveryAuthenticate.ID:      {kindDiscoveryOAuth, "oauth_token_not_found"},
	ImpersonationAuthenticate.ID:       {kindImpersonation, "impersonation_token_not_found"},
}

// How long a single-use token stays valid when the request that sends it does not say. These are
// the API's documented defaults: 60 minutes for login, signup and discovery magic links, a week
// for invites, 5 minutes for impersonation tokens. OAuth tokens have no documented lifetime; the
// fake lets them live until they are used.
const (
	magicLinkLifetime     = 60 * time.Minute
	inviteLifetime        = 7 * 24 * time.Hour
	impersonationLifetime = 5 * time.Minute
)

// tokenLifetime is how long a token of kind that Server.Token mints stays valid (0: until used).
func tokenLifetime(kind tokenKind) time.Duration {
	switch kind {
	case kindMagicLink, kindDiscoveryMagicLink:
		return magicLinkLifetime
	case kindImpersonation:
		return impersonationLifetime
	}
	return 0
}

// lifetime is minutes (a request's *_expiration_minutes) as a duration, or def when it is nil.
func lifetime(minutes *int32, def time.Duration) time.Duration {
	if minutes == nil {
		return def
	}
	return time.Duration(*minutes) * time.Minute
}

type tokenKey struct {
	kind  tokenKind
	token string
}

// minted is what a token minted by the fake (sent by email, or made with Server.Token) stands for.
type minted struct {
	orgID, memberID, email string
	expires                time.Time // zero: valid until used
}

// orgState is one organization. org is treated as an immutable value: a change replaces it (or
// the slices and maps in it) instead of writing into it, so that an answer built from it under
// the server's lock can be encoded after the lock is released.
type orgState struct {
	org     gen.Organization
	members map[string]*memberState
	order   []string // member IDs in creation order
}

// memberState is one member. m follows the same copy-on-write rule as orgState.org.
type memberState struct {
	m       gen.Member
	codeGen int             // generation of the current recovery codes
	spent   map[string]bool // codes of the current generation already used
}

// session is a member session the fake issued. factors and claims are replaced, never written
// into, once an answer may hold them.
type session struct {
	id, token       string
	jwt             string // the latest JWT (a placeholder until it is signed)
	jwtInput        string // the signing input of the latest JWT
	orgID, memberID string
	projectID       string
	factors         []gen.AuthenticationFactor
	claims          map[string]any
	started         time.Time
	lastAccessed    time.Time
	expires         time.Time
	revoked         bool
}

// impersonated reports whether the session came from an impersonation token. The API never
// extends such a session.
func (sess *session) impersonated() bool {
	return slices.ContainsFunc(sess.factors, func(f gen.AuthenticationFactor) bool { return f.Type == "impersonated" })
}

// intermediate is an intermediate session token the fake issued.
type intermediate struct {
	orgID, memberID string // empty for discovery
	email           string
	factor          *gen.AuthenticationFactor // the primary factor already proven
	expires         time.Time
}

// store is the fake's memory. Every method expects Server.mu to be held.
type store struct {
	now        func() time.Time
	strict     bool
	orgs       map[string]*orgState
	orgOrder   []string
	defaultOrg string
	tokens     map[tokenKey]minted
	used       map[tokenKey]bool
	sessions   map[string]*session // by session token and by every session JWT issued
	sessionIDs map[string]*session // by member_session_id
	ists       map[string]intermediate
	devices    map[string]time.Time // telemetry IDs, with when they were first seen
}

func newStore(now func() time.Time, strict bool) *store {
	return &store{
		now:        now,
		strict:     strict,
		orgs:       map[string]*orgState{},
		tokens:     map[tokenKey]minted{},
		used:       map[tokenKey]bool{},
		sessions:   map[string]*session{},
		sessionIDs: map[string]*session{},
		ists:       map[string]intermediate{},
		devices:    map[string]time.Time{},
	}
}

// defaultOrgID is the organization of members behind tokens the fake did not mint.
func (st *store) defaultOrgID() string {
	if st.defaultOrg == "" {
		st.defaultOrg = testID("organization", "b2btest-default")
	}
	return st.defaultOrg
}

func (st *store) addOrganization(org gen.Organization) error {
	if org.OrganizationID == "" {
		if org.OrganizationName == "" && org.OrganizationSlug == "" {
			return errors.New("organization needs an OrganizationID, a name or a slug")
		}
		org.OrganizationID = testID("organization", org.OrganizationName, org.OrganizationSlug)
	}
	o := st.ensureOrg(org.OrganizationID)
	o.org = mergeOrganization(o.org, org)
	if st.defaultOrg == "" {
		st.defaultOrg = org.OrganizationID
	}
	return nil
}

func (st *store) addMember(m gen.Member) error {
	if m.OrganizationID == "" || m.EmailAddress == "" {
		return errors.New("member needs an OrganizationID and an EmailAddress")
	}
	if m.Status == "deleted" {
		return errors.New(`member has status "deleted": the API finds no deleted member, so leave it out`)
	}
	o := st.ensureOrg(m.OrganizationID)
	status := m.Status
	if status == "" {
		status = statusActive
	}
	ms := st.memberByEmail(o, m.EmailAddress, m.MemberID, status)
	base := ms.m
	fillNils(reflect.ValueOf(&m).Elem())
	if len(m.Roles) == 0 {
		m.Roles = base.Roles
	}
	m.MemberID, m.Status = base.MemberID, status
	if m.Name == "" {
		m.Name = base.Name
	}
	if m.CreatedAt == nil {
		m.CreatedAt, m.UpdatedAt = base.CreatedAt, base.UpdatedAt
	}
	ms.m = m
	return nil
}

// ensureOrg returns the organization with the ID, creating it if there is none, in every mode.
func (st *store) ensureOrg(id string) *orgState {
	if o, ok := st.orgs[id]; ok {
		return o
	}
	o := &orgState{org: newOrganization(id, st.now()), members: map[string]*memberState{}}
	st.orgs[id] = o
	st.orgOrder = append(st.orgOrder, id)
	return o
}

// org returns the organization that id names: its organization_id, its slug or its external ID,
// as the API accepts. An unknown one is created in the default mode and is a 404 in Strict mode.
func (st *store) org(id string) (*orgState, *apiError) {
	if o, ok := st.orgs[id]; ok {
		return o, nil
	}
	for _, oid := range st.orgOrder {
		o := st.orgs[oid]
		if o.org.OrganizationSlug == id || (o.org.OrganizationExternalID != "" && o.org.OrganizationExternalID == id) {
			return o, nil
		}
	}
	if st.strict {
		return nil, newAPIError(http.StatusNotFound, gen.ErrorTypeOrganizationNotFound, "")
	}
	return st.ensureOrg(id), nil
}

// member returns the member that memberID names (its member_id, or its external ID). An unknown
// one is created in the default mode, with an email address derived from the ID, and is a 404 in
// Strict mode.
func (st *store) member(o *orgState, memberID string) (*memberState, *apiError) {
	if ms, ok := o.members[memberID]; ok {
		return ms, nil
	}
	for _, id := range o.order {
		if ms := o.members[id]; ms.m.ExternalID != "" && ms.m.ExternalID == memberID {
			return ms, nil
		}
	}
	if st.strict {
		return nil, newAPIError(http.StatusNotFound, gen.ErrorTypeMemberNotFound, "")
	}
	email := "member-" + shortHash(8, o.org.OrganizationID, memberID) + "@example.com"
	return st.newMember(o, memberID, email, statusActive), nil
}

// memberByEmail returns the member with the email address, creating it with status (and
// memberID, if not empty) when there is none.
func (st *store) memberByEmail(o *orgState, email, memberID string, status gen.MemberStatus) *memberState {
	if ms := st.findByEmail(o, email); ms != nil {
		return ms
	}
	if memberID == "" {
		memberID = testID("member", o.org.OrganizationID, strings.ToLower(email))
	}
	return st.newMember(o, memberID, email, status)
}

func (st *store) findByEmail(o *orgState, email string) *memberState {
	for _, id := range o.order {
		if ms := o.members[id]; strings.EqualFold(ms.m.EmailAddress, email) {
			return ms
		}
	}
	return nil
}

func (st *store) newMember(o *orgState, memberID, email string, status gen.MemberStatus) *memberState {
	now := st.now()
	ms := &memberState{m: gen.Member{
		OrganizationID: o.org.OrganizationID,
		MemberID:       memberID,
		EmailAddress:   email,
		Status:         status,
		Name:           nameFromEmail(email),
		Roles:          []gen.MemberRole{memberRole("stytch_member")},
		CreatedAt:      &now,
		UpdatedAt:      &now,
	}, spent: map[string]bool{}}
	fillNils(reflect.ValueOf(&ms.m).Elem())
	o.members[memberID] = ms
	o.order = append(o.order, memberID)
	return ms
}

func memberRole(id string) gen.MemberRole {
	return gen.MemberRole{RoleID: id, Sources: []gen.MemberRoleSource{{Type: "direct_assignment", Details: map[string]any{}}}}
}

func newOrganization(id string, now time.Time) gen.Organization {
	org := gen.Organization{
		OrganizationID:                     id,
		OrganizationName:                   "Test Organization " + shortHash(4, id),
		OrganizationSlug:                   slugOf(id),
		SSOJITProvisioning:                 "NOT_ALLOWED",
		EmailJITProvisioning:               "NOT_ALLOWED",
		EmailInvites:                       "ALL_ALLOWED",
		AuthMethods:                        "ALL_ALLOWED",
		MFAPolicy:                          "OPTIONAL",
		MFAMethods:                         "ALL_ALLOWED",
		OAuthTenantJITProvisioning:         "NOT_ALLOWED",
		FirstPartyConnectedAppsAllowedType: "ALL_ALLOWED",
		ThirdPartyConnectedAppsAllowedType: "ALL_ALLOWED",
		CreatedAt:                          &now,
		UpdatedAt:                          &now,
	}
	fillNils(reflect.ValueOf(&org).Elem())
	return org
}

// mergeOrganization returns base with every non-zero field of over copied onto it.
func mergeOrganization(base, over gen.Organization) gen.Organization {
	bv, ov := reflect.ValueOf(&base).Elem(), reflect.ValueOf(over)
	for i := range ov.NumField() {
		if f := ov.Field(i); !f.IsZero() {
			bv.Field(i).Set(f)
		}
	}
	fillNils(bv)
	return base
}

// fillNils replaces, recursively, every nil slice and map in a field that is always sent (its json
// tag has no omitempty or omitzero) with an empty one, so that the JSON has [] and {} where the
// spec asks for an array or an object, never null. It writes into v: use it on values no answer
// holds yet.
func fillNils(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillNils(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			fillNils(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f, sf := v.Field(i), t.Field(i)
			if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			always := !strings.Contains(tag, "omitempty") && !strings.Contains(tag, "omitzero")
			switch {
			case f.Kind() == reflect.Slice && f.IsNil() && always:
				f.Set(reflect.MakeSlice(f.Type(), 0, 0))
			case f.Kind() == reflect.Map && f.IsNil() && always:
				f.Set(reflect.MakeMap(f.Type()))
			default:
				fillNils(f)
			}
		}
	}
}

// recoveryCodes returns the member's current recovery codes that have not been spent.
func (ms *memberState) recoveryCodes() []string {
	codes := make([]string, 0, recoveryCodeCount)
	for i := range recoveryCodeCount {
		c := recoveryCode(ms.m.OrganizationID, ms.m.MemberID, ms.codeGen, i)
		if !ms.spent[c] {
			codes = append(codes, c)
		}
	}
	return codes
}

// spend uses up code and reports whether it was a current, unspent code.
func (ms *memberState) spend(code string) bool {
	if !slices.Contains(ms.recoveryCodes(), code) {
		return false
	}
	ms.spent[code] = true
	return true
}

// rotate replaces the member's recovery codes with a new generation.
func (ms *memberState) rotate() {
	ms.codeGen++
	ms.spent = map[string]bool{}
}

// consume marks a single-use token as used. It reports false when it was used before, when it
// expired, or, in Strict mode, when the fake never issued it; otherwise it returns what a token
// minted by the fake stands for (found says whether the fake minted it). The API answers an
// expired token like a used one.
func (st *store) consume(kind tokenKind, token string) (m minted, found, ok bool) {
	k := tokenKey{kind, token}
	if st.used[k] {
		return minted{}, false, false
	}
	m, found = st.tokens[k]
	if !found && st.strict {
		return minted{}, false, false
	}
	st.used[k] = true
	if found && !m.expires.IsZero() && !st.now().Before(m.expires) {
		return minted{}, false, false
	}
	return m, found, true
}

// mint issues a single-use token of kind standing for m, valid for ttl (0: until it is used).
func (st *store) mint(kind tokenKind, m minted, ttl time.Duration) string {
	tok := randomToken()
	if ttl > 0 {
		m.expires = st.now().Add(ttl)
	}
	st.tokens[tokenKey{kind, tok}] = m
	return tok
}

// liveSession returns the session a session token or JWT names, if the fake issued it and it is
// neither revoked nor expired. issued says whether the fake ever issued the credential, so that a
// revoked or expired session can be told from one it has never seen.
func (st *store) liveSession(cred string) (sess *session, issued bool) {
	s, ok := st.sessions[cred]
	if !ok {
		return nil, false
	}
	if s.revoked || !st.now().Before(s.expires) {
		return nil, true
	}
	return s, true
}

// revoke ends a session: its token and JWTs stop working at once.
func (st *store) revoke(s *session) {
	s.revoked = true
}

// requiresMFA reports whether logging the member in to the organization needs a second factor.
func requiresMFA(o *orgState, ms *memberState) bool {
	return o.org.MFAPolicy == mfaRequiredForAll || ms.m.MFAEnrolled
}
