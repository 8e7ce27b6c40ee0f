package fanout_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// scripted answers with its results in turn (the last one repeats) and
// records when each attempt started.
type scripted struct {
	name    string
	results []fanout.Result
	block   time.Duration // hold each attempt this long or until ctx ends

	mu       sync.Mutex
	times    []time.Time
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func (s *scripted) Name() string { return s.name }

func (s *scripted) Deliver(ctx context.Context, _ *fanout.Call) fanout.Result {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxSeen.Load()
		if n <= m || s.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	i := len(s.times)
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	if s.block > 0 {
		select {
		case <-time.After(s.block):
		case <-ctx.Done():
			return fanout.Result{Status: fanout.Retryable, Message: "timed out: " + ctx.Err().Error()}
		}
	}
	if i >= len(s.results) {
		i = len(s.results) - 1
	}
	return s.results[i]
}

func (s *scripted) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times)
}

var (
	ok        = fanout.Result{Status: fanout.OK}
	down      = fanout.Result{Status: fanout.Retryable, VendorStatus: 503, Message: "Service Unavailable"}
	forbidden = fanout.Result{Status: fanout.Permanent, VendorStatus: 403, Message: "Forbidden"}
)

func quick() fanout.Policy {
	return fanout.Policy{MaxAttempts: 3, Initial: time.Millisecond, Max: 2 * time.Millisecond}
}

func call() *fanout.Call {
	return &fanout.Call{RequestID: "r1", Operation: "SaveOutOfOfficeInfoForUser"}
}

func TestDispatchOutcomes(t *testing.T) {
	tests := []struct {
		name         string
		targets      func() ([]fanout.Target, []*scripted)
		wantOK       bool
		wantAttempts []int
		wantStates   []string
	}{
		{"all ok", func() ([]fanout.Target, []*scripted) {
			a, b := &scripted{name: "a", results: []fanout.Result{ok}}, &scripted{name: "b", results: []fanout.Result{ok}}
			return []fanout.Target{{Vendor: a, Required: true}, {Vendor: b, Required: true}}, []*scripted{a, b}
		}, true, []int{1, 1}, []string{"ok", "ok"}},
		{"required vendor down after retries, the other still applied", func() ([]fanout.Target, []*scripted) {
			a, b := &scripted{name: "a", results: []fanout.Result{ok}}, &scripted{name: "b", results: []fanout.Result{down}}
			return []fanout.Target{{Vendor: a, Required: true}, {Vendor: b, Required: true}}, []*scripted{a, b}
		}, false, []int{1, 3}, []string{"ok", "failed"}},
		{"recovers on the second attempt", func() ([]fanout.Target, []*scripted) {
			a := &scripted{name: "a", results: []fanout.Result{down, ok}}
			return []fanout.Target{{Vendor: a, Required: true}}, []*scripted{a}
		}, true, []int{2}, []string{"ok"}},
		{"permanent failure is not retried", func() ([]fanout.Target, []*scripted) {
			a := &scripted{name: "a", results: []fanout.Result{forbidden}}
			return []fanout.Target{{Vendor: a, Required: true}}, []*scripted{a}
		}, false, []int{1}, []string{"failed"}},
		{"best-effort vendor down does not fail the call", func() ([]fanout.Target, []*scripted) {
			a, b := &scripted{name: "a", results: []fanout.Result{ok}}, &scripted{name: "b", results: []fanout.Result{down}}
			return []fanout.Target{{Vendor: a, Required: true}, {Vendor: b, Required: false}}, []*scripted{a, b}
		}, true, []int{1, 3}, []string{"ok", "failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			targets, vs := tc.targets()
			e := &fanout.Engine{Targets: targets, Policy: quick()}
			outcomes, gotOK := e.Dispatch(context.Background(), call())
			if gotOK != tc.wantOK {
				t.Errorf("ok = %v, want %v", gotOK, tc.wantOK)
			}
			for i, v := range vs {
				if v.attempts() != tc.wantAttempts[i] || outcomes[i].Attempts != tc.wantAttempts[i] {
					t.Errorf("%s: %d attempts (outcome says %d), want %d", v.name, v.attempts(), outcomes[i].Attempts, tc.wantAttempts[i])
				}
				if s := outcomes[i].State(); s != tc.wantStates[i] {
					t.Errorf("%s: state %s, want %s", v.name, s, tc.wantStates[i])
				}
			}
		})
	}
}

// TestRetryHonoursRetryAfter: the second attempt starts no earlier than
// the vendor's retry-after, although the backoff alone would be 1ms.
func TestRetryHonoursRetryAfter(t *testing.T) {
	limited := fanout.Result{Status: fanout.Retryable, VendorStatus: 429, RetryAfter: 80 * time.Millisecond}
	v := &scripted{name: "a", results: []fanout.Result{limited, ok}}
	e := &fanout.Engine{Targets: []fanout.Target{{Vendor: v, Required: true}}, Policy: quick()}
	if _, good := e.Dispatch(context.Background(), call()); !good {
		t.Fatal("call failed")
	}
	if gap := v.times[1].Sub(v.times[0]); gap < 80*time.Millisecond {
		t.Errorf("second attempt after %v, before the retry-after of 80ms", gap)
	}
}

