package resilience

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// TestReplicas: 3 bridges on one Postgres store, calls spread over them
// round-robin, one killed with SIGKILL mid-run (its held work is rescued
// by the others). No acknowledged change is lost, no vendor is sent two
// requests for one user at once, and a replayed WS-Security
// UsernameToken is refused by every replica.
func TestReplicas(t *testing.T) {
	needBinary(t)
	t.Parallel()
	pg := pgtest.Start(t)
	w := newWorld(t, 48)
	// River takes a job that has run longer than rescue_after for a dead
	// replica's and has it worked again elsewhere, so rescue_after needs a
	// margin over a job's run on a busy machine (5s attempts, 30s).
	cfg := w.configFile(settings{store: pg.CreateDB(t, "replicas"), applyWait: "0s", replicas: 3, vendorTimeout: "5s", extra: "  rescue_after: 30s\n"})
	bs := []*bridge{startBridge(t, cfg), startBridge(t, cfg), startBridge(t, cfg)}

	// A token accepted by one replica is a replay at every replica.
	replay := oofCall{user: "r47", on: true, security: digestSecurity()}
	if a := send(bs[0].URL(), replay); a.outcome != acked {
		t.Fatalf("a fresh UsernameToken: %v %d %s", a.outcome, a.status, a.body)
	}
	for i, b := range bs {
		if a := send(b.URL(), replay); a.outcome == acked || !strings.Contains(a.body, "could not be authenticated") {
			t.Errorf("replica %d: the replayed UsernameToken got %v %d %s, want it refused", i, a.outcome, a.status, a.body)
		}
	}

	var mu sync.Mutex
	urls := []string{bs[0].URL(), bs[1].URL(), bs[2].URL()}
	l := newLedger()
	ld := &load{clients: 15, usersEach: 3, total: 900, urls: func() []string { mu.Lock(); defer mu.Unlock(); return urls }}
	done := make(chan struct{})
	go func() { defer close(done); ld.run(t, l) }()
	for ld.sent.Load() < int64(ld.total/2) {
		select {
		case <-done:
			t.Fatal("the load ended before the kill")
		case <-time.After(5 * time.Millisecond):
		}
	}
	bs[2].kill()
	mu.Lock()
	urls = urls[:2]
	mu.Unlock()
	killed := time.Now()
	<-done
	check := checkDelivered(l)
	if p := w.converge(120*time.Second, func(vs map[string]view) []string { return append(check(vs), noOverlaps(vs)...) }); len(p) > 0 {
		t.Fatalf("after draining:\n%s", firstN(p, 30))
	}
	t.Logf("%d calls over 3 replicas (%d acknowledged, %d cut), one killed at call %d; all delivered %s after the kill",
		ld.total, l.count(acked), l.count(cut), ld.total/2, time.Since(killed).Round(100*time.Millisecond))
}
