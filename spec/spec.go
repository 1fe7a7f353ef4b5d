// Package spec embeds the OpenAPI description of the Stytch B2B operations this SDK covers.
//
// stytch-b2b.yaml is the single source of truth: cmd/gen generates package gen (and the generated
// files of packages b2b and b2btest, and stytch-b2b.gen.json, the same document as JSON) from it,
// and b2btest and the drift checker validate traffic against it. Project extensions carry what
// OpenAPI has no keyword for; their names are the constants below, the one place the repository
// spells them.
package spec

import (
	"embed"
	"errors"
)

// files holds stytch-b2b.yaml and, when it exists, stytch-b2b.gen.json. One pattern matches both,
// so that the package (and cmd/gen, which imports it for the extension names) still builds in a
// checkout where the generated JSON was deleted, and make generate can write it again.
//
//go:embed stytch-b2b.*
var files embed.FS

// YAML is the content of stytch-b2b.yaml.
var YAML = mustRead("stytch-b2b.yaml")

// JSON is the same description as JSON, written by cmd/gen from stytch-b2b.yaml with the
// conversion kin-openapi applies to YAML when it loads it (make generate; make drift checks it is
// current). The packages that load the spec at run time load this (see JSONDocument): kin-openapi
// decodes it directly, skipping the YAML parse and conversion, a third of a first load's time. It
// is nil when stytch-b2b.gen.json is missing.
var JSON, _ = files.ReadFile("stytch-b2b.gen.json")

// ErrNoJSON says stytch-b2b.gen.json was missing when the package was built.
var ErrNoJSON = errors.New("spec: spec/stytch-b2b.gen.json is missing: run make generate (go run ./cmd/gen) to write it")

// JSONDocument returns JSON, or ErrNoJSON when the file was missing.
func JSONDocument() ([]byte, error) {
	if len(JSON) == 0 {
		return nil, ErrNoJSON
	}
	return JSON, nil
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("spec: " + err.Error())
	}
	return b
}

// The project's OpenAPI extensions.
const (
	// ExtRetry, on every operation, is its retry class: "safe" (it only reads, or repeating it
	// leaves the same state) or "unsent" (it consumes a single-use credential, sends email or
	// creates something, so it may be sent again only when it provably never left the machine).
	ExtRetry = "x-stytch-retry"
	// ExtSecret, set to true on a property or header parameter, marks a credential: it is
	// redacted when printed or logged and scrubbed from error messages.
	ExtSecret = "x-stytch-secret" //nolint:gosec // G101: the name of a spec extension that marks secrets, not one
	// ExtKnownValues, on a response string property (or the items of an array of strings), lists
	// the values the API is known to send without closing the set: decoding accepts any value, the
	// generator emits a named type with one constant per value, and the drift checker reports
	// others.
	ExtKnownValues = "x-stytch-known-values"
	// ExtTypeName, next to ExtKnownValues, names the generated type when the default name
	// (schema name followed by the property's Go name) does not read well.
	ExtTypeName = "x-stytch-type-name"
	// ExtExactlyOne, on a request object schema, lists optional string properties of which
	// exactly one must be set; the generated validation refuses none or several before anything
	// is sent. It is one of the Groups.
	ExtExactlyOne = "x-stytch-exactly-one"
	// ExtAtMostOne, on a request object schema, lists optional string properties that exclude
	// each other: leaving all of them unset is fine, setting two or more is refused before
	// anything is sent. It is one of the Groups.
	ExtAtMostOne = "x-stytch-at-most-one"
	// ExtAtLeastOne, on a request object schema, lists optional string properties of which one or
	// more must be set: setting several is fine, setting none is refused before anything is sent.
	// It is one of the Groups.
	ExtAtLeastOne = "x-stytch-at-least-one"
)

// Group describes one extension of the group family. Each member of the family has the same
// shape, a list of two or more optional string properties of the request object schema carrying
// it, and bounds how many of those properties a request may set. The generator, its checks of the
// spec and the shared test fixtures all read this table, so a new bound is one row here.
type Group struct {
	// Ext is the extension's name.
	Ext string
	// NoneOK reports whether a request may leave every property of the group unset.
	NoneOK bool
	// SeveralOK reports whether a request may set more than one property of the group.
	SeveralOK bool
}

// Groups returns the extensions of the group family, with the bounds each one sets. The slice is
// new on every call.
func Groups() []Group {
	return []Group{
		{Ext: ExtExactlyOne},
		{Ext: ExtAtMostOne, NoneOK: true},
		{Ext: ExtAtLeastOne, SeveralOK: true},
	}
}
