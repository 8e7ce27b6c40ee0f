package superoffice_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	"github.com/thereforebridge/thereforebridge/generated"
)

func str(s string) *string { return &s }

func userRef(domain, name string, typ generated.WSUserType) *generated.WSUserUniversalIdentifier {
	return &generated.WSUserUniversalIdentifier{DomainName: str(domain), UserName: str(name), UserType: &typ}
}

// oofFor is a SaveOutOfOfficeInfoForUser for u.
func oofFor(u *generated.WSUserUniversalIdentifier, enabled *bool) *fanout.Call {
	return vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{User: u, IsOutOfOfficeEnabled: enabled})
}

// connectedCall is an out-of-office call with no User, from caller.
func connectedCall(caller string, enabled bool) *fanout.Call {
	p := &generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: &enabled}
	o := intent.FromOOF(p, caller)
	return &fanout.Call{RequestID: "test-request", Operation: "SaveOutOfOfficeInfoForUser", Params: p, OutOfOffice: &o}
}

var (
	normal   = presence{Status: "StatusNormal"}
	jdoeAway = presence{"StatusNotAvailable", "John Doe is out of the office (since 2025-03-14)"}
)

// TestDeliver runs the sample calls against the fake: the result, the
// requests sent (goldens) and the fake's end state.
func TestDeliver(t *testing.T) {
	tests := []struct {
		name    string
		before  *fanout.Call // run first, not recorded
		call    *fanout.Call
		message string
		want    map[int]presence
	}{
		{name: "oof-on", call: vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false)),
			message: `CORP\jdoe (associate 17): StatusNotAvailable`, want: map[int]presence{17: jdoeAway, 18: normal, 19: normal}},
		{name: "oof-off", before: vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false)),
			call:    vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(false), false)),
			message: `CORP\jdoe (associate 17): StatusNormal`, want: map[int]presence{17: normal, 18: normal, 19: normal}},
		{name: "oof-on-lookup", call: oofFor(userRef("CORP", "asmith", generated.WSUserTypeSingleUser), vendortest.Bool(true)),
			message: `CORP\asmith (associate 18): StatusNotAvailable`,
			want:    map[int]presence{17: normal, 18: {"StatusNotAvailable", "Anna Smith is out of the office (since 2025-03-14)"}, 19: normal}},
		{name: "connected", call: connectedCall("jdoe", true),
			message: `the connected user jdoe (associate 17): StatusNotAvailable`, want: map[int]presence{17: jdoeAway, 18: normal, 19: normal}},
		// Delegates mean nothing to SuperOffice: the status is set as if
		// none were sent, and the message says nothing about them.
		{name: "delegates", call: vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), true)),
			message: `CORP\jdoe (associate 17): StatusNotAvailable`, want: map[int]presence{17: jdoeAway, 18: normal, 19: normal}},
		{name: "delegates-only", call: vendortest.OOFCall(vendortest.OOFParams(nil, true)),
			message: "delegates are not a SuperOffice concept; nothing to change", want: map[int]presence{17: normal, 18: normal, 19: normal}},
		{name: "unchanged", call: vendortest.OOFCall(vendortest.OOFParams(nil, false)),
			message: "IsOutOfOfficeEnabled not given; nothing to change", want: map[int]presence{17: normal, 18: normal, 19: normal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tt.before != nil {
				if res := e.a.Deliver(context.Background(), tt.before); res.Status != fanout.OK {
					t.Fatalf("before: %v %s", res.Status, res.Message)
				}
				e.rec.take()
			}
			res := e.a.Deliver(context.Background(), tt.call)
			if res.Status != fanout.OK || res.Message != tt.message {
				t.Errorf("result = %v %q, want ok %q", res.Status, res.Message, tt.message)
			}
			checkGolden(t, tt.name, e.rec.take())
			got := e.presence()
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("associate %d = %+v, want %+v", id, got[id], want)
				}
			}
			vendortest.AssertNoSecret(t, res, e.log, secrets...)
		})
	}
}

// checkGolden compares the requests with testdata/vendors/superoffice/<name>.json,
// and checks that the golden is stable (re-encoding it changes nothing).
func checkGolden(t *testing.T, name string, reqs []sent) {
	t.Helper()
	if reqs == nil {
		reqs = []sent{}
	}
	got, err := json.MarshalIndent(reqs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join(golden.Root(), "vendors", "superoffice", name+".json")
	golden.Check(t, path, got)
	var back []sent
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.MarshalIndent(back, "", "  ")
	if !bytes.Equal(append(again, '\n'), got) {
		t.Errorf("%s is not stable under re-encoding", path)
	}
}

func TestStatusMapping(t *testing.T) {
	e := newEnv(t, withConfig(func(c *superoffice.Config) {
		c.AwayStatus, c.AwayMessage = "StatusReadOnly", "{{.Name}} <{{.Email}}> away"
		c.BackStatus, c.BackMessage = "StatusSpm", "back since {{.Date}}"
	}))
	if res := e.a.Deliver(context.Background(), vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false))); res.Status != fanout.OK {
		t.Fatalf("on: %v %s", res.Status, res.Message)
	}
	if got, want := e.presence()[17], (presence{"StatusReadOnly", "John Doe <jdoe@example.com> away"}); got != want {
		t.Errorf("on: associate 17 = %+v, want %+v", got, want)
	}
	if res := e.a.Deliver(context.Background(), vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(false), false))); res.Status != fanout.OK {
		t.Fatalf("off: %v %s", res.Status, res.Message)
	}
	if got, want := e.presence()[17], (presence{"StatusSpm", "back since 2025-03-14"}); got != want {
		t.Errorf("off: associate 17 = %+v, want %+v", got, want)
	}
}

