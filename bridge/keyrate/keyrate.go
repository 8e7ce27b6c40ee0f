// Package keyrate holds one token bucket per key (a caller, a client
// address and user name), bounded in number, so that one noisy client
// cannot use up what everyone shares.
package keyrate

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBuckets bounds the map; keys can be chosen by clients (addresses,
// user names).
const maxBuckets = 100_000

// Limits is a set of token buckets of one rate and burst.
type Limits struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New returns Limits of perSecond tokens per key with the given burst, or
// nil (no limit) when perSecond is not positive.
func New(perSecond float64, burst int) *Limits {
	if perSecond <= 0 {
		return nil
	}
	return &Limits{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// Take takes one token of key's bucket and returns 0, or, when the
// bucket is empty, the wait until a token is due, having taken nothing.
// Nil Limits allow everything.
func (l *Limits) Take(key string) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			clear(l.buckets) // forget everyone rather than grow without bound
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	r := b.Reserve()
	if delay := r.Delay(); delay > 0 {
		r.Cancel()
		return delay
	}
	return 0
}

// Seconds rounds a wait up to whole seconds, for Retry-After.
func Seconds(wait time.Duration) int { return max(1, int(math.Ceil(wait.Seconds()))) }
