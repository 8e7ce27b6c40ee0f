package gcfloor

import (
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		live, target uint64
		least        int
		want         int
	}{
		{4 * mib, 16 * mib, base, 300},   // goal 4 + 12 = 16
		{3 * mib, 16 * mib, base, 400},   // goal 3 + 12 = 15: at GOGC 433, the runtime's least goal would be 17
		{1 * mib, 16 * mib, base, 400},   // the least goal, 4 MiB at GOGC 100, is the floor at 400
		{0, 16 * mib, base, 400},         // nothing live
		{8 * mib, 16 * mib, base, 100},   // twice the live heap is the floor already
		{12 * mib, 16 * mib, base, 100},  // past half the floor: as without it
		{200 * mib, 16 * mib, base, 100}, // a large call: as without it
		{1 * mib, 64 * mib, base, 1600},
		{3 * mib, 0, base, 100},
		// Bodies held: under 100 to collect at their goal.
		{17 * mib, 22 * mib, minPercent, 29}, // a collection while a large call decoded
		{11 * mib, 22 * mib, minPercent, 100},
		{8 * mib, 22 * mib, minPercent, 175}, // twice the live heap is short of the goal
		{21 * mib, 22 * mib, minPercent, minPercent},
		{22 * mib, 22 * mib, minPercent, minPercent},
		{0, 22 * mib, minPercent, 550},
	}
	for _, tt := range tests {
		if got := Percent(tt.live, tt.target, tt.least); got != tt.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", tt.live, tt.target, tt.least, got, tt.want)
		}
	}
}

func TestGoal(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name                   string
		live, low, held, floor uint64
		goal                   uint64
		limited                bool
	}{
		{"idle", 3 * mib, 3 * mib, 0, 16 * mib, 16 * mib, true},
		{"small calls", 7 * mib, 6 * mib, 40 << 10, 16 * mib, 16 * mib, true},
		{"half the floor live", 9 * mib, 9 * mib, 0, 16 * mib, 16 * mib, false},
		// Under the floor, what the last collection found decides: a
		// store's live heap moves with the calls in flight.
		{"half the floor live after less", 9 * mib, 5 * mib, 0, 16 * mib, 16 * mib, false},
		// Up to (floor*3/4)/3 held, the floor is room enough.
		{"a small body", 3 * mib, 3 * mib, 4 * mib, 16 * mib, 16 * mib, true},
		// A collection that ran while the call decoded found more live
		// than the one before: limited, on the one before.
		{"a large call decoding", 17 * mib, 8 * mib, 6 * mib, 16 * mib, 22 * mib, true},
		{"a large call, found twice", 19 * mib, 19 * mib, 6 * mib, 16 * mib, 22 * mib, true},
		// It keeps more live than its goal leaves room for, found twice:
		// as by Go's default, so the collector never runs back to back.
		{"a large call making more of its body", 20 * mib, 20 * mib, 6 * mib, 16 * mib, 22 * mib, false},
		{"many large calls", 100 * mib, 90 * mib, 64 * mib, 16 * mib, 196 * mib, true},
		// Calls answered on a store with apply_wait 0 hold their changes
		// but no longer their bodies.
		{"more live than the goal", 250 * mib, 90 * mib, 64 * mib, 16 * mib, 196 * mib, false},
		{"a store's calls outliving their bodies", 170 * mib, 170 * mib, 64 * mib, 16 * mib, 196 * mib, false},
		{"no floor, a large call", 10 * mib, 9 * mib, 6 * mib, 0, 18 * mib, true},
		{"no floor, nothing held", 10 * mib, 10 * mib, 0, 0, 0, false},
	}
	for _, tt := range tests {
		goal, limited := Goal(tt.live, tt.low, tt.held, tt.floor)
		if goal != tt.goal || limited != tt.limited {
			t.Errorf("%s: Goal(%d, %d, %d, %d) = %d, %v; want %d, %v", tt.name, tt.live, tt.low, tt.held, tt.floor, goal, limited, tt.goal, tt.limited)
		}
	}
}

// gogc reads the GOGC the runtime works with.
func gogc() uint64 { return read("/gc/gogc:percent") }

// limit reads its memory limit.
func limit() uint64 { return read("/gc/gomemlimit:bytes") }

func read(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// collect runs collections until cond holds (the tuner runs after one,
// on the finalizers' goroutine), for at most a minute.
func collect(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		runtime.GC()
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("GOGC is %d after a minute of collections", gogc())
}

func TestStartAppliesTheFloorAndStopUndoesIt(t *testing.T) {
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		t.Cleanup(func() { os.Setenv("GOGC", v) })
	}
	stop := Start(64 << 20) // a test binary holds a few MiB live at most
	collect(t, func() bool { return gogc() > 400 })
	// The limit holds the heap to the floor, and the rest of what the
	// runtime uses.
	if l := limit(); l < 64<<20 || l > 256<<20 {
		t.Errorf("memory limit %d with a few MiB live and a floor of 64 MiB", l)
	}
	// Half the floor live: collected as without it (GOGC 100, no limit),
	// after a collection.
	held := make([]byte, 40<<20)
	collect(t, func() bool { return gogc() == base && limit() == math.MaxInt64 })
	runtime.KeepAlive(held)
	collect(t, func() bool { return gogc() > 400 && limit() < 256<<20 })
	stop()
	if got := gogc(); got != base {
		t.Errorf("GOGC after stop = %d, want %d", got, base)
	}
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("memory limit after stop = %d, want none (%d)", got, int64(math.MaxInt64))
	}
	// Stopped: collections leave GOGC alone.
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != base {
		t.Errorf("GOGC after stop and two collections = %d, want %d", got, base)
	}
}

func TestHeldBodiesBoundTheHeap(t *testing.T) {
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		t.Cleanup(func() { os.Setenv("GOGC", v) })
	}
	const floor = 16 << 20
	stop := Start(floor)
	defer stop()
	collect(t, func() bool { return gogc() >= 400 && limit() < 64<<20 })
	floorLimit := limit()
	// 6 MiB of bodies held, and 14 MiB made of them live: the goal is
	// 4 + 18 MiB, under twice the live heap, so GOGC goes under 100 to
	// collect at the goal; the memory limit, a quarter past it, only
	// bounds a lag.
	Hold(6 << 20)
	made := make([]byte, 14<<20)
	collect(t, func() bool {
		return gogc() >= 40 && gogc() <= 60 && limit() >= floorLimit+8<<20 && limit() <= floorLimit+16<<20
	})
	// Done with: as Go's default while they are live, then the floor.
	Release(6 << 20)
	collect(t, func() bool { return gogc() == base })
	runtime.KeepAlive(made)
	collect(t, func() bool { return gogc() >= 400 && limit() < 64<<20 })
	if held.Load() != 0 {
		t.Errorf("held = %d after Release", held.Load())
	}
}

func TestStartLeavesAnOperatorsSettings(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, os.Getenv(env)) // set, as an operator would
			stop := Start(64 << 20)
			defer stop()
			for range 3 {
				runtime.GC()
			}
			time.Sleep(10 * time.Millisecond)
			if got := gogc(); got != base {
				t.Errorf("GOGC = %d with %s in the environment, want it left at %d", got, env, base)
			}
			if got := limit(); got != math.MaxInt64 {
				t.Errorf("memory limit = %d with %s in the environment, want none", got, env)
			}
		})
	}
}
