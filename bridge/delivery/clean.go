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

// Clean removes what the store no longer needs.
func (e *Engine) Clean(ctx context.Context) error {
	now := e.now()
	return e.be.inTx(ctx, func(t txn) error {
		if _, err := t.exec(ctx, `UPDATE tb_change SET payload = ?, secret = 0 WHERE secret = 1
			AND NOT EXISTS (SELECT 1 FROM tb_delivery d WHERE d.change_id = tb_change.id)`, []byte(`{"erased":true}`)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM tb_change WHERE created_at < ?
			AND NOT EXISTS (SELECT 1 FROM tb_delivery d WHERE d.change_id = tb_change.id)`, now.Add(-e.cfg.DedupeWindow).UnixMilli()); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM tb_nonce WHERE expires_at < ?`, now.UnixMilli())
		return err
	})
}
