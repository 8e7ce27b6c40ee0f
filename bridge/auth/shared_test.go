package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memNonces is a NonceStore two Authenticators share, as replicas share
// their Postgres store.
type memNonces struct {
	mu   sync.Mutex
	seen map[string]bool
	err  error
}

func (m *memNonces) SeenNonce(_ context.Context, nonce string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	replay := m.seen[nonce]
	m.seen[nonce] = true
	return replay, nil
}

// TestSharedNonces: a token accepted by one replica is a replay at the
// other; a store that cannot answer refuses, rather than risk a replay.
func TestSharedNonces(t *testing.T) {
	store := &memNonces{seen: map[string]bool{}}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, b := newAuth(t), newAuth(t)
	for _, x := range []interface {
		SetClock(func() time.Time)
	}{a, b} {
		x.SetClock(func() time.Time { return now })
	}
	a.ShareNonces(store)
	b.ShareNonces(store)
	tok := digestToken("alice", "digest-pw", []byte("shared-1"), now.Format(time.RFC3339))
	if who, err := a.Token(context.Background(), "192.0.2.1", tok); err != nil || who != "alice" {
		t.Fatalf("first sight at one replica: %q %v", who, err)
	}
	if _, err := b.Token(context.Background(), "192.0.2.1", tok); err == nil {
		t.Error("the other replica accepted a replay")
	}
	store.err = errors.New("connection refused")
	if _, err := b.Token(context.Background(), "192.0.2.1", digestToken("alice", "digest-pw", []byte("shared-2"), now.Format(time.RFC3339))); err == nil {
		t.Error("a token was accepted although the shared store could not say it was new")
	}
}
