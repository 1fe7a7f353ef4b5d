package b2b

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// Params is what every params type provides (the generated methods of package gen): the rules of
// the spec, the operation it belongs to, how to build its HTTP request, and its secrets. Client.Raw
// takes any Params.
type Params interface {
	// Validate checks the params against the spec's rules; nothing is sent when it fails.
	Validate() error
	// Operation returns the operation the params are sent to.
	Operation() Operation
	// NewHTTPRequest builds the request against server, the API root.
	NewHTTPRequest(server string) (*http.Request, error)
	// AppendSecrets appends the params' secret values, so that no error can carry them.
	AppendSecrets(dst []string) []string
}

// envelope is what every success answer type provides (generated): the request_id and
// status_code every success body carries.
type envelope interface {
	Envelope() (requestID string, statusCode int32)
}

// executor sends the requests of one Client: it validates and builds them, adds the credentials
// and fixed headers, runs the attempts the operation's retry class allows, and reads and decodes
// the answers. One executor is shared by all sub-clients of a Client.
type executor struct {
	base       string   // the API root, without a trailing slash
	baseURL    *url.URL // base, parsed: every request must stay under it
	basePath   string   // basePathPrefix(baseURL), computed once
	auth       func() string
	secret     func() []string // the credentials, for scrubbing
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
// how much of an unread rest is read and discarded so the connection can be reused (a longer rest
// is not drained: the connection is closed instead).
const (
	errorBodyCap = 64 << 10
	drainCap     = 256 << 10
)

// call validates p, sends it and decodes a 2xx answer into a new R. It returns either a response
// or an error, never both.
func call[R any, PR interface {
	*R
	envelope
}](ctx context.Context, x *executor, p Params, opts []CallOption) (*R, error) {
	var out *R
	decode := func(body []byte) (string, error) {
		r := PR(new(R))
		if err := decodeJSON(body, r); err != nil {
			return "", err
		}
		rid, status := r.Envelope()
		switch {
		case rid == "":
			return "", errors.New("the body has no request_id: it is not a success answer")
		case status < 200 || status > 299:
			return rid, fmt.Errorf("the body's status_code is %d: it is not a success answer", status)
		}
		out = (*R)(r)
		return rid, nil
	}
	if err := x.run(ctx, p, opts, decode, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// exchange is one call on its way.
type exchange struct {
	x       *executor
	op      gen.Operation
	params  Params
	cfg     callConfig
	scrub   *scrubber
	started time.Time // when the call began; read only for ResponseInfo, so set only then
}

// notSentError is a failure to prepare a request, before anything was sent.
func notSentError(op, what string, err error) error {
	return fmt.Errorf("%s%s: %s: %w (%w)", errPrefix, op, what, err, ErrNotSent)
}

// run sends p. With decode set, a 2xx body is read in full and decoded; with raw set instead, the
// last answer is stored in *raw, unread, whatever its status.
func (x *executor) run(ctx context.Context, p Params, opts []CallOption, decode func([]byte) (string, error), raw **http.Response) error {
	if ctx == nil {
		op := "call"
		if p != nil {
			op = p.Operation().ID
		}
		return &ValidationError{Operation: op, Field: "ctx", Rule: "non_nil", Message: "must not be nil (use context.Background())"}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	op := p.Operation()
	cfg, err := newCallConfig(op, opts)
	if err != nil {
		return err
	}
	req, err := p.NewHTTPRequest(x.base)
	if err != nil {
		return notSentError(op.ID, "building the request", err)
	}
	if !x.underBase(req.URL) {
		return notSentError(op.ID, "building the request", fmt.Errorf("the request URL is not under the client's base URL %s", x.base))
	}
	// The three fixed headers share one backing array: one allocation instead of three. Each
	// value slice is capped at length 1, so appending to one cannot write into the next.
	hv := []string{x.auth(), x.userAgent, "application/json"}
	req.Header["Authorization"] = hv[0:1:1]
	req.Header["User-Agent"] = hv[1:2:2]
	req.Header["Accept"] = hv[2:3:3]
	for _, h := range cfg.headers {
		req.Header.Set(h.name, h.value)
	}
	timeout := x.timeout
	if cfg.hasTimeout {
		timeout = cfg.timeout
	}
	cancel := context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	ex := &exchange{x: x, op: op, params: p, cfg: cfg}
	if cfg.info != nil {
		ex.started = time.Now()
	}
	// In raw mode the open response goes to the caller of Client.Raw, who closes it.
	resp, err := ex.attempts(ctx, req, decode, raw != nil) //nolint:bodyclose // see above
	if resp != nil {
		// Raw: the deadline goes on until the caller closes the body.
		resp.Body = &rawBody{ReadCloser: resp.Body, r: io.LimitReader(resp.Body, x.maxBody), cancel: cancel}
		*raw = resp
		return nil
	}
	cancel()
	return err
}

// underBase reports whether u is the client's base URL followed by a path.
func (x *executor) underBase(u *url.URL) bool {
	b := x.baseURL
	return u.Scheme == b.Scheme && u.Host == b.Host && u.User == nil &&
		strings.HasPrefix(u.EscapedPath(), x.basePath)
}

// basePathPrefix is what the escaped path of every request URL under base starts with: base's
// path without a trailing slash, then a slash.
func basePathPrefix(base *url.URL) string {
	return strings.TrimSuffix(base.EscapedPath(), "/") + "/"
}

// attempts runs the attempt loop. Each attempt yields an outcome; decide says whether it is sent
// again and whether the outcome of the call is unknown. Waits follow the backoff, honour
// Retry-After (capped), never outlast the context, and are skipped when the context's deadline
// would pass first. In raw mode the last answer is returned unread.
func (ex *exchange) attempts(ctx context.Context, req *http.Request, decode func([]byte) (string, error), rawMode bool) (*http.Response, error) {
	x, op := ex.x, ex.op
	var (
		lastErr  error
		sent     bool // some attempt may have left the machine
		lastResp *http.Response
		lastRID  string
	)
	maxRetries := x.maxRetries
	if ex.cfg.hasRetries {
		maxRetries = ex.cfg.maxRetries
	}
	finish := func(attempts int, err error) error {
		if info := ex.cfg.info; info != nil {
			*info = ResponseInfo{RequestID: lastRID, Attempts: attempts, Duration: time.Since(ex.started)}
			if lastResp != nil {
				info.StatusCode, info.Header = lastResp.StatusCode, lastResp.Header.Clone()
			}
		}
		return err
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, finish(attempt-1, ex.ctxError(attempt-1, sent, err, lastErr))
		}
		r, err := attemptRequest(ctx, req, attempt)
		if err != nil {
			return nil, finish(attempt-1, fmt.Errorf("%s%s: %w", errPrefix, op.ID, err))
		}
		// The attempt's start is read only by the log line: no clock read without a logger.
		var start time.Time
		if x.logger != nil {
			start = time.Now()
		}
		resp, err := x.hc.Do(r)
		var o outcome
		if err != nil {
			f := classify(err)
			o = outcome{kind: outcomeLost}
			if f.unsent {
				o = outcome{kind: outcomeNotSent, permanent: f.permanent}
			}
			sent = sent || !f.unsent
			te := &TransportError{Operation: op.ID, Attempts: attempt, Sent: sent, Err: ex.scrubber().err(err),
				OutcomeUnknown: decide(op.Retry, o).outcomeUnknown}
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					te.Err = fmt.Errorf("%w: %w", ctxErr, te.Err)
				}
				ex.log(ctx, req, attempt, o, start, te, 0)
				return nil, finish(attempt, te)
			}
			lastErr = te
		} else {
			sent = true
			lastResp = resp
			if resp.StatusCode < 200 {
				dropInformational(resp)
			}
			if rawMode {
				o = rawOutcome(resp)
				lastRID = o.requestID
				retry, wait := ex.willRetry(ctx, o, replayable, attempt, maxRetries)
				ex.log(ctx, req, attempt, o, start, nil, wait)
				if !retry {
					return resp, finish(attempt, nil)
				}
				discard(resp)
				lastErr = fmt.Errorf("%s%s: %d %s", errPrefix, op.ID, resp.StatusCode, http.StatusText(resp.StatusCode))
				if err := ex.sleep(ctx, wait); err != nil {
					return nil, finish(attempt, ex.ctxError(attempt, sent, err, lastErr))
				}
				continue
			}
			o, lastErr = ex.read(ctx, resp, attempt, decode)
			lastRID = o.requestID
			if o.kind == outcomeOK {
				ex.log(ctx, req, attempt, o, start, nil, 0)
				return nil, finish(attempt, nil)
			}
		}
		markUnknown(lastErr, decide(op.Retry, o).outcomeUnknown)
		retry, wait := ex.willRetry(ctx, o, replayable, attempt, maxRetries)
		ex.log(ctx, req, attempt, o, start, lastErr, wait)
		if !retry {
			return nil, finish(attempt, lastErr)
		}
		if err := ex.sleep(ctx, wait); err != nil {
			return nil, finish(attempt, ex.ctxError(attempt, sent, err, lastErr))
		}
	}
}

// willRetry says whether the call is sent again after an attempt that ended with o, and after
// which wait: the retry policy must allow it (decide), the body must be replayable, attempts must
// be left, and the context must not end before the wait is over.
func (ex *exchange) willRetry(ctx context.Context, o outcome, replayable bool, attempt, maxRetries int) (bool, time.Duration) {
	if !decide(ex.op.Retry, o).retry || !replayable || attempt > maxRetries || ctx.Err() != nil {
		return false, 0
	}
	wait := ex.x.backoff.delay(attempt, o.retryAfter)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return false, 0 // the deadline would pass before the next attempt
	}
	return true, wait
}

