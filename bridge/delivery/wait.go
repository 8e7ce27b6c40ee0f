package delivery

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// Outcome is what a SOAP call learns of one of its deliveries within
// delivery.apply_wait.
type Outcome struct {
	Vendor   string
	Key      string
	Required bool
	// State is ok (delivered), failed (permanently: recorded, not
	// retried), retrying (a transient failure: it will be retried) or
	// pending (not attempted yet).
	State    string
	Result   fanout.Result
	Attempts int
}

// Outcome states.
const (
	StateOK       = "ok"
	StateFailed   = "failed"
	StateRetrying = "retrying"
	StatePending  = "pending"
)

// hub routes each attempt's result to the SOAP call waiting for it.
type hub struct {
	mu      sync.Mutex
	waiters map[string]*waiter
}

type waiter struct {
	mu       sync.Mutex
	outcomes map[string]*Outcome // vendor + "\x00" + key
	left     int
	done     chan struct{}
}

func (h *hub) init() { h.waiters = map[string]*waiter{} }

func (h *hub) register(changeID string, p []planned, targets map[string]fanout.Target) *waiter {
	w := &waiter{outcomes: make(map[string]*Outcome, len(p)), done: make(chan struct{})}
	for _, d := range p {
		k := d.vendor + "\x00" + d.key
		if _, ok := w.outcomes[k]; !ok {
			w.outcomes[k] = &Outcome{Vendor: d.vendor, Key: d.key, Required: targets[d.vendor].Required, State: StatePending}
			w.left++
		}
	}
	if w.left == 0 {
		close(w.done)
	}
	h.mu.Lock()
	h.waiters[changeID] = w
	h.mu.Unlock()
	return w
}

func (h *hub) unregister(changeID string) {
	h.mu.Lock()
	delete(h.waiters, changeID)
	h.mu.Unlock()
}

// report records the first attempt's result for each of changeIDs at
// (vendor, key); later attempts of a delivery already reported are not
// news to a waiting call.
func (h *hub) report(changeIDs []string, vendor, key string, res fanout.Result, attempts int) {
	h.mu.Lock()
	ws := make([]*waiter, 0, len(changeIDs))
	for _, id := range changeIDs {
		if w := h.waiters[id]; w != nil {
			ws = append(ws, w)
		}
	}
	h.mu.Unlock()
	for _, w := range ws {
		w.set(vendor+"\x00"+key, stateOf(res), res, attempts)
	}
}

func stateOf(res fanout.Result) string {
	switch res.Status {
	case fanout.OK:
		return StateOK
	case fanout.Permanent:
		return StateFailed
	}
	return StateRetrying
}

func (w *waiter) set(k, state string, res fanout.Result, attempts int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := w.outcomes[k]
	if o == nil || o.State != StatePending {
		return
	}
	o.State, o.Result, o.Attempts = state, res, attempts
	w.left--
	if w.left == 0 {
		close(w.done)
	}
}

func (w *waiter) snapshot() []Outcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Outcome, 0, len(w.outcomes))
	for _, o := range w.outcomes {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Vendor != out[j].Vendor {
			return out[i].Vendor < out[j].Vendor
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Wait waits up to delivery.apply_wait for the first attempt at each of
// the change's deliveries and returns what it saw: a vendor that failed
// permanently in that time is to be reported to the caller, anything
// else is stored and will be delivered. A duplicate has nothing to wait
// for.
func (r *Receipt) Wait(ctx context.Context) []Outcome {
	if r.w == nil {
		return nil
	}
	defer r.e.hub.unregister(r.ChangeID)
	if r.e.cfg.ApplyWait <= 0 {
		return r.w.snapshot()
	}
	timer := time.NewTimer(r.e.cfg.ApplyWait)
	defer timer.Stop()
	// Another replica may work the change: its results reach this process
	// only through the store, so Postgres waits also look there.
	var poll <-chan time.Time
	if r.e.be.postgres() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-r.w.done:
			return r.w.snapshot()
		case <-timer.C:
			return r.w.snapshot()
		case <-ctx.Done():
			return r.w.snapshot()
		case <-poll:
			r.e.pollOutcomes(ctx, r.ChangeID, r.w)
		}
	}
}

// pollOutcomes reads the store's view of a change's deliveries: a row
// gone is delivered, a failed row failed, a key with retry state is
// retrying.
func (e *Engine) pollOutcomes(ctx context.Context, changeID string, w *waiter) {
	type row struct {
		state, lastErr   string
		status, attempts int
	}
	stored := map[string]row{}
	err := e.be.inTx(ctx, func(t txn) error {
		r, err := t.query(ctx, `SELECT d.vendor, d.key, d.state, COALESCE(k.last_error, d.last_error), COALESCE(k.last_status, d.last_status), COALESCE(k.attempts, d.attempts)
			FROM tb_delivery d LEFT JOIN tb_key k ON k.vendor = d.vendor AND k.key = d.key
			WHERE d.change_id = ?`, changeID)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var vendor, key string
			var x row
			if err := r.Scan(&vendor, &key, &x.state, &x.lastErr, &x.status, &x.attempts); err != nil {
				return err
			}
			stored[vendor+"\x00"+key] = x
		}
		return r.Err()
	})
	if err != nil {
		return
	}
	w.mu.Lock()
	var pending []string
	for k, o := range w.outcomes {
		if o.State == StatePending {
			pending = append(pending, k)
		}
	}
	w.mu.Unlock()
	for _, k := range pending {
		x, ok := stored[k]
		res := fanout.Result{Message: x.lastErr, VendorStatus: x.status}
		switch {
		case !ok:
			w.set(k, StateOK, fanout.Result{Status: fanout.OK}, max(x.attempts, 1))
		case x.state == "failed":
			res.Status = fanout.Permanent
			w.set(k, StateFailed, res, x.attempts)
		case x.attempts > 0:
			res.Status = fanout.Retryable
			w.set(k, StateRetrying, res, x.attempts)
		}
	}
}
