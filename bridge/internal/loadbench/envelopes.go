package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/internal/wcfsample"
)

// Envelope is one SOAP request every contender is fed.
type Envelope struct {
	Name   string // short, for tables and file names
	Label  string // for people
	Action string // SOAPAction
	Body   []byte
}

const (
	nsMessages = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	actionBase = nsMessages + "/IThereforeService/"
)

// Header returns the HTTP headers a WCF client sends with e (SOAP 1.1).
func (e Envelope) Header() http.Header {
	return http.Header{
		"Content-Type": {"text/xml; charset=utf-8"},
		"Soapaction":   {`"` + e.Action + `"`},
	}
}

// loadEnvelopes returns the benchmark's envelopes: the realistic OOF call a
// WCF client sent (testdata/soap/ok/wcf-oof-11) and SavePortalUser with
// 10 and with 10,000 IndexDataItems, generated.
func loadEnvelopes(root string) ([]Envelope, error) {
	oof, err := os.ReadFile(filepath.Join(root, "testdata", "soap", "ok", "wcf-oof-11", "request.xml"))
	if err != nil {
		return nil, err
	}
	return []Envelope{
		{Name: "oof", Label: "SaveOutOfOfficeInfoForUser (WCF, testdata/soap/ok/wcf-oof-11)", Action: actionBase + "SaveOutOfOfficeInfoForUser", Body: oof},
		portalEnvelope(10),
		portalEnvelope(10000),
	}, nil
}

// portalEnvelope returns a SavePortalUser envelope with n IndexDataItems
// (wcfsample.SavePortalUser).
func portalEnvelope(n int) Envelope {
	label := fmt.Sprintf("SavePortalUser, %s IndexDataItems (generated)", thousands(int64(n)))
	return Envelope{Name: fmt.Sprintf("portal-%d", n), Label: label, Action: wcfsample.SavePortalUserAction, Body: wcfsample.SavePortalUser(n)}
}

// thousands formats n with commas: 10000 -> "10,000".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}
