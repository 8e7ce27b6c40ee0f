package delivery

import (
	"context"
	"fmt"
	"time"
)

// Shared reports whether the store is shared by replicas (Postgres), so
// that protections kept per process elsewhere, such as the WS-Security
// nonce replay cache, are kept in it instead.
func (e *Engine) Shared() bool { return e.be.postgres() }

// SeenNonce records a WS-Security nonce until expires and reports whether
// it was already recorded and not yet expired: a replay, whichever
// replica saw it first. One statement decides, so two replicas racing
// with one nonce cannot both see it as new. An expired record (not yet
// removed by Clean) is taken over. The record is durable before the
// answer: a crash of the database must not make a seen token new again.
func (e *Engine) SeenNonce(ctx context.Context, nonce string, expires time.Time) (replay bool, err error) {
	now := e.now().UnixMilli()
	err = e.be.durableTx(ctx, func(t txn) error {
		n, err := t.exec(ctx, `INSERT INTO tb_nonce (nonce, expires_at) VALUES (?, ?)
			ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE tb_nonce.expires_at < ?`,
			nonce, expires.UnixMilli(), now)
		replay = n == 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%w: recording a nonce: %v", ErrStore, err)
	}
	return replay, nil
}
