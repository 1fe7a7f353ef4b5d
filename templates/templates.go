// Package templates holds the code generation templates used by cmd/gen.
//
// Overrides are oapi-codegen template replacements, keyed by the upstream file name
// (imports.tmpl, client.tmpl, client-with-responses.tmpl). Each file starts with a comment that says
// what it changes and why. SDK holds this project's own template (sdk/sdk.tmpl), which renders the
// operation table, request validation and secret redaction that cmd/gen derives from the spec.
package templates

import "embed"

// Overrides are the oapi-codegen template overrides.
//
//go:embed *.tmpl
var Overrides embed.FS

// SDK holds the project's own templates.
//
//go:embed sdk/*.tmpl
var SDK embed.FS
