package delivery

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/generated"
)

// failing makes v fail users in bad with status until it is told to
// stop.
func failing(v *recorder, status fanout.Status, bad ...string) *atomic.Bool {
	var on atomic.Bool
	on.Store(true)
	v.fail = func(call *fanout.Call) fanout.Result {
		for _, b := range bad {
			if on.Load() && call.OutOfOffice.User.UserName == b {
				return fanout.Result{Status: status, VendorStatus: 404, Message: "user " + b + " is unknown"}
			}
		}
		return fanout.Result{Status: fanout.OK}
	}
	return &on
}

func listOf(t *testing.T, e *Engine, f Filter) []Delivery {
	t.Helper()
	ds, err := e.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestListRetryDiscardFailed(t *testing.T) {
	v := newRecorder("v", false)
	broken := failing(v, fanout.Permanent, "ghost", "gone")
	e := openTest(t, Config{}, v)
	ctx := context.Background()
	for _, u := range []string{"ghost", "gone", "jdoe"} {
		if _, err := e.Accept(ctx, oofChange(t, u, true)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "two failed deliveries, jdoe's made", func() bool {
		return len(listOf(t, e, Filter{State: StateFailed})) == 2 && len(listOf(t, e, Filter{})) == 2
	})
	ds := listOf(t, e, Filter{User: "GHO", Vendor: "v"})
	if len(ds) != 1 || ds[0].State != StateFailed || ds[0].Attempts != 1 || ds[0].LastError != "user ghost is unknown" ||
		ds[0].LastStatus != 404 || ds[0].Operation != fanout.SaveOutOfOfficeInfoForUser {
		t.Fatalf("the user filter: %+v", ds)
	}
	for _, f := range []Filter{{Vendor: "w"}, {State: StateDead}, {State: StateRetrying}, {User: "%"}, {User: "nobody"}} {
		if ds := listOf(t, e, f); len(ds) != 0 {
			t.Errorf("%+v matches %+v", f, ds)
		}
	}
	if _, err := e.List(ctx, Filter{State: "stuck"}); err == nil || !strings.Contains(err.Error(), `unknown state "stuck"`) {
		t.Errorf("an unknown state: %v", err)
	}
	if _, err := e.Retry(ctx, Filter{State: StatePending}); err == nil {
		t.Error("retrying pending deliveries was not refused")
	}

	// The vendor learns of ghost; a retry delivers it.
	broken.Store(false)
	n, err := e.Retry(ctx, Filter{User: "ghost"})
	if err != nil || n != 1 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	eventually(t, "ghost delivered after the retry", func() bool { s, _, _ := v.snapshot(); return s["name:ghost"] })
	eventually(t, "ghost gone from the list", func() bool { return len(listOf(t, e, Filter{User: "ghost"})) == 0 })

	n, err = e.Discard(ctx, Filter{User: "gone"})
	if err != nil || n != 1 {
		t.Fatalf("discard: %d, %v", n, err)
	}
	if ds := listOf(t, e, Filter{}); len(ds) != 0 {
		t.Fatalf("left after discard: %+v", ds)
	}
	if s, _, _ := v.snapshot(); s["name:gone"] {
		t.Error("a discarded delivery was made")
	}
	if n, err := e.Retry(ctx, Filter{}); n != 0 || err != nil {
		t.Errorf("retrying nothing: %d, %v", n, err)
	}
}

func TestRetryCutsBackoffShortAndDiscardClearsTheKey(t *testing.T) {
	v := newRecorder("v", false)
	broken := failing(v, fanout.Retryable, "slow", "drop")
	e := openTest(t, Config{Backoff: Backoff{Initial: time.Hour, Max: time.Hour, Jitter: func(d time.Duration) time.Duration { return d }}}, v)
	ctx := context.Background()
	for _, u := range []string{"slow", "drop"} {
		if _, err := e.Accept(ctx, oofChange(t, u, true)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "two retrying deliveries", func() bool { return len(listOf(t, e, Filter{State: StateRetrying})) == 2 })
	d := listOf(t, e, Filter{User: "slow"})[0]
	if d.Attempts != 1 || d.NextAttempt == nil || time.Until(*d.NextAttempt) < time.Minute || d.LastError != "user slow is unknown" {
		t.Fatalf("retrying: %+v", d)
	}
	if ds := listOf(t, e, Filter{State: StatePending}); len(ds) != 0 {
		t.Fatalf("a retrying delivery listed as pending: %+v", ds)
	}
	// Discard by default takes failed and dead ones only.
	if n, _ := e.Discard(ctx, Filter{User: "drop"}); n != 0 {
		t.Fatal("discard took a retrying delivery it was not asked for")
	}
	if n, err := e.Discard(ctx, Filter{User: "drop", State: StateRetrying}); n != 1 || err != nil {
		t.Fatalf("discard retrying: %d, %v", n, err)
	}
	if ds := listOf(t, e, Filter{User: "drop"}); len(ds) != 0 {
		t.Fatalf("left: %+v", ds)
	}
	if keys := countOf(t, e, `SELECT COUNT(*) FROM tb_key WHERE key LIKE '%drop%'`); keys != 0 {
		t.Error("the discarded key kept its retry state")
	}

	// Without the retry the key would wait an hour.
	broken.Store(false)
	if n, err := e.Retry(ctx, Filter{State: StateRetrying}); n != 1 || err != nil {
		t.Fatalf("retry now: %d, %v", n, err)
	}
	eventually(t, "slow delivered at once", func() bool { s, _, _ := v.snapshot(); return s["name:slow"] })
}

// TestAdminOpensTheStoreOfARunningBridge is what the CLI does: a second,
// insert-only engine on the bridge's store retries a dead delivery, and
// the bridge's workers make it.
func TestAdminOpensTheStoreOfARunningBridge(t *testing.T) {
	store := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	v := newRecorder("v", false)
	broken := failing(v, fanout.Retryable, "late")
	e := openTest(t, Config{Store: store, MaxAge: time.Millisecond, PollInterval: 50 * time.Millisecond}, v)
	ctx := context.Background()
	if _, err := e.Accept(ctx, oofChange(t, "late", false)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a dead delivery", func() bool { return len(listOf(t, e, Filter{State: StateDead})) == 1 })

	admin, err := OpenAdmin(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Stop(ctx)
	if ds := listOf(t, admin, Filter{State: StateDead}); len(ds) != 1 || ds[0].Key != "name:late" {
		t.Fatalf("the admin engine sees %+v", ds)
	}
	broken.Store(false)
	e.cfg.MaxAge = time.Hour
	if n, err := admin.Retry(ctx, Filter{Vendor: "v"}); n != 1 || err != nil {
		t.Fatalf("retry: %d, %v", n, err)
	}
	eventually(t, "the dead delivery made by the bridge", func() bool { return len(listOf(t, admin, Filter{})) == 0 })
	if _, n, _ := v.snapshot(); n != 1 {
		t.Errorf("%d calls delivered, want 1", n)
	}
}

func TestShowMasksThePortalPassword(t *testing.T) {
	v := newRecorder("v", false) // it cannot take a portal user: the delivery fails
	e := openTest(t, Config{EncryptionKey: make([]byte, 32)}, v)
	ctx := context.Background()
	email, pw := "p@example.com", "hunter2-secret"
	c, err := NewChange("req-9", "caller", "", fanout.SavePortalUser,
		&generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserPwd: &pw}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept(ctx, c); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a failed portal delivery", func() bool { return len(listOf(t, e, Filter{State: StateFailed})) == 1 })
	d := listOf(t, e, Filter{})[0]
	for _, f := range []Filter{{ChangeID: c.ID}, {Vendor: d.Vendor, Key: d.Key, Seq: d.Seq}} {
		got, err := e.Show(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		s := string(b)
		if strings.Contains(s, pw) || strings.Contains(s, sealPrefix) || !strings.Contains(s, `"UserPwd":"***"`) {
			t.Errorf("the password is not masked: %s", s)
		}
		if got.ChangeID != c.ID || got.RequestID != "req-9" || len(got.Deliveries) != 1 || !strings.Contains(s, email) {
			t.Errorf("show: %s", s)
		}
	}
	if _, err := e.Show(ctx, Filter{ChangeID: "nope"}); err != ErrNotFound {
		t.Errorf("an unknown change: %v", err)
	}
	if _, err := e.Show(ctx, Filter{Vendor: "v"}); err == nil {
		t.Error("show without a change id or seq was not refused")
	}
}
