package b2b

// Test helpers shared by the resilience, redaction and fuzz tests: a goroutine-leak check, fault
// injecting servers on loopback, a client whose waits are recorded instead of spent, and a generic
// way to call any operation through the facade.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

const (
	resProjectID = "project-test-7a1c4a6e-resilience"
	resSecret    = "secret-test-project-key-d4c9e0b1f2a3"
)

// resNoLeaks fails the test if a goroutine started during it is still running once its cleanups
// (registered after this call, so run before this check) have closed servers and idle
// connections. It compares goroutine IDs, so goroutines that other tests left behind and that end
// meanwhile do not matter. It waits at most 3s for goroutines that are on their way out.
func resNoLeaks(t *testing.T) {
	t.Helper()
	before := resGoroutines()
	t.Cleanup(func() {
		if leaked := resLeakedSince(before, 3*time.Second); len(leaked) > 0 {
			t.Errorf("%d goroutine(s) outlived the test:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
	})
}

// resLeakedSince waits up to patience for the goroutines started since before to end, and
// returns the stacks of those still running.
func resLeakedSince(before map[string]string, patience time.Duration) []string {
	deadline := time.Now().Add(patience)
	for {
		var leaked []string
		for id, stack := range resGoroutines() {
			if _, ok := before[id]; !ok && !resIgnoredGoroutine(stack) {
				leaked = append(leaked, stack)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The leak check sees a goroutine that is still running, and lets one that ended go.
func TestLeakCheckBites(t *testing.T) {
	before := resGoroutines()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-stop
	}()
	leaked := resLeakedSince(before, 20*time.Millisecond)
	require.Len(t, leaked, 1)
	require.Contains(t, leaked[0], "TestLeakCheckBites")
	close(stop)
	<-done
	require.Empty(t, resLeakedSince(before, time.Second))
}

// resIgnoredGoroutine reports goroutines the runtime or the testing package start on their own.
func resIgnoredGoroutine(stack string) bool {
	for _, s := range []string{"os/signal.signal_recv", "runtime.ensureSigM", "testing.(*T).Run(", "testing.runFuzzing", "testing.(*F).Fuzz"} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}

// resGoroutines returns the stack of every goroutine, by ID.
func resGoroutines() map[string]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		head, _, _ := strings.Cut(g, "\n")
		fields := strings.Fields(head) // goroutine 42 [running]:
		if len(fields) >= 2 && fields[0] == "goroutine" {
			out[fields[1]] = g
		}
	}
	return out
}

// resWaits records the waits between attempts that the transport computed, without spending
// them, so retry tests run in milliseconds and can assert the exact backoff.
type resWaits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *resWaits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *resWaits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.d)
}

// resClient returns a client for baseURL whose waits are recorded in the returned resWaits and
// whose idle connections are closed when the test ends.
func resClient(t *testing.T, baseURL string, opts ...Option) (*Client, *resWaits) {
	t.Helper()
	c, err := NewClient(resProjectID, resSecret, append([]Option{WithBaseURL(baseURL)}, opts...)...)
	require.NoError(t, err)
	w := &resWaits{}
	c.x.sleep = w.sleep
	t.Cleanup(c.x.hc.CloseIdleConnections)
	return c, w
}

// resContractBase is the API root of clients that validate their traffic against the spec. The
// validator is built once (loading the spec takes a while under the race detector); the clients
// dial the test's server whatever host the URL names.
const resContractBase = "http://stytch.test"

var resValidator = sync.OnceValues(func() (*contract.Validator, error) { return contract.New(resContractBase) })

// resContractClient returns a client whose every request (and 2xx answer) is validated against
// the spec, sent to srv over a transport of its own that is closed when the test ends. Use it only
// where the server's answers are valid.
func resContractClient(t *testing.T, srv *httptest.Server, opts ...Option) (*Client, *resWaits) {
	t.Helper()
	v, err := resValidator()
	require.NoError(t, err)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: &contract.Transport{TB: t, Validator: v, Next: tr}}
	return resClient(t, resContractBase, append([]Option{WithHTTPClient(hc)}, opts...)...)
}

