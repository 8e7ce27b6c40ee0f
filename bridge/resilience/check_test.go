package resilience

import (
	"fmt"
	"sort"
	"sync"
)

// ledger records, per user, the calls made and what their clients learnt,
// in the order each user's calls were made (one client owns a user, so
// its calls are sequential).
type ledger struct {
	mu    sync.Mutex
	calls map[string][]made
}

type made struct {
	on      bool
	outcome outcome
}

func newLedger() *ledger { return &ledger{calls: map[string][]made{}} }

func (l *ledger) add(user string, on bool, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[user] = append(l.calls[user], made{on, o})
}

func (l *ledger) count(o outcome) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, cs := range l.calls {
		for _, c := range cs {
			if c.outcome == o {
				n++
			}
		}
	}
	return n
}

// acceptable is the set of final states a user may be left in: that of
// the last call answered 200, or of a later call whose answer was cut
// (stored or not, nobody knows); off when no call was answered.
func acceptable(cs []made) map[bool]bool {
	ok := map[bool]bool{}
	last := -1
	for i, c := range cs {
		if c.outcome == acked {
			last = i
		}
	}
	if last < 0 {
		ok[false] = true
	} else {
		ok[cs[last].on] = true
	}
	for _, c := range cs[last+1:] {
		if c.outcome == cut {
			ok[c.on] = true
		}
	}
	return ok
}

// stream checks an event stream (the webhook's, each event once, in the
// order received) against the calls: every acknowledged call is there,
// in call order; a call whose answer was cut may be missing; nothing is
// there that no call made. An acknowledged call may be missing too when
// it asked for the state of the latest change stored before it, with
// only calls that were not stored in between: the bridge takes it for a
// client's retry of that change (dedupe), as a client that lost an
// answer would retry. Which calls were stored is not known, so it
// searches for an assignment of events to calls that explains the
// stream.
func stream(events []bool, cs []made) error {
	type at struct{ i, j, last int } // last: 0 none, 1 off, 2 on
	memo := map[at]bool{}
	state := func(on bool) int {
		if on {
			return 2
		}
		return 1
	}
	var fits func(i, j, last int) bool
	fits = func(i, j, last int) bool {
		if j == len(cs) {
			return i == len(events)
		}
		k := at{i, j, last}
		if v, ok := memo[k]; ok {
			return v
		}
		ok := i < len(events) && events[i] == cs[j].on && fits(i+1, j+1, state(cs[j].on))
		if !ok && (cs[j].outcome != acked || last == state(cs[j].on)) {
			ok = fits(i, j+1, last)
		}
		memo[k] = ok
		return ok
	}
	if !fits(0, 0, 0) {
		return fmt.Errorf("the %d events %s do not fit the %d calls %s (every acknowledged change in order)", len(events), bits(events), len(cs), calls(cs))
	}
	return nil
}

// bits and calls write states and calls compactly: 1 on, 0 off, and a
// call's outcome after it when not 200 (c cut, f fault).
func bits(b []bool) string {
	s := make([]byte, len(b))
	for i, on := range b {
		s[i] = "01"[btoi(on)]
	}
	return string(s)
}

func calls(cs []made) string {
	var s []byte
	for _, c := range cs {
		s = append(s, "01"[btoi(c.on)])
		switch c.outcome {
		case cut:
			s = append(s, 'c')
		case faulted, refused:
			s = append(s, 'f')
		}
	}
	return string(s)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// monotone checks a state target's history against the calls: the states
// it applied appear in call order (folding may skip states, a retry may
// repeat one), never an older state after a newer one.
func monotone(history []bool, cs []made) error {
	j := -1
	for i, on := range history {
		if j >= 0 && cs[j].on == on {
			continue // the same state again: a redelivery
		}
		k := j + 1
		for k < len(cs) && cs[k].on != on {
			k++
		}
		if k == len(cs) {
			return fmt.Errorf("applied state %d (on=%v) comes after the last call that asked for it", i, on)
		}
		j = k
	}
	return nil
}

// checkDelivered compares every vendor with the ledger: each user's final
// state is acceptable at every vendor, the webhook received every
// acknowledged change once, in order, and no vendor applied an older
// state after a newer one.
func checkDelivered(l *ledger) func(map[string]view) []string {
	return func(vs map[string]view) []string {
		l.mu.Lock()
		defer l.mu.Unlock()
		var p []string
		users := make([]string, 0, len(l.calls))
		for u := range l.calls {
			users = append(users, u)
		}
		sort.Strings(users)
		for _, u := range users {
			cs := l.calls[u]
			ok := acceptable(cs)
			for _, name := range vendorNames {
				v := vs[name]
				if on := v.on[u]; !ok[on] {
					p = append(p, fmt.Sprintf("%s holds %s on=%v; the acceptable final states are %v", name, u, on, ok))
				}
				if name == "webhook" {
					if err := stream(dedupe(v.events[u], v.history[u]), cs); err != nil {
						p = append(p, fmt.Sprintf("webhook, %s: %v", u, err))
					}
				} else if err := monotone(v.history[u], cs); err != nil {
					p = append(p, fmt.Sprintf("%s, %s: %v", name, u, err))
				}
			}
		}
		return p
	}
}

// dedupe keeps each event id's first arrival: a redelivery after a crash
// carries the same id, and is the same event to its receiver.
func dedupe(ids []string, states []bool) []bool {
	seen := map[string]bool{}
	var out []bool
	for i, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, states[i])
		}
	}
	return out
}
