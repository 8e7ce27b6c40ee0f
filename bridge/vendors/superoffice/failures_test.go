package superoffice_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	"github.com/thereforebridge/thereforebridge/generated"
)

func jdoeOn() *fanout.Call {
	return vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false))
}

func TestAuthFailures(t *testing.T) {
	tests := []struct {
		name    string
		mode    fake.AuthMode // the fake's
		edit    func(*superoffice.Config)
		message string
	}{
		{"basic: wrong password", fake.AuthBasic,
			func(c *superoffice.Config) { c.Password = config.NewSecret("wrong-Passw0rd") }, "invalid credentials"},
		{"basic: wrong user", fake.AuthBasic, func(c *superoffice.Config) { c.User = "intruder" }, "invalid credentials"},
		{"soticket: wrong ticket", fake.AuthSOTicket,
			func(c *superoffice.Config) { c.Ticket = config.NewSecret("7T:wrong-ticket") }, "invalid credentials"},
		{"bearer: wrong token", fake.AuthBearer,
			func(c *superoffice.Config) { c.Token = config.NewSecret("8A:wrong-token") }, "invalid credentials"},
		{"bearer: wrong app token", fake.AuthBearer,
			func(c *superoffice.Config) { c.AppToken = config.NewSecret("wrong-app-token") }, "SO-AppToken missing or not valid"},
		{"basic against soticket", fake.AuthSOTicket, func(c *superoffice.Config) {
			*c = fake.Demo(strings.TrimSuffix(c.BaseURL, "/api/v1"))
		}, "Authorization scheme Basic is not accepted here; use SOTicket"},
		{"soticket against bearer", fake.AuthBearer, func(c *superoffice.Config) {
			c.Auth, c.Token, c.AppToken, c.Ticket = superoffice.AuthSOTicket, config.Secret{}, config.Secret{}, config.NewSecret(fake.DemoTicket)
		}, "Authorization scheme SOTicket is not accepted here; use Bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withAuth(tt.mode), withConfig(tt.edit))
			res := e.a.Deliver(context.Background(), jdoeOn())
			if res.Status != fanout.Permanent || res.VendorStatus != 401 {
				t.Errorf("result = %v %d, want permanent 401", res.Status, res.VendorStatus)
			}
			wantPrefix := fmt.Sprintf(`setting the presence of CORP\jdoe (associate 17): SuperOffice rejected the %s credentials (HTTP 401): UnauthorizedAccessException: `, e.cfg.Auth)
			if !strings.HasPrefix(res.Message, wantPrefix) || !strings.Contains(res.Message, tt.message) {
				t.Errorf("message = %q\nwant %q...%q", res.Message, wantPrefix, tt.message)
			}
			if got := e.presence()[17]; got != normal {
				t.Errorf("associate 17 changed: %+v", got)
			}
			vendortest.AssertNoSecret(t, res, e.log, append(secrets, "wrong-Passw0rd", "7T:wrong-ticket", "8A:wrong-token", "wrong-app-token")...)
		})
	}
}

// TestExpiredCredentials: SuperOffice's credentials are static, so once
// they expire there is nothing to refresh: one attempt, a permanent 401
// that says so.
func TestExpiredCredentials(t *testing.T) {
	for _, mode := range []fake.AuthMode{fake.AuthBasic, fake.AuthSOTicket, fake.AuthBearer} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withAuth(mode))
			if res := e.a.Deliver(context.Background(), jdoeOn()); res.Status != fanout.OK {
				t.Fatalf("before expiry: %v %s", res.Status, res.Message)
			}
			e.fake.ExpireCredentials()
			res := e.a.Deliver(context.Background(), vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(false), false)))
			if res.Status != fanout.Permanent || res.VendorStatus != 401 || !strings.Contains(res.Message, "credentials expired") {
				t.Errorf("after expiry: %v %d %q", res.Status, res.VendorStatus, res.Message)
			}
			if n := e.fake.State().Rejected[401]; n != 1 {
				t.Errorf("%d requests rejected with 401, want 1 (one attempt)", n)
			}
			vendortest.AssertNoSecret(t, res, e.log, secrets...)
		})
	}
}

