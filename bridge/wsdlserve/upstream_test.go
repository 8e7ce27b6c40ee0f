package wsdlserve_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/wsdlserve"
)

const (
	defsOpen = `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:svc" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:svc">`
	service  = `<wsdl:service name="S"><wsdl:port name="P" binding="tns:B"><soap:address location="http://upstream.example/svc"/></wsdl:port></wsdl:service>`
)

// documents is a WSDL split the way WCF and hand-made contracts split
// them: a wsdl:import of the port type (relative location), whose types
// import a schema, which includes another.
var documents = map[string]string{
	"/svc/main.wsdl": defsOpen + `<wsdl:import namespace="urn:svc" location="parts/ops.wsdl"/>` + service + `</wsdl:definitions>`,
	"/svc/parts/ops.wsdl": `<w:definitions xmlns:w="http://schemas.xmlsoap.org/wsdl/" xmlns:t="urn:svc" targetNamespace="urn:svc">` +
		`<w:types><xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:imports"><xsd:import namespace="urn:types" schemaLocation="../types.xsd"/></xsd:schema></w:types>` +
		`<w:message name="M"><w:part name="p" element="t:Op"/></w:message>` +
		`<w:portType name="PT"><w:operation name="GetThing"><w:input message="t:M"/></w:operation><w:operation name="PutThing"><w:input message="t:M"/></w:operation></w:portType></w:definitions>`,
	"/svc/types.xsd":  `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:types"><xs:include schemaLocation="more.xsd"/><xs:complexType name="Thing"/></xs:schema>`,
	"/svc/more.xsd":   `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:types"><xs:complexType name="MoreThing"/></xs:schema>`,
	"/loop/main.wsdl": defsOpen + `<wsdl:import location="main.wsdl"/>` + service + `</wsdl:definitions>`,
	"/bad/main.wsdl":  `<html>maintenance</html>`,
	"/none/main.wsdl": defsOpen + `</wsdl:definitions>`,
}

func TestFetchResolvesImports(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := documents[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(d))
	}))
	defer srv.Close()
	f := &wsdlserve.Fetcher{Client: srv.Client()}
	doc, ops, err := f.Fetch(context.Background(), srv.URL+"/svc/main.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ops, ",") != "GetThing,PutThing" {
		t.Errorf("operations %v", ops)
	}
	out, _ := doc.WriteToString()
	for _, want := range []string{`name="Thing"`, `name="MoreThing"`, `<w:message name="M"`, `xmlns:t="urn:svc"`, `soap:address location=`} {
		if !strings.Contains(out, want) {
			t.Errorf("the resolved WSDL lacks %s:\n%s", want, out)
		}
	}
	for _, gone := range []string{"schemaLocation", "location=\"parts/ops.wsdl\"", "<xs:include"} {
		if strings.Contains(out, gone) {
			t.Errorf("the resolved WSDL still holds %s:\n%s", gone, out)
		}
	}
	// The result is what Server serves, addresses rewritten.
	s, err := wsdlserve.New([]byte(out), false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Render("http://bridge.example/svc")
	if !strings.Contains(string(b), `location="http://bridge.example/svc"`) {
		t.Errorf("address not rewritten:\n%s", b)
	}

	for _, tt := range []struct{ path, want string }{
		{"/loop/main.wsdl", ""}, // an import of itself is read once
		{"/bad/main.wsdl", "is not a WSDL 1.1 document"},
		{"/none/main.wsdl", "has no soap:address"},
		{"/missing.wsdl", "HTTP 404"},
	} {
		_, _, err := f.Fetch(context.Background(), srv.URL+tt.path)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.path, err, tt.want)
		}
	}
}
