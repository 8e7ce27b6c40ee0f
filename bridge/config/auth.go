package config

import (
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

func (c *Config) authDefaults() {
	if c.Auth.Realm == "" {
		c.Auth.Realm = "thereforebridge"
	}
	if c.Auth.ReplayWindow == 0 {
		c.Auth.ReplayWindow = Duration(5 * time.Minute)
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
	return nil
}
