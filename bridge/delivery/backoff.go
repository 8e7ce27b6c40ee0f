package delivery

import (
	"math/rand/v2"
	"time"
)

// Backoff decides how long a key waits after a retryable failure:
// exponential with full jitter (a random wait in [0, min(Max,
// Initial*2^(n-1))]), never shorter than the vendor's own Retry-After or
// rate-limit reset. There is no attempt limit: a key is retried until its
// oldest pending change is older than delivery.max_age, then it is dead.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	// Jitter returns a value in [0, d]; tests replace it to be exact.
	Jitter func(d time.Duration) time.Duration
}

// DefaultBackoff is what the configuration starts from.
var DefaultBackoff = Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Minute}

// Wait is the pause after the attempt-th failure.
func (b Backoff) Wait(attempt int, retryAfter time.Duration) time.Duration {
	ceiling := b.Max
	if attempt < 40 {
		if c := b.Initial << (attempt - 1); c > 0 && (b.Max <= 0 || c < b.Max) {
			ceiling = c
		}
	}
	jitter := b.Jitter
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