// sleep waits d between attempts, or until ctx ends.
func (ex *exchange) sleep(ctx context.Context, d time.Duration) error {
	if ex.x.sleep != nil {
		return ex.x.sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

// markUnknown records on the SDK's error types that the outcome of the call is unknown.
func markUnknown(err error, unknown bool) {
	// err is the value the attempt loop built, never wrapped: the field is set on it, not on an
	// error some other error wraps.
	switch e := err.(type) { //nolint:errorlint // see above
	case *Error:
		e.OutcomeUnknown = unknown
	case *DecodeError:
		e.OutcomeUnknown = unknown
	case *TransportError:
		e.OutcomeUnknown = unknown
	}
}

// rawOutcome is the outcome of an answer in raw mode, where bodies are the caller's to read.
func rawOutcome(resp *http.Response) outcome {
	o := outcome{kind: outcomeOK, status: resp.StatusCode, requestID: resp.Header.Get("X-Request-Id")}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.kind = outcomeStatus
		o.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return o
}

// ctxError is returned when the context ended between attempts or before the first one. sent
// says whether an earlier attempt left the machine.
func (ex *exchange) ctxError(attempts int, sent bool, ctxErr, last error) error {
	te := &TransportError{Operation: ex.op.ID, Attempts: attempts, Sent: sent, Err: ctxErr}
	if last != nil {
		// Only ctxErr is wrapped: the last attempt's failure is told in the message, so errors.As
		// on the result finds no *Error or *DecodeError of an attempt that did not end the call.
		te.Err = fmt.Errorf("%w (last failure: %v)", ctxErr, last) //nolint:errorlint // see above
		te.OutcomeUnknown = errors.Is(last, ErrOutcomeUnknown)
	}
	return te
}

// attemptRequest returns the request for one attempt, with ctx and a fresh body.
func attemptRequest(ctx context.Context, req *http.Request, attempt int) (*http.Request, error) {
	r := req.WithContext(ctx)
	if attempt > 1 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replaying the request body: %w", err)
		}
		r.Body = b
	}
	return r, nil
}

