package vendortest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
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
	// check), as o says.
	Start func(t *testing.T, o Options) Target
}

// Options say how Start sets up a check.
type Options struct {
	// Refused gives the adapter credentials the fake refuses (a wrong
	// password, client secret or signing secret).
	Refused bool
	// Vendor, when not nil, serves the adapter instead of the fake (its
	// demo configuration on this handler's URL).
	Vendor http.Handler
}

// Serving returns what the adapter is to be served by: o.Vendor when a
// check sets one, else the fake.
func (o Options) Serving(fake http.Handler) http.Handler {
	if o.Vendor != nil {
		return o.Vendor
	}
	return fake
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
		tg := s.Start(t, Options{})
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
		tg := s.Start(t, Options{})
		for _, call := range callsOf(s.Spec) {
			res := tg.deliver(t, call)
			if res.Status != fanout.OK {
				t.Errorf("%s: %v %q", call.Operation, res.Status, res.Message)
			}
		}
	})
	t.Run("retry classes", func(t *testing.T) {
		if s.Start(t, Options{}).FailNext == nil {
			t.Skip("no HTTP")
		}
		for _, rc := range RetryClasses {
			t.Run(http.StatusText(rc.Status), func(t *testing.T) {
				tg := s.Start(t, Options{})
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
		tg := s.Start(t, Options{})
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
		if s.Start(t, Options{}).FailNext == nil {
			t.Skip("no HTTP")
		}
		tg := s.Start(t, Options{Refused: true})
		res := tg.deliver(t, sampleCall(s.Spec))
		if res.Status != fanout.Permanent || res.VendorStatus != http.StatusUnauthorized && res.VendorStatus != http.StatusForbidden {
			t.Errorf("%v %d %q, want permanent 401 or 403", res.Status, res.VendorStatus, res.Message)
		}
	})
	t.Run("a vendor that echoes the request learns nothing secret", func(t *testing.T) {
		if s.Start(t, Options{}).FailNext == nil {
			t.Skip("no HTTP")
		}
		tg := s.Start(t, Options{Vendor: http.HandlerFunc(echo)})
		res := tg.deliver(t, sampleCall(s.Spec))
		if res.Status == fanout.OK {
			t.Errorf("an error answer counted as ok: %q", res.Message)
		}
		t.Logf("the adapter's message: %s", res.Message)
	})
}

// echo answers every request 400 with what it got: the credentials
// first (so that a message cut short still holds them), then the URL and
// the body. A vendor that quotes the request in its error is what makes
// an adapter's scrubbing matter.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	var b strings.Builder
	for _, h := range []string{"Authorization", "Cookie", "X-Csrf-Token", "SO-AppToken", "X-Bridge-Signature"} {
		if v := r.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s=%s ", h, v)
		}
	}
	if u, p, ok := r.BasicAuth(); ok {
		fmt.Fprintf(&b, "basic=%s:%s ", u, p)
	}
	fmt.Fprintf(&b, "%s %s body=%s", r.Method, r.URL.RequestURI(), body)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, b.String())
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
