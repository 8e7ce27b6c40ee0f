package config_test

import (
	"slices"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

func TestKeepRunningAndChanged(t *testing.T) {
	parse := func(y string) *config.Config {
		t.Helper()
		c, err := config.Parse([]byte(y+noAuth), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name        string
		next        string
		wantRestart []string
		wantChanged []string
	}{
		{"nothing", "", nil, nil},
		{"applies", "log:\n  level: debug\nlimits:\n  max_depth: 20\n", nil, []string{"limits.max_depth", "log.level"}},
		{"listen and log format wait", "listen: 0.0.0.0:1\nlog:\n  format: text\n", []string{"listen", "log.format"}, nil},
		{"mixed", "endpoint: /x\nlimits:\n  max_concurrent: 2\n", []string{"endpoint"}, []string{"limits.max_concurrent"}},
		{"a vendor waits", "vendors:\n  log: {keep: 5}\n", []string{"vendors"}, nil},
		{"the delivery engine waits", "delivery:\n  apply_wait: 1s\nfanout:\n  vendor_timeout: 1s\n", []string{"delivery", "fanout"}, nil},
		{"the same vendors on other lines", "\n\nvendors:\n\n  log:\n    keep: 1\n", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			running := parse("vendors:\n  log: {keep: 1}\n")
			next := parse(tt.next)
			if next.Vendors == nil {
				next.Vendors = running.Vendors // the same file but for tt.next
			}
			restart := config.KeepRunning(running, next)
			if !slices.Equal(restart, tt.wantRestart) {
				t.Errorf("KeepRunning = %v, want %v", restart, tt.wantRestart)
			}
			if next.Listen != running.Listen || next.Endpoint != running.Endpoint || next.Log.Format != running.Log.Format {
				t.Errorf("a restart key kept its new value: listen %q endpoint %q log.format %q", next.Listen, next.Endpoint, next.Log.Format)
			}
			if got := config.Changed(running, next); !slices.Equal(got, tt.wantChanged) {
				t.Errorf("Changed = %v, want %v", got, tt.wantChanged)
			}
		})
	}
}
