package logging

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
)

// sameAsSlog checks that jsonHandler writes what slog's JSONHandler
// writes, for the record r logged through the handlers that with makes of
// each, with extra added as the request id and the trace id are.
func sameAsSlog(t *testing.T, with func(slog.Handler) slog.Handler, r slog.Record, extra ...slog.Attr) {
	t.Helper()
	opts := &slog.HandlerOptions{Level: slog.LevelDebug - 8}
	var got, want bytes.Buffer
	ours := with(newJSONHandler(&got, opts))
	theirs := with(slog.NewJSONHandler(&want, opts))
	if j, ok := ours.(*jsonHandler); ok {
		if err := j.handle(context.Background(), r, extra); err != nil {
			t.Fatal(err)
		}
	} else if err := ours.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	r = r.Clone()
	r.AddAttrs(extra...)
	if err := theirs.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("jsonHandler wrote\n%s\nslog's JSONHandler\n%s", got.String(), want.String())
	}
}

func same(h slog.Handler) slog.Handler { return h }

func TestJSONHandlerWritesAsSlog(t *testing.T) {
	at := time.Date(2026, 12, 1, 1, 2, 3, 456789000, time.FixedZone("CET", 3600))
	odd := "quote \" backslash \\ tab \t nl \n cr \r bs \b ff \f nul \x00 esc \x1b html <a&b> del \x7f ls \u2028 ps \u2029 bad \xff\xfe utf8 é 日本 😀"
	rec := func(tm time.Time, level slog.Level, msg string, attrs ...slog.Attr) slog.Record {
		r := slog.NewRecord(tm, level, msg, 0)
		r.AddAttrs(attrs...)
		return r
	}
	plain := []slog.Attr{
		slog.String("request_id", "0a1b"), slog.String("odd", odd), slog.String("", "empty key"), slog.String(odd, "odd key"),
		slog.Int("n", -42), slog.Int64("big", math.MinInt64), slog.Uint64("u", math.MaxUint64), slog.Bool("t", true), slog.Bool("f", false),
		slog.Duration("latency", 1234567*time.Nanosecond), slog.Duration("neg", -time.Second),
	}
	tests := []struct {
		name  string
		with  func(slog.Handler) slog.Handler
		r     slog.Record
		extra []slog.Attr
	}{
		{"a soap call line", same, rec(at, slog.LevelInfo, "soap call", plain...), nil},
		{"no attributes", same, rec(at, slog.LevelWarn, "m"), nil},
		{"a zero time", same, rec(time.Time{}, slog.LevelError, "m", slog.Int("n", 1)), nil},
		{"a monotonic time", same, rec(time.Now(), slog.LevelInfo, "m"), nil},
		{"a year past 9999", same, rec(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "m"), nil},
		{"a negative year", same, rec(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "m"), nil},
		{"odd levels", same, rec(at, slog.LevelDebug-2, odd), nil},
		{"warn+1", same, rec(at, slog.LevelWarn+1, "m"), nil},
		{"extra attributes", same, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), []slog.Attr{slog.String("request_id", "r1"), slog.String("trace_id", "t1")}},
		{"extra on none", same, rec(at, slog.LevelInfo, "m"), []slog.Attr{slog.String("request_id", "r1")}},
		{"a float (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Float64("x", 1e21)), nil},
		{"a time (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Time("at", at)), nil},
		{"an error (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Any("err", errors.New(odd))), []slog.Attr{slog.String("request_id", "r1")}},
		{"a group (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Group("g", slog.Int("a", 1)), slog.Group("", slog.Int("b", 2))), nil},
		{"an empty attribute (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Attr{}), nil},
		{"a map (slog's)", same, rec(at, slog.LevelInfo, "m", slog.Any("m", map[string]int{"a": 1})), nil},
		{"WithAttrs", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("component", "delivery"), slog.Int("shard", 3)}).WithAttrs([]slog.Attr{slog.String("vendor", odd)})
		}, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), []slog.Attr{slog.String("request_id", "r1")}},
		{"WithAttrs, no record attributes", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("component", "delivery")})
		}, rec(at, slog.LevelInfo, "m"), nil},
		{"WithAttrs of nothing", func(h slog.Handler) slog.Handler { return h.WithAttrs(nil) }, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), nil},
		{"WithAttrs of a float (slog's)", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.Float64("x", 0.5)}).WithAttrs([]slog.Attr{slog.String("s", "v")})
		}, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), nil},
		{"WithGroup (slog's)", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("a", "b")}).WithGroup("g").WithAttrs([]slog.Attr{slog.String("c", "d")})
		}, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), []slog.Attr{slog.String("request_id", "r1")}},
		{"WithGroup of no name", func(h slog.Handler) slog.Handler { return h.WithGroup("") }, rec(at, slog.LevelInfo, "m", slog.Int("n", 1)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { sameAsSlog(t, tt.with, tt.r, tt.extra...) })
	}
}

