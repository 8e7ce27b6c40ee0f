package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// cheapHash is a bcrypt hash at the lowest cost: these tests count hashes,
// they do not time them.
func cheapHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// clock is a settable time for the cache's TTL.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func cachedAuth(t *testing.T, ttl time.Duration, callers ...config.Caller) (*auth.Authenticator, *clock) {
	t.Helper()
	d := config.Duration(ttl)
	a, err := auth.New(config.Auth{CacheTTL: &d, Callers: callers})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	a.SetClock(clk.Now)
	return a, clk
}

// check runs one Password check from its own address (so the failure
// throttle stays out of the way) and returns the hashes it cost.
func check(t *testing.T, a *auth.Authenticator, user, pw, want string) int64 {
	t.Helper()
	before := a.Verifications()
	addr := fmt.Sprintf("198.51.100.%d", before%250)
	got, err := a.Password(context.Background(), addr, user, pw)
	if want == "" {
		if !errors.Is(err, auth.ErrFailed) {
			t.Fatalf("Password(%q, %q) = %q, %v; want ErrFailed", user, pw, got, err)
		}
	} else if err != nil || got != want {
		t.Fatalf("Password(%q, %q) = %q, %v; want %q", user, pw, got, err, want)
	}
	return a.Verifications() - before
}

func TestCacheHitAndExpiry(t *testing.T) {
	a, clk := cachedAuth(t, 5*time.Minute, config.Caller{Name: "alice", PasswordHash: cheapHash(t, "pw")})
	steps := []struct {
		name       string
		advance    time.Duration
		user, pw   string
		want       string
		wantHashes int64
	}{
		{"first check hashes", 0, "alice", "pw", "alice", 1},
		{"again: remembered", time.Minute, "alice", "pw", "alice", 0},
		{"a wrong password is checked", 0, "alice", "nope", "", 1},
		{"and never remembered", 0, "alice", "nope", "", 1},
		{"still remembered just before the TTL", 4*time.Minute - time.Second, "alice", "pw", "alice", 0},
		{"a hit does not extend the TTL", 2 * time.Second, "alice", "pw", "alice", 1},
		{"remembered again", 0, "alice", "pw", "alice", 0},
		{"another user name spelling is its own entry", 0, "ALICE", "pw", "alice", 1},
	}
	for _, s := range steps {
		clk.now = clk.now.Add(s.advance)
		if n := check(t, a, s.user, s.pw, s.want); n != s.wantHashes {
			t.Errorf("%s: %d hashes, want %d", s.name, n, s.wantHashes)
		}
	}
}

func TestCacheOff(t *testing.T) {
	a, _ := cachedAuth(t, 0, config.Caller{Name: "alice", PasswordHash: cheapHash(t, "pw")})
	for range 3 {
		if n := check(t, a, "alice", "pw", "alice"); n != 1 {
			t.Fatalf("cache_ttl 0: %d hashes per check, want 1", n)
		}
	}
}

// TestReloadForgets: whenever the callers change, nothing verified against
// the old list lets anyone in.
func TestReloadForgets(t *testing.T) {
	a, _ := cachedAuth(t, time.Hour, config.Caller{Name: "alice", PasswordHash: cheapHash(t, "old")},
		config.Caller{Name: "bob", PasswordHash: cheapHash(t, "bob-pw")})
	check(t, a, "alice", "old", "alice")
	check(t, a, "bob", "bob-pw", "bob")
	if n := check(t, a, "alice", "old", "alice"); n != 0 {
		t.Fatalf("not remembered before the reload")
	}
	// alice's password changes, bob is removed.
	if err := a.Reload(config.Auth{Callers: []config.Caller{{Name: "alice", PasswordHash: cheapHash(t, "new")}}}); err != nil {
		t.Fatal(err)
	}
	check(t, a, "alice", "old", "")
	check(t, a, "bob", "bob-pw", "")
	if n := check(t, a, "alice", "new", "alice"); n != 1 {
		t.Errorf("the new password: %d hashes, want 1", n)
	}
	if n := check(t, a, "alice", "new", "alice"); n != 0 {
		t.Errorf("the new password is not remembered: %d hashes", n)
	}
	a.Reset()
	if n := check(t, a, "alice", "new", "alice"); n != 1 {
		t.Errorf("after Reset: %d hashes, want 1", n)
	}
	if err := a.Reload(config.Auth{Callers: []config.Caller{{Name: "x", PasswordHash: "not a hash"}}}); err == nil {
		t.Error("a reload with a bad hash was accepted")
	}
	if n := check(t, a, "alice", "new", "alice"); n != 0 {
		t.Errorf("a refused reload changed the callers or the cache: %d hashes", n)
	}
}

