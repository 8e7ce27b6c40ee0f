package grommunio_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
	"github.com/thereforebridge/thereforebridge/generated"
)

var on = func() *fanout.Call { return oofCall(vendortest.Bool(true), false) }

func TestAuth(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		e := newEnv(t, func(c *grommunio.Config, _ *vendorkit.Deps) { c.Password = config.NewSecret("Wrong-Password-42") })
		res := e.deliver(t, on())
		vendortest.AssertNoSecret(t, res, e.log, "Wrong-Password-42")
		if res.Status != fanout.Permanent || res.VendorStatus != 401 || !strings.Contains(res.Message, "login: 401 Login failed") {
			t.Errorf("got %v %d %q", res.Status, res.VendorStatus, res.Message)
		}
	})
	t.Run("every call carries the cookie, writes the CSRF token", func(t *testing.T) {
		e := newEnv(t, nil)
		if res := e.deliver(t, oofCall(vendortest.Bool(true), true)); res.Status != fanout.OK {
			t.Fatal(res)
		}
		for _, s := range e.rec.reqs {
			if strings.HasSuffix(s.Path, "/login") {
				continue
			}
			if !strings.HasPrefix(s.Cookie, "grommunioAuthJwt=") || (s.Method == "GET") != (s.CSRF == "") {
				t.Errorf("%s %s: cookie %q csrf %q", s.Method, s.Path, s.Cookie, s.CSRF)
			}
		}
	})
	t.Run("token reused, then refreshed once on expiry", func(t *testing.T) {
		e := newEnv(t, nil)
		for range 3 {
			if res := e.deliver(t, on()); res.Status != fanout.OK {
				t.Fatal(res)
			}
		}
		if n := e.fake.Logins(); n != 1 {
			t.Fatalf("3 calls logged in %d times, want 1", n)
		}
		e.fake.ExpireTokens()
		if res := e.deliver(t, on()); res.Status != fanout.OK {
			t.Fatalf("after expiry: %v", res)
		}
		if n := e.fake.Logins(); n != 2 {
			t.Errorf("logins = %d after expiry, want 2", n)
		}
	})
	t.Run("401 after a fresh login is not retried again", func(t *testing.T) {
		e := newEnv(t, nil)
		e.deliver(t, on())
		e.fake.FailNext(2, 401)
		res := e.deliver(t, on())
		if res.Status != fanout.Permanent || res.VendorStatus != 401 {
			t.Errorf("got %v %d %q", res.Status, res.VendorStatus, res.Message)
		}
		if n := len(e.rec.reqs); n != 5+2 { // first call: login, lookups, GET+PUT; then the 401 and the refused login
			t.Errorf("%d requests, want 7", n)
		}
	})
}

func TestVendorFailures(t *testing.T) {
	for _, rc := range vendortest.RetryClasses {
		t.Run(fmt.Sprintf("status %d", rc.Status), func(t *testing.T) {
			e := newEnv(t, nil)
			e.deliver(t, on()) // logged in and looked up
			e.fake.FailNext(1, rc.Status)
			res := e.deliver(t, on())
			if res.Status != rc.Want || res.VendorStatus != rc.Status {
				t.Errorf("got %v (vendor %d) %q, want %v", res.Status, res.VendorStatus, res.Message, rc.Want)
			}
			if rc.Status == 429 && res.RetryAfter != 2*time.Second {
				t.Errorf("429: RetryAfter = %v, want 2s from Retry-After", res.RetryAfter)
			}
		})
	}
	t.Run("dropped connection", func(t *testing.T) {
		e := newEnv(t, nil)
		e.deliver(t, on())
		// net/http repeats a GET once when its reused connection closes:
		// two drops make the call lose its connection.
		e.fake.DropConnections(2)
		if res := e.deliver(t, on()); res.Status != fanout.Retryable {
			t.Errorf("got %v %q", res.Status, res.Message)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e := newEnv(t, func(c *grommunio.Config, _ *vendorkit.Deps) { c.Timeout = config.Duration(20 * time.Millisecond) })
		e.fake.Delay(time.Second)
		if res := e.deliver(t, on()); res.Status != fanout.Retryable || !strings.Contains(res.Message, "login") {
			t.Errorf("got %v %q", res.Status, res.Message)
		}
	})
	t.Run("invalid delegate answered 200 with a message", func(t *testing.T) {
		e := newEnv(t, func(_ *grommunio.Config, d *vendorkit.Deps) {
			d.Directory = directory(config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "odd"}, Email: "odd@nowhere"})
		})
		p := &generated.SaveOutOfOfficeInfoForUserParams{User: users("jdoe").WSUserUniversalIdentifier[0], DelegateUsersToAdd: users("odd")}
		res := e.deliver(t, vendortest.OOFCall(p))
		if res.Status != fanout.Permanent || res.VendorStatus != 200 || !strings.Contains(res.Message, "Invalid delegates e-mail 'odd@nowhere'") {
			t.Errorf("got %v %d %q", res.Status, res.VendorStatus, res.Message)
		}
	})
}

