// Package b2b is a client for the Stytch B2B API: magic links and OAuth (for one organization or
// for discovery), discovery sessions and organizations, member sessions and their JWTs,
// impersonation, the session-based password reset and MFA recovery codes. [Operations] lists
// every operation this version covers, as the spec behind it declares them.
//
// Create one [Client] per project with [NewClient] and share it; it is safe for concurrent use:
//
//	client, err := b2b.NewClient(projectID, secret) // project-live-... talks to api.stytch.com
//	resp, err := client.MagicLinks.Authenticate(ctx, &b2b.MagicLinksAuthenticateParams{
//		MagicLinksToken:        token,
//		SessionDurationMinutes: b2b.Ptr(int32(60)),
//	})
//
// # Calls
//
// Every method takes a context, a pointer to its params and any number of [CallOption]s, and
// returns either a response or an error, never both. Params are checked against the spec's rules
// before anything is sent: a [*ValidationError] names the field. The params and response types are
// the models generated from the spec in package [github.com/b2bauth/stytch-b2b-go/gen],
// re-exported here under the names the methods use; each one's doc links the generated type,
// where its fields are documented. Optional fields are pointers (set them with [Ptr]) or nil-able
// maps and slices, and a nil field is not sent. Values with a known set (a member's status, an
// organization's MFA policy, ...) have named types with constants, such as [MemberStatusActive];
// the set stays open, so a value Stytch adds later still decodes.
//
// Per call: [WithCallTimeout], [WithCallMaxRetries], [WithResponseInfo] (status, headers, request
// ID, attempts, duration) and, on the operations whose spec declares the headers,
// [WithMemberSession] and [WithMemberSessionJWT]. Per client: [WithBaseURL], [WithHTTPClient],
// [WithTransportWrapper] (middleware such as the drift detector), [WithTimeout], [WithMaxRetries],
// [WithMaxRetryWait], [WithLogger], [WithUserAgent], [WithMaxResponseBytes] and [WithJWTLeeway]. [Client.Raw] returns the raw *http.Response of any call.
//
// # Errors and retries
//
// A non-2xx answer is an [*Error] with the HTTP status and Stytch's error type, message and
// request ID; a success answer that cannot be used is a [*DecodeError]; a call that got no answer
// is a [*TransportError]. errors.Is(err, [ErrNotSent]) says nothing left the machine;
// errors.Is(err, [ErrOutcomeUnknown]) says Stytch may have processed a call whose answer is lost.
// Each operation's retry class ([RetrySafe], [RetryUnsent]) decides what is retried: calls that
// only read, or leave the same state when repeated, are retried after network errors, 429 and 5xx
// answers; calls that consume a token, send an email or create something only when the request
// provably never reached Stytch, or on 429.
//
// Secrets in params and responses (tokens, JWTs, passwords, recovery codes) are redacted when
// printed with fmt or logged with log/slog, and are scrubbed from every error message and log
// line, even when a server echoes them back.
//
// # Testing and drift
//
// Package [github.com/b2bauth/stytch-b2b-go/b2b/b2btest] is a fake Stytch server for your tests,
// validating every request against the same spec; its Server.Client returns a client for it.
// Package [github.com/b2bauth/stytch-b2b-go/b2b/drift] reports where live answers differ from the
// spec, for an integration test or a scheduled CI job.
package b2b
