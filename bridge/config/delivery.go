package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Delivery configures the durable store and how accepted changes are
// delivered.
type Delivery struct {
	// Store is where accepted changes are kept until every vendor has
	// them: sqlite:PATH (embedded, one bridge) or postgres://... (shared
	// by replicas); an env:NAME or file:/path reference is resolved. Unset:
	// a SQLite file in the state directory ($STATE_DIRECTORY, else
	// ./state/).
	Store StoreRef `yaml:"store"`
	// ApplyWait is how long a call waits for its first vendor attempts
	// before it is answered (a permanent failure seen in that time is a
	// fault); default 2s, 0 answers as soon as the change is stored.
	ApplyWait *Duration `yaml:"apply_wait"`
	// MaxAge is how long a delivery is retried before it is dead (kept,
	// visible, replayable); default 24h.
	MaxAge Duration `yaml:"max_age"`
	// DedupeWindow is how long a client's retry of a call is recognised
	// and answered with the original's outcome; default 5m.
	DedupeWindow Duration `yaml:"dedupe_window"`
	// EncryptionKey seals SavePortalUser's UserPwd in the store: 32 bytes
	// as 64 hex digits or base64, an env: or file: reference. Required
	// for a postgres store; for a SQLite store without it, a key is made
	// beside the file on first start.
	EncryptionKey Secret `yaml:"encryption_key"`
	// Replicas is how many bridges share a postgres store: per-vendor
	// concurrency limits are divided by it, as each process enforces its
	// share. Default 1.
	Replicas int `yaml:"replicas"`
	// PollInterval is how often each vendor's workers poll a SQLite store
	// for work (SQLite has no notifications; Postgres notifies at once).
	// A change's first attempt does not wait for it: the bridge works a
	// shard as soon as it commits work for it, and the poll finds what
	// that leaves (backoffs, work after a restart); default 1s.
	PollInterval Duration `yaml:"poll_interval"`
	// RescueAfter is when deliveries held by a vanished replica are
	// worked by another (postgres); default 1m.
	RescueAfter Duration `yaml:"rescue_after"`
}

// StoreRef is a store DSN, literal or an env:/file: reference.
type StoreRef struct {
	value, ref string
}

// UnmarshalYAML resolves an env: or file: reference.
func (s *StoreRef) UnmarshalYAML(n *yaml.Node) error {
	var ref string
	if err := n.Decode(&ref); err != nil {
		return err
	}
	if strings.HasPrefix(ref, "env:") || strings.HasPrefix(ref, "file:") {
		v, err := resolveSecret(ref)
		if err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		*s = StoreRef{value: strings.TrimSpace(v), ref: ref}
		return nil
	}
	*s = StoreRef{value: ref, ref: ref}
	return nil
}

// NewStoreRef wraps a DSN built in code.
func NewStoreRef(dsn string) StoreRef { return StoreRef{value: dsn, ref: dsn} }

// DSN is the resolved store address.
func (s StoreRef) DSN() string { return s.value }

// IsSet reports whether a store was configured.
func (s StoreRef) IsSet() bool { return s.value != "" }

// String names the store without a password.
func (s StoreRef) String() string {
	if strings.HasPrefix(s.ref, "env:") || strings.HasPrefix(s.ref, "file:") {
		return s.ref
	}
	return RedactDSN(s.value)
}

// RedactDSN hides the password in a postgres DSN, or in a message that
// quotes one: the user:password@ of the URL form and a password=
// keyword.
func RedactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				dsn = dsn[:i+3] + rest[:colon] + ":***" + rest[at:]
			}
		}
	}
	if i := strings.Index(dsn, "password="); i >= 0 {
		end := len(dsn)
		if j := strings.IndexAny(dsn[i:], " &"); j >= 0 {
			end = i + j
		}
		dsn = dsn[:i] + "password=***" + dsn[end:]
	}
	return dsn
}

// DefaultStore is the store used when delivery.store is unset: a SQLite
// file in stateDir ($STATE_DIRECTORY under systemd), else in ./state/.
func DefaultStore(stateDir string) string {
	if stateDir == "" {
		stateDir = "state"
	}
	if i := strings.IndexByte(stateDir, ':'); i >= 0 && filepath.IsAbs(stateDir[:i]) {
		stateDir = stateDir[:i] // systemd lists several directories separated by ':'
	}
	return "sqlite:" + filepath.Join(stateDir, "deliveries.db")
}

