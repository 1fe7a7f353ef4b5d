// Package spec embeds the OpenAPI description of the Stytch B2B operations this SDK covers.
//
// stytch-b2b.yaml is the single source of truth: cmd/gen generates package gen from it, and
// b2btest and the drift checker validate traffic against it. Project extensions carry what
// OpenAPI has no keyword for: x-stytch-retry on operations (safe or unsent), x-stytch-secret on
// properties and parameters that hold credentials, and x-stytch-known-values on response strings
// whose known values are listed without closing the set (the drift checker reports others).
package spec

import _ "embed"

// YAML is the content of stytch-b2b.yaml.
//
//go:embed stytch-b2b.yaml
var YAML []byte
