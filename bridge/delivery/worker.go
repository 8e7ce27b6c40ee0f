package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/logging"
	"github.com/thereforebridge/thereforebridge/bridge/tracing"
)

// pickLimit bounds the pending rows one pass of a shard reads, and
// pickBytes the stored size of the changes it holds at once (but for its
// first): a backlog of 10,000-item SavePortalUsers, each a few MB stored
// and several times that decoded, took a pass 256 of them at a time.
const (
	pickLimit = 256
	pickBytes = 8 << 20
)

// row is one pending delivery as a worker reads it.
type row struct {
	key      string
	seq      int64
	changeID string
	subject  string
	created  int64
}

// keyWork is what a pass does for one key: its ready rows, oldest first.
type keyWork struct {
	key      string
	rows     []row
	attempts int // failed attempts so far (tb_key)
}

// result is what a pass learnt of one key, written back in one
// transaction per pass.
type result struct {
	key     string
	upTo    int64   // rows up to this seq are settled by this result
	settled []int64 // event streams: the seqs delivered or failed one by one
	failed  []int64 // event streams: the seqs failed permanently
	res     fanout.Result
	// attempts after this pass
	attempts int
	oldest   int64 // created_at of the oldest row concerned
	// backedOff: the key had retry state (tb_key) before this pass
	backedOff bool
}

// drain works one shard: pass after pass, each folding and applying what
// is pending for every ready key, until nothing is ready or the budget is
// spent. It then completes the job (nothing pending), sleeps it until
// the earliest backoff ends, or yields to run again at once.
func (e *Engine) drain(ctx context.Context, job *river.Job[shardArgs]) error {
	vendor, shard := job.Args.Vendor, job.Args.Shard
	t, ok := e.byName[vendor]
	if !ok {
		// A vendor removed from the configuration: its deliveries wait,
		// visible to operators, until it is back or they are discarded.
		e.log.Warn("deliveries pending for a vendor that is not configured", "vendor", vendor)
		return river.JobSnooze(time.Minute)
	}
	if e.local != nil {
		release, ok := e.takeShard(shardRef{vendor, shard})
		if !ok {
			// Worked in this process at this moment (kick), or the
			// vendor is as busy as it may be: this job looks again
			// shortly, for what is left.
			return river.JobSnooze(localSnooze)
		}
		defer release()
	}
	deadline := e.now().Add(e.cfg.DrainBudget)
	for {
		more, err := e.passes(ctx, t, vendor, shard, deadline)
		if err != nil || more {
			return err
		}
		// Work that arrived since the last pick is worked here and now: a
		// job handed back to River would wait for its next poll.
		err = e.finish(ctx, job)
		if !errors.Is(err, errMore) {
			return err
		}
	}
}

// passes works a shard pass after pass until nothing is ready (false), or
// the budget is spent or the bridge is stopping (true, having yielded the
// job: river.JobSnooze(0)).
func (e *Engine) passes(ctx context.Context, t fanout.Target, vendor string, shard int, deadline time.Time) (bool, error) {
	// Work goes on in e.runCtx rather than River's ctx: a shutdown gives
	// attempts in flight the grace of Stop, not River's immediate cancel.
	work := e.runCtx
	for {
		keys, changes, full, err := e.pick(ctx, vendor, shard)
		if err != nil {
			return false, err
		}
		if len(keys) == 0 {
			return false, nil
		}
		results := make([]result, 0, len(keys))
		for _, kw := range keys {
			// The budget is checked before each key, not only after the
			// pass: keys that each wait out a slow vendor would otherwise
			// keep the job past rescue_after, and River would have the
			// shard worked a second time at once.
			if work.Err() != nil || e.stopping.Load() || (len(results) > 0 && e.now().After(deadline)) {
				break // the rest stays pending for the next run
			}
			results = append(results, e.apply(work, t, kw, changes))
		}
		if err := e.record(ctx, vendor, shard, results); err != nil {
			return false, err
		}
		if work.Err() != nil {
			return false, work.Err()
		}
		if e.now().After(deadline) || e.stopping.Load() {
			return true, river.JobSnooze(0) // yield; run again at once (or in the next run)
		}
		if !full && len(results) == len(keys) {
			// Everything that was ready is done. What a commit added
			// meanwhile is seen by the look that comes next anyway:
			// finish's for a River job, the kick's again for a local one
			// (shardLock.kicked). Another pick here would find nothing,
			// at the cost of a query for every kick.
			return false, nil
		}
	}
}

