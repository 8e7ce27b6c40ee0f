package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// noop is a vendor that accepts everything at once.
type noop struct{ n atomic.Int64 }

func (*noop) Name() string      { return "noop" }
func (*noop) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (v *noop) Deliver(context.Context, *fanout.Call) fanout.Result {
	v.n.Add(1)
	return fanout.Result{Status: fanout.OK}
}

// BenchmarkAcceptSQLite measures what the store costs a call: accepts
// committed per second by 32 concurrent callers over 10,000 distinct
// users (so folding hides nothing), with apply_wait 0 and one vendor whose
// deliveries run at the same time.
func BenchmarkAcceptSQLite(b *testing.B) {
	benchAccept(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
}

// BenchmarkAcceptPostgres is the same on a Postgres store (Debian's,
// started for the benchmark).
func BenchmarkAcceptPostgres(b *testing.B) {
	pg := pgtest.Start(b)
	benchAccept(b, pg.CreateDB(b, "bench"))
}

func benchAccept(b *testing.B, store string) {
	v := &noop{}
	e, err := Open(context.Background(), Config{Store: store, EncryptionKey: make([]byte, 32)}, []fanout.Target{{Vendor: v, Required: true}}, nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer e.Stop(context.Background())
	const users = 10000
	changes := make([]*Change, users*2)
	for i := range changes {
		changes[i] = oofChange(b, fmt.Sprintf("user%05d", i%users), i/users == 0)
	}
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 concurrent callers
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			c := *changes[int(i)%len(changes)]
			c.ID = newID()
			t0 := time.Now()
			if _, err := e.Accept(context.Background(), &c); err != nil {
				b.Error(err)
				return
			}
			lat[i] = time.Since(t0)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "accepts/s")
	b.ReportMetric(float64(b.N)/float64(max(1, e.commits.Load())), "calls/commit")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// Deliveries run meanwhile: wait for them, so the CPU per call counts
	// the store's whole work, accept and delivery.
	for v.n.Load() < int64(b.N) && time.Since(start) < time.Minute {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/call")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
