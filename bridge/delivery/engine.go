// Package delivery makes an accepted change reach every vendor: durably
// (the change and one pending delivery per (vendor, subject) commit in one
// transaction before the SOAP answer), in order per subject, folded where
// the vendor is a state target, retried with backoff until delivered or
// dead, across crashes and replicas.
//
// River (github.com/riverqueue/river) is the job engine, on SQLite (the
// embedded default, through riversqlite and modernc.org/sqlite) or on
// Postgres (riverpgxv5, for replicas). A River job works one shard of one
// vendor's keys: it folds what is pending for a key, applies it, and goes
// on to the next key, so that a busy bridge costs a few jobs, not one per
// call, and a key is never worked twice at once.
package delivery

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

// DefaultPollInterval is how often River polls a SQLite store by
// default. Only what the bridge does not work at once waits for it (a
// delivery's next attempt after a backoff, work left by a restart):
// every commit's shards are worked in the process at once (local.go).
// Polling every 50 ms cost an idle bridge with four vendors 3.4% of a
// core against 1.7% at 1 s, and with River jobs waking for work already
// done, a lone caller's p99 was 8.9 ms against 2.7 ms at 1 s.
const DefaultPollInterval = time.Second

// Config is how the engine runs.
type Config struct {
	// Store is "sqlite:PATH" or "postgres://...".
	Store string
	// ApplyWait is how long an accepted call waits for its first attempts
	// before it is answered; 0 answers at once.
	ApplyWait time.Duration
	// MaxAge is how long a delivery is retried before it is dead.
	MaxAge time.Duration
	// DedupeWindow is how long a client's retry is recognised.
	DedupeWindow time.Duration
	// AttemptTimeout bounds one attempt at one vendor.
	AttemptTimeout time.Duration
	Backoff        Backoff
	// MaxConcurrency is the default bound of deliveries in flight per
	// vendor in this process; Replicas divides it (and each vendor's own
	// bound), since River's open-source queues limit per process.
	MaxConcurrency int
	Replicas       int
	// EncryptionKey seals SavePortalUser's UserPwd in the store (32 bytes).
	EncryptionKey []byte
	// PollInterval is how often the SQLite store is polled for work
	// (DefaultPollInterval when unset).
	PollInterval time.Duration
	// RescueAfter is when a job held by a vanished process is worked
	// elsewhere (Postgres); it must exceed a job's longest run.
	RescueAfter time.Duration
	// DrainBudget bounds one job's run before it yields.
	DrainBudget time.Duration
	// BatchMax bounds the calls committed in one transaction.
	BatchMax int
}

func (c *Config) defaults() {
	if c.MaxAge == 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.DedupeWindow == 0 {
		c.DedupeWindow = 5 * time.Minute
	}
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = 10 * time.Second
	}
	if c.Backoff.Initial == 0 {
		c.Backoff.Initial = DefaultBackoff.Initial
	}
	if c.Backoff.Max == 0 {
		c.Backoff.Max = DefaultBackoff.Max
	}
	if c.MaxConcurrency == 0 {
		c.MaxConcurrency = 8
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.DrainBudget == 0 {
		c.DrainBudget = 5 * time.Second
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = time.Minute
	}
	if c.BatchMax == 0 {
		c.BatchMax = 128
	}
}

// Observer receives what the engine does, for metrics.
type Observer interface {
	Attempt(vendor string, res fanout.Result, latency time.Duration)
	Retry(vendor string)
	Dead(vendor string)
}

// Engine accepts changes into the store and delivers them.
type Engine struct {
	cfg     Config
	targets []fanout.Target
	byName  map[string]fanout.Target
	commits atomic.Int64 // group commits made, for the benchmarks' calls per commit
	// local works an embedded store's shards in this process as commits
	// give them work (nil on Postgres).
	local  *local
	queues map[string]int // vendor -> its concurrency in this process
	// stored are the targets whose deliveries are stored; inProcess are
	// applied as a call is accepted, never stored (fanout.Spec's
	// InProcess).
	stored, inProcess []fanout.Target
	dir               identity.Directory
	be                backend
	log               *slog.Logger
	obs               Observer
	sealer            *sealer
	hub               hub
	recent            *recent
	pickBytes         int           // pickBytes, but for tests
	recordLinger      time.Duration // recordLinger, but for tests
	now               func() time.Time

	accepts chan *acceptReq
	// records carries workers' records to the committer (SQLite; nil on
	// Postgres, where a worker commits its own). Unbuffered: a send
	// succeeds only into a committer that will answer it.
	records chan *recordReq
	stopped chan struct{}
	wg      sync.WaitGroup
	// runCtx is cancelled by Stop past its grace: attempts in flight then
	// end and their deliveries stay pending for the next run.
	runCtx    context.Context
	runCancel context.CancelFunc
	working   bool
	stopOnce  sync.Once
	// stopping makes workers finish the attempt in hand and take no more.
	stopping atomic.Bool
}

