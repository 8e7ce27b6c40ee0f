package fanout

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Outcome is what happened at one vendor.
type Outcome struct {
	Vendor   string
	Required bool
	Result   Result // the last attempt's
	Attempts int
	Skipped  bool // not attempted: the call's deadline passed before its turn
	Latency  time.Duration
}

// State names an outcome as the fault detail does: ok, failed or skipped.
func (o Outcome) State() string {
	switch {
	case o.Skipped:
		return "skipped"
	case o.Result.Status == OK:
		return "ok"
	}
	return "failed"
}

// Observer receives what the engine does, for metrics.
type Observer interface {
	Attempt(vendor string, res Result, latency time.Duration)
	Retry(vendor string)
}

// Engine runs calls against its targets: one job per vendor, concurrently,
// each attempt under a timeout, retryable failures retried by Policy, the
// whole call under a deadline.
type Engine struct {
	Targets []Target
	Policy  Policy
	// AttemptTimeout bounds one attempt; Deadline bounds the whole call
	// (all attempts and waits). Zero means no bound of that kind.
	AttemptTimeout time.Duration
	Deadline       time.Duration
	// MaxConcurrency is the default per-vendor bound of calls in flight.
	MaxConcurrency int
	Log            *slog.Logger
	Observer       Observer

	once  sync.Once
	slots map[string]chan struct{}
}

func (e *Engine) init() {
	e.once.Do(func() {
		e.slots = map[string]chan struct{}{}
		for _, t := range e.Targets {
			n := t.MaxConcurrency
			if n == 0 {
				n = e.MaxConcurrency
			}
			if n > 0 {
				e.slots[t.Vendor.Name()] = make(chan struct{}, n)
			}
		}
		if e.Log == nil {
			e.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Dispatch delivers call to every target that receives its operation and
// reports whether every required one succeeded.
//
// The vendor calls are detached from ctx's cancellation: when the SOAP
// client goes away mid-call, stopping half-way would leave vendors in a
// state nobody is told about, so the calls run to their own deadline and a
// log line records that the client did not wait for the outcome.
func (e *Engine) Dispatch(ctx context.Context, call *Call) ([]Outcome, bool) {
	e.init()
	var targets []Target
	for _, t := range e.Targets {
		if len(t.Operations) == 0 || t.Operations[call.Operation] {
			targets = append(targets, t)
		}
	}
	work := context.WithoutCancel(ctx)
	if e.Deadline > 0 {
		var cancel context.CancelFunc
		work, cancel = context.WithTimeout(work, e.Deadline)
		defer cancel()
	}
	outcomes := make([]Outcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = e.run(work, t, call)
		}()
	}
	wg.Wait()
	ok := true
	for _, o := range outcomes {
		if o.Result.Status != OK && o.Required {
			ok = false
		}
	}
	if ctx.Err() != nil {
		e.Log.Warn("the SOAP client went away before the outcome; vendor calls were completed, not abandoned",
			"request_id", call.RequestID, "operation", call.Operation, "all_required_ok", ok, "outcomes", summary(outcomes))
	}
	return outcomes, ok
}

func summary(os []Outcome) map[string]string {
	m := make(map[string]string, len(os))
	for _, o := range os {
		m[o.Vendor] = o.State()
	}
	return m
}

// run makes the attempts for one vendor.
func (e *Engine) run(ctx context.Context, t Target, call *Call) (o Outcome) {
	name := t.Vendor.Name()
	o = Outcome{Vendor: name, Required: t.Required}
	start := time.Now()
	defer func() { o.Latency = time.Since(start) }()
	if slot := e.slots[name]; slot != nil {
		select {
		case slot <- struct{}{}:
			defer func() { <-slot }()
		case <-ctx.Done():
			o.Skipped = true
			o.Result = Result{Status: Retryable, Message: "not attempted: the call's deadline passed while waiting for a free " + name + " slot"}
			e.Log.Warn("vendor skipped", "request_id", call.RequestID, "operation", call.Operation, "vendor", name, "reason", "deadline while queued")
			return o
		}
	}
	for attempt := 1; ; attempt++ {
		res, latency := e.attempt(ctx, t.Vendor, call)
		o.Result, o.Attempts = res, attempt
		if e.Observer != nil {
			e.Observer.Attempt(name, res, latency)
		}
		level := slog.LevelInfo
		if res.Status != OK {
			level = slog.LevelWarn
		}
		e.Log.LogAttrs(ctx, level, "vendor call",
			slog.String("request_id", call.RequestID), slog.String("operation", call.Operation),
			slog.String("vendor", name), slog.Int("attempt", attempt), slog.String("outcome", res.Status.String()),
			slog.Int("vendor_status", res.VendorStatus), slog.String("message", res.Message),
			slog.Duration("latency", latency))
		if res.Status != Retryable || !e.Policy.again(attempt) {
			return o
		}
		wait := e.Policy.wait(attempt, res.RetryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Waiting would outlive the call: report the last failure now.
			e.Log.Warn("vendor retry abandoned", "request_id", call.RequestID, "vendor", name,
				"attempt", attempt, "wait", wait.String(), "reason", "the call's deadline comes first")
			return o
		}
		if e.Observer != nil {
			e.Observer.Retry(name)
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return o
		}
	}
}

func (e *Engine) attempt(ctx context.Context, v Vendor, call *Call) (Result, time.Duration) {
	if e.AttemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.AttemptTimeout)
		defer cancel()
	}
	start := time.Now()
	res := safeDeliver(ctx, v, call)
	return res, time.Since(start)
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
