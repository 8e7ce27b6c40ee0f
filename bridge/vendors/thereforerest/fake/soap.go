package fake

import (
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/beevik/etree"
)

// SOAP namespaces the face speaks.
const (
	soap11NS   = "http://schemas.xmlsoap.org/soap/envelope/"
	soap12NS   = "http://www.w3.org/2003/05/soap-envelope"
	messagesNS = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	typesNS    = "http://schemas.therefore.net/webservices/interop/v0001/types"
	actionBase = messagesNS + "/IThereforeService/"
	// SOAPPath is where the SOAP face answers, as on a Therefore server.
	SOAPPath = "/theservice/v0001/soapun"
)

// Operations the SOAP face serves.
var Operations = []string{"ExecuteSingleQuery", "GetDocument", "SaveOutOfOfficeInfoForUser", "SavePortalUser"}

// Document is one document the SOAP face knows.
type Document struct {
	DocNo, CtgryNo, VersionNo int
	Title, Date               string
}

// Documents are the fake's sample documents.
var Documents = []Document{
	{DocNo: 1001, CtgryNo: 5, VersionNo: 1, Title: "Invoice 2024-001", Date: "2024-01-15"},
	{DocNo: 1002, CtgryNo: 5, VersionNo: 3, Title: "Invoice 2024-002", Date: "2024-02-03"},
	{DocNo: 1003, CtgryNo: 7, VersionNo: 1, Title: "Contract Acme & Co", Date: "2023-11-30"},
}

// SOAPCall is one call the SOAP face received.
type SOAPCall struct {
	Action    string
	User      string // the HTTP Basic user, "" when none
	RequestID string
	Status    int
}

// SOAPFace is Therefore's own SOAP endpoint, as far as the bridge needs
// one upstream: HTTP Basic as DemoUser, SOAP 1.1 and 1.2, WCF-shaped
// answers and faults, and its WSDL at ?singleWsdl (one document) and at
// ?wsdl with the schemas imported from ?xsd=xsd0 and ?xsd=xsd1, as WCF
// serves them.
type SOAPFace struct {
	mu    sync.Mutex
	calls []SOAPCall
}

// NewSOAPFace returns the SOAP face.
func NewSOAPFace() *SOAPFace { return &SOAPFace{} }

// Calls returns the calls received so far.
func (s *SOAPFace) Calls() []SOAPCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SOAPCall(nil), s.calls...)
}

func (s *SOAPFace) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		s.serveWSDL(w, r)
		return
	}
	rec := &recorder{ResponseWriter: w}
	action := s.serve(rec, r)
	u, _, _ := r.BasicAuth()
	s.mu.Lock()
	s.calls = append(s.calls, SOAPCall{Action: action, User: u, RequestID: r.Header.Get("X-Request-ID"), Status: rec.status})
	if len(s.calls) > maxCalls {
		s.calls = s.calls[1:]
	}
	s.mu.Unlock()
}

type envelope struct {
	XMLName xml.Name
	Body    struct {
		Op opParams `xml:",any"`
	} `xml:"Body"`
}

// opParams is what the operations read from their parameters.
type opParams struct {
	XMLName    xml.Name
	Parameters struct {
		CategoryNo int    `xml:"CategoryNo"`
		Condition  string `xml:"Condition"`
		MaxRows    int    `xml:"MaxRows"`
		DocNo      int    `xml:"DocNo"`
	} `xml:"parameters"`
}

