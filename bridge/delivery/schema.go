package delivery

import (
	"context"
	"fmt"
	"strings"
)

// schemaVersion is the version of the bridge's own tables (River keeps
// its own with rivermigrate).
const schemaVersion = 1

// schema creates the bridge's tables. Times are Unix milliseconds, so the
// same SQL runs on SQLite and Postgres.
//
//   - tb_change: one row per accepted call, its parameters as JSON (a
//     portal user's password sealed), kept while a delivery needs it and
//     for the dedupe window after.
//   - tb_delivery: one row per (vendor, key, change) not yet delivered;
//     state pending, failed (permanent) or dead (max_age passed).
//   - tb_key: the retry state of a key whose head failed retryably.
//   - tb_shard: per (vendor, shard) the River job working it, if any, and
//     when that job wakes.
//   - tb_nonce: WS-Security nonces seen, shared by every replica.
//
// tb_change_by_message, which recognises a retry by its WS-Addressing
// MessageID, holds only the calls that carry one: many clients send none
// (WCF's basicHttpBinding, zeep, PHP), and indexing their empty ids cost
// every accepted call an index write. It replaces tb_change_message, over
// every row, which a store made by an earlier bridge drops at start-up.
const schema = `
CREATE TABLE IF NOT EXISTS tb_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tb_change (
	seq {{serial}},
	id TEXT NOT NULL UNIQUE,
	subject TEXT NOT NULL,
	caller TEXT NOT NULL,
	message_id TEXT NOT NULL,
	body_hash TEXT NOT NULL,
	operation TEXT NOT NULL,
	request_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	payload {{blob}} NOT NULL,
	secret INTEGER NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS tb_change_subject ON tb_change (subject, seq);
DROP INDEX IF EXISTS tb_change_message;
CREATE INDEX IF NOT EXISTS tb_change_by_message ON tb_change (caller, message_id) WHERE message_id <> '';
CREATE INDEX IF NOT EXISTS tb_change_created ON tb_change (created_at);
CREATE INDEX IF NOT EXISTS tb_change_secret ON tb_change (seq) WHERE secret = 1;
CREATE TABLE IF NOT EXISTS tb_delivery (
	vendor TEXT NOT NULL,
	key TEXT NOT NULL,
	seq BIGINT NOT NULL,
	shard INTEGER NOT NULL,
	change_id TEXT NOT NULL,
	subject TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	last_status INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (vendor, key, seq)
);
CREATE INDEX IF NOT EXISTS tb_delivery_work ON tb_delivery (vendor, shard, state, seq);
CREATE INDEX IF NOT EXISTS tb_delivery_change ON tb_delivery (change_id);
CREATE INDEX IF NOT EXISTS tb_delivery_state ON tb_delivery (state, vendor, created_at);
CREATE TABLE IF NOT EXISTS tb_key (
	vendor TEXT NOT NULL,
	key TEXT NOT NULL,
	shard INTEGER NOT NULL,
	next_at BIGINT NOT NULL,
	attempts INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	last_status INTEGER NOT NULL,
	PRIMARY KEY (vendor, key)
);
CREATE INDEX IF NOT EXISTS tb_key_shard ON tb_key (vendor, shard, next_at);
CREATE TABLE IF NOT EXISTS tb_shard (
	vendor TEXT NOT NULL,
	shard INTEGER NOT NULL,
	job_id BIGINT,
	wake_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (vendor, shard)
);
CREATE TABLE IF NOT EXISTS tb_nonce (
	nonce TEXT PRIMARY KEY,
	expires_at BIGINT NOT NULL
);
`

func migrate(ctx context.Context, t txn, pg bool) error {
	ddl := schema
	if pg {
		// Replicas start together: one migrates, the others wait for it.
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7215347)`); err != nil {
			return err
		}
		ddl = strings.NewReplacer("{{serial}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "{{blob}}", "BYTEA").Replace(ddl)
	} else {
		ddl = strings.NewReplacer("{{serial}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{blob}}", "BLOB").Replace(ddl)
	}
	for _, stmt := range strings.Split(ddl, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := t.exec(ctx, stmt); err != nil {
			return fmt.Errorf("creating the delivery tables: %w", err)
		}
	}
	r, err := t.query(ctx, `SELECT version FROM tb_schema`)
	if err != nil {
		return err
	}
	var have []int
	for r.Next() {
		var v int
		if err := r.Scan(&v); err != nil {
			r.Close()
			return err
		}
		have = append(have, v)
	}
	r.Close()
	switch {
	case len(have) == 0:
		_, err = t.exec(ctx, `INSERT INTO tb_schema (version) VALUES (?)`, schemaVersion)
		return err
	case have[0] > schemaVersion:
		return fmt.Errorf("the store was written by a newer bridge (schema %d, this bridge knows %d): upgrade the bridge", have[0], schemaVersion)
	}
	return nil
}

// ensureShards creates the tb_shard rows of vendors, so that arming a
// shard is always an update of an existing row.
func ensureShards(ctx context.Context, t txn, vendors []string) error {
	for _, v := range vendors {
		for s := 0; s < shards; s++ {
			if _, err := t.exec(ctx, `INSERT INTO tb_shard (vendor, shard, wake_at) VALUES (?, ?, 0) ON CONFLICT DO NOTHING`, v, s); err != nil {
				return err
			}
		}
	}
	return nil
}
