// Package config reads the bridge's one YAML file, strictly: an unknown key
// or a wrong type is an error naming the file, the line and the field. It
// fills defaults and checks every value once, at start-up, so that nothing
// later has to. With no file, the embedded default (default.yaml) is used.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultName is how the embedded default names itself in errors.
const DefaultName = "embedded default.yaml"

// Config is the whole configuration.
type Config struct {
	// Listen is the host:port the bridge serves on (serve -listen
	// overrides it).
	Listen string `yaml:"listen"`
	// Endpoint is the path of the SOAP endpoint, Therefore's own by
	// default, so clients change only the host; it matches in any letter
	// case, as Therefore's does.
	Endpoint string `yaml:"endpoint"`
	// ShutdownTimeout is how long SIGTERM waits for calls in flight.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	Debug           bool     `yaml:"debug"` // serves /debug/... (vendor state); never on a public address
	// DebugListen, when set, serves net/http/pprof on its own address
	// (e.g. 127.0.0.1:6060) for profiling under load; off by default.
	DebugListen string   `yaml:"debug_listen"`
	Limits      Limits   `yaml:"limits"`
	WSDL        WSDL     `yaml:"wsdl"`
	Fanout      Fanout   `yaml:"fanout"`
	Delivery    Delivery `yaml:"delivery"`
	Identity    Identity `yaml:"identity"`
	Auth        Auth     `yaml:"auth"`
	TLS         TLS      `yaml:"tls"`
	Admin       Admin    `yaml:"admin"`
	Upstream    Upstream `yaml:"upstream"`
	Decode      Decode   `yaml:"decode"`
	Log         Log      `yaml:"log"`
	Tracing     Tracing  `yaml:"tracing"`
	// Vendors are the REST systems each call is carried to, by name; each
	// takes the keys of its own section below.
	Vendors map[string]yaml.Node `yaml:"vendors"`

	// Source is where the config came from, for messages.
	Source string `yaml:"-"`

	tree *yaml.Node // the parsed file, to name the line of a field in errors
}

// Limits bound what one request may cost.
type Limits struct {
	// MaxBodyBytes bounds a request body, after gzip decompression. The
	// buffer of a body of 1 MiB or more is kept for the next large one
	// once its call is done, so a bridge that has taken a large call
	// holds up to this much more memory from then on.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxDepth bounds how deep the XML nests.
	MaxDepth int `yaml:"max_depth"`
	// MaxElements bounds the elements of one message.
	MaxElements int `yaml:"max_elements"`
	// MaxTextBytes bounds one text node or attribute value.
	MaxTextBytes int `yaml:"max_text_bytes"`
	// MaxAttributes bounds the attributes of one element.
	MaxAttributes int `yaml:"max_attributes"`
	// MaxConcurrent bounds SOAP calls handled at once; more get a Server
	// fault with HTTP 503 at once instead of queueing without bound.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxInflightBodyBytes bounds the bodies of the SOAP calls handled at
	// once, together: a call whose body would pass it waits, its body not
	// yet read, for others to finish (up to 15s, or half read_timeout),
	// then gets a Server fault
	// with HTTP 503 (a call alone always fits). A call holds
	// several times its body in memory while it is decoded, stored and
	// delivered, so this bounds the memory large calls take together
	// (max_concurrent bounds their number, whatever their size).
	// Calls passed through to an upstream stream their bodies and do not
	// count.
	MaxInflightBodyBytes int64 `yaml:"max_inflight_body_bytes"`
	// PerCallerRate bounds each caller's calls per second (burst:
	// PerCallerBurst); an unauthenticated caller is its IP address. 0: off.
	PerCallerRate  float64  `yaml:"per_caller_rate"`
	PerCallerBurst int      `yaml:"per_caller_burst"`
	HeaderTimeout  Duration `yaml:"header_timeout"` // to read a request's headers (slow clients)
	ReadTimeout    Duration `yaml:"read_timeout"`   // to read a whole request
	WriteTimeout   Duration `yaml:"write_timeout"`  // from the end of the request to the end of the answer
	IdleTimeout    Duration `yaml:"idle_timeout"`   // a kept-alive connection with no request
}

