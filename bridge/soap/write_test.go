package soap_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// wellFormed fails unless b is well-formed XML.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v\n%s", err, b)
			}
			return
		}
	}
}

// TestAppendFault writes faults of each shape in both versions; the
// goldens are what WCF clients parse (testdata/replies).
func TestAppendFault(t *testing.T) {
	faults := []struct {
		name   string
		fault  *soap.Fault
		status int
	}{
		{"client-decode", &soap.Fault{Code: soap.Client, Reason: `SavePortalUser/parameters/PortalUser/QueryNo: "a<b&c>" is not a valid xs:int`,
			Detail: &soap.Detail{Kind: "Decode", Path: "SavePortalUser/parameters/PortalUser/QueryNo", Rule: `"a<b&c>" is not a valid xs:int`}}, 500},
		{"client-illegal-characters", soap.Clientf("Envelope", "text \x01 and \uFFFE cannot be carried, \t\n\r can, as can \U0001F600"), 500},
		{"server-no-detail", &soap.Fault{Code: soap.Server, Reason: "internal"}, 500},
		{"version-mismatch", &soap.Fault{Code: soap.VersionMismatch, Reason: "expected a SOAP Envelope", Detail: &soap.Detail{Kind: "Envelope"}}, 500},
		{"action-not-supported", &soap.Fault{Code: soap.Client, Subcode: xml.Name{Space: "http://schemas.microsoft.com/ws/2005/05/addressing/none", Local: "ActionNotSupported"},
			Reason: "The message with Action 'x' cannot be processed", Detail: &soap.Detail{Kind: "Dispatch"}}, 500},
		{"must-understand", &soap.Fault{Code: soap.MustUnderstand, Reason: "not understood", Detail: &soap.Detail{Kind: "Header"},
			NotUnderstood: []xml.Name{{Space: "urn:a", Local: "One"}, {Space: `urn:"b"`, Local: "Two"}}}, 500},
		{"too-large", &soap.Fault{Code: soap.Client, Status: http.StatusRequestEntityTooLarge, Reason: "the message is too large", Detail: &soap.Detail{Kind: "Limit"}}, 413},
		{"vendors", &soap.Fault{Code: soap.Server, Status: http.StatusBadGateway, Reason: "a required vendor failed", Detail: &soap.Detail{Kind: "Vendors", Vendors: []soap.VendorOutcome{
			{Name: "grommunio", Outcome: "failed", Attempts: 3, Status: 503, Message: "unavailable & retried"}, {Name: "webhook", Outcome: "ok", Attempts: 1}}}}, 502},
	}
	for _, tt := range faults {
		for _, v := range []soap.Version{soap.V11, soap.V12} {
			name := tt.name + "-" + map[soap.Version]string{soap.V11: "11", soap.V12: "12"}[v]
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				soap.AppendFault(&buf, v, tt.fault)
				wellFormed(t, buf.Bytes())
				golden.Check(t, filepath.Join(golden.Root(), "replies", "fault-"+name+".xml"), buf.Bytes())
				if got := tt.fault.HTTPStatus(); got != tt.status {
					t.Errorf("HTTPStatus = %d, want %d", got, tt.status)
				}
			})
		}
	}
	if got := (&soap.Fault{Code: soap.Client, Reason: "r"}).Error(); got != "Client: r" {
		t.Errorf("Error() = %q", got)
	}
}

func TestAppendResponse(t *testing.T) {
	ops := contract.Operations()
	tests := []struct {
		name string
		req  *soap.Request
	}{
		{"portaluser-11", &soap.Request{Version: soap.V11, Operation: &ops[1]}},
		{"oof-12", &soap.Request{Version: soap.V12, Operation: &ops[0]}},
		{"oof-12-wsa", &soap.Request{Version: soap.V12, Operation: &ops[0], WSA: &soap.Addressing{Namespace: soap.WSA10, MessageID: "urn:uuid:1&2"}}},
		{"portaluser-11-wsa2004-no-messageid", &soap.Request{Version: soap.V11, Operation: &ops[1], WSA: &soap.Addressing{Namespace: soap.WSA2004}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			soap.AppendResponse(&buf, tt.req)
			wellFormed(t, buf.Bytes())
			golden.Check(t, filepath.Join(golden.Root(), "replies", "response-"+tt.name+".xml"), buf.Bytes())
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	tests := []struct {
		v      soap.Version
		action string
		want   string
	}{
		{soap.V11, "urn:reply", "text/xml; charset=utf-8"},
		{soap.V12, "urn:reply", `application/soap+xml; charset=utf-8; action="urn:reply"`},
		{soap.V12, "", "application/soap+xml; charset=utf-8"},
	}
	for _, tt := range tests {
		h := http.Header{}
		soap.ResponseHeaders(h, tt.v, tt.action)
		if got := h.Get("Content-Type"); got != tt.want {
			t.Errorf("%v %q: Content-Type %q, want %q", tt.v, tt.action, got, tt.want)
		}
	}
	if soap.V11.String() != "SOAP 1.1" || soap.V12.String() != "SOAP 1.2" {
		t.Errorf("Version strings %q, %q", soap.V11, soap.V12)
	}
}
