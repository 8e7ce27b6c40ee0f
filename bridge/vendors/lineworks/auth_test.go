package lineworks_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

// otherKey is an RSA key the fake does not know.
func otherKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestTokenFailures(t *testing.T) {
	wrongKey := otherKey(t)
	cases := []struct {
		name   string
		opt    func(*Config)
		before func(*fake.Fake)
		want   fanout.Status
		code   int
		msg    string
	}{
		{name: "wrong client secret", opt: func(c *Config) { c.ClientSecret = config.NewSecret("not-the-secret") },
			want: fanout.Permanent, code: 401, msg: "token request: 401 invalid_client"},
		{name: "wrong client id", opt: func(c *Config) { c.ClientID = "someone-else" },
			want: fanout.Permanent, code: 401, msg: "invalid_client"},
		{name: "key the app does not have", opt: func(c *Config) { c.PrivateKey = config.NewSecret(wrongKey) },
			want: fanout.Permanent, code: 400, msg: "invalid_grant: The assertion's signature is invalid."},
		{name: "wrong service account", opt: func(c *Config) { c.ServiceAccount = "x.serviceaccount@example.com" },
			want: fanout.Permanent, code: 400, msg: "invalid_grant: The assertion's sub"},
		{name: "unknown scope", opt: func(c *Config) { c.Scope = "everything" },
			want: fanout.Permanent, code: 400, msg: "invalid_scope"},
		{name: "scope without statuses", opt: func(c *Config) { c.Scope = "bot" },
			want: fanout.Permanent, code: 403, msg: "403 FORBIDDEN"},
		{name: "token endpoint down", before: func(f *fake.Fake) { f.FailNextToken(1, 503) },
			want: fanout.Retryable, code: 503, msg: "token request: 503 server_error"},
		{name: "token endpoint drops the connection", before: func(f *fake.Fake) { f.DropConnections(1) },
			want: fanout.Retryable, msg: "token request: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*Config)
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			e := setup(t, nil, opts...)
			if tc.before != nil {
				tc.before(e.fake)
			}
			res := e.deliver(on(true))
			if res.Status != tc.want || res.VendorStatus != tc.code || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got %v %d %q, want %v %d containing %q", res.Status, res.VendorStatus, res.Message, tc.want, tc.code, tc.msg)
			}
			if n := len(e.fake.Statuses("jdoe@example.com")); n != 0 {
				t.Errorf("%d statuses, want none", n)
			}
		})
	}
}

func TestTokenLifecycle(t *testing.T) {
	t.Run("cached while valid", func(t *testing.T) {
		e := setup(t, nil)
		for _, c := range []*fanout.Call{on(true), on(false), on(true)} {
			if res := e.deliver(c); res.Status != fanout.OK {
				t.Fatalf("%v %s", res.Status, res.Message)
			}
		}
		if n := e.fake.TokenRequests(); n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
	})
	t.Run("expired token is renewed once on 401", func(t *testing.T) {
		e := setup(t, nil)
		e.deliver(on(true))
		e.fake.ExpireTokens()
		if res := e.deliver(on(false)); res.Status != fanout.OK {
			t.Fatalf("%v %s", res.Status, res.Message)
		}
		st := e.fake.State()
		if st.TokenRequests != 2 || st.Unauthorized != 1 || len(st.Users[0].Statuses) != 0 {
			t.Errorf("token requests %d, 401s %d, statuses %d; want 2, 1, 0", st.TokenRequests, st.Unauthorized, len(st.Users[0].Statuses))
		}
	})
	t.Run("renewed before it expires", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.SetTokenLifetime(10 * time.Minute)
		e.deliver(on(true))
		e.clock.Advance(4 * time.Minute) // inside the token's life minus the 5m margin
		e.deliver(on(true))
		if n := e.fake.TokenRequests(); n != 1 {
			t.Errorf("%d token requests after 4m, want 1", n)
		}
		e.clock.Advance(2 * time.Minute) // within the margin: renew
		if res := e.deliver(on(false)); res.Status != fanout.OK {
			t.Fatalf("%v %s", res.Status, res.Message)
		}
		if st := e.fake.State(); st.TokenRequests != 2 || st.Unauthorized != 0 {
			t.Errorf("token requests %d, 401s %d; want 2, 0", st.TokenRequests, st.Unauthorized)
		}
	})
	t.Run("a second 401 is permanent", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNext(2, http.StatusUnauthorized)
		res := e.deliver(on(true))
		if res.Status != fanout.Permanent || res.VendorStatus != 401 || !strings.Contains(res.Message, "UNAUTHORIZED") {
			t.Errorf("got %v %d %q", res.Status, res.VendorStatus, res.Message)
		}
		if n := e.fake.TokenRequests(); n != 2 {
			t.Errorf("%d token requests, want 2 (one renewal only)", n)
		}
	})
}