// WSDL configures ?wsdl serving.
type WSDL struct {
	// TrustForwardedHeaders makes the served address follow
	// X-Forwarded-Proto and X-Forwarded-Host; only behind a proxy you run.
	TrustForwardedHeaders bool `yaml:"trust_forwarded_headers"`
}

// Fanout configures the attempts at vendors.
type Fanout struct {
	VendorTimeout  Duration `yaml:"vendor_timeout"`  // one attempt at one vendor; default 10s
	InitialBackoff Duration `yaml:"initial_backoff"` // backoff ceiling after the first failure; default 200ms
	MaxBackoff     Duration `yaml:"max_backoff"`     // the longest wait between attempts; default 5m
	// Deadline and MaxAttempts are replaced by the delivery settings; set,
	// they are an error naming their replacement.
	Deadline    *Duration `yaml:"deadline"`
	MaxAttempts *int      `yaml:"max_attempts"`
	// MaxConcurrencyPerVendor bounds the calls in flight to one vendor.
	MaxConcurrencyPerVendor int `yaml:"max_concurrency_per_vendor"`
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 10s, 500ms)", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Load reads path, or the embedded default when path is empty.
func Load(path string) (*Config, error) {
	if path == "" {
		return Parse(defaultYAML, DefaultName)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(b, path)
}

// Default returns the embedded default configuration.
func Default() *Config {
	c, err := Parse(defaultYAML, DefaultName)
	if err != nil {
		panic("config: the embedded default is invalid: " + err.Error()) // caught by tests
	}
	return c
}

// Error is a configuration error at a place in a file.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return loc + ": " + e.Msg
}

// Parse reads a configuration from b; name is used in errors.
func Parse(b []byte, name string) (*Config, error) {
	c := Config{Source: name, tree: root(b)}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, locateAll(name, err, c.tree, "", nil)
	}
	if err := extraDocument(name, dec); err != nil {
		return nil, err
	}
	c.defaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Endpoint == "" {
		c.Endpoint = "/theservice/v0001/soapun"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = Duration(10 * time.Second)
	}
	l := &c.Limits
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = 10 << 20
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = 64
	}
	if l.MaxElements == 0 {
		l.MaxElements = 2_000_000
	}
	if l.MaxTextBytes == 0 {
		l.MaxTextBytes = 1 << 20
	}
	if l.MaxAttributes == 0 {
		l.MaxAttributes = 64
	}
	if l.MaxConcurrent == 0 {
		l.MaxConcurrent = 512
	}
	if l.MaxInflightBodyBytes == 0 {
		l.MaxInflightBodyBytes = max(128<<20, l.MaxBodyBytes)
	}
	if l.PerCallerRate > 0 && l.PerCallerBurst == 0 {
		l.PerCallerBurst = max(1, int(l.PerCallerRate))
	}
	if l.HeaderTimeout == 0 {
		l.HeaderTimeout = Duration(10 * time.Second)
	}
	if l.ReadTimeout == 0 {
		l.ReadTimeout = Duration(30 * time.Second)
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = Duration(60 * time.Second)
	}
	if l.IdleTimeout == 0 {
		l.IdleTimeout = Duration(120 * time.Second)
	}
	c.authDefaults()
	c.upstreamDefaults()
	c.logDefaults()
	c.tracingDefaults()
	f := &c.Fanout
	if f.VendorTimeout == 0 {
		f.VendorTimeout = Duration(10 * time.Second)
	}
	if f.InitialBackoff == 0 {
		f.InitialBackoff = Duration(200 * time.Millisecond)
	}
	if f.MaxBackoff == 0 {
		f.MaxBackoff = Duration(5 * time.Minute)
	}
	if f.MaxConcurrencyPerVendor == 0 {
		f.MaxConcurrencyPerVendor = 16
	}
	c.deliveryDefaults()
	c.adminDefaults()
}

