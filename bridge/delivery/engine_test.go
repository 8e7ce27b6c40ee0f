package delivery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
	"github.com/thereforebridge/thereforebridge/generated"
)

// recorder is a vendor that keeps what it was asked, and fails as told.
type recorder struct {
	name    string
	spec    fanout.Spec
	mu      sync.Mutex
	calls   []*fanout.Call
	state   map[string]bool // subject key -> out of office
	fail    func(call *fanout.Call) fanout.Result
	active  map[string]int
	overlap int
}

func newRecorder(name string, events bool) *recorder {
	key := fanout.ByPerson
	if events {
		key = fanout.ByCall
	}
	return &recorder{name: name, spec: fanout.Spec{Operations: fanout.Operations, Events: events, Key: key},
		state: map[string]bool{}, active: map[string]int{}}
}

func (r *recorder) Name() string      { return r.name }
func (r *recorder) Spec() fanout.Spec { return r.spec }
func (r *recorder) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	k := call.OutOfOffice.User.Key()
	r.mu.Lock()
	r.active[k]++
	if r.active[k] > 1 {
		r.overlap++
	}
	fail := r.fail
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.active[k]--
		r.mu.Unlock()
	}()
	if fail != nil {
		if res := fail(call); res.Status != fanout.OK {
			return res
		}
	}
	time.Sleep(time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
	if call.OutOfOffice != nil && call.OutOfOffice.Enabled != nil {
		r.state[k] = *call.OutOfOffice.Enabled
	}
	return fanout.Result{Status: fanout.OK}
}

func (r *recorder) snapshot() (map[string]bool, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]bool{}
	for k, v := range r.state {
		m[k] = v
	}
	return m, len(r.calls), r.overlap
}