// resHit is a request a test server received.
type resHit struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// resServer is an httptest.Server that records requests and numbers them from 1.
type resServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []resHit
}

// resNewServer starts a server on loopback; handle answers request number n (from 1). The
// server is closed when the test ends.
func resNewServer(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *resServer {
	t.Helper()
	s := &resServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.hits = append(s.hits, resHit{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body})
		n := len(s.hits)
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body)) // for handlers that look at it
		handle(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *resServer) Hits() []resHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

// resRawServer accepts TCP connections on loopback and hands each, with its number from 1, to
// handle, which owns it. Connections get a 5s deadline so nothing hangs; when the test ends the
// listener is closed and every handler has returned.
func resRawServer(t *testing.T, handle func(n int, conn net.Conn)) (baseURL string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var n atomic.Int32
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			i := int(n.Add(1))
			wg.Go(func() {
				defer conn.Close()
				handle(i, conn)
			})
		}
	})
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	return "http://" + l.Addr().String()
}

// resReadRequest reads one whole HTTP request, body included, from conn.
func resReadRequest(conn net.Conn) (*http.Request, []byte, error) {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(req.Body)
	return req, body, err
}

// resReset closes conn with a TCP RST instead of a FIN.
func resReset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// resClosedPortURL returns the URL of a loopback port nothing listens on.
func resClosedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

var resContextType = reflect.TypeFor[context.Context]()

// resMethods finds every operation method of the facade by walking c and its exported sub-client
// fields: a method taking (context.Context, *Params, ...) and returning (*Response, error). The
// result is keyed by the params type, so fixtures' params select their method.
func resMethods(c *Client) map[reflect.Type]reflect.Value {
	out := map[reflect.Type]reflect.Value{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := range v.NumMethod() {
			m := v.Method(i)
			mt := m.Type()
			if mt.NumIn() >= 2 && mt.In(0) == resContextType && mt.In(1).Kind() == reflect.Pointer && mt.NumOut() == 2 && mt.Out(1) == reflect.TypeFor[error]() {
				out[mt.In(1)] = m
			}
		}
		e := v.Elem()
		for i := range e.NumField() {
			f := e.Field(i)
			if e.Type().Field(i).IsExported() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct {
				walk(f)
			}
		}
	}
	walk(reflect.ValueOf(c))
	return out
}

// resInvoke calls the facade method for params (a *gen.<Op>Request from fixtures). headers, when
// not nil, is a fixtures Case's Headers: it is applied through the method's per-call options. It
// returns the typed response (a possibly nil pointer, as any) and the error.
func resInvoke(ctx context.Context, t testing.TB, c *Client, params, headers any) (reflect.Value, error) {
	t.Helper()
	m, ok := resMethods(c)[reflect.TypeOf(params)]
	require.True(t, ok, "no facade method takes %T", params)
	args := []reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(params)}
	if h, ok := headers.(*gen.MagicLinksEmailInviteParams); ok && h != nil {
		if h.XStytchMemberSession != nil {
			args = append(args, reflect.ValueOf(WithMemberSession(*h.XStytchMemberSession)))
		}
		if h.XStytchMemberSessionJWT != nil {
			args = append(args, reflect.ValueOf(WithMemberSessionJWT(*h.XStytchMemberSessionJWT)))
		}
	}
	out := m.Call(args)
	err, _ := out[1].Interface().(error)
	return out[0], err
}

// resOK answers with the operation's complete fixture response.
func resOK(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "request-id-test-ok")
	_, _ = w.Write(body)
}

// resStytchError answers with a Stytch error object.
func resStytchError(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]any{
		"status_code":   status,
		"request_id":    "request-id-test-" + strconv.Itoa(status),
		"error_type":    errorType,
		"error_message": message,
		"error_url":     "https://stytch.com/docs/api/errors/" + strconv.Itoa(status),
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// resCase returns fixtures' case for opID.
func resCase(opID string) fixtures.Case { return fixtures.ByID(opID) }

// quietLogger silences an http.Server's log of connections the tests drop on purpose.
func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }
