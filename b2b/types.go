package b2b

import "github.com/b2bauth/stytch-b2b-go/gen"

// The params, answers and models of the operations are re-exported from package gen in
// models.gen.go, which cmd/gen writes from the spec. Required fields are values; optional ones are
// pointers (use Ptr) or nil-able maps and slices, and are not sent when nil. Params and answers
// redact their secrets when printed with fmt or logged with log/slog.

// ValidationError reports a params field (or a per-call option) that breaks a rule of the spec:
// required, range, string length or pattern, enum, path segment, UTF-8 text, how many of a group
// are set (exactly, at most or at least one), a header value. Nothing is sent when a call returns
// one, so errors.Is(err, ErrNotSent) holds. Several violations are joined with errors.Join;
// errors.As finds the first.
type ValidationError = gen.ValidationError

// RetryClass says which failures of an operation's calls are retried; it comes from the spec's
// x-stytch-retry extension (RetrySafe, RetryUnsent). See [gen.RetryClass.Repeatable].
type RetryClass = gen.RetryClass

// Operation describes one API operation as the spec declares it: ID, method, path, retry class,
// path and header parameters, secret fields. Every params type has an Operation method returning
// its operation, and [Operations] lists them all.
type Operation = gen.Operation

// HeaderParam is a header parameter an operation accepts (see WithMemberSession).
type HeaderParam = gen.HeaderParam

// Operations returns every operation of the spec, sorted by name. The slice is a copy.
func Operations() []Operation { return append([]Operation(nil), gen.Operations...) }

// Ptr returns a pointer to a copy of v, for optional params fields: Ptr(int32(60)),
// Ptr("https://..."), Ptr(MagicLinksAuthenticateLocaleEs).
func Ptr[T any](v T) *T { return &v }
