package resilience

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// load is the clients of the crash and replica tests: each owns its
// users and calls for them in turn, each user's OOF toggled by every
// call, until total calls were sent (a refused connection, while a bridge
// restarts, is not a call sent: the client tries again). urls spreads the
// calls round-robin.
type load struct {
	clients, usersEach, total int
	urls                      func() []string
	sent                      atomic.Int64
}

func (ld *load) run(t *testing.T, l *ledger) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for c := range ld.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			on := map[string]bool{}
			for k := 0; ; k++ {
				if ld.sent.Add(1) > int64(ld.total) {
					return
				}
				u := userName(c*ld.usersEach + k%ld.usersEach)
				on[u] = !on[u]
				for tries := 0; ; tries++ {
					urls := ld.urls()
					a := send(urls[int(next.Add(1))%len(urls)], oofCall{user: u, on: on[u]})
					if a.outcome == refused && tries < 500 {
						time.Sleep(20 * time.Millisecond)
						continue
					}
					if a.outcome == faulted {
						t.Logf("%s: a fault answered, %d: %s", u, a.status, a.body)
					}
					l.add(u, on[u], a.outcome)
					break
				}
			}
		}()
	}
	wg.Wait()
}

// killPoints are n moments of a run (counts of calls sent), random and at
// least gap apart, within (gap, total-gap).
func killPoints(n, total, gap int) []int64 {
	for {
		var p []int64
		for range n {
			p = append(p, int64(gap+rand.IntN(total-2*gap)))
		}
		slices.Sort(p)
		ok := true
		for i := 1; i < n; i++ {
			ok = ok && p[i]-p[i-1] >= int64(gap)
		}
		if ok {
			return p
		}
	}
}

// crash runs the crash test on a store: 16 clients owning 3 users each,
// 2,000 calls, the bridge killed with SIGKILL 5 times at random moments
// and restarted on the same store. After draining, each vendor holds for
// each user the state of the user's last acknowledged call (or of a later
// one whose answer was cut), and the webhook received every acknowledged
// change, in order.
func crash(t *testing.T, store string) {
	w := newWorld(t, 48)
	// What a killed process held is worked again at its restart (SQLite)
	// or after rescue_after (Postgres, where it could be another
	// replica's): the shortest that fanout.vendor_timeout allows.
	b := startBridge(t, w.configFile(settings{store: store, applyWait: "0s", extra: "  rescue_after: 20s\n"}))
	l := newLedger()
	ld := &load{clients: 16, usersEach: 3, total: 2000, urls: func() []string { return []string{b.URL()} }}
	points := killPoints(5, ld.total, 150)
	began := time.Now()
	done := make(chan struct{})
	go func() { defer close(done); ld.run(t, l) }()
	for _, p := range points {
		for ld.sent.Load() < p {
			select {
			case <-done:
				t.Fatalf("the load ended before the kill at call %d", p)
			case <-time.After(5 * time.Millisecond):
			}
		}
		b.restart()
	}
	<-done
	loaded := time.Since(began)
	if p := w.converge(150*time.Second, checkDelivered(l)); len(p) > 0 {
		rej := w.wh.State().Rejected
		t.Fatalf("after draining (the webhook rejected %d requests: %v):\n%s", len(rej), rej[:min(len(rej), 5)], firstN(p, 30))
	}
	t.Logf("%d calls (%d acknowledged, %d cut, %d faults) with SIGKILLs at calls %v in %s; drained %s later",
		ld.total, l.count(acked), l.count(cut), l.count(faulted), points, loaded.Round(100*time.Millisecond),
		(time.Since(began) - loaded).Round(100*time.Millisecond))
}

func TestCrashSQLite(t *testing.T) {
	needBinary(t)
	t.Parallel()
	crash(t, "sqlite:"+filepath.Join(t.TempDir(), "d.db"))
}

func TestCrashPostgres(t *testing.T) {
	needBinary(t)
	t.Parallel()
	crash(t, pgtest.Start(t).CreateDB(t, "crash"))
}
