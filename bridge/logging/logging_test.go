package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
)

func TestRequestIDFromContext(t *testing.T) {
	ctx := logging.WithRequestID(context.Background(), "r1")
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string // the request_id of the line, "" for none
	}{
		{"from the context", func(l *slog.Logger) { l.InfoContext(ctx, "m") }, "r1"},
		{"explicit wins, not doubled", func(l *slog.Logger) { l.InfoContext(ctx, "m", "request_id", "r2") }, "r2"},
		{"from With", func(l *slog.Logger) { l.With("request_id", "r3").InfoContext(ctx, "m") }, "r3"},
		{"no call, no id", func(l *slog.Logger) { l.Info("m") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(logging.New(&buf, config.Log{Level: "info", Format: "json"}))
			if n := strings.Count(buf.String(), `"request_id"`); n > 1 {
				t.Fatalf("request_id written %d times: %s", n, buf.String())
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("not one JSON line: %q", buf.String())
			}
			got, _ := line["request_id"].(string)
			if got != tt.want {
				t.Errorf("request_id = %q, want %q (line %s)", got, tt.want, buf.String())
			}
		})
	}
}

func TestTraceID(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	var buf bytes.Buffer
	l := logging.New(&buf, config.Log{Level: "info", Format: "json"})
	l.InfoContext(ctx, "traced")
	l.Info("untraced")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.Contains(lines[0], `"trace_id":"`+sc.TraceID().String()+`"`) || strings.Contains(lines[1], "trace_id") {
		t.Errorf("trace_id on the wrong lines:\n%s", buf.String())
	}
}

func TestLevelAndFormat(t *testing.T) {
	tests := []struct {
		cfg        config.Log
		wantDebug  bool
		wantPrefix string
	}{
		{config.Log{Level: "debug", Format: "json"}, true, "{"},
		{config.Log{Level: "info", Format: "text"}, false, "time="},
		{config.Log{Level: "error", Format: "json"}, false, "{"},
	}
	for _, tt := range tests {
		t.Run(tt.cfg.Level+"/"+tt.cfg.Format, func(t *testing.T) {
			var buf bytes.Buffer
			l := logging.New(&buf, tt.cfg)
			l.Debug("dbg")
			l.Error("err")
			if got := strings.Contains(buf.String(), "dbg"); got != tt.wantDebug {
				t.Errorf("debug line written = %v, want %v: %s", got, tt.wantDebug, buf.String())
			}
			if !strings.HasPrefix(buf.String(), tt.wantPrefix) {
				t.Errorf("output %q does not start with %q", buf.String(), tt.wantPrefix)
			}
		})
	}
}

func TestSetLevel(t *testing.T) {
	var buf bytes.Buffer
	l := logging.New(&buf, config.Log{Level: "info", Format: "json"})
	derived := l.With("vendor", "x")
	if !logging.SetLevel(l, slog.LevelDebug) {
		t.Fatal("SetLevel refused the bridge's own logger")
	}
	derived.Debug("now visible")
	if !strings.Contains(buf.String(), "now visible") {
		t.Errorf("a derived logger kept the old level: %q", buf.String())
	}
	if logging.SetLevel(slog.New(slog.DiscardHandler), slog.LevelDebug) {
		t.Error("SetLevel claimed to change a logger it did not make")
	}
}

// LogAttrs writes the line slog's LogAttrs writes, but for its time, and
// nothing below the level.
func TestLogAttrs(t *testing.T) {
	ctx := logging.WithRequestID(context.Background(), "r1")
	attrs := []slog.Attr{slog.String("operation", `Save"x"`), slog.Int("http_status", 200), slog.Duration("latency", 1500)}
	for _, format := range []string{"json", "text"} {
		var viaSlog, viaLogging bytes.Buffer
		slog.New(logging.New(&viaSlog, config.Log{Level: "info", Format: format}).Handler()).LogAttrs(ctx, slog.LevelInfo, "soap call", attrs...)
		l := logging.New(&viaLogging, config.Log{Level: "info", Format: format})
		logging.LogAttrs(ctx, l, slog.LevelInfo, "soap call", attrs...)
		logging.LogAttrs(ctx, l, slog.LevelDebug, "below the level", attrs...)
		strip := func(s string) string { // the time differs
			_, rest, _ := strings.Cut(s, "level")
			return rest
		}
		if got, want := strip(viaLogging.String()), strip(viaSlog.String()); got != want || strings.Count(viaLogging.String(), "\n") != 1 {
			t.Errorf("%s:\n got %q\nwant %q", format, viaLogging.String(), viaSlog.String())
		}
	}
}
