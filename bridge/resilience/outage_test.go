package resilience

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestOutage: Therefore REST answers 503 for 20 s while 30 OOF calls for
// 3 users are made. Every call is answered 200 (the change is stored);
// after the outage every vendor holds each user's last state, and none
// lost or reordered a change.
func TestOutage(t *testing.T) {
	needBinary(t)
	t.Parallel()
	w := newWorld(t, 3)
	b := startBridge(t, w.configFile(settings{store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), applyWait: "500ms"}))
	w.fault("therefore", `{"status":503,"for":"20s"}`)
	began := time.Now()
	l := newLedger()
	var wg sync.WaitGroup
	for _, u := range w.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 10 {
				on := k%2 == 0 // on, off, ... : the last call is off; r00..r02 start off
				if u == "r01" {
					on = !on // and one user ends on
				}
				a := send(b.URL(), oofCall{user: u, on: on})
				l.add(u, on, a.outcome)
				if a.outcome != acked {
					t.Errorf("%s call %d: %v %d %v %s", u, k, a.outcome, a.status, a.err, a.body)
				}
				time.Sleep(1200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if since := time.Since(began); since < 19*time.Second {
		for _, u := range w.users {
			if h := w.views()["therefore"].history[u]; len(h) != 0 {
				t.Fatalf("Therefore REST applied %d states for %s during its outage: the fault did not hold", len(h), u)
			}
		}
	} else {
		t.Logf("the calls took %s, longer than the outage", since.Round(time.Millisecond))
	}
	delivered := checkDelivered(l)
	check := func(vs map[string]view) []string {
		p := delivered(vs)
		for _, u := range w.users {
			if len(vs["therefore"].history[u]) == 0 { // r00 and r02 end as they began: off
				p = append(p, "Therefore REST never received "+u+"'s state")
			}
		}
		return p
	}
	if p := w.converge(60*time.Second, check); len(p) > 0 {
		t.Fatalf("after the outage (%s since it began):\n%s", time.Since(began).Round(time.Second), firstN(p, 20))
	}
	t.Logf("30 calls acknowledged, all delivered %s after the outage began", time.Since(began).Round(100*time.Millisecond))
}