// read consumes resp and closes its body on every path.
//   - 2xx: the body is read in full, up to the cap, and decoded. A body declared larger than the
//     cap fails at once, unread; one found larger, or one that breaks off, fails too. All are
//     *DecodeError.
//   - any other status: an *Error built from the first errorBodyCap bytes, scrubbed of secrets.
//     A read that fails keeps the status: the *Error says what was read and why it stopped.
//
// What is left of a body is drained only when it is known to be short, so the connection can be
// reused; otherwise the connection is closed rather than held for a rest that may never come.
func (ex *exchange) read(ctx context.Context, resp *http.Response, attempt int, decode func([]byte) (string, error)) (outcome, error) {
	x, op := ex.x, ex.op
	o := outcome{status: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Read as success bodies are: a reader that reports more than it was given room for fails
		// the read instead of panicking.
		buf := getBuffer()
		n, rerr := buf.readFrom(resp.Body, errorBodyCap, resp.ContentLength)
		finishBody(resp, n, rerr != nil || n < errorBodyCap)
		e := newError(op, resp, buf.b, rerr, attempt) // copies what it keeps of the body
		putBuffer(buf)
		ex.scrubber().apply(e)
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		o.kind, o.requestID, o.retryAfter = outcomeStatus, e.RequestID, e.RetryAfter
		return o, e
	}
	o.kind = outcomeBrokenBody
	// fail ends a 2xx answer whose body cannot be used. The request ID is the body's when it
	// had one, else the X-Request-Id header's: looked up only here, since a success always
	// takes the body's.
	fail := func(err error) (outcome, error) {
		if o.requestID == "" {
			o.requestID = resp.Header.Get("X-Request-Id")
		}
		sc := ex.scrubber()
		return o, &DecodeError{Operation: op.ID, StatusCode: resp.StatusCode, RequestID: sc.String(o.requestID), Err: sc.err(err)}
	}
	if resp.ContentLength > x.maxBody {
		finishBody(resp, 0, false) // drained only when the declared rest is short
		return fail(fmt.Errorf("%w: %d bytes declared, the cap is %d", ErrResponseTooLarge, resp.ContentLength, x.maxBody))
	}
	buf := getBuffer()
	defer putBuffer(buf)
	n, rerr := buf.readFrom(resp.Body, x.maxBody+1, resp.ContentLength)
	finishBody(resp, n, rerr != nil || n <= x.maxBody)
	switch {
	case rerr != nil:
		o.truncated = true
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(rerr, ctxErr) {
			rerr = fmt.Errorf("%w: %w", rerr, ctxErr)
		}
		return fail(fmt.Errorf("reading the body: %w", rerr))
	case n > x.maxBody:
		return fail(fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, x.maxBody))
	}
	rid, err := decode(buf.b)
	o.requestID = rid
	if err != nil {
		return fail(err)
	}
	if o.requestID == "" { // not reached through call, whose decode requires a request_id
		o.requestID = resp.Header.Get("X-Request-Id")
	}
	o.kind = outcomeOK
	return o, nil
}

