package delivery

import (
	"testing"
	"time"
)

// A commit of workers' records alone waits a moment for more: the other
// records that come meanwhile share it, an accept ends the wait at once
// (and makes it a commit of its own), and with nothing more it goes
// ahead alone.
func TestLinger(t *testing.T) {
	// Waits that must end otherwise than by the linger are given an hour.
	e := &Engine{cfg: Config{BatchMax: 4}, recordLinger: time.Hour, records: make(chan *recordReq), accepts: make(chan *acceptReq, 1), stopped: make(chan struct{})}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	first := &recordReq{}

	t.Run("alone", func(t *testing.T) {
		e.recordLinger = 5 * time.Millisecond
		defer func() { e.recordLinger = time.Hour }()
		var batch []*acceptReq
		start := time.Now()
		recs := e.linger([]*recordReq{first}, &batch, timer)
		if len(recs) != 1 || len(batch) != 0 {
			t.Fatalf("records %d, accepts %d", len(recs), len(batch))
		}
		if d := time.Since(start); d < e.recordLinger {
			t.Errorf("went ahead after %s, before the linger of %s", d, e.recordLinger)
		}
	})

	t.Run("records share it", func(t *testing.T) {
		var batch []*acceptReq
		go func() {
			for range 3 {
				e.records <- &recordReq{}
			}
		}()
		recs := e.linger([]*recordReq{first}, &batch, timer)
		if len(recs) != 4 || len(batch) != 0 {
			t.Fatalf("records %d, accepts %d: want the 4 records that came (BatchMax)", len(recs), len(batch))
		}
	})

	t.Run("an accept ends it", func(t *testing.T) {
		var batch []*acceptReq
		e.accepts <- &acceptReq{}
		recs := e.linger([]*recordReq{first}, &batch, timer)
		if len(recs) != 1 || len(batch) != 1 {
			t.Fatalf("records %d, accepts %d", len(recs), len(batch))
		}
	})

	t.Run("stopping ends it", func(t *testing.T) {
		close(e.stopped)
		var batch []*acceptReq
		done := make(chan int)
		go func() { done <- len(e.linger([]*recordReq{first}, &batch, timer)) }()
		select {
		case n := <-done:
			if n != 1 {
				t.Errorf("records %d", n)
			}
		case <-time.After(time.Minute):
			t.Fatal("linger did not end when the engine stopped")
		}
	})
}