func oofChange(t testing.TB, user string, on bool) *Change {
	t.Helper()
	name := user
	p := &generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserName: &name}, IsOutOfOfficeEnabled: &on}
	c, err := NewChange("req", "caller", "", fanout.SaveOutOfOfficeInfoForUser, p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openTest(t *testing.T, cfg Config, vs ...fanout.Vendor) *Engine {
	t.Helper()
	if cfg.Store == "" {
		cfg.Store = "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	}
	var targets []fanout.Target
	for _, v := range vs {
		targets = append(targets, fanout.TargetConfig{}.Target(v))
	}
	e, err := Open(context.Background(), cfg, targets, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Stop(ctx)
	})
	return e
}

// countOf runs a COUNT query on e's store.
func countOf(t *testing.T, e *Engine, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.be.inTx(context.Background(), func(tx txn) error {
		r, err := tx.query(context.Background(), q, args...)
		if err != nil {
			return err
		}
		defer r.Close()
		if !r.Next() {
			return errors.New("no row")
		}
		return r.Scan(&n)
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAcceptDeliversInOrderAndFolds(t *testing.T) {
	state := newRecorder("state", false)
	events := newRecorder("events", true)
	e := openTest(t, Config{ApplyWait: 0}, state, events)
	ctx := context.Background()
	const users, calls = 5, 40
	last := map[string]bool{}
	for i := 0; i < calls; i++ {
		u := fmt.Sprintf("u%d", i%users)
		on := (i/users)%2 == 0
		if _, err := e.Accept(ctx, oofChange(t, u, on)); err != nil {
			t.Fatal(err)
		}
		last[intent.User{UserName: u}.Key()] = on
	}
	eventually(t, "every event", func() bool { _, n, _ := events.snapshot(); return n == calls })
	eventually(t, "the last state", func() bool {
		got, _, _ := state.snapshot()
		for k, v := range last {
			if got[k] != v {
				return false
			}
		}
		return true
	})
	checkAlternating(t, events)
	if _, _, o := state.snapshot(); o != 0 {
		t.Errorf("%d overlapping deliveries for one key", o)
	}
}

func TestRetryUntilDeliveredAndWaitReportsPermanent(t *testing.T) {
	v := newRecorder("v", false)
	var mu sync.Mutex
	failures := 3
	v.fail = func(call *fanout.Call) fanout.Result {
		mu.Lock()
		defer mu.Unlock()
		if call.OutOfOffice.User.UserName == "ghost" {
			return fanout.Result{Status: fanout.Permanent, Message: "unknown user"}
		}
		if failures > 0 {
			failures--
			return fanout.Result{Status: fanout.Retryable, VendorStatus: 503, Message: "busy"}
		}
		return fanout.Result{Status: fanout.OK}
	}
	e := openTest(t, Config{ApplyWait: 2 * time.Second, Backoff: Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}}, v)
	ctx := context.Background()
	rc, err := e.Accept(ctx, oofChange(t, "jdoe", true))
	if err != nil {
		t.Fatal(err)
	}
	out := rc.Wait(ctx)
	if len(out) != 1 || out[0].State != StateRetrying {
		t.Fatalf("first attempt: %+v", out)
	}
	eventually(t, "delivery after retries", func() bool { s, _, _ := v.snapshot(); return s["name:jdoe"] })
	rc, err = e.Accept(ctx, oofChange(t, "ghost", true))
	if err != nil {
		t.Fatal(err)
	}
	out = rc.Wait(ctx)
	if len(out) != 1 || out[0].State != StateFailed || out[0].Result.Message != "unknown user" {
		t.Fatalf("permanent: %+v", out)
	}
}

func TestDuplicateIsRecognised(t *testing.T) {
	v := newRecorder("v", true)
	e := openTest(t, Config{}, v)
	ctx := context.Background()
	a := oofChange(t, "jdoe", true)
	a.MessageID = "urn:uuid:1"
	r1, err := e.Accept(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	b := oofChange(t, "jdoe", true)
	b.MessageID = "urn:uuid:1"
	r2, err := e.Accept(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Duplicate || r2.ChangeID != r1.ChangeID {
		t.Fatalf("retry not recognised: %+v vs %+v", r2, r1)
	}
	// Same body, no MessageID, nothing changed since: still the retry.
	r3, _ := e.Accept(ctx, oofChange(t, "jdoe", true))
	if !r3.Duplicate {
		t.Fatal("a retry without MessageID was not recognised")
	}
	// A toggle back is a new change.
	if r, _ := e.Accept(ctx, oofChange(t, "jdoe", false)); r.Duplicate {
		t.Fatal("off taken for a duplicate")
	}
	if r, _ := e.Accept(ctx, oofChange(t, "jdoe", true)); r.Duplicate {
		t.Fatal("on again after off taken for a duplicate")
	}
	eventually(t, "three events", func() bool { _, n, _ := v.snapshot(); return n == 3 })
}

// TestPostgres runs the same checks on a shared Postgres store, with two
// engines (two replicas) accepting and delivering at once: every key ends
// at its last state, events arrive in order, and no key is delivered by
// both at the same time.
func TestPostgres(t *testing.T) {
	pg := pgtest.Start(t)
	dsn := pg.CreateDB(t, "delivery")
	key := make([]byte, 32)
	state := newRecorder("state", false)
	events := newRecorder("events", true)
	a := openTest(t, Config{Store: dsn, EncryptionKey: key, Replicas: 2}, state, events)
	b := openTest(t, Config{Store: dsn, EncryptionKey: key, Replicas: 2}, state, events)
	ctx := context.Background()
	const users, rounds = 8, 10
	last := map[string]bool{}
	var wg sync.WaitGroup
	for u := 0; u < users; u++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				e := a
				if i%2 == 1 {
					e = b
				}
				if _, err := e.Accept(ctx, oofChange(t, fmt.Sprintf("u%d", u), i%2 == 0)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		last[intent.User{UserName: fmt.Sprintf("u%d", u)}.Key()] = (rounds-1)%2 == 0
	}
	wg.Wait()
	eventually(t, "every event", func() bool { _, n, _ := events.snapshot(); return n == users*rounds })
	eventually(t, "the last states", func() bool {
		got, _, _ := state.snapshot()
		for k, v := range last {
			if g, ok := got[k]; !ok || g != v {
				return false
			}
		}
		return true
	})
	checkAlternating(t, events)
	if _, _, o := state.snapshot(); o != 0 {
		t.Errorf("%d overlapping deliveries for one key", o)
	}
	if _, _, o := events.snapshot(); o != 0 {
		t.Errorf("%d overlapping events for one key", o)
	}
}

// checkAlternating checks that each user's events came in call order: on,
// off, on, ...
func checkAlternating(t *testing.T, events *recorder) {
	t.Helper()
	events.mu.Lock()
	seen := map[string][]bool{}
	for _, c := range events.calls {
		k := c.OutOfOffice.User.Key()
		seen[k] = append(seen[k], *c.OutOfOffice.Enabled)
	}
	events.mu.Unlock()
	for k, l := range seen {
		for i, v := range l {
			if v != ((i % 2) == 0) {
				t.Fatalf("%s: events out of order: %v", k, l)
			}
		}
	}
}

// TestInProcessVendor: a vendor whose state is the process's memory gets
// each accepted change as it is accepted, once (a recognised retry is not
// given to it again), and nothing of it is stored: a call that only it
// receives does not touch the store at all.
func TestInProcessVendor(t *testing.T) {
	mem := newRecorder("mem", true)
	mem.spec.InProcess = true
	stored := newRecorder("v", true)
	e := openTest(t, Config{}, mem, stored)
	ctx := context.Background()
	if _, err := e.Accept(ctx, oofChange(t, "jdoe", true)); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := mem.snapshot(); n != 1 {
		t.Fatalf("the in-process vendor had %d calls when Accept returned, want 1", n)
	}
	if r, _ := e.Accept(ctx, oofChange(t, "jdoe", true)); !r.Duplicate {
		t.Fatal("the retry was not recognised")
	}
	if _, n, _ := mem.snapshot(); n != 1 {
		t.Fatalf("the in-process vendor had %d calls after a client retry, want 1", n)
	}
	eventually(t, "the stored vendor's event", func() bool { _, n, _ := stored.snapshot(); return n == 1 })
	if rows := countOf(t, e, `SELECT COUNT(*) FROM tb_delivery WHERE vendor = ?`, "mem"); rows != 0 {
		t.Errorf("%d deliveries of the in-process vendor stored, want none", rows)
	}

	// Only an in-process vendor: the store is not needed, so a call is
	// accepted even when the store could not take it.
	alone := newRecorder("mem", true)
	alone.spec.InProcess = true
	e2 := openTest(t, Config{}, alone)
	e2.be.close()
	r, err := e2.Accept(ctx, oofChange(t, "asmith", false))
	if err != nil {
		t.Fatalf("a call only an in-process vendor receives needed the store: %v", err)
	}
	if out := r.Wait(ctx); len(out) != 0 {
		t.Errorf("Wait = %+v, want no stored deliveries to report", out)
	}
	if _, n, _ := alone.snapshot(); n != 1 {
		t.Errorf("the in-process vendor had %d calls, want 1", n)
	}
}

// TestNewID: change ids are UUIDs of version 7 and RFC 9562's variant,
// all different, and an id made a millisecond later sorts after.
func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := newID()
	for range 1000 {
		id := newID()
		if !re.MatchString(id) {
			t.Fatalf("%q is not a version 7 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q made twice", id)
		}
		seen[id] = true
	}
	time.Sleep(2 * time.Millisecond)
	if next := newID(); next <= prev {
		t.Errorf("%q, made later, does not sort after %q", next, prev)
	}
}

// TestFirstAttemptDoesNotWaitForThePoll: on the embedded store a commit's
// deliveries are attempted in this process at once, not at River's next
// poll: with a poll interval far longer than apply_wait, a call still
// learns its delivery's outcome within apply_wait, and a shard is never
// worked twice at once.
func TestFirstAttemptDoesNotWaitForThePoll(t *testing.T) {
	v := newRecorder("v", false)
	e := openTest(t, Config{PollInterval: time.Minute, ApplyWait: 10 * time.Second}, v)
	ctx := context.Background()
	for i := range 20 {
		r, err := e.Accept(ctx, oofChange(t, fmt.Sprintf("user%02d", i%5), i%2 == 0))
		if err != nil {
			t.Fatal(err)
		}
		out := r.Wait(ctx)
		if len(out) != 1 || out[0].State != StateOK {
			t.Fatalf("call %d: outcomes %+v, want the one delivery made within apply_wait", i, out)
		}
	}
	if _, _, overlap := v.snapshot(); overlap != 0 {
		t.Errorf("%d deliveries overlapped another of the same key", overlap)
	}
}

// TestCleanRemovesSettledChangesInChunks: changes past the dedupe window
// that no delivery needs go, however many there are (more than one chunk
// of Clean); a change whose delivery is pending stays.
func TestCleanRemovesSettledChangesInChunks(t *testing.T) {
	v := newRecorder("v", true)
	e := openTest(t, Config{DedupeWindow: time.Millisecond}, v)
	ctx := context.Background()
	const n = 2*cleanChunk + 100
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= n; i = next.Add(1) {
				if _, err := e.Accept(ctx, oofChange(t, fmt.Sprintf("user%04d", i), true)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	eventually(t, "every event delivered", func() bool { _, got, _ := v.snapshot(); return got == n })
	// One more, whose delivery fails and stays pending.
	v.mu.Lock()
	v.fail = func(*fanout.Call) fanout.Result { return fanout.Result{Status: fanout.Retryable, Message: "down"} }
	v.mu.Unlock()
	if _, err := e.Accept(ctx, oofChange(t, "pending", true)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := e.Clean(ctx); err != nil {
		t.Fatal(err)
	}
	if c := countOf(t, e, `SELECT COUNT(*) FROM tb_change`); c != 1 {
		t.Errorf("%d changes left after Clean, want 1 (the one still pending)", c)
	}
}

// TestKickWhileHeld: a commit for a shard someone works at that moment
// is worked when they let it go, not at River's next poll.
func TestKickWhileHeld(t *testing.T) {
	v := newRecorder("v", false)
	e := openTest(t, Config{PollInterval: time.Minute, ApplyWait: 10 * time.Second}, v)
	c := oofChange(t, "jdoe", true)
	p := plan(c, e.stored, e.dir)
	release, ok := e.takeShard(shardRef{p[0].vendor, shardOf(p[0].key)})
	if !ok {
		t.Fatal("the idle shard could not be taken")
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		release()
	}()
	r, err := e.Accept(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if out := r.Wait(context.Background()); len(out) != 1 || out[0].State != StateOK {
		t.Fatalf("outcomes %+v, want the delivery made once the shard was let go", out)
	}
}

// TestKickWaitsForASlot: a commit whose shard finds every slot of its
// vendor taken is worked when a slot is let go, not at River's next poll.
func TestKickWaitsForASlot(t *testing.T) {
	v := newRecorder("v", false)
	v.fail = func(*fanout.Call) fanout.Result {
		time.Sleep(100 * time.Millisecond) // hold the one slot a while
		return fanout.Result{Status: fanout.OK}
	}
	e := openTest(t, Config{PollInterval: time.Minute, ApplyWait: 10 * time.Second, MaxConcurrency: 1}, v)
	// Two users whose keys fall in different shards.
	a := oofChange(t, "jdoe", true)
	var b *Change
	for i := 0; b == nil; i++ {
		c := oofChange(t, fmt.Sprintf("other%d", i), true)
		if shardOf(plan(c, e.stored, e.dir)[0].key) != shardOf(plan(a, e.stored, e.dir)[0].key) {
			b = c
		}
	}
	var wg sync.WaitGroup
	for _, c := range []*Change{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.Accept(context.Background(), c)
			if err != nil {
				t.Error(err)
				return
			}
			if out := r.Wait(context.Background()); len(out) != 1 || out[0].State != StateOK {
				t.Errorf("%s: outcomes %+v, want the delivery made within apply_wait", c.OutOfOffice.User, out)
			}
		}()
	}
	wg.Wait()
	if _, _, overlap := v.snapshot(); overlap != 0 {
		t.Errorf("%d deliveries overlapped", overlap)
	}
}