// ErrStore is wrapped by every error of the store itself: the change was
// not stored, and the caller must not be told it was.
var ErrStore = errors.New("the delivery store cannot commit")

// Open opens the store (migrating it) and returns an engine that is not
// yet working; Start starts its workers.
func Open(ctx context.Context, cfg Config, targets []fanout.Target, dir identity.Directory, log *slog.Logger, obs Observer) (*Engine, error) {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{recent: newRecent(recentEntries, recentBytes), pickBytes: pickBytes, recordLinger: recordLinger, cfg: cfg, targets: targets, byName: map[string]fanout.Target{}, dir: dir, log: log, obs: obs,
		now: time.Now, accepts: make(chan *acceptReq, 1024), stopped: make(chan struct{})}
	e.hub.init()
	e.runCtx, e.runCancel = context.WithCancel(context.Background())
	if len(cfg.EncryptionKey) == 0 && cfg.Store == "sqlite::memory:" {
		// Nothing outlives this process: a key of its own will do.
		cfg.EncryptionKey = make([]byte, 32)
		_, _ = rand.Read(cfg.EncryptionKey)
	}
	if len(cfg.EncryptionKey) > 0 {
		s, err := newSealer(cfg.EncryptionKey)
		if err != nil {
			return nil, err
		}
		e.sealer = s
	}
	queues := map[string]int{}
	var names []string
	for _, t := range targets {
		name := t.Vendor.Name()
		e.byName[name] = t
		if t.Vendor.Spec().InProcess {
			e.inProcess = append(e.inProcess, t)
			continue // no queue, no shards: nothing of it is stored
		}
		e.stored = append(e.stored, t)
		n := t.MaxConcurrency
		if n == 0 {
			n = cfg.MaxConcurrency
		}
		queues[name] = max(1, n/cfg.Replicas)
		names = append(names, name)
	}
	be, err := openBackend(ctx, cfg.Store, StoreOptions{
		Queues: queues, Worker: &shardWorker{e: e}, PollInterval: cfg.PollInterval,
		JobTimeout: cfg.DrainBudget + cfg.AttemptTimeout + 10*time.Second, RescueAfter: cfg.RescueAfter,
		Log: log.With("component", "river"), InsertOnly: len(queues) == 0,
	})
	if err != nil {
		return nil, fmt.Errorf("delivery store: %w", err)
	}
	e.be = be
	e.queues = queues
	if err := be.inTx(ctx, func(t txn) error { return ensureShards(ctx, t, names) }); err != nil {
		be.close()
		return nil, fmt.Errorf("delivery store: %w", err)
	}
	return e, nil
}

// Describe names the store for logs, without credentials.
func (e *Engine) Describe() string { return e.be.describe() }

// Vacuum makes a SQLite store made by an earlier bridge vacuum
// incrementally, so that its file shrinks once what it holds is settled:
// it rewrites the file (with room for a second copy), so the bridge must
// not be running. It reports whether it rewrote the file; a store that
// already does, or Postgres, is left as it is.
func (e *Engine) Vacuum(ctx context.Context) (bool, error) {
	b, ok := e.be.(*sqliteBackend)
	if !ok || b.incremental {
		return false, nil
	}
	var err error
	b.incremental, err = b.vacuumMode(ctx, true)
	return b.incremental, err
}

