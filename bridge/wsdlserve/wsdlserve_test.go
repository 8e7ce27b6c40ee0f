package wsdlserve_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/wsdlserve"
	"github.com/thereforebridge/thereforebridge/wsdl"
)

// contract has a SOAP 1.1 address under an unusual prefix, a SOAP 1.2
// address, and an HTTP binding's address, which is not the bridge's to
// rewrite.
const contract = `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:s11="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/">
  <wsdl:service name="S">
    <wsdl:port name="P11" binding="b11"><s11:address location="http://old/11"/></wsdl:port>
    <wsdl:port name="P12" binding="b12"><soap12:address location="http://old/12"/></wsdl:port>
    <wsdl:port name="PHTTP" binding="bh"><http:address location="http://old/http"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`

func TestRender(t *testing.T) {
	s, err := wsdlserve.New([]byte(contract), false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Render("https://bridge.example.com/theservice/v0001/soapun")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(golden.Root(), "wsdlserve", "render.wsdl"), got)
	again, _ := s.Render("https://bridge.example.com/theservice/v0001/soapun")
	if string(again) != string(got) {
		t.Error("a second Render of the same location differs")
	}
	other, _ := s.Render("http://other/x")
	if strings.Contains(string(other), "bridge.example.com") || strings.Count(string(other), `location="http://other/x"`) != 2 {
		t.Errorf("Render for another location:\n%s", other)
	}
}

// TestRenderManyLocations: Host headers are client input; past the cache
// bound every location still renders right.
func TestRenderManyLocations(t *testing.T) {
	s, err := wsdlserve.New(wsdl.Document, false)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loc := fmt.Sprintf("http://host%d/theservice/v0001/soapun", i)
			b, err := s.Render(loc)
			if err != nil {
				t.Error(err)
				return
			}
			if n := strings.Count(string(b), `location="`+loc+`"`); n != 2 {
				t.Errorf("%s: %d addresses rewritten, want 2", loc, n)
			}
		}()
	}
	wg.Wait()
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not XML", "<definitions", "does not parse"},
		{"no SOAP address", `<definitions><service><port><address location="x"/></port></service></definitions>`, "no soap:address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wsdlserve.New([]byte(tt.doc), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		name    string
		trust   bool
		host    string
		tls     bool
		headers map[string]string
		want    string
	}{
		{name: "plain", host: "bridge:8080", want: "http://bridge:8080/ep"},
		{name: "TLS", host: "bridge", tls: true, want: "https://bridge/ep"},
		{name: "forwarded headers ignored unless trusted", host: "bridge", headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public"}, want: "http://bridge/ep"},
		{name: "forwarded headers trusted", trust: true, host: "bridge", headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example.com"}, want: "https://public.example.com/ep"},
		{name: "the first of a forwarded list", trust: true, host: "bridge", headers: map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": " a.example.com , b"}, want: "https://a.example.com/ep"},
		{name: "an unknown forwarded scheme", trust: true, host: "bridge", headers: map[string]string{"X-Forwarded-Proto": "gopher"}, want: "http://bridge/ep"},
		{name: "no host", host: "", want: "http://localhost/ep"},
		{name: "a host that would break the XML or the URL", host: `evil"/><x`, want: "http://localhost/ep"},
		{name: "a forwarded host that would", trust: true, host: "bridge", headers: map[string]string{"X-Forwarded-Host": "a b"}, want: "http://localhost/ep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := wsdlserve.New([]byte(contract), tt.trust)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/ep?wsdl", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := s.EndpointURL(r, "/ep"); got != tt.want {
				t.Errorf("EndpointURL = %q, want %q", got, tt.want)
			}
		})
	}
}
