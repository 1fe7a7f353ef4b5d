package b2btest_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// TestDocListsTheStatefulOperations keeps the package doc's list of operations with behavior in
// step with the code: the list is the indented block after "# Operations with behavior".
func TestDocListsTheStatefulOperations(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(src), "// # Operations with behavior\n")
	require.True(t, ok, "doc.go has no \"# Operations with behavior\" section")
	var listed []string
	inBlock := false
	for _, line := range strings.Split(section, "\n") {
		if name, isItem := strings.CutPrefix(line, "//\t"); isItem {
			listed, inBlock = append(listed, strings.TrimSpace(name)), true
			continue
		}
		if inBlock {
			break
		}
	}
	var want []string
	for _, id := range b2btest.StatefulOperations() {
		op, ok := b2btest.OperationByID(id)
		require.True(t, ok, id)
		want = append(want, op.Name)
	}
	slices.Sort(want)
	assert.Equal(t, want, listed, "update the list in doc.go: these are the keys of behaviors in behaviors.go")
	assert.Regexp(t, regexp.MustCompile(`^[A-Z]`), listed[0])
}
