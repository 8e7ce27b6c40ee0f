package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// StateDead is a delivery given up after delivery.max_age: kept, visible
// and replayable.
const StateDead = "dead"

// States are the states an operator sees, in the order they are listed.
var States = []string{StatePending, StateRetrying, StateFailed, StateDead}

// ErrNotFound is returned by Show when nothing matches.
var ErrNotFound = errors.New("no such delivery")

// Filter selects deliveries for operators. Empty fields match everything.
type Filter struct {
	// State is pending (waiting for its first attempt or being worked),
	// retrying (pending, its key in backoff), failed or dead.
	State  string
	Vendor string
	// User matches, without regard to case, part of the key or of the
	// subject (the directory user a delivery is for).
	User string
	// Key and Seq select one delivery exactly (with Vendor); ChangeID the
	// deliveries of one change.
	Key      string
	Seq      int64
	ChangeID string
	// Limit bounds what List returns; 0 means 500.
	Limit int
}

// Delivery is one delivery not yet made, as operators see it.
type Delivery struct {
	Vendor    string `json:"vendor"`
	Key       string `json:"key"`
	Seq       int64  `json:"seq"`
	ChangeID  string `json:"change_id"`
	Operation string `json:"operation"`
	State     string `json:"state"`
	// Attempts, LastError and LastStatus are the key's retry state while
	// it is retrying, the delivery's own once failed or dead.
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error,omitempty"`
	LastStatus int       `json:"last_status,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	// NextAttempt is when a retrying delivery is tried again.
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
}

// Detail is one change and its deliveries not yet made.
type Detail struct {
	ChangeID  string    `json:"change_id"`
	Operation string    `json:"operation"`
	Caller    string    `json:"caller"`
	RequestID string    `json:"request_id"`
	MessageID string    `json:"message_id,omitempty"`
	Created   time.Time `json:"created"`
	// Payload is the change's parameters, a portal user's password masked.
	Payload    json.RawMessage `json:"payload"`
	Deliveries []Delivery      `json:"deliveries"`
}

// masked replaces a secret wherever it is shown.
const masked = "***"

// OpenAdmin opens the store for operators' tools: it migrates it and can
// list, retry and discard deliveries, but never works them (its River
// client only inserts jobs, for the bridge's workers to run).
func OpenAdmin(ctx context.Context, store string, log *slog.Logger) (*Engine, error) {
	return Open(ctx, Config{Store: store}, nil, nil, log, nil)
}

const listColumns = `SELECT d.vendor, d.key, d.seq, d.change_id, COALESCE(c.operation, ''), d.state,
	d.attempts, d.last_error, d.last_status, d.created_at, d.updated_at,
	COALESCE(k.attempts, -1), COALESCE(k.last_error, ''), COALESCE(k.last_status, 0), COALESCE(k.next_at, 0)
	FROM tb_delivery d
	LEFT JOIN tb_key k ON k.vendor = d.vendor AND k.key = d.key AND d.state = 'pending'
	LEFT JOIN tb_change c ON c.id = d.change_id`

// where turns f into SQL; states, when f names no state, are the states
// matched.
func (f Filter) where(states []string) (string, []any, error) {
	var conds []string
	var args []any
	if f.State != "" {
		states = []string{f.State}
	}
	var sc []string
	for _, s := range states {
		switch s {
		case StatePending:
			sc = append(sc, `(d.state = 'pending' AND k.key IS NULL)`)
		case StateRetrying:
			sc = append(sc, `(d.state = 'pending' AND k.key IS NOT NULL)`)
		case StateFailed, StateDead:
			sc = append(sc, `d.state = '`+s+`'`)
		default:
			return "", nil, fmt.Errorf("unknown state %q: one of %s", s, strings.Join(States, ", "))
		}
	}
	if len(sc) > 0 {
		conds = append(conds, "("+strings.Join(sc, " OR ")+")")
	}
	if f.Vendor != "" {
		conds, args = append(conds, `d.vendor = ?`), append(args, f.Vendor)
	}
	if f.Key != "" {
		conds, args = append(conds, `d.key = ?`), append(args, f.Key)
	}
	if f.Seq != 0 {
		conds, args = append(conds, `d.seq = ?`), append(args, f.Seq)
	}
	if f.ChangeID != "" {
		conds, args = append(conds, `d.change_id = ?`), append(args, f.ChangeID)
	}
	if f.User != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.User)) + "%"
		conds = append(conds, `(LOWER(d.key) LIKE ? ESCAPE '\' OR LOWER(d.subject) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns the deliveries f selects, oldest first.
func (e *Engine) List(ctx context.Context, f Filter) ([]Delivery, error) {
	where, args, err := f.where(nil)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	var out []Delivery
	err = e.be.inTx(ctx, func(t txn) error {
		out, err = e.list(ctx, t, where+` ORDER BY d.created_at, d.seq LIMIT ?`, append(args, limit))
		return err
	})
	return out, err
}

func (e *Engine) list(ctx context.Context, t txn, tail string, args []any) ([]Delivery, error) {
	r, err := t.query(ctx, listColumns+tail, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Delivery
	for r.Next() {
		var d Delivery
		var created, updated, next int64
		var kAttempts, kStatus int
		var kError string
		if err := r.Scan(&d.Vendor, &d.Key, &d.Seq, &d.ChangeID, &d.Operation, &d.State, &d.Attempts, &d.LastError, &d.LastStatus,
			&created, &updated, &kAttempts, &kError, &kStatus, &next); err != nil {
			return nil, err
		}
		d.Created, d.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		if d.State == StatePending && kAttempts >= 0 {
			d.State, d.Attempts, d.LastError, d.LastStatus = StateRetrying, kAttempts, kError, kStatus
			at := time.UnixMilli(next).UTC()
			d.NextAttempt = &at
		}
		out = append(out, d)
	}
	return out, r.Err()
}

// Show returns the change a delivery belongs to (f selects it by
// ChangeID, or by Vendor, Key and Seq) with its deliveries not yet made.
// A portal user's password is masked, never shown sealed or plain.
func (e *Engine) Show(ctx context.Context, f Filter) (*Detail, error) {
	if f.ChangeID == "" && (f.Vendor == "" || f.Key == "" || f.Seq == 0) {
		return nil, errors.New("name a change id, or a vendor, key and seq")
	}
	var d *Detail
	err := e.be.inTx(ctx, func(t txn) error {
		where, args, err := Filter{Vendor: f.Vendor, Key: f.Key, Seq: f.Seq, ChangeID: f.ChangeID}.where(nil)
		if err != nil {
			return err
		}
		ds, err := e.list(ctx, t, where+` LIMIT 1`, args)
		if err != nil {
			return err
		}
		id := f.ChangeID
		if len(ds) > 0 {
			id = ds[0].ChangeID
		} else if id == "" {
			return ErrNotFound
		}
		r, err := t.query(ctx, `SELECT operation, caller, request_id, message_id, created_at, payload FROM tb_change WHERE id = ?`, id)
		if err != nil {
			return err
		}
		d = &Detail{ChangeID: id}
		var created int64
		var payload []byte
		found := r.Next()
		if found {
			err = r.Scan(&d.Operation, &d.Caller, &d.RequestID, &d.MessageID, &created, &payload)
		}
		r.Close()
		if err != nil {
			return err
		}
		if !found {
			if len(ds) == 0 {
				return ErrNotFound
			}
			payload = []byte(`{"missing":true}`) // cleaned away: the deliveries still show
		}
		d.Created = time.UnixMilli(created).UTC()
		if d.Payload, err = maskPayload(payload); err != nil {
			return err
		}
		d.Deliveries, err = e.list(ctx, t, ` WHERE d.change_id = ? ORDER BY d.vendor, d.key`, []any{id})
		return err
	})
	return d, err
}

// maskPayload replaces SavePortalUser's UserPwd, sealed or not, with a
// mask, leaving the rest of the stored change as it is.
func maskPayload(payload []byte) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, fmt.Errorf("a stored change does not decode: %w", err)
	}
	if portal, ok := m["portal"].(map[string]any); ok {
		for k, v := range portal {
			if u, ok := v.(map[string]any); ok && strings.EqualFold(k, "PortalUser") {
				for f, pw := range u {
					if strings.EqualFold(f, "UserPwd") && pw != nil {
						u[f] = masked
					}
				}
			}
		}
	}
	return json.MarshalIndent(m, "", "  ")
}

// Retry makes the failed and dead deliveries f selects pending again,
// with a fresh delivery.max_age, and cuts short the backoff of retrying
// ones; f.State narrows that to one of them. A state target is then sent
// the latest state of the key, since pending deliveries fold. It returns
// how many deliveries it changed.
func (e *Engine) Retry(ctx context.Context, f Filter) (int, error) {
	return e.act(ctx, f, []string{StateRetrying, StateFailed, StateDead}, func(t txn, d Delivery, nowMS int64) error {
		if d.State == StateRetrying {
			_, err := t.exec(ctx, `UPDATE tb_key SET next_at = ? WHERE vendor = ? AND key = ?`, nowMS, d.Vendor, d.Key)
			return err
		}
		_, err := t.exec(ctx, `UPDATE tb_delivery SET state = 'pending', created_at = ?, updated_at = ? WHERE vendor = ? AND key = ? AND seq = ?`,
			nowMS, nowMS, d.Vendor, d.Key, d.Seq)
		return err
	}, true)
}

// Discard removes the deliveries f selects (by default the failed and
// dead ones; f.State may name pending or retrying ones too): they will not
// be made. A key with nothing pending left loses its retry state.
func (e *Engine) Discard(ctx context.Context, f Filter) (int, error) {
	return e.act(ctx, f, []string{StateFailed, StateDead}, func(t txn, d Delivery, _ int64) error {
		_, err := t.exec(ctx, `DELETE FROM tb_delivery WHERE vendor = ? AND key = ? AND seq = ?`, d.Vendor, d.Key, d.Seq)
		return err
	}, false)
}

// act applies do to every delivery f selects (states by default) in one
// transaction, then tidies each key touched and, when arm is set, arms
// their shards as an accept does.
func (e *Engine) act(ctx context.Context, f Filter, states []string, do func(txn, Delivery, int64) error, arm bool) (int, error) {
	where, args, err := f.where(states)
	if err != nil {
		return 0, err
	}
	if f.State == StatePending && arm {
		return 0, errors.New("pending deliveries are being worked already: retry takes retrying, failed or dead ones")
	}
	n := 0
	err = e.be.durableTx(ctx, func(t txn) error {
		ds, err := e.list(ctx, t, where+` ORDER BY d.seq`, args)
		if err != nil {
			return err
		}
		n = len(ds)
		if n == 0 {
			return nil
		}
		type vk struct{ vendor, key string }
		keys := map[vk]bool{}
		touched := map[shardRef]bool{}
		for _, d := range ds {
			keys[vk{d.Vendor, d.Key}] = true
			touched[shardRef{d.Vendor, shardOf(d.Key)}] = true
		}
		var shards []lockedShard
		if arm {
			lock, read := e.lockShards(touched)
			if err := t.batch(ctx, lock); err != nil {
				return err
			}
			if shards, err = read(); err != nil {
				return err
			}
		}
		nowMS := e.now().UnixMilli()
		for _, d := range ds {
			if err := do(t, d, nowMS); err != nil {
				return err
			}
		}
		for k := range keys {
			if _, err := t.exec(ctx, `DELETE FROM tb_key WHERE vendor = ? AND key = ?
				AND NOT EXISTS (SELECT 1 FROM tb_delivery d WHERE d.vendor = ? AND d.key = ? AND d.state = 'pending')`,
				k.vendor, k.key, k.vendor, k.key); err != nil {
				return err
			}
		}
		if arm {
			return e.armShards(ctx, t, shards, nowMS)
		}
		return nil
	})
	return n, err
}
