package server

import (
	"context"
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
