package delivery

import (
	"context"
	"sync"
	"time"
)

// localSnooze is how long a shard's River job waits when the shard is
// being worked in this process at the moment.
const localSnooze = 50 * time.Millisecond

// local works the shards of an embedded (SQLite) store in this process as
// soon as a commit gives them work, instead of when River next polls.
//
// SQLite has no LISTEN/NOTIFY, so River finds a new shard job only at its
// next poll (delivery.poll_interval, 50 ms), and a River job inserted in
// the commit's own transaction does not wake it: every call waiting out
// apply_wait for its first attempts waited for that poll too, 50-75 ms at
// the median under load. The one process that uses an embedded store can
// lock a shard in memory: after each commit the committer kicks the
// shards it gave work to, and a kick that gets the shard's lock works it
// at once. River's job for the shard stays the durable backstop (after a
// crash, for backoffs, for what a kick leaves): it takes the same lock,
// and snoozes while a kick holds it. Each vendor's concurrency holds for
// both together.
type local struct {
	shards map[shardRef]*sync.Mutex
	slots  map[string]chan struct{} // vendor -> its concurrency
}

func newLocal(queues map[string]int) *local {
	l := &local{shards: map[shardRef]*sync.Mutex{}, slots: map[string]chan struct{}{}}
	for v, n := range queues {
		l.slots[v] = make(chan struct{}, max(n, 1))
		for s := range shards {
			l.shards[shardRef{v, s}] = &sync.Mutex{}
		}
	}
	return l
}

// take locks a shard and one of its vendor's slots, or neither if it
// would have to wait: whoever holds them is working what take's caller
// came for, or the vendor is as busy as it may be.
func (l *local) take(ref shardRef) (release func(), ok bool) {
	m := l.shards[ref]
	if m == nil || !m.TryLock() {
		return nil, false
	}
	slot := l.slots[ref.vendor]
	select {
	case slot <- struct{}{}:
	default:
		m.Unlock()
		return nil, false
	}
	return func() { <-slot; m.Unlock() }, true
}

// kick works each shard of touched that nobody works now, in the
// background, for one drain budget.
func (e *Engine) kick(touched map[shardRef]bool) {
	for ref := range touched {
		if e.stopping.Load() {
			return
		}
		release, ok := e.local.take(ref)
		if !ok {
			continue
		}
		t := e.byName[ref.vendor]
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			defer release()
			// A failure here leaves the work to the shard's River job,
			// which the commit armed.
			_, _ = e.passes(context.Background(), t, ref.vendor, ref.shard, e.now().Add(e.cfg.DrainBudget))
		}()
	}
}
