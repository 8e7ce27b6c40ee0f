// Package fanout carries one decoded SOAP call to every vendor configured
// for its operation, concurrently, and collects one outcome per vendor.
// Vendors are plugins behind the one-method Vendor interface; the engine
// owns deadlines and concurrency, so adapters stay small.
package fanout

import (
	"context"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/intent"
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
	// MaxConcurrency bounds the calls in flight to this vendor, so that a
	// burst of SOAP calls cannot trip the vendor's rate limit; 0 means the
	// engine's default.
	MaxConcurrency int
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
	// MaxConcurrency bounds this vendor's calls in flight (0: the default).
	MaxConcurrency int `yaml:"max_concurrency"`
}

// Targeting returns c; vendor configs inline TargetConfig and so have it.
func (c TargetConfig) Targeting() TargetConfig { return c }

// SetTargeting replaces c (a demo config keeps the file's targeting).
func (c *TargetConfig) SetTargeting(t TargetConfig) { *c = t }

// Target returns the Target for v under c.
func (c TargetConfig) Target(v Vendor) Target {
	t := Target{Vendor: v, Required: c.Required == nil || *c.Required, MaxConcurrency: c.MaxConcurrency}
	if len(c.Operations) > 0 {
		t.Operations = map[string]bool{}
		for _, op := range c.Operations {
			t.Operations[op] = true
		}
	}
	return t
}
