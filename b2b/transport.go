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
	"strconv"
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
}

// errorBodyCap bounds how much of an error body is read to decode a Stytch error; drainCap bounds
// how much more is read and discarded so the connection can be reused.
const (
	errorBodyCap = 64 << 10
	drainCap     = 256 << 10
)

// call validates p, sends it and decodes a 2xx answer into a new R. It returns either a response
// or an error, never both. edit, when not nil, adds per-call headers.
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
	req.Header.Set("Authorization", t.auth)
	req.Header.Set("User-Agent", t.userAgent)
	req.Header.Set("Accept", "application/json")
	if edit != nil {
		edit(req)
	}
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	body, err := t.send(ctx, op, req)
	if err != nil {
		return nil, err
	}
	defer putBuffer(body.buf)
	out := new(R)
	if err := decodeJSON(body.buf.Bytes(), out); err != nil {
		return nil, &DecodeError{Operation: op.ID, StatusCode: body.status, RequestID: body.requestID, Err: err}
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
//   - any class: a 429, and a failure before the request left the machine (dial, DNS);
//   - gen.RetrySafe also: any other network failure and any 5xx.
//
// Waits follow exponential backoff with jitter, honour Retry-After (capped), never outlast the
// context, and are skipped when the context's deadline would pass first.
func (t *transport) send(ctx context.Context, op gen.Operation, req *http.Request) (success, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return success{}, ctxError(op, attempt-1, err, lastErr)
		}
		r, err := attemptRequest(ctx, req, attempt)
		if err != nil {
			return success{}, fmt.Errorf("b2b: %s: %w", op.ID, err)
		}
		start := time.Now()
		resp, err := t.hc.Do(r)
		elapsed := time.Since(start)
		var retryAfter time.Duration
		retryable := false
		if err != nil {
			sent := !notSent(err)
			t.log(ctx, op, req, attempt, 0, "", elapsed, err)
			if ctxErr := ctx.Err(); ctxErr != nil {
				return success{}, &TransportError{Operation: op.ID, Attempts: attempt, Sent: sent, OutcomeUnknown: sent && op.Retry != gen.RetrySafe, Err: err}
			}
			lastErr = &TransportError{Operation: op.ID, Attempts: attempt, Sent: sent, OutcomeUnknown: sent && op.Retry != gen.RetrySafe, Err: err}
			retryable = !sent || op.Retry == gen.RetrySafe
		} else {
			ok, res, apiErr := t.read(op, resp, attempt)
			t.log(ctx, op, req, attempt, resp.StatusCode, res.requestID, elapsed, nil)
			if ok {
				return res.success, nil
			}
			if apiErr == nil { // the body could not be read
				return success{}, res.err
			}
			lastErr = apiErr
			switch {
			case resp.StatusCode == http.StatusTooManyRequests:
				retryable = true
				retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			case resp.StatusCode >= 500 && op.Retry == gen.RetrySafe:
				retryable = true
				retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			case resp.StatusCode >= 500:
				apiErr.OutcomeUnknown = true
			}
		}
		if !retryable || attempt > t.maxRetries {
			return success{}, lastErr
		}
		wait := t.backoff.delay(attempt, retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return success{}, lastErr // the deadline would pass before the next attempt
		}
		if err := sleep(ctx, wait); err != nil {
			return success{}, ctxError(op, attempt, err, lastErr)
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

type readResult struct {
	success
	err error
}

// read consumes resp. A 2xx answer is read in full (up to the cap) and returned as ok. Any other
// status becomes an *Error. The body is always closed, and drained up to drainCap so the connection
// can be reused. When the body cannot be read, res.err says why and apiErr is nil.
func (t *transport) read(op gen.Operation, resp *http.Response, attempt int) (ok bool, res readResult, apiErr *Error) {
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, drainCap)
		resp.Body.Close()
	}()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		buf := getBuffer()
		if resp.ContentLength > 0 && resp.ContentLength <= t.maxBody {
			buf.Grow(int(resp.ContentLength))
		}
		n, err := buf.ReadFrom(io.LimitReader(resp.Body, t.maxBody+1))
		if err == nil && n > t.maxBody {
			err = fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, t.maxBody)
		}
		if err != nil {
			putBuffer(buf)
			res.err = &DecodeError{Operation: op.ID, StatusCode: resp.StatusCode, Err: err}
			return false, res, nil
		}
		res.status = resp.StatusCode
		res.buf = buf
		res.requestID = resp.Header.Get("X-Request-Id")
		return true, res, nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyCap))
	apiErr = newError(op, resp, data, attempt)
	res.requestID = apiErr.RequestID
	return false, res, apiErr
}

func (t *transport) log(ctx context.Context, op gen.Operation, req *http.Request, attempt, status int, requestID string, d time.Duration, err error) {
	if t.logger == nil || !t.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", op.ID),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "stytch b2b request", attrs...)
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

// sleep waits for d or until ctx is done, whichever comes first, without leaking a timer.
func sleep(ctx context.Context, d time.Duration) error {
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
