// Package vendors turns the configuration's `vendors:` section into fan-out
// targets. Each vendor lives in its own package; adding one is one line in
// the registry below.
package vendors

import (
	"fmt"
	"log/slog"
	"sort"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

// A builder reads its vendor's section and returns the vendor's target.
type builder func(c *config.Config, log *slog.Logger) (fanout.Target, error)

var registry = map[string]builder{
	"log": buildLog,
}

// Debugger is implemented by vendors whose state /debug/vendors/<name> shows.
type Debugger interface{ DebugState() any }

// Build returns a target for every vendor in c, in name order.
func Build(c *config.Config, log *slog.Logger) ([]fanout.Target, error) {
	names := make([]string, 0, len(c.Vendors))
	for name := range c.Vendors {
		names = append(names, name)
	}
	sort.Strings(names)
	var targets []fanout.Target
	for _, name := range names {
		b, ok := registry[name]
		if !ok {
			n := c.Vendors[name]
			return nil, &config.Error{File: c.Source, Line: n.Line, Field: "vendors." + name, Msg: fmt.Sprintf("unknown vendor; known: %s", known())}
		}
		t, err := b(c, log)
		if err != nil {
			return nil, err
		}
		for op := range t.Operations {
			if op != contract.SaveOutOfOfficeInfoForUser && op != contract.SavePortalUser {
				n := c.Vendors[name]
				return nil, &config.Error{File: c.Source, Line: n.Line, Field: "vendors." + name + ".operations",
					Msg: fmt.Sprintf("unknown operation %q; use %s or %s", op, contract.SaveOutOfOfficeInfoForUser, contract.SavePortalUser)}
			}
		}
		targets = append(targets, t)
	}
	return targets, nil
}

func known() string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}

func buildLog(c *config.Config, log *slog.Logger) (fanout.Target, error) {
	var lc logsink.Config
	if err := c.DecodeVendor("log", &lc); err != nil {
		return fanout.Target{}, err
	}
	lc.Defaults()
	if err := lc.Check(); err != nil {
		return fanout.Target{}, &config.Error{File: c.Source, Line: c.Vendors["log"].Line, Field: "vendors.log", Msg: err.Error()}
	}
	return lc.TargetConfig.Target(logsink.New(lc, log)), nil
}
