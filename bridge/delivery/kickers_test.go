package delivery

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// goid is the running goroutine's id, from its stack header.
func goid() uint64 {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// TestKickersReuse: a kick made while a kicker is idle runs on that
// kicker, not on a new goroutine (whose stack would grow again), and
// kickers end when idle long enough or when the engine stops.
func TestKickersReuse(t *testing.T) {
	var wg sync.WaitGroup
	stopped := make(chan struct{})
	k := kickers{next: make(chan func()), idle: 100 * time.Millisecond}
	ran := func(k *kickers) uint64 {
		ids := make(chan uint64, 1)
		k.run(&wg, stopped, func() { ids <- goid() })
		return <-ids
	}
	first := ran(&k)
	reused := 0
	for range 50 {
		time.Sleep(2 * time.Millisecond) // the kicker is back waiting
		if ran(&k) == first {
			reused++
		}
	}
	// A new goroutine per kick reuses none; on a busy machine a kick can
	// come before the kicker is back, and starts another.
	if reused < 10 {
		t.Errorf("%d of 50 kicks ran on the idle kicker, want most", reused)
	}

	// Idle for longer than its idle time, every kicker ends.
	waited := func() <-chan struct{} {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		return done
	}
	select {
	case <-waited():
	case <-time.After(10 * time.Second):
		t.Fatal("the kickers outlived their idle time")
	}

	// Stopping ends an idle one that would otherwise wait an hour.
	long := kickers{next: make(chan func()), idle: time.Hour}
	ran(&long)
	done := waited()
	close(stopped)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("an idle kicker outlived the engine's stop")
	}
}
