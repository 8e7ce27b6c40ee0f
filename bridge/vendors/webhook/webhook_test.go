package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
	"github.com/thereforebridge/thereforebridge/generated"
)

// recorder keeps the last body the fake received, for the goldens.
type recorder struct {
	mu   sync.Mutex
	last []byte
}

func (r *recorder) record(_ *http.Request, body []byte) {
	r.mu.Lock()
	r.last = body
	r.mu.Unlock()
}

type env struct {
	fake *fake.Fake
	rec  *recorder
	a    *webhook.Adapter
	log  *vendortest.SafeBuffer
}

// setup starts a fake and an adapter on its Demo config, changed by mutate.
func setup(t *testing.T, mutate func(*webhook.Config, *vendorkit.Deps)) env {
	t.Helper()
	f := fake.New()
	rec := &recorder{}
	e := vendortest.Setup(t, vendortest.Tap(f, rec.record), fake.Demo, webhook.New, mutate)
	return env{f, rec, e.Adapter, e.Log}
}

func connectedOOF() *fanout.Call {
	return vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: vendortest.Bool(true)})
}

func TestGoldenAndEndState(t *testing.T) {
	cases := []struct {
		name         string
		call         *fanout.Call
		wantOOF      string // the out_of_office the fake received
		wantInParams string
	}{
		{"oof-on", vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false)),
			`{"User":{"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"},"Enabled":true}`, `"IsOutOfOfficeEnabled":true`},
		{"oof-off", vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(false), false)),
			`{"User":{"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"},"Enabled":false}`, `"IsOutOfOfficeEnabled":false`},
		{"delegates", vendortest.OOFCall(vendortest.OOFParams(nil, true)),
			`{"User":{"DomainName":"CORP","UserName":"jdoe","UserType":"SingleUser"},"Delegates":{"Add":[{"DomainName":"CORP","UserName":"asmith","UserType":"SingleUser"},{"DomainName":"CORP","UserName":"bwong","UserType":"SingleUser"}]}}`,
			`"DelegateUsersToAdd":{"WSUserUniversalIdentifier":[`},
		{"oof-connected", connectedOOF(), `{"User":{"Connected":true},"Enabled":true}`, `{"IsOutOfOfficeEnabled":true}`},
		{"portaluser", vendortest.PortalUserCall(), ``, `"UserPwd":"[redacted]"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, nil)
			res := e.a.Deliver(context.Background(), tc.call)
			if res.Status != fanout.OK || res.VendorStatus != http.StatusNoContent {
				t.Fatalf("Deliver = %+v", res)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, e.rec.last, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			golden.Check(t, filepath.Join(golden.Root(), "vendors", "webhook", tc.name+".json"), out.Bytes())
			s := e.fake.State()
			if len(s.Events) != 1 || len(s.Rejected) != 0 {
				t.Fatalf("state = %+v, want one event", s)
			}
			ev := s.Events[0]
			if ev.ID != vendortest.ChangeID || ev.Operation != tc.call.Operation || ev.RequestID != "test-request" || string(ev.OutOfOffice) != tc.wantOOF ||
				!strings.Contains(string(ev.Params), tc.wantInParams) {
				t.Errorf("event = %s %s %s params %s oof %s", ev.ID, ev.Operation, ev.RequestID, ev.Params, ev.OutOfOffice)
			}
			vendortest.AssertNoSecret(t, res, e.log, fake.DemoSecret, vendortest.PortalUserSecret)
			if strings.Contains(string(e.rec.last), vendortest.PortalUserSecret) {
				t.Error("the body carries UserPwd")
			}
		})
	}
}

func TestIncludeSecrets(t *testing.T) {
	e := setup(t, func(c *webhook.Config, _ *vendorkit.Deps) { c.IncludeSecrets = true })
	call := vendortest.PortalUserCall()
	if res := e.a.Deliver(context.Background(), call); res.Status != fanout.OK {
		t.Fatal(res)
	}
	if s := e.fake.State(); !strings.Contains(string(s.Events[0].Params), `"UserPwd":"`+vendortest.PortalUserSecret+`"`) {
		t.Errorf("params = %s, want UserPwd in clear", s.Events[0].Params)
	}
	vendortest.AssertNoSecret(t, fanout.Result{}, e.log, vendortest.PortalUserSecret)
	// Masking copies: the call the other vendors share keeps its password.
	e2 := setup(t, nil)
	e2.a.Deliver(context.Background(), call)
	if *call.Params.(*generated.SavePortalUserParams).PortalUser.UserPwd != vendortest.PortalUserSecret {
		t.Error("masking changed the shared call")
	}
}

func TestSignatureRejected(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(*webhook.Config, *vendorkit.Deps)
		wantMsg string
	}{
		{"wrong secret", func(c *webhook.Config, _ *vendorkit.Deps) { c.Secret = config.NewSecret("another-secret-of-length") }, "signature does not match"},
		{"stale", func(_ *webhook.Config, d *vendorkit.Deps) {
			d.Now = func() time.Time { return time.Now().Add(-time.Hour) }
		}, "outside the accepted window"},
		{"from the future", func(_ *webhook.Config, d *vendorkit.Deps) {
			d.Now = func() time.Time { return time.Now().Add(time.Hour) }
		}, "outside the accepted window"},
		{"other header names", func(c *webhook.Config, _ *vendorkit.Deps) { c.SignatureHeader = "X-Signature" }, "expected sha256=<hex>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, tc.mutate)
			res := e.a.Deliver(context.Background(), vendortest.PortalUserCall())
			if res.Status != fanout.Permanent || res.VendorStatus != http.StatusUnauthorized || !strings.Contains(res.Message, tc.wantMsg) {
				t.Errorf("Deliver = %+v, want permanent 401 %q", res, tc.wantMsg)
			}
			if s := e.fake.State(); len(s.Events) != 0 || len(s.Rejected) != 1 {
				t.Errorf("state = %+v, want one rejection", s)
			}
			vendortest.AssertNoSecret(t, res, e.log, fake.DemoSecret, "another-secret-of-length")
		})
	}
}

func TestTooManyRequests(t *testing.T) {
	e := setup(t, nil)
	e.fake.TooManyRequests(1, 7*time.Second)
	res := e.a.Deliver(context.Background(), vendortest.PortalUserCall())
	if res.Status != fanout.Retryable || res.VendorStatus != http.StatusTooManyRequests || res.RetryAfter != 7*time.Second {
		t.Errorf("Deliver = %+v, want retryable 429 after 7s", res)
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.DropConnections(1)
		if res := e.a.Deliver(context.Background(), vendortest.PortalUserCall()); res.Status != fanout.Retryable {
			t.Errorf("Deliver = %+v, want retryable", res)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e := setup(t, func(c *webhook.Config, _ *vendorkit.Deps) { c.Timeout = config.Duration(20 * time.Millisecond) })
		e.fake.Delay(time.Second)
		res := e.a.Deliver(context.Background(), vendortest.PortalUserCall())
		if res.Status != fanout.Retryable || !strings.Contains(res.Message, "timed out") {
			t.Errorf("Deliver = %+v, want retryable timed out", res)
		}
	})
	t.Run("wrong path", func(t *testing.T) {
		e := setup(t, func(c *webhook.Config, _ *vendorkit.Deps) { c.URL += "/v2" })
		res := e.a.Deliver(context.Background(), vendortest.PortalUserCall())
		if res.Status != fanout.Permanent || res.VendorStatus != http.StatusNotFound || res.Message != "no receiver at /events/v2" {
			t.Errorf("Deliver = %+v, want permanent 404", res)
		}
	})
}

// TestSecretScrubbed: a receiver that echoes what it got cannot make the
// signing secret reach a result or a log line.
func TestSecretScrubbed(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "expected secret "+fake.DemoSecret)
	})
	e := vendortest.Setup(t, echo, fake.Demo, webhook.New, nil)
	res := e.Adapter.Deliver(context.Background(), vendortest.PortalUserCall())
	if res.Status != fanout.Permanent || !strings.Contains(res.Message, "expected secret [redacted]") {
		t.Errorf("Deliver = %+v", res)
	}
	vendortest.AssertNoSecret(t, res, e.Log, fake.DemoSecret, vendortest.PortalUserSecret)
}

func TestConcurrentDeliveries(t *testing.T) {
	e := setup(t, nil)
	const n = 100
	var wg sync.WaitGroup
	results := make([]fanout.Result, n)
	for i := range n {
		wg.Go(func() { results[i] = e.a.Deliver(context.Background(), vendortest.PortalUserCall()) })
	}
	wg.Wait()
	for i, res := range results {
		if res.Status != fanout.OK {
			t.Fatalf("call %d: %+v", i, res)
		}
	}
	if s := e.fake.State(); len(s.Events) != n || len(s.Rejected) != 0 {
		t.Errorf("the fake accepted %d events and rejected %d, want %d and 0", len(s.Events), len(s.Rejected), n)
	}
}

// TestEventID: the event id is the change id, the same on a redelivery;
// a call without one is refused before anything is sent.
func TestEventID(t *testing.T) {
	e := setup(t, nil)
	call := vendortest.PortalUserCall()
	call.ChangeID = "change-42"
	for attempt := 1; attempt <= 2; attempt++ {
		call.Attempt = attempt
		if res := e.a.Deliver(context.Background(), call); res.Status != fanout.OK {
			t.Fatalf("attempt %d: %+v", attempt, res)
		}
	}
	if s := e.fake.State(); len(s.Events) != 2 || s.Events[0].ID != "change-42" || s.Events[1].ID != "change-42" {
		t.Errorf("events %+v, want two with id change-42", s.Events)
	}
	call.ChangeID = ""
	if res := e.a.Deliver(context.Background(), call); res.Status != fanout.Permanent || !strings.Contains(res.Message, "no change id") {
		t.Errorf("without a change id: %+v", res)
	}
	if n := len(e.fake.State().Events) + len(e.fake.State().Rejected); n != 2 {
		t.Errorf("%d requests reached the receiver, want 2", n)
	}
}
