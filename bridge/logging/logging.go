// Package logging builds the bridge's logger from the `log:` config: JSON
// or text lines at a level a reload can change, and the request id of the
// SOAP call a line belongs to added from the context, so that vendor
// adapters and the engine need not pass it along by hand, and the trace id
// when the call is traced. The keys the
// bridge writes are one documented set (README, "Log lines").
package logging

import (
	"context"
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// KeyRequestID is the key of the request id on every line that belongs
// to a SOAP call.
const KeyRequestID = "request_id"

// KeyTraceID is the key of the trace id on a line written under a traced
// call, to go from a log line to its trace.
const KeyTraceID = "trace_id"

type ctxKey struct{}

// WithRequestID returns ctx carrying the request id of the call it serves.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// LogAttrs writes a line as l.LogAttrs does, but without the caller's
// program counter: slog takes it for every line, a walk of the stack, and
// the bridge's handlers never print it (no AddSource). It is for the
// lines written on every call (2% of a call's CPU went to the walk).
func LogAttrs(ctx context.Context, l *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) {
	if !l.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(attrs...)
	_ = l.Handler().Handle(ctx, r)
}

// New returns a logger writing c.Format lines to w at c.Level. When w is
// a *Buffer, a line at the warning level or above is written at once,
// with what the buffer held before it.
func New(w io.Writer, c config.Log) *slog.Logger {
	level := new(slog.LevelVar)
	level.Set(c.SlogLevel())
	opts := &slog.HandlerOptions{Level: level}
	var inner slog.Handler
	if c.Format == "text" {
		inner = slog.NewTextHandler(w, opts)
	} else {
		inner = newJSONHandler(w, opts)
	}
	buf, _ := w.(*Buffer)
	return slog.New(&handler{inner: inner, level: level, buf: buf})
}

// SetLevel changes the level of a logger made by New, and of every logger
// derived from it; it reports false for any other logger.
func SetLevel(l *slog.Logger, level slog.Level) bool {
	h, ok := l.Handler().(*handler)
	if ok {
		h.level.Set(level)
	}
	return ok
}

// handler adds the context's request id to a record that lacks one.
type handler struct {
	inner slog.Handler
	level *slog.LevelVar
	// hasID is set once WithAttrs added a request id to every record.
	hasID bool
	buf   *Buffer // flushed after a warning or an error; nil: none
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
	var extraBuf [2]slog.Attr
	extra := extraBuf[:0]
	if id != "" && !h.hasID && !hasKey(r, KeyRequestID) {
		extra = append(extra, slog.String(KeyRequestID, id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		extra = append(extra, slog.String(KeyTraceID, sc.TraceID().String()))
	}
	var err error
	if j, ok := h.inner.(*jsonHandler); ok {
		err = j.handle(ctx, r, extra) // writes extra without a copy of r
	} else {
		err = h.inner.Handle(ctx, withAttrs(r, extra))
	}
	if h.buf != nil && r.Level >= slog.LevelWarn {
		h.buf.Flush()
	}
	return err
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	has := h.hasID
	for _, a := range as {
		has = has || a.Key == KeyRequestID
	}
	return &handler{inner: h.inner.WithAttrs(as), level: h.level, hasID: has, buf: h.buf}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{inner: h.inner.WithGroup(name), level: h.level, hasID: h.hasID, buf: h.buf}
}

// withAttrs returns r with attrs added after its own, in a copy: the
// caller's record may be shared.
func withAttrs(r slog.Record, attrs []slog.Attr) slog.Record {
	if len(attrs) == 0 {
		return r
	}
	r = r.Clone()
	r.AddAttrs(attrs...)
	return r
}

func hasKey(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}