// Start starts committing accepted calls and working deliveries.
func (e *Engine) Start(ctx context.Context) error {
	if b, ok := e.be.(*sqliteBackend); ok && !b.incremental {
		e.log.Warn("this SQLite store was made by an earlier bridge: its file keeps its largest size; stop the bridge and run `thereforebridge migrate` once to let it shrink",
			"store", b.describe())
	}
	committers := 1 // SQLite has one writer
	if e.be.postgres() {
		// Postgres commits several transactions at once, and syncs its
		// log for them together. A commit costs two round trips however
		// many calls it holds (pgTxn), so a few committers, each
		// taking what queued while it was busy, beat many small batches
		// (go test -bench AcceptPostgres, 2 cores: 4 committers 5,194-5,787
		// accepts/s and 6 calls a commit, 16 committers 4,639-5,108 and
		// 1.9; make bench-load, alternating: 1,517-1,641 against
		// 1,321-1,394).
		committers = 4
	}
	if !e.be.postgres() && len(e.queues) > 0 {
		e.local = newLocal(e.queues)
		e.records = make(chan *recordReq)
	}
	for range committers {
		e.wg.Add(1)
		go e.commitLoop()
	}
	e.wg.Add(1)
	go e.cleanLoop()
	if len(e.stored) == 0 {
		return nil // nothing is stored for delivery: no workers
	}
	e.working = true
	return e.be.start(ctx)
}

// Stop stops working: attempts in flight may finish within ctx's
// deadline; past it they are cancelled, and what they held stays pending
// for the next run (or another replica).
func (e *Engine) Stop(ctx context.Context) error {
	var err error
	e.stopOnce.Do(func() { err = e.stop(ctx) })
	return err
}

func (e *Engine) stop(ctx context.Context) error {
	e.stopping.Store(true)
	done := make(chan error, 1)
	if e.working {
		go func() { done <- e.be.stop(ctx) }()
	} else {
		done <- nil
	}
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		e.runCancel()
		err = <-done
	}
	e.runCancel()
	close(e.stopped)
	e.wg.Wait()
	e.be.close()
	return err
}

// --- accepting ---

// Receipt is what Accept answers: the change's id, or the original's
// when the call is a client's retry.
type Receipt struct {
	ChangeID  string
	Duplicate bool
	// Answer is the fault the original call was answered with, when it
	// was answered with one (a retry gets the original's outcome).
	Answer json.RawMessage
	w      *waiter
	e      *Engine
}

type acceptReq struct {
	c       *Change
	plan    []planned
	subject string
	hash    string
	payload []byte
	secret  int
	done    chan acceptRes
}

type acceptRes struct {
	dup    bool
	dupID  string
	answer json.RawMessage
	err    error
}

