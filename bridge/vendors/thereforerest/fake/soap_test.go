package fake_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

func TestUpstreamWSDLHasEveryOperationInEveryBinding(t *testing.T) {
	doc := fake.UpstreamWSDL()
	for _, op := range fake.Operations {
		for _, path := range []string{
			"//[local-name()='portType']/[local-name()='operation'][@name='" + op + "']",
			"//[local-name()='binding'][@name='ThereforeWS0001_SoapUserPassword']/[local-name()='operation'][@name='" + op + "']",
			"//[local-name()='binding'][@name='ThereforeWS0001_Soap12UserPassword']/[local-name()='operation'][@name='" + op + "']",
			"//[local-name()='schema']/[local-name()='element'][@name='" + op + "Response']",
		} {
			if doc.FindElement(path) == nil {
				t.Errorf("no %s", path)
			}
		}
	}
}

func TestSOAPFace(t *testing.T) {
	srv := httptest.NewServer(fake.NewSOAPFace())
	defer srv.Close()
	call := func(user, pw, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+fake.SOAPPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		req.Header.Set("SOAPAction", `"http://schemas.therefore.net/webservices/interop/v0001/messages/IThereforeService/GetDocument"`)
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	doc := func(no string) string {
		return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetDocument xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:DocNo>` + no + `</a:DocNo></parameters></GetDocument></s:Body></s:Envelope>`
	}
	tests := []struct {
		name, user, pw, body string
		status               int
		want                 string
	}{
		{"no credentials", "", "", doc("1001"), 401, "Unauthorized"},
		{"wrong password", fake.DemoUser, "x", doc("1001"), 401, "Unauthorized"},
		{"a document", fake.DemoUser, fake.DemoPassword, doc("1001"), 200, "<a:Title>Invoice 2024-001</a:Title>"},
		{"no such document", fake.DemoUser, fake.DemoPassword, doc("5"), 500, "<faultcode>s:Client</faultcode><faultstring xml:lang=\"en-US\">The document with number 5 does not exist."},
		{"not an envelope", fake.DemoUser, fake.DemoPassword, "<x/>", 500, "not a SOAP envelope"},
	}
	for _, tt := range tests {
		status, body := call(tt.user, tt.pw, tt.body)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, status, body, tt.status, tt.want)
		}
	}
}
