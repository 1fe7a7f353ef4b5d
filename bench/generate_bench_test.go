//go:build genbench

package bench

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkGenerate times one run of the generator (cmd/gen): load and validate the spec, lint it,
// run oapi-codegen and the SDK templates, gofmt, and write the generated files under a temporary
// root. The binary is built once, outside the timing. It is behind the genbench build tag because
// each iteration takes a third of a second: make bench runs it with -tags genbench.
func BenchmarkGenerate(b *testing.B) {
	root, err := filepath.Abs("..")
	if err != nil {
		b.Fatal(err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go command not found")
	}
	bin := filepath.Join(b.TempDir(), "gen")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/gen")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/gen: %v\n%s", err, out)
	}
	// The generated files go under a root of their own, never into this tree.
	out := b.TempDir()
	spec := filepath.Join(root, "spec", "stytch-b2b.yaml")
	for b.Loop() {
		cmd := exec.Command(bin, "-root", out, "-spec", spec)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("gen: %v\n%s", err, msg)
		}
	}
}