// Accept stores c with one pending delivery per (vendor, key) and returns
// once that is committed. An error wraps ErrStore.
func (e *Engine) Accept(ctx context.Context, c *Change) (*Receipt, error) {
	p := plan(c, e.stored, e.dir)
	if len(p) == 0 {
		// Only in-process vendors (or none) receive it: there is nothing
		// to deliver later, so nothing to store.
		e.applyInProcess(ctx, c)
		return &Receipt{ChangeID: c.ID, e: e}, nil
	}
	// Everything that can be worked out before the transaction is, so
	// the one committer only writes.
	payload, hash, secret, err := e.encode(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	req := &acceptReq{c: c, plan: p, subject: c.Subject(e.dir), hash: hash, payload: payload, secret: secret, done: make(chan acceptRes, 1)}
	// The waiter is registered before the commit: a fast worker may
	// report before Accept returns.
	// With apply_wait 0 nobody waits: no waiter, so none can be left behind.
	var w *waiter
	if e.cfg.ApplyWait > 0 {
		w = e.hub.register(c.ID, p, e.byName)
	}
	select {
	case e.accepts <- req:
	case <-e.stopped:
		e.hub.unregister(c.ID)
		return nil, fmt.Errorf("%w: the bridge is shutting down", ErrStore)
	case <-ctx.Done():
		e.hub.unregister(c.ID)
		return nil, fmt.Errorf("%w: %v", ErrStore, ctx.Err())
	}
	res := <-req.done // once queued, a request is always answered
	if res.err != nil {
		e.hub.unregister(c.ID)
		return nil, fmt.Errorf("%w: %v", ErrStore, res.err)
	}
	if res.dup {
		e.hub.unregister(c.ID)
		return &Receipt{ChangeID: res.dupID, Duplicate: true, Answer: res.answer, e: e}, nil
	}
	e.applyInProcess(ctx, c)
	return &Receipt{ChangeID: c.ID, w: w, e: e}, nil
}

// recentEntries and recentBytes bound the changes kept decoded (recent):
// enough for the backlog of a busy bridge's first attempts.
const (
	recentEntries = 4096
	recentBytes   = 64 << 20
)

// applyInProcess gives an accepted change to the vendors that keep their
// state in this process, once, as the call is accepted (fanout.Spec's
// InProcess).
func (e *Engine) applyInProcess(ctx context.Context, c *Change) {
	for _, t := range e.inProcess {
		if !t.Receives(c.Operation) {
			continue
		}
		var subject intent.User
		if c.OutOfOffice != nil {
			subject = c.OutOfOffice.User
		}
		e.attempt(ctx, t, callOf(c, subject), c.Subject(e.dir), 0, nil)
	}
}

// commitLoop is group commit: it takes what is queued, up to BatchMax
// calls and workers' records, and commits them in one transaction (one
// fsync when it holds calls), then answers each.
func (e *Engine) commitLoop() {
	defer e.wg.Done()
	batch := make([]*acceptReq, 0, e.cfg.BatchMax)
	var recs []*recordReq
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		batch, recs = batch[:0], recs[:0]
		select {
		case r := <-e.accepts:
			batch = append(batch, r)
		case r := <-e.records:
			recs = append(recs, r)
		case <-e.stopped:
			e.drainAccepts()
			return
		}
		// Take what is queued, and yield while that brings more: the
		// calls that are ready to run (on a busy core, most of them) get
		// as far as the queue first. Without the yield, the callers a
		// commit answered came back one at a time, each waking the
		// committer on its own: one core serving 32 callers committed
		// 1.3 calls at a time, each commit a write and a sync of the
		// log, and took 1,300 calls/s; yielding, 17 calls a commit and
		// 2,300-2,600 calls/s.
		for yields := 0; len(batch)+len(recs) < e.cfg.BatchMax; yields++ {
			n := len(batch) + len(recs)
		fill:
			for len(batch)+len(recs) < e.cfg.BatchMax {
				select {
				case r := <-e.accepts:
					batch = append(batch, r)
				case r := <-e.records:
					recs = append(recs, r)
				default:
					break fill
				}
			}
			if yields > 0 && len(batch)+len(recs) == n || yields == maxYields {
				break
			}
			runtime.Gosched()
		}
		if len(batch) == 0 {
			recs = e.linger(recs, &batch, linger)
		}
		results := make([]acceptRes, len(batch))
		write := func(t txn) error {
			for _, r := range recs {
				if err := t.batch(context.Background(), r.stmts); err != nil {
					return err
				}
			}
			if len(batch) == 0 {
				return nil
			}
			return e.commitBatch(t, batch, results)
		}
		var err error
		if len(batch) > 0 {
			e.commits.Add(1)
			err = e.be.durableTx(context.Background(), write)
		} else {
			// Only what workers delivered: as durable as their own
			// transactions would be (a record lost to a power cut means
			// a delivery made again, with the same change id), so no
			// fsync.
			err = e.be.inTx(context.Background(), write)
		}
		for _, r := range recs {
			r.done <- err
		}
		for i, r := range batch {
			if err != nil {
				results[i] = acceptRes{err: err}
			} else if !results[i].dup {
				e.recent.put(r.c, len(r.payload), len(r.plan))
			}
			r.done <- results[i]
		}
		if err == nil && e.local != nil && len(batch) > 0 {
			e.kick(shardsOf(batch, func(i int) bool { return !results[i].dup }))
		}
		// The slices are reused: what they held must not stay reachable
		// until the next commit overwrites it (a 10,000-item call's
		// payload and decoded parameters, megabytes, past its answer).
		clear(batch)
		clear(recs)
	}
}

// recordLinger is how long a commit of workers' records only waits for
// more to share it: another vendor's record of the same call, or the next
// call's accept. A lone caller's call was a commit of its own and then one
// per vendor's record, each writing the same pages of the log again; the
// worker whose record waits holds its shard that long, nothing else does
// (a call is answered on its outcomes, not on their record).
const recordLinger = 2 * time.Millisecond

