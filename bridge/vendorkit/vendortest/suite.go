package vendortest

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// Suite is one vendor as Run checks it, in the manner of alertmanager's
// notify/test: every adapter gets the same checks of what it declares,
// how it classifies a vendor's failure, how it lives with credentials,
// and that no secret reaches a result or a log line.
type Suite struct {
	// Spec is what the vendor must declare.
	Spec fanout.Spec
	// Start starts a fresh fake and an adapter on it (a new one per
	// check). With refused, the adapter gets credentials the fake
	// refuses (a wrong password, client secret or signing secret).
	Start func(t *testing.T, refused bool) Target
}

// Target is a started adapter with the controls of its fake.
type Target struct {
	Vendor fanout.Vendor
	Log    *SafeBuffer // what the adapter logged
	// FailNext makes the fake answer the next n requests of the call
	// with status; nil for a vendor without HTTP.
	FailNext func(n, status int)
	// ExpireSession makes the fake forget the tokens or sessions it
	// issued; nil when credentials go with every request.
	ExpireSession func()
	// Secrets returns what must never appear in a result or a log: the
	// configured credentials and the tokens issued so far.
	Secrets func() []string
}

// Run runs the suite's checks as subtests of t.
func Run(t *testing.T, s Suite) {
	t.Run("spec", func(t *testing.T) {
		tg := s.Start(t, false)
		got := tg.Vendor.Spec()
		if !reflect.DeepEqual(got, s.Spec) {
			t.Errorf("Spec() = %+v, want %+v", got, s.Spec)
		}
		for _, op := range got.Operations {
			if !slices.Contains(fanout.Operations, op) {
				t.Errorf("declares %q, which is no operation", op)
			}
		}
	})
	t.Run("applies each operation it declares", func(t *testing.T) {
		tg := s.Start(t, false)
		for _, call := range callsOf(s.Spec) {
			res := tg.deliver(t, call)
			if res.Status != fanout.OK {
				t.Errorf("%s: %v %q", call.Operation, res.Status, res.Message)
			}
		}
	})
	t.Run("retry classes", func(t *testing.T) {
		if s.Start(t, false).FailNext == nil {
			t.Skip("no HTTP")
		}
		for _, rc := range RetryClasses {
			t.Run(http.StatusText(rc.Status), func(t *testing.T) {
				tg := s.Start(t, false)
				tg.FailNext(1, rc.Status)
				res := tg.deliver(t, sampleCall(s.Spec))
				if res.Status != rc.Want || res.VendorStatus != rc.Status || res.Message == "" {
					t.Errorf("after %d: %v %d %q, want %v %d with a message", rc.Status, res.Status, res.VendorStatus, res.Message, rc.Want, rc.Status)
				}
				if res := tg.deliver(t, sampleCall(s.Spec)); res.Status != fanout.OK {
					t.Errorf("once the vendor recovered: %v %q", res.Status, res.Message)
				}
			})
		}
	})
	t.Run("an expired session is renewed", func(t *testing.T) {
		tg := s.Start(t, false)
		if tg.ExpireSession == nil {
			t.Skip("no session")
		}
		for i := range 2 {
			if res := tg.deliver(t, sampleCall(s.Spec)); res.Status != fanout.OK {
				t.Fatalf("call %d: %v %q", i+1, res.Status, res.Message)
			}
			tg.ExpireSession()
		}
	})
	t.Run("refused credentials are permanent", func(t *testing.T) {
		if s.Start(t, false).FailNext == nil {
			t.Skip("no HTTP")
		}
		tg := s.Start(t, true)
		res := tg.deliver(t, sampleCall(s.Spec))
		if res.Status != fanout.Permanent || res.VendorStatus != http.StatusUnauthorized && res.VendorStatus != http.StatusForbidden {
			t.Errorf("%v %d %q, want permanent 401 or 403", res.Status, res.VendorStatus, res.Message)
		}
	})
}

// deliver runs call and checks that no secret reached its result or the
// log, the password of a portal user included.
func (tg Target) deliver(t *testing.T, call *fanout.Call) fanout.Result {
	t.Helper()
	res := tg.Vendor.Deliver(context.Background(), call)
	var secrets []string
	if tg.Secrets != nil {
		secrets = tg.Secrets()
	}
	AssertNoSecret(t, res, tg.Log, append(secrets, PortalUserSecret)...)
	return res
}

// sampleCall is a call the vendor handles: out of office on for CORP\jdoe.
func sampleCall(s fanout.Spec) *fanout.Call {
	if s.Handles(fanout.SaveOutOfOfficeInfoForUser) {
		return OOFCall(OOFParams(Bool(true), false))
	}
	return PortalUserCall()
}

// callsOf is one sample call per operation s declares.
func callsOf(s fanout.Spec) []*fanout.Call {
	var out []*fanout.Call
	if s.Handles(fanout.SaveOutOfOfficeInfoForUser) {
		out = append(out, OOFCall(OOFParams(Bool(true), false)))
	}
	if s.Handles(fanout.SavePortalUser) {
		out = append(out, PortalUserCall())
	}
	return out
}
