package delivery

import "sync"

// recent keeps the changes this process accepted lately, as they were
// accepted, so that the workers that deliver them moments later take
// them from memory instead of decoding what the store holds: with four
// vendors, every change was decoded four times, a tenth of a small
// call's CPU and tens of milliseconds for a SavePortalUser of 10,000
// items.
//
// A change is let go once each of its deliveries has taken it, and in
// any case, oldest first, when more than a count or a size would be kept
// (deliveries worked by another replica never take it here). A change
// it no longer holds is decoded from the store, as after a restart.
type recent struct {
	mu    sync.Mutex
	byID  map[string]*recentItem
	ring  []*recentItem // in the order kept, oldest at head
	head  int
	n     int
	bytes int
	max   int
}

type recentItem struct {
	id   string
	c    *Change // nil once let go: the ring may hold the item a while longer
	uses int     // deliveries that have not taken it yet
	size int     // what it counts against max
	gone bool
}

// recentCost is what a decoded change is taken to cost per byte of its
// stored form: a decoded 10,000-item SavePortalUser takes several times
// its JSON, and it keeps that JSON too (Change.params).
const recentCost = 5

func newRecent(entries, maxBytes int) *recent {
	return &recent{byID: make(map[string]*recentItem, entries), ring: make([]*recentItem, entries), max: maxBytes}
}

// put keeps c, whose stored form is stored bytes, for uses deliveries.
// Changes are not modified once accepted, so deliveries share one.
func (r *recent) put(c *Change, stored, uses int) {
	size := stored * recentCost
	if size > r.max || uses == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.n > 0 && (r.n == len(r.ring) || r.bytes+size > r.max) {
		old := r.ring[r.head]
		r.ring[r.head] = nil
		r.head = (r.head + 1) % len(r.ring)
		r.n--
		r.drop(old)
	}
	it := &recentItem{id: c.ID, c: c, uses: uses, size: size}
	r.ring[(r.head+r.n)%len(r.ring)] = it
	r.n++
	r.bytes += size
	r.byID[c.ID] = it
}

// take returns the change id for one of its deliveries, nil if it is not
// kept.
func (r *recent) take(id string) *Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.byID[id]
	if it == nil {
		return nil
	}
	c := it.c
	if it.uses--; it.uses <= 0 {
		r.drop(it)
	}
	return c
}

func (r *recent) drop(it *recentItem) {
	if it.gone {
		return
	}
	it.gone = true
	delete(r.byID, it.id)
	it.c = nil
	r.bytes -= it.size
}