// TestRetryClasses checks vendortest's status table on the PUT and on the
// lookup, with SuperOffice's error JSON in the message.
func TestRetryClasses(t *testing.T) {
	asmith := func() *fanout.Call {
		return oofFor(userRef("CORP", "asmith", generated.WSUserTypeSingleUser), vendortest.Bool(true))
	}
	for _, step := range []struct {
		name   string
		call   func() *fanout.Call
		prefix string
	}{
		{"put", jdoeOn, `setting the presence of CORP\jdoe (associate 17): HTTP %d: SoException: injected failure (source: SuperOffice.WebApi (fake))`},
		{"lookup", asmith, `looking up the SuperOffice user "asmith" for CORP\asmith: HTTP %d: SoException: injected failure`},
	} {
		for _, rc := range vendortest.RetryClasses {
			if step.name == "lookup" && rc.Status == 404 {
				continue // a lookup's 404 means "no such user" (TestLookupMiss)
			}
			t.Run(fmt.Sprintf("%s/%d", step.name, rc.Status), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.fake.FailNext(1, rc.Status)
				res := e.a.Deliver(context.Background(), step.call())
				if res.Status != rc.Want || res.VendorStatus != rc.Status {
					t.Errorf("result = %v %d, want %v %d", res.Status, res.VendorStatus, rc.Want, rc.Status)
				}
				if want := fmt.Sprintf(step.prefix, rc.Status); !strings.HasPrefix(res.Message, want) {
					t.Errorf("message = %q\nwant prefix %q", res.Message, want)
				}
				wantWait := time.Duration(0)
				if rc.Status == 429 {
					wantWait = time.Second // the fake's Retry-After: 1
				}
				if res.RetryAfter != wantWait {
					t.Errorf("RetryAfter = %v, want %v", res.RetryAfter, wantWait)
				}
			})
		}
	}
}

// TestRateLimit: past the fake's requests per second, a 429 with
// Retry-After becomes a Retryable result with RetryAfter.
func TestRateLimit(t *testing.T) {
	e := newEnv(t, withRateLimit(1))
	if res := e.a.Deliver(context.Background(), jdoeOn()); res.Status != fanout.OK {
		t.Fatalf("first: %v %s", res.Status, res.Message)
	}
	res := e.a.Deliver(context.Background(), jdoeOn())
	if res.Status != fanout.Retryable || res.VendorStatus != 429 || res.RetryAfter != time.Second ||
		!strings.Contains(res.Message, "TooManyRequests: rate limit exceeded") {
		t.Errorf("second = %+v", res)
	}
	e.clock.Advance(time.Second)
	if res := e.a.Deliver(context.Background(), jdoeOn()); res.Status != fanout.OK {
		t.Errorf("after the window: %v %s", res.Status, res.Message)
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		e := newEnv(t)
		e.fake.DropConnections(1)
		if res := e.a.Deliver(context.Background(), jdoeOn()); res.Status != fanout.Retryable || res.VendorStatus != 0 ||
			!strings.HasPrefix(res.Message, `setting the presence of CORP\jdoe (associate 17): `) {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("request timeout", func(t *testing.T) {
		e := newEnv(t, withConfig(func(c *superoffice.Config) { c.Timeout = config.Duration(20 * time.Millisecond) }))
		e.fake.Delay(time.Minute) // released when the adapter gives up
		if res := e.a.Deliver(context.Background(), jdoeOn()); res.Status != fanout.Retryable || !strings.Contains(res.Message, "timed out") {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("cancelled during a lookup", func(t *testing.T) {
		// The lookup itself runs on (it may serve other calls) until its
		// own request_timeout; the cancelled call stops waiting at once.
		e := newEnv(t, withConfig(func(c *superoffice.Config) { c.Timeout = config.Duration(50 * time.Millisecond) }))
		e.fake.Delay(time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := e.a.Deliver(ctx, oofFor(userRef("CORP", "asmith", generated.WSUserTypeSingleUser), vendortest.Bool(true)))
		if res.Status != fanout.Retryable || !strings.Contains(res.Message, "cancelled") {
			t.Errorf("result = %+v", res)
		}
	})
}

// TestSecretsScrubbed: a server that echoes the credentials in its error
// must not get them into the result or the log.
func TestSecretsScrubbed(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		json.NewEncoder(w).Encode(map[string]any{"Error": true, "ErrorType": "SoException",
			"ErrorMessage": "bad header " + r.Header.Get("Authorization") + " app " + r.Header.Get("SO-AppToken"), "ErrorSource": "echo"})
	}))
	defer echo.Close()
	for _, mode := range []fake.AuthMode{fake.AuthBasic, fake.AuthSOTicket, fake.AuthBearer} {
		t.Run(string(mode), func(t *testing.T) {
			c := configFor(mode, echo.URL)
			c.Defaults()
			d, log := vendortest.Deps()
			a, err := superoffice.New(c, d)
			if err != nil {
				t.Fatal(err)
			}
			res := a.Deliver(context.Background(), jdoeOn())
			if res.Status != fanout.Retryable || !strings.Contains(res.Message, "[redacted]") {
				t.Errorf("result = %+v", res)
			}
			basic := "YnJpZGdlOmRlbW8tUGFzc3cwcmQ=" // base64("bridge:demo-Passw0rd")
			vendortest.AssertNoSecret(t, res, log, append(secrets, basic)...)
		})
	}
}
