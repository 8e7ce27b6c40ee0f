package server

import (
	"bytes"
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/thereforebridge/thereforebridge/bridge/gcfloor"
)

// budget bounds the bytes of the request bodies being handled at once
// (limits.max_inflight_body_bytes). A call whose declared length does not
// fit waits, before its body is read, so that the body waits in the
// client and the kernel rather than in the bridge's memory; past wait it
// is refused with 503. Calls wait in turn (first come, first
// served), and any body within max_body_bytes fits once the others are
// done.
type budget struct {
	sem  *semaphore.Weighted
	max  int64
	wait time.Duration
	// spare is the buffer of a large body whose call is done, kept for
	// the next one: read into a new buffer, a 5 MB body is first zeroed
	// and then faulted in page by page, and its bytes bring the next
	// collection closer, some 10% of a 10,000-item call's CPU under the
	// collector's tuner. One is kept, the largest lately, so a bridge that has taken a
	// large call holds that much more memory (at most
	// limits.max_body_bytes) from then on.
	spare atomic.Pointer[[]byte]
}

// spareMin is the least body whose buffer is kept.
const spareMin = 1 << 20

// buffer returns an empty buffer for a body of size bytes (0: unknown).
func (b *budget) buffer(size int64) []byte {
	n := int(size) + bytes.MinRead
	if size >= spareMin {
		if p := b.spare.Swap(nil); p != nil && cap(*p) >= n {
			return (*p)[:0]
		}
	}
	return make([]byte, 0, n)
}

// recycle keeps buf for a later body; the caller must hold no other
// reference to it, nor have given one away.
func (b *budget) recycle(buf []byte) {
	if cap(buf) < spareMin {
		return
	}
	if old := b.spare.Load(); old == nil || cap(*old) <= cap(buf) {
		b.spare.Store(&buf)
	}
}

// newBudget bounds bodies to max bytes. A call waits for room up to 15 s,
// or half the read timeout, which runs meanwhile and must leave time to
// read the body.
func newBudget(max int64, readTimeout time.Duration) *budget {
	return &budget{sem: semaphore.NewWeighted(max), max: max, wait: min(15*time.Second, readTimeout/2)}
}

// take waits for room for n bytes. What it takes is told to the
// collector's tuner (gcfloor.Hold), whose goal makes room for the bodies
// being handled.
func (b *budget) take(ctx context.Context, n int64) bool {
	if !b.sem.TryAcquire(n) {
		ctx, cancel := context.WithTimeout(ctx, b.wait)
		defer cancel()
		if b.sem.Acquire(ctx, n) != nil {
			return false
		}
	}
	gcfloor.Hold(n)
	return true
}

func (b *budget) give(n int64) {
	if n > 0 {
		gcfloor.Release(n)
		b.sem.Release(n)
	}
}