// finishBody closes resp's body after read bytes of it were read. Unless the body was read to its
// end, what is left is drained first, so the connection can be reused, but only when that can
// succeed: a rest declared longer than drainCap is not read at all (the connection is closed at
// once, rather than held while a server trickles out bytes that would be thrown away), and a rest
// of unknown length is read up to drainCap.
func finishBody(resp *http.Response, read int64, atEOF bool) {
	if !atEOF && (resp.ContentLength < 0 || resp.ContentLength-read <= drainCap) {
		_, _ = io.CopyN(io.Discard, resp.Body, drainCap)
	}
	_ = resp.Body.Close()
}

// dropInformational closes, unread, the body of an answer whose final status is 1xx, and leaves
// it an empty body. No request asks to switch protocols, yet a server can answer 101 Switching
// Protocols anyway, and net/http then hands over the connection itself as the body: reading it
// ignores the context and ends only when the server closes the connection, past every deadline.
// Closing it closes the connection. The answer keeps its status and headers: the typed methods
// return an *Error built from them, Client.Raw returns the answer with an empty body.
func dropInformational(resp *http.Response) {
	_ = resp.Body.Close()
	resp.Body, resp.ContentLength = http.NoBody, 0
}

// discard drops an answer that will not be used (raw mode, before a retry).
func discard(resp *http.Response) {
	finishBody(resp, 0, resp.ContentLength == 0)
}

// rawBody is the body of an answer Client.Raw returns: read up to the client's cap, and the call's
// deadline ends when it is closed.
type rawBody struct {
	io.ReadCloser
	r      io.Reader
	cancel context.CancelFunc
}

// Read reads through the client's cap. A reader underneath that reports more bytes than p holds
// (a faulty transport or middleware) fails the read with errReadCount instead of handing the
// caller a count that would panic its own slicing.
func (b *rawBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n < 0 || n > len(p) {
		return 0, errReadCount
	}
	return n, err
}

func (b *rawBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