func (c *Config) errf(field, format string, args ...any) error {
	return &Error{File: c.Source, Line: lineOf(c.tree, field), Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (c *Config) check() error {
	if !strings.HasPrefix(c.Endpoint, "/") {
		return c.errf("endpoint", "must start with /, got %q", c.Endpoint)
	}
	if c.DebugListen != "" {
		host, _, err := net.SplitHostPort(c.DebugListen)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return c.errf("debug_listen", "must be a loopback address such as 127.0.0.1:6060 (profiles reveal internals), got %q", c.DebugListen)
		}
	}
	if !strings.Contains(c.Listen, ":") {
		return c.errf("listen", "must be host:port, got %q", c.Listen)
	}
	if err := c.checkIdentity(); err != nil {
		return err
	}
	if err := c.checkAuth(); err != nil {
		return err
	}
	if err := c.checkTLS(); err != nil {
		return err
	}
	if err := c.checkDelivery(); err != nil {
		return err
	}
	if err := c.checkAdmin(); err != nil {
		return err
	}
	if err := c.checkUpstream(); err != nil {
		return err
	}
	if err := c.checkLog(); err != nil {
		return err
	}
	if err := c.checkTracing(); err != nil {
		return err
	}
	if c.Fanout.MaxConcurrencyPerVendor < 1 {
		return c.errf("fanout.max_concurrency_per_vendor", "must be at least 1, got %d", c.Fanout.MaxConcurrencyPerVendor)
	}
	l := c.Limits
	switch {
	case l.MaxBodyBytes < 1024:
		return c.errf("limits.max_body_bytes", "must be at least 1024, got %d", l.MaxBodyBytes)
	case l.MaxDepth < 16:
		return c.errf("limits.max_depth", "must be at least 16 (the contract nests 14 deep), got %d", l.MaxDepth)
	case l.MaxElements < 100:
		return c.errf("limits.max_elements", "must be at least 100, got %d", l.MaxElements)
	case l.MaxTextBytes < 1024:
		return c.errf("limits.max_text_bytes", "must be at least 1024, got %d", l.MaxTextBytes)
	case l.MaxAttributes < 8:
		return c.errf("limits.max_attributes", "must be at least 8, got %d", l.MaxAttributes)
	case l.MaxConcurrent < 1:
		return c.errf("limits.max_concurrent", "must be at least 1, got %d", l.MaxConcurrent)
	case l.MaxInflightBodyBytes < l.MaxBodyBytes:
		return c.errf("limits.max_inflight_body_bytes", "must be at least limits.max_body_bytes (%d), got %d", l.MaxBodyBytes, l.MaxInflightBodyBytes)
	case l.PerCallerRate < 0:
		return c.errf("limits.per_caller_rate", "must not be negative")
	}
	for _, d := range []struct {
		name string
		v    Duration
	}{{"shutdown_timeout", c.ShutdownTimeout}, {"limits.header_timeout", l.HeaderTimeout}, {"limits.read_timeout", l.ReadTimeout}, {"limits.write_timeout", l.WriteTimeout}, {"limits.idle_timeout", l.IdleTimeout}, {"fanout.vendor_timeout", c.Fanout.VendorTimeout}, {"fanout.initial_backoff", c.Fanout.InitialBackoff}, {"fanout.max_backoff", c.Fanout.MaxBackoff}} {
		if d.v < 0 {
			return c.errf(d.name, "must not be negative")
		}
	}
	return nil
}

// DecodeVendor decodes one vendor's section strictly into into; errors name
// the file, line and field.
func (c *Config) DecodeVendor(name string, into any) error {
	n, ok := c.Vendors[name]
	if !ok {
		return nil
	}
	// Node.Decode has no KnownFields switch: round-trip through a decoder.
	// Its lines are those of the re-marshalled text (no blank lines, moved
	// comments), so errors are mapped back through the node trees, which
	// have the same shape.
	b, err := yaml.Marshal(&n)
	if err != nil {
		return c.errf("vendors."+name, "%v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil && !errors.Is(err, io.EOF) {
		fileLine := func(addr []int) int {
			if orig := nodeAt(&n, addr); orig != nil {
				return orig.Line
			}
			return n.Line
		}
		return locateAll(c.Source, err, root(b), "vendors."+name, fileLine)
	}
	return nil
}