func TestLookup(t *testing.T) {
	ghost := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "ghost"}, Email: "ghost@example.com"}
	stranger := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "stranger"}, Email: "stranger@elsewhere.example"}
	carol := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "carol"}, Email: "Carol@Corp.example"}
	mapped := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "mapped"}, Vendors: map[string]string{"grommunio": "1/102"}}
	broken := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "broken"}, Vendors: map[string]string{"grommunio": "asmith"}}
	tests := []struct {
		name, user string
		status     fanout.Status
		message    string
		getUsers   int    // user lookups made
		stateOf    string // whose oof is then on
		delegates  bool   // also add a delegate
	}{
		{name: "by e-mail", user: "jdoe", status: fanout.OK, getUsers: 1, stateOf: "jdoe"},
		{name: "in another domain", user: "carol", status: fanout.OK, getUsers: 1, stateOf: "carol"},
		{name: "by directory id", user: "mapped", status: fanout.OK, getUsers: 0, stateOf: "asmith"},
		{name: "no such user", user: "ghost", status: fanout.Permanent, message: `CORP\ghost is not mapped to a grommunio user (grommunio has no user ghost@example.com)`, getUsers: 1},
		{name: "no such domain", user: "stranger", status: fanout.Permanent, message: `CORP\stranger is not mapped to a grommunio user (grommunio has no domain elsewhere.example)`},
		{name: "not in the directory", user: "nobody", status: fanout.Permanent, message: `CORP\nobody is not mapped to a grommunio user (no e-mail address to look up)`},
		{name: "malformed directory id", user: "broken", status: fanout.Permanent, message: `the grommunio id "asmith" of CORP\broken is neither <domainID>/<userID> nor an e-mail address`},
		{name: "unmapped delegate", user: "jdoe", delegates: true, status: fanout.Permanent, message: `the delegate CORP\nobody is not mapped to a grommunio user (no e-mail address)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(_ *grommunio.Config, d *vendorkit.Deps) {
				d.Directory = directory(ghost, stranger, carol, mapped, broken)
			})
			e.fake.AddUser(e.fake.AddDomain("corp.example"), "carol@corp.example")
			p := &generated.SaveOutOfOfficeInfoForUserParams{User: users(tt.user).WSUserUniversalIdentifier[0], IsOutOfOfficeEnabled: vendortest.Bool(true)}
			if tt.delegates {
				p.DelegateUsersToAdd = users("asmith", "nobody")
			}
			res := e.deliver(t, vendortest.OOFCall(p))
			if res.Status != tt.status || (tt.message != "" && res.Message != tt.message) {
				t.Errorf("got %v %q, want %v %q", res.Status, res.Message, tt.status, tt.message)
			}
			if n := e.fake.Calls("getUsers"); n != tt.getUsers {
				t.Errorf("%d user lookups, want %d", n, tt.getUsers)
			}
			for _, name := range []string{"jdoe", "asmith", "bwong", "carol"} {
				u := e.user(t, name)
				if want := map[bool]string{true: "1", false: "0"}[name == tt.stateOf]; string(u.OOF["state"]) != want || len(u.Delegates) != 0 {
					t.Errorf("%s: state %s delegates %q; want state %s and no delegates", name, u.OOF["state"], u.Delegates, want)
				}
			}
		})
	}
}

func TestLookupCache(t *testing.T) {
	e := newEnv(t, func(c *grommunio.Config, _ *vendorkit.Deps) { c.CacheTTL = config.Duration(time.Minute) })
	for range 2 {
		e.deliver(t, on())
	}
	if d, u := e.fake.Calls("getUserDomains"), e.fake.Calls("getUsers"); d != 1 || u != 1 {
		t.Errorf("two calls within the TTL: %d domain and %d user lookups, want 1 and 1", d, u)
	}
	e.now = e.now.Add(2 * time.Minute)
	e.deliver(t, on())
	if d, u := e.fake.Calls("getUserDomains"), e.fake.Calls("getUsers"); d != 2 || u != 2 {
		t.Errorf("after the TTL: %d domain and %d user lookups, want 2 and 2", d, u)
	}
}

// TestConcurrency: 100 calls at once on a new adapter log in once and look
// the user up once; after the token expires, 100 more log in once more.
func TestConcurrency(t *testing.T) {
	e := newEnv(t, nil)
	burst := func() {
		var wg sync.WaitGroup
		results := make([]fanout.Result, 100)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = e.a.Deliver(context.Background(), on())
			}()
		}
		wg.Wait()
		for i, res := range results {
			if res.Status != fanout.OK {
				t.Fatalf("call %d: %v %q", i, res.Status, res.Message)
			}
		}
	}
	burst()
	if l, u := e.fake.Logins(), e.fake.Calls("getUsers"); l != 1 || u != 1 {
		t.Errorf("100 parallel calls: %d logins and %d user lookups, want 1 and 1", l, u)
	}
	if n := e.fake.Calls("setOofSize"); n != 100 {
		t.Errorf("%d oof writes, want 100", n)
	}
	e.fake.ExpireTokens()
	burst()
	if l := e.fake.Logins(); l != 2 {
		t.Errorf("100 parallel calls after expiry: %d logins in all, want 2", l)
	}
}
