// Package logsink is the simplest vendor: it records each decoded call as
// JSON, in the log (secrets masked) and in memory (for the debug endpoint
// and the real-client tests, which compare what a client sent with what the
// bridge decoded). It is the first fan-out sink and the model for the rest.
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
	calls []Record
}

// New returns a Sink.
func New(c Config, log *slog.Logger) *Sink {
	c.Defaults()
	return &Sink{log: log, keep: *c.Keep}
}

// Name implements fanout.Vendor.
func (s *Sink) Name() string { return "log" }

// Spec implements fanout.Vendor: every decoded call, in order.
func (s *Sink) Spec() fanout.Spec {
	return fanout.Spec{Operations: fanout.Operations, Events: true, Key: fanout.ByCall}
}

// Deliver implements fanout.Vendor.
func (s *Sink) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	full, err := json.Marshal(call.Params)
	if err != nil {
		return fanout.Result{Status: fanout.Permanent, Message: "cannot encode the call as JSON: " + err.Error()}
	}
	if s.log != nil {
		attrs := []slog.Attr{slog.String("vendor", "log"), slog.String("request_id", call.RequestID),
			slog.String("operation", call.Operation), slog.Int("params_bytes", len(full))}
		// A 10,000-item SavePortalUser is megabytes of JSON: log lines carry
		// the (masked) parameters only when they are of a readable size.
		if len(full) <= maxLoggedParams {
			masked, err := redact.JSON(json.RawMessage(full))
			if err != nil {
				return fanout.Result{Status: fanout.Permanent, Message: "cannot encode the call as JSON: " + err.Error()}
			}
			attrs = append(attrs, slog.Any("params", masked))
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "decoded call", attrs...)
	}
	if s.keep > 0 {
		s.mu.Lock()
		s.calls = append(s.calls, Record{RequestID: call.RequestID, Operation: call.Operation, Params: full})
		if len(s.calls) > s.keep {
			s.calls = append(s.calls[:0:0], s.calls[len(s.calls)-s.keep:]...)
		}
		s.mu.Unlock()
	}
	return fanout.Result{Status: fanout.OK}
}

// DebugState returns the recorded calls for /debug/vendors/log.
func (s *Sink) DebugState() any { return s.Calls() }

// Calls returns the recorded calls, oldest first.
func (s *Sink) Calls() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.calls...)
}