func (s *SOAPFace) serve(w http.ResponseWriter, r *http.Request) string {
	media, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	v12 := media == "application/soap+xml"
	action := params["action"]
	if action == "" {
		action = strings.Trim(r.Header.Get("SOAPAction"), `"`)
	}
	if media != "text/xml" && !v12 {
		http.Error(w, "Cannot process the message because the content type '"+media+"' was not the expected type.", http.StatusUnsupportedMediaType)
		return action
	}
	if u, p, ok := r.BasicAuth(); !ok || u != DemoUser || p != DemoPassword {
		w.Header().Set("WWW-Authenticate", `Basic realm="Therefore"`)
		http.Error(w, "401 - Unauthorized: Access is denied due to invalid credentials.", http.StatusUnauthorized)
		return action
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	var env envelope
	if err == nil {
		err = xml.Unmarshal(body, &env)
	}
	if err != nil || (env.XMLName.Space != soap11NS && env.XMLName.Space != soap12NS) {
		soapFault(w, v12, "Client", "The message is not a SOAP envelope.")
		return action
	}
	p := env.Body.Op
	op, ok := strings.CutPrefix(action, actionBase)
	if !ok || p.XMLName.Local != op || p.XMLName.Space != messagesNS {
		soapFault(w, v12, "Client", fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.", action))
		return action
	}
	var result string
	switch op {
	case "ExecuteSingleQuery":
		q := p.Parameters
		if q.CategoryNo <= 0 {
			soapFault(w, v12, "Client", "CategoryNo must be specified (value > 0).")
			return action
		}
		var rows strings.Builder
		n := 0
		for _, d := range Documents {
			if d.CtgryNo != q.CategoryNo || (q.MaxRows > 0 && n >= q.MaxRows) {
				continue
			}
			n++
			fmt.Fprintf(&rows, "<a:WSQueryResultRow><a:DocNo>%d</a:DocNo><a:IndexValues><a:IndexValue>%s</a:IndexValue><a:IndexValue>%s</a:IndexValue></a:IndexValues></a:WSQueryResultRow>",
				d.DocNo, escape(d.Title), d.Date)
		}
		result = fmt.Sprintf("<a:QueryResult><a:CategoryNo>%d</a:CategoryNo><a:ResultRows>%s</a:ResultRows><a:TotalCount>%d</a:TotalCount></a:QueryResult>", q.CategoryNo, rows.String(), n)
	case "GetDocument":
		var doc *Document
		for i := range Documents {
			if Documents[i].DocNo == p.Parameters.DocNo {
				doc = &Documents[i]
			}
		}
		if doc == nil {
			soapFault(w, v12, "Client", fmt.Sprintf("The document with number %d does not exist.", p.Parameters.DocNo))
			return action
		}
		result = fmt.Sprintf(`<a:Document><a:CheckedOutBy i:nil="true"/><a:CtgryNo>%d</a:CtgryNo><a:DocNo>%d</a:DocNo><a:StreamCount>1</a:StreamCount><a:Title>%s</a:Title><a:VersionNo>%d</a:VersionNo></a:Document>`,
			doc.CtgryNo, doc.DocNo, escape(doc.Title), doc.VersionNo)
	case "SaveOutOfOfficeInfoForUser", "SavePortalUser":
		// Both answer an empty result, as Therefore does.
	default:
		soapFault(w, v12, "Client", fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.", action))
		return action
	}
	ns, ct := soap11NS, "text/xml; charset=utf-8"
	if v12 {
		ns, ct = soap12NS, "application/soap+xml; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	fmt.Fprintf(w, `<s:Envelope xmlns:s="%s"><s:Body><%sResponse xmlns="%s"><%sResult xmlns:a="%s" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">%s</%sResult></%sResponse></s:Body></s:Envelope>`,
		ns, op, messagesNS, op, typesNS, result, op, op)
	return action
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// soapFault writes a fault as WCF does: HTTP 500, s:Client/s:Sender.
func soapFault(w http.ResponseWriter, v12 bool, code, reason string) {
	if v12 {
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		sub := map[string]string{"Client": "Sender", "Server": "Receiver"}[code]
		fmt.Fprintf(w, `<s:Envelope xmlns:s="%s"><s:Body><s:Fault><s:Code><s:Value>s:%s</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`,
			soap12NS, sub, escape(reason))
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<s:Envelope xmlns:s="%s"><s:Body><s:Fault><faultcode>s:%s</faultcode><faultstring xml:lang="en-US">%s</faultstring></s:Fault></s:Body></s:Envelope>`,
		soap11NS, code, escape(reason))
}

// serveWSDL serves ?singleWsdl, ?wsdl (schemas imported) and ?xsd=xsdN,
// with addresses pointing at the host asked.
func (s *SOAPFace) serveWSDL(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host + SOAPPath
	q := r.URL.Query()
	doc := UpstreamWSDL()
	for _, a := range doc.FindElements("//[local-name()='address']") {
		a.CreateAttr("location", base)
	}
	types := doc.FindElement("//[local-name()='types']")
	schemas := types.ChildElements()
	var out *etree.Document
	switch {
	case q.Has("singleWsdl") || q.Has("singlewsdl"):
		out = doc
	case q.Has("wsdl"):
		// WCF's shape: the types hold one schema of imports.
		for _, sc := range schemas {
			types.RemoveChild(sc)
		}
		imports := types.CreateElement("xsd:schema")
		imports.CreateAttr("targetNamespace", "http://tempuri.org/Imports")
		for i, sc := range schemas {
			im := imports.CreateElement("xsd:import")
			im.CreateAttr("schemaLocation", fmt.Sprintf("%s?xsd=xsd%d", base, i))
			im.CreateAttr("namespace", sc.SelectAttrValue("targetNamespace", ""))
		}
		out = doc
	case strings.HasPrefix(q.Get("xsd"), "xsd"):
		var i int
		if _, err := fmt.Sscanf(q.Get("xsd"), "xsd%d", &i); err != nil || i < 0 || i >= len(schemas) {
			http.NotFound(w, r)
			return
		}
		sc := schemas[i].Copy()
		// A schema document declares what it inherited from the WSDL.
		sc.CreateAttr("xmlns:xs", "http://www.w3.org/2001/XMLSchema")
		for _, im := range sc.SelectElements("import") {
			for j, other := range schemas {
				if other.SelectAttrValue("targetNamespace", "") == im.SelectAttrValue("namespace", "") {
					im.CreateAttr("schemaLocation", fmt.Sprintf("%s?xsd=xsd%d", base, j))
				}
			}
		}
		out = etree.NewDocument()
		out.CreateProcInst("xml", `version="1.0" encoding="utf-8"`)
		out.SetRoot(sc)
	default:
		http.Error(w, "GET serves ?wsdl, ?singleWsdl and ?xsd=xsdN", http.StatusBadRequest)
		return
	}
	b, err := out.WriteToBytes()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Write(b)
}
