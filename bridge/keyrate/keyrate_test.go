package keyrate

import (
	"fmt"
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	l := New(0.001, 2)
	for i := range 2 {
		if w := l.Take("a"); w != 0 {
			t.Fatalf("take %d within the burst: wait %v", i+1, w)
		}
	}
	w := l.Take("a")
	if w <= 0 {
		t.Fatal("beyond the burst: no wait")
	}
	if w2 := l.Take("a"); w2 <= 0 || w2 > w+time.Second {
		t.Errorf("a refused take consumed a token: wait %v after %v", w2, w)
	}
	if w := l.Take("b"); w != 0 {
		t.Errorf("another key waits %v", w)
	}
	if Seconds(w) < 999 || Seconds(time.Millisecond) != 1 {
		t.Errorf("Seconds(%v) = %d, Seconds(1ms) = %d", w, Seconds(w), Seconds(time.Millisecond))
	}
	var off *Limits
	if New(0, 5) != nil || off.Take("a") != 0 {
		t.Error("a zero rate is not off")
	}
}

func TestBounded(t *testing.T) {
	l := New(1, 1)
	for i := range maxBuckets + 10 {
		l.Take(fmt.Sprint(i))
	}
	if n := len(l.buckets); n > maxBuckets {
		t.Errorf("%d buckets, bound %d", n, maxBuckets)
	}
}
