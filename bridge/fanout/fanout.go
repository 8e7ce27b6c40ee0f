// Package fanout carries one decoded SOAP call to every vendor configured
// for its operation, concurrently, and collects one outcome per vendor.
// Vendors are plugins behind the one-method Vendor interface; the engine
// owns deadlines and concurrency, so adapters stay small.
package fanout

import (
	"context"

	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"log/slog"
	"sync"
	"time"
)

// Call is one decoded operation on its way to the vendors.
type Call struct {
	RequestID string
	Operation string // SaveOutOfOfficeInfoForUser or SavePortalUser
	Params    any    // *generated.<Operation>Params, never nil
	// OutOfOffice is what a SaveOutOfOfficeInfoForUser asks for, with
	// Therefore's rules applied (nil for other operations).
	OutOfOffice *intent.OutOfOffice
}

// Status classifies a vendor's answer so the engine can decide what next.
type Status int

// Statuses.
const (
	OK        Status = iota // the change is applied
	Permanent               // failed; repeating the call will not help
	Retryable               // failed; the same call may succeed later
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Retryable:
		return "retryable"
	}
	return "permanent"
}

// Result is a vendor's answer to one Deliver.
type Result struct {
	Status       Status
	RetryAfter   time.Duration // a hint from the vendor, zero when none
	VendorStatus int           // the vendor's HTTP status, 0 when none
	Message      string        // the vendor's message; never holds a secret
}

// Vendor is the whole contract of an integration.
type Vendor interface {
	Name() string
	Deliver(ctx context.Context, call *Call) Result
}

// Target is a vendor with its place in the fan-out.
type Target struct {
	Vendor     Vendor
	Required   bool            // when false, a failure is logged but does not fail the call
	Operations map[string]bool // operations it receives; empty means all
}

// TargetConfig is the part of every vendor's configuration that places it
// in the fan-out; vendor config structs inline it.
type TargetConfig struct {
	// Required makes the SOAP call fail when this vendor fails; default true.
	Required *bool `yaml:"required"`
	// Operations this vendor receives; empty means both.
	Operations []string `yaml:"operations"`
	// Fake runs the vendor's faithful fake in-process and talks to it with
	// demo credentials instead of the settings below it (make run, demos).
	Fake bool `yaml:"fake"`
}

// Targeting returns c; vendor configs inline TargetConfig and so have it.
func (c TargetConfig) Targeting() TargetConfig { return c }

// SetTargeting replaces c (a demo config keeps the file's targeting).
func (c *TargetConfig) SetTargeting(t TargetConfig) { *c = t }

// Target returns the Target for v under c.
func (c TargetConfig) Target(v Vendor) Target {
	t := Target{Vendor: v, Required: c.Required == nil || *c.Required}
	if len(c.Operations) > 0 {
		t.Operations = map[string]bool{}
		for _, op := range c.Operations {
			t.Operations[op] = true
		}
	}
	return t
}

// Outcome is what happened at one vendor.
type Outcome struct {
	Vendor   string
	Required bool
	Result   Result
	Attempts int
	Latency  time.Duration
}

// Engine runs calls against its targets.
type Engine struct {
	Targets []Target
	Timeout time.Duration // per vendor; zero means the caller's context decides
	Log     *slog.Logger
}

// Dispatch delivers call to every target that receives its operation and
// reports whether every required one succeeded.
func (e *Engine) Dispatch(ctx context.Context, call *Call) ([]Outcome, bool) {
	var targets []Target
	for _, t := range e.Targets {
		if len(t.Operations) == 0 || t.Operations[call.Operation] {
			targets = append(targets, t)
		}
	}
	outcomes := make([]Outcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = e.deliver(ctx, t, call)
		}()
	}
	wg.Wait()
	ok := true
	for _, o := range outcomes {
		if o.Result.Status != OK && o.Required {
			ok = false
		}
	}
	return outcomes, ok
}

func (e *Engine) deliver(ctx context.Context, t Target, call *Call) Outcome {
	if e.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.Timeout)
		defer cancel()
	}
	start := time.Now()
	res := safeDeliver(ctx, t.Vendor, call)
	o := Outcome{Vendor: t.Vendor.Name(), Required: t.Required, Result: res, Attempts: 1, Latency: time.Since(start)}
	if e.Log != nil {
		level := slog.LevelInfo
		if res.Status != OK {
			level = slog.LevelWarn
		}
		e.Log.LogAttrs(ctx, level, "vendor call",
			slog.String("request_id", call.RequestID), slog.String("operation", call.Operation),
			slog.String("vendor", o.Vendor), slog.Int("attempt", 1), slog.String("outcome", res.Status.String()),
			slog.Int("vendor_status", res.VendorStatus), slog.Duration("latency", o.Latency))
	}
	return o
}

// safeDeliver turns a vendor's panic into a permanent failure, so one
// broken adapter cannot take the bridge down with the other vendors' calls.
func safeDeliver(ctx context.Context, v Vendor, call *Call) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			res = Result{Status: Permanent, Message: "the " + v.Name() + " adapter failed internally"}
		}
	}()
	return v.Deliver(ctx, call)
}