func (c *Config) deliveryDefaults() {
	d := &c.Delivery
	if d.ApplyWait == nil {
		w := Duration(2 * time.Second)
		d.ApplyWait = &w
	}
	if d.MaxAge == 0 {
		d.MaxAge = Duration(24 * time.Hour)
	}
	if d.DedupeWindow == 0 {
		d.DedupeWindow = Duration(5 * time.Minute)
	}
	if d.Replicas == 0 {
		d.Replicas = 1
	}
	if d.PollInterval == 0 {
		d.PollInterval = Duration(time.Second)
	}
	if d.RescueAfter == 0 {
		d.RescueAfter = Duration(time.Minute)
	}
}

func (c *Config) checkDelivery() error {
	d := c.Delivery
	if c.Fanout.Deadline != nil {
		return c.errf("fanout.deadline", "is replaced: an accepted change is stored and retried until delivered or delivery.max_age; how long a call waits for first attempts is delivery.apply_wait")
	}
	if c.Fanout.MaxAttempts != nil {
		return c.errf("fanout.max_attempts", "is replaced by delivery.max_age: a delivery is retried, with backoff, until it succeeds or is older than that")
	}
	if v := d.Store.DSN(); v != "" && !strings.HasPrefix(v, "sqlite:") && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		return c.errf("delivery.store", "must be sqlite:PATH or postgres://..., got %q", d.Store.String())
	}
	if strings.HasPrefix(d.Store.DSN(), "sqlite:") && strings.TrimPrefix(strings.TrimPrefix(d.Store.DSN(), "sqlite:"), "//") == "" {
		return c.errf("delivery.store", "sqlite: needs a file path, e.g. sqlite:/var/lib/thereforebridge/deliveries.db")
	}
	if d.Replicas < 1 {
		return c.errf("delivery.replicas", "must be at least 1, got %d", d.Replicas)
	}
	if d.Replicas > 1 && strings.HasPrefix(d.Store.DSN(), "sqlite:") {
		return c.errf("delivery.replicas", "replicas need a shared postgres:// store; a SQLite store belongs to one bridge")
	}
	for _, x := range []struct {
		name string
		v    Duration
	}{{"delivery.apply_wait", *d.ApplyWait}, {"delivery.max_age", d.MaxAge}, {"delivery.dedupe_window", d.DedupeWindow},
		{"delivery.poll_interval", d.PollInterval}, {"delivery.rescue_after", d.RescueAfter}} {
		if x.v < 0 {
			return c.errf(x.name, "must not be negative")
		}
	}
	if d.PollInterval.D() < time.Millisecond {
		return c.errf("delivery.poll_interval", "must be at least 1ms")
	}
	if min := c.Fanout.VendorTimeout.D() + 15*time.Second; d.RescueAfter.D() < min {
		return c.errf("delivery.rescue_after", "must exceed one job's longest run (fanout.vendor_timeout + 15s = %s), got %s", min, d.RescueAfter.D())
	}
	if d.EncryptionKey.IsSet() {
		if _, err := parseKey(d.EncryptionKey.Value()); err != nil {
			return c.errf("delivery.encryption_key", "%v", err)
		}
	} else if strings.HasPrefix(d.Store.DSN(), "postgres") {
		return c.errf("delivery.encryption_key", "required with a postgres store: SavePortalUser passwords are sealed with it (e.g. env:THEREFOREBRIDGE_STORE_KEY holding openssl rand -hex 32)")
	}
	return nil
}

// Key returns the encryption key's bytes, nil when none is set.
func (d Delivery) Key() []byte {
	if !d.EncryptionKey.IsSet() {
		return nil
	}
	k, _ := parseKey(d.EncryptionKey.Value()) // checked at load
	return k
}

// parseKey reads a key written as 64 hex digits or as base64 of 32 bytes.
func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("must be 32 bytes, written as 64 hex digits or as base64 (e.g. openssl rand -hex 32)")
}
