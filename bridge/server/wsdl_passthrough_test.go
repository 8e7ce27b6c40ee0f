package server_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, string(readAll(t, resp.Body))
}

// waitReady polls /readyz until want is in its answer.
func waitReady(t *testing.T, base, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := get(t, base+"/readyz")
		if strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never said %q; last: %s", want, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWSDLFromUpstream: in pass-through mode ?wsdl is the upstream's
// contract, imports inlined, addresses pointing at the bridge.
func TestWSDLFromUpstream(t *testing.T) {
	for _, form := range []string{"?singleWsdl", "?wsdl"} {
		t.Run(form, func(t *testing.T) {
			ts, _ := passServer(t, fake.NewSOAPFace(), func(c *config.Config) {
				c.Auth.PublicWSDL = true
				c.Upstream.WSDLURL = c.Upstream.URL + form
			})
			waitReady(t, ts.URL, "ready\n")
			for _, q := range []string{"?wsdl", "?singleWsdl"} {
				status, body := get(t, ts.URL+"/theservice/v0001/soapun"+q)
				if status != 200 {
					t.Fatalf("%s: status %d", q, status)
				}
				doc := etree.NewDocument()
				if err := doc.ReadFromString(body); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				for _, op := range fake.Operations {
					if doc.FindElement("//[local-name()='portType']/[local-name()='operation'][@name='"+op+"']") == nil {
						t.Errorf("%s: no operation %s", q, op)
					}
				}
				if doc.FindElement("//[local-name()='complexType'][@name='WSDocument']") == nil {
					t.Errorf("%s: the schema types were not inlined", q)
				}
				if strings.Contains(body, "schemaLocation") || strings.Contains(body, "?xsd=") {
					t.Errorf("%s: an import was left unresolved", q)
				}
				for _, a := range doc.FindElements("//[local-name()='address']") {
					if got := a.SelectAttrValue("location", ""); got != ts.URL+"/theservice/v0001/soapun" {
						t.Errorf("%s: address %q, want the bridge's", q, got)
					}
				}
			}
		})
	}
}

// TestWSDLUpstreamUnavailable: without a copy the bridge serves its own
// WSDL and /readyz says why; with one, it keeps serving it when the
// upstream fails later.
func TestWSDLUpstreamUnavailable(t *testing.T) {
	var down atomic.Bool
	face := fake.NewSOAPFace()
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		face.ServeHTTP(w, r)
	})
	down.Store(true)
	ts, _ := passServer(t, up, func(c *config.Config) {
		c.Auth.PublicWSDL = true
		c.Upstream.WSDLRefresh = config.Duration(20 * time.Millisecond)
	})
	why := waitReady(t, ts.URL, "could not be fetched")
	if !strings.Contains(why, "HTTP 503") || !strings.Contains(why, "own WSDL") {
		t.Errorf("/readyz does not say why: %s", why)
	}
	_, own := get(t, ts.URL+"/theservice/v0001/soapun?wsdl")
	if strings.Contains(own, "GetDocument") || !strings.Contains(own, "SavePortalUser") {
		t.Errorf("without the upstream's WSDL the bridge should serve its own")
	}
	down.Store(false)
	waitReady(t, ts.URL, "ready\n")
	down.Store(true)
	time.Sleep(100 * time.Millisecond) // several failed refreshes
	if _, body := get(t, ts.URL+"/theservice/v0001/soapun?wsdl"); !strings.Contains(body, "GetDocument") {
		t.Errorf("after the upstream failed again, the last copy should still be served")
	}
	if _, body := get(t, ts.URL+"/readyz"); body != "ready\n" {
		t.Errorf("/readyz = %q with a copy in hand", body)
	}
}

// TestUpstreamMetricLabels: operations are labelled by the upstream
// WSDL's names; anything else a client sends counts as "other".
func TestUpstreamMetricLabels(t *testing.T) {
	ts, _ := passServer(t, fake.NewSOAPFace(), nil)
	waitReady(t, ts.URL, "ready\n")
	for _, op := range []string{"GetDocument", "NoSuchOperation", "Evil_label_1", "GetDocument"} {
		body := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><` + op + ` xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:DocNo>1001</a:DocNo></parameters></` + op + `></s:Body></s:Envelope>`)
		resp := soapPost(t, ts.URL, http.Header{"Content-Type": {"text/xml"}, "Soapaction": {actionBase + op}}, body, "jdoe", "s3cret")
		readAll(t, resp.Body)
	}
	_, m := get(t, ts.URL+"/metrics")
	for _, want := range []string{`thereforebridge_upstream_calls_total{operation="GetDocument",outcome="401"} 2`, `thereforebridge_upstream_calls_total{operation="other",outcome="401"} 2`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "upstream_calls"))
		}
	}
	if strings.Contains(m, "NoSuchOperation") || strings.Contains(m, "Evil_label") {
		t.Errorf("a client-chosen name became a label:\n%s", grepLines(m, "upstream"))
	}
}