// errMore is finish's answer when work arrived after the last pick.
var errMore = errors.New("more work arrived")

// pick reads the ready rows of a shard (pending, of keys not waiting out
// a backoff, oldest first, grouped by key in the order of their oldest)
// with the changes they deliver: from memory (recent) when the change was
// accepted here lately, else from the store, in a second statement. A
// vendor has one delivery per change and key, so no change is read twice;
// reading each row's change in the first statement read a 10,000-item
// SavePortalUser's megabytes once per vendor, to use the copy in memory.
// full reports that it read as many as it reads at once: more may be
// ready.
func (e *Engine) pick(ctx context.Context, vendor string, shard int) (_ []keyWork, _ map[string]*Change, full bool, _ error) {
	var out []keyWork
	n, size := 0, 0
	cut := false
	changes := map[string]*Change{}
	var missing []string
	idx := map[string]int{}
	err := e.be.read(ctx, stmt{
		q: `SELECT d.key, d.seq, d.change_id, d.subject, d.created_at, COALESCE(k.attempts, 0), COALESCE(LENGTH(c.payload), 0)
			FROM tb_delivery d LEFT JOIN tb_key k ON k.vendor = d.vendor AND k.key = d.key
			LEFT JOIN tb_change c ON c.id = d.change_id
			WHERE d.vendor = ? AND d.shard = ? AND d.state = 'pending' AND (k.next_at IS NULL OR k.next_at <= ?)
			ORDER BY d.seq LIMIT ?`,
		args: []any{vendor, shard, e.now().UnixMilli(), pickLimit},
		scan: func(r rows) error {
			var w row
			var attempts, length int
			if err := r.Scan(&w.key, &w.seq, &w.changeID, &w.subject, &w.created, &attempts, &length); err != nil {
				return err
			}
			if cut {
				return nil // rows come oldest first: after a cut, none may go before those left
			}
			_, held := changes[w.changeID]
			if !held && n > 0 && size+length > e.pickBytes {
				cut = true // this row and the ones after it wait for the next pass
				return nil
			}
			c := e.recent.take(w.changeID) // for each row: each is one of its uses
			if !held {
				size += length
				if c == nil {
					missing = append(missing, w.changeID)
				}
				changes[w.changeID] = c
			}
			i, ok := idx[w.key]
			if !ok {
				i = len(out)
				idx[w.key] = i
				out = append(out, keyWork{key: w.key, attempts: attempts})
			}
			out[i].rows = append(out[i].rows, w)
			n++
			return nil
		},
	})
	if err == nil && len(missing) > 0 {
		err = e.readChanges(ctx, missing, changes)
	}
	for id, c := range changes {
		if c == nil {
			delete(changes, id) // missing from the store: apply says so
		}
	}
	return out, changes, cut || n == pickLimit, err
}

// readChanges decodes the stored changes ids into changes.
func (e *Engine) readChanges(ctx context.Context, ids []string, changes map[string]*Change) error {
	in, args := inList(ids)
	return e.be.read(ctx, stmt{
		q:    `SELECT id, payload FROM tb_change WHERE id IN (` + in + `)`,
		args: args,
		scan: func(r rows) error {
			var id string
			var payload []byte
			if err := r.Scan(&id, &payload); err != nil {
				return err
			}
			c, err := e.decode(payload)
			if err != nil {
				return err
			}
			changes[id] = c
			return nil
		},
	})
}

