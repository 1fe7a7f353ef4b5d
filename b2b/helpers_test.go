package b2b_test

// Helpers shared by the facade's tests, on top of internal/testkit (dispatch, validating clients,
// the recording server) and internal/fixtures (the material of every operation): picking an
// operation by its properties, a goroutine-leak check that works in parallel tests, servers that
// misbehave below HTTP, and reflection on params by JSON name.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
)

// The properties tests pick operations by.

func repeatable(op gen.Operation) bool    { return op.Retry.Repeatable() }
func notRepeatable(op gen.Operation) bool { return !op.Retry.Repeatable() }
func hasBody(op gen.Operation) bool       { return op.HasBody }
func hasPathParams(op gen.Operation) bool { return len(op.PathParams) > 0 }
func noHeaders(op gen.Operation) bool     { return len(op.Headers) == 0 }
func hasSecretFields(op gen.Operation) bool {
	return len(op.SecretFields) > 0
}

// unsentWithBody: an operation that must not be repeated once sent and that sends a body (it
// consumes a token, sends email or creates something).
func unsentWithBody(op gen.Operation) bool { return notRepeatable(op) && op.HasBody }

// one returns the case of the first operation (in the order of gen.Operations) for which keep is
// true, failing the test when the spec has none.
func one(t testing.TB, what string, keep func(gen.Operation) bool) fixtures.Case {
	t.Helper()
	cs := fixtures.Select(keep)
	if len(cs) == 0 {
		t.Fatalf("the spec has no operation that %s", what)
	}
	return cs[0]
}

// some returns the cases of the operations for which keep is true, failing the test when the spec
// has none.
func some(t testing.TB, what string, keep func(gen.Operation) bool) []fixtures.Case {
	t.Helper()
	cs := fixtures.Select(keep)
	if len(cs) == 0 {
		t.Fatalf("the spec has no operation that %s", what)
	}
	return cs
}

// bothClasses returns one repeatable operation and one that is not: where one of each stands for
// its class.
func bothClasses(t testing.TB) []fixtures.Case {
	t.Helper()
	return []fixtures.Case{one(t, "is repeatable", repeatable), one(t, "is not repeatable", notRepeatable)}
}

// requireNoResponse checks the contract "never a response together with an error".
func requireNoResponse(t testing.TB, resp any, err error) {
	t.Helper()
	require.Error(t, err)
	require.Nil(t, resp, "a response was returned together with an error")
}

// checkedClient returns a client for srv whose requests and success answers are validated against
// the spec, and whose waits between attempts are recorded instead of spent.
func checkedClient(t testing.TB, baseURL string, opts ...b2b.Option) (*b2b.Client, *b2b.Waits) {
	t.Helper()
	c := testkit.NewClient(t, baseURL, opts...)
	return c, b2b.RecordWaits(c)
}

// faultClient returns a client for baseURL whose requests are validated against the spec and whose
// answers reach the SDK as the server sent them; its waits are recorded instead of spent.
func faultClient(t testing.TB, baseURL string, opts ...b2b.Option) (*b2b.Client, *b2b.Waits) {
	t.Helper()
	c := testkit.NewFaultClient(t, baseURL, opts...)
	return c, b2b.RecordWaits(c)
}

// ----------------------------------------------------------------------------- leak check

var leakSeq atomic.Int64

// noLeaks fails the test if a goroutine it started is still running once its cleanups (registered
// after this call, so run before this check) have closed servers and idle connections. The
// goroutines of the test are told apart from those of tests running in parallel by a pprof label
// set on the test's goroutine here, which every goroutine it starts inherits, directly or through
// servers and transports. It waits at most 3s for goroutines that are on their way out.
func noLeaks(t *testing.T) {
	t.Helper()
	id := t.Name() + "#" + strconv.FormatInt(leakSeq.Add(1), 10)
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("leakcheck", id)))
	t.Cleanup(func() {
		pprof.SetGoroutineLabels(context.Background()) // the test's own goroutine does not count
		if leaked := leakedLabel(id, 3*time.Second); len(leaked) > 0 {
			t.Errorf("%d goroutine(s) outlived the test:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
	})
}

// leakedLabel waits up to patience for the goroutines labelled id to end, and returns the stacks of
// those still running.
func leakedLabel(id string, patience time.Duration) []string {
	deadline := time.Now().Add(patience)
	want := fmt.Sprintf(`"leakcheck":%q`, id)
	for {
		var buf bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
		var leaked []string
		for _, g := range strings.Split(buf.String(), "\n\n") {
			if strings.Contains(g, want) {
				leaked = append(leaked, g)
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
	t.Parallel()
	const id = "leak-check-bites"
	stop := make(chan struct{})
	done := make(chan struct{})
	pprof.Do(context.Background(), pprof.Labels("leakcheck", id), func(context.Context) {
		go func() {
			defer close(done)
			<-stop
		}()
	})
	leaked := leakedLabel(id, 20*time.Millisecond)
	require.Len(t, leaked, 1)
	require.Contains(t, leaked[0], "TestLeakCheckBites")
	close(stop)
	<-done
	require.Empty(t, leakedLabel(id, time.Second))
}

// ------------------------------------------------------------------ servers below HTTP

// rawServer accepts TCP connections on loopback and hands each, with its number from 1, to
// handle, which owns it. Connections get a 5s deadline so nothing hangs; when the test ends the
// listener is closed and every handler has returned.
func rawServer(t *testing.T, handle func(n int, conn net.Conn)) (baseURL string) {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
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
				defer func() { _ = conn.Close() }() // handle may have closed or reset it already
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

// readRequest reads one whole HTTP request, body included, from conn.
func readRequest(conn net.Conn) error {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, req.Body)
	return err
}

// reset closes conn with a TCP RST instead of a FIN.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeResponse writes a complete HTTP/1.1 answer on a raw connection.
func writeResponse(conn net.Conn, status int, body []byte) {
	_, _ = fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), len(body))
	_, _ = conn.Write(body)
}

// closedPortURL returns the URL of a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// hangingServer accepts requests and never answers them until the client goes away or the test
// ends.
func hangingServer(t *testing.T) *testkit.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := testkit.NewServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv
}

// streamServer answers with size bytes of a JSON string, streamed in 32 KiB writes, with a
// Content-Length when declared is true (chunked otherwise). It reports how much it managed to
// write before the client went away.
func streamServer(t *testing.T, status int, size int64, declared bool) (*testkit.Server, func() int64) {
	t.Helper()
	var written atomic.Int64
	done := make(chan struct{})
	var once sync.Once
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		defer once.Do(func() { close(done) })
		w.Header().Set("Content-Type", "application/json")
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		w.WriteHeader(status)
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		copy(chunk, `{"request_id":"`)
		for written.Load() < size {
			n, err := w.Write(chunk[:min(int64(len(chunk)), size-written.Load())])
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	return srv, func() int64 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the server is still writing 5s after the client gave up")
		}
		return written.Load()
	}
}

