package b2b

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// request is what every params type of package gen provides (see gen/sdk.gen.go): the rules of the
// spec, the operation it belongs to, and how to build its HTTP request.
type request interface {
	Validate() error
	Operation() gen.Operation
	NewHTTPRequest(server string) (*http.Request, error)
}

// transport sends a validated request, retries it as its operation's retry class allows, and
// decodes the answer. One transport is shared by all sub-clients of a Client.
type transport struct {
	base       string
	auth       string
	userAgent  string
	hc         *http.Client
	timeout    time.Duration
	maxRetries int
	maxBody    int64
	logger     *slog.Logger
	backoff    backoff
	// sleep waits between attempts; nil means sleepCtx. Tests replace it to record the waits
	// the backoff computed without spending them.
	sleep func(ctx context.Context, d time.Duration) error
}

// errorBodyCap bounds how much of an error body is read to decode a Stytch error; drainCap bounds
// how much more is read and discarded so the connection can be reused.
const (
	errorBodyCap = 64 << 10
	drainCap     = 256 << 10
)

// call validates p, sends it and decodes a 2xx answer into a new R. It returns either a response
// or an error, never both. edit, when not nil, adds per-call headers; their values are treated as
// secrets (they carry member sessions).
func call[R any](ctx context.Context, t *transport, p request, edit func(*http.Request)) (*R, error) {
	if ctx == nil {
		return nil, errors.New("b2b: nil context")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	op := p.Operation()
	req, err := p.NewHTTPRequest(t.base)
	if err != nil {
		return nil, fmt.Errorf("b2b: %s: building request: %w", op.ID, err)
	}
	// The three fixed headers share one backing array: one allocation instead of three. Each
	// value slice is capped at length 1, so appending to one cannot write into the next.
	hv := []string{t.auth, t.userAgent, "application/json"}
	req.Header["Authorization"] = hv[0:1:1]
	req.Header["User-Agent"] = hv[1:2:2]
	req.Header["Accept"] = hv[2:3:3]
	var perCall []string
	if edit != nil {
		before := len(req.Header)
		keys := make(map[string]bool, before)
		for k := range req.Header {
			keys[k] = true
		}
		edit(req)
		for k, vs := range req.Header {
			if !keys[k] {
				perCall = append(perCall, vs...)
			}
		}
	}
	secrets := secretSource{params: p, headers: perCall}
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	body, err := t.send(ctx, op, req, secrets)
	if err != nil {
		return nil, err
	}
	defer putBuffer(body.buf)
	out := new(R)
	if err := decodeJSON(body.buf.Bytes(), out); err != nil {
		return nil, &DecodeError{Operation: op.ID, StatusCode: body.status, RequestID: body.requestID,
			OutcomeUnknown: op.Retry != gen.RetrySafe, Err: err}
	}
	return out, nil
}

// success is a 2xx answer whose body has been read in full.
type success struct {
	status    int
	requestID string
	buf       *bytes.Buffer
}

// send runs the attempt loop. Which failures are retried is decided by op.Retry:
//   - any class: a 429, and a failure before the request left the machine (dial, DNS, TLS
//     handshake; see classify);
//   - gen.RetrySafe also: any other network failure (including one while reading a 2xx body)
//     and any 5xx.
//
// A gen.RetryUnsent operation that fails once the request may have been processed (a network
// failure after sending, a 5xx, an unreadable 2xx) is not retried and its error matches
// ErrOutcomeUnknown.
//
// Waits follow exponential backoff with jitter, honour Retry-After (capped), never outlast the
// context, and are skipped when the context's deadline would pass first.
func (t *transport) send(ctx context.Context, op gen.Operation, req *http.Request, secrets secretSource) (success, error) {
	var (
		lastErr error
		sent    bool // some attempt may have left the machine
	)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return success{}, ctxError(op, attempt-1, sent, err, lastErr)
		}
		r, err := attemptRequest(ctx, req, attempt)
		if err != nil {
			return success{}, fmt.Errorf("b2b: %s: %w", op.ID, err)
		}
		start := time.Now()
		resp, err := t.hc.Do(r)
		var (
			retryable  bool
			retryAfter time.Duration
			status     int
			requestID  string
		)
		if err != nil {
			f := classify(err)
			sent = sent || !f.unsent
			te := &TransportError{Operation: op.ID, Attempts: attempt, Sent: sent,
				OutcomeUnknown: !f.unsent && op.Retry != gen.RetrySafe, Err: err}
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					te.Err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				t.log(ctx, op, req, attempt, 0, "", time.Since(start), te, 0)
				return success{}, te
			}
			lastErr = te
			retryable = !f.permanent && (f.unsent || op.Retry == gen.RetrySafe)
		} else {
			sent = true
			status = resp.StatusCode
			res, bodyLost, err := t.read(op, resp, attempt, secrets)
			requestID = res.requestID
			if err == nil {
				t.log(ctx, op, req, attempt, status, requestID, time.Since(start), nil, 0)
				return res, nil
			}
			lastErr = err
			var apiErr *Error
			switch {
			case errors.As(err, &apiErr):
				requestID = apiErr.RequestID
				switch {
				case status == http.StatusTooManyRequests:
					retryable = true
					retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
				case status >= 500 && op.Retry == gen.RetrySafe:
					retryable = true
					retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
				case status >= 500:
					apiErr.OutcomeUnknown = true
				}
			case bodyLost: // a 2xx whose body broke off: a network failure after the answer began
				retryable = op.Retry == gen.RetrySafe
				if ctxErr := ctx.Err(); ctxErr != nil {
					var de *DecodeError
					if errors.As(err, &de) && !errors.Is(de.Err, ctxErr) {
						de.Err = fmt.Errorf("%w: %w", de.Err, ctxErr)
					}
				}
			}
		}
		retryable = retryable && replayable && attempt <= t.maxRetries
		var wait time.Duration
		if retryable {
			wait = t.backoff.delay(attempt, retryAfter)
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				retryable = false // the deadline would pass before the next attempt
			}
		}
		t.log(ctx, op, req, attempt, status, requestID, time.Since(start), lastErr, wait)
		if !retryable {
			return success{}, lastErr
		}
		sleep := t.sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(ctx, wait); err != nil {
			return success{}, ctxError(op, attempt, sent, err, lastErr)
		}
	}
}