// apply delivers one key's ready rows: their fold for a state target,
// each in order for an event stream (stopping at a retryable failure).
func (e *Engine) apply(ctx context.Context, t fanout.Target, kw keyWork, changes map[string]*Change) result {
	spec := t.Vendor.Spec()
	res := result{key: kw.key, upTo: kw.rows[len(kw.rows)-1].seq, oldest: kw.rows[0].created, attempts: kw.attempts, backedOff: kw.attempts > 0}
	pending := make([]pendingChange, 0, len(kw.rows))
	for _, r := range kw.rows {
		c := changes[r.changeID]
		if c == nil {
			res.res = fanout.Result{Status: fanout.Permanent, Message: "the change " + r.changeID + " is missing from the store"}
			return res
		}
		var subj intent.User
		_ = json.Unmarshal([]byte(r.subject), &subj)
		pending = append(pending, pendingChange{seq: r.seq, change: c, subject: subj})
	}
	cs := calls(spec, pending)
	if !spec.Events {
		res.res, res.attempts = e.attempt(ctx, t, cs[0], kw.key, kw.attempts, pending)
		return res
	}
	for i, call := range cs {
		r, attempts := e.attempt(ctx, t, call, kw.key, kw.attempts, pending[i:i+1])
		res.res, res.attempts = r, attempts
		if r.Status == fanout.Retryable {
			res.upTo = pending[i].seq
			res.oldest = kw.rows[i].created
			return res
		}
		res.settled = append(res.settled, pending[i].seq)
		if r.Status == fanout.Permanent {
			res.failed = append(res.failed, pending[i].seq)
		}
		kw.attempts, res.attempts = 0, 0
	}
	return res
}

// attempt makes one attempt of call at t, under the attempt timeout, logs
// it (the one "vendor call" line), reports it to waiting SOAP calls, and
// returns the result with the key's attempt count after it.
func (e *Engine) attempt(ctx context.Context, t fanout.Target, call *fanout.Call, key string, before int, pending []pendingChange) (fanout.Result, int) {
	name, spec := t.Vendor.Name(), t.Vendor.Spec()
	call.Attempt = before + 1
	if call.OutOfOffice != nil && spec.Key == fanout.ByPerson && call.OutOfOffice.User.IsGroup() {
		res := fanout.Result{Status: fanout.Permanent, Message: "the group " + call.OutOfOffice.User.String() + " is not mapped to its members in identity.groups"}
		e.report(name, key, call, res, 0, pending)
		return res, before + 1
	}
	actx := logging.WithRequestID(ctx, call.RequestID)
	if !spec.InProcess {
		// An in-process vendor (the log sink) waits on nothing a deadline
		// could end; it runs in the call's goroutine, under the call's
		// own deadline. The timer of a timeout cost a call 4% of its CPU.
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(actx, e.cfg.AttemptTimeout)
		defer cancel()
	}
	start := time.Now()
	actx, end := tracing.Attempt(actx, name, call.Operation, call.Attempt)
	res := safeDeliver(actx, t.Vendor, call)
	end(res.Status.String(), res.VendorStatus)
	latency := time.Since(start)
	if res.Status != fanout.OK && ctx.Err() != nil {
		res = fanout.Result{Status: fanout.Retryable, Message: "the bridge stopped during the attempt; it will be made again"}
	}
	e.report(name, key, call, res, latency, pending)
	return res, before + 1
}

func (e *Engine) report(vendor, key string, call *fanout.Call, res fanout.Result, latency time.Duration, pending []pendingChange) {
	if e.obs != nil {
		e.obs.Attempt(vendor, res, latency)
	}
	level := slog.LevelInfo
	if res.Status != fanout.OK {
		level = slog.LevelWarn
	}
	logging.LogAttrs(context.Background(), e.log, level, "vendor call",
		slog.String("request_id", call.RequestID), slog.String("change_id", call.ChangeID), slog.String("operation", call.Operation),
		slog.String("vendor", vendor), slog.String("key", key), slog.Int("changes", len(pending)), slog.Int("attempt", call.Attempt),
		slog.String("outcome", res.Status.String()), slog.Int("vendor_http_status", res.VendorStatus), slog.String("message", res.Message),
		slog.Duration("latency", latency))
	ids := make([]string, len(pending))
	for i, p := range pending {
		ids[i] = p.change.ID
	}
	e.hub.report(ids, vendor, key, res, call.Attempt)
}

