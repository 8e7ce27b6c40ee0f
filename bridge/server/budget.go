package server

import (
	"context"
	"time"

	"golang.org/x/sync/semaphore"
)

// budget bounds the bytes of the request bodies being handled at once
// (limits.max_inflight_body_bytes). A call whose declared length does not
// fit waits, before its body is read, so that the body waits in the
// client and the kernel rather than in the bridge's memory; past
// bodyWait it is refused with 503. Calls wait in turn (first come, first
// served), and any body within max_body_bytes fits once the others are
// done.
type budget struct {
	sem *semaphore.Weighted
	max int64
}

// bodyWait is how long a call waits for room for its body; well within
// the read timeout, which runs meanwhile.
const bodyWait = 5 * time.Second

func newBudget(max int64) *budget { return &budget{sem: semaphore.NewWeighted(max), max: max} }

func (b *budget) take(ctx context.Context, n int64) bool {
	if b.sem.TryAcquire(n) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, bodyWait)
	defer cancel()
	return b.sem.Acquire(ctx, n) == nil
}

func (b *budget) give(n int64) { b.sem.Release(n) }
