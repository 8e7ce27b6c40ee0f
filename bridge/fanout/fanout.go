// Package fanout is the contract between the delivery engine and the vendor
// adapters. A vendor declares what it handles and how it keys a subject
// (Spec), and applies one desired state for one subject (Deliver), answering
// with a classification (Result): done, retry (with an optional
// Retry-After), or permanent. The engine alone stores, orders, folds,
// retries and logs; adapters stay small, in the style of alertmanager's
// notifiers.
package fanout

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/jsonw"
	"github.com/thereforebridge/thereforebridge/generated"
)

// The operations a vendor can handle, named as in Therefore's contract.
const (
	SaveOutOfOfficeInfoForUser = "SaveOutOfOfficeInfoForUser"
	SavePortalUser             = "SavePortalUser"
)

// Operations lists every operation a vendor may declare.
var Operations = []string{SaveOutOfOfficeInfoForUser, SavePortalUser}

// Call is one desired state for one subject at one vendor: what the engine
// asks an adapter to apply. For a state target it is the fold of every
// change still pending for the subject; for an event stream it is one
// change as it was made.
type Call struct {
	// ChangeID is the stable id of the newest change in this call: the
	// webhook's event id, the same on every redelivery.
	ChangeID  string
	RequestID string // of the SOAP call that made that change
	Operation string // SaveOutOfOfficeInfoForUser or SavePortalUser
	// Params is the operation's parameters (*generated.<Operation>Params,
	// never nil). For a folded out-of-office call they are rebuilt from
	// OutOfOffice, so they say exactly what OutOfOffice says.
	Params any
	// ParamsJSON is Params as MarshalJSON encodes them, when the engine
	// has them at hand (nil otherwise): a vendor that sends Params as
	// JSON sends these bytes rather than encoding Params again, which
	// for a large SavePortalUser is megabytes.
	ParamsJSON []byte
	// OutOfOffice is what a SaveOutOfOfficeInfoForUser asks for, with
	// Therefore's rules applied; its User is the subject this call is for
	// (a group's member when the vendor keys by person). Nil for other
	// operations.
	OutOfOffice *intent.OutOfOffice
	// Attempt counts the attempts at this subject's pending state, from 1.
	Attempt int
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

// KeyBy says how a vendor keys the subject of a change; deliveries for one
// key are applied one at a time and in order.
type KeyBy int

// Keyings.
const (
	// ByPerson keys by the directory person a call names, however it
	// names them (id, name, or the connected caller); a group is expanded
	// into one subject per member.
	ByPerson KeyBy = iota
	// ByCall keys by the subject as the call named it; a group stays one
	// subject (an event stream reports the call as it was made).
	ByCall
)

// Spec is what a vendor declares to the engine.
type Spec struct {
	// Operations the vendor handles; the engine never asks it for others.
	Operations []string
	// Events makes the vendor an event stream: it receives every change,
	// in order, unfolded. Otherwise it is a state target: a newer change
	// for a key folds into the pending one (fields last writer wins, a
	// nil field never overwrites, delegate changes compose in call order)
	// and only the latest state is applied.
	Events bool
	Key    KeyBy
	// InProcess marks a vendor whose state is this process's memory (the
	// log sink). It is given each accepted change as the call is
	// accepted, and its deliveries are never stored or retried: a store
	// outlives a crash, which that memory does not, so a redelivery would
	// only repeat old calls to a fresh process.
	InProcess bool
}

// Handles reports whether s declares op.
func (s Spec) Handles(op string) bool {
	for _, o := range s.Operations {
		if o == op {
			return true
		}
	}
	return false
}

// Vendor is the whole contract of an integration.
type Vendor interface {
	Name() string
	Spec() Spec
	// Deliver applies call once; the engine decides about retries.
	Deliver(ctx context.Context, call *Call) Result
}

// Target is a vendor with its place in the fan-out.
type Target struct {
	Vendor   Vendor
	Required bool // when false, a failure is logged but does not fail the call
	// Operations it receives: its Spec's, narrowed by the configuration.
	Operations map[string]bool
	// MaxConcurrency bounds the deliveries in flight to this vendor from
	// this process, so that a burst cannot trip the vendor's rate limit;
	// 0 means the engine's default.
	MaxConcurrency int
}

// Receives reports whether t receives op: one of t.Operations, or of what
// its vendor handles when t lists none.
func (t Target) Receives(op string) bool {
	if len(t.Operations) == 0 {
		return t.Vendor.Spec().Handles(op)
	}
	return t.Operations[op]
}

// TargetConfig is the part of every vendor's configuration that places it
// in the fan-out; vendor config structs inline it.
type TargetConfig struct {
	// Required makes the SOAP call fail when this vendor fails permanently
	// within delivery.apply_wait; default true.
	Required *bool `yaml:"required"`
	// Operations this vendor receives, among those it handles; empty
	// means all it handles.
	Operations []string `yaml:"operations"`
	// Fake runs the vendor's faithful fake in-process and talks to it with
	// demo credentials instead of the settings below it (make run, demos).
	Fake bool `yaml:"fake"`
	// MaxConcurrency bounds this vendor's deliveries in flight (0: the
	// default, fanout.max_concurrency_per_vendor).
	MaxConcurrency int `yaml:"max_concurrency"`
}

// Targeting returns c; vendor configs inline TargetConfig and so have it.
func (c TargetConfig) Targeting() TargetConfig { return c }

// SetTargeting replaces c (a demo config keeps the file's targeting).
func (c *TargetConfig) SetTargeting(t TargetConfig) { *c = t }

// Target returns the Target for v under c: the operations v declares,
// narrowed to those c lists.
func (c TargetConfig) Target(v Vendor) Target {
	t := Target{Vendor: v, Required: c.Required == nil || *c.Required, MaxConcurrency: c.MaxConcurrency, Operations: map[string]bool{}}
	spec := v.Spec()
	for _, op := range spec.Operations {
		t.Operations[op] = len(c.Operations) == 0
	}
	for _, op := range c.Operations {
		if spec.Handles(op) {
			t.Operations[op] = true
		}
	}
	for op, on := range t.Operations {
		if !on {
			delete(t.Operations, op)
		}
	}
	return t
}

// MarshalJSON is encoding/json's encoding of v without HTML escaping
// (what vendors are sent is not HTML), as jsonw writes it: the encoding
// of Call.ParamsJSON.
func MarshalJSON(v any) ([]byte, error) { return AppendJSON(nil, v, 0) }

// AppendJSON appends MarshalJSON(v) to dst, growing it at most once, to
// hold the encoding and reserve bytes more: the encoding of megabytes of
// parameters goes where it is kept (the store's row, behind the change's
// head) with no slack, and nothing of it stays reachable after the call
// (encoding/json's own pooled buffer would, at twice its size).
func AppendJSON(dst []byte, v any, reserve int) ([]byte, error) {
	sp := scratch.Get().(*[]byte)
	b, err := jsonw.Append((*sp)[:0], v)
	if err == nil {
		if need := len(dst) + len(b); need > cap(dst) {
			dst = append(make([]byte, 0, need+reserve), dst...)
		}
		dst = append(dst, b...)
	}
	if cap(b) <= maxScratch {
		*sp = b
		scratch.Put(sp)
	}
	return dst, err
}

// scratch holds AppendJSON's encodings until they are copied out; a
// buffer grown past maxScratch (a large call's) is left to the collector.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 64 << 10

// trailingString finds, in raw, a MarshalJSON encoding whose last member
// is member, a string equal to old, closed by the braces of the objects
// that end with it: raw[start:end] is that string's encoding. ok is false
// when raw does not end so. A SavePortalUser's UserPwd (the last member
// of PortalUser, itself the last of the parameters) is replaced this way
// in megabytes of parameters without encoding them again.
func trailingString(raw []byte, member, old string) (start, end int, ok bool) {
	end = len(raw)
	for end > 0 && raw[end-1] == '}' {
		end--
	}
	if end == len(raw) {
		return 0, 0, false
	}
	o, err := MarshalJSON(old)
	if err != nil {
		return 0, 0, false
	}
	k, _ := MarshalJSON(member)
	tail := slices.Concat(k, []byte(":"), o)
	if !bytes.HasSuffix(raw[:end], tail) {
		return 0, 0, false
	}
	if s := end - len(tail); s == 0 || raw[s-1] != ',' && raw[s-1] != '{' {
		return 0, 0, false // member is a string's tail, not a member
	}
	return end - len(o), end, true
}

// AppendPortalPasswordJSON appends to dst MarshalJSON of p with its
// PortalUser's UserPwd (set) replaced by pwd: from raw, p's own
// MarshalJSON encoding when the caller has it, with the password replaced
// as it is copied, else from p copied and encoded. The store seals the
// password this way, the webhook masks it.
func AppendPortalPasswordJSON(dst []byte, p *generated.SavePortalUserParams, raw []byte, pwd string) ([]byte, error) {
	if start, end, ok := trailingString(raw, "UserPwd", *p.PortalUser.UserPwd); ok {
		r, err := MarshalJSON(pwd)
		if err != nil {
			return dst, err
		}
		dst = slices.Grow(dst, len(raw)-(end-start)+len(r))
		return append(append(append(dst, raw[:start]...), r...), raw[end:]...), nil
	}
	// Copies: p is shared with the other vendors.
	c, u := *p, *p.PortalUser
	u.UserPwd = &pwd
	c.PortalUser = &u
	return AppendJSON(dst, &c, 0)
}
