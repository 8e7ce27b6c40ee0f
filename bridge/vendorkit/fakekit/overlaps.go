package fakekit

import (
	"strings"
	"sync"
)

// Overlaps records, per subject (the user a request is about), requests
// that overlap in time: a request that begins while another for the same
// subject is still in progress. A bridge that delivers one subject's
// changes in order never makes one, so tests assert that Snapshot is
// empty. The zero value is ready to use.
type Overlaps struct {
	mu       sync.Mutex
	inFlight map[string]int
	seen     Counts[string]
}

// Begin marks a request for key as in progress until the returned func is
// called. Keys are compared case-insensitively (e-mail addresses, Windows
// account names); "" is no subject and is not recorded.
func (o *Overlaps) Begin(key string) (end func()) {
	if key == "" {
		return func() {}
	}
	key = strings.ToLower(key)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inFlight == nil {
		o.inFlight = map[string]int{}
	}
	if o.inFlight[key] > 0 {
		o.seen.Add(key)
	}
	o.inFlight[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.inFlight[key]--; o.inFlight[key] == 0 {
				delete(o.inFlight, key)
			}
		})
	}
}

// Snapshot returns the number of overlapping requests per subject, only
// subjects that had one; never nil, so that a State shows {}.
func (o *Overlaps) Snapshot() map[string]int { return o.seen.Snapshot() }
