package config

import (
	"runtime"
	"time"
)

// Auth configures inbound authentication: who may call the bridge.
type Auth struct {
	// InsecureNoAuth lets anybody in. Only for development; the bridge
	// refuses to start without callers unless this is set.
	InsecureNoAuth bool `yaml:"insecure_no_auth"`
	// PublicWSDL serves ?wsdl without credentials (svcutil and other
	// generators fetch metadata without them).
	PublicWSDL bool `yaml:"public_wsdl"`
	// Realm is the HTTP Basic realm the 401 challenge names.
	Realm string `yaml:"realm"`
	// ReplayWindow is how old a WS-Security Created may be, and how long
	// a nonce is remembered.
	ReplayWindow Duration `yaml:"replay_window"`
	Callers      []Caller `yaml:"callers"`
	// CacheTTL is how long a verified user and password (HTTP Basic or
	// a PasswordText token) is remembered, so that a client sending them
	// on every call pays one password hash per TTL, not per call. Unset
	// means 5m; 0s turns the cache off.
	CacheTTL *Duration `yaml:"cache_ttl"`
	// MaxConcurrentHashes bounds the password verifications running at
	// once (bcrypt and argon2id are CPU-bound by design); further ones
	// wait, within their call's deadline. Unset means the number of CPUs.
	MaxConcurrentHashes int `yaml:"max_concurrent_hashes"`
	// MaxHashWait is how long a check waits for a free hash slot before
	// the call is answered 503 with Retry-After: a queue of checks must
	// not eat the call's deadline. Unset means 5s.
	MaxHashWait Duration `yaml:"max_hash_wait"`
	// FailureRate and FailureBurst throttle wrong credentials per
	// (client address, user name) before any hashing: every check that
	// needs a hash takes a token (a good one is then remembered, so
	// nearly all that do are failures); beyond the burst a client gets
	// 429 with Retry-After instead of a password check. A client address
	// gets ten times both for all user names together. A remembered
	// credential takes none and is never throttled. Unset: one check every
	// 10 s (0.1), burst 5.
	FailureRate  float64 `yaml:"failure_rate"`
	FailureBurst int     `yaml:"failure_burst"`
}

// Caller is one client allowed in.
type Caller struct {
	// Name is the login, compared without case; it is the caller
	// identity.users[].therefore.caller refers to.
	Name string `yaml:"name"`
	// PasswordHash is bcrypt ($2a$/$2b$/$2y$) or argon2id
	// ($argon2id$v=19$m=...,t=...,p=...$salt$hash); never a password.
	PasswordHash string `yaml:"password_hash"`
	// DigestSecret is needed only for WS-Security PasswordDigest, whose
	// check needs the password itself: a reference, env: or file:.
	DigestSecret Secret `yaml:"digest_secret"`
}

func (c *Config) authDefaults() { c.Auth.Defaults() }

// Defaults fills the unset fields of a (also for an Auth built in code).
func (a *Auth) Defaults() {
	if a.Realm == "" {
		a.Realm = "thereforebridge"
	}
	if a.ReplayWindow == 0 {
		a.ReplayWindow = Duration(5 * time.Minute)
	}
	if a.CacheTTL == nil {
		ttl := Duration(5 * time.Minute)
		a.CacheTTL = &ttl
	}
	if a.MaxConcurrentHashes == 0 {
		a.MaxConcurrentHashes = runtime.NumCPU()
	}
	if a.MaxHashWait == 0 {
		a.MaxHashWait = Duration(5 * time.Second)
	}
	if a.FailureRate == 0 {
		a.FailureRate = 0.1
	}
	if a.FailureBurst == 0 {
		a.FailureBurst = 5
	}
}

func (c *Config) checkAuth() error {
	a := c.Auth
	if !a.InsecureNoAuth && len(a.Callers) == 0 && len(c.TLS.ClientSubjects) == 0 {
		return c.errf("auth.callers", "no callers are configured; add callers (with password_hash) or, for development only, set auth.insecure_no_auth: true")
	}
	if err := c.checkUsers("auth.callers", a.Callers); err != nil {
		return err
	}
	if a.ReplayWindow < Duration(time.Second) {
		return c.errf("auth.replay_window", "must be at least 1s")
	}
	if a.CacheTTL != nil && (*a.CacheTTL < 0 || *a.CacheTTL > Duration(24*time.Hour)) {
		return c.errf("auth.cache_ttl", "must be between 0s (off) and 24h, got %s", a.CacheTTL.D())
	}
	if a.MaxConcurrentHashes < 1 || a.MaxConcurrentHashes > 1024 {
		return c.errf("auth.max_concurrent_hashes", "must be between 1 and 1024, got %d", a.MaxConcurrentHashes)
	}
	if a.MaxHashWait < Duration(10*time.Millisecond) || a.MaxHashWait > Duration(time.Minute) {
		return c.errf("auth.max_hash_wait", "must be between 10ms and 1m, got %s", a.MaxHashWait.D())
	}
	if a.FailureRate <= 0 {
		return c.errf("auth.failure_rate", "must be more than 0 (password checks per second per client address and user name), got %v", a.FailureRate)
	}
	if a.FailureBurst < 1 {
		return c.errf("auth.failure_burst", "must be at least 1, got %d", a.FailureBurst)
	}
	return nil
}
