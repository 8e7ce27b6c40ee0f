package fakekit

import (
	"strings"
	"sync"
	"time"
)

// MaxHistory is how many states History keeps per subject.
const MaxHistory = 100

// History keeps, per subject (keyed as Overlaps keys it), the states a
// fake applied, oldest first, the last MaxHistory of each; so a test can
// check that a subject's states arrived in the order they were made, not
// only the last one. The zero value is ready to use.
type History struct {
	mu  sync.Mutex
	seq int
	m   map[string][]Applied
}

// Applied is one state a fake applied for a subject.
type Applied struct {
	// Seq orders every state the fake applied, across subjects.
	Seq   int       `json:"seq"`
	At    time.Time `json:"at"`
	State any       `json:"state"`
}

// Record appends state (a copy the caller no longer changes) to key's
// history; "" is no subject and is not recorded.
func (h *History) Record(key string, state any) {
	if key == "" {
		return
	}
	key = strings.ToLower(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string][]Applied{}
	}
	h.seq++
	h.m[key] = AppendBounded(h.m[key], Applied{Seq: h.seq, At: time.Now().UTC(), State: state}, MaxHistory)
}

// Snapshot returns every subject's history; never nil.
func (h *History) Snapshot() map[string][]Applied {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string][]Applied, len(h.m))
	for k, v := range h.m {
		out[k] = append([]Applied(nil), v...)
	}
	return out
}
