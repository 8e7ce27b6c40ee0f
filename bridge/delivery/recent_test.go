package delivery

import (
	"fmt"
	"testing"
)

func TestRecent(t *testing.T) {
	c := func(id string) *Change { return &Change{ID: id} }
	t.Run("let go once every delivery took it", func(t *testing.T) {
		r := newRecent(8, 1<<20)
		r.put(c("a"), 10, 2)
		if r.take("a") == nil || r.take("a") == nil {
			t.Fatal("a change is kept for each of its deliveries")
		}
		if r.take("a") != nil || r.bytes != 0 {
			t.Fatalf("kept after its last delivery (%d bytes counted)", r.bytes)
		}
	})
	t.Run("oldest out first, by count", func(t *testing.T) {
		r := newRecent(3, 1<<20)
		for i := range 5 {
			r.put(c(fmt.Sprint(i)), 10, 1)
		}
		if r.take("0") != nil || r.take("1") != nil || r.take("2") == nil || r.take("4") == nil {
			t.Fatal("want the 3 latest kept")
		}
	})
	t.Run("oldest out first, by size", func(t *testing.T) {
		r := newRecent(100, 100*recentCost)
		r.put(c("a"), 60, 1)
		r.put(c("b"), 30, 1)
		r.put(c("c"), 30, 1) // a must go
		if r.take("a") != nil || r.take("b") == nil || r.take("c") == nil {
			t.Fatal("want a let go for c")
		}
		r.put(c("huge"), 101, 1)
		if r.take("huge") != nil {
			t.Fatal("a change larger than the bound is not kept")
		}
	})
	t.Run("taken ones free their place", func(t *testing.T) {
		r := newRecent(100, 100*recentCost)
		for i := range 50 {
			id := fmt.Sprint(i)
			r.put(c(id), 60, 1)
			if r.take(id) == nil {
				t.Fatalf("%s was let go before it was taken", id)
			}
		}
		if r.bytes != 0 || len(r.byID) != 0 {
			t.Fatalf("%d bytes, %d changes left", r.bytes, len(r.byID))
		}
		for _, it := range r.ring {
			if it != nil && it.c != nil {
				t.Fatalf("the ring still holds %s after it was taken", it.id)
			}
		}
	})
}
