package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// callerLimits holds one token bucket per caller, so one noisy client
// cannot use up what the vendors' rate limits allow everyone.
type callerLimits struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// maxBuckets bounds the map; caller keys can be IP addresses.
const maxBuckets = 100_000

func newCallerLimits(perSecond float64, burst int) *callerLimits {
	if perSecond <= 0 {
		return nil
	}
	return &callerLimits{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes one token for key, or returns a 429 fault with the wait.
func (l *callerLimits) allow(key string) *soap.Fault {
	if l == nil {
		return nil
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
		secs := int(math.Ceil(delay.Seconds()))
		return &soap.Fault{Code: soap.Client, Status: http.StatusTooManyRequests, Detail: &soap.Detail{Kind: soap.KindRateLimit},
			Reason: "too many calls from this caller; retry in " + (time.Duration(secs) * time.Second).String(),
			Header: http.Header{"Retry-After": {strconv.Itoa(secs)}}}
	}
	return nil
}

// clientKey names an unauthenticated caller by its address.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return "ip:" + r.RemoteAddr
	}
	return "ip:" + host
}
