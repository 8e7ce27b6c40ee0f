package resilience

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestDedupe: a client's retry of a call (the same WS-Addressing
// MessageID and body) makes no second change: no second webhook event id,
// no second state at a vendor; even a retry that comes after later
// changes. A toggle back to an earlier state is a new change.
func TestDedupe(t *testing.T) {
	needBinary(t)
	t.Parallel()
	w := newWorld(t, 1)
	b := startBridge(t, w.configFile(settings{store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), applyWait: "1s"}))
	first := oofCall{user: "r00", on: true, messageID: "urn:uuid:6f1c2a4e-0d6b-4b8e-9a51-3f3e0c9f7a01"}
	for i, c := range []oofCall{
		first,
		first, // the client retries: it lost the answer
		{user: "r00", on: false, messageID: "urn:uuid:6f1c2a4e-0d6b-4b8e-9a51-3f3e0c9f7a02"},
		{user: "r00", on: true, messageID: "urn:uuid:6f1c2a4e-0d6b-4b8e-9a51-3f3e0c9f7a03"}, // back on: a new change
		first, // a late retry of the first call
	} {
		if a := send(b.URL(), c); a.outcome != acked {
			t.Fatalf("call %d: %v %d %v %s", i, a.outcome, a.status, a.err, a.body)
		}
	}
	want := []bool{true, false, true}
	check := func(vs map[string]view) []string {
		var p []string
		ev := vs["webhook"].events["r00"]
		seen := map[string]bool{}
		for _, id := range ev {
			if seen[id] {
				p = append(p, "the webhook received the event id "+id+" twice")
			}
			seen[id] = true
		}
		if h := vs["webhook"].history["r00"]; fmt.Sprint(h) != fmt.Sprint(want) {
			p = append(p, fmt.Sprintf("the webhook's events are on=%v (ids %v), want %v", h, ev, want))
		}
		for _, name := range []string{"superoffice", "therefore", "grommunio"} {
			// Each vendor applied the first change once; folding may
			// merge the two later ones.
			if h := vs[name].history["r00"]; len(h) == 0 || len(h) > 3 || !h[0] || !h[len(h)-1] {
				p = append(p, fmt.Sprintf("%s applied on=%v, want on first and last, at most 3 states", name, h))
			}
		}
		return p
	}
	if p := w.converge(30*time.Second, check); len(p) > 0 {
		t.Fatalf("%s", firstN(p, 10))
	}
	time.Sleep(time.Second) // a second event would have come by now
	if p := check(w.views()); len(p) > 0 {
		t.Fatalf("later: %s", firstN(p, 10))
	}
}
