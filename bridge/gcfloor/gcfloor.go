// Package gcfloor keeps Go's collector from running before the heap has
// reached a floor.
//
// The collector runs when the heap has grown by GOGC percent (100) over
// what the last collection found live. A bridge between calls holds a
// few MiB live, and every call allocates some 14 KiB: it collected every
// few hundred calls (at 30,000 calls a second, with a 16 MiB floor, a
// call costs 0.029 ms of CPU instead of 0.033). A floor on the heap's goal
// makes the collections rarer while little is live, and changes nothing
// once the live heap is half the floor or more: large calls, whose
// memory is bounded by their live heap, are collected as before.
//
// After each collection that finds less than half the floor live, the
// tuner sets GOGC so that the next goal is the floor, and a memory limit
// (debug.SetMemoryLimit) at the floor plus what the runtime uses besides
// the heap. GOGC alone would lag: set for a small live heap, it would let
// a large call's heap grow to several times what is live before the
// tuner saw it; the limit makes the runtime collect at the floor instead.
// After one that finds more, it sets GOGC 100 and no limit, as Go's
// default.
//
// A large call is made of its body, read whole, and what is made of it:
// its decoded parameters, the change stored and the vendors' requests,
// about twice the body together for WCF's verbose XML. Collected at
// twice what was live, a 10,000-item SavePortalUser (5.3 MiB) with four
// vendors grew the heap to 35 MiB: a collection that runs while a call
// decodes counts what the call allocates meanwhile as live. The server
// tells the tuner what request bodies it holds (Hold), and while a
// quarter of the floor plus three times that is more than the floor, it
// is the heap's goal: the collector still runs at the floor or at twice
// the live heap, but no later than at the goal, 20 MiB for that call,
// GOGC going under 100 when twice the live heap would pass it. That
// holds only while it leaves room above the live heap (Goal), so a call
// that keeps more live than its goal allows is collected as by Go's
// default, rather than back to back.
//
// An operator who sets GOGC or GOMEMLIMIT in the environment keeps them:
// the floor is then not applied.
package gcfloor

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Default is the floor the bridge runs with: what it holds live between
// calls, some 4 MiB, is collected at 8 MiB without it.
const Default = 16 << 20

// base is GOGC's default, and the least GOGC the floor sets.
const base = 100

// minHeap is the runtime's least goal at GOGC=100; it scales with GOGC.
const minHeap = 4 << 20

// The goal for the request bodies held is heldTimes/2 times what they
// hold, beyond a quarter of the floor for the rest of the heap (some
// 3 MiB are live in an idle bridge): a 10,000-item SavePortalUser makes
// about twice its body live, and room for half a body more is left.
const heldTimes = 6

// held is the bytes of the request bodies being handled (Hold), and
// peakHeld the most held since the tuner last looked: a collection that
// runs between two large calls, when neither holds its body, is then
// still paced for them.
var held, peakHeld atomic.Int64

// Hold tells the tuner that n more bytes of request bodies are being
// handled; Release(n) that they are done with. The next collection's goal
// makes room for them.
func Hold(n int64) {
	h := held.Add(n)
	for p := peakHeld.Load(); h > p && !peakHeld.CompareAndSwap(p, h); p = peakHeld.Load() {
	}
}

// Release undoes Hold(n).
func Release(n int64) { held.Add(-n) }

// Held returns the bytes of request bodies held now.
func Held() int64 { return held.Load() }

// Goal returns the heap goal while held bytes of request bodies are
// handled, and whether a memory limit may hold the heap to it; live is
// what the last collection found live, and low the least the last two
// found. The goal is the floor, or a quarter of the floor plus
// heldTimes/2 times what is held when that is more.
//
// The limit needs room above what is live, or the collector would run
// back to back. Under the floor, the room is as much again as is live,
// as Go's default leaves. Under a goal made for bodies held, it is half
// of what is held above the lesser of the last two live heaps: a
// collection that ran while a call decoded counted as live what the call
// allocated meanwhile, up to a body's worth, and the next found far less.
// A call that keeps more live has it found twice and loses the limit; so
// does a heap found live past the goal (calls answered whose changes are
// still being stored or delivered hold memory but no body).
func Goal(live, low, held, floor uint64) (goal uint64, limited bool) {
	if g := floor/4 + held*heldTimes/2; g > floor {
		return g, low+held/2 <= g && live < g
	}
	return floor, 2*live <= floor
}

// minPercent is the least GOGC the tuner sets, for the bodies held: a
// collection at least every quarter of the live heap allocated.
const minPercent = 25

// Percent returns the GOGC that puts the next collection's goal at target
// bytes for a live heap of live bytes, but never less than least. The
// goal is live + live*GOGC/100, and at least minHeap*GOGC/100: GOGC is
// bounded so that this least goal is the target too.
func Percent(live, target uint64, least int) int {
	p := target * 100 / minHeap
	if live > 0 {
		if live >= target {
			return least
		}
		p = min(p, (target-live)*100/live)
	}
	return max(int(p), least)
}

