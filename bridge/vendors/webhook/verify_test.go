package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update is accepted
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

func TestSignKnownAnswer(t *testing.T) {
	// Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'key-of-sixteen-b'
	const want = "sha256=784063fa0e7c8fe4ad424eea010a42eeef36656a8716a7f72d8eba5bb0c1eca4"
	got := Sign("key-of-sixteen-b", "1700000000", []byte(`{"a":1}`))
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	const secret, body = "key-of-sixteen-b", `{"operation":"SavePortalUser"}`
	now := time.Unix(1700000000, 0)
	ts := "1700000000"
	sig := Sign(secret, ts, []byte(body))
	cases := []struct {
		name                 string
		secret, ts, body, sg string
		now                  time.Time
		tolerance            time.Duration
		want                 error
	}{
		{"valid", secret, ts, body, sig, now, time.Minute, nil},
		{"valid at the window's edge", secret, ts, body, sig, now.Add(time.Minute), time.Minute, nil},
		{"default window", secret, ts, body, sig, now.Add(4 * time.Minute), 0, nil},
		{"stale", secret, ts, body, sig, now.Add(61 * time.Second), time.Minute, ErrStale},
		{"from the future", secret, ts, body, sig, now.Add(-61 * time.Second), time.Minute, ErrStale},
		{"replayed with a new timestamp", secret, "1700000060", body, sig, now, time.Minute, ErrBadSignature},
		{"tampered body", secret, ts, body + " ", sig, now, time.Minute, ErrBadSignature},
		{"wrong secret", "another-secret-123", ts, body, sig, now, time.Minute, ErrBadSignature},
		{"no prefix", secret, ts, body, strings.TrimPrefix(sig, "sha256="), now, time.Minute, ErrBadSignature},
		{"not hex", secret, ts, body, "sha256=zz", now, time.Minute, ErrBadSignature},
		{"empty", secret, ts, body, "", now, time.Minute, ErrBadSignature},
		{"timestamp not a number", secret, "soon", body, Sign(secret, "soon", []byte(body)), now, time.Minute, ErrBadTimestamp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.ts, tc.body, tc.sg, tc.now, tc.tolerance)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	const secret = "signing-secret-of-some-length"
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"valid", func(*Config) {}, ""},
		{"relative URL", func(c *Config) { c.URL = "/events" }, "url: must be an absolute http(s) URL"},
		{"credentials in URL", func(c *Config) { c.URL = "https://u:p@hooks.example" }, "url: must hold no credentials"},
		{"no secret", func(c *Config) { c.Secret = config.Secret{} }, "secret: required, at least 16 bytes"},
		{"short secret", func(c *Config) { c.Secret = config.NewSecret("short") }, "secret: required, at least 16 bytes"},
		{"bad header", func(c *Config) { c.TimestampHeader = "X Time" }, "timestamp_header:"},
		{"body header", func(c *Config) { c.SignatureHeader = "content-type" }, "signature_header:"},
		{"same headers", func(c *Config) { c.SignatureHeader = "x-bridge-timestamp" }, "signature_header: must differ"},
		{"timeout", func(c *Config) { c.Timeout = config.Duration(-1) }, "timeout: must be between"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{URL: "http://127.0.0.1:1/events", Secret: config.NewSecret(secret)}
			tc.mutate(&c)
			vendortest.CheckConfig(t, &c, tc.want, secret)
		})
	}
}
