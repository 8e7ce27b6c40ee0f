package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

// TestForwardHandled: with upstream.forward_handled the handled operations
// go to the upstream first; the client gets its answer, and the vendors
// hear of the change only after the upstream succeeded.
func TestForwardHandled(t *testing.T) {
	const refusal = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">The user CORP\nobody does not exist.</faultstring></s:Fault></s:Body></s:Envelope>`
	refusing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Header().Set("X-Therefore-Trace", "t-1")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(refusal))
	})
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	tests := []struct {
		name        string
		upstream    http.Handler
		mutate      func(*config.Config)
		wantStatus  int
		want        string // the whole body, or a part of it when it starts with "~"
		wantVendors int
	}{
		{name: "upstream succeeds: its answer, then the vendors", upstream: fake.NewSOAPFace(), wantStatus: 200,
			want:        `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SaveOutOfOfficeInfoForUserResponse xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><SaveOutOfOfficeInfoForUserResult xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"></SaveOutOfOfficeInfoForUserResult></SaveOutOfOfficeInfoForUserResponse></s:Body></s:Envelope>`,
			wantVendors: 1},
		{name: "upstream refuses: its fault as sent, no vendor", upstream: refusing, wantStatus: 500, want: refusal},
		{name: "upstream down: a 502 Server fault, no vendor", mutate: func(c *config.Config) { c.Upstream.URL = deadURL + fake.SOAPPath },
			wantStatus: 502, want: "~cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, vendor := passServer(t, tt.upstream, func(c *config.Config) {
				c.Upstream.ForwardHandled = true
				withServiceAccount("SaveOutOfOfficeInfoForUser")(c)
				if tt.mutate != nil {
					tt.mutate(c)
				}
			})
			header := http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "Soapaction": {`"` + actionBase + `SaveOutOfOfficeInfoForUser"`}}
			resp := soapPost(t, ts.URL, header, nilUserOOF(""), "jdoe", "s3cret")
			got := string(readAll(t, resp.Body))
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, got)
			}
			if part, ok := strings.CutPrefix(tt.want, "~"); ok && !strings.Contains(got, part) || !ok && got != tt.want {
				t.Errorf("body:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.upstream != nil && resp.Header.Get("X-Therefore-Trace") == "" && tt.wantStatus == 500 {
				t.Errorf("the upstream's headers did not reach the client")
			}
			if n := len(vendor.calls); n != tt.wantVendors {
				t.Errorf("the vendors got %d calls, want %d", n, tt.wantVendors)
			}
		})
	}
}
