// Package regentest holds end-to-end checks of the regeneration workflow the README describes,
// run on a copy of the module (its .git left out): go generate ./... exits 0 and leaves the tree
// as it is, and a spec edit that adds an optional field to a nested answer and to a request,
// followed by a regeneration, needs no other edit for the tests of b2b, internal and b2b/drift to
// pass.
//
// The tests run the go command on the whole copy, which takes about a minute of CPU, so they are
// behind the build tag regen: make test runs them (go test -tags regen ./internal/regentest/);
// the inner loop (go test ./...) does not. They are skipped under -short.
package regentest
