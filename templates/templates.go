// Package templates holds the code generation templates used by cmd/gen.
//
// Overrides are oapi-codegen template replacements, keyed by the upstream file name (imports.tmpl,
// client.tmpl, ...). Each file starts with a comment that says what it changes and why. SDK holds
// this project's own templates: sdk/sdk.tmpl renders gen/sdk.gen.go (the operation table,
// validation, known-values types and secret handling cmd/gen derives from the spec),
// sdk/facade.tmpl the re-exports of package b2b, and sdk/fake.tmpl the operation handles of
// package b2btest.
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