// safeDeliver turns a vendor's panic into a permanent failure, so one
// broken adapter cannot take the bridge down with the other vendors' work.
func safeDeliver(ctx context.Context, v fanout.Vendor, call *fanout.Call) (res fanout.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = fanout.Result{Status: fanout.Permanent, Message: "the " + v.Name() + " adapter failed internally"}
		}
	}()
	return v.Deliver(ctx, call)
}

// record writes a pass's results in one transaction, its statements in
// one batch.
func (e *Engine) record(ctx context.Context, vendor string, shard int, results []result) error {
	if len(results) == 0 {
		return nil
	}
	now := e.now()
	nowMS := now.UnixMilli()
	spec := e.byName[vendor].Vendor.Spec()
	var stmts []stmt
	add := func(q string, args ...any) { stmts = append(stmts, stmt{q: q, args: args}) }
	for _, r := range results {
		if spec.Events {
			for _, seq := range r.settled {
				if !contains(r.failed, seq) {
					add(`DELETE FROM tb_delivery WHERE vendor = ? AND key = ? AND seq = ?`, vendor, r.key, seq)
				}
			}
			for _, seq := range r.failed {
				add(`UPDATE tb_delivery SET state = 'failed', attempts = attempts + 1, last_error = ?, last_status = ?, updated_at = ? WHERE vendor = ? AND key = ? AND seq = ?`,
					r.res.Message, r.res.VendorStatus, nowMS, vendor, r.key, seq)
			}
			if r.res.Status != fanout.Retryable {
				if r.backedOff {
					add(`DELETE FROM tb_key WHERE vendor = ? AND key = ?`, vendor, r.key)
				}
				continue
			}
		}
		e.recordHead(add, vendor, shard, r, now)
	}
	if e.records != nil {
		req := &recordReq{stmts: stmts, done: make(chan error, 1)}
		select {
		case e.records <- req:
			return <-req.done
		case <-e.stopped:
			// The committer is gone (the engine is stopping): the
			// record is committed here.
		}
	}
	return e.commitRecord(ctx, stmts)
}

// commitRecord commits a record in a transaction of its own.
func (e *Engine) commitRecord(ctx context.Context, stmts []stmt) error {
	return e.be.inTx(ctx, func(t txn) error { return t.batch(ctx, stmts) })
}

// recordHead settles the rows up to r.upTo of a key by r.res.
func (e *Engine) recordHead(add func(q string, args ...any), vendor string, shard int, r result, now time.Time) {
	nowMS := now.UnixMilli()
	switch r.res.Status {
	case fanout.OK:
		// Delivered up to upTo; the failed and dead deliveries before it
		// go too: the key now holds its latest state, so they are moot.
		add(`DELETE FROM tb_delivery WHERE vendor = ? AND key = ? AND seq <= ?`, vendor, r.key, r.upTo)
		if r.backedOff {
			add(`DELETE FROM tb_key WHERE vendor = ? AND key = ?`, vendor, r.key)
		}
		return
	case fanout.Permanent:
		add(`UPDATE tb_delivery SET state = 'failed', attempts = ?, last_error = ?, last_status = ?, updated_at = ? WHERE vendor = ? AND key = ? AND seq <= ? AND state = 'pending'`,
			r.attempts, r.res.Message, r.res.VendorStatus, nowMS, vendor, r.key, r.upTo)
		add(`DELETE FROM tb_key WHERE vendor = ? AND key = ?`, vendor, r.key)
		return
	}
	if now.Sub(time.UnixMilli(r.oldest)) > e.cfg.MaxAge {
		if e.obs != nil {
			e.obs.Dead(vendor)
		}
		e.log.Warn("delivery dead", "vendor", vendor, "key", r.key, "attempts", r.attempts, "message", r.res.Message,
			"reason", "retried for longer than delivery.max_age")
		add(`UPDATE tb_delivery SET state = 'dead', attempts = ?, last_error = ?, last_status = ?, updated_at = ? WHERE vendor = ? AND key = ? AND seq <= ? AND state = 'pending'`,
			r.attempts, r.res.Message, r.res.VendorStatus, nowMS, vendor, r.key, r.upTo)
		add(`DELETE FROM tb_key WHERE vendor = ? AND key = ?`, vendor, r.key)
		return
	}
	if e.obs != nil {
		e.obs.Retry(vendor)
	}
	next := now.Add(e.cfg.Backoff.Wait(r.attempts, r.res.RetryAfter)).UnixMilli()
	add(`INSERT INTO tb_key (vendor, key, shard, next_at, attempts, last_error, last_status) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (vendor, key) DO UPDATE SET next_at = excluded.next_at, attempts = excluded.attempts, last_error = excluded.last_error, last_status = excluded.last_status`,
		vendor, r.key, shard, next, r.attempts, r.res.Message, r.res.VendorStatus)
}