// linger waits up to recordLinger for what may share a commit of recs
// alone, and returns recs with what came; an accept ends the wait, in
// batch.
func (e *Engine) linger(recs []*recordReq, batch *[]*acceptReq, t *time.Timer) []*recordReq {
	t.Reset(e.recordLinger)
	defer t.Stop()
	for len(recs) < e.cfg.BatchMax {
		select {
		case r := <-e.records:
			recs = append(recs, r)
		case r := <-e.accepts:
			*batch = append(*batch, r)
			return recs
		case <-t.C:
			return recs
		case <-e.stopped:
			return recs
		}
	}
	return recs
}

// recordReq is a worker's record of a pass, committed by the committer
// with what else is queued (SQLite: one writer, whose transactions cost
// the same for one statement as for many, so the workers' records and
// the accepts share them).
type recordReq struct {
	stmts []stmt
	done  chan error
}

// maxYields bounds how often the committer yields to fill a batch.
const maxYields = 4

// drainAccepts answers what is queued as the committer stops: calls with
// an error (they were not stored), workers' records by committing them
// (their attempts were made).
func (e *Engine) drainAccepts() {
	for {
		select {
		case r := <-e.accepts:
			r.done <- acceptRes{err: errors.New("the bridge is shutting down")}
		case r := <-e.records:
			r.done <- e.commitRecord(context.Background(), r.stmts)
		default:
			return
		}
	}
}

// shardsOf lists the shards the planned deliveries of batch[i] fall in,
// for each i that keep accepts.
func shardsOf(batch []*acceptReq, keep func(i int) bool) map[shardRef]bool {
	touched := map[shardRef]bool{}
	for i, r := range batch {
		if keep(i) {
			for _, p := range r.plan {
				touched[shardRef{p.vendor, shardOf(p.key)}] = true
			}
		}
	}
	return touched
}

func (e *Engine) commitBatch(t txn, batch []*acceptReq, results []acceptRes) error {
	ctx := context.Background()
	now := e.now()
	nowMS := now.UnixMilli()
	// Two batches of statements, each one round trip to Postgres,
	// whatever the number of calls: first the locks and what recognising
	// a retry needs to read, then the writes.
	//
	// Lock every (vendor, shard) the batch touches, in one order, before
	// any change takes its sequence number: two calls for one key then
	// commit in the order of their numbers, so a worker never sees a
	// newer change before an older one (Postgres; SQLite has one writer).
	// The lock comes first in the batch, so what follows reads what the
	// lock's last holder committed.
	stmts, locked := e.lockShards(shardsOf(batch, func(int) bool { return true }))
	seen := make([]seenChanges, len(batch))
	for i, r := range batch {
		stmts = append(stmts, e.dedupeReads(r, now, &seen[i])...)
	}
	if err := t.batch(ctx, stmts); err != nil {
		return err
	}
	shards, err := locked()
	if err != nil {
		return err
	}
	var changes, deliveries [][]any
	for i, r := range batch {
		if dup := findDuplicate(batch[:i], results[:i], r, seen[i]); dup != nil {
			results[i] = *dup
			continue
		}
		changes = append(changes, []any{r.c.ID, r.subject, r.c.Caller, r.c.MessageID, r.hash, r.c.Operation, r.c.RequestID, nowMS, r.payload, r.secret})
		for _, p := range r.plan {
			subj, _ := json.Marshal(p.subject)
			deliveries = append(deliveries, []any{p.vendor, p.key, shardOf(p.key), string(subj), r.c.ID})
		}
	}
	// The changes take their sequence numbers in the batch's order; each
	// delivery takes its change's from the rows just inserted.
	stmts = append(insertChanges.stmts(changes), insertDeliveries.stmts(deliveries, nowMS, nowMS)...)
	if err := t.batch(ctx, stmts); err != nil {
		return err
	}
	return e.armShards(ctx, t, shards, nowMS)
}

