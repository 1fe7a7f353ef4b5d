package b2btest_test

// This file uses only the API the fake has had since before issue 15 (NewServer, Token, URL and
// the operation table), so that bench/rounds can copy it into an earlier tree of the repository
// and measure that tree's fake with the same load (make bench, -fakebase). benchOptions is
// defined beside it: in bench_test.go here, by bench/rounds in the earlier tree.

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// The load of one throughput run: concurrent raw HTTP callers, for how long.
const (
	callers = 8
	perRun  = 500 * time.Millisecond
)

// throughput measures magic-link authenticate requests per second against srv with callers
// concurrent raw HTTP clients for perRun.
func throughput(b *testing.B, srv *b2btest.Server) float64 {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: callers}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(perRun)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				resp, err := hc.Do(authenticateRequest(b, srv))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close() // drained above
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / perRun.Seconds()
}

// authenticateRequest is a magic-link authenticate request to srv with a token it just minted.
func authenticateRequest(b *testing.B, srv *b2btest.Server) *http.Request {
	tok := srv.Token(b2btest.MagicLinksAuthenticate, "org-bench", "ada@example.com")
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+b2btest.MagicLinksAuthenticate.Path,
		bytes.NewReader([]byte(`{"magic_links_token":"`+tok+`","session_duration_minutes":60}`)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("project-test-bench", "secret")
	return req
}

// BenchmarkFakeRequests is one throughput run of a fresh fake made with benchOptions: the
// requests per second (req/s) of magic-link authenticate from 8 callers over 0.5 s. bench/rounds
// runs it in alternated processes against the same file in an earlier tree.
func BenchmarkFakeRequests(b *testing.B) {
	srv := b2btest.NewServer(b, benchOptions(b)...)
	var rate float64
	for range b.N {
		rate = throughput(b, srv)
	}
	b.ReportMetric(rate, "req/s")
}
