package logsink_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

func TestKeepAndRedaction(t *testing.T) {
	zero, two := 0, 2
	for _, tc := range []struct {
		name string
		keep *int
		want int
	}{{"default keeps up to 100", nil, 3}, {"keep 0 keeps none", &zero, 0}, {"keep 2 keeps the last 2", &two, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := vendortest.Logger()
			s := logsink.New(logsink.Config{Keep: tc.keep}, log)
			for range 3 {
				if res := s.Deliver(context.Background(), vendortest.PortalUserCall()); res.Status != 0 {
					t.Fatalf("deliver: %+v", res)
				}
			}
			if n := len(s.Calls()); n != tc.want {
				t.Errorf("%d calls kept, want %d", n, tc.want)
			}
			if strings.Count(buf.String(), `"decoded call"`) != 3 {
				t.Errorf("want 3 log lines:\n%s", buf.String())
			}
			vendortest.AssertNoSecret(t, fanout.Result{}, buf, vendortest.PortalUserSecret)
		})
	}
}

// counted is a parameter value that counts its JSON encodings.
type counted struct{ n *atomic.Int64 }

func (c counted) MarshalJSON() ([]byte, error) {
	c.n.Add(1)
	return []byte(`{"a":1}`), nil
}

// TestNoJSONUnlessRead: the JSON is made only when a debug line is written
// or the kept calls are read, never on the call's path otherwise.
func TestNoJSONUnlessRead(t *testing.T) {
	zero, two := 0, 2
	for _, tc := range []struct {
		name      string
		level     slog.Level
		keep      *int
		atDeliver int64 // encodings during 3 deliveries
		lines     int
	}{
		{"info, keep 0: nothing", slog.LevelInfo, &zero, 0, 0},
		{"info, keep 2: only when read", slog.LevelInfo, &two, 0, 0},
		{"debug: the debug line", slog.LevelDebug, &zero, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := logsink.New(logsink.Config{Keep: tc.keep}, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.level})))
			var n atomic.Int64
			for range 3 {
				s.Deliver(context.Background(), &fanout.Call{RequestID: "r", Operation: "SavePortalUser", Params: counted{&n}})
			}
			if got := n.Load(); got != tc.atDeliver {
				t.Errorf("%d JSON encodings while delivering, want %d", got, tc.atDeliver)
			}
			if got := strings.Count(buf.String(), `"decoded call"`); got != tc.lines {
				t.Errorf("%d log lines, want %d", got, tc.lines)
			}
			calls := s.Calls()
			if got := n.Load() - tc.atDeliver; got != int64(len(calls)) {
				t.Errorf("reading %d kept calls made %d encodings", len(calls), got)
			}
			for _, c := range calls {
				if string(c.Params) != `{"a":1}` {
					t.Errorf("kept params %s", c.Params)
				}
			}
		})
	}
}
