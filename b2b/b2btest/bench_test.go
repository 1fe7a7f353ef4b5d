package b2btest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

// benchKey is the signing key of every fake the benchmarks start: generating one takes longer
// than a throughput run.
var benchKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

// benchOptions is the fake BenchmarkFakeRequests measures: unsigned session JWTs, as the fake
// had before it signed them, so that it compares with earlier trees' fakes like for like.
func benchOptions(testing.TB) []b2btest.Option {
	return []b2btest.Option{b2btest.WithSigningKey(benchKey()), b2btest.WithUnsignedJWTs()}
}

// BenchmarkFakeThroughput compares the fake's magic-link authenticate throughput with 8 callers
// against its baseline, the former way of answering (encoding under the server's lock, twice;
// WithLegacyEncoding), in alternating rounds. Both run with unsigned JWTs, as the fake had before
// it signed them, so the ratio measures the encoding change alone; "signed-req/s" is the real
// fake, whose RS256 signature per session JWT dominates its CPU; "canned-req/s" is the ceiling
// of any fake under this load: the same callers against a server that answers every request with
// the same bytes the fake answered once (net/http and the callers alone). It reports the medians
// of requests/s and of the per-round ratios.
//
//	go test -run '^$' -bench FakeThroughput -benchtime 1x ./b2b/b2btest/
func BenchmarkFakeThroughput(b *testing.B) {
	key := benchKey()
	const rounds = 6
	newSrv := func(opts ...b2btest.Option) *b2btest.Server {
		return b2btest.NewServer(b, append(opts, b2btest.WithSigningKey(key))...)
	}
	var ratios, news, olds, signed, canned []float64
	for i := range b.N * rounds {
		// Alternate which one goes first, so that neither always runs on a warmer machine.
		var rNew, rOld float64
		if i%2 == 0 {
			rNew = throughput(b, newSrv(b2btest.WithUnsignedJWTs()))
			rOld = throughput(b, newSrv(b2btest.WithLegacyEncoding(), b2btest.WithUnsignedJWTs()))
		} else {
			rOld = throughput(b, newSrv(b2btest.WithLegacyEncoding(), b2btest.WithUnsignedJWTs()))
			rNew = throughput(b, newSrv(b2btest.WithUnsignedJWTs()))
		}
		news, olds, ratios = append(news, rNew), append(olds, rOld), append(ratios, rNew/rOld)
		if i%3 == 0 {
			signed = append(signed, throughput(b, newSrv()))
			canned = append(canned, cannedThroughput(b, newSrv(b2btest.WithUnsignedJWTs())))
		}
	}
	b.ReportMetric(median(news), "req/s")
	b.ReportMetric(median(olds), "baseline-req/s")
	b.ReportMetric(median(signed), "signed-req/s")
	b.ReportMetric(median(canned), "canned-req/s")
	b.ReportMetric(median(ratios), "ratio")
	sort.Float64s(ratios)
	b.Logf("per-round ratios (new/baseline), sorted: %v", fmtAll(ratios))
}

// cannedThroughput is throughput with srv minting the tokens but another server answering: one
// that reads each request and writes the body srv gave to a first request, with its headers.
func cannedThroughput(b *testing.B, srv *b2btest.Server) float64 {
	b.Helper()
	resp, err := http.DefaultClient.Do(authenticateRequest(b, srv))
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read to its end above
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("the answer to copy: status %d, %v", resp.StatusCode, err)
	}
	header := resp.Header.Clone()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range header {
			w.Header()[k] = v
		}
		_, _ = w.Write(body)
	}))
	defer hs.Close()
	srv.URL = hs.URL
	return throughput(b, srv)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func fmtAll(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.2f", x)
	}
	return out
}
