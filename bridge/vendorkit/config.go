package vendorkit

import (
	"fmt"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// Common is the part of the configuration every HTTP vendor has, with one
// name and one type per setting; vendor configs inline it and add their
// own keys (base_url or url, credentials).
type Common struct {
	fanout.TargetConfig `yaml:",inline"`
	// Timeout bounds each HTTP request to the vendor; each vendor has its
	// default.
	Timeout config.Duration `yaml:"timeout"`
}

// DefaultTimeout sets the timeout to d when the file left it unset.
func (c *Common) DefaultTimeout(d time.Duration) {
	if c.Timeout == 0 {
		c.Timeout = config.Duration(d)
	}
}

// CheckCommon validates the common settings; errors name the yaml key.
func (c *Common) CheckCommon() error {
	if d := c.Timeout.D(); d <= 0 || d > maxTimeout {
		return fmt.Errorf("timeout: must be between 1ms and %v, got %v", maxTimeout, d)
	}
	return nil
}

// maxTimeout is far above any vendor's answer time and below the
// delivery engine's patience, so that a typo (5h for 5s) is caught.
const maxTimeout = 5 * time.Minute

// Caching is the setting of a vendor that caches what it looks up (user
// and domain ids); its config inlines it next to Common.
type Caching struct {
	// CacheTTL is how long a looked-up id is reused.
	CacheTTL config.Duration `yaml:"cache_ttl"`
}

// DefaultCacheTTL sets the TTL to d when the file left it unset.
func (c *Caching) DefaultCacheTTL(d time.Duration) {
	if c.CacheTTL == 0 {
		c.CacheTTL = config.Duration(d)
	}
}

// CheckCaching validates the TTL; errors name the yaml key.
func (c *Caching) CheckCaching() error {
	if d := c.CacheTTL.D(); d < time.Second || d > 24*time.Hour {
		return fmt.Errorf("cache_ttl: must be between 1s and 24h, got %v", d)
	}
	return nil
}

// Rename is a configuration key that has a new name. The old one is still
// read, so that existing files keep working, and the bridge warns once at
// start-up naming the new key.
type Rename struct{ Old, New string }

// Renamed is implemented by a vendor config that still reads old keys.
type Renamed interface {
	// Renamed lists the old keys the file used; call it before Defaults.
	Renamed() []Rename
}

// Move carries a renamed duration to its new key in Defaults, before the
// new key's default: the old key's value counts when the new one is unset.
func Move(old config.Duration, to *config.Duration) {
	if *to == 0 {
		*to = old
	}
}

// CheckMove refuses, in Check, a file that sets both keys of r to
// different values.
func CheckMove(r Rename, old, now config.Duration) error {
	if old != 0 && old != now {
		return fmt.Errorf("%s: renamed %s, which is set to another value; remove %s", r.Old, r.New, r.Old)
	}
	return nil
}
