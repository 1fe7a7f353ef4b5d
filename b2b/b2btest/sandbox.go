package b2btest

import (
	"net/http"
	"strings"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Stytch's documented B2B sandbox values. In a Test project they give fixed answers without
// sending anything; the fake gives the same statuses and error types, so tests (and drift probes)
// written against the sandbox run against the fake unchanged.
//
//	login or signup, invite     SandboxEmail in SandboxOrganizationID    200, no email sent
//	discovery send              SandboxEmail                             200, no email sent
//	magic link authenticate,    SandboxTokenSuccess                      200 (reusable: not single-use)
//	discovery authenticate      SandboxTokenUnauthorized                 401 unable_to_auth_magic_link
//	                            SandboxTokenNotFound                     404 magic_link_not_found
//
// A 200 answer is about the sandbox member (SandboxEmail) of the sandbox organization, which the
// fake creates the first time a sandbox value is used, in Strict mode too.
//
//nolint:gosec // G101: Stytch's published sandbox test values, which only its test environment accepts
const (
	SandboxEmail             = "sandbox@stytch.com"
	SandboxOrganizationID    = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
	SandboxTokenSuccess      = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
	SandboxTokenUnauthorized = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU="
	SandboxTokenNotFound     = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM="
)

// sandboxTokens are the documented magic link tokens (also discovery magic link tokens) and their
// answers: err is nil for the success token.
var sandboxTokens = map[string]struct{ err func() *apiError }{
	SandboxTokenSuccess: {},
	SandboxTokenUnauthorized: {func() *apiError {
		return newAPIError(http.StatusUnauthorized, gen.ErrorTypeUnableToAuthMagicLink, "")
	}},
	SandboxTokenNotFound: {func() *apiError {
		return newAPIError(http.StatusNotFound, gen.ErrorTypeMagicLinkNotFound, "")
	}},
}

// isSandboxOrg reports whether a request names the sandbox organization and email address.
func isSandboxOrg(orgID, email string) bool {
	return orgID == SandboxOrganizationID && strings.EqualFold(email, SandboxEmail)
}

// sandboxMember returns the sandbox organization and its active sandbox member, creating them.
func (s *Server) sandboxMember() (*orgState, *memberState) {
	o := s.st.ensureOrg(SandboxOrganizationID)
	if o.org.OrganizationName == "Test Organization "+shortHash(4, SandboxOrganizationID) {
		org := o.org
		org.OrganizationName, org.OrganizationSlug = "Sandbox Organization", "sandbox-organization"
		o.org = org
	}
	return o, s.st.memberByEmail(o, SandboxEmail, "", statusActive)
}