func TestAuthModes(t *testing.T) {
	for _, mode := range []fake.AuthMode{fake.AuthBasic, fake.AuthSOTicket, fake.AuthBearer} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withAuth(mode))
			res := e.a.Deliver(context.Background(), vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false)))
			if res.Status != fanout.OK {
				t.Fatalf("%v %s", res.Status, res.Message)
			}
			if got := e.presence()[17]; got != jdoeAway {
				t.Errorf("associate 17 = %+v", got)
			}
			vendortest.AssertNoSecret(t, res, e.log, secrets...)
		})
	}
}

func TestLookupCache(t *testing.T) {
	e := newEnv(t)
	asmith := oofFor(userRef("CORP", "asmith", generated.WSUserTypeSingleUser), vendortest.Bool(true))
	deliver := func(step string) {
		t.Helper()
		if res := e.a.Deliver(context.Background(), asmith); res.Status != fanout.OK {
			t.Fatalf("%s: %v %s", step, res.Status, res.Message)
		}
	}
	deliver("first")
	deliver("cached")
	if n := e.requests(routeLookup); n != 1 {
		t.Errorf("after a cached call: %d lookups, want 1", n)
	}
	e.clock.Advance(e.cfg.CacheTTL.D() + time.Second)
	deliver("expired")
	if n := e.requests(routeLookup); n != 2 {
		t.Errorf("after the TTL: %d lookups, want 2", n)
	}
	// A 404 on the PUT means the cached id went stale: it is dropped.
	e.fake.FailNext(1, 404)
	if res := e.a.Deliver(context.Background(), asmith); res.Status != fanout.Permanent {
		t.Fatalf("stale: %v %s", res.Status, res.Message)
	}
	deliver("after stale")
	if n := e.requests(routeLookup); n != 3 {
		t.Errorf("after a stale id: %d lookups, want 3", n)
	}
}

func TestLookupMiss(t *testing.T) {
	id := int32(42)
	tests := []struct {
		name     string
		user     *generated.WSUserUniversalIdentifier
		message  string
		status   int
		requests int
	}{
		{"unknown to superoffice", userRef("CORP", "nobody", generated.WSUserTypeSingleUser),
			`CORP\nobody is not mapped to a superoffice user (SuperOffice has no user named "nobody")`, 404, 1},
		{"id only", &generated.WSUserUniversalIdentifier{UserId: &id},
			`user #42 is not mapped to a superoffice user (no user name to look up)`, 0, 0},
		{"numeric name", userRef("CORP", "1234", generated.WSUserTypeSingleUser),
			`CORP\1234 is not mapped to a superoffice user (the numeric user name "1234" cannot be looked up; map it in the directory)`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.a.Deliver(context.Background(), oofFor(tt.user, vendortest.Bool(true)))
			if res.Status != fanout.Permanent || res.VendorStatus != tt.status || res.Message != tt.message {
				t.Errorf("result = %v %d %q\nwant permanent %d %q", res.Status, res.VendorStatus, res.Message, tt.status, tt.message)
			}
			if n := len(e.rec.take()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

// TestConcurrentLookups: 100 parallel calls for an unmapped user share one
// lookup, and each sets the status.
func TestConcurrentLookups(t *testing.T) {
	e := newEnv(t)
	call := oofFor(userRef("CORP", "asmith", generated.WSUserTypeSingleUser), vendortest.Bool(true))
	var wg sync.WaitGroup
	results := make([]fanout.Result, 100)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.a.Deliver(context.Background(), call)
		}()
	}
	wg.Wait()
	for i, res := range results {
		if res.Status != fanout.OK {
			t.Fatalf("call %d: %v %s", i, res.Status, res.Message)
		}
	}
	if n := e.requests(routeLookup); n != 1 {
		t.Errorf("%d lookups, want 1", n)
	}
	if n := e.requests(routePut); n != 100 {
		t.Errorf("%d PUTs, want 100", n)
	}
}

// A Demo config is valid once defaulted and names the fake's root + /api/v1.
func TestDemo(t *testing.T) {
	c := fake.Demo("http://127.0.0.1:9/")
	c.Defaults()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:9/api/v1" {
		t.Errorf("base_url = %q", c.BaseURL)
	}
	d, _ := vendortest.Deps()
	a, err := superoffice.New(c, d)
	if err != nil || a.Name() != "superoffice" {
		t.Errorf("New = %v, %v", a, err)
	}
}
