package delivery

import (
	"context"
	"testing"
	"time"
)

// TestSeenNonce: a nonce is new once, a replay while it lives, and new
// again once expired.
func TestSeenNonce(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Config{Store: "sqlite:" + t.TempDir() + "/d.db", EncryptionKey: make([]byte, 32)}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop(ctx)
	now := time.Unix(1_700_000_000, 0)
	e.now = func() time.Time { return now }
	for i, want := range []bool{false, true, true} {
		replay, err := e.SeenNonce(ctx, "bm9uY2U=", now.Add(time.Minute))
		if err != nil || replay != want {
			t.Fatalf("sight %d: replay %v, %v; want %v", i, replay, err, want)
		}
	}
	if replay, err := e.SeenNonce(ctx, "b3RoZXI=", now.Add(time.Minute)); err != nil || replay {
		t.Fatalf("another nonce: replay %v, %v", replay, err)
	}
	now = now.Add(2 * time.Minute)
	if replay, err := e.SeenNonce(ctx, "bm9uY2U=", now.Add(time.Minute)); err != nil || replay {
		t.Fatalf("an expired nonce seen again: replay %v, %v; want new", replay, err)
	}
}