// attemptRequest returns the request for one attempt, with ctx and a fresh body.
func attemptRequest(ctx context.Context, req *http.Request, attempt int) (*http.Request, error) {
	r := req.WithContext(ctx)
	if attempt > 1 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replaying request body: %w", err)
		}
		r.Body = b
	}
	return r, nil
}

// read consumes resp and closes its body on every path, after draining up to drainCap so the
// connection can be reused.
//   - 2xx: the body is read in full, up to the cap, and returned. A body declared or found to be
//     larger than the cap fails with ErrResponseTooLarge; one that breaks off fails with
//     bodyLost set. Both are *DecodeError.
//   - any other status: an *Error built from the first errorBodyCap bytes, scrubbed of secrets.
func (t *transport) read(op gen.Operation, resp *http.Response, attempt int, secrets secretSource) (res success, bodyLost bool, err error) {
	drained := false // the body was read to its end: nothing is left to drain
	defer func() {
		if !drained {
			_, _ = io.CopyN(io.Discard, resp.Body, drainCap)
		}
		_ = resp.Body.Close()
	}()
	requestID := resp.Header.Get("X-Request-Id")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyCap))
		e := newError(op, resp, data, attempt)
		e.scrub(t.secrets(secrets))
		return success{}, false, e
	}
	decodeErr := func(err error) error {
		return &DecodeError{Operation: op.ID, StatusCode: resp.StatusCode, RequestID: requestID,
			OutcomeUnknown: op.Retry != gen.RetrySafe, Err: err}
	}
	if resp.ContentLength > t.maxBody {
		return success{}, false, decodeErr(fmt.Errorf("%w: %d bytes declared, the cap is %d",
			ErrResponseTooLarge, resp.ContentLength, t.maxBody))
	}
	buf := getBuffer()
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, rerr := buf.ReadFrom(io.LimitReader(resp.Body, t.maxBody+1))
	switch {
	case rerr != nil:
		putBuffer(buf)
		return success{}, true, decodeErr(fmt.Errorf("reading the body: %w", rerr))
	case n > t.maxBody:
		putBuffer(buf)
		return success{}, false, decodeErr(fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, t.maxBody))
	}
	drained = true // ReadFrom returned nil, so it reached the end of the body within the cap
	return success{status: resp.StatusCode, requestID: requestID, buf: buf}, false, nil
}

