package config

import (
	"net"
	"strings"
)

// Admin configures the operators' page (/admin/deliveries), on a listener
// of its own with credentials of its own: the SOAP callers cannot reach
// it, and it cannot reach the SOAP endpoint.
type Admin struct {
	// Listen is the page's address; default 127.0.0.1:8081. It must be a
	// loopback address unless AllowRemote is set.
	Listen string `yaml:"listen"`
	// AllowRemote lets Listen be a non-loopback address. The page speaks
	// plain HTTP with Basic credentials: put a TLS proxy in front of it.
	AllowRemote bool `yaml:"allow_remote"`
	// Users are the operators. Without any, the page is off.
	Users []AdminUser `yaml:"users"`
}

// AdminUser is one operator.
type AdminUser struct {
	// Name is the operator's login on the operators' page.
	Name string `yaml:"name"`
	// PasswordHash is bcrypt or argon2id (thereforebridge hash-password
	// makes one); never a password.
	PasswordHash string `yaml:"password_hash"`
}

// Enabled reports whether the operators' page is served.
func (a Admin) Enabled() bool { return len(a.Users) > 0 }

// Callers returns the operators in the form bridge/auth checks.
func (a Admin) Callers() []Caller {
	out := make([]Caller, len(a.Users))
	for i, u := range a.Users {
		out[i] = Caller{Name: u.Name, PasswordHash: u.PasswordHash}
	}
	return out
}

func (c *Config) adminDefaults() {
	if c.Admin.Listen == "" {
		c.Admin.Listen = "127.0.0.1:8081"
	}
}

func (c *Config) checkAdmin() error {
	a := c.Admin
	if !a.Enabled() {
		return nil
	}
	host, _, err := net.SplitHostPort(a.Listen)
	if err != nil {
		return c.errf("admin.listen", "must be host:port, got %q", a.Listen)
	}
	if ip := net.ParseIP(host); !a.AllowRemote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return c.errf("admin.listen", "must be a loopback address such as 127.0.0.1:8081 (operators can retry and discard deliveries there), got %q; set admin.allow_remote: true behind a TLS proxy", a.Listen)
	}
	if a.Listen == c.Listen {
		return c.errf("admin.listen", "must differ from listen (%s): the operators' page has a listener of its own", c.Listen)
	}
	return c.checkUsers("admin.users", a.Callers())
}

// checkUsers checks a list of users who sign in with a password: each
// named once (names are compared without case) and given a hash.
func (c *Config) checkUsers(field string, users []Caller) error {
	seen := map[string]bool{}
	for i, u := range users {
		f := fieldIndex(field, i)
		if u.Name == "" {
			return c.errf(f+".name", "must not be empty")
		}
		if seen[strings.ToLower(u.Name)] {
			return c.errf(f+".name", "%q is configured twice", u.Name)
		}
		seen[strings.ToLower(u.Name)] = true
		if !isPasswordHash(u.PasswordHash) {
			return c.errf(f+".password_hash", "must be a bcrypt or argon2id hash (thereforebridge hash-password makes one), not a password")
		}
	}
	return nil
}

// isPasswordHash reports whether h looks like a hash bridge/auth checks.
func isPasswordHash(h string) bool {
	for _, p := range []string{"$2a$", "$2b$", "$2y$", "$argon2id$"} {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}
