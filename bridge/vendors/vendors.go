// Package vendors turns the configuration's `vendors:` section into fan-out
// targets. Each vendor lives in its own package with its fake; adding one is
// one line in the registry below.
package vendors

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
	grommuniofake "github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	lineworksfake "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	superofficefake "github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest"
	thereforefake "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
	webhookfake "github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
)

// registry: one line per vendor.
var registry = map[string]builder{
	"grommunio":   plugin(grommunio.New, grommuniofake.Demo, func() http.Handler { return grommuniofake.New() }),
	"lineworks":   plugin(lineworks.New, lineworksfake.Demo, func() http.Handler { return lineworksfake.New() }),
	"log":         plugin(func(c logsink.Config, d vendorkit.Deps) (*logsink.Sink, error) { return logsink.New(c, d.Log), nil }, nil, nil),
	"superoffice": plugin(superoffice.New, superofficefake.Demo, func() http.Handler { return superofficefake.New() }),
	"therefore":   plugin(thereforerest.New, thereforefake.Demo, func() http.Handler { return thereforefake.New() }),
	"webhook":     plugin(webhook.New, webhookfake.Demo, func() http.Handler { return webhookfake.New() }),
}

// Debugger is implemented by vendors and fakes whose state
// /debug/vendors/<name> shows.
type Debugger interface{ DebugState() any }

// Set is the built vendors: targets for the engine, the fakes started for
// them, and what /debug shows.
type Set struct {
	Targets []fanout.Target
	Debug   map[string]Debugger
	fakes   []*http.Server
}

// Close stops the in-process fakes.
func (s *Set) Close() {
	for _, f := range s.fakes {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = f.Shutdown(ctx)
		cancel()
	}
}

// builder makes one vendor from its config section; config returns its
// config struct with defaults, for the configuration reference.
type builder struct {
	build  func(c *config.Config, name string, d vendorkit.Deps, set *Set) (fanout.Target, error)
	config func() any
}

// Configs returns each vendor's config struct, defaults applied, by
// vendor name: the keys a `vendors.<name>` section takes.
func Configs() map[string]any {
	m := make(map[string]any, len(registry))
	for name, b := range registry {
		m[name] = b.config()
	}
	return m
}

// configOf is what every vendor config offers.
type configOf[C any] interface {
	*C
	Defaults()
	Check() error
	Targeting() fanout.TargetConfig
	SetTargeting(fanout.TargetConfig)
}

// plugin adapts a vendor package's New, Demo and fake constructor to the
// registry. demo and fake may be nil for a vendor without a fake.
func plugin[C any, PC configOf[C], V fanout.Vendor](newV func(C, vendorkit.Deps) (V, error), demo func(baseURL string) C, fake func() http.Handler) builder {
	build := func(c *config.Config, name string, d vendorkit.Deps, set *Set) (fanout.Target, error) {
		var vc C
		if err := c.DecodeVendor(name, PC(&vc)); err != nil {
			return fanout.Target{}, err
		}
		line := c.Vendors[name].Line
		if r, ok := any(PC(&vc)).(vendorkit.Renamed); ok {
			for _, rn := range r.Renamed() {
				d.Log.Warn("config key renamed; the old name still works, but use the new one",
					"file", c.Source, "line", line, "key", "vendors."+name+"."+rn.Old, "new_key", "vendors."+name+"."+rn.New)
			}
		}
		tc := PC(&vc).Targeting()
		if tc.Fake {
			if demo == nil || fake == nil {
				return fanout.Target{}, &config.Error{File: c.Source, Line: line, Field: "vendors." + name + ".fake", Msg: "this vendor has no fake"}
			}
			h := fake()
			url, srv, err := serveFake(h)
			if err != nil {
				return fanout.Target{}, err
			}
			set.fakes = append(set.fakes, srv)
			if dbg, ok := h.(Debugger); ok {
				set.Debug[name] = dbg
			}
			vc = demo(url)
			PC(&vc).SetTargeting(tc)
		}
		PC(&vc).Defaults()
		if err := PC(&vc).Check(); err != nil {
			return fanout.Target{}, &config.Error{File: c.Source, Line: line, Field: "vendors." + name, Msg: err.Error()}
		}
		v, err := newV(vc, d)
		if err != nil {
			return fanout.Target{}, &config.Error{File: c.Source, Line: line, Field: "vendors." + name, Msg: err.Error()}
		}
		if dbg, ok := any(v).(Debugger); ok && set.Debug[name] == nil {
			set.Debug[name] = dbg
		}
		spec := v.Spec()
		for _, op := range tc.Operations {
			if !spec.Handles(op) {
				return fanout.Target{}, &config.Error{File: c.Source, Line: line, Field: "vendors." + name + ".operations",
					Msg: fmt.Sprintf("%s does not handle %q; it handles %s", name, op, strings.Join(spec.Operations, ", "))}
			}
		}
		return tc.Target(v), nil
	}
	return builder{build: build, config: func() any {
		var vc C
		PC(&vc).Defaults()
		return &vc
	}}
}

func serveFake(h http.Handler) (string, *http.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("starting a vendor fake: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), srv, nil
}

// Build returns the vendors configured in c, in name order.
func Build(c *config.Config, d vendorkit.Deps) (*Set, error) {
	d = d.WithDefaults()
	names := make([]string, 0, len(c.Vendors))
	for name := range c.Vendors {
		names = append(names, name)
	}
	sort.Strings(names)
	set := &Set{Debug: map[string]Debugger{}}
	for _, name := range names {
		b, ok := registry[name]
		if !ok {
			n := c.Vendors[name]
			set.Close()
			return nil, &config.Error{File: c.Source, Line: n.Line, Field: "vendors." + name, Msg: fmt.Sprintf("unknown vendor; known: %s", known())}
		}
		t, err := b.build(c, name, d, set)
		if err != nil {
			set.Close()
			return nil, err
		}
		set.Targets = append(set.Targets, t)
	}
	return set, nil
}

func known() string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
