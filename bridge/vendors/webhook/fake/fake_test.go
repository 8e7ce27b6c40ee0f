package fake

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update is accepted
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
)

// TestEnforces sends raw, correctly signed requests unless said otherwise.
func TestEnforces(t *testing.T) {
	cases := []struct {
		name       string
		method     string
		path       string
		ctype      string
		body       string
		sign       func(ts, body string) string
		wantStatus int
		wantInBody string
	}{
		{"valid", "POST", path, "application/json", `{"id":"c1","operation":"X","request_id":"r1","params":{}}`, nil, 204, ""},
		{"GET", "GET", path, "application/json", ``, nil, 405, "use POST"},
		{"other path", "POST", "/hooks", "application/json", `{}`, nil, 404, "no receiver"},
		{"unsigned", "POST", path, "application/json", `{"id":"c1","operation":"X","request_id":"r1"}`, func(string, string) string { return "" }, 401, "signature"},
		{"signed for another body", "POST", path, "application/json", `{"id":"c1","operation":"X","request_id":"r1"}`,
			func(ts, _ string) string { return webhook.Sign(DemoSecret, ts, []byte(`{}`)) }, 401, "does not match"},
		{"text body", "POST", path, "text/plain", `{"id":"c1","operation":"X","request_id":"r1"}`, nil, 415, "expected application/json"},
		{"unknown member", "POST", path, "application/json", `{"id":"c1","operation":"X","request_id":"r1","extra":1}`, nil, 400, `unknown field \"extra\"`},
		{"out_of_office of another shape", "POST", path, "application/json", `{"id":"c1","operation":"X","request_id":"r1","out_of_office":{"On":true}}`, nil, 400, "unknown field"},
		{"no id", "POST", path, "application/json", `{"operation":"X","request_id":"r1"}`, nil, 400, "the event has no id"},
		{"empty id", "POST", path, "application/json", `{"id":"","operation":"X","request_id":"r1"}`, nil, 400, "the event has no id"},
		{"no operation", "POST", path, "application/json", `{"id":"c1","request_id":"r1"}`, nil, 400, "the event has no operation"},
		{"no request_id", "POST", path, "application/json", `{"id":"c1","operation":"X"}`, nil, 400, "the event has no request_id"},
	}
	f := New()
	srv := vendortest.Serve(t, f)
	accepted := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("X-Bridge-Timestamp", ts)
			sig := webhook.Sign(DemoSecret, ts, []byte(tc.body))
			if tc.sign != nil {
				sig = tc.sign(ts, tc.body)
			}
			req.Header.Set("X-Bridge-Signature", sig)
			resp, b := vendortest.Do(t, nil, req)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(b), tc.wantInBody) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, b, tc.wantStatus, tc.wantInBody)
			}
			if tc.wantStatus == 204 {
				accepted++
			}
		})
	}
	if s := f.State(); len(s.Events) != accepted || len(s.Rejected) != len(cases)-accepted {
		t.Errorf("state: %d events, %d rejected; want %d and %d", len(s.Events), len(s.Rejected), accepted, len(cases)-accepted)
	}
}
