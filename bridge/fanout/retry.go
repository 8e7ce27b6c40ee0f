package fanout

import (
	"math/rand/v2"
	"time"
)

// Policy decides how retryable failures are retried: exponential backoff
// with full jitter (a random wait in [0, min(Max, Initial*2^(n-1))]), never
// shorter than the vendor's own retry-after or rate-limit reset.
type Policy struct {
	MaxAttempts int           // total attempts, first included; <= 1 means no retry
	Initial     time.Duration // first backoff ceiling
	Max         time.Duration // backoff ceiling
	// Jitter returns a value in [0, d]; tests replace it to be exact.
	Jitter func(d time.Duration) time.Duration
}

// DefaultPolicy is what the configuration starts from.
var DefaultPolicy = Policy{MaxAttempts: 4, Initial: 200 * time.Millisecond, Max: 5 * time.Second}

func (p Policy) again(attempt int) bool { return attempt < p.MaxAttempts }

func (p Policy) wait(attempt int, retryAfter time.Duration) time.Duration {
	ceiling := p.Initial << (attempt - 1)
	if ceiling <= 0 || (p.Max > 0 && ceiling > p.Max) {
		ceiling = p.Max
	}
	jitter := p.Jitter
	if jitter == nil {
		jitter = fullJitter
	}
	w := jitter(ceiling)
	if retryAfter > w {
		w = retryAfter // the vendor said when; earlier is pointless
	}
	return w
}

func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}
