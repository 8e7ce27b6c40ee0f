package delivery

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// localSnooze is how long a shard's River job waits when the shard is
// being worked in this process at the moment.
const localSnooze = 50 * time.Millisecond

// local works the shards of an embedded (SQLite) store in this process as
// soon as a commit gives them work, instead of when River next polls.
//
// SQLite has no LISTEN/NOTIFY, so River finds a new shard job only at its
// next poll (delivery.poll_interval), and a River job inserted in
// the commit's own transaction does not wake it: every call waiting out
// apply_wait for its first attempts waited for that poll too, 50-75 ms at
// the median under load. The one process that uses an embedded store can
// lock a shard in memory: after each commit the committer kicks the
// shards it gave work to, and a kick that gets the shard's lock works it
// at once; a kick that finds the shard held leaves it to the holder, who
// kicks it again when it lets go, and one that finds every slot of the
// vendor taken waits for the next to be let go. River's job for the shard stays the
// durable backstop (after a crash, for backoffs, for what a kick
// leaves): it takes the same lock, and snoozes while a kick holds it.
// Each vendor's concurrency holds for both together.
type local struct {
	shards  map[shardRef]*shardLock
	slots   map[string]chan struct{} // vendor -> its concurrency
	kickers kickers
	// waiting are, per vendor, the shards a kick found without a free
	// slot: the next to let a slot of that vendor go kicks one of them.
	waiting map[string]chan shardRef
}

// shardLock is who works a shard in this process.
type shardLock struct {
	sync.Mutex
	// kicked: a commit gave the shard work while another held it. The
	// holder may have looked for work last before that commit, so
	// whoever lets the shard go kicks it again.
	kicked atomic.Bool
	// waiting: the shard is in its vendor's waiting queue.
	waiting atomic.Bool
}

func newLocal(queues map[string]int) *local {
	l := &local{shards: map[shardRef]*shardLock{}, slots: map[string]chan struct{}{}, waiting: map[string]chan shardRef{}, kickers: kickers{next: make(chan func()), idle: kickerIdle}}
	for v, n := range queues {
		l.slots[v] = make(chan struct{}, max(n, 1))
		l.waiting[v] = make(chan shardRef, shards)
		for s := range shards {
			l.shards[shardRef{v, s}] = &shardLock{}
		}
	}
	return l
}

// takeShard locks a shard and one of its vendor's slots, or neither if
// it would have to wait: whoever holds them is working what the caller
// came for, or the vendor is as busy as it may be. Letting them go kicks
// the shard again if a commit gave it work meanwhile.
func (e *Engine) takeShard(ref shardRef) (release func(), ok bool) {
	release, busy := e.tryShard(ref)
	return release, release != nil && !busy
}

// tryShard is takeShard, and tells a shard that is held (nil, false)
// from a vendor without a free slot (nil, true).
func (e *Engine) tryShard(ref shardRef) (release func(), vendorBusy bool) {
	m := e.local.shards[ref]
	if m == nil || !m.TryLock() {
		return nil, false
	}
	slot := e.local.slots[ref.vendor]
	select {
	case slot <- struct{}{}:
	default:
		m.Unlock()
		return nil, true
	}
	return func() {
		<-slot
		m.Unlock()
		if m.kicked.Load() {
			e.kickShard(ref)
		}
		// A slot is free: a shard that found none gets it.
		select {
		case w := <-e.local.waiting[ref.vendor]:
			e.local.shards[w].waiting.Store(false)
			e.kickShard(w)
		default:
		}
	}, false
}

// kick works each shard of touched in the background, for one drain
// budget, unless someone works it now (who then looks again).
func (e *Engine) kick(touched map[shardRef]bool) {
	for ref := range touched {
		e.kickShard(ref)
	}
}

func (e *Engine) kickShard(ref shardRef) {
	m := e.local.shards[ref]
	if m == nil || e.stopping.Load() {
		return
	}
	m.kicked.Store(true)
	release, vendorBusy := e.tryShard(ref)
	if vendorBusy && m.waiting.CompareAndSwap(false, true) {
		// Kicked again when a slot of its vendor is let go; the queue
		// holds every shard once, so it never blocks.
		e.local.waiting[ref.vendor] <- ref
	}
	if release == nil {
		return
	}
	t := e.byName[ref.vendor]
	e.local.kickers.run(&e.wg, e.stopped, func() {
		defer release()
		// Cleared before the first look: a commit before it is seen by
		// that look, a commit after it sets the flag again.
		m.kicked.Store(false)
		// A failure here leaves the work to the shard's River job,
		// which the commit armed.
		_, _ = e.passes(context.Background(), t, ref.vendor, ref.shard, e.now().Add(e.cfg.DrainBudget))
	})
}

// kickerIdle is how long a kicker waits for the next kick before it
// ends: far longer than kicks are apart under any steady traffic.
const kickerIdle = time.Second

// kickers are the goroutines that work kicked shards, each taking the
// next kick when it is done with one. A pass runs deep in SQLite's
// translated C, and a new goroutine grew its stack there, copying it
// each time it doubled: with a goroutine per kick, growing stacks took
// 3% of the bridge's CPU with one caller and with eight (bench-load
// profiles of the four instant vendors). A kicker's stack stays grown
// for the kicks that follow.
type kickers struct {
	next chan func() // unbuffered: a send succeeds into an idle kicker only
	idle time.Duration
}

// run runs f on an idle kicker, or on a new one if none is idle.
func (k *kickers) run(wg *sync.WaitGroup, stopped <-chan struct{}, f func()) {
	select {
	case k.next <- f:
		return
	default:
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		idle := time.NewTimer(k.idle)
		defer idle.Stop()
		for {
			f()
			idle.Reset(k.idle)
			select {
			case f = <-k.next:
			case <-idle.C:
				return
			case <-stopped:
				return
			}
		}
	}()
}
