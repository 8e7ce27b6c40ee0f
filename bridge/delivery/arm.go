package delivery

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
)

// shardRef names one shard of one vendor.
type shardRef struct {
	vendor string
	shard  int
}

// lockedShard is a shard's River job (0: none) and when it wakes, read
// under lock.
type lockedShard struct {
	shardRef
	jobID int64
	wake  int64
}

// lockShards reads (and on Postgres locks) the tb_shard rows of touched.
// Whoever adds pending deliveries to a shard locks it first and arms it
// after with armShards, in the same transaction. The statements go in
// one batch with more, so they are queued here and read once it ran.
//
// On Postgres the lock is a transaction-level advisory lock per shard
// (shardLockKey), taken in ascending order so that two transactions
// cannot deadlock, by a statement of its own: the reads after it then
// see what the lock's last holder committed. An advisory lock lives in
// the server's lock table only; locking the rows themselves (FOR UPDATE)
// wrote each locked row and a log record for it, and every committer and
// finishing job did so on tb_shard's few pages.
func (e *Engine) lockShards(touched map[shardRef]bool) (stmts []stmt, read func() ([]lockedShard, error)) {
	if len(touched) == 0 {
		return nil, func() ([]lockedShard, error) { return nil, nil }
	}
	if e.be.postgres() {
		keys := make([]int64, 0, len(touched))
		for k := range touched {
			keys = append(keys, shardLockKey(k))
		}
		stmts = append(stmts, lockStmt(keys))
	}
	// One read for every vendor: the rows of the touched vendors and
	// shards, of which the touched pairs are kept. A read per vendor cost
	// a lone caller's commit three statements more with four vendors.
	var vendors []string
	var shardNums []int
	for k := range touched {
		if !slices.Contains(vendors, k.vendor) {
			vendors = append(vendors, k.vendor)
		}
		if !slices.Contains(shardNums, k.shard) {
			shardNums = append(shardNums, k.shard)
		}
	}
	slices.Sort(vendors)
	slices.Sort(shardNums)
	vin, vargs := inList(vendors)
	sin, sargs := inList(shardNums)
	var got []lockedShard
	stmts = append(stmts, stmt{
		q:    `SELECT vendor, shard, COALESCE(job_id, 0), wake_at FROM tb_shard WHERE vendor IN (` + vin + `) AND shard IN (` + sin + `) ORDER BY vendor, shard`,
		args: append(vargs, sargs...),
		scan: func(r rows) error {
			var k lockedShard
			if err := r.Scan(&k.vendor, &k.shard, &k.jobID, &k.wake); err != nil {
				return err
			}
			if touched[k.shardRef] {
				got = append(got, k)
			}
			return nil
		},
	})
	return stmts, func() ([]lockedShard, error) {
		if len(got) != len(touched) {
			for k := range touched {
				if !slices.ContainsFunc(got, func(l lockedShard) bool { return l.shardRef == k }) {
					return nil, fmt.Errorf("vendor %s has no shard rows: the store was opened without it", k.vendor)
				}
			}
		}
		return got, nil
	}
}

// armShards makes sure each shard is worked soon: a new job where none
// is, an early wake where the job sleeps (a backoff of one key must not
// hold the others back).
func (e *Engine) armShards(ctx context.Context, t txn, shards []lockedShard, nowMS int64) error {
	var updates []stmt
	var jobless []shardArgs
	for _, k := range shards {
		switch {
		case k.jobID == 0:
			jobless = append(jobless, shardArgs{Vendor: k.vendor, Shard: k.shard})
		case k.wake > nowMS:
			if err := t.retryJob(ctx, k.jobID); err != nil {
				return err
			}
			updates = append(updates, stmt{q: `UPDATE tb_shard SET wake_at = 0 WHERE vendor = ? AND shard = ?`, args: []any{k.vendor, k.shard}})
		}
	}
	if len(jobless) > 0 {
		// One insert for them all: on Postgres each River call is a
		// round trip, made while the shards' locks are held.
		ids, err := t.insertJobs(ctx, jobless)
		if err != nil {
			return err
		}
		for i, a := range jobless {
			updates = append(updates, stmt{q: `UPDATE tb_shard SET job_id = ?, wake_at = 0 WHERE vendor = ? AND shard = ?`, args: []any{ids[i], a.Vendor, a.Shard}})
		}
	}
	return t.batch(ctx, updates)
}

// shardLockKey is the advisory lock of a shard on Postgres: the vendor's
// hash and the shard number in one bigint. Two shards that shared a key
// would only wait for each other.
func shardLockKey(k shardRef) int64 {
	h := fnv.New32a()
	h.Write([]byte(k.vendor))
	return int64(h.Sum32())<<16 | int64(k.shard)
}

// lockStmt takes the advisory locks keys, in ascending order.
func lockStmt(keys []int64) stmt {
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// Postgres evaluates a volatile function of the select list after
	// ORDER BY, so the locks are taken in that order.
	return stmt{q: `SELECT pg_advisory_xact_lock(x) FROM unnest(CAST(? AS BIGINT[])) AS t(x) ORDER BY x`, args: []any{keys},
		scan: func(rows) error { return nil }}
}
