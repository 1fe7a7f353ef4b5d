package b2b

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// log writes one debug line per attempt: operation, method, path, status, attempt, duration (since
// start, which the caller reads from the clock only when a logger is set),
// request ID, the error and the wait before the next attempt. Bodies and headers are never logged;
// the error is the SDK's own, scrubbed of the call's secrets, and so is the request ID (a server
// may echo anything back in it).
func (ex *exchange) log(ctx context.Context, req *http.Request, attempt int, o outcome, start time.Time, err error, retryIn time.Duration) {
	l := ex.x.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	d := time.Since(start)
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("operation", ex.op.ID),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if o.status != 0 {
		attrs = append(attrs, slog.Int("status", o.status))
	}
	if o.requestID != "" {
		attrs = append(attrs, slog.String("request_id", oneLine(ex.scrubber().String(o.requestID))))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if retryIn > 0 {
		attrs = append(attrs, slog.Duration("retry_in", retryIn))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "stytch b2b request", attrs...)
}
