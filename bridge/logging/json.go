package logging

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/jsonw"
)

// jsonHandler writes the lines of slog's JSONHandler, byte for byte, and
// writes the common ones itself: those whose values are strings,
// integers, booleans and durations, under no group. slog's handler works
// every attribute through a general state machine (groups, ReplaceAttr,
// LogValuers, a pooled state) and a call's two lines spent 7% of its CPU
// there. Any other line is slog's to write, to the same writer under the
// same lock, so the two kinds never interleave.
type jsonHandler struct {
	mu *sync.Mutex
	w  io.Writer
	// pre is what WithAttrs added, written: `"key":value` joined by commas.
	pre []byte
	// grouped: WithGroup was called, or WithAttrs was given what this
	// handler does not write itself; every line is then slog's.
	grouped bool
	slog    slog.Handler
}

func newJSONHandler(w io.Writer, opts *slog.HandlerOptions) *jsonHandler {
	mu := new(sync.Mutex)
	return &jsonHandler{mu: mu, w: w, slog: slog.NewJSONHandler(lockedWriter{mu, w}, opts)}
}

// lockedWriter is the writer of slog's handler: its lines take the lock
// that jsonHandler's own take.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (h *jsonHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.slog.Enabled(ctx, l)
}

func (h *jsonHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.handle(ctx, r, nil)
}

// handle writes r with extra after its attributes, as if r had them.
func (h *jsonHandler) handle(ctx context.Context, r slog.Record, extra []slog.Attr) error {
	if !h.writes(r, extra) {
		return h.slog.Handle(ctx, withAttrs(r, extra))
	}
	bp := linePool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.Round(0).AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = jsonw.AppendSlogString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = jsonw.AppendSlogString(b, r.Message)
	if len(h.pre) > 0 {
		b = append(b, ',')
		b = append(b, h.pre...)
	}
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(append(b, ','), a)
		return true
	})
	for _, a := range extra {
		b = appendAttr(append(b, ','), a)
	}
	b = append(b, '}', '\n')
	h.mu.Lock()
	_, err := h.w.Write(b)
	h.mu.Unlock()
	if cap(b) <= maxPooledLine {
		*bp = b
		linePool.Put(bp)
	}
	return err
}

// writes reports whether h writes r (and extra) itself.
func (h *jsonHandler) writes(r slog.Record, extra []slog.Attr) bool {
	if h.grouped {
		return false
	}
	// slog writes an error in the line for a year RFC 3339 cannot hold.
	if y := r.Time.Year(); !r.Time.IsZero() && (y < 0 || y >= 10000) {
		return false
	}
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		ok = plain(a)
		return ok
	})
	for _, a := range extra {
		ok = ok && plain(a)
	}
	return ok
}

// plain reports whether a is one jsonHandler writes itself: a kind that
// needs no resolving, marshalling or grouping.
func plain(a slog.Attr) bool {
	switch a.Value.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration:
		return true
	}
	return false
}

// appendAttr writes a plain attribute as slog's JSONHandler does.
func appendAttr(b []byte, a slog.Attr) []byte {
	b = jsonw.AppendSlogString(b, a.Key)
	b = append(b, ':')
	v := a.Value
	switch v.Kind() {
	case slog.KindString:
		return jsonw.AppendSlogString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(b, int64(v.Duration()), 10)
	}
	panic("logging: appendAttr of a kind plain refuses: " + v.Kind().String())
}

func (h *jsonHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	h2.slog = h.slog.WithAttrs(as)
	if h.grouped {
		return &h2
	}
	pre := append([]byte(nil), h.pre...)
	for _, a := range as {
		if !plain(a) {
			h2.grouped = true
			return &h2
		}
		if len(pre) > 0 {
			pre = append(pre, ',')
		}
		pre = appendAttr(pre, a)
	}
	h2.pre = pre
	return &h2
}

func (h *jsonHandler) WithGroup(name string) slog.Handler {
	h2 := *h
	h2.slog = h.slog.WithGroup(name)
	h2.grouped = true
	return &h2
}

// linePool holds the buffers lines are made in; one much longer than
// usual is let go rather than kept.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledLine = 16 << 10
