// Package logsink is the simplest vendor: it records each decoded call as
// JSON, in the log at debug level (secrets masked) and in memory (for the
// debug endpoint and the real-client tests, which compare what a client
// sent with what the bridge decoded). It is the first fan-out sink and the
// model for the rest.
//
// It costs next to nothing unless something reads what it records: the
// JSON is made when a debug line is written or when the kept calls are
// read, never on the call's path otherwise.
package logsink

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/redact"
)

// Config is the log vendor's configuration.
type Config struct {
	fanout.TargetConfig `yaml:",inline"`
	// Keep is how many calls are kept in memory for /debug; 0 keeps none
	// (the log line is still written); unset means 100.
	Keep *int `yaml:"keep"`
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.Keep == nil {
		n := 100
		c.Keep = &n
	}
}

// Check validates c.
func (c *Config) Check() error {
	if c.Keep != nil && (*c.Keep < 0 || *c.Keep > 100000) {
		return fmt.Errorf("keep: must be between 0 and 100000, got %d", *c.Keep)
	}
	return nil
}

// maxLoggedParams is the largest parameter JSON written into a log line.
const maxLoggedParams = 16 << 10

// Record is one recorded call.
type Record struct {
	RequestID string          `json:"request_id"`
	Operation string          `json:"operation"`
	Params    json.RawMessage `json:"params"`
}

// Sink is the log vendor.
type Sink struct {
	log  *slog.Logger
	keep int

	mu    sync.Mutex
	calls []kept
}

// kept is a call as delivered; its JSON is made when it is read. The
// parameters are the decoded call's, which nothing changes once it is
// dispatched.
type kept struct {
	requestID, operation string
	params               any
}

// New returns a Sink.
func New(c Config, log *slog.Logger) *Sink {
	c.Defaults()
	return &Sink{log: log, keep: *c.Keep}
}

// Name implements fanout.Vendor.
func (s *Sink) Name() string { return "log" }

// Spec implements fanout.Vendor: every decoded call, in order, as it is
// accepted. What the sink keeps is in memory, so its deliveries are not
// stored: after a crash there would be nobody to redeliver them to.
func (s *Sink) Spec() fanout.Spec {
	return fanout.Spec{Operations: fanout.Operations, Events: true, Key: fanout.ByCall, InProcess: true}
}

// Deliver implements fanout.Vendor.
func (s *Sink) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	if s.log != nil && s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "decoded call", slog.String("vendor", "log"), slog.String("request_id", call.RequestID),
			slog.String("operation", call.Operation), slog.Any("params", maskedParams{call.Params}))
	}
	if s.keep > 0 {
		s.mu.Lock()
		s.calls = append(s.calls, kept{call.RequestID, call.Operation, call.Params})
		if len(s.calls) > s.keep {
			s.calls = append(s.calls[:0:0], s.calls[len(s.calls)-s.keep:]...)
		}
		s.mu.Unlock()
	}
	return fanout.Result{Status: fanout.OK}
}

// maskedParams is the parameters as they appear in a log line: JSON with
// secrets masked, made only when the line is written. A 10,000-item
// SavePortalUser is megabytes of JSON: lines carry the parameters only
// when they are of a readable size, and their size otherwise.
type maskedParams struct{ params any }

// LogValue implements slog.LogValuer.
func (m maskedParams) LogValue() slog.Value {
	full, err := json.Marshal(m.params)
	if err != nil {
		return slog.StringValue("cannot encode the call as JSON: " + err.Error())
	}
	if len(full) > maxLoggedParams {
		return slog.StringValue(fmt.Sprintf("%d bytes of JSON, too large to log", len(full)))
	}
	masked, err := redact.JSON(json.RawMessage(full))
	if err != nil {
		return slog.StringValue("cannot encode the call as JSON: " + err.Error())
	}
	return slog.AnyValue(masked)
}

// DebugState returns the recorded calls for /debug/vendors/log.
func (s *Sink) DebugState() any { return s.Calls() }

// Calls returns the recorded calls, oldest first, their parameters
// encoded as JSON now.
func (s *Sink) Calls() []Record {
	s.mu.Lock()
	calls := append([]kept(nil), s.calls...)
	s.mu.Unlock()
	out := make([]Record, len(calls))
	for i, c := range calls {
		out[i] = Record{RequestID: c.requestID, Operation: c.operation}
		full, err := json.Marshal(c.params)
		if err != nil {
			full, _ = json.Marshal(map[string]string{"error": "cannot encode the call as JSON: " + err.Error()})
		}
		out[i].Params = full
	}
	return out
}
