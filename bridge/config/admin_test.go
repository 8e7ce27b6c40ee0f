package config_test

import (
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

const adminHash = "$2a$10$9dUETKS3OUA5e.c0u8VkzOd93GMYbpbk/GX8au3F5qR3U881hvNQe"

func TestAdmin(t *testing.T) {
	tests := []struct {
		yaml    string
		listen  string
		enabled bool
		err     string
	}{
		{yaml: "", listen: "127.0.0.1:8081"},
		{yaml: "admin:\n  listen: 127.0.0.1:9999\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", listen: "127.0.0.1:9999", enabled: true},
		{yaml: "admin:\n  listen: '[::1]:9999'\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", listen: "[::1]:9999", enabled: true},
		{yaml: "admin:\n  listen: 0.0.0.0:8081\n  allow_remote: true\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", listen: "0.0.0.0:8081", enabled: true},
		// Without users the page is off, so its address is not checked.
		{yaml: "admin:\n  listen: 0.0.0.0:8081\n", listen: "0.0.0.0:8081"},
		{yaml: "admin:\n  listen: 0.0.0.0:8081\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", err: "test.yaml:2: admin.listen: must be a loopback address"},
		{yaml: "admin:\n  listen: nowhere\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", err: "test.yaml:2: admin.listen: must be host:port"},
		{yaml: "listen: 127.0.0.1:8081\nadmin:\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n", err: "admin.listen: must differ from listen"},
		{yaml: "admin:\n  users:\n    - {name: ops, password_hash: secret}\n", err: "test.yaml:3: admin.users[0].password_hash: must be a bcrypt or argon2id hash"},
		{yaml: "admin:\n  users:\n    - {name: ops, password_hash: " + adminHash + "}\n    - {name: OPS, password_hash: " + adminHash + "}\n", err: `admin.users[1].name: "OPS" is configured twice`},
		{yaml: "admin:\n  users:\n    - {password_hash: " + adminHash + "}\n", err: "admin.users[0].name: must not be empty"},
	}
	for _, tt := range tests {
		c, err := config.Parse([]byte(tt.yaml+noAuth), "test.yaml")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		if c.Admin.Listen != tt.listen || c.Admin.Enabled() != tt.enabled {
			t.Errorf("%q: listen %s enabled %v", tt.yaml, c.Admin.Listen, c.Admin.Enabled())
		}
	}
	if d := config.Default(); !d.Admin.Enabled() || d.Admin.Callers()[0].Name != "admin" {
		t.Errorf("the embedded demo has no operator: %+v", d.Admin)
	}
}
