package delivery

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// flaky fails a share of its attempts, retryably.
type flaky struct {
	noop
	share float64
}

func (v *flaky) Deliver(ctx context.Context, c *fanout.Call) fanout.Result {
	if rand.Float64() < v.share {
		return fanout.Result{Status: fanout.Retryable, VendorStatus: 503, Message: "busy"}
	}
	return v.noop.Deliver(ctx, c)
}

// TestSoak (THEREFOREBRIDGE_SOAK=N calls; not part of make test) accepts N
// calls over 10,000 users at c=32 into a SQLite store whose one vendor
// fails 10% of attempts, drains it, and reports the heap and the store's
// files on disk along the way: both must come back flat once drained
// (settled changes and River's finished jobs are cleaned).
func TestSoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("THEREFOREBRIDGE_SOAK"))
	if n == 0 {
		t.Skip("set THEREFOREBRIDGE_SOAK=N to soak the store with N calls")
	}
	dir := t.TempDir()
	v := &flaky{share: 0.10}
	e, err := Open(context.Background(), Config{Store: "sqlite:" + filepath.Join(dir, "soak.db"), DedupeWindow: 10 * time.Second,
		Backoff: Backoff{Initial: 10 * time.Millisecond, Max: 200 * time.Millisecond}}, []fanout.Target{{Vendor: v, Required: true}}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.Stop(context.Background())
	report := func(when string) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		var size int64
		files, _ := filepath.Glob(filepath.Join(dir, "soak.db*"))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				size += fi.Size()
			}
		}
		b, _ := e.Backlog(context.Background())
		t.Logf("%-22s heap %6.1f MiB  store %7.1f MiB  goroutines %4d  backlog %+v", when, float64(ms.HeapAlloc)/(1<<20), float64(size)/(1<<20), runtime.NumGoroutine(), b)
	}
	report("start")
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				c := oofChange(t, fmt.Sprintf("user%05d", i%10000), (i/10000)%2 == 0)
				rc, err := e.Accept(context.Background(), c)
				if err != nil {
					t.Error(err)
					return
				}
				rc.Wait(context.Background()) // as the server does

				if i > 0 && i%(int64(n)/5) == 0 {
					report(fmt.Sprintf("after %d calls", i))
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d calls accepted in %v (%.0f/s)", n, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds())
	deadline := time.Now().Add(10 * time.Minute)
	for {
		b, _ := e.Backlog(context.Background())
		if len(b) == 1 && b[0].Pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	report("drained")
	time.Sleep(75 * time.Second) // River's cleaner (completed jobs after a minute) and the store's (every 10s)
	if err := e.Clean(context.Background()); err != nil {
		t.Fatal(err)
	}
	report("cleaned")
}
