package delivery

import (
	"context"
	"time"
)

// cleanEvery is how often settled changes and expired nonces are removed.
const cleanEvery = 10 * time.Second

// cleanLoop keeps the store flat: a change leaves once no delivery needs
// it and its dedupe window has passed, and a portal user's password
// leaves as soon as no delivery needs it.
func (e *Engine) cleanLoop() {
	defer e.wg.Done()
	t := time.NewTicker(cleanEvery)
	defer t.Stop()
	for {
		select {
		case <-e.stopped:
			return
		case <-t.C:
			if err := e.Clean(context.Background()); err != nil {
				e.log.Warn("cleaning the delivery store failed; it is tried again", "error", err.Error())
			}
		}
	}
}

// Clean removes what the store no longer needs: passwords no delivery
// needs, then changes past the dedupe window that no delivery needs, a
// chunk per transaction; then it gives some of the space they held back
// to the file system (SQLite). A busy bridge settles thousands of changes
// between two cleanings, and one transaction deleting them all held the
// store (on SQLite, its one connection) from the calls for its whole
// length.
func (e *Engine) Clean(ctx context.Context) error {
	now := e.now()
	err := e.be.inTx(ctx, func(t txn) error {
		// tb_change_secret indexes the changes with a password, so this
		// does not read the whole table.
		if _, err := t.exec(ctx, `UPDATE tb_change SET payload = ?, secret = 0 WHERE secret = 1
			AND NOT EXISTS (SELECT 1 FROM tb_delivery d WHERE d.change_id = tb_change.id)`, []byte(`{"erased":true}`)); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM tb_nonce WHERE expires_at < ?`, now.UnixMilli())
		return err
	})
	if err != nil {
		return err
	}
	cutoff := now.Add(-e.cfg.DedupeWindow).UnixMilli()
	for !e.stopping.Load() {
		var n int64
		err := e.be.inTx(ctx, func(t txn) error {
			var err error
			n, err = t.exec(ctx, `DELETE FROM tb_change WHERE seq IN (SELECT seq FROM tb_change c WHERE c.created_at < ?
				AND NOT EXISTS (SELECT 1 FROM tb_delivery d WHERE d.change_id = c.id) ORDER BY c.created_at LIMIT ?)`, cutoff, cleanChunk)
			return err
		})
		if err != nil {
			return err
		}
		if n < cleanChunk {
			return e.be.compact(ctx)
		}
	}
	return nil
}

// cleanChunk is how many changes one transaction of Clean deletes.
const cleanChunk = 500
