package resilience

import (
	"fmt"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// TestStoreDown: while the Postgres store is down, calls are answered
// 503 with Retry-After, never 200: nothing is acknowledged that is not
// stored. Once it is back, calls are acknowledged again and delivered.
func TestStoreDown(t *testing.T) {
	needBinary(t)
	t.Parallel()
	pg := pgtest.Start(t)
	w := newWorld(t, 1)
	b := startBridge(t, w.configFile(settings{store: pg.CreateDB(t, "down"), applyWait: "2s"}))
	if a := send(b.URL(), oofCall{user: "r00", on: true}); a.outcome != acked {
		t.Fatalf("with the store up: %v %d %s", a.outcome, a.status, a.body)
	}
	holds := func(on bool) func(vs map[string]view) []string {
		return func(vs map[string]view) []string {
			var p []string
			for _, name := range vendorNames {
				if vs[name].on["r00"] != on {
					p = append(p, fmt.Sprintf("%s does not hold on=%v", name, on))
				}
			}
			return p
		}
	}
	if p := w.converge(30*time.Second, holds(true)); len(p) > 0 {
		t.Fatalf("before the store went down: %s", firstN(p, 10))
	}
	pg.Stop()
	for i := range 5 {
		a := send(b.URL(), oofCall{user: "r00", on: i%2 == 0})
		if a.outcome == acked {
			t.Fatalf("call %d was acknowledged with the store down", i)
		}
		if a.status != 503 || a.header.Get("Retry-After") == "" {
			t.Errorf("call %d with the store down: %d, Retry-After %q, want 503 with Retry-After: %s", i, a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	pg.Restart(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := send(b.URL(), oofCall{user: "r00", on: false})
		if a.outcome == acked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after the store came back, calls still get %d: %s", a.status, a.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if p := w.converge(30*time.Second, holds(false)); len(p) > 0 {
		t.Fatalf("after the store came back: %s", firstN(p, 10))
	}
	// An event delivered just before the store went down may be
	// delivered again once it is back, if its delivery could not be
	// recorded: with the same event id, which is how a receiver tells a
	// redelivery from a change.
	v := w.views()["webhook"]
	if h := dedupe(v.events["r00"], v.history["r00"]); fmt.Sprint(h) != "[true false]" {
		t.Errorf("the webhook's events (one per event id) are on=%v, want the change before the store went down and the one after: [true false]", h)
	}
}