var (
	insertChanges = newMultiRow(`INSERT INTO tb_change (id, subject, caller, message_id, body_hash, operation, request_id, created_at, payload, secret) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ``)
	insertDeliveries = newMultiRow(`WITH v (vendor, key, shard, subject, change_id) AS (VALUES `,
		`(?, ?, CAST(? AS INTEGER), ?, ?)`,
		`) INSERT INTO tb_delivery (vendor, key, seq, shard, change_id, subject, state, created_at, updated_at)
		SELECT v.vendor, v.key, c.seq, v.shard, c.id, v.subject, 'pending', CAST(? AS BIGINT), CAST(? AS BIGINT) FROM v JOIN tb_change c ON c.id = v.change_id`)
)

// seenChanges is what the store holds that a call may be a retry of: the
// latest change from its caller with its WS-Addressing MessageID and
// body, and its subject's latest change.
type seenChanges struct {
	byMessage *acceptRes
	latest    *latestChange
}

type latestChange struct {
	id, outcome, hash, caller string
	at                        int64
}

// byMessageQuery finds the change a call with a WS-Addressing MessageID
// retries. Its condition that message_id is not empty lets both
// databases use the partial index tb_change_by_message, whose predicate
// it is.
const byMessageQuery = `SELECT id, outcome FROM tb_change WHERE caller = ? AND message_id = ? AND message_id <> '' AND body_hash = ? AND created_at >= ?
	ORDER BY seq DESC LIMIT 1`

// dedupeReads are the reads that recognise req as a client's retry of a
// change already stored, within the dedupe window.
func (e *Engine) dedupeReads(req *acceptReq, now time.Time, into *seenChanges) []stmt {
	since := now.Add(-e.cfg.DedupeWindow).UnixMilli()
	c := req.c
	var out []stmt
	if c.MessageID != "" {
		out = append(out, stmt{
			q:    byMessageQuery,
			args: []any{c.Caller, c.MessageID, req.hash, since},
			scan: func(r rows) error {
				var id, outcome string
				if err := r.Scan(&id, &outcome); err != nil {
					return err
				}
				into.byMessage = &acceptRes{dup: true, dupID: id, answer: rawOrNil(outcome)}
				return nil
			},
		})
	}
	return append(out, stmt{
		q:    `SELECT id, outcome, body_hash, caller, created_at FROM tb_change WHERE subject = ? ORDER BY seq DESC LIMIT 1`,
		args: []any{req.subject},
		scan: func(r rows) error {
			var l latestChange
			if err := r.Scan(&l.id, &l.outcome, &l.hash, &l.caller, &l.at); err != nil {
				return err
			}
			if l.at >= since {
				into.latest = &l
			}
			return nil
		},
	})
}

// findDuplicate recognises a client's retry of an earlier call within
// the dedupe window: the same caller with the same WS-Addressing
// MessageID and the same body, or the same caller with the body of the
// subject's latest change when nothing changed the subject since. The
// earlier call may be in the store (seen) or earlier in the same batch
// (before, with their results: those that are not duplicates are stored
// by this batch).
func findDuplicate(before []*acceptReq, results []acceptRes, req *acceptReq, seen seenChanges) *acceptRes {
	c := req.c
	var latestInBatch *acceptReq
	for i := len(before) - 1; i >= 0; i-- {
		b := before[i]
		if results[i].dup {
			continue
		}
		if c.MessageID != "" && b.c.Caller == c.Caller && b.c.MessageID == c.MessageID && b.hash == req.hash {
			return &acceptRes{dup: true, dupID: b.c.ID}
		}
		if latestInBatch == nil && b.subject == req.subject {
			latestInBatch = b
		}
	}
	if seen.byMessage != nil {
		return seen.byMessage
	}
	if latestInBatch != nil {
		if latestInBatch.hash == req.hash && latestInBatch.c.Caller == c.Caller {
			return &acceptRes{dup: true, dupID: latestInBatch.c.ID}
		}
		return nil
	}
	if l := seen.latest; l != nil && l.hash == req.hash && l.caller == c.Caller {
		return &acceptRes{dup: true, dupID: l.id, answer: rawOrNil(l.outcome)}
	}
	return nil
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// RecordAnswer keeps the fault a call was answered with, so that a
// client's retry of it gets the same answer.
func (e *Engine) RecordAnswer(ctx context.Context, changeID string, answer []byte) error {
	return e.be.durableTx(ctx, func(t txn) error {
		_, err := t.exec(ctx, `UPDATE tb_change SET outcome = ? WHERE id = ?`, string(answer), changeID)
		return err
	})
}

// --- the shard worker ---

type shardWorker struct {
	river.WorkerDefaults[shardArgs]
	e *Engine
}

func (w *shardWorker) Work(ctx context.Context, job *river.Job[shardArgs]) error {
	return w.e.drain(ctx, job)
}