// TestTokenGolden records the token request: form fields, JWT header and
// claims (the signature is checked by the fake).
func TestTokenGolden(t *testing.T) {
	f := fake.New()
	var mu sync.Mutex
	var form url.Values
	recordToken := vendortest.Tap(f, func(r *http.Request, body []byte) {
		if r.URL.Path == fake.TokenPath {
			mu.Lock()
			form, _ = url.ParseQuery(string(body))
			mu.Unlock()
		}
	})
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	f.SetNow(now)
	a := vendortest.Setup(t, recordToken, fake.Demo, New, func(_ *Config, d *vendorkit.Deps) { d.Now = now }).Adapter
	if res := a.Deliver(context.Background(), on(true)); res.Status != fanout.OK {
		t.Fatalf("%v %s", res.Status, res.Message)
	}
	mu.Lock()
	defer mu.Unlock()
	parts := strings.Split(form.Get("assertion"), ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q is not a JWT", form.Get("assertion"))
	}
	decode := func(s string) json.RawMessage {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fields := map[string]string{}
	for k := range form {
		fields[k] = form.Get(k)
	}
	fields["assertion"] = "[RS256 JWT: jwt_header.jwt_claims.signature]"
	fields["client_secret"] = "[redacted]"
	got, err := json.MarshalIndent(map[string]any{"form": fields, "jwt_header": decode(parts[0]), "jwt_claims": decode(parts[1])}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(golden.Root(), "vendors", "lineworks", "token.json"), append(got, '\n'))
}

func TestRateLimit(t *testing.T) {
	t.Run("the fake's limit", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.SetRateLimit(1, time.Minute)
		e.deliver(on(true))
		e.clock.Advance(20 * time.Second)
		res := e.deliver(on(true))
		if res.Status != fanout.Retryable || res.VendorStatus != 429 || res.RetryAfter != 40*time.Second {
			t.Errorf("got %v %d after %v %q; want retryable 429 after 40s", res.Status, res.VendorStatus, res.RetryAfter, res.Message)
		}
		e.clock.Advance(40 * time.Second)
		if res := e.deliver(on(true)); res.Status != fanout.OK || len(e.fake.Statuses("jdoe@example.com")) != 1 {
			t.Errorf("after the reset: %v %q", res.Status, res.Message)
		}
	})
	t.Run("injected 429", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNext(1, http.StatusTooManyRequests)
		res := e.deliver(on(true))
		if res.Status != fanout.Retryable || res.RetryAfter != 7*time.Second || !strings.Contains(res.Message, "TOO_MANY_REQUESTS") {
			t.Errorf("got %v after %v %q", res.Status, res.RetryAfter, res.Message)
		}
	})
}

func TestTransport(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		e := setup(t, nil)
		e.deliver(on(false)) // holds a token now
		// net/http replays a GET that failed on a reused connection once,
		// on a new one: drop that one too.
		e.fake.DropConnections(2)
		if res := e.deliver(on(true)); res.Status != fanout.Retryable {
			t.Errorf("got %v %q", res.Status, res.Message)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e := setup(t, nil, func(c *Config) { c.Timeout = config.Duration(20 * time.Millisecond) })
		e.fake.Delay(300 * time.Millisecond)
		if res := e.deliver(on(true)); res.Status != fanout.Retryable || !strings.Contains(res.Message, "timed out") {
			t.Errorf("got %v %q", res.Status, res.Message)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		e := setup(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if res := e.a.Deliver(ctx, on(true)); res.Status != fanout.Retryable {
			t.Errorf("got %v %q", res.Status, res.Message)
		}
	})
}

// TestConcurrency: 100 parallel calls share one token request, and calls
// for one member never create a second status.
func TestConcurrency(t *testing.T) {
	e := setup(t, nil)
	users := []string{"jdoe", "asmith", "bwong"}
	var wg sync.WaitGroup
	results := make([]fanout.Result, 100)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.deliver(oofFor("CORP", users[i%3], "SingleUser", true))
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		if r.Status != fanout.OK {
			t.Fatalf("%v %s", r.Status, r.Message)
		}
		if r.Message == "status created" {
			created++
		}
	}
	if n := e.fake.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if created != 3 {
		t.Errorf("%d statuses created, want 3", created)
	}
	for _, u := range users {
		if n := len(e.fake.Statuses(u + "@example.com")); n != 1 {
			t.Errorf("%s has %d statuses, want 1", u, n)
		}
	}
}