// TestSameWorkUnknownUserAndWrongPassword counts hashes: an unknown user
// costs exactly what a wrong password costs, the first time and every time.
func TestSameWorkUnknownUserAndWrongPassword(t *testing.T) {
	a, _ := cachedAuth(t, time.Hour, config.Caller{Name: "alice", PasswordHash: cheapHash(t, "pw")})
	for i := range 3 {
		wrong := check(t, a, "alice", "nope", "")
		unknown := check(t, a, "mallory", "nope", "")
		if wrong != 1 || unknown != 1 {
			t.Errorf("round %d: wrong password %d hashes, unknown user %d; want 1 each", i, wrong, unknown)
		}
	}
}

// throttledAuth has alice (password pw), a credential cache, and a failure
// throttle of burst checks that does not refill while a test runs.
func throttledAuth(t *testing.T, burst int) *auth.Authenticator {
	t.Helper()
	d := config.Duration(time.Hour)
	a, err := auth.New(config.Auth{CacheTTL: &d, FailureRate: 0.001, FailureBurst: burst,
		Callers: []config.Caller{{Name: "alice", PasswordHash: cheapHash(t, "pw")}}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFailureThrottle: checks needing a hash are limited per (address,
// user) before hashing; the remembered credential and other addresses and
// users are not held back.
func TestFailureThrottle(t *testing.T) {
	a := throttledAuth(t, 3)
	ctx := context.Background()
	if _, err := a.Password(ctx, "203.0.113.9", "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.Password(ctx, "203.0.113.9", "alice", "nope"); !errors.Is(err, auth.ErrFailed) {
			t.Fatalf("within the burst: %v", err)
		}
	}
	before := a.Verifications()
	for _, user := range []string{"alice", "ALICE"} {
		_, err := a.Password(ctx, "203.0.113.9", user, "nope")
		var th *auth.Throttled
		if !errors.As(err, &th) || th.Wait <= 0 {
			t.Fatalf("%s beyond the burst: %v, want Throttled with a wait", user, err)
		}
	}
	if n := a.Verifications() - before; n != 0 {
		t.Errorf("throttled checks cost %d hashes, want 0", n)
	}
	if who, err := a.Password(ctx, "203.0.113.9", "alice", "pw"); err != nil || who != "alice" {
		t.Errorf("the remembered credential was held back: %q %v", who, err)
	}
	if _, err := a.Password(ctx, "203.0.113.10", "alice", "nope"); !errors.Is(err, auth.ErrFailed) {
		t.Errorf("another address: %v, want ErrFailed", err)
	}
	if _, err := a.Password(ctx, "203.0.113.9", "bob", "nope"); !errors.Is(err, auth.ErrFailed) {
		t.Errorf("another user: %v, want ErrFailed", err)
	}
}

// TestAddressThrottle: a client making up a new user name for every check
// does not get a fresh burst of hashes with each: its address has a budget
// of ten names' worth.
func TestAddressThrottle(t *testing.T) {
	a := throttledAuth(t, 2)
	ctx := context.Background()
	throttled := 0
	for i := range 30 {
		_, err := a.Password(ctx, "203.0.113.7", fmt.Sprintf("made-up-%d", i), "nope")
		var th *auth.Throttled
		if errors.As(err, &th) {
			throttled++
		}
	}
	if n := a.Verifications(); n != 20 || throttled != 10 {
		t.Errorf("30 made-up names from one address: %d hashes and %d throttled, want 20 (ten names' burst) and 10", n, throttled)
	}
	if _, err := a.Password(ctx, "203.0.113.8", "made-up-99", "nope"); !errors.Is(err, auth.ErrFailed) {
		t.Errorf("another address: %v, want ErrFailed", err)
	}
}

// TestExpiryUnderLoad: when a remembered credential expires while a
// client has many calls in flight, they share one check. Each used to
// take a token of the failure budget and a hash, and the caller with the
// right password was answered 429 past the budget.
func TestExpiryUnderLoad(t *testing.T) {
	a := throttledAuth(t, 2)
	clk := &clock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	a.SetClock(clk.Now)
	const calls = 32
	if _, err := a.Password(context.Background(), "198.51.100.7", "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	clk.now = clk.now.Add(2 * time.Hour) // past the TTL
	for i, pw := range []string{"pw", "nope"} {
		addr := fmt.Sprintf("198.51.100.%d", 7+i) // a budget of its own for the wrong password
		before := a.Verifications()
		var wg sync.WaitGroup
		errs := make(chan error, calls)
		start := make(chan struct{})
		for range calls {
			wg.Go(func() {
				<-start
				_, err := a.Password(context.Background(), addr, "alice", pw)
				errs <- err
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			var th *auth.Throttled
			switch {
			case pw == "pw" && err != nil:
				t.Errorf("right password, %d calls at once after expiry: %v", calls, err)
			case pw == "nope" && !errors.Is(err, auth.ErrFailed) && !errors.As(err, &th):
				t.Errorf("wrong password: %v, want ErrFailed or Throttled", err)
			}
		}
		// The calls overlap the check, or come after it (a hit, or for
		// the wrong password another check): never one hash each.
		if n := a.Verifications() - before; n < 1 || n > 2 {
			t.Errorf("password %q, %d calls at once: %d hashes, want 1 (2 at most)", pw, calls, n)
		}
	}
}
