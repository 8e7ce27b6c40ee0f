package delivery

import (
	"context"
	"fmt"
	"sort"
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

// lockShards reads (and on Postgres locks) the tb_shard rows of touched,
// in one order so that two transactions cannot deadlock. Whoever adds
// pending deliveries to a shard locks it first and arms it after with
// armShards, in the same transaction.
func (e *Engine) lockShards(ctx context.Context, t txn, touched map[shardRef]bool) ([]lockedShard, error) {
	order := make([]lockedShard, 0, len(touched))
	for k := range touched {
		order = append(order, lockedShard{shardRef: k})
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].vendor != order[j].vendor {
			return order[i].vendor < order[j].vendor
		}
		return order[i].shard < order[j].shard
	})
	lock := ""
	if e.be.postgres() {
		lock = " FOR UPDATE"
	}
	for i := range order {
		k := &order[i]
		r, err := t.query(ctx, `SELECT COALESCE(job_id, 0), wake_at FROM tb_shard WHERE vendor = ? AND shard = ?`+lock, k.vendor, k.shard)
		if err != nil {
			return nil, err
		}
		found := r.Next()
		if found {
			err = r.Scan(&k.jobID, &k.wake)
		}
		r.Close()
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("vendor %s has no shard rows: the store was opened without it", k.vendor)
		}
	}
	return order, nil
}

// armShards makes sure each shard is worked soon: a new job where none
// is, an early wake where the job sleeps (a backoff of one key must not
// hold the others back).
func (e *Engine) armShards(ctx context.Context, t txn, shards []lockedShard, nowMS int64) error {
	for _, k := range shards {
		switch {
		case k.jobID == 0:
			id, err := t.insertJob(ctx, shardArgs{Vendor: k.vendor, Shard: k.shard})
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE tb_shard SET job_id = ?, wake_at = 0 WHERE vendor = ? AND shard = ?`, id, k.vendor, k.shard); err != nil {
				return err
			}
		case k.wake > nowMS:
			if err := t.retryJob(ctx, k.jobID); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE tb_shard SET wake_at = 0 WHERE vendor = ? AND shard = ?`, k.vendor, k.shard); err != nil {
				return err
			}
		}
	}
	return nil
}
