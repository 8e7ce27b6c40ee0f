package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

// noAuth completes a test config: a config must say how callers
// authenticate. Appended at the end, it leaves the lines above unchanged.
const noAuth = "auth:\n  insecure_no_auth: true\n"

func TestDefault(t *testing.T) {
	c := config.Default() // panics if the embedded file is invalid
	tests := []struct {
		name      string
		got, want any
	}{
		{"Source", c.Source, config.DefaultName},
		{"Listen", c.Listen, "127.0.0.1:8080"},
		{"Endpoint", c.Endpoint, "/theservice/v0001/soapun"},
		{"Debug", c.Debug, true},
		{"Limits.MaxBodyBytes", c.Limits.MaxBodyBytes, int64(10 << 20)},
		{"Limits.MaxDepth", c.Limits.MaxDepth, 64},
		{"Limits.MaxElements", c.Limits.MaxElements, 2_000_000},
		{"Limits.MaxTextBytes", c.Limits.MaxTextBytes, 1 << 20},
		{"ShutdownTimeout", c.ShutdownTimeout.D(), 10 * time.Second},
		{"Limits.ReadTimeout", c.Limits.ReadTimeout.D(), 30 * time.Second},
		{"vendors", len(c.Vendors) > 0, true},
		{"Log.Level", c.Log.Level, "info"},
		{"Log.Format", c.Log.Format, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("Default().%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
	t.Run("vendors.log", func(t *testing.T) {
		var lc struct {
			Keep int `yaml:"keep"`
		}
		if err := c.DecodeVendor("log", &lc); err != nil {
			t.Fatalf("Default().DecodeVendor(log): %v", err)
		}
		if lc.Keep != 1000 {
			t.Errorf("Default() vendors.log.keep = %d, want 1000", lc.Keep)
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("listen: :9090\n"+noAuth), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("listen: :9090\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path       string
		wantListen string
		wantErr    string
	}{
		{name: "embedded default", path: "", wantListen: "127.0.0.1:8080"},
		{name: "file", path: good, wantListen: ":9090"},
		{name: "error names the file", path: bad, wantErr: bad + ":2: bogus: unknown field"},
		{name: "missing file", path: filepath.Join(dir, "nope.yaml"), wantErr: "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load(%q) error = %v, want one containing %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.path, err)
			}
			if c.Listen != tt.wantListen {
				t.Errorf("Load(%q).Listen = %q, want %q", tt.path, c.Listen, tt.wantListen)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *config.Config)
	}{
		{
			name: "empty file gets defaults",
			yaml: "",
			check: func(t *testing.T, c *config.Config) {
				if c.Listen != "127.0.0.1:8080" || c.Limits.MaxDepth != 64 || c.Fanout.VendorTimeout <= 0 {
					t.Errorf("got %+v, want the defaults", c)
				}
			},
		},
		{
			name: "comments only",
			yaml: "# nothing\n\n# here\n",
			check: func(t *testing.T, c *config.Config) {
				if c.Endpoint != "/theservice/v0001/soapun" {
					t.Errorf("Endpoint = %q, want the default", c.Endpoint)
				}
			},
		},
		{
			name: "every field",
			yaml: `listen: 0.0.0.0:8443
endpoint: /soap
shutdown_timeout: 1m30s
debug: false
limits:
  max_body_bytes: 2048
  max_depth: 16
  max_elements: 100
  max_text_bytes: 1024
  read_timeout: 1s
  write_timeout: 2s
  idle_timeout: 500ms
wsdl:
  trust_forwarded_headers: true
fanout:
  vendor_timeout: 3s
delivery:
  store: sqlite:/var/lib/tb/d.db
  apply_wait: 0s
  max_age: 1h
  dedupe_window: 1m
vendors: {}
`,
			check: func(t *testing.T, c *config.Config) {
				l := c.Limits
				if c.Listen != "0.0.0.0:8443" || c.Endpoint != "/soap" || c.ShutdownTimeout.D() != 90*time.Second || c.Debug ||
					l.MaxBodyBytes != 2048 || l.MaxDepth != 16 || l.MaxElements != 100 || l.MaxTextBytes != 1024 ||
					l.ReadTimeout.D() != time.Second || l.WriteTimeout.D() != 2*time.Second || l.IdleTimeout.D() != 500*time.Millisecond ||
					!c.WSDL.TrustForwardedHeaders || c.Fanout.VendorTimeout.D() != 3*time.Second ||
					c.Delivery.Store.DSN() != "sqlite:/var/lib/tb/d.db" || c.Delivery.ApplyWait.D() != 0 || c.Delivery.MaxAge.D() != time.Hour || c.Delivery.DedupeWindow.D() != time.Minute {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "zero means default",
			yaml: "shutdown_timeout: 0s\nlimits:\n  max_depth: 0\n",
			check: func(t *testing.T, c *config.Config) {
				if c.ShutdownTimeout.D() != 10*time.Second || c.Limits.MaxDepth != 64 {
					t.Errorf("ShutdownTimeout = %v, MaxDepth = %d; want the defaults", c.ShutdownTimeout.D(), c.Limits.MaxDepth)
				}
			},
		},
		{
			name: "null value means default",
			yaml: "shutdown_timeout:\nlimits:\n",
			check: func(t *testing.T, c *config.Config) {
				if c.ShutdownTimeout.D() != 10*time.Second {
					t.Errorf("ShutdownTimeout = %v, want the default", c.ShutdownTimeout.D())
				}
			},
		},
		{
			name: "explicit document start",
			yaml: "---\nlisten: :1\n",
			check: func(t *testing.T, c *config.Config) {
				if c.Listen != ":1" {
					t.Errorf("Listen = %q, want :1", c.Listen)
				}
			},
		},
		{
			name: "vendor sections kept for later",
			yaml: "vendors:\n  log:\n    keep: 3\n  other:\n    anything: [1, 2]\n",
			check: func(t *testing.T, c *config.Config) {
				if len(c.Vendors) != 2 || c.Vendors["log"].Line != 3 {
					t.Errorf("Vendors = %+v, want log (at line 3) and other", c.Vendors)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse([]byte(tt.yaml+noAuth), "test.yaml")
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.yaml+noAuth, err)
			}
			if c.Source != "test.yaml" {
				t.Errorf("Parse(%q).Source = %q, want test.yaml", tt.yaml, c.Source)
			}
			tt.check(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		raw  bool   // parse yaml as is, without noAuth appended
		want string // the whole message
	}{
		{
			name: "unknown top-level key",
			yaml: "listen: :8080\nbogus: 1\n",
			want: "test.yaml:2: bogus: unknown field",
		},
		{
			name: "unknown nested key",
			yaml: "listen: :8080\nlimits:\n  max_dept: 20\n",
			want: "test.yaml:3: limits.max_dept: unknown field",
		},
		{
			name: "unknown key in flow style",
			yaml: "limits: {max_depth: 20, maxdepth: 30}\n",
			want: "test.yaml:1: limits.maxdepth: unknown field",
		},
		{
			name: "unknown log level",
			yaml: "log:\n  level: verbose\n",
			want: `test.yaml:2: log.level: must be debug, info, warn or error, got "verbose"`,
		},
		{
			name: "tracing endpoint not a URL",
			yaml: "tracing:\n  endpoint: collector:4318\n",
			want: "test.yaml:2: tracing.endpoint: must be an http(s) URL such as http://127.0.0.1:4318",
		},
		{
			name: "tracing endpoint with a token",
			yaml: "tracing:\n  endpoint: https://c.example/?key=abc\n",
			want: "test.yaml:2: tracing.endpoint: must not carry credentials or a query; use tracing.headers",
		},
		{
			name: "tracing sample ratio",
			yaml: "tracing:\n  endpoint: http://127.0.0.1:4318\n  sample_ratio: 2\n",
			want: "test.yaml:3: tracing.sample_ratio: must be between 0 and 1, got 2",
		},
		{
			name: "tracing header literal",
			yaml: "tracing:\n  headers:\n    Authorization: Bearer abc\n",
			want: "test.yaml:3: tracing.headers.Authorization: a secret must be a reference, env:NAME or file:/path, not a literal value",
		},
		{
			name: "unknown log format",
			yaml: "log:\n  format: xml\n",
			want: `test.yaml:2: log.format: must be json or text, got "xml"`,
		},
		{
			name: "string for int",
			yaml: "limits:\n  max_depth: deep\n",
			want: "test.yaml:2: limits.max_depth: cannot unmarshal !!str `deep` into int",
		},
		{
			name: "string for bool",
			yaml: "debug: maybe\n",
			want: "test.yaml:1: debug: cannot unmarshal !!str `maybe` into bool",
		},
		{
			name: "map for string",
			yaml: "endpoint: /x\nlisten:\n  host: x\n",
			want: "test.yaml:3: listen: cannot unmarshal !!map into string",
		},
		{
			name: "list for map",
			yaml: "limits:\n  - 1\n",
			want: "test.yaml:2: limits: cannot unmarshal !!seq into config.Limits",
		},
		{
			name: "whole file is a list",
			yaml: "- listen\n",
			raw:  true,
			want: "test.yaml:1: cannot unmarshal !!seq into config.Config",
		},
		{
			name: "bad duration",
			yaml: "shutdown_timeout: soon\n",
			want: `test.yaml:1: shutdown_timeout: "soon" is not a duration (use e.g. 10s, 500ms)`,
		},
		{
			name: "duration without unit",
			yaml: "fanout:\n  # seconds\n  vendor_timeout: 10\n",
			want: `test.yaml:3: fanout.vendor_timeout: "10" is not a duration (use e.g. 10s, 500ms)`,
		},
		{
			name: "map for duration",
			yaml: "limits:\n  read_timeout:\n    s: 1\n",
			want: "test.yaml:3: limits.read_timeout: cannot unmarshal !!map into string",
		},
		{
			name: "negative duration",
			yaml: "limits:\n  read_timeout: -5s\n",
			want: "test.yaml:2: limits.read_timeout: must not be negative",
		},
		{
			name: "negative shutdown timeout",
			yaml: "shutdown_timeout: -1s\n",
			want: "test.yaml:1: shutdown_timeout: must not be negative",
		},
		{
			name: "endpoint without a leading slash",
			yaml: "listen: :8080\nendpoint: soap\n",
			want: `test.yaml:2: endpoint: must start with /, got "soap"`,
		},
		{
			name: "listen without a port",
			yaml: "listen: localhost\n",
			want: `test.yaml:1: listen: must be host:port, got "localhost"`,
		},
		{
			name: "max_depth 3",
			yaml: "limits:\n  max_body_bytes: 4096\n  max_depth: 3\n",
			want: "test.yaml:3: limits.max_depth: must be at least 16 (the contract nests 14 deep), got 3",
		},
		{
			name: "negative max_body_bytes",
			yaml: "limits:\n  max_body_bytes: -1\n",
			want: "test.yaml:2: limits.max_body_bytes: must be at least 1024, got -1",
		},
		{
			name: "max_elements too small",
			yaml: "limits: {max_elements: 10}\n",
			want: "test.yaml:1: limits.max_elements: must be at least 100, got 10",
		},
		{
			name: "max_text_bytes too small",
			yaml: "limits:\n  max_text_bytes: 10\n",
			want: "test.yaml:2: limits.max_text_bytes: must be at least 1024, got 10",
		},
		{
			name: "a value checked against another names its own line",
			yaml: "listen: :1\ndelivery:\n  rescue_after: 5s\n",
			want: "test.yaml:3: delivery.rescue_after: must exceed one job's longest run (fanout.vendor_timeout + 15s = 25s), got 5s",
		},
		{
			name: "a replaced key names its replacement",
			yaml: "fanout:\n  deadline: 30s\n",
			want: "test.yaml:2: fanout.deadline: is replaced: an accepted change is stored and retried until delivered or delivery.max_age; how long a call waits for first attempts is delivery.apply_wait",
		},
		{
			name: "max_attempts names its replacement",
			yaml: "fanout:\n  max_attempts: 4\n",
			want: "test.yaml:2: fanout.max_attempts: is replaced by delivery.max_age: a delivery is retried, with backoff, until it succeeds or is older than that",
		},
		{
			name: "a store of another kind",
			yaml: "delivery:\n  store: mysql://x\n",
			want: `test.yaml:2: delivery.store: must be sqlite:PATH or postgres://..., got "mysql://x"`,
		},
		{
			name: "postgres needs an encryption key",
			yaml: "delivery:\n  store: postgres://u:pw@db/tb\n",
			want: "test.yaml:1: delivery.encryption_key: required with a postgres store: SavePortalUser passwords are sealed with it (e.g. env:THEREFOREBRIDGE_STORE_KEY holding openssl rand -hex 32)",
		},
		{
			name: "replicas need postgres",
			yaml: "delivery:\n  store: sqlite:/x.db\n  replicas: 2\n",
			want: "test.yaml:3: delivery.replicas: replicas need a shared postgres:// store; a SQLite store belongs to one bridge",
		},
		{
			name: "a missing key names its list item",
			yaml: "identity:\n  users:\n    - therefore: {id: 1}\n    - email: a@example.com\n",
			want: "test.yaml:4: identity.users[1].therefore: set id, name (with domain) or caller",
		},
		{
			name: "an empty key in a list item",
			yaml: "identity:\n  groups:\n    - members: []\n      therefore: {}\n",
			want: "test.yaml:4: identity.groups[0].therefore: set id or name (with domain)",
		},
		{
			name: "duplicate key",
			yaml: "listen: :1\nendpoint: /x\nlisten: :2\n",
			want: `test.yaml:3: listen: mapping key "listen" already defined at line 1`,
		},
		{
			name: "two errors",
			yaml: "bogus: 1\nlimits:\n  max_depth: x\n",
			want: "test.yaml:1: bogus: unknown field\ntest.yaml:3: limits.max_depth: cannot unmarshal !!str `x` into int",
		},
		{
			name: "negative auth cache TTL",
			yaml: "auth:\n  insecure_no_auth: true\n  cache_ttl: -1s\n",
			raw:  true,
			want: "test.yaml:3: auth.cache_ttl: must be between 0s (off) and 24h, got -1s",
		},
		{
			name: "bodies in flight below one body",
			yaml: "auth:\n  insecure_no_auth: true\nlimits:\n  max_body_bytes: 2000000\n  max_inflight_body_bytes: 1000000\n",
			raw:  true,
			want: "test.yaml:5: limits.max_inflight_body_bytes: must be at least limits.max_body_bytes (2000000), got 1000000",
		},
		{
			name: "negative concurrent hashes",
			yaml: "auth:\n  insecure_no_auth: true\n  max_concurrent_hashes: -1\n",
			raw:  true,
			want: "test.yaml:3: auth.max_concurrent_hashes: must be between 1 and 1024, got -1",
		},
		{
			name: "hash wait too short",
			yaml: "auth:\n  insecure_no_auth: true\n  max_hash_wait: 1ms\n",
			raw:  true,
			want: "test.yaml:3: auth.max_hash_wait: must be between 10ms and 1m, got 1ms",
		},
		{
			name: "negative failure rate",
			yaml: "auth:\n  insecure_no_auth: true\n  failure_rate: -2\n",
			raw:  true,
			want: "test.yaml:3: auth.failure_rate: must be more than 0 (password checks per second per client address and user name), got -2",
		},
		{
			name: "second document",
			yaml: "listen: :1\n---\nlisten: :2\n",
			want: "test.yaml:3: a config file holds one YAML document; found a second",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.yaml
			if !tt.raw {
				src += noAuth
			}
			c, err := config.Parse([]byte(src), "test.yaml")
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %q", src, c, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.yaml, err, tt.want)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) error is a %T, want a *config.Error", tt.yaml, err)
			}
			if ce.File != "test.yaml" {
				t.Errorf("Parse(%q): Error.File = %q, want test.yaml", tt.yaml, ce.File)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // prefix: the file and the line
	}{
		// yaml.v3 names the line before the flow mapping here (it counts
		// the context mark from 0); the test pins only that a line is named.
		{name: "unclosed flow", yaml: "listen: :1\nlimits: {max_depth: 20\n", want: "test.yaml:"},
		{name: "tab indentation", yaml: "limits:\n\tmax_depth: 20\n", want: "test.yaml:2: "},
		{name: "bad indentation", yaml: "listen: :1\n  endpoint: /x\n", want: "test.yaml:2: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tt.yaml), "test.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) error = %v, want one starting %q", tt.yaml, err, tt.want)
			}
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Line == 0 {
				t.Errorf("Parse(%q) error %v (%T), want a *config.Error with a line", tt.yaml, err, err)
			}
			if strings.Contains(err.Error(), "yaml: ") {
				t.Errorf("Parse(%q) error %q still carries yaml's prefix", tt.yaml, err)
			}
		})
	}
}

func TestDecodeVendor(t *testing.T) {
	type tls struct {
		Insecure bool `yaml:"insecure"`
	}
	type vendor struct {
		Keep     int           `yaml:"keep"`
		URL      string        `yaml:"url"`
		TLS      tls           `yaml:"tls"`
		Password config.Secret `yaml:"password"`
	}
	head := "# a config\nlisten: :8080\n\nvendors:\n  other:\n    x: 1\n"
	tests := []struct {
		name    string
		section string // the vendors.log section, from line 7 of the file
		want    vendor
		wantErr string
	}{
		{
			name:    "ok",
			section: "  log:\n    keep: 5\n    url: http://x\n    tls:\n      insecure: true\n",
			want:    vendor{Keep: 5, URL: "http://x", TLS: tls{Insecure: true}},
		},
		{
			name:    "unknown key on the first line",
			section: "  log:\n    kept: 5\n",
			wantErr: "test.yaml:8: vendors.log.kept: unknown field",
		},
		{
			name:    "unknown key after a blank line and comments",
			section: "  log:\n    keep: 5\n\n    # the address\n    # of the sink\n    uri: http://x\n",
			wantErr: "test.yaml:12: vendors.log.uri: unknown field",
		},
		{
			name:    "unknown key after a multi-line string",
			section: "  log:\n    url: >-\n      http://a\n      /b\n    keep: 1\n    bogus: 2\n",
			wantErr: "test.yaml:12: vendors.log.bogus: unknown field",
		},
		{
			name:    "unknown nested key",
			section: "  log:\n    tls:\n\n      insecure: true\n      verify: false\n",
			wantErr: "test.yaml:11: vendors.log.tls.verify: unknown field",
		},
		{
			name:    "wrong type",
			section: "  log:\n    # how many\n    keep: many\n",
			wantErr: "test.yaml:9: vendors.log.keep: cannot unmarshal !!str `many` into int",
		},
		{
			name:    "flow style",
			section: "  log: {keep: 1, bogus: 2}\n",
			wantErr: "test.yaml:7: vendors.log.bogus: unknown field",
		},
		{
			name:    "literal secret",
			section: "  log:\n    keep: 1\n\n    password: hunter2\n",
			wantErr: "test.yaml:10: vendors.log.password: a secret must be a reference, env:NAME or file:/path, not a literal value",
		},
		{
			name:    "section is not a map",
			section: "  log: [1, 2]\n",
			wantErr: "test.yaml:7: vendors.log: cannot unmarshal !!seq into config_test.vendor",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + tt.section + noAuth
			c, err := config.Parse([]byte(src), "test.yaml")
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, src)
			}
			var got vendor
			err = c.DecodeVendor("log", &got)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("DecodeVendor(log) = %+v, want error %q\n%s", got, tt.wantErr, src)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("DecodeVendor(log) error\n got: %s\nwant: %s\nfile:\n%s", err, tt.wantErr, numbered(src))
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("DecodeVendor(log) error %q shows the secret", err)
				}
				var ce *config.Error
				if !errors.As(err, &ce) || ce.File != "test.yaml" {
					t.Errorf("DecodeVendor(log) error %v (%T), want a *config.Error in test.yaml", err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeVendor(log): %v", err)
			}
			if got != tt.want {
				t.Errorf("DecodeVendor(log) = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeVendorAbsent(t *testing.T) {
	c, err := config.Parse([]byte("vendors:\n  log:\n    keep: 1\n"+noAuth), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := struct {
		Keep int `yaml:"keep"`
	}{Keep: 7}
	if err := c.DecodeVendor("grommunio", &v); err != nil || v.Keep != 7 {
		t.Errorf("DecodeVendor(absent) = %+v, %v; want the value untouched and no error", v, err)
	}
}

// TestDecodeVendorUnknownKeyLine: a Config from
// Parse, an unknown key inside vendors.log, and the absolute line.
func TestDecodeVendorUnknownKeyLine(t *testing.T) {
	src := "listen: 127.0.0.1:8080\nvendors:\n  log:\n    keep: 10\n    kep: 20\n" + noAuth
	c, err := config.Parse([]byte(src), "bridge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = c.DecodeVendor("log", &struct {
		Keep int `yaml:"keep"`
	}{})
	if err == nil || err.Error() != "bridge.yaml:5: vendors.log.kep: unknown field" {
		t.Errorf("DecodeVendor(log) error = %v, want %q", err, "bridge.yaml:5: vendors.log.kep: unknown field")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  config.Error
		want string
	}{
		{name: "all", err: config.Error{File: "a.yaml", Line: 3, Field: "limits.max_depth", Msg: "too small"}, want: "a.yaml:3: limits.max_depth: too small"},
		{name: "no line", err: config.Error{File: "a.yaml", Field: "listen", Msg: "bad"}, want: "a.yaml: listen: bad"},
		{name: "no field", err: config.Error{File: "a.yaml", Line: 2, Msg: "bad"}, want: "a.yaml:2: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}

// FuzzParse: any bytes give a Config or an error that is a *config.Error
// (one per problem), never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "listen: :1\n", "bogus: 1\n", "limits:\n  max_depth: x\n", "limits: {max_depth: 3}\n",
		"shutdown_timeout: soon\n", "- a\n", "a: 1\n---\nb: 2\n", "listen: [\n", "identity:\n  users:\n    - {}\n",
		"vendors:\n  log:\n    keep: 1\n    bogus: 2\n", "x: &a 1\ny: *a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := config.Parse(b, "f.yaml")
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != "f.yaml" {
				t.Fatalf("Parse(%q) error %q (%T), want a *config.Error in f.yaml", b, err, err)
			}
			return
		}
		for name := range c.Vendors {
			var v struct {
				Keep int `yaml:"keep"`
			}
			if err := c.DecodeVendor(name, &v); err != nil {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("DecodeVendor(%q) of %q: error %q (%T), want a *config.Error", name, b, err, err)
				}
			}
		}
	})
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://bridge:s3cret@db/tb": "postgres://bridge:***@db/tb",
		"postgres://db/tb":               "postgres://db/tb",
		"cannot connect: host=db user=bridge password=s3cret dbname=tb": "cannot connect: host=db user=bridge password=*** dbname=tb",
		"postgres://db/tb?sslmode=require&password=s3cret":              "postgres://db/tb?sslmode=require&password=***",
	} {
		if got := config.RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
