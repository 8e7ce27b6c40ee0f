package config

import (
	"net/url"
	"strings"
)

// Tracing configures OpenTelemetry traces, off unless Endpoint is set:
// one span per SOAP call and one per vendor attempt, exported over OTLP,
// and a traceparent header on every request to a vendor. Spans carry the
// operation, vendor, outcome and attempt number, never a credential.
// Changing this section needs a restart.
type Tracing struct {
	// Endpoint is the OTLP/HTTP collector's base URL, e.g.
	// http://127.0.0.1:4318 (traces go to its /v1/traces). Empty: off.
	Endpoint string `yaml:"endpoint"`
	// ServiceName is the service.name resource of every span.
	ServiceName string `yaml:"service_name"`
	// SampleRatio is the share of SOAP calls traced, from 0 to 1; a call
	// whose client sent a sampled traceparent is always traced.
	SampleRatio *float64 `yaml:"sample_ratio"`
	// Headers are sent with every export, e.g. Authorization for a
	// hosted collector; values are secrets (env: or file:).
	Headers map[string]Secret `yaml:"headers"`
}

// Enabled reports whether traces are exported.
func (t Tracing) Enabled() bool { return t.Endpoint != "" }

func (c *Config) tracingDefaults() {
	t := &c.Tracing
	if t.ServiceName == "" {
		t.ServiceName = "thereforebridge"
	}
	if t.SampleRatio == nil {
		one := 1.0
		t.SampleRatio = &one
	}
}

func (c *Config) checkTracing() error {
	t := c.Tracing
	if t.Endpoint != "" {
		u, err := url.Parse(t.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c.errf("tracing.endpoint", "must be an http(s) URL such as http://127.0.0.1:4318")
		}
		if u.User != nil || u.RawQuery != "" {
			return c.errf("tracing.endpoint", "must not carry credentials or a query; use tracing.headers")
		}
	}
	if r := *t.SampleRatio; r < 0 || r > 1 {
		return c.errf("tracing.sample_ratio", "must be between 0 and 1, got %v", r)
	}
	for k := range t.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return c.errf("tracing.headers", "%q is not an HTTP header name", k)
		}
	}
	return nil
}
