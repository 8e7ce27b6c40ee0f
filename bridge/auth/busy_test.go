package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// TestHashSlots: with every hash slot taken a check waits at most
// max_hash_wait, or until its call ends, then answers ErrBusy.
func TestHashSlots(t *testing.T) {
	h, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(config.Auth{MaxConcurrentHashes: 1, MaxHashWait: config.Duration(20 * time.Millisecond),
		Callers: []config.Caller{{Name: "alice", PasswordHash: h}}})
	if err != nil {
		t.Fatal(err)
	}
	a.hashes <- struct{}{} // the one slot, taken
	if _, err := a.Password(context.Background(), "192.0.2.1", "alice", "pw"); !errors.Is(err, ErrBusy) {
		t.Errorf("slot taken, max_hash_wait passed: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.hashWait = time.Hour
	if _, err := a.Password(ctx, "192.0.2.2", "alice", "pw"); !errors.Is(err, ErrBusy) {
		t.Errorf("slot taken, call ended: %v, want ErrBusy", err)
	}
	if n := a.Verifications(); n != 0 {
		t.Errorf("%d hashes ran without a slot", n)
	}
	<-a.hashes
	if who, err := a.Password(context.Background(), "192.0.2.3", "alice", "pw"); err != nil || who != "alice" {
		t.Errorf("slot free: %q %v", who, err)
	}
}

// TestCacheBound: the least recently used credential goes first.
func TestCacheBound(t *testing.T) {
	c := newCredCache(time.Hour, 2)
	now := time.Now()
	k1, k2, k3 := c.key("a", "1"), c.key("b", "2"), c.key("c", "3")
	if c.key("a", "1") != k1 || c.key("a1", "") == c.key("a", "1") {
		t.Fatal("keys are not stable, or another split of the same bytes collides")
	}
	c.put(c.generation(), k1, "a", now)
	c.put(c.generation(), k2, "b", now)
	c.get(k1, now) // a is now the most recent
	c.put(c.generation(), k3, "c", now)
	if _, ok := c.get(k2, now); ok || c.len() != 2 {
		t.Errorf("b was not evicted (len %d)", c.len())
	}
	if _, ok := c.get(k1, now); !ok {
		t.Error("a, recently used, was evicted")
	}
	gen := c.generation()
	c.reset()
	c.put(gen, k2, "b", now) // a check that began before the reset
	if c.len() != 0 {
		t.Error("a check begun before a reset was remembered")
	}
}

// TestLateCallerTakesTheRememberedCredential: a call that missed the cache
// just before a check remembered the credential, and reaches the shared
// check after that check ended, takes the remembered credential: no token
// of the failure budget, no hash. Before, it checked again, and with its
// client's budget spent (one token here, by the first check) the right
// password got a 429.
func TestLateCallerTakesTheRememberedCredential(t *testing.T) {
	h, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	ttl := config.Duration(time.Hour)
	a, err := New(config.Auth{CacheTTL: &ttl, FailureRate: 0.001, FailureBurst: 1,
		Callers: []config.Caller{{Name: "alice", PasswordHash: h}}})
	if err != nil {
		t.Fatal(err)
	}
	if who, err := a.Password(context.Background(), "192.0.2.1", "alice", "pw"); err != nil || who != "alice" {
		t.Fatalf("first call: %q %v", who, err)
	}
	// The late call: it looked before the first check's put, and comes
	// to the shared check now.
	who, err := a.checkShared(context.Background(), "192.0.2.1", "alice", "pw", a.cache.key("alice", "pw"))
	if err != nil || who != "alice" {
		t.Errorf("late call: %q %v, want alice", who, err)
	}
	if n := a.Verifications(); n != 1 {
		t.Errorf("%d hashes, want the first call's only", n)
	}
}
