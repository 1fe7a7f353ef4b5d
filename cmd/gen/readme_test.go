package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small facade and operation table in a temporary root, laid out like the repository.
const (
	readmeTestSDK = `package gen

import "net/http"

var (
	OpThingsGet  = Operation{ID: "thingsGet", Name: "ThingsGet", Method: http.MethodGet, Path: "/v1/things/{id}", Summary: "Read a thing"}
	OpThingsMake = Operation{ID: "thingsMake", Name: "ThingsMake", Method: http.MethodPost, Path: "/v1/things", Summary: "Make a thing"}
)

var Operations = []Operation{OpThingsGet, OpThingsMake}
`
	readmeTestFacade = `package b2b

type Client struct {
	Things *ThingsClient
	x      *int
}

type ThingsClient struct{ Deep *DeepClient }
type DeepClient struct{}

func (c *DeepClient) Get(ctx any, params *ThingsGetParams, opts ...any) (*int, error) { return nil, nil }
`
)

func readmeRoot(t *testing.T, readme string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, facadeDir), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(root, facadeDir, "things.go"), []byte(readmeTestFacade), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, facadeDir, "models.gen.go"), []byte("package b2b\n\nfunc (c *Client) Hidden(ctx any, p *ThingsMakeParams) {}\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, readmeName), []byte(readme), 0o600))
	return root
}

func TestReadmeTableIsGenerated(t *testing.T) {
	t.Parallel()
	root := readmeRoot(t, "# Title\n\nBefore.\n\n"+readmeBeginTable+"\n| stale | row |\n"+readmeEndTable+"\n\nAfter.\n")
	files, err := addReadme(root, []File{{Name: genDir + "/sdk.gen.go", Data: []byte(readmeTestSDK)}})
	require.NoError(t, err)
	require.Len(t, files, 2)
	assert.Equal(t, readmeName, files[1].Name)
	assert.Equal(t, "# Title\n\nBefore.\n\n"+readmeBeginTable+"\n\n"+
		"| method | HTTP call | what it does |\n|---|---|---|\n"+
		"| `client.Things.Deep.Get` | `GET /v1/things/{id}` | Read a thing |\n"+
		"| (no method yet) | `POST /v1/things` | Make a thing |\n\n"+
		readmeEndTable+"\n\nAfter.\n", string(files[1].Data),
		"rows follow the operation table; a method in a generated file does not count")
}

func TestReadmeWithoutTable(t *testing.T) {
	t.Parallel()
	sdk := []File{{Name: genDir + "/sdk.gen.go", Data: []byte(readmeTestSDK)}}
	files, err := addReadme(readmeRoot(t, "# No table here\n"), sdk)
	require.NoError(t, err)
	assert.Equal(t, sdk, files, "a README without the markers is left alone")

	files, err = addReadme(t.TempDir(), sdk)
	require.NoError(t, err)
	assert.Equal(t, sdk, files, "no README: nothing to do")

	_, err = addReadme(readmeRoot(t, readmeEndTable+"\n"+readmeBeginTable+"\n"), sdk)
	assert.ErrorContains(t, err, "needs the line")
}