// log writes one debug line per attempt: operation, method, path, status, attempt, duration,
// request ID, the error and the wait before the next attempt. Bodies and headers are never
// logged; errors are the SDK's own, which carry no request data.
func (t *transport) log(ctx context.Context, op gen.Operation, req *http.Request, attempt, status int, requestID string, d time.Duration, err error, retryIn time.Duration) {
	if t.logger == nil || !t.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("operation", op.ID),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if retryIn > 0 {
		attrs = append(attrs, slog.Duration("retry_in", retryIn))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "stytch b2b request", attrs...)
}

// secretSource is where the secrets of one call are found, when an error answer needs scrubbing:
// the params (the fields their Redacted method replaces) and the values of per-call headers.
type secretSource struct {
	params  any
	headers []string
}

// secrets lists what must never appear in an error of the call: the secrets of its params and
// per-call headers, the project secret and the Authorization header value. It is computed only
// when an error answer arrives.
func (t *transport) secrets(s secretSource) []string {
	return append(append(requestSecrets(s.params), s.headers...), t.credentials()...)
}

// credentials returns the project secret and the Authorization header value, which must never
// appear in an error either.
func (t *transport) credentials() []string {
	enc, ok := strings.CutPrefix(t.auth, "Basic ")
	if !ok {
		return nil
	}
	out := []string{enc}
	if raw, err := base64.StdEncoding.DecodeString(enc); err == nil {
		if _, secret, ok := strings.Cut(string(raw), ":"); ok {
			out = append(out, secret)
		}
	}
	return out
}

// requestSecrets returns the secret values in p: the strings its generated Redacted method
// replaces (the fields the spec marks x-stytch-secret, here and in nested values).
func requestSecrets(p any) []string {
	v := reflect.ValueOf(p)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return nil
	}
	m := v.MethodByName("Redacted")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return nil
	}
	var out []string
	diffStrings(reflect.Indirect(v), m.Call(nil)[0], &out)
	return out
}

// diffStrings appends to out every string of a that differs from the same string of b, a value
// of the same type.
func diffStrings(a, b reflect.Value, out *[]string) {
	if a.Type() != b.Type() {
		return
	}
	switch a.Kind() {
	case reflect.String:
		if a.String() != b.String() && a.String() != "" {
			*out = append(*out, a.String())
		}
	case reflect.Pointer:
		if !a.IsNil() && !b.IsNil() {
			diffStrings(a.Elem(), b.Elem(), out)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			diffStrings(a.Field(i), b.Field(i), out)
		}
	case reflect.Slice, reflect.Array:
		for i := range min(a.Len(), b.Len()) {
			diffStrings(a.Index(i), b.Index(i), out)
		}
	}
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date. It returns 0 when the
// header is absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// sleepCtx waits for d or until ctx is done, whichever comes first, without leaking a timer.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

// putBuffer returns buf to the pool unless it grew past what is worth keeping.
func putBuffer(buf *bytes.Buffer) {
	if buf == nil || buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	bufPool.Put(buf)
}
