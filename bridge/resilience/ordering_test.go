package resilience

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestOrdering: 100 times, two calls for one user sent at the same
// moment, "on" adding one delegate and "off" adding another. Every vendor
// ends agreeing with the others (the order the bridge stored the two in,
// which the webhook's event stream shows), and both delegates are there
// at grommunio and Therefore, whose delegate lists are read, changed and
// written back.
func TestOrdering(t *testing.T) {
	needBinary(t)
	t.Parallel()
	const runs = 100
	w := newWorld(t, runs+2)
	d1, d2 := userName(runs), userName(runs+1)
	b := startBridge(t, w.configFile(settings{store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), applyWait: "1s"}))
	sem := make(chan struct{}, 8) // runs at once, each a pair of calls
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			u := userName(i)
			start := make(chan struct{})
			answers := make([]answer, 2)
			var pair sync.WaitGroup
			for k, c := range []oofCall{{user: u, on: true, add: []string{d1}}, {user: u, on: false, add: []string{d2}}} {
				pair.Add(1)
				go func() { defer pair.Done(); <-start; answers[k] = send(b.URL(), c) }()
			}
			close(start)
			pair.Wait()
			for k, a := range answers {
				if a.outcome != acked {
					t.Errorf("run %d, call %d: %v %d %v %s", i, k, a.outcome, a.status, a.err, a.body)
				}
			}
		}()
	}
	wg.Wait()
	began := time.Now()
	p := w.converge(60*time.Second, func(vs map[string]view) []string {
		var p []string
		for i := range runs {
			u := userName(i)
			if n := len(vs["webhook"].events[u]); n != 2 {
				p = append(p, fmt.Sprintf("%s: the webhook has %d events, want 2", u, n))
				continue
			}
			last := vs["webhook"].on[u] // the change stored last
			for _, name := range vendorNames {
				if vs[name].on[u] != last {
					p = append(p, fmt.Sprintf("%s: %s holds on=%v, the last change stored is on=%v", u, name, vs[name].on[u], last))
				}
			}
			for _, name := range []string{"grommunio", "therefore"} {
				if d := vs[name].delegates[u]; !slices.Contains(d, d1) || !slices.Contains(d, d2) {
					p = append(p, fmt.Sprintf("%s: %s has the delegates %v, want %s and %s", u, name, d, d1, d2))
				}
			}
		}
		return append(p, noOverlaps(vs)...)
	})
	if len(p) > 0 {
		t.Fatalf("%d of %d runs or vendors inconsistent:\n%s", len(p), runs, firstN(p, 20))
	}
	t.Logf("%d runs of two concurrent calls consistent at every vendor, %s after the last answer", runs, time.Since(began).Round(100*time.Millisecond))
}
