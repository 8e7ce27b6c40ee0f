package vendorkit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// wait fails the test when ch is not closed soon: what it waits for does
// not depend on timing, only a broken cache never gets there.
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("gave up waiting: %s", what)
	}
}

// TestLookupsParallelKeys: two slow lookups of different keys are in
// flight at the same time; neither waits for the other.
func TestLookupsParallelKeys(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	l := NewLookups[string](time.Minute, c.now)
	var started sync.WaitGroup
	started.Add(2)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, key := range []string{"a", "b"} {
		wg.Go(func() {
			v, res := l.Do(context.Background(), key, func(context.Context) (string, fanout.Result) {
				started.Done()
				<-release // held until both lookups are in flight
				return "id-" + key, fanout.Result{Status: fanout.OK}
			})
			if res.Status != fanout.OK || v != "id-"+key {
				t.Errorf("%s: %q %v", key, v, res)
			}
		})
	}
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	wait(t, both, "two lookups of different keys in flight at once")
	close(release)
	wg.Wait()
}

// TestLookupsSameKey: concurrent lookups of one key make one request, and
// later ones are answered from the cache until the entry expires.
func TestLookupsSameKey(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	l := NewLookups[int](time.Minute, c.now)
	var fetches atomic.Int32
	inFlight, release := make(chan struct{}), make(chan struct{})
	fetch := func(context.Context) (int, fanout.Result) {
		if fetches.Add(1) == 1 {
			close(inFlight)
			<-release
		}
		return 17, fanout.Result{Status: fanout.OK}
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if v, res := l.Do(context.Background(), "jdoe", fetch); v != 17 || res.Status != fanout.OK {
				t.Errorf("got %d %v", v, res)
			}
		})
	}
	wait(t, inFlight, "the first lookup")
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d requests for one key, want 1", n)
	}
	c.advance(59 * time.Second)
	l.Do(context.Background(), "jdoe", fetch)
	if n := fetches.Load(); n != 1 {
		t.Errorf("within the TTL: %d requests, want 1", n)
	}
	c.advance(2 * time.Second)
	if _, ok := l.Get("jdoe"); ok || l.Len() != 0 {
		t.Errorf("an expired entry is still held (%d entries)", l.Len())
	}
	l.Do(context.Background(), "jdoe", fetch)
	if n := fetches.Load(); n != 2 {
		t.Errorf("after the TTL: %d requests, want 2", n)
	}
}

// TestLookupsKeepsOnlySuccess: a failed lookup is asked again next time.
func TestLookupsKeepsOnlySuccess(t *testing.T) {
	l := NewLookups[int](time.Minute, time.Now)
	var fetches int
	fail := func(context.Context) (int, fanout.Result) {
		fetches++
		return 0, fanout.Result{Status: fanout.Retryable, VendorStatus: 503}
	}
	for range 2 {
		if _, res := l.Do(context.Background(), "k", fail); res.Status != fanout.Retryable || res.VendorStatus != 503 {
			t.Errorf("result %v", res)
		}
	}
	if fetches != 2 || l.Len() != 0 {
		t.Errorf("%d fetches, %d entries; want 2 and 0", fetches, l.Len())
	}
}

// TestLookupsCancel: a caller whose context ends stops waiting with a
// retryable result, and the lookup still completes for the others.
func TestLookupsCancel(t *testing.T) {
	l := NewLookups[int](time.Minute, time.Now)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	inFlight := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Do(context.Background(), "k", func(ctx context.Context) (int, fanout.Result) {
			close(inFlight)
			<-release
			if ctx.Err() != nil {
				t.Errorf("the lookup was cancelled with its first caller: %v", ctx.Err())
			}
			return 1, fanout.Result{Status: fanout.OK}
		})
	}()
	wait(t, inFlight, "the lookup")
	go cancel()
	if _, res := l.Do(ctx, "k", nil); res.Status != fanout.Retryable {
		t.Errorf("cancelled caller got %v", res)
	}
	close(release)
	wait(t, done, "the lookup to finish")
}

// TestLookupsEvictInBackground: expired entries leave the cache even when
// nobody asks for them again.
func TestLookupsEvictInBackground(t *testing.T) {
	l := NewLookups[int](20*time.Millisecond, time.Now)
	l.Put("a", 1)
	l.Put("b", 2)
	deadline := time.Now().Add(10 * time.Second)
	for l.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d expired entries never evicted", l.Len())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
