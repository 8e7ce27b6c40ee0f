package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// jsonLines parses a JSON log, one object per line.
func jsonLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if strings.TrimSpace(log) == "" {
		return nil
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// TestEveryCallLineHasRequestID sends one call through the embedded demo
// (every vendor a fake, at debug level so adapters' own lines show) and
// requires the call's request id on every line it caused, the delivery
// workers' and adapters' included. The job engine's own lines (component
// river) and the start-up lines belong to no call.
func TestEveryCallLineHasRequestID(t *testing.T) {
	cfg := config.Default()
	cfg.Log.Level = "debug"
	var buf vendortest.SafeBuffer
	srv, err := server.Build(cfg, logging.New(&buf, cfg.Log))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	hdr, body := mustReadCase(t, "wcf-oof-11")
	hdr = hdr.Clone()
	hdr.Set("Authorization", "Basic ZGVtbzpkZW1vLXBhc3N3b3Jk") // demo:demo-password
	hdr.Set("X-Request-ID", "trace-me-1")
	before := len(jsonLines(t, buf.String()))
	if rec := post(srv.Handler(), hdr, body); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var lines []map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		lines = jsonLines(t, buf.String())[before:]
		calls := 0
		for _, l := range lines {
			if l["msg"] == "vendor call" {
				calls++
			}
		}
		if calls >= 6 || time.Now().After(deadline) {
			break // every demo vendor attempted once
		}
	}
	vendors := map[string]bool{}
	for _, l := range lines {
		if l["component"] == "river" {
			continue
		}
		if l["request_id"] != "trace-me-1" {
			t.Errorf("a line of the call lacks its request_id: %v", l)
		}
		if v, ok := l["vendor"].(string); ok {
			vendors[v] = true
		}
		if _, ok := l["status"]; ok {
			t.Errorf("a line uses the ambiguous key status: %v", l)
		}
	}
	if len(vendors) < 3 {
		t.Errorf("only %d vendors logged (%v); the demo fans out to more", len(vendors), vendors)
	}
}
