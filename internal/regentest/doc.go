// Package regentest holds end-to-end checks of the regeneration workflow the README describes,
// run on a copy of the module (its .git left out): go generate ./... exits 0 and leaves the tree
// as it is; a spec edit that adds an optional field to a nested answer and to a request needs no
// other edit; and an operation added to the spec needs only its facade method, for either retry
// class: after a regeneration, the copy's tests pass.
//
// The tests run the go command on the whole copy, which takes about a minute of CPU, so they are
// behind the build tag regen: make test runs them (go test -tags regen ./internal/regentest/);
// the inner loop (go test ./...) does not. They are skipped under -short.
package regentest
