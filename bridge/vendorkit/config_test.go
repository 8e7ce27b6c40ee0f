package vendorkit

import (
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

func TestCommonAndCaching(t *testing.T) {
	cases := []struct {
		name    string
		timeout config.Duration
		ttl     config.Duration
		want    string // the error's start; "" for none
	}{
		{"defaults", 0, 0, ""},
		{"set", config.Duration(time.Second), config.Duration(time.Hour), ""},
		{"negative timeout", config.Duration(-time.Second), 0, "timeout: must be between 1ms and 5m0s"},
		{"hours of timeout", config.Duration(5 * time.Hour), 0, "timeout: must be between"},
		{"tiny ttl", 0, config.Duration(time.Millisecond), "cache_ttl: must be between 1s and 24h"},
		{"a week of ttl", 0, config.Duration(7 * 24 * time.Hour), "cache_ttl: must be between"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, k := Common{Timeout: tc.timeout}, Caching{CacheTTL: tc.ttl}
			c.DefaultTimeout(10 * time.Second)
			k.DefaultCacheTTL(10 * time.Minute)
			if tc.timeout == 0 && c.Timeout.D() != 10*time.Second || tc.ttl == 0 && k.CacheTTL.D() != 10*time.Minute {
				t.Errorf("defaults: %v %v", c.Timeout.D(), k.CacheTTL.D())
			}
			err := c.CheckCommon()
			if err == nil {
				err = k.CheckCaching()
			}
			if (err == nil) != (tc.want == "") || err != nil && !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("check: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMove(t *testing.T) {
	r := Rename{Old: "lookup_ttl", New: "cache_ttl"}
	m := config.Duration(time.Minute)
	cases := []struct {
		name     string
		old, now config.Duration
		want     config.Duration
		err      string
	}{
		{"neither", 0, 0, 0, ""},
		{"old only", m, 0, m, ""},
		{"new only", 0, m, m, ""},
		{"both alike", m, m, m, ""},
		{"both differ", m, 2 * m, 2 * m, "lookup_ttl: renamed cache_ttl, which is set to another value; remove lookup_ttl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			Move(tc.old, &now)
			if now != tc.want {
				t.Errorf("moved to %v, want %v", now.D(), tc.want.D())
			}
			err := CheckMove(r, tc.old, now)
			if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("CheckMove = %v, want %q", err, tc.err)
			}
		})
	}
}
