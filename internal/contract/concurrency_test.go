package contract_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/contract/route"
	"github.com/b2bauth/stytch-b2b-go/internal/specwalk"
)

// The shared validator is used by every test of the repository at once. Under -race, many
// goroutines validate good and bad requests and answers of every operation through it (and
// through views of it with other match modes); each must get the answer it gets alone.
func TestSharedValidatorIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	v := shared(t)
	views := []*contract.Validator{v, v.Matching(route.Prefix("/prefix")), v.Matching(route.AnyPrefix())}
	bases := []string{"", "http://h/prefix", "http://proxy/x/y"}

	type job struct {
		entry    *route.Entry
		good     *exampleRequest
		bad      *exampleRequest
		wantBad  []string
		response []byte
		broken   []byte
	}
	var jobs []job
	for _, e := range entries(t) {
		j := job{entry: e, good: newExample(t, e, specwalk.Full), bad: newExample(t, e, specwalk.Full)}
		if j.bad.body != nil {
			for _, f := range specwalk.Fields(specwalk.RequestBody(e.Operation)) {
				if f.Required {
					require.True(t, setAt(j.bad.body, concrete(f.Pointer), nil, true))
					j.wantBad = []string{concrete(f.Pointer)}
					break
				}
			}
		}
		if j.wantBad == nil && !credentialsOptional(e.Operation) {
			j.bad.header.Del("Authorization")
			j.wantBad = []string{"Authorization"}
		}
		// An operation with neither a body nor required credentials has no bad request to
		// build: its "bad" request is a good one, and must stay one.
		s := specwalk.ResponseBody(e.Operation, 200)
		j.response = specwalk.ExampleJSON(s, specwalk.Full, "resp")
		for _, f := range specwalk.Fields(s) {
			if f.Required && f.Name != "*" {
				body := decode(t, j.response)
				require.True(t, setAt(body, concrete(f.Pointer), nil, true))
				j.broken = encode(t, body)
				break
			}
		}
		require.NotNil(t, j.broken)
		jobs = append(jobs, j)
	}

	const workers, rounds = 6, 2
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(jobs)*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(format string, args ...any) { errs <- fmt.Sprintf(format, args...) }
			for round := range rounds {
				for i, j := range jobs {
					k := (w + round + i) % len(views)
					vv, base := views[k], bases[k]
					good, err1 := j.good.build(t.Context(), base, nil, false)
					bad, err2 := j.bad.build(t.Context(), base, nil, false)
					if err1 != nil || err2 != nil {
						fail("building requests: %v %v", err1, err2)
						continue
					}
					r, err := vv.Request(good)
					if err != nil || r == nil || r.OperationID() != j.entry.OperationID() {
						fail("%s: good request: %v", j.entry.OperationID(), contract.Violations(err))
						continue
					}
					if _, err := vv.Request(bad); !slices.Equal(j.wantBad, fields(contract.Violations(err))) {
						fail("%s: bad request: got %v", j.entry.OperationID(), contract.Violations(err))
					}
					if err := vv.Response(r, 200, jsonHeader(), j.response); err != nil {
						fail("%s: good answer: %v", j.entry.OperationID(), contract.Violations(err))
					}
					if err := vv.Response(r, 200, jsonHeader(), j.broken); err == nil {
						fail("%s: broken answer accepted", j.entry.OperationID())
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
