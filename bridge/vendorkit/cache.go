package vendorkit

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// Flight makes concurrent fetches of one key share a single request (a
// burst of calls for one user, or after a token expired, must not become a
// burst of lookups or logins against a rate-limited API), while fetches of
// different keys run in parallel. T is the whole answer of a fetch.
type Flight[T any] struct{ g singleflight.Group }

// Do returns the answer of fetch for key, run once for all who ask at the
// same time. fetch runs detached from the caller's cancellation, since
// the others may still want its answer (it keeps ctx's values); a caller
// stops waiting when its own ctx is done, and then gets ctx's error.
func (f *Flight[T]) Do(ctx context.Context, key string, fetch func(context.Context) T) (T, error) {
	detached := context.WithoutCancel(ctx)
	ch := f.g.DoChan(key, func() (any, error) { return fetch(detached), nil })
	select {
	case r := <-ch:
		return r.Val.(T), nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Lookups caches the answers of a vendor lookup (a user's id, a domain's)
// for a time to live, and fetches a key once however many ask for it at
// the same moment. Only successful answers are kept. Entries expire by the
// adapter's clock (so tests can move it), and expired ones are also
// evicted in the background, so the cache does not grow with every user
// ever looked up.
type Lookups[V any] struct {
	ttl    time.Duration
	now    func() time.Time
	cache  *expirable.LRU[string, entry[V]]
	flight Flight[answer[V]]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

type answer[V any] struct {
	v   V
	res fanout.Result
}

// maxLookups bounds a cache: far more than the users of a directory, few
// enough that the memory stays small.
const maxLookups = 100_000

// NewLookups returns a cache whose entries live for ttl by now.
func NewLookups[V any](ttl time.Duration, now func() time.Time) *Lookups[V] {
	return &Lookups[V]{ttl: ttl, now: now, cache: expirable.NewLRU[string, entry[V]](maxLookups, nil, ttl)}
}

// Get returns key's value while it is fresh; an expired one is dropped.
func (l *Lookups[V]) Get(key string) (V, bool) {
	e, ok := l.cache.Get(key)
	if ok && l.now().Before(e.expires) {
		return e.v, true
	}
	if ok {
		l.cache.Remove(key)
	}
	var zero V
	return zero, false
}

// Put keeps v for key, e.g. the other entries of a list fetched for one.
func (l *Lookups[V]) Put(key string, v V) {
	l.cache.Add(key, entry[V]{v: v, expires: l.now().Add(l.ttl)})
}

// Forget drops key, e.g. when the vendor no longer knows the id cached.
func (l *Lookups[V]) Forget(key string) { l.cache.Remove(key) }

// Len is the number of entries held, expired ones not yet evicted
// included.
func (l *Lookups[V]) Len() int { return l.cache.Len() }

// Do returns key's fresh value, or fetches it (once for all concurrent
// callers of key, see Flight) and keeps it when the answer is OK. A caller
// whose ctx ends first gets a retryable result.
func (l *Lookups[V]) Do(ctx context.Context, key string, fetch func(context.Context) (V, fanout.Result)) (V, fanout.Result) {
	if v, ok := l.Get(key); ok {
		return v, fanout.Result{Status: fanout.OK}
	}
	a, err := l.flight.Do(ctx, key, func(ctx context.Context) answer[V] {
		if v, ok := l.Get(key); ok { // fetched by a flight that just ended
			return answer[V]{v: v, res: fanout.Result{Status: fanout.OK}}
		}
		v, res := fetch(ctx)
		if res.Status == fanout.OK {
			l.Put(key, v)
		}
		return answer[V]{v: v, res: res}
	})
	if err != nil {
		return a.v, FromError(err)
	}
	return a.v, a.res
}