// roundTripFunc answers requests in memory, without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// inMemory returns an answer with status and body, as a transport would.
func inMemory(r *http.Request, status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// okWithRequestID answers with body and the X-Request-Id request-id-test-ok.
func okWithRequestID(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "request-id-test-ok")
	_, _ = w.Write(body)
}

// quietLogger silences an http.Server's log of connections the tests drop on purpose.
func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// ------------------------------------------------------------------- params by JSON name

// cloneParams returns a shallow copy of params, a pointer to a struct, so a test can replace
// fields without touching the original.
func cloneParams(params any) any {
	v := reflect.ValueOf(params)
	out := reflect.New(v.Type().Elem())
	out.Elem().Set(v.Elem())
	return out.Interface()
}

// jsonName returns the JSON name of a struct field.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// fieldByJSON returns the field of typ whose JSON name is name.
func fieldByJSON(typ reflect.Type, name string) (reflect.StructField, bool) {
	for i := range typ.NumField() {
		if jsonName(typ.Field(i)) == name {
			return typ.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// field returns the field of the struct params points to whose JSON name is name.
func field(t testing.TB, params any, name string) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(params).Elem()
	f, ok := fieldByJSON(v.Type(), name)
	require.Truef(t, ok, "%s has no field with JSON name %q", v.Type(), name)
	return v.FieldByIndex(f.Index)
}

// setField sets the field of params with JSON name name to value, converting value to the field's
// type (allocating a pointer for optional fields).
func setField(t testing.TB, params any, name string, value any) {
	t.Helper()
	f := field(t, params, name)
	target := f.Type()
	if target.Kind() == reflect.Pointer {
		target = target.Elem()
	}
	val := reflect.ValueOf(value)
	require.Truef(t, val.Type().ConvertibleTo(target), "cannot set %s (%s) to a %T", name, f.Type(), value)
	val = val.Convert(target)
	if f.Kind() == reflect.Pointer {
		p := reflect.New(target)
		p.Elem().Set(val)
		val = p
	}
	f.Set(val)
}

// expectedPath is op.Path with each {param} replaced by the escaped value of the params field of
// that JSON name.
func expectedPath(t testing.TB, op gen.Operation, params any) string {
	t.Helper()
	var fields map[string]any
	raw, err := json.Marshal(params)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &fields))
	path := op.Path
	for _, name := range op.PathParams {
		s, ok := fields[name].(string)
		require.True(t, ok, "%s has no string field %s", op.ID, name)
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(s))
	}
	require.NotContains(t, path, "{", "unfilled path parameter in %s", path)
	return path
}

// decodeObject decodes a JSON object, failing the test when it is not one.
func decodeObject(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m), "body: %s", data)
	return m
}

// properties returns the properties of s, including those of the schemas in its allOf (the spec
// writes a nullable reference as nullable: true plus allOf: [$ref]).
func properties(s *openapi3.Schema) openapi3.Schemas {
	props := openapi3.Schemas{}
	if s == nil {
		return props
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			maps.Copy(props, properties(sub.Value))
		}
	}
	maps.Copy(props, s.Properties)
	return props
}

// editedRequest is params whose request is built as Params builds it, then changed by edit: a URL
// moved elsewhere, a body that cannot be replayed.
type editedRequest struct {
	b2b.Params
	edit func(r *http.Request)
}

func (p editedRequest) NewHTTPRequest(server string) (*http.Request, error) {
	r, err := p.Params.NewHTTPRequest(server)
	if err == nil {
		p.edit(r)
	}
	return r, err
}