func TestAttemptTimeoutAndDeadline(t *testing.T) {
	v := &scripted{name: "slow", results: []fanout.Result{ok}, block: time.Hour}
	e := &fanout.Engine{Targets: []fanout.Target{{Vendor: v, Required: true}}, Policy: quick(),
		AttemptTimeout: 20 * time.Millisecond, Deadline: 20 * time.Second}
	outcomes, good := e.Dispatch(context.Background(), call())
	if good || outcomes[0].Attempts != 3 || !strings.Contains(outcomes[0].Result.Message, "deadline") {
		t.Fatalf("ok=%v outcome=%+v; want 3 timed-out attempts", good, outcomes[0])
	}
	// A retry-after longer than the remaining deadline is not waited for.
	far := fanout.Result{Status: fanout.Retryable, VendorStatus: 429, RetryAfter: time.Hour}
	v2 := &scripted{name: "limited", results: []fanout.Result{far}}
	e2 := &fanout.Engine{Targets: []fanout.Target{{Vendor: v2, Required: true}}, Policy: quick(), Deadline: 200 * time.Millisecond}
	if _, good := e2.Dispatch(context.Background(), call()); good || v2.attempts() != 1 {
		t.Fatalf("ok=%v attempts=%d; want one attempt and a failure", good, v2.attempts())
	}
}

// TestClientDisconnect: a cancelled SOAP request does not abandon vendor
// calls half-way, and the log says the client left.
func TestClientDisconnect(t *testing.T) {
	log, logs := vendortest.Logger()
	v := &scripted{name: "a", results: []fanout.Result{ok}, block: 50 * time.Millisecond}
	e := &fanout.Engine{Targets: []fanout.Target{{Vendor: v, Required: true}}, Policy: quick(), Log: log}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	outcomes, good := e.Dispatch(ctx, call())
	if !good || outcomes[0].State() != "ok" {
		t.Fatalf("vendor call abandoned: %+v", outcomes[0])
	}
	if !strings.Contains(logs.String(), "client went away") {
		t.Errorf("no log line about the client leaving:\n%s", logs.String())
	}
}

func TestPerVendorConcurrencyLimit(t *testing.T) {
	v := &scripted{name: "a", results: []fanout.Result{ok}, block: 5 * time.Millisecond}
	e := &fanout.Engine{Targets: []fanout.Target{{Vendor: v, Required: true, MaxConcurrency: 2}}, Policy: quick(), MaxConcurrency: 50}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); e.Dispatch(context.Background(), call()) }()
	}
	wg.Wait()
	if m := v.maxSeen.Load(); m > 2 {
		t.Errorf("%d calls in flight at once, limit 2", m)
	}
	if v.attempts() != 20 {
		t.Errorf("%d attempts, want 20", v.attempts())
	}
}

func TestOperationsFilterAndPanic(t *testing.T) {
	oofOnly := &scripted{name: "oof", results: []fanout.Result{ok}}
	e := &fanout.Engine{Targets: []fanout.Target{
		{Vendor: oofOnly, Required: true, Operations: map[string]bool{"SaveOutOfOfficeInfoForUser": true}},
		{Vendor: panicky{}, Required: false},
	}, Policy: quick()}
	outcomes, good := e.Dispatch(context.Background(), &fanout.Call{Operation: "SavePortalUser"})
	if !good || len(outcomes) != 1 || oofOnly.attempts() != 0 {
		t.Fatalf("ok=%v outcomes=%+v oof attempts=%d", good, outcomes, oofOnly.attempts())
	}
	if outcomes[0].Result.Status != fanout.Permanent || !strings.Contains(outcomes[0].Result.Message, "failed internally") {
		t.Errorf("panic outcome %+v", outcomes[0])
	}
}

type panicky struct{}

func (panicky) Name() string { return "panicky" }
func (panicky) Deliver(context.Context, *fanout.Call) fanout.Result {
	panic("adapter bug")
}

func TestBackoffCeilings(t *testing.T) {
	p := fanout.Policy{MaxAttempts: 5, Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond,
		Jitter: func(d time.Duration) time.Duration { return d }} // the ceiling itself
	got := []time.Duration{}
	for a := 1; a <= 4; a++ {
		got = append(got, fanout.WaitForTest(p, a, 0))
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attempt %d: wait %v, want %v", i+1, got[i], want[i])
		}
	}
	if w := fanout.WaitForTest(p, 1, time.Second); w != time.Second {
		t.Errorf("retry-after 1s: wait %v", w)
	}
}