// Start applies the floor from now on, until stop is called; it does
// nothing (stop too) when GOGC or GOMEMLIMIT is set in the environment or
// floor is 0.
func Start(floor uint64) (stop func()) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit || floor == 0 {
		return func() {}
	}
	t := &tuner{floor: floor, samples: make([]metrics.Sample, len(sampled))}
	for i, name := range sampled {
		t.samples[i].Name = name
	}
	t.apply()
	t.arm()
	return func() {
		t.stopped.Store(true)
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(base)
	}
}

// sampled are the figures the tuner reads, in the order of the consts.
var sampled = []string{
	"/gc/heap/live:bytes",                 // what the last collection found live
	"/memory/classes/total:bytes",         // all the runtime has mapped
	"/memory/classes/heap/released:bytes", // of which returned to the OS
	"/memory/classes/heap/free:bytes",     // free and not returned
	"/memory/classes/heap/objects:bytes",  // heap objects, live or not yet swept
	"/memory/classes/heap/unused:bytes",   // room in the heap's spans between objects
}

const (
	liveBytes = iota
	totalBytes
	releasedBytes
	freeBytes
	objectBytes
	unusedBytes
)

// headroom is the share of the memory limit the runtime keeps back from
// the heap (memoryLimitHeapGoalHeadroomPercent).
const headroom = 3

type tuner struct {
	floor   uint64
	samples []metrics.Sample
	percent int
	// lastLive is what the collection before the last found live.
	lastLive uint64
	stopped  atomic.Bool
}

// sentinel is an object made unreachable at once, whose finalizer tells
// the tuner that a collection has run. It holds a pointer so that it is
// not one of the tiny allocations whose finalizers may wait for their
// neighbours'.
type sentinel struct{ _ *byte }

// arm makes the tuner run after the next collection.
func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if t.stopped.Load() {
			return
		}
		t.apply()
		t.arm()
	})
}

// apply sets GOGC for what the last collection found live. It runs on
// the finalizers' goroutine, one collection at a time.
func (t *tuner) apply() {
	metrics.Read(t.samples)
	v := make([]uint64, len(t.samples))
	for i, s := range t.samples {
		if s.Value.Kind() != metrics.KindUint64 {
			return
		}
		v[i] = s.Value.Uint64()
	}
	live := v[liveBytes]
	if live == 0 {
		return // no collection yet: nothing is known of what is live
	}
	// Past half the floor live, with no large bodies held, the collector
	// runs as Go's default has it, at twice the live heap (GOGC 100), with
	// no limit: a limit set from the last collection binds as soon as
	// more is live than then, and on the Postgres store, whose live heap
	// moves with the calls in flight, it made the collector run back to
	// back (a third of the CPU, assists included, in one run in three).
	// With bodies held, Goal says when their goal may hold the heap.
	low := live
	if t.lastLive > 0 {
		low = min(live, t.lastLive)
	}
	t.lastLive = live
	goal, limited := Goal(live, low, uint64(max(peakHeld.Swap(held.Load()), 0)), t.floor)
	// The collector runs at the floor or at twice the live heap, as
	// without bodies held, but not past their goal: what is held bounds
	// the heap, it never lets it grow more than Go's default would (128
	// MiB of large calls in flight, as limits.max_inflight_body_bytes
	// allows, hold some twice that live).
	target := min(goal, max(t.floor, 2*live))
	// Under a goal made for bodies held, GOGC goes under 100 when twice
	// the live heap would pass it.
	least := base
	if limited && goal > t.floor {
		least = minPercent
	}
	p := Percent(live, target, least)
	limit := int64(math.MaxInt64)
	if limited {
		// GOGC alone would lag: set for a small live heap, it would let
		// a large call's heap grow to several times what is live before
		// the tuner saw it. A memory limit makes the runtime collect in
		// time instead. What counts against it but is not the heap's
		// spans: stacks and the runtime's own data. The room between
		// objects in the spans is left out of it, as the runtime counts
		// it as overhead: the limit then holds the heap a little under
		// its goal.
		used := v[releasedBytes] + v[freeBytes] + v[objectBytes] + v[unusedBytes]
		if used > v[totalBytes] {
			return // figures read as they changed: the next collection's will do
		}
		bound := t.floor
		if goal > t.floor {
			// Bodies held: GOGC holds the heap to their goal, under 100
			// when twice the live heap would pass it, and the limit
			// only bounds a lag, a quarter past the goal. A limit at the
			// goal would hold the heap there too, but the runtime then
			// returns the free pages above it to the OS, and the next
			// large call faults them back in: three times the page
			// faults, twice the system time.
			bound = goal * 5 / 4
		}
		limit = int64(v[totalBytes] - used + bound*100/(100-headroom))
	}
	debug.SetMemoryLimit(limit)
	// GOGC is set again only on a change of more than a tenth: setting
	// it takes the heap's lock.
	if p != t.percent && (p > t.percent*11/10 || p < t.percent*9/10) {
		debug.SetGCPercent(p)
		t.percent = p
	}
}
