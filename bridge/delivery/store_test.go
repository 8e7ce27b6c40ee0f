package delivery

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/internal/pgtest"
)

// TestTransactions checks what the engine relies on in a store
// transaction, on both stores: writes queued in a batch are committed
// with it; a batch that fails, or a function that fails after its
// batches, leaves nothing behind; and the store is usable after either.
func TestTransactions(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "d.db") },
		"postgres": func(t *testing.T) string { return pgtest.Start(t).CreateDB(t, "tx") },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			e := openTest(t, Config{Store: dsn(t), EncryptionKey: make([]byte, 32)}, newRecorder("v", false))
			ctx := context.Background()
			insert := func(n string) stmt {
				return stmt{q: `INSERT INTO tb_nonce (nonce, expires_at) VALUES (?, 1)`, args: []any{n}}
			}
			count := func() int {
				var n int
				if err := e.be.read(ctx, stmt{q: `SELECT COUNT(*) FROM tb_nonce`, scan: func(r rows) error { return r.Scan(&n) }}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			// Writes, then a read that sees them, then writes again.
			var seen int
			err := e.be.durableTx(ctx, func(tx txn) error {
				if err := tx.batch(ctx, []stmt{insert("a"), insert("b")}); err != nil {
					return err
				}
				if err := tx.batch(ctx, []stmt{{q: `SELECT COUNT(*) FROM tb_nonce`, scan: func(r rows) error { return r.Scan(&seen) }}}); err != nil {
					return err
				}
				return tx.batch(ctx, []stmt{insert("c")})
			})
			if err != nil || seen != 2 || count() != 3 {
				t.Fatalf("err %v, the read saw %d rows (want 2), %d committed (want 3)", err, seen, count())
			}
			// A queued write that fails at commit (a duplicate key): nothing
			// of the transaction stays.
			err = e.be.inTx(ctx, func(tx txn) error { return tx.batch(ctx, []stmt{insert("d"), insert("a")}) })
			if err == nil || count() != 3 {
				t.Fatalf("a failing write: err %v, %d rows (want an error and 3)", err, count())
			}
			// A failure of the function after its writes went out.
			boom := errors.New("boom")
			err = e.be.inTx(ctx, func(tx txn) error {
				if err := tx.batch(ctx, []stmt{insert("e"), {q: `SELECT 1`, scan: func(rows) error { return nil }}}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || count() != 3 {
				t.Fatalf("a failing function: err %v, %d rows (want boom and 3)", err, count())
			}
			// The store still works, on every pooled connection.
			for i := range 8 {
				if err := e.be.inTx(ctx, func(tx txn) error { return tx.batch(ctx, []stmt{insert(string(rune('f' + i)))}) }); err != nil {
					t.Fatal(err)
				}
			}
			if count() != 11 {
				t.Fatalf("%d rows, want 11", count())
			}
		})
	}
}

// TestFindDuplicateWithinABatch: a commit's calls are recognised as
// retries of one another as they would be one commit at a time.
func TestFindDuplicateWithinABatch(t *testing.T) {
	req := func(id, caller, msg, subject, hash string) *acceptReq {
		return &acceptReq{c: &Change{ID: id, Caller: caller, MessageID: msg}, subject: subject, hash: hash}
	}
	stored := seenChanges{latest: &latestChange{id: "old", hash: "h1", caller: "demo"}}
	for _, tc := range []struct {
		name   string
		before []*acceptReq
		dups   []bool // which of before are duplicates themselves
		req    *acceptReq
		seen   seenChanges
		want   string // the original's id, "" for a new change
	}{
		{"the stored latest, same body", nil, nil, req("n", "demo", "", "u1", "h1"), stored, "old"},
		{"the stored latest, other caller", nil, nil, req("n", "other", "", "u1", "h1"), stored, ""},
		{"an earlier call of the batch changed the subject since", []*acceptReq{req("b1", "demo", "", "u1", "h2")}, []bool{false}, req("n", "demo", "", "u1", "h1"), stored, ""},
		{"the same body as the batch's latest for the subject", []*acceptReq{req("b1", "demo", "", "u1", "h2")}, []bool{false}, req("n", "demo", "", "u1", "h2"), stored, "b1"},
		{"an earlier duplicate stores nothing", []*acceptReq{req("b1", "demo", "", "u1", "h1")}, []bool{true}, req("n", "demo", "", "u1", "h1"), stored, "old"},
		{"the same MessageID and body in the batch", []*acceptReq{req("b1", "demo", "m1", "u1", "h2"), req("b2", "demo", "", "u1", "h3")}, []bool{false, false}, req("n", "demo", "m1", "u1", "h2"), seenChanges{}, "b1"},
		{"the same MessageID, another body", []*acceptReq{req("b1", "demo", "m1", "u1", "h2")}, []bool{false}, req("n", "demo", "m1", "u1", "h3"), seenChanges{}, ""},
		{"the stored MessageID", nil, nil, req("n", "demo", "m1", "u2", "h9"), seenChanges{byMessage: &acceptRes{dup: true, dupID: "m-old"}}, "m-old"},
		{"another subject", []*acceptReq{req("b1", "demo", "", "u2", "h1")}, []bool{false}, req("n", "demo", "", "u1", "h1"), seenChanges{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results := make([]acceptRes, len(tc.before))
			for i, d := range tc.dups {
				results[i].dup = d
			}
			got := ""
			if d := findDuplicate(tc.before, results, tc.req, tc.seen); d != nil {
				got = d.dupID
			}
			if got != tc.want {
				t.Errorf("duplicate of %q, want %q", got, tc.want)
			}
		})
	}
}
