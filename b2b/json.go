package b2b

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Success bodies are decoded with github.com/go-json-experiment/json, the implementation of the
// encoding/json/v2 design (Go 1.26 ships it as encoding/json/v2 only behind GOEXPERIMENT=jsonv2).
// It decodes the large responses (member + organization + session, ~11 KB) about twice as fast as
// encoding/json with a third fewer allocations; BENCHMARKS.md has the numbers.
//
// Where encoding/json's behaviour matters to callers it is kept, and b2b/json_test.go checks each
// point against encoding/json:
//   - unknown object members are ignored (a new API field never breaks a call);
//   - JSON null decodes to the zero value, and to a nil entry in a map[string]any
//     (trusted_metadata, custom_claims, ...), so a claim that is null stays visible as such;
//   - invalid UTF-8 inside a string is replaced by U+FFFD instead of failing the call.
//
// Two differences are deliberate:
//   - member names match exactly: the API sends snake_case names, and encoding/json's
//     case-insensitive fallback only ever matters for a malformed body ("MEMBER_ID" is ignored
//     like any unknown member instead of filling MemberID);
//   - an object with the same member name twice is rejected (encoding/json keeps the last one).
//     Such a body is not one the API sends, and two parsers that disagree on which value wins is
//     how smuggling bugs start; it also keeps v2's fast path for map[string]any values.
var decodeOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
)

// decodeJSON decodes a success body into v. Unknown fields and unknown enum values are accepted,
// so a new API field never breaks a call. Truncated input, trailing data, a value of the wrong
// JSON type for its field (a string where a bool is documented, a number out of range) and
// duplicate member names are errors.
func decodeJSON(data []byte, v any) error {
	return json.Unmarshal(data, v, decodeOptions)
}