// TestJSONHandlerWritesItself checks that the common lines are written by
// jsonHandler and not handed to slog, which the test above cannot tell.
func TestJSONHandlerWritesItself(t *testing.T) {
	h := newJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{})
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "soap call", 0)
	r.AddAttrs(slog.String("a", "b"), slog.Int("n", 1), slog.Uint64("u", 1), slog.Bool("b", true), slog.Duration("d", time.Second))
	if !h.writes(r, []slog.Attr{slog.String("request_id", "r")}) {
		t.Error("a line of strings, integers, booleans and durations is handed to slog")
	}
	if h.WithAttrs([]slog.Attr{slog.String("c", "d")}).(*jsonHandler).grouped {
		t.Error("WithAttrs of a string hands every line to slog")
	}
	r.AddAttrs(slog.Float64("x", 1))
	if h.writes(r, nil) {
		t.Error("a float is written by jsonHandler")
	}
}

// TestJSONHandlerOneWriter checks that jsonHandler's lines and slog's take
// one lock: each reaches the writer whole.
func TestJSONHandlerOneWriter(t *testing.T) {
	var w serialWriter
	h := newJSONHandler(&w, &slog.HandlerOptions{})
	done := make(chan bool)
	for _, a := range []slog.Attr{slog.String("s", "v"), slog.Float64("f", 1)} {
		go func() {
			for range 200 {
				r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
				r.AddAttrs(a)
				_ = h.Handle(context.Background(), r)
			}
			done <- true
		}()
	}
	<-done
	<-done
	if w.overlaps > 0 {
		t.Errorf("%d writes overlapped another", w.overlaps)
	}
	if n := strings.Count(w.buf.String(), "\n"); n != 400 {
		t.Errorf("%d lines, want 400", n)
	}
}

// serialWriter counts the writes made while another was under way.
type serialWriter struct {
	busy     bool
	overlaps int
	buf      bytes.Buffer
}

func (w *serialWriter) Write(p []byte) (int, error) {
	if w.busy {
		w.overlaps++
	}
	w.busy = true
	time.Sleep(time.Microsecond)
	w.buf.Write(p)
	w.busy = false
	return len(p), nil
}

func FuzzJSONHandler(f *testing.F) {
	f.Add("soap call", "request_id", "0a1b", int64(5), uint8(0))
	f.Add("m \u2028 \xff", "k\"", "<&>\x00", int64(-1), uint8(7))
	f.Fuzz(func(t *testing.T, msg, key, val string, n int64, kinds uint8) {
		r := slog.NewRecord(time.Unix(0, n).UTC(), slog.Level(n%13), msg, 0)
		attrs := []slog.Attr{slog.String(key, val), slog.Int64(val, n), slog.Uint64(key, uint64(n)), slog.Bool(msg, n%2 == 0), slog.Duration(key, time.Duration(n))}
		for i, a := range attrs {
			if kinds&(1<<i) != 0 {
				r.AddAttrs(a)
			}
		}
		var with []slog.Attr
		if kinds&(1<<5) != 0 {
			with = append(with, slog.String(val, key))
		}
		if kinds&(1<<6) != 0 {
			with = append(with, slog.Float64(key, float64(n))) // slog's lines
		}
		var extra []slog.Attr
		if kinds&(1<<7) != 0 {
			extra = append(extra, slog.String("request_id", val))
		}
		sameAsSlog(t, func(h slog.Handler) slog.Handler { return h.WithAttrs(with) }, r, extra...)
	})
}