func contains(l []int64, v int64) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// finish ends a job with nothing ready: in one transaction with the
// shard locked (lockShards: so no accept can slip a row in unseen), it
// completes the job when nothing is pending, or sleeps it until the
// earliest backoff ends.
func (e *Engine) finish(ctx context.Context, job *river.Job[shardArgs]) error {
	vendor, shard := job.Args.Vendor, job.Args.Shard
	var again bool
	var wake int64
	err := e.be.inTx(ctx, func(t txn) error {
		var reads []stmt
		if e.be.postgres() {
			// SQLite has one writer, so only Postgres needs the lock.
			reads = append(reads, lockStmt([]int64{shardLockKey(shardRef{vendor, shard})}))
		}
		nowMS := e.now().UnixMilli()
		// ORDER BY d.seq leads Postgres's planner to the shard's own
		// index (tb_delivery_work), in which the shard's pending rows are
		// together; without it, on a table it has analysed at a few rows,
		// it took tb_delivery_state and read every pending delivery of
		// the vendor (90 pages against 11, at 270 rows pending).
		reads = append(reads,
			stmt{q: `SELECT 1 FROM tb_delivery d LEFT JOIN tb_key k ON k.vendor = d.vendor AND k.key = d.key
			WHERE d.vendor = ? AND d.shard = ? AND d.state = 'pending' AND (k.next_at IS NULL OR k.next_at <= ?) ORDER BY d.seq LIMIT 1`,
				args: []any{vendor, shard, nowMS}, scan: func(rows) error { again = true; return nil }},
			stmt{q: `SELECT COALESCE(MIN(next_at), 0) FROM tb_key WHERE vendor = ? AND shard = ?`,
				args: []any{vendor, shard}, scan: func(r rows) error { return r.Scan(&wake) }})
		if err := t.batch(ctx, reads); err != nil {
			return err
		}
		if again {
			return nil
		}
		if wake > 0 {
			return t.batch(ctx, []stmt{{q: `UPDATE tb_shard SET wake_at = ? WHERE vendor = ? AND shard = ?`, args: []any{wake, vendor, shard}}})
		}
		if err := t.batch(ctx, []stmt{{q: `UPDATE tb_shard SET job_id = NULL, wake_at = 0 WHERE vendor = ? AND shard = ?`, args: []any{vendor, shard}}}); err != nil {
			return err
		}
		return t.completeJob(ctx, job)
	})
	switch {
	case err != nil:
		return err
	case again:
		return errMore
	case wake > 0:
		// At most a second: an accept that lands while this job is between
		// its last look and its sleep cannot wake it, so it looks again soon.
		return river.JobSnooze(min(max(time.Until(time.UnixMilli(wake)), 0), time.Second))
	}
	return nil
}
